package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Sharding;
import dev.autoparallel.model.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding in the engine view: the acceptance arithmetic as vLLM reports it, the published defaults, the MTP
 * drafter's weights and KV cache as vLLM loads them, and the refusals.
 */
class SpeculativeDecodingTest {
    private static final SpeculativeDecoding.Method MTP = SpeculativeDecoding.Method.MTP;
    private static final SpeculativeDecoding.Method NGRAM = SpeculativeDecoding.Method.NGRAM;

    @Test
    void meanAcceptanceLengthIsOnePlusThePerPositionRates() {
        // vLLM tests/v1/spec_decode/test_acceptance_length.py: Llama-3.1-8B-Instruct with its EAGLE-3 speculator, k = 3 on
        // MT-Bench, per-position 0.7296 / 0.5208 / 0.3545 and acceptance length 2.60 (1 + their sum).
        SpeculativeDecoding sd = SpeculativeDecoding.of(NGRAM, 3, List.of(0.7296, 0.5208, 0.3545));
        assertEquals(2.60, sd.meanTokensPerStep(), 0.005);
        assertEquals(1.0, SpeculativeDecoding.NONE.meanTokensPerStep());
    }

    @Test
    void oneRateForSeveralTokensIsTheConditionalRate() {
        // Position i is accepted only with every position before it: a^i.
        SpeculativeDecoding sd = SpeculativeDecoding.of(NGRAM, 3, List.of(0.6));
        assertEquals(0.6, sd.acceptance().get(0), 1e-12);
        assertEquals(0.36, sd.acceptance().get(1), 1e-12);
        assertEquals(0.216, sd.acceptance().get(2), 1e-12);
        assertEquals(2.176, sd.meanTokensPerStep(), 1e-12);
    }

    @Test
    void badRatesAndLengthsAreRefusedByField() {
        var rising = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(NGRAM, 2, List.of(0.5, 0.7)));
        assertEquals("speculative_acceptance", rising.field());
        var outside = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(NGRAM, 1, List.of(1.2)));
        assertEquals("speculative_acceptance", outside.field());
        var count = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(NGRAM, 3, List.of(0.8, 0.6)));
        assertEquals("speculative_acceptance", count.field());
        var zero = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(MTP, 0, null));
        assertEquals("num_speculative_tokens", zero.field());
        var tooMany = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(MTP, 17, null));
        assertEquals("num_speculative_tokens", tooMany.field());
        var off = assertThrows(InvalidConfigurationException.class,
                () -> SpeculativeDecoding.of(SpeculativeDecoding.Method.NONE, 2, null));
        assertEquals("num_speculative_tokens", off.field());
        var method = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.Method.parse("eagle7"));
        assertEquals("speculative_method", method.field());
    }

    @Test
    void publishedRatesAreTheDefaultWhereTheyCoverTheDraft() {
        ModelSpec v3 = KvCacheFormulaTest.catalog("deepseek-ai/DeepSeek-V3");
        // DeepSeek-V3 Technical Report 5.4.3: the second token is accepted 85-90% of the time (one MTP module, k = 1).
        SpeculativeDecoding one = SpeculativeDecoding.of(MTP, 1, null).resolvedFor(v3);
        assertEquals(List.of(0.85), one.acceptance());
        assertTrue(one.acceptanceSource().contains("2412.19437"), one.acceptanceSource());
        // Nothing is published for two draft tokens: the user gives them.
        var two = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(MTP, 2, null).resolvedFor(v3));
        assertEquals("speculative_acceptance", two.field());
        // Qwen3-Next's head on GSM8K (speculators PR #366): conditional 0.873 / 0.778 / 0.675, as vLLM's running products.
        ModelSpec next = KvCacheFormulaTest.catalog("Qwen/Qwen3-Next-80B-A3B-Thinking");
        SpeculativeDecoding q = SpeculativeDecoding.of(MTP, 3, null).resolvedFor(next);
        assertEquals(0.873, q.acceptance().get(0), 1e-9);
        assertEquals(0.873 * 0.778, q.acceptance().get(1), 5e-4);
        assertEquals(0.873 * 0.778 * 0.675, q.acceptance().get(2), 5e-4);
        // N-gram acceptance is the workload's: never a default.
        var ngram = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(NGRAM, 1, null).resolvedFor(v3));
        assertEquals("speculative_acceptance", ngram.field());
    }

    @Test
    void mtpDrafterLoadsItsLayerButSharesTheEmbeddingAndHead() {
        ModelSpec v3 = KvCacheFormulaTest.catalog("deepseek-ai/DeepSeek-V3");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel m = new MemoryModel(v3, h200);
        EngineSettings base = EngineSettings.defaults().withMaxModelLen(4096);
        EngineSettings mtp = base.withSpeculative(SpeculativeDecoding.of(MTP, 1, null));
        Layout tp1 = new Layout(1, 1, 1, false);
        long without = m.evaluate(tp1, base, h200.memoryBytes()).weightsBytes();
        long with = m.evaluate(tp1, mtp, h200.memoryBytes()).weightsBytes();
        // The checkpoint's MTP module (layer 61: an MoE decoder layer, enorm, hnorm, eh_proj, shared_head.norm, and its own
        // embed_tokens and shared_head.head) less the two vocabulary x hidden copies vLLM replaces by the model's
        // (llm_base_proposer._maybe_share_embeddings / _maybe_share_lm_head), stored in bf16: 129,280 x 7,168 x 2 bytes each.
        long mtpBytes = v3.checkpointBytes() - v3.weightBytes();
        long copies = 2L * 129_280 * 7_168 * 2;
        assertEquals(mtpBytes - copies, with - without, 2);
        // Hub total 685B = 671B model + 14B MTP module (DeepSeek-V3 README): the loaded drafter is the module less its copies.
        assertEquals(14e9 - 2.0 * 129_280 * 7_168, v3.mtpParamCount() - 2.0 * 129_280 * 7_168, 0.6e9);
    }

    @Test
    void mtpDrafterAddsOneLayerOfKvCache() {
        ModelSpec v3 = KvCacheFormulaTest.catalog("deepseek-ai/DeepSeek-V3");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel m = new MemoryModel(v3, h200);
        EngineSettings base = EngineSettings.defaults().withMaxModelLen(4096).withKvCacheMemoryBytes(8L << 30);
        Layout tp8 = new Layout(8, 1, 1, false);
        MemoryEstimate off = m.evaluate(tp8, base, h200.memoryBytes());
        MemoryEstimate on = m.evaluate(tp8, base.withSpeculative(SpeculativeDecoding.of(MTP, 1, null)), h200.memoryBytes());
        // 61 MLA layers of (512 + 64) bf16 values per token, and the MTP layer's one more (deepseek_mtp.py builds a
        // DeepseekV2DecoderLayer; its attention joins the model's KV cache group).
        assertEquals(61L * 576 * 2, off.kvBytesPerToken());
        assertEquals(62L * 576 * 2, on.kvBytesPerToken());
        assertEquals(61, off.kvCacheGroups().get(0).layers());
        assertEquals(62, on.kvCacheGroups().get(0).layers());
        // num_blocks = available // (page x layers): 8 GiB / (64 tokens x 1,152 bytes x 62).
        assertEquals((8L << 30) / (64L * 1152) / 62, on.numGpuBlocks());
        assertEquals(List.of(0.85), on.speculative().acceptance());
    }

    @Test
    void hybridModelsMtpLayerJoinsTheFullAttentionGroup() {
        // Qwen3-Next-80B: 48 layers, every fourth full attention (12), the rest Gated DeltaNet (36); its one MTP layer is
        // full attention (qwen3_next_mtp.py), so 13 full-attention layers: group size 13 (36 > 1.5 x 13), 1 + 3 groups.
        ModelSpec next = KvCacheFormulaTest.catalog("Qwen/Qwen3-Next-80B-A3B-Thinking");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel m = new MemoryModel(next, h200);
        EngineSettings base = EngineSettings.defaults().withMaxModelLen(8192).withKvCacheMemoryBytes(4L << 30);
        Layout tp2 = new Layout(2, 1, 1, false);
        MemoryEstimate off = m.evaluate(tp2, base, h200.memoryBytes());
        MemoryEstimate on = m.evaluate(tp2, base.withSpeculative(SpeculativeDecoding.of(MTP, 2, List.of(0.8, 0.6))),
                h200.memoryBytes());
        assertEquals(12, fullAttentionLayers(off));
        assertEquals(13, fullAttentionLayers(on));
        assertEquals(4, on.kvCacheGroups().size());
        // Three state groups of 12 and the attention group of 13: num_blocks = available // page // 13.
        assertEquals(13, on.kvCacheGroups().stream().mapToInt(MemoryEstimate.KvCacheGroup::layers).max().orElseThrow());
        assertTrue(on.kvBytesPerToken() > off.kvBytesPerToken());
        assertEquals(13.0 / 12, on.kvBytesPerToken() / (double) off.kvBytesPerToken(), 1e-9);
    }

    private static int fullAttentionLayers(MemoryEstimate e) {
        return e.kvCacheGroups().stream().filter(g -> g.kind().equals(KvCachePlan.FULL_LABEL)).mapToInt(MemoryEstimate.KvCacheGroup::layers)
                .sum();
    }

    @Test
    void mtpIsRefusedWhereTheCheckpointHasNoneOrTheReleaseIsOlder() {
        ModelSpec llama = KvCacheFormulaTest.catalog("meta-llama/Llama-3.1-8B-Instruct");
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        EngineSettings mtp = EngineSettings.defaults().withMaxModelLen(4096)
                .withSpeculative(SpeculativeDecoding.of(MTP, 1, List.of(0.8)));
        var none = assertThrows(InvalidConfigurationException.class,
                () -> new MemoryModel(llama, h100).evaluate(new Layout(1, 1, 1, false), mtp, h100.memoryBytes()));
        assertEquals("speculative_method", none.field());
        ModelSpec v3 = KvCacheFormulaTest.catalog("deepseek-ai/DeepSeek-V3");
        EngineSettings old = EngineSettings.forVersion(new VllmVersion(0, 10, 2)).withMaxModelLen(4096)
                .withSpeculative(SpeculativeDecoding.of(MTP, 1, null));
        var release = assertThrows(InvalidConfigurationException.class,
                () -> new MemoryModel(v3, h100).evaluate(new Layout(8, 1, 1, false), old, h100.memoryBytes()));
        assertEquals("speculative_method", release.field());
        // N-gram drafting loads nothing: the same weights as without speculation. Its verify batches of 1 + 3 tokens
        // leave the FULL graphs of 1 and 2 tokens out of the ladder (CaptureLadder: 49 instead of 51 of the H100's
        // 1,024 sequences): under 0.24 (the old runner either way) 2 graphs x 32 layers x 256 KiB = 16 MiB more KV cache,
        // 128 tokens of 128 KiB.
        VllmVersion v24 = new VllmVersion(0, 24, 0);
        EngineSettings ngram = EngineSettings.forVersion(v24).withMaxModelLen(4096)
                .withSpeculative(SpeculativeDecoding.of(NGRAM, 3, List.of(0.5)));
        MemoryModel m = new MemoryModel(llama, h100);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate plain = m.evaluate(one, EngineSettings.forVersion(v24).withMaxModelLen(4096), h100.memoryBytes());
        MemoryEstimate drafted = m.evaluate(one, ngram, h100.memoryBytes());
        assertEquals(plain.weightsBytes(), drafted.weightsBytes());
        assertEquals(16L << 20, plain.cudaGraphBytes() - drafted.cudaGraphBytes());
        assertEquals(128, drafted.kvCacheTokens() - plain.kvCacheTokens());
    }

    /**
     * The new model runner does not draft n-grams: vLLM falls back to the old runner ("Model Runner V2 does not yet
     * support ngram speculative decoding; using the V1 model runner instead": VllmConfig._get_v2_model_runner_unsupported_features,
     * vllm/config/vllm.py at commit 000fc94b), nor EAGLE-3 across pipeline stages. Llama-3.1-8B on an H100 under 0.33: the
     * new runner's penalty state (1,024 slots x 4 x (128,256 + 4,008) B) is gone with n-grams, its sampler warm-up is the
     * old runner's 14 B a logit instead of 2, and the graphs are estimated at 256 KiB a layer and graph, not 154.
     */
    @Test
    void ngramAndEagle3AcrossStages_runOnTheOldRunner() {
        ModelSpec llama = KvCacheFormulaTest.catalog("meta-llama/Llama-3.1-8B-Instruct");
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        MemoryModel m = new MemoryModel(llama, h100);
        Layout one = new Layout(1, 1, 1, false);
        EngineSettings base = EngineSettings.defaults().withMaxModelLen(4096);
        MemoryEstimate plain = m.evaluate(one, base, h100.memoryBytes());
        MemoryEstimate ngram = m.evaluate(one, base.withSpeculative(SpeculativeDecoding.of(NGRAM, 3, List.of(0.5))),
                h100.memoryBytes());
        assertEquals(1024L * 4 * (128_256 + 4_008), plain.runnerStateBytes());
        assertEquals(0, ngram.runnerStateBytes());
        assertEquals((14 - 2) * 1024.0 * 128_256, ngram.activationBytes() - plain.activationBytes(), 1);
        assertEquals((51 + 49) * 32L * 256 * 1024, ngram.cudaGraphBytes());
        assertEquals((51 + 51) * 32L * 154 * 1024, plain.cudaGraphBytes());
        EngineSettings eagle = base.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 1, List.of(0.7),
                "yuhuili/EAGLE3-LLaMA3.1-Instruct-8B"));
        assertTrue(VllmReleases.newRunner(eagle, false, 1));
        assertFalse(VllmReleases.newRunner(eagle, false, 2));
        assertTrue(VllmReleases.newRunner(base.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.MTP, 1,
                List.of(0.7))), false, 2));
    }

    @Test
    void vocabularyShardedMtpTensorsAreTheSharedCopies() {
        // The copies left out above are exactly the MTP tensors sharded by vocabulary rows.
        ModelSpec v3 = KvCacheFormulaTest.catalog("deepseek-ai/DeepSeek-V3");
        long vocabRows = v3.tensors().stream().filter(t -> t.layer() >= v3.numLayers() && t.sharding() == Sharding.VOCAB)
                .mapToLong(Tensor::numel).sum();
        assertEquals(2L * 129_280 * 7_168, vocabRows);
    }

    @Test
    void step35sSlidingWindowMtpLayersWithTheirOwnHeadsAreRefusedByName() {
        // Step-3.5-Flash's three MTP layers are sliding-window layers, each with an LM head of its own (vLLM
        // step3p5_mtp.py): a drafter sized as DeepSeek's (shared head, full-attention cache) would be wrong.
        ModelSpec step = KvCacheFormulaTest.catalog("stepfun-ai/Step-3.5-Flash");
        assertEquals(3, step.mtpModules());
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        EngineSettings mtp = EngineSettings.defaults().withMaxModelLen(8192)
                .withSpeculative(SpeculativeDecoding.of(MTP, 3, List.of(0.8, 0.6, 0.4)));
        MemoryEstimate e = new MemoryModel(step, h200).evaluate(new Layout(4, 1, 1, false), mtp, h200.memoryBytes());
        assertEquals(RejectionReason.INVALID_LAYOUT, e.rejection().reason());
        assertTrue(e.rejection().detail().contains("step3p5_mtp.py"), e.rejection().detail());
    }
}

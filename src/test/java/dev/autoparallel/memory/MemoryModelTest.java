package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import dev.autoparallel.source.Catalog;
import org.junit.jupiter.api.Test;

class MemoryModelTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");
    private static final EngineSettings V1 = EngineSettings.defaults().withMaxModelLen(4096);

    private static MemoryEstimate eval(String id, Gpu gpu, Layout l, EngineSettings s) {
        return new MemoryModel(ReferenceModels.spec(id), gpu).evaluate(l, s, gpu.memoryBytes());
    }

    private static ModelSpec catalog(String id) {
        return Catalog.embedded().find(id).map(Catalog.Entry::spec).orElseThrow();
    }

    @Test
    void stageLayers_followVllmGetPpIndices() {
        // vLLM get_pp_indices: 80 layers over 3 stages -> remainder 2 goes to stages -2 and -3.
        assertArrayEquals(new int[] {27, 27, 26}, MemoryModel.stageLayers(80, 3));
        assertArrayEquals(new int[] {16, 15}, MemoryModel.stageLayers(31, 2));
        assertArrayEquals(new int[] {8, 8, 8, 8}, MemoryModel.stageLayers(32, 4));
    }

    @Test
    void kvCache_tpAboveKvHeads_replicatesHeads() {
        // Llama-3.1-70B has 8 KV heads: TP8 holds 1 head per rank, TP16 still 1 (replicated), never 0.5.
        MemoryModel m = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-70B"), H100);
        long tp8 = m.evaluate(new Layout(8, 1, 1, false), V1, H100.memoryBytes()).kvBytesPerToken();
        long tp16 = m.evaluate(new Layout(16, 1, 1, false), V1, H100.memoryBytes()).kvBytesPerToken();
        assertEquals(2L * 80 * 1 * 128 * 2, tp8);
        assertEquals(tp8, tp16);
    }

    @Test
    void mlaKvCache_isNotSplitByTp() {
        MemoryModel m = new MemoryModel(ReferenceModels.spec("deepseek-ai/DeepSeek-V3"), GpuCatalog.require("H200", "gpu"));
        EngineSettings s = V1;
        assertEquals(61L * 576 * 2, m.evaluate(new Layout(8, 1, 1, false), s, 150L << 30).kvBytesPerToken());
        assertEquals(61L * 576 * 2, m.evaluate(new Layout(4, 1, 1, false), s, 150L << 30).kvBytesPerToken());
    }

    @Test
    void fp8KvCache_halvesBytesPerToken() {
        long auto = eval("meta-llama/Llama-3.1-8B", H100, new Layout(1, 1, 1, false), V1).kvBytesPerToken();
        long fp8 = eval("meta-llama/Llama-3.1-8B", H100, new Layout(1, 1, 1, false), V1.withKvCacheDtype(KvCacheDtype.FP8)).kvBytesPerToken();
        assertEquals(auto / 2, fp8);
    }

    @Test
    void weights_tpSplitsMatricesAndReplicatesNorms() {
        MemoryModel m = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-70B"), H100);
        long tp1 = m.evaluate(new Layout(1, 1, 1, false), V1, 1L << 40).weightsBytes();
        long tp8 = m.evaluate(new Layout(8, 1, 1, false), V1, 1L << 40).weightsBytes();
        // 141.1 GB of bf16 weights: TP8 holds 1/8 of everything but norms (2.6 MB) and the rope cache.
        assertEquals(tp1 / 8.0, tp8, tp1 * 0.001);
        assertTrue(tp8 > tp1 / 8);
    }

    @Test
    void pipeline_tiedEmbeddingsPutAHeadCopyOnTheLastStage() {
        ModelSpec s = ReferenceModels.spec("meta-llama/Llama-3.2-1B"); // tie_word_embeddings = true
        MemoryModel m = new MemoryModel(s, H100);
        long pp1 = m.evaluate(new Layout(1, 1, 1, false), V1, H100.memoryBytes()).weightsBytes();
        long pp2 = m.evaluate(new Layout(1, 2, 1, false), V1, H100.memoryBytes()).weightsBytes();
        long table = 128_256L * 2048 * 2;
        // Most loaded stage: 8 of 16 layers plus either the embedding (first) or its head copy (last).
        assertEquals((pp1 - table) / 2.0 + table, pp2, pp1 * 0.01);
    }

    @Test
    void expertParallel_splitsOnlyRoutedExperts() {
        ModelSpec s = ReferenceModels.spec("Qwen/Qwen3-30B-A3B");
        MemoryModel m = new MemoryModel(s, H100);
        long tp2 = m.evaluate(new Layout(2, 1, 1, false), V1, H100.memoryBytes()).weightsBytes();
        long tp2ep = m.evaluate(new Layout(2, 1, 1, true), V1, H100.memoryBytes()).weightsBytes();
        // 128 experts over an EP group of 2 (TP 2 x DP 1): same share as TP2 splitting each expert.
        assertEquals(tp2, tp2ep, tp2 * 0.001);
        long dp4ep = m.evaluate(new Layout(1, 1, 4, true), V1, H100.memoryBytes()).weightsBytes();
        long experts = s.paramBreakdown().get(dev.autoparallel.model.Component.ROUTED_EXPERTS) * 2;
        long rest = s.paramCount() * 2 - experts;
        assertEquals(rest + experts / 4.0, dp4ep, s.paramCount() * 0.002);
    }

    @Test
    void slidingWindowLayers_holdAtMostTheWindow() {
        MemoryModel m = new MemoryModel(ReferenceModels.spec("openai/gpt-oss-20b"), H100);
        EngineSettings s = V1.withMaxModelLen(65536);
        long kv = m.workloadKvBytes(new Layout(1, 1, 1, false), s, 1, 65536);
        long perLayerToken = 2L * 8 * 64 * 2;
        assertEquals(perLayerToken * (12L * 65536 + 12L * (128 + 16)), kv);
    }

    @Test
    void engineRefuses_whenOneMaxLenRequestDoesNotFit() {
        MemoryEstimate e = eval("meta-llama/Llama-3.1-8B", GpuCatalog.require("A10G", "gpu"), new Layout(1, 1, 1, false),
                EngineSettings.defaults().withMaxModelLen(131072));
        assertEquals(RejectionReason.KV_CACHE_TOO_SMALL, e.rejection().reason());
        assertTrue(e.rejection().detail().contains("131072"), e.rejection().detail());
    }

    @Test
    void weightsBeyondBudget_areRejectedAsSuch() {
        MemoryEstimate e = eval("meta-llama/Llama-3.1-405B", H100, new Layout(1, 1, 1, false), V1);
        assertEquals(RejectionReason.WEIGHTS_DO_NOT_FIT, e.rejection().reason());
    }

    @Test
    void awqGroupMisalignment_isAnInvalidLayout() {
        // Qwen2.5-72B-Instruct-AWQ: intermediate 29568 / TP8 = 3696 is not a multiple of the group size 128,
        // which vLLM rejects; TP4 (7392 = 57.75 x 128) fails too, TP2 (14784 = 115.5 x 128) as well, TP1 works.
        MemoryModel m = new MemoryModel(catalog("Qwen/Qwen2.5-72B-Instruct-AWQ"), H100);
        assertTrue(m.invalidLayout(new Layout(8, 1, 1, false)).contains("group"));
        assertNull(m.invalidLayout(new Layout(1, 1, 1, false)));
    }

    @Test
    void mimoV25sShardQuantizedFusedQkv_servesAtTp4And8() {
        // XiaomiMiMo/MiMo-V2.5: the fused qkv_proj (13,568 rows) is block-quantized per TP-8 shard, and vLLM serves the
        // checkpoint at --tensor-parallel-size 8 or 4 (published deployments, vLLM 0.21); 13,568 / 8 = 1,696 is not a
        // whole number of 128-row blocks, which the plain FP8 block check would refuse.
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel m = new MemoryModel(catalog("XiaomiMiMo/MiMo-V2.5"), h200);
        assertNull(m.invalidLayout(new Layout(8, 1, 1, false)));
        assertNull(m.invalidLayout(new Layout(4, 1, 1, false)));
        MemoryEstimate e = m.evaluate(new Layout(8, 1, 1, false), EngineSettings.defaults().withMaxModelLen(32_768),
                h200.memoryBytes());
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
    }

    @Test
    void headDivisibility_isChecked() {
        MemoryModel m = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        assertTrue(m.invalidLayout(new Layout(3, 1, 1, false)).contains("attention heads"));
        assertTrue(m.invalidLayout(new Layout(1, 1, 1, true)).contains("mixture-of-experts"));
    }

    @Test
    void defaults_followVllmArgUtils() {
        MemoryModel h100 = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        MemoryModel a100 = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), GpuCatalog.require("A100-80GB", "gpu"));
        EngineSettings s = EngineSettings.defaults();
        // get_batch_defaults: >= 70 GiB and not an A100 -> 8192 tokens / 1024 seqs for the API server; else 2048 / 256.
        assertEquals(8192, h100.maxNumBatchedTokens(s));
        assertEquals(1024, h100.maxNumSeqs(s));
        assertEquals(2048, a100.maxNumBatchedTokens(s));
        assertEquals(256, a100.maxNumSeqs(s));
        assertEquals(131072, h100.maxModelLen(s));
    }

    @Test
    void cudaGraphs_areSubtractedFromVersion020() {
        MemoryModel m = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        Layout one = new Layout(1, 1, 1, false);
        assertEquals(0, m.evaluate(one, EngineSettings.forVersion(VllmVersion.parse("0.19.1")).withMaxModelLen(4096), H100.memoryBytes()).cudaGraphBytes());
        // H100 defaults: max_num_seqs 1,024, so the full ladder: 51 PIECEWISE and 51 FULL graphs, x 32 layers.
        assertEquals(32 * 102 * MemoryModel.CUDA_GRAPH_BYTES_PER_LAYER_GRAPH,
                m.evaluate(one, EngineSettings.forVersion(VllmVersion.parse("0.20.0")).withMaxModelLen(4096), H100.memoryBytes()).cudaGraphBytes());
        assertEquals(Engine.V0, EngineSettings.forVersion(VllmVersion.parse("0.7.3")).engine());
    }
}

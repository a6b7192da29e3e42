package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.deploy.Commands;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import dev.autoparallel.source.Catalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * vLLM V1's KV cache arithmetic for every kind of layer, derived here by hand from its source
 * (vllm/v1/kv_cache_interface.py and vllm/v1/core/kv_cache_utils.py, vllm-project/vllm commit
 * 001cabc1, read 2026-11), with the KV memory fixed by {@code --kv-cache-memory} so the figures
 * equal the formula exactly:
 *
 * <pre>
 *   page           = block_size x bytes per token of one layer (Mamba/GDN: one state, padded to the attention page)
 *   num_blocks     = available // page // group_size
 *   blocks/request = sum over groups: full cdiv(cdiv(len, dcp), block); sliding cdiv(min(W - 1 + batched, len), block) + 1;
 *                    chunked cdiv(min(C + batched, len), block); Mamba/GDN 1
 *   concurrency    = num_blocks / blocks/request
 *   logged tokens  = 0.20 on (PR #41069): int(concurrency x len); before: num_blocks // groups x min block size x dcp
 * </pre>
 *
 * Two releases with different behaviour: 0.19.0 (old log formula) and 0.33.0 (new), and for
 * windowed layers 0.9.2, before the hybrid KV cache manager (every layer full).
 */
class KvCacheFormulaTest {
    private static final long GIB = 1L << 30;
    private static final long AVAILABLE = 10 * GIB;
    private static final VllmVersion OLD = new VllmVersion(0, 19, 0);
    private static final VllmVersion NEW = new VllmVersion(0, 33, 0);

    static ModelSpec config2026(String folder) {
        try (InputStream in = KvCacheFormulaTest.class.getResourceAsStream("/configs-2026/" + folder + "/config.json")) {
            return ConfigParser.parse(folder.replace("--", "/"), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "configs-2026/" + folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelSpec catalog(String id) {
        return ConfigParser.parse(id, Catalog.embedded().find(id).orElseThrow().config(), "catalog " + id);
    }

    static MemoryEstimate evaluate(ModelSpec spec, String gpu, VllmVersion v, int maxLen, int tp, int dcp) {
        Gpu g = GpuCatalog.require(gpu, "gpu");
        EngineSettings s = EngineSettings.forVersion(v).withMaxModelLen(maxLen).withKvCacheMemoryBytes(AVAILABLE)
                .withDecodeContextParallelSize(dcp);
        return new MemoryModel(spec, g).evaluate(new Layout(tp, 1, 1, false), s, g.memoryBytes());
    }

    private static long cdiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static void assertFormula(MemoryEstimate e, long numBlocks, long blocksPerRequest, int groups, int minBlock,
                                      VllmVersion v, int dcp) {
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(numBlocks, e.numGpuBlocks(), "num_blocks");
        assertEquals(groups, e.kvCacheGroups().size(), "KV cache groups");
        assertEquals(blocksPerRequest, e.kvCacheGroups().stream().mapToLong(MemoryEstimate.KvCacheGroup::blocksPerRequest).sum());
        double concurrency = numBlocks / (double) blocksPerRequest;
        assertEquals(concurrency, e.maxConcurrency(), 1e-12, "Maximum concurrency");
        long logged = v.atLeast(VllmReleases.TOKENS_FROM_CONCURRENCY) ? (long) (concurrency * e.maxModelLen())
                : numBlocks / groups * minBlock * dcp;
        assertEquals(logged, e.kvCacheTokens(), "GPU KV cache size");
    }

    /**
     * gpt-oss-120b: 18 sliding (window 128) and 18 full layers, 8 KV heads x 64, bf16, block 16:
     * page 16 x 2 x 8 x 64 x 2 = 32,768 B; two groups of 18; max_num_batched_tokens 8,192 on an H100.
     */
    @Test
    void slidingWindow_gptOss120b_bothReleases() {
        ModelSpec spec = ReferenceModels.spec("openai/gpt-oss-120b");
        long page = 16L * 2 * 8 * 64 * 2;
        long numBlocks = AVAILABLE / page / 18;
        for (VllmVersion v : List.of(OLD, NEW)) {
            // Two batches in flight from 0.26 (async scheduling): the window holds 127 + 2 x 8,192 tokens.
            long inFlight = 8192L * (v.atLeast(VllmReleases.IN_FLIGHT_WINDOW) ? 2 : 1);
            long perRequest = cdiv(16_000, 16) + cdiv(Math.min(128 - 1 + inFlight, 16_000), 16) + 1;
            MemoryEstimate e = evaluate(spec, "H100", v, 16_000, 1, 1);
            assertFormula(e, numBlocks, perRequest, 2, 16, v, 1);
        }
        // 0.19: 18,204 // 2 x 16 = 145,632 tokens; 0.33: int(18,204 / 2,001 x 16,000) = 145,559.
        assertEquals(145_632, evaluate(spec, "H100", OLD, 16_000, 1, 1).kvCacheTokens());
        assertEquals(145_559, evaluate(spec, "H100", NEW, 16_000, 1, 1).kvCacheTokens());
        // Before the hybrid manager (0.9): one group of 36 full layers, 1,000 blocks per request.
        MemoryEstimate v09 = evaluate(spec, "H100", new VllmVersion(0, 9, 2), 16_000, 1, 1);
        assertEquals(AVAILABLE / page / 36, v09.numGpuBlocks());
        assertEquals(AVAILABLE / page / 36 * 16, v09.kvCacheTokens());
    }

    /**
     * Pipeline stages fill vLLM's batch queue: max_concurrent_batches is PP + 1 on the new runner with async scheduling,
     * the PP size on the old one (2 without PP), so a sliding layer of gpt-oss-120b (window 128) at PP 2 under 0.33 and
     * max_model_len 65,536 holds cdiv(127 + 3 x 8,192, 16) + 1 = 1,545 blocks a request (the new runner, every model's
     * from 0.29), cdiv(127 + 2 x 8,192, 16) + 1 = 1,033 with VLLM_USE_V2_MODEL_RUNNER=0 and without PP.
     */
    @Test
    void slidingWindow_pipelineStagesFillTheBatchQueue() {
        ModelSpec spec = ReferenceModels.spec("openai/gpt-oss-120b");
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        EngineSettings s = EngineSettings.forVersion(NEW).withMaxModelLen(65_536).withKvCacheMemoryBytes(AVAILABLE);
        MemoryModel m = new MemoryModel(spec, h100);
        long pp2 = slidingBlocksPerRequest(m.evaluate(new Layout(1, 2, 1, false), s, h100.memoryBytes()));
        long pp2OldRunner = slidingBlocksPerRequest(m.evaluate(new Layout(1, 2, 1, false), s.withModelRunner(ModelRunner.V1),
                h100.memoryBytes()));
        long pp1 = slidingBlocksPerRequest(m.evaluate(new Layout(1, 1, 1, false), s, h100.memoryBytes()));
        assertEquals(cdiv(127 + 3 * 8192, 16) + 1, pp2);
        assertEquals(cdiv(127 + 2 * 8192, 16) + 1, pp2OldRunner);
        assertEquals(cdiv(127 + 2 * 8192, 16) + 1, pp1);
    }

    private static long slidingBlocksPerRequest(MemoryEstimate e) {
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        return e.kvCacheGroups().stream().filter(g -> g.kind().startsWith("sliding")).findFirst().orElseThrow().blocksPerRequest();
    }

    /**
     * Gemma-3-27B: 52 sliding (window 1,024) and 10 full layers, 16 KV heads x 128. Group size 10
     * (52 is not below 1.5 x 10): one full group and cdiv(52, 10) = 6 sliding groups, 7 in all.
     * At TP 2 each rank holds 8 heads: page 16 x 2 x 8 x 128 x 2 = 65,536 B.
     */
    @Test
    void slidingWindow_gemma3_27b_tp2() {
        ModelSpec spec = catalog("google/gemma-3-27b-it");
        long page = 16L * 2 * 8 * 128 * 2;
        long numBlocks = AVAILABLE / page / 10;
        int len = 32_768;
        for (VllmVersion v : List.of(OLD, NEW)) {
            long inFlight = 8192L * (v.atLeast(VllmReleases.IN_FLIGHT_WINDOW) ? 2 : 1);
            long perRequest = cdiv(len, 16) + 6 * (cdiv(Math.min(1024 - 1 + inFlight, len), 16) + 1);
            assertFormula(evaluate(spec, "H100", v, len, 2, 1), numBlocks, perRequest, 7, 16, v, 1);
        }
    }

    /**
     * Llama-4-Scout: 36 chunked layers (chunk 8,192) and 12 NoPE full layers, 8 KV heads x 128,
     * 4 per rank at TP 2: page 16 x 2 x 4 x 128 x 2 = 32,768 B; groups of 12: one full, three chunked.
     * A B200 (178 GiB, at least 160) takes max_num_batched_tokens 16,384 from 0.28 (PR #51726), 8,192 before.
     */
    @Test
    void chunkedLocal_llama4Scout() {
        ModelSpec spec = config2026("meta-llama--Llama-4-Scout-17B-16E-Instruct");
        long page = 16L * 2 * 4 * 128 * 2;
        int len = 65_536;
        for (VllmVersion v : List.of(OLD, NEW)) {
            int batched = v.atLeast(VllmReleases.LARGE_GPU_BATCH_TOKENS) ? 16_384 : 8_192;
            long perRequest = cdiv(len, 16) + 3 * cdiv(Math.min(8192L + batched, len), 16);
            assertFormula(evaluate(spec, "B200", v, len, 2, 1), AVAILABLE / page / 12, perRequest, 4, 16, v, 1);
        }
    }

    /**
     * Qwen3.5-35B-A3B: 30 Gated DeltaNet and 10 full layers. Attention: 2 KV heads x 256 x 2 B x 2
     * = 2,048 B per token. GDN state: conv (4 - 1) x (2 x 16 x 128 + 32 x 128) x 2 B = 49,152 B, plus
     * the recurrent 32 x 128 x 128 x 4 B (mamba_ssm_dtype float32) = 2,097,152 B: 2,146,304 B. The
     * attention block grows to 16 x cdiv(2,146,304, 16 x 2,048) = 1,056 tokens, the page to
     * 1,056 x 2,048 = 2,162,688 B (the state padded to it); groups of 10: one full, three GDN.
     */
    @Test
    void gatedDeltaNet_qwen35() {
        ModelSpec spec = config2026("Qwen--Qwen3.5-35B-A3B");
        long state = 3L * (2 * 16 * 128 + 32 * 128) * 2 + 32L * 128 * 128 * 4;
        assertEquals(2_146_304, state);
        long block = 16 * cdiv(state, 16 * 2048L);
        assertEquals(1056, block);
        long page = block * 2048;
        int len = 262_144;
        long perRequest = cdiv(len, block) + 3;
        for (VllmVersion v : List.of(OLD, NEW)) {
            // The Mamba groups' block size is max_model_len, so the old log's minimum block is the attention block.
            assertFormula(evaluate(spec, "H200", v, len, 1, 1), AVAILABLE / page / 10, perRequest, 4, (int) block, v, 1);
        }
    }

    /**
     * Kimi-Linear-48B-A3B (configs-extra): 7 MLA layers of one 576-wide latent (1,152 B per token in bf16) and
     * 20 KDA layers. KDA state: conv (4 - 1) x 3 x 4,096 x 2 B = 73,728 B plus the float32 recurrent
     * 32 x 128 x 128 x 4 B = 2,097,152 B: 2,170,880 B. With MLA the block aligns to 64 tokens
     * (HybridAttentionMambaModelConfig): 64 x cdiv(2,170,880, 64 x 1,152) = 1,920, page 2,211,840 B;
     * groups of 7: one MLA, cdiv(20, 7) = 3 KDA.
     */
    @Test
    void kimiDeltaAttention_withMla_kimiLinear() throws Exception {
        ModelSpec spec;
        try (InputStream in = KvCacheFormulaTest.class.getResourceAsStream(
                "/configs-extra/moonshotai--Kimi-Linear-48B-A3B-Instruct/config.json")) {
            spec = ConfigParser.parse("moonshotai/Kimi-Linear-48B-A3B-Instruct",
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), "configs-extra");
        }
        long state = 3L * 3 * 4096 * 2 + 32L * 128 * 128 * 4;
        assertEquals(2_170_880, state);
        long block = 64 * cdiv(state, 64 * 1152L);
        assertEquals(1920, block);
        long page = block * 1152;
        int len = 131_072;
        for (VllmVersion v : List.of(OLD, NEW)) {
            assertFormula(evaluate(spec, "H200", v, len, 1, 1), AVAILABLE / page / 7, cdiv(len, block) + 3, 4, (int) block, v, 1);
        }
    }

    /**
     * Nemotron-3-Nano-30B: 23 Mamba-2 and 6 attention layers (the 23 MoE layers hold nothing).
     * Attention 2 x 2 x 128 x 2 B = 1,024 B per token. Mamba state: conv (4 - 1) x (64 x 64 + 2 x 8 x 128)
     * x 2 B = 36,864 B, SSM 64 x 64 x 128 x 4 B (float32) = 2,097,152 B. Block 16 x cdiv(2,134,016, 16,384)
     * = 2,096; groups of 6: one attention, cdiv(23, 6) = 4 Mamba.
     */
    @Test
    void mamba2_nemotronNano() {
        ModelSpec spec = config2026("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16");
        long state = 3L * (64 * 64 + 2 * 8 * 128) * 2 + 64L * 64 * 128 * 4;
        long block = 16 * cdiv(state, 16 * 1024L);
        assertEquals(2096, block);
        long page = block * 1024;
        int len = 131_072;
        for (VllmVersion v : List.of(OLD, NEW)) {
            assertFormula(evaluate(spec, "H100", v, len, 1, 1), AVAILABLE / page / 6, cdiv(len, block) + 4, 5, (int) block, v, 1);
        }
        // TP 2: one KV head per rank (512 B per token); Mamba heads and groups halve.
        long state2 = 3L * (32 * 64 + 8 * 128) * 2 + 32L * 64 * 128 * 4;
        long block2 = 16 * cdiv(state2, 16 * 512L);
        assertFormula(evaluate(spec, "H100", NEW, len, 2, 1), AVAILABLE / (block2 * 512) / 6, cdiv(len, block2) + 4, 5,
                (int) block2, NEW, 1);
    }

    /**
     * The workload view counts only the layers that keep a cache: Nemotron-3-Nano's 6 attention layers
     * at 1,024 B per token and 23 Mamba states of 2,134,016 B; its 23 MoE layers hold nothing.
     */
    @Test
    void workloadView_hybridCountsCacheLayersOnly() {
        ModelSpec spec = config2026("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16");
        Gpu g = GpuCatalog.require("H100", "gpu");
        long perSequence = 6L * 1024 * 8192 + 23L * (3L * (64 * 64 + 2 * 8 * 128) * 2 + 64L * 64 * 128 * 4);
        assertEquals(4 * perSequence, new MemoryModel(spec, g).workloadKvBytes(new Layout(1, 1, 1, false),
                EngineSettings.defaults(), 4, 8192));
    }

    /**
     * Kimi-K2: 61 MLA layers, one latent of 512 + 64 in bf16 = 1,152 B per token, block 64. The
     * latent is replicated: TP 8 gives the same blocks as TP 1; decode context parallelism 8 keeps
     * cdiv(len, 8) tokens per rank and the old log multiplies by 8.
     */
    @Test
    void mla_kimiK2_tpReplicates_dcpDivides() {
        ModelSpec spec = config2026("moonshotai--Kimi-K2-Instruct");
        long page = 64L * 1152;
        long numBlocks = AVAILABLE / page / 61;
        int len = 131_072;
        for (VllmVersion v : List.of(OLD, NEW)) {
            assertFormula(evaluate(spec, "H200", v, len, 8, 1), numBlocks, cdiv(len, 64), 1, 64, v, 1);
            assertFormula(evaluate(spec, "H200", v, len, 8, 8), numBlocks, cdiv(cdiv(len, 8), 64), 1, 64, v, 8);
        }
    }

    /**
     * DeepSeek-V3.2: 61 MLA layers, each with a DSA indexer key cache of 128 FP8 values and one FP32
     * scale (132 B per token). MLA and indexer specs are both full attention with different pages:
     * one UniformTypeKVCacheSpecs group whose page is the sum, 61 x (1,152 + 132) x 64 B in bf16,
     * 61 x (656 + 132) x 64 B with --kv-cache-dtype fp8 (fp8_ds_mla).
     */
    @Test
    void mlaWithDsaIndexer_deepSeekV32() {
        ModelSpec spec = config2026("deepseek-ai--DeepSeek-V3.2");
        int len = 65_536; // the model's 163,840 needs 11.95 GiB, more than the 10 GiB given
        long page = 61L * (1152 + 132) * 64;
        for (VllmVersion v : List.of(OLD, NEW)) {
            assertFormula(evaluate(spec, "H200", v, len, 8, 1), AVAILABLE / page, cdiv(len, 64), 1, 64, v, 1);
        }
        Gpu g = GpuCatalog.require("H200", "gpu");
        EngineSettings fp8 = EngineSettings.forVersion(NEW).withMaxModelLen(len).withKvCacheMemoryBytes(AVAILABLE)
                .withKvCacheDtype(KvCacheDtype.FP8);
        MemoryEstimate e = new MemoryModel(spec, g).evaluate(new Layout(8, 1, 1, false), fp8, g.memoryBytes());
        assertFormula(e, AVAILABLE / (61L * (656 + 132) * 64), cdiv(len, 64), 1, 64, NEW, 1);
    }

    /**
     * Shared-KV layers (Gemma 3n/4 E-models: num_kv_shared_layers) read an earlier layer's cache and
     * get no spec of their own. Gemma-4-26B-A4B's config with its last 10 of 30 layers shared leaves
     * layers 0-19: 3 full (5, 11, 17) and 17 sliding. Group size 3 (17 is not below 1.5 x 3): one full
     * group and cdiv(17, 3) = 6 sliding groups; page 16 x 2 x 8 x 256 x 2 = 131,072 B (the full layers'
     * block doubles to 32), num_blocks = available // 131,072 // 3. Both releases.
     */
    @Test
    void sharedKv_holdsNoCache() throws IOException {
        String json;
        try (InputStream in = KvCacheFormulaTest.class.getResourceAsStream("/configs-2026/google--gemma-4-26B-A4B/config.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(json);
        ObjectNode text = root.has("text_config") ? (ObjectNode) root.get("text_config") : root;
        text.put("num_kv_shared_layers", 10);
        ModelSpec spec = ConfigParser.parse("gemma-4-26B-A4B-shared", root.toString(), "test: 10 shared-KV layers");
        assertEquals(10L, spec.mixerCounts().get(ModelSpec.Mixer.SHARED_KV));
        int len = 32_768;
        for (VllmVersion v : List.of(OLD, NEW)) {
            long inFlight = 8192L * (v.atLeast(VllmReleases.IN_FLIGHT_WINDOW) ? 2 : 1);
            long perRequest = cdiv(len, 32) + 6 * (cdiv(Math.min(1023 + inFlight, len), 16) + 1);
            assertFormula(evaluate(spec, "H100", v, len, 1, 1), AVAILABLE / 131_072 / 3, perRequest, 7, 16, v, 1);
        }
    }

    /**
     * Every configs-2026 checkpoint the parser reads gets a KV cache plan or a refusal by name, never
     * an exception: TP 8 on H200 and TP 1 on B200, both releases, with the memory given.
     */
    @Test
    void everyConfig2026_plansOrRefusesByName() throws IOException {
        List<String> folders;
        try (Stream<Path> dirs = Files.list(Path.of(URI.create(KvCacheFormulaTest.class.getResource("/configs-2026").toString())))) {
            folders = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        int planned = 0;
        for (String folder : folders) {
            ModelSpec spec;
            try {
                spec = config2026(folder);
            } catch (RuntimeException e) {
                continue; // a config the parser refuses (deepseek_ref) is the model layer's concern
            }
            for (VllmVersion v : List.of(OLD, NEW)) {
                for (int tp : new int[] {1, 8}) {
                    MemoryEstimate e = evaluate(spec, tp == 8 ? "H200" : "B200", v, 32_768, tp, 1);
                    if (e.fits()) {
                        planned++;
                        assertTrue(e.numGpuBlocks() > 0 && !e.kvCacheGroups().isEmpty(), folder);
                    } else {
                        assertTrue(e.rejection().detail().length() > 10, folder);
                    }
                }
            }
        }
        assertTrue(planned > 100, "planned " + planned);
    }

    @Test
    void deepSeekV4_compressedCache_isRefusedByName() {
        // Its window + compressed-latent + indexer cache is not one of the modelled vLLM cache specs.
        MemoryEstimate e = evaluate(config2026("deepseek-ai--DeepSeek-V4-Flash"), "B200", NEW, 32_768, 8, 1);
        assertTrue(!e.fits() && e.rejection().detail().contains("DeepSeek-V4"), e.toString());
    }

    /**
     * The refusal: gpt-oss-120b at max_model_len 131,072 with 1 GiB under 0.33. One request needs
     * group_size x page x blocks = 18 x 32,768 x (8,192 + 1,033) B = 5.07 GiB (the window holds
     * 127 + 2 x 8,192 tokens: cdiv(16,511, 16) + 1 = 1,033 blocks); vLLM's binary search gives the
     * longest length whose need fits, 18 x 32,768 x (cdiv(L, 16) + cdiv(min(16,511, L), 16) + 1) <= 1 GiB.
     */
    @Test
    void refusal_neededBytesAndEstimatedMaxModelLen() {
        ModelSpec spec = ReferenceModels.spec("openai/gpt-oss-120b");
        Gpu g = GpuCatalog.require("H100", "gpu");
        EngineSettings s = EngineSettings.forVersion(NEW).withMaxModelLen(131_072).withKvCacheMemoryBytes(GIB);
        MemoryEstimate e = new MemoryModel(spec, g).evaluate(new Layout(1, 1, 1, false), s, g.memoryBytes());
        assertFalse(e.fits());
        assertEquals(RejectionReason.KV_CACHE_TOO_SMALL, e.rejection().reason());
        long sliding = cdiv(128 - 1 + 2 * 8192, 16) + 1;
        assertEquals(18L * 32_768 * (8192 + sliding), e.kvCacheNeededBytes());
        // 1 GiB holds 1,820 blocks of 18 x 32,768 B. Below 16,511 tokens the window group also takes
        // cdiv(L, 16) + 1 blocks, so 2 x cdiv(L, 16) + 1 <= 1,820: cdiv(L, 16) <= 909, L = 14,544.
        long estimated = (GIB / (18L * 32_768) - 1) / 2 * 16;
        assertEquals(14_544, estimated);
        assertEquals(estimated, e.estimatedMaxModelLen());
        EngineSettings fits = s.withMaxModelLen((int) estimated);
        assertNull(new MemoryModel(spec, g).evaluate(new Layout(1, 1, 1, false), fits, g.memoryBytes()).estimatedMaxModelLen());
    }

    /**
     * Gemma 4 under vLLM 0.29.0, from a read-only trace of its source (commit 98dff2a, 2026-09-27,
     * published as "vLLM v0.29.0 Gemma 4 memory: source trace"): full layers cache K and V at
     * global_head_dim 512 with num_global_key_value_heads, sliding layers at 256 with their own heads;
     * the full layers' smaller page doubles their block to 32. Gemma-4-31B (10 full x 4 heads, 50
     * sliding x 16 heads, window 1,024): groups of 10, one full and five sliding; blocks per request at
     * 262,144 tokens are 9,797 with 2,048 batched tokens (A100) and 13,637 with 8,192 (H100), the
     * trace's B_req. Gemma-4-26B-A4B: six groups of 5, 655,360 B per block (5 x 131,072).
     */
    @Test
    void gemma4_perLayerHeads_matchTheTrace() {
        ModelSpec big = config2026("nvidia--Gemma-4-31B-IT-NVFP4");
        VllmVersion v029 = new VllmVersion(0, 29, 0);
        int len = 262_144;
        for (String gpu : List.of("A100-80GB", "H100")) {
            Gpu g = GpuCatalog.require(gpu, "gpu");
            EngineSettings s = EngineSettings.forVersion(v029).withMaxModelLen(len).withKvCacheMemoryBytes(GIB);
            MemoryEstimate e = new MemoryModel(big, g).evaluate(new Layout(1, 1, 1, false), s, g.memoryBytes());
            long perRequest = e.kvCacheGroups().stream().mapToLong(MemoryEstimate.KvCacheGroup::blocksPerRequest).sum();
            assertEquals(gpu.equals("H100") ? 13_637 : 9_797, perRequest, gpu);
            assertEquals(6, e.kvCacheGroups().size());
            assertEquals(32, e.kvCacheGroups().stream().filter(k -> k.kind().equals("full attention")).findFirst()
                    .orElseThrow().blockSize());
        }
        ModelSpec moe = config2026("google--gemma-4-26B-A4B");
        MemoryEstimate e = evaluate(moe, "H100", v029, 32_768, 1, 1);
        assertEquals(6, e.kvCacheGroups().size());
        assertEquals(AVAILABLE / 655_360, e.numGpuBlocks());
    }

    /**
     * DeepSeek-V4-Flash with --kv-cache-dtype fp8 (vLLM 0.29 and later; helper arithmetic from vLLM's packed V4 layout):
     * 2 window-only, 21 ratio-4 and 20 ratio-128 layers. Pages, padded to 576 B: the sliding-window latent 64 x 584 =
     * 37,440; a ratio-4 layer's latents 64 x 584 = 37,440 and indexer keys 64 x 132 = 8,640, its compressor states
     * 4 x 2,048 x 4 = 32,832 and 4 x 512 x 4 = 8,640; a ratio-128 layer's latents 2 x 584 = 1,728 and state 8 x 1,024 x 4
     * = 32,832. Groups: latents + indexer (62 pages, 1,002,240 B: the stride), the 43 window caches cut into 22 + 21
     * (d = 22, the layer-tuple count that pads least from 21), the ratio-4 states (42) and the ratio-128 states (20): the
     * group sums vLLM issue #54703 prints for 0.28.1. At max_model_len 131,072 and 2 x 8,192 tokens in flight a request
     * takes 512 + 2 x 259 + 4,099 + 2,065 = 7,194 blocks; 50 GiB holds 53,567 blocks: 7.45x, 975,970 tokens.
     */
    @Test
    void deepseekV4Flash_packedLayout() {
        ModelSpec spec = catalog("deepseek-ai/DeepSeek-V4-Flash");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        EngineSettings s = EngineSettings.forVersion(NEW).withMaxModelLen(131_072).withKvCacheMemoryBytes(50 * GIB)
                .withKvCacheDtype(KvCacheDtype.FP8);
        MemoryEstimate e = new MemoryModel(spec, h200).evaluate(new Layout(4, 1, 1, false), s, h200.memoryBytes());
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        long stride = 21L * 37_440 + 21L * 8_640 + 20L * 1_728;
        assertEquals(1_002_240, stride);
        assertEquals(50 * GIB / stride, e.numGpuBlocks());
        assertEquals(53_567, e.numGpuBlocks());
        assertEquals(List.of(512L, 259L, 259L, 4_099L, 2_065L),
                e.kvCacheGroups().stream().map(MemoryEstimate.KvCacheGroup::blocksPerRequest).toList());
        assertEquals(List.of(62, 22, 21, 42, 20), e.kvCacheGroups().stream().map(MemoryEstimate.KvCacheGroup::layers).toList());
        assertEquals(53_567 / 7_194.0, e.maxConcurrency(), 1e-12);
        assertEquals(975_970, e.kvCacheTokens());
        assertEquals(256, e.blockSize());
        // TP does not shard the single latent head: TP 8 holds as many blocks in the same memory.
        assertEquals(53_567, new MemoryModel(spec, h200).evaluate(new Layout(8, 1, 1, false), s, h200.memoryBytes())
                .numGpuBlocks());
        // A request at 131,072 tokens needs d_max x (37,440 + 8,640 + 1,728) x 7,194 = 22 x 47,808 x 7,194 bytes.
        assertEquals(22L * 47_808 * 7_194, e.kvCacheNeededBytes());
        // With MTP drafting the MTP layer attends as a window-only layer (vLLM forces its compress ratio to 1): 44 window
        // caches in groups of 22 and 22; the latent group stays the stride.
        MemoryEstimate mtp = new MemoryModel(spec, h200).evaluate(new Layout(4, 1, 1, false),
                s.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.MTP, 1, List.of(0.8))), h200.memoryBytes());
        assertTrue(mtp.fits(), () -> String.valueOf(mtp.rejection()));
        assertEquals(List.of(62, 22, 22, 42, 20), mtp.kvCacheGroups().stream().map(MemoryEstimate.KvCacheGroup::layers).toList());
        assertEquals(53_567, mtp.numGpuBlocks());
        // A 16-bit cache and releases before the packed layout are refused by name.
        MemoryEstimate bf16 = new MemoryModel(spec, h200).evaluate(new Layout(4, 1, 1, false),
                s.withKvCacheDtype(KvCacheDtype.AUTO), h200.memoryBytes());
        assertTrue(bf16.rejection().detail().contains("--kv-cache-dtype fp8"), bf16.rejection().detail());
        MemoryEstimate unsettled = new MemoryModel(spec, h200).evaluate(new Layout(4, 1, 1, false),
                EngineSettings.forVersion(new VllmVersion(0, 28, 0)).withMaxModelLen(131_072).withKvCacheMemoryBytes(50 * GIB)
                        .withKvCacheDtype(KvCacheDtype.FP8), h200.memoryBytes());
        assertTrue(unsettled.rejection().detail().contains("not established"), unsettled.rejection().detail());
        // DeepSeek-V4-Pro: 30 ratio-4 and 31 ratio-128 layers (61 windows, d = 31): latents + indexer 30 x 46,080 + 31 x
        // 1,728 = 1,435,968 B, windows 31 + 30, then (layer 0 being ratio-128) the ratio-128 states 31 and ratio-4 states 60.
        MemoryEstimate pro = new MemoryModel(catalog("deepseek-ai/DeepSeek-V4-Pro"), h200).evaluate(new Layout(8, 1, 1, false),
                s, h200.memoryBytes());
        assertEquals(50 * GIB / 1_435_968, pro.numGpuBlocks());
        assertEquals(List.of(91, 31, 30, 31, 60), pro.kvCacheGroups().stream().map(MemoryEstimate.KvCacheGroup::layers).toList());
    }

    /**
     * MiniMax-M3 (vLLM minimax_m3 model.py and indexer.py, read 2026-12-01): 3 full and 57 sparse layers, 4 KV heads of
     * 128 (one per rank at TP 8), and on each sparse layer one replicated bf16 index key of 128 per token; all 117 caches
     * in one group, blocks of 128 (the only size the sparse backends take, passed as --block-size): a block of every
     * layer is 128 x (60 x 2 x 128 x 2 + 57 x 128 x 2) = 5,799,936 B with a 16-bit cache, 128 x 29,952 with fp8 keys and
     * values (the index keys stay bf16). At 131,072 tokens a request takes 1,024 blocks.
     */
    @Test
    void miniMaxM3_sparseIndexKeysBesideFullAttention() {
        ModelSpec spec = catalog("MiniMaxAI/MiniMax-M3");
        MemoryEstimate e = evaluate(spec, "H200", NEW, 131_072, 8, 1);
        long page = 128L * (60 * 2 * 128 * 2 + 57 * 128 * 2);
        assertEquals(5_799_936, page);
        assertFormula(e, AVAILABLE / page, 1_024, 1, 128, NEW, 1);
        assertEquals(List.of(117), e.kvCacheGroups().stream().map(MemoryEstimate.KvCacheGroup::layers).toList());
        assertEquals(128, e.blockSize());
        assertTrue(e.blockSizeRequired());
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        EngineSettings fp8 = EngineSettings.forVersion(NEW).withMaxModelLen(131_072).withKvCacheMemoryBytes(AVAILABLE)
                .withKvCacheDtype(KvCacheDtype.FP8);
        assertEquals(AVAILABLE / (128L * 29_952), new MemoryModel(spec, h200).evaluate(new Layout(8, 1, 1, false), fp8,
                h200.memoryBytes()).numGpuBlocks());
        // vLLM does not pick 128 by itself: the command passes it, and another block size is refused.
        String command = Commands.vllm(Commands.Request.of(spec.modelId(), new Layout(8, 1, 1, false), 8, 131_072, 16,
                EngineSettings.forVersion(NEW), false).withMemory(e, h200.memoryBytes())).command();
        assertTrue(command.contains("--block-size 128"), command);
        MemoryEstimate b16 = new MemoryModel(spec, h200).evaluate(new Layout(8, 1, 1, false),
                EngineSettings.forVersion(NEW).withMaxModelLen(131_072).withBlockSize(16), h200.memoryBytes());
        assertTrue(b16.rejection().detail().contains("--block-size 128 only"), b16.rejection().detail());
    }

    /**
     * DeepSeek-V4-Flash under its launch layout (vLLM 0.20 to 0.24): sliding-type pages padded to the latent sizes (the
     * states' 32,832 B to 37,440), tuples of d = 22 layers, {@code num_blocks = available // (22 x 47,808)}; one batch in
     * flight. vLLM issue #44376 (0.22, 2 x GH200, TP 2, fp8, offline LLM with 16,384 batched tokens, max_model_len 30,000)
     * prints "6.66 GiB KV cache is needed ... the available KV cache memory (5.44 GiB) ... the estimated maximum model
     * length is 13528": 22 x 47,808 x (118 + 2 x 259 + 4,099 + 2,065) = 7,152,076,800 B, and 13,528 is the longest
     * max_model_len whose check fits an available memory printed as 5.44 GiB.
     */
    @Test
    void deepseekV4Flash_launchLayout_reproducesVllmIssue44376() {
        ModelSpec spec = catalog("deepseek-ai/DeepSeek-V4-Flash");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        VllmVersion v22 = new VllmVersion(0, 22, 0);
        EngineSettings issue = EngineSettings.forVersion(v22).withMaxModelLen(30_000).withMaxNumBatchedTokens(16_384)
                .withKvCacheDtype(KvCacheDtype.FP8).withKvCacheMemoryBytes(5_842_000_000L);
        MemoryEstimate e = new MemoryModel(spec, h200).evaluate(new Layout(2, 1, 1, false), issue, h200.memoryBytes());
        assertEquals(RejectionReason.KV_CACHE_TOO_SMALL, e.rejection().reason(), () -> String.valueOf(e.rejection()));
        assertEquals(22L * 47_808 * (118 + 2 * 259 + 4_099 + 2_065), e.kvCacheNeededBytes());
        assertEquals(6.66, e.kvCacheNeededBytes() / (double) GIB, 0.005);
        assertEquals(13_528L, e.estimatedMaxModelLen());
        // 50 GiB at 131,072 and 8,192 batched tokens: 51,044 blocks of 1,051,776 B; a request counts cdiv(512 x 1,002,240
        // + 131 x 823,680 + 131 x 786,240 + 2,051 x 967,680 + 1,041 x 748,800, 1,002,240) = 3,481 blocks: 14.66x.
        EngineSettings s = EngineSettings.forVersion(v22).withMaxModelLen(131_072).withKvCacheDtype(KvCacheDtype.FP8)
                .withKvCacheMemoryBytes(50 * GIB);
        MemoryEstimate launch = new MemoryModel(spec, h200).evaluate(new Layout(4, 1, 1, false), s, h200.memoryBytes());
        assertEquals(50 * GIB / (22L * 47_808), launch.numGpuBlocks());
        assertEquals(51_044, launch.numGpuBlocks());
        long weighted = 512L * 1_002_240 + 131L * 823_680 + 131L * 786_240 + 2_051L * 967_680 + 1_041L * 748_800;
        assertEquals(3_481, cdiv(weighted, 1_002_240));
        assertEquals(51_044 / 3_481.0, launch.maxConcurrency(), 1e-12);
        assertEquals(1_921_987, launch.kvCacheTokens());
    }
}

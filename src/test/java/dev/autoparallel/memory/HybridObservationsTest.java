package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import org.junit.jupiter.api.Test;

/**
 * Start-up logs of vLLM 0.11 to 0.24 published in public issues, for hybrid models (Gated DeltaNet,
 * sliding window). Each gives the KV memory vLLM measured ("Available KV cache memory") or enough
 * of the log to pin num_blocks; the test gives that memory with --kv-cache-memory and checks the
 * figures vLLM printed from it. Nothing is fitted: every expected number is copied from the log.
 * The H20 is not in the catalog; with --kv-cache-memory the GPU only decides the memory check, so a
 * catalog GPU with at least as much memory stands in for it. Where a log states the GPU, the
 * utilization and the weights, the profiled prediction (no --kv-cache-memory) is checked too.
 */
class HybridObservationsTest {
    private static final double GIB = 1L << 30;

    private static MemoryEstimate run(ModelSpec spec, String gpu, int tp, EngineSettings s) {
        Gpu g = GpuCatalog.require(gpu, "gpu");
        return new MemoryModel(spec, g).evaluate(new Layout(tp, 1, 1, false), s, g.memoryBytes());
    }

    /**
     * https://github.com/noonghunna/club-3090/issues/612 (2026-07): vLLM 0.24.0, Qwen3.6-35B-A3B NVFP4
     * on one RTX 5090, max_model_len 131,072, kv_cache_dtype fp8, prefix caching on (mamba_cache_mode
     * align), max_num_batched_tokens 8,192. Log: "Available KV cache memory: 5.98 GiB", "GPU KV cache
     * size: 567,978 tokens", "Maximum concurrency for 131,072 tokens per request: 4.33x".
     * Attention 1,024 B per token in fp8; the GDN state 2,146,304 B sets the block to 2,096 tokens;
     * 5.98 GiB // 2,146,304 // 10 = 299 blocks; per request cdiv(131,072, 2,096) + 3 x 2 = 69;
     * 299 / 69 = 4.33; int(4.333 x 131,072) = 567,978.
     */
    @Test
    void qwen36_35b_vllm024_rtx5090() {
        ModelSpec spec = KvCacheFormulaTest.config2026("nvidia--Qwen3.6-35B-A3B-NVFP4");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 24, 0)).withMaxModelLen(131_072)
                .withKvCacheDtype(KvCacheDtype.FP8).withMaxNumBatchedTokens(8192).withMaxNumSeqs(1)
                .withMambaCacheAlign(true).withKvCacheMemoryBytes(Math.round(5.98 * GIB));
        MemoryEstimate e = run(spec, "RTX-5090", 1, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(299, e.numGpuBlocks());
        assertEquals(567_978, e.kvCacheTokens());
        assertEquals(4.33, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * A published vLLM 0.20.0 log of 2026-05-01 (a Docker Compose note quoting the whole start-up; the search index
     * names no repository): RedHatAI/Qwen3.6-35B-A3B-NVFP4 (nvidia's NVFP4 config has its layer plan) on one GPU,
     * max_model_len 65,536, kv_cache_dtype fp8_e4m3,
     * prefix caching on (mamba cache mode align), max_num_batched_tokens 8,192, max_num_seqs 1. Log: "Setting attention
     * block size to 2096 tokens", "Available KV cache memory: 2.95 GiB", "GPU KV cache size: 75,456 tokens",
     * "Maximum concurrency for 65,536 tokens per request: 3.87x". 2.95 GiB // 2,146,304 // 10 = 147 blocks; per
     * request cdiv(65,536, 2,096) + 3 x 2 = 38; 147 / 38 = 3.87; and still the old token figure, 147 // 4 x 2,096 =
     * 75,456, where PR #41069's int(3.87 x 65,536) would print 253,624: the change is not in 0.20.0.
     */
    @Test
    void qwen36_35b_vllm020_oldTokenFigure() {
        ModelSpec spec = KvCacheFormulaTest.config2026("nvidia--Qwen3.6-35B-A3B-NVFP4");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 20, 0)).withMaxModelLen(65_536)
                .withKvCacheDtype(KvCacheDtype.FP8).withMaxNumBatchedTokens(8192).withMaxNumSeqs(1)
                .withMambaCacheAlign(true).withKvCacheMemoryBytes(Math.round(2.95 * GIB));
        MemoryEstimate e = run(spec, "RTX-5090", 1, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(147, e.numGpuBlocks());
        assertEquals(75_456, e.kvCacheTokens());
        assertEquals(3.87, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * https://github.com/noonghunna/club-3090/issues/652 (2026-07-09): the same set-up as #612 two days
     * later, vLLM 0.24.0, Qwen3.6-35B-A3B NVFP4 on one RTX 5090, max_model_len 131,072, kv_cache_dtype
     * fp8, prefix caching on, max_num_batched_tokens 8,192, max_num_seqs 1, gpu_memory_utilization
     * default. Log: "Available KV cache memory: 6.01 GiB", "GPU KV cache size: 569,878 tokens",
     * "Maximum concurrency for 131,072 tokens per request: 4.35x". 6.01 GiB // 2,146,304 // 10 = 300
     * blocks (one more than at 5.98 GiB); 300 / 69 = 4.348; int(4.348 x 131,072) = 569,878.
     */
    @Test
    void qwen36_35b_vllm024_rtx5090_secondRun() {
        ModelSpec spec = KvCacheFormulaTest.config2026("nvidia--Qwen3.6-35B-A3B-NVFP4");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 24, 0)).withMaxModelLen(131_072)
                .withKvCacheDtype(KvCacheDtype.FP8).withMaxNumBatchedTokens(8192).withMaxNumSeqs(1)
                .withMambaCacheAlign(true).withKvCacheMemoryBytes(Math.round(6.01 * GIB));
        MemoryEstimate e = run(spec, "RTX-5090", 1, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(300, e.numGpuBlocks());
        assertEquals(569_878, e.kvCacheTokens());
        assertEquals(4.35, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * https://github.com/vllm-project/vllm/issues/40691 (2026-04-23): vLLM 0.19.0, Qwen3.5-27B on H20,
     * max_model_len 32,768, max_num_seqs 16, max_num_batched_tokens 16,384. Log: "GPU KV cache size:
     * 290,864 tokens", "Maximum concurrency for 32,768 tokens per request: 33.04x"; the available
     * memory and TP are not stated. 16 full and 48 GDN layers: 4 groups of 16; the block is 784 tokens
     * at TP 1, 2 or 4 (the GDN state and the attention bytes both scale with 1 / TP). The old log
     * (before PR #41069) prints num_blocks // 4 x 784 = 290,864, so num_blocks is 1,484 to 1,487; the
     * concurrency, num_blocks / (cdiv(32,768, 784) + 3) = num_blocks / 45 = 33.04, pins 1,487. Both
     * printed lines come out of that one num_blocks, which is what the test checks.
     */
    @Test
    void qwen35_27b_vllm019_h20() {
        ModelSpec spec = KvCacheFormulaTest.config2026("Qwen--Qwen3.5-27B");
        long page = 784L * 2 * 2 * 256 * 2; // TP 2: 2 KV heads x 256 x bf16, K and V
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 19, 0)).withMaxModelLen(32_768).withMaxNumSeqs(16)
                .withMaxNumBatchedTokens(16_384).withKvCacheMemoryBytes(1487 * 16 * page + page);
        MemoryEstimate e = run(spec, "H200", 2, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(784, e.kvCacheGroups().stream().filter(g -> g.kind().equals("full attention")).findFirst()
                .orElseThrow().blockSize());
        assertEquals(4, e.kvCacheGroups().size());
        assertEquals(1487, e.numGpuBlocks());
        assertEquals(290_864, e.kvCacheTokens());
        assertEquals(33.04, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * https://myoceane.fr/index.php/ai-vllm-a100-gemma-4/ (2026-04-18, log of 2026-04-17): {@code vllm serve
     * google/gemma-4-26B-A4B --max-model-len 131072 --enforce-eager --gpu-memory-utilization 0.9} on one A100
     * (the 80 GB card: 48.5 GiB of weights). Log: "Model loading took 48.5 GiB", "Available KV cache memory:
     * 21.5 GiB". The release is not in the part of the log the post shows; the post's next run on the same
     * A100, a day later, logs 0.19.0, and Gemma 4 needs 0.19 or later, so 0.19.0 is replayed (every release
     * before 0.21 subtracts no CUDA-graph estimate, and --enforce-eager captures none). vLLM's own numbers:
     * 79.15 x 0.9 = 71.24 GiB; 71.24 - 48.5 - 21.5 = 1.24 GiB for the profile's activations and the memory
     * outside PyTorch. We predict 48.19 GiB of weights (-0.6%) and 1.22 + 0.13 GiB of activations and
     * non-torch memory, 0.88 GiB of them the sampler warm-up with the Triton top-k / top-p of 0.19 (14 B x 256
     * sequences x 262,144 logits): 21.69 GiB of KV cache, +0.9%. With the sorting warm-up (32 B per logit,
     * 2.0 GiB) it was 20.57 GiB, 4.3% under: the log that led to {@link VllmReleases#TRITON_TOP_K_TOP_P}.
     */
    @Test
    void gemma4_26b_vllm019_a100_profiled() {
        ModelSpec spec = KvCacheFormulaTest.catalog("google/gemma-4-26B-A4B");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 19, 0)).withMaxModelLen(131_072)
                .withUtilization(0.9).withEnforceEager(true);
        MemoryEstimate e = run(spec, "A100-80GB", 1, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(48.5, e.weightsBytes() / GIB, 48.5 * 0.015, "weights GiB");
        assertEquals(0, e.cudaGraphBytes());
        assertEquals(21.5, e.kvCacheBytes() / GIB, 21.5 * 0.03, "KV GiB");
    }

    /**
     * https://github.com/vllm-project/vllm/issues/27508 (2025-10-31, vLLM of that month, 0.11): gpt-oss-120b
     * on one H100, max_model_len 131,072, max_num_batched_tokens 1,024: "Available KV cache memory: 1.71
     * GiB" and the refusal "(4.54 GiB KV cache is needed, which is larger than the available KV cache
     * memory (1.71 GiB)". 18 full layers x 8,192 blocks + 18 sliding layers x (cdiv(127 + 1,024, 16) + 1)
     * blocks, 32,768 B each: 4.54 GiB.
     */
    @Test
    void gptOss120b_refusal_vllm011_h100() {
        ModelSpec spec = ReferenceModels.spec("openai/gpt-oss-120b");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 11, 0)).withMaxModelLen(131_072)
                .withMaxNumBatchedTokens(1024).withKvCacheMemoryBytes(Math.round(1.71 * GIB));
        MemoryEstimate e = run(spec, "H100", 1, s);
        assertEquals(RejectionReason.KV_CACHE_TOO_SMALL, e.rejection().reason());
        assertEquals(4.54, Math.round(e.kvCacheNeededBytes() / GIB * 100) / 100.0);
        assertTrue(e.rejection().detail().contains("needs 4.54 GiB"), e.rejection().detail());
    }

    /**
     * blog.john-pfeiffer.com, "Getting stable with DeepSeek-V4-Flash-0731 on a single Nvidia B300" (2026-08-06), section
     * "B300 with Gemma4 details": vLLM 0.26.0, google/gemma-4-31B-it in bf16 on one B300 ("Free memory on device
     * (267.08/267.69 GiB)"), max_model_len 16,384, utilization 0.92, 8,192 batched tokens. Log: "Available KV cache
     * memory: 182.37 GiB", "GPU KV cache size: 217,116 tokens", "Maximum concurrency for 16,384 tokens per request:
     * 13.25x". Fifty sliding layers of window 1,024 (16 KV heads of 256) in five groups of ten beside ten full layers,
     * pages of 16 tokens x 256 KiB a layer: 182.37 GiB is 74,700 blocks of ten layers. A request takes, per sliding
     * group, cdiv(min(1,023 + 2 x 8,192, 16,384), 16) + 1 = 1,025 blocks (two batches in flight) and 512 in the full
     * group (blocks of 32): 74,700 / 5,637 = 13.2517, int(13.2517 x 16,384) = 217,116. With one batch in flight the
     * sliding groups would take 577 and the log would say 22.4x.
     */
    @Test
    void gemma4_31b_vllm0260_b300_twoBatchesInFlight() {
        ModelSpec spec = KvCacheFormulaTest.catalog("google/gemma-4-31B-it");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 26, 0)).withMaxModelLen(16_384).withUtilization(0.92)
                .withKvCacheMemoryBytes(74_700L * 10 * 256 * 1024);
        MemoryEstimate e = run(spec, "B300", 1, s);
        assertEquals(8192, e.maxNumBatchedTokens());
        assertEquals(74_700, e.numGpuBlocks());
        assertEquals(6, e.kvCacheGroups().size());
        assertEquals(1025, e.kvCacheGroups().get(0).blocksPerRequest());
        assertEquals(512, e.kvCacheGroups().get(5).blocksPerRequest());
        assertEquals(217_116, e.kvCacheTokens());
        assertEquals(13.25, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * The same start profiled (above): the post runs it with {@code VLLM_USE_V2_MODEL_RUNNER=0}, the original runner,
     * whose sampler warms 1,024 sequences x 262,144 logits at 14 B. "Model loading took 58.99 GiB", "Available KV cache
     * memory: 182.37 GiB", 217,116 tokens. We give 58.38 GiB (-1.0%), 181.46 GiB (-0.5%) and 216,032 tokens; the release's
     * own choice, the new runner, would give 185.96 GiB.
     */
    @Test
    void gemma4_31b_vllm0260_b300_oldRunnerForced_profiled() {
        ModelSpec spec = KvCacheFormulaTest.catalog("google/gemma-4-31B-it");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 26, 0)).withMaxModelLen(16_384).withUtilization(0.92);
        Gpu b300 = GpuCatalog.require("B300", "gpu");
        long memory = Math.round(267.69 * GIB);
        MemoryEstimate forced = new MemoryModel(spec, b300).evaluate(new Layout(1, 1, 1, false), s.withModelRunner(ModelRunner.V1),
                memory);
        assertEquals(58.99, forced.weightsBytes() / GIB, 58.99 * 0.015, "weights GiB");
        assertEquals(182.37, forced.kvCacheBytes() / GIB, 182.37 * 0.03, "KV GiB");
        assertEquals(217_116, forced.kvCacheTokens(), 217_116 * 0.03, "KV tokens");
        MemoryEstimate auto = new MemoryModel(spec, b300).evaluate(new Layout(1, 1, 1, false), s, memory);
        // The new runner of 0.26 warms its sampler at 2 B a logit, not 14 (3.0 GiB over 1,024 x 262,144 logits), and
        // subtracts no graph estimate, where the old runner's is 60 layers x 102 graphs x 256 KiB (1.49 GiB): 4.5 GiB.
        assertTrue(auto.kvCacheBytes() - forced.kvCacheBytes() > 4 * GIB, "the new runner's sampler warms 2 B a logit, not 14");
    }
}

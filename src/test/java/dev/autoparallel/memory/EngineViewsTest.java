package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.deploy.Commands;
import dev.autoparallel.deploy.Deployment;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import dev.autoparallel.source.Catalog;
import org.junit.jupiter.api.Test;

/**
 * SGLang's mem_fraction_static default (sglang/srt/server_args.py _handle_gpu_memory_settings, read
 * 2026-11) and TensorRT-LLM's kv_cache_free_gpu_memory_fraction (a fraction of the memory free
 * after weights and activations), and the commands we print agreeing with them.
 */
class EngineViewsTest {
    private static final long GIB = 1L << 30;

    private static MemoryEstimate llama8bOnH100() {
        Gpu g = GpuCatalog.require("H100", "gpu");
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 15, 0)).withMaxModelLen(16_000);
        return new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), g).evaluate(new Layout(1, 1, 1, false), s,
                g.memoryBytes());
    }

    /**
     * H100 (79.18 GiB = 81,080 MiB), TP 1: chunked_prefill_size 8,192, cuda_graph_max_bs 256; reserve
     * 512 + 8,192 x 1.5 + 256 x 2 + 1 / 8 x 1,024 = 13,440 MiB (above the 10 GiB floor);
     * mem_fraction_static = round((81,080 - 13,440) / 81,080, 3) = 0.834. The pool is that share of
     * the total less weights and non-torch memory; tokens are pool // 131,072 B (Llama-3.1-8B's
     * 2 x 32 x 8 x 128 x 2 B per token).
     */
    @Test
    void sglang_defaultFractionAndPool() {
        MemoryEstimate e = llama8bOnH100();
        long total = GpuCatalog.require("H100", "gpu").memoryBytes();
        EngineViews.Sglang v = EngineViews.sglang(e, total);
        assertEquals(8192, v.chunkedPrefillSize());
        assertEquals(256, v.cudaGraphMaxBs());
        double mib = total / (double) (1 << 20);
        assertEquals(Math.round((mib - 13_440) / mib * 1000) / 1000.0, v.defaultMemFractionStatic());
        assertEquals(0.834, v.defaultMemFractionStatic());
        long pool = (long) Math.floor(0.834 * total) - e.weightsBytes() - e.nonTorchBytes();
        assertEquals(pool, v.kvPoolBytes());
        assertEquals(pool / 131_072, v.maxTotalNumTokens());
        // The fraction that gives vLLM's KV cache: (weights + non-torch + KV) / total, rounded down.
        double matching = v.matchingMemFractionStatic();
        long matchedPool = (long) Math.floor(matching * total) - e.weightsBytes() - e.nonTorchBytes();
        assertTrue(matchedPool <= e.kvCacheBytes() && e.kvCacheBytes() - matchedPool <= total / 1000, matching + "");
    }

    /** TensorRT-LLM: 0.9 of what is free after weights, activations and overhead, not 0.9 of the GPU. */
    @Test
    void trtllm_fractionOfFreeMemory() {
        MemoryEstimate e = llama8bOnH100();
        long total = GpuCatalog.require("H100", "gpu").memoryBytes();
        EngineViews.Trtllm v = EngineViews.trtllm(e, total);
        long free = total - e.weightsBytes() - e.activationBytes() - e.overheadBytes();
        assertEquals(free, v.freeBytes());
        assertEquals((long) Math.floor(free * 0.9), v.defaultKvBytes());
        assertEquals(v.defaultKvBytes() / 131_072, v.defaultMaxTokens());
        // vLLM's 0.9 of the total leaves about 51.4 GiB; the same fraction of the free memory would be more.
        assertTrue(v.defaultKvBytes() > e.kvCacheBytes());
        assertEquals(Math.floor(e.kvCacheBytes() / (double) free * 1000) / 1000.0, v.matchingFraction());
    }

    /** The emitted SGLang and TensorRT-LLM commands carry the fractions that give vLLM's KV cache, not vLLM's 0.9. */
    @Test
    void commands_agreeWithTheViews() {
        MemoryEstimate e = llama8bOnH100();
        long total = GpuCatalog.require("H100", "gpu").memoryBytes();
        Commands.Request r = new Commands.Request("meta-llama/Llama-3.1-8B", e.layout(), 8, 16_000, 256, 0.9, KvCacheDtype.AUTO)
                .withMemory(e, total);
        assertNotNull(r.sglangMemFractionStatic());
        Deployment sglang = Commands.sglang(r);
        assertTrue(sglang.command().contains("--mem-fraction-static " + r.sglangMemFractionStatic()), sglang.command());
        Deployment trt = Commands.trtllm(r);
        assertTrue(trt.command().contains("--kv_cache_free_gpu_memory_fraction " + r.trtllmFreeGpuMemoryFraction()), trt.command());
        assertTrue(r.trtllmFreeGpuMemoryFraction() < 0.9);
    }

    private static ModelSpec catalog(String id) {
        return Catalog.embedded().find(id).map(Catalog.Entry::spec).orElseThrow();
    }

    private static MemoryEstimate evaluate(ModelSpec spec, String gpu, int tp, int maxModelLen) {
        Gpu g = GpuCatalog.require(gpu, "gpu");
        return new MemoryModel(spec, g).evaluate(new Layout(tp, 1, 1, false),
                EngineSettings.defaults().withMaxModelLen(maxModelLen), g.memoryBytes());
    }

    /**
     * gpt-oss is on SGLang's hybrid SWA allowlist: its 18 full and 18 sliding layers of gpt-oss-120b (8 KV heads x 64,
     * bf16: 2,048 B a layer) get pools of their own, swa = 0.8 x full, so full = pool // (36,864 + 0.8 x 36,864). In 10 GiB:
     * 10,737,418,240 / 66,355.2 = 161,817 full-layer tokens and 129,453 in the sliding pool, where one pool for every
     * layer would hold 145,635.
     */
    @Test
    void sglang_gptOss_slidingLayersGetTheirOwnPool() {
        MemoryEstimate e = evaluate(ReferenceModels.spec("openai/gpt-oss-120b"), "H100", 1, 16_000);
        EnginePools p = e.enginePools();
        assertEquals(36_864, p.fullBytesPerToken());
        assertEquals(36_864, p.slidingBytesPerToken());
        assertEquals(18, p.fullLayers());
        assertEquals(18, p.slidingLayers());
        assertTrue(p.sglangSplitsSliding());
        EngineViews.SglangPools pools = EngineViews.sglangPools(p, 10 * GIB);
        assertEquals(161_817, pools.maxTotalNumTokens());
        assertEquals(129_453, pools.swaTokens());
        EngineViews.Sglang v = EngineViews.sglang(e, GpuCatalog.require("H100", "gpu").memoryBytes());
        assertEquals((long) Math.floor(v.kvPoolBytes() / 66_355.2), v.maxTotalNumTokens());
        // TensorRT-LLM 1.0 to 1.2 gives every layer the whole context: one pool of 73,728 B a token.
        EngineViews.Trtllm t = EngineViews.trtllm(e, GpuCatalog.require("H100", "gpu").memoryBytes());
        assertEquals(t.defaultKvBytes() / 73_728, t.defaultMaxTokens());
        assertNull(EngineViews.sglangUnmodelled(e));
        assertNull(EngineViews.trtllmUnmodelled(e));
        // The fraction our SGLang command passes makes room for vLLM's requests of 16,000 tokens in the full pool and the
        // sliding pool's 0.8 beside it.
        long total = GpuCatalog.require("H100", "gpu").memoryBytes();
        double pool = EngineViews.heldRequests(e) * 16_000 * 66_355.2;
        assertEquals(Math.floor((e.weightsBytes() + e.nonTorchBytes() + pool) / total * 1000) / 1000.0, v.matchingMemFractionStatic());
    }

    /**
     * Gemma 3 is not on SGLang's hybrid SWA allowlist (server_args forced disable_hybrid_swa_memory, "not yet
     * supported"): its 52 sliding and 10 full layers are all sized as full-attention layers. Gemma-3-27B at TP 2: 8 KV
     * heads x 128 x 2 x 2 B = 4,096 B a layer, 253,952 B a token.
     */
    @Test
    void sglang_gemma3_everyLayerFull() {
        MemoryEstimate e = evaluate(catalog("google/gemma-3-27b-it"), "H100", 2, 16_000);
        EnginePools p = e.enginePools();
        assertEquals(52, p.slidingLayers());
        assertEquals(10, p.fullLayers());
        assertFalse(p.sglangSplitsSliding());
        assertEquals(253_952, p.allLayersFullBytesPerToken());
        EngineViews.SglangPools pools = EngineViews.sglangPools(p, 10 * GIB);
        assertEquals(10 * GIB / 253_952, pools.maxTotalNumTokens());
        assertEquals(0, pools.swaTokens());
    }

    /**
     * A published SGLang 0.5.18 start-up (a bring-up README of a Qwen3.5-27B-shaped FP8 checkpoint, Qwen3.8-27B-FP8, on
     * one H100, --mem-fraction-static 0.85, --max-running-requests 32, bf16 KV): "Mamba Cache is allocated.
     * max_mamba_cache_size: 124, conv_state size: 0.34GB, ssm_state size: 17.58GB", "KV Cache is allocated. dtype:
     * torch.bfloat16, #tokens: 330323", and max_running_requests "capped to 24 by the mamba state cache". Per request
     * SGLang holds 48 GDN layers of conv state (3 x 10,240 bf16) and recurrent state (48 x 128 x 128 float32):
     * 153,944,064 B (SGLang's own error text: "mamba_cache_per_req=146.81 MB"); 125 slots (124 and the padding slot) are
     * 0.34 + 17.58 GiB. The KV pool's cell is the 16 full layers' 4 x 256 x 2 x 2 B = 65,536 B. The log does not give the
     * pool itself; the bytes that leave 330,323 tokens after 125 slots must also give 124 slots under the 0.9 ratio
     * (floor(pool x 0.9 / 1.9 / per request) - 1), and do.
     */
    @Test
    void sglang_qwen35_statePool_publishedLog() {
        MemoryEstimate e = evaluate(KvCacheFormulaTest.config2026("Qwen--Qwen3.5-27B"), "H100", 1, 16_000);
        EnginePools p = e.enginePools();
        assertEquals(153_944_064, p.stateBytesPerRequest());
        assertEquals(48, p.stateLayers());
        assertEquals(65_536, p.fullBytesPerToken());
        long pool = 125 * p.stateBytesPerRequest() + 330_323L * 65_536 + 1_000;
        EngineViews.SglangPools pools = EngineViews.sglangPools(p, pool);
        assertEquals(124, pools.stateSlots());
        assertEquals(330_323, pools.maxTotalNumTokens());
        assertEquals(17.92, Math.round(pools.stateBytes() / (double) GIB * 100) / 100.0);
        assertEquals(24, pools.stateRunningRequests());
        // TensorRT-LLM serves Qwen3.5 from 1.3, whose hybrid manager is not modelled: refused by name, the flag left to it.
        assertTrue(EngineViews.trtllmUnmodelled(e).contains("Qwen3.5"), EngineViews.trtllmUnmodelled(e));
        assertNull(EngineViews.sglangUnmodelled(e));
        Commands.Request r = new Commands.Request("Qwen/Qwen3.5-27B", e.layout(), 8, 16_000, 256, 0.92, KvCacheDtype.AUTO)
                .withMemory(e, GpuCatalog.require("H100", "gpu").memoryBytes());
        assertNotNull(r.sglangMemFractionStatic());
        assertNull(r.trtllmFreeGpuMemoryFraction());
        // Five state slots for each of vLLM's requests and their tokens do not fit within vLLM's share of the GPU: the
        // fraction stops there.
        long total = GpuCatalog.require("H100", "gpu").memoryBytes();
        assertEquals(Math.floor(e.budgetBytes() / (double) total * 1000) / 1000.0, r.sglangMemFractionStatic());
    }

    /**
     * SGLang's NSA pool for DSA models holds, per layer and token on every rank, the MLA latent and the indexer's fp8 key
     * with its float32 scale (132 B), in pages of 64. Two published start-ups give its bytes:
     * <ul>
     *   <li>sglang PR #11309 (DeepSeek-V3.2-Exp, 8 x B200, fp8 latents of 656 B): "KV Cache is allocated. #tokens: 975424,
     *       KV size: 43.67 GB" = 61 layers x ((975,424 + 64) x 656 + ((975,424 + 65) // 64) x 64 x 132) B;</li>
     *   <li>a GLM-5 NVFP4 guide (8 x RTX PRO 6000, bf16 latents of 1,152 B): "#tokens: 314304, KV size: 29.32 GB" = 78
     *       layers x ((314,304 + 64) x 1,152 + ((314,304 + 65) // 64) x 64 x 132) B.</li>
     * </ul>
     * The token count is the pool over the cell, 78 x 1,284 = 100,152 B for GLM-5 in bf16, down to a page.
     */
    @Test
    void sglang_dsaLayers_latentAndIndexerKeys() {
        MemoryEstimate v32 = evaluate(catalog("deepseek-ai/DeepSeek-V3.2"), "B200", 8, 16_000);
        EnginePools p = v32.enginePools();
        assertEquals(61, p.indexedLayers());
        assertEquals(61 * (656 + 132), p.sglangIndexedBytesPerToken());
        long n = 975_424;
        assertEquals(43.67, Math.round(61 * ((n + 64) * 656 + (n + 65) / 64 * 64 * 132) / (double) GIB * 100) / 100.0);
        MemoryEstimate glm = evaluate(catalog("zai-org/GLM-5-FP8"), "H200", 8, 16_000);
        EnginePools g = glm.enginePools();
        assertEquals(78, g.indexedLayers());
        assertEquals(78 * (1_152 + 132), g.sglangIndexedBytesPerToken()); // bf16 latents on Hopper
        long m = 314_304;
        assertEquals(29.32, Math.round(78 * ((m + 64) * 1_152 + (m + 65) / 64 * 64 * 132) / (double) GIB * 100) / 100.0);
        assertEquals(10 * GIB / 100_152 / 64 * 64, EngineViews.sglangPools(g, 10 * GIB).maxTotalNumTokens());
        assertNull(EngineViews.sglangUnmodelled(glm));
        assertTrue(EngineViews.trtllmUnmodelled(glm).contains("DSA indexer keys"), EngineViews.trtllmUnmodelled(glm));
    }

    /**
     * Nemotron-3-Nano's 23 Mamba-2 layers (64 heads x 64, state 128, 8 groups; conv kernel 4) hold, per request at TP 1,
     * 23 x (3 x (4,096 + 2 x 8 x 128) x 2 B + 64 x 64 x 128 x 4 B) = 49,082,368 B in SGLang's slot (float32 SSM state),
     * and 23 x (3 x 6,144 + 64 x 64 x 128) x 2 B = 24,965,120 B in TensorRT-LLM 1.1 / 1.2's batch slot (both states in the
     * model dtype: mamba_ssm_cache_dtype "auto"). Its MambaHybridCacheManager allocates max_batch_size of them (64 here, as
     * our command passes --max_batch_size) before measuring the free memory, and its KV pool holds the 6 attention layers'
     * 2 x 2 KV heads x 128 x 2 B = 6,144 B a token.
     */
    @Test
    void trtllm_mamba2StateBeforeTheKvPool() {
        Gpu g = GpuCatalog.require("H100", "gpu");
        MemoryEstimate e = new MemoryModel(catalog("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"), g).evaluate(
                new Layout(1, 1, 1, false), EngineSettings.defaults().withMaxModelLen(32_768).withMaxNumSeqs(64), g.memoryBytes());
        EnginePools p = e.enginePools();
        assertEquals(49_082_368, p.stateBytesPerRequest());
        assertEquals(24_965_120, p.trtllmStateBytesPerRequest());
        assertEquals(6_144, p.fullBytesPerToken());
        assertNull(EngineViews.trtllmUnmodelled(e));
        EngineViews.Trtllm t = EngineViews.trtllm(e, g.memoryBytes());
        assertEquals(64L * 24_965_120, t.stateBytes());
        // vLLM's runner state (its penalty slots) is not TensorRT-LLM's: the free memory leaves it out.
        assertTrue(e.runnerStateBytes() > 0);
        assertEquals(g.memoryBytes() - e.weightsBytes() - e.activationBytes() - e.nonTorchBytes() - e.cudaGraphBytes()
                - t.stateBytes(), t.freeBytes());
        assertEquals(t.defaultKvBytes() / 6_144, t.defaultMaxTokens());
        // The fraction our command passes makes room for the requests of max_model_len vLLM's cache holds (its bytes
        // count the Mamba state too, which TensorRT-LLM has taken already).
        assertEquals(Math.floor(Math.min(e.maxConcurrency(), 64) * 32_768 * 6_144 / t.freeBytes() * 1000) / 1000.0,
                t.matchingFraction());
        assertTrue(t.matchingFraction() < e.kvCacheBytes() / (double) t.freeBytes());
        // Qwen3-Next's 36 Gated DeltaNet layers take the same manager: at TP 4, (8,192 / 4 x 3 + 32 / 4 x 128 x 128) x 2 B
        // a layer, 9,879,552 B (9.42 MiB) a request.
        MemoryEstimate next = new MemoryModel(catalog("Qwen/Qwen3-Next-80B-A3B-Thinking"), g).evaluate(new Layout(4, 1, 1, false),
                EngineSettings.defaults().withMaxModelLen(32_768).withMaxNumSeqs(64), g.memoryBytes());
        assertEquals(9_879_552, next.enginePools().trtllmStateBytesPerRequest());
    }

    /**
     * Gemma 4 is on SGLang's hybrid SWA allowlist; its full layers hold K and V at global_head_dim 512 with the global KV
     * heads (K copied into V where attention_k_eq_v), its sliding layers at 256 with the others. A published ladder of SGLang
     * v0.5.12 starts on two RTX 3090s at TP 2 (mattbucci/2x-3090-GA102-300-A1-sglang-inference, bf16 cache, page 1, ratio
     * 0.8) logs for gemma-4-31B "full_layer_tokens=24248, swa_layer_tokens=19398" with K sizes 0.46 and 3.70 GB, and for
     * gemma-4-26B-A4B 117,840 / 94,272 with 0.56 and 4.50 GB: each pool holds its tokens and a padding row, so the K
     * sizes give the K bytes per token of each kind, half of F and S.
     */
    @Test
    void sglang_gemma4_fullAndSlidingPools_publishedLadder() {
        EnginePools g31 = evaluate(KvCacheFormulaTest.config2026("nvidia--Gemma-4-31B-IT-NVFP4"), "H100", 2, 32_768).enginePools();
        assertTrue(g31.sglangSplitsSliding());
        assertEquals(0.46, Math.round((24_248 + 1) * g31.fullBytesPerToken() / 2 / (double) GIB * 100) / 100.0);
        assertEquals(3.70, Math.round((19_398 + 1) * g31.slidingBytesPerToken() / 2 / (double) GIB * 100) / 100.0);
        assertEquals(19_398, (long) Math.floor(24_248 * EngineViews.SGLANG_SWA_FULL_TOKENS_RATIO));
        EnginePools g26 = evaluate(KvCacheFormulaTest.config2026("google--gemma-4-26B-A4B"), "H100", 2, 32_768).enginePools();
        assertEquals(0.56, Math.round((117_840 + 1) * g26.fullBytesPerToken() / 2 / (double) GIB * 100) / 100.0);
        assertEquals(4.50, Math.round((94_272 + 1) * g26.slidingBytesPerToken() / 2 / (double) GIB * 100) / 100.0);
        // Both ladder rungs logged for the 26B at 0.8 and the pool they imply: full = pool // (F + 0.8 S).
        long pool = Math.round(117_840.5 * (g26.fullBytesPerToken() + 0.8 * g26.slidingBytesPerToken()));
        EngineViews.SglangPools pools = EngineViews.sglangPools(g26, pool);
        assertEquals(117_840, pools.maxTotalNumTokens());
        assertEquals(94_272, pools.swaTokens());
    }

    /**
     * Llama 4 is on SGLang's hybrid SWA allowlist: its 36 chunked layers (attention_chunk_size 8,192 as the window) take
     * the SWA pool and its 12 NoPE layers the full pool, at the generic ratio 0.8 (PR #16399 retired the Llama-4 ratio).
     * Scout at TP 4: 8 KV heads x 128 / 4 x 2 x 2 B = 1,024 B a layer, so full = pool // (12 x 1,024 + 0.8 x 36 x 1,024) =
     * pool // 41,779.2. TensorRT-LLM 1.0 to 1.2 keeps every layer at full length: 49,152 B a token.
     */
    @Test
    void llama4_chunkedLayersAreWindowedLayers() {
        Gpu g = GpuCatalog.require("H200", "gpu");
        MemoryEstimate scout = evaluate(KvCacheFormulaTest.config2026("meta-llama--Llama-4-Scout-17B-16E-Instruct"), "H200", 4, 16_000);
        EnginePools p = scout.enginePools();
        assertEquals(12, p.fullLayers());
        assertEquals(36, p.slidingLayers());
        assertTrue(p.sglangSplitsSliding());
        EngineViews.SglangPools pools = EngineViews.sglangPools(p, 10 * GIB);
        assertEquals((long) Math.floor(10 * GIB / 41_779.2), pools.maxTotalNumTokens());
        assertEquals((long) Math.floor(pools.maxTotalNumTokens() * 0.8), pools.swaTokens());
        EngineViews.Trtllm t = EngineViews.trtllm(scout, g.memoryBytes());
        assertEquals(t.defaultKvBytes() / 49_152, t.defaultMaxTokens());
        Commands.Request r = new Commands.Request("meta-llama/Llama-4-Scout-17B-16E-Instruct", scout.layout(), 8, 16_000, 256,
                0.92, KvCacheDtype.AUTO).withMemory(scout, g.memoryBytes());
        assertNotNull(r.sglangMemFractionStatic());
        assertNotNull(r.trtllmFreeGpuMemoryFraction());
    }
}

package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.deploy.Commands;
import dev.autoparallel.deploy.Deployment;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ReferenceModels;
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

    /** Hybrid models' SGLang/TensorRT-LLM pools are not modelled: the flags are left to the engine. */
    @Test
    void hybrid_leavesTheFlagsToTheEngine() {
        Gpu g = GpuCatalog.require("H100", "gpu");
        MemoryEstimate e = new MemoryModel(ReferenceModels.spec("openai/gpt-oss-20b"), g).evaluate(new Layout(1, 1, 1, false),
                EngineSettings.defaults().withMaxModelLen(16_000), g.memoryBytes());
        assertNotNull(EngineViews.unsupported(e));
        Commands.Request r = new Commands.Request("openai/gpt-oss-20b", e.layout(), 8, 16_000, 256, 0.9, KvCacheDtype.AUTO)
                .withMemory(e, g.memoryBytes());
        assertNull(r.sglangMemFractionStatic());
        assertTrue(!Commands.sglang(r).command().contains("--mem-fraction-static"));
        assertTrue(e.fits() && e.kvCacheBytes() > GIB);
    }
}

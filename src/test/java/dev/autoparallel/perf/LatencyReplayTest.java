package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import org.junit.jupiter.api.Test;

class LatencyReplayTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");

    /**
     * A measured run used its engine's own default KV pool, not vLLM's 90% of memory: Qwen3-32B served FP8 on one H100
     * at 2,560 tokens per request. TensorRT-LLM keeps 90% of what the weights and activations leave free
     * (EngineViews.trtllm), SGLang its default --mem-fraction-static of the whole GPU less the weights; vLLM's view is
     * replayed unchanged.
     */
    @Test
    void replayedRuns_holdTheirEnginesDefaultKvPool() {
        EngineSettings fp8 = EngineSettings.defaults().withQuantization(ServingQuantization.FP8);
        MemoryModel memory = new MemoryModel(fp8.served(AutoParallel.model("Qwen/Qwen3-32B"), H100), H100);
        EngineSettings sized = fp8.withMaxModelLen(2560).withMaxNumSeqs(64);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate vllm = memory.evaluate(one, sized, H100.memoryBytes());
        assertSame(vllm, LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.VLLM, H100));
        MemoryEstimate trtllm = LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.TRTLLM, H100);
        assertEquals(EngineViews.trtllm(vllm, H100.memoryBytes()).defaultKvBytes(), trtllm.kvCacheBytes());
        assertTrue(trtllm.kvCacheTokens() > vllm.kvCacheTokens(), trtllm.kvCacheTokens() + " against " + vllm.kvCacheTokens());
        MemoryEstimate sglang = LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.SGLANG, H100);
        assertEquals(EngineViews.sglang(vllm, H100.memoryBytes()).kvPoolBytes(), sglang.kvCacheBytes());
        assertEquals(vllm.weightsBytes(), trtllm.weightsBytes());
    }
}

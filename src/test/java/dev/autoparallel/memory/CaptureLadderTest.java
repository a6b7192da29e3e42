package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ReferenceModels;
import org.junit.jupiter.api.Test;

/**
 * vLLM's default CUDA-graph ladder against the "Profiling CUDA graph memory: PIECEWISE=N (largest=L), FULL=M
 * (largest=K)" lines of published start-up logs (vLLM 0.19 to 0.24, 2026-04 to 2026-09).
 */
class CaptureLadderTest {

    @Test
    void defaultLadders_matchTheLoggedCounts() {
        // Qwen3.5-9B on an L40S (0.19.0), Qwen3-8B (LMCache issue #3430), Qwen2.5-72B at TP 4: max_num_seqs 256.
        assertEquals(new CaptureLadder(51, 512, 35, 256), CaptureLadder.of(256, 8192, 0));
        // Qwen2.5-7B (0.22.0, max_num_batched_tokens 2,048): 128 sequences.
        assertEquals(new CaptureLadder(35, 256, 19, 128), CaptureLadder.of(128, 2048, 0));
        // gemma-4-31b-it (0.23.0): max_num_seqs 20.
        assertEquals(new CaptureLadder(8, 40, 5, 16), CaptureLadder.of(20, 8192, 0));
        // Qwen3.6-27B-NVFP4 on a DGX Spark (0.23.1 nightly): max_num_seqs 8.
        assertEquals(new CaptureLadder(5, 16, 4, 8), CaptureLadder.of(8, 65_536, 0));
        // Qwen3.5-0.8B (0.19.0): the ladder to 8.
        assertEquals(new CaptureLadder(4, 8, 3, 4), CaptureLadder.of(4, 2048, 0));
        // The H100's API-server default of 1,024 sequences: capped at 512 tokens in both modes.
        assertEquals(102, CaptureLadder.of(1024, 8192, 0).graphs());
    }

    /** Qwen3.6-27B-FP8 with an MTP drafter on an L40S (0.24.0): k = 4 at 10 sequences, k = 5 at 5. */
    @Test
    void drafterLadders_matchTheLoggedPiecewiseCounts() {
        CaptureLadder k4 = CaptureLadder.of(10, 8192, 4);
        assertEquals(15, k4.piecewise());
        assertEquals(96, k4.largestPiecewise());
        CaptureLadder k5 = CaptureLadder.of(5, 8192, 5);
        assertEquals(10, k5.piecewise());
        assertEquals(56, k5.largestPiecewise());
        // FULL graphs cover uniform decode batches: the sizes from 1 + k to 10 x 5 = 50 tokens, 8 to 48.
        assertEquals(6, k4.full());
        assertEquals(48, k4.largestFull());
    }

    /**
     * vLLM caps max_cudagraph_capture_size at max_num_batched_tokens: 1,024 sequences would reach 512, but a budget of
     * 256 tokens stops both modes at 256: 1, 2, 4 and the 32 multiples of 8 to 256, 35 sizes each.
     */
    @Test
    void batchedTokens_capTheLadder() {
        assertEquals(new CaptureLadder(35, 256, 35, 256), CaptureLadder.of(1024, 256, 0));
    }

    @Test
    void badCounts_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> CaptureLadder.of(0, 8192, 0));
        assertThrows(IllegalArgumentException.class, () -> CaptureLadder.of(8, 8192, -1));
    }

    /**
     * The estimate subtracted: layers x graphs x 256 KiB. Llama-3.1-8B on one H100 under vLLM 0.22 at 8 sequences:
     * 32 layers x (5 + 4) graphs x 256 KiB = 72 MiB, where the default 1,024 sequences give 32 x 102 x 256 KiB = 816 MiB.
     */
    @Test
    void estimate_isLayersTimesGraphs() {
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        MemoryModel m = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), h100);
        Layout one = new Layout(1, 1, 1, false);
        EngineSettings v22 = EngineSettings.forVersion(VllmVersion.parse("0.22.0")).withMaxModelLen(4096);
        assertEquals(72L << 20, m.evaluate(one, v22.withMaxNumSeqs(8), h100.memoryBytes()).cudaGraphBytes());
        assertEquals(816L << 20, m.evaluate(one, v22, h100.memoryBytes()).cudaGraphBytes());
        assertEquals(0, m.evaluate(one, v22.withEnforceEager(true), h100.memoryBytes()).cudaGraphBytes());
    }
}

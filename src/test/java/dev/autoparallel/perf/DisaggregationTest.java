package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.model.ReferenceModels;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryModel;
import org.junit.jupiter.api.Test;

class DisaggregationTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");
    /** Llama-3.1-8B on H100 (16-bit, measured kernels), one GPU a worker. */
    private static final MemoryModel LLAMA_8B = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
    private static final PerfModel LLAMA_8B_SPEED = new PerfModel(LLAMA_8B);
    private static final Layout ONE = new Layout(1, 1, 1, false);

    /** One request alone never queues: its cycle is the prefill, the decode and the delay. */
    @Test
    void meanValues_oneRequest_isTheSumOfItsServices() {
        double[] m = Disaggregation.meanValues(1, 0.2, 4, 3.0, 64, 0.05);
        assertEquals(1 / 3.25, m[0], 1e-12);
        assertEquals(0.2, m[1], 1e-12);
        assertEquals(0, m[2], 1e-12);
    }

    /**
     * 36 requests and 36 decode slots of 10 s each, behind one prefill server of 50 ms: no request ever waits for a slot,
     * so the decode station is a delay. Seidmann's split (a server 36 times as fast plus a delay of 35/36 of the service)
     * queued them at its fast server for about one service time, 1 s here, which the measured disaggregated TensorRT-LLM
     * runs at 36 to 576 clients (as many decode slots as clients) do not show.
     */
    @Test
    void meanValues_aSlotForEveryRequest_neverWaitsForOne() {
        double[] m = Disaggregation.meanValues(36, 0.05, 1, 10.0, 36, 0.1);
        assertEquals(0, m[2], 1e-12);
        // The cycle is the decode, the delay and the prefill with its queue: 36 / X.
        assertEquals(36 / m[0], 10.0 + 0.1 + m[1], 1e-9);
        double[] fewer = Disaggregation.meanValues(36, 0.05, 1, 10.0, 18, 0.1);
        assertTrue(fewer[2] > 1, "18 slots for 36 requests: " + fewer[2] + " s waiting");
    }

    /**
     * Many requests against one prefill server of 0.1 s: the throughput saturates at the prefill pool's 10 requests per
     * second, and the prefill station holds the rest of the cycle (Little: 1,000 requests / 10 per second = 100 s per
     * cycle, 1 s of it decoding).
     */
    @Test
    void meanValues_saturatedPrefill_limitsThroughputAndQueuesThere() {
        double[] m = Disaggregation.meanValues(1000, 0.1, 1, 1.0, 10_000, 0);
        assertEquals(10, m[0], 1e-6);
        assertEquals(99, m[1], 1e-3);
    }

    /**
     * Two requests, one prefill server of 1 s, a think time of 1 s and a decode slot each: the second arrival finds the
     * first in its prefill with probability X x S = 0.5 and waits out half of it, since prompts of one length take one
     * prefill time (residence 1 + 0.5 - 0.25 = 1.25 s, throughput 2 / 2.25); exponential MVA would charge the whole
     * service (1.5 s, throughput 0.8).
     */
    @Test
    void meanValues_constantPrefill_waitsHalfTheServiceInProgress() {
        double[] m = Disaggregation.meanValues(2, 1.0, 1, 0, 2, 1.0);
        assertEquals(1.25, m[1], 1e-12);
        assertEquals(2 / 2.25, m[0], 1e-12);
    }

    /**
     * Llama-3.1-8B on H100 under TensorRT-LLM, 256 clients of 1,024 in and 64 out on one TP 1 prefill worker and four
     * decode workers: the prefill worker is the bottleneck. Held to one prompt a step, it serves at most one prompt per
     * prefill plus the engine's per-prefill overhead, which a TensorRT-LLM context worker (no overlap scheduler) spends
     * between steps. Taking the prompts waiting for it up to its step budget (max_num_tokens 8,192: eight such prompts),
     * it saturates at eight prompts per overhead and 8,192-token step, 1.4 times as many.
     */
    @Test
    void estimate_prefillBoundTrtllm_overheadHoldsTheWorker_andQueuedPromptsShareASteps() {
        Workload w = new Workload(1024, 64, 256);
        Disaggregation.Pool decode = new Disaggregation.Pool(ONE, 4, 0);
        Disaggregation.Estimate single = Disaggregation.estimate(LLAMA_8B_SPEED, new Disaggregation.Pool(ONE, 1, 1), decode, 8,
                EngineSettings.defaults(), w, ServingEngine.TRTLLM).orElseThrow();
        Disaggregation.Estimate batched = Disaggregation.estimate(LLAMA_8B_SPEED, new Disaggregation.Pool(ONE, 1, 0), decode, 8,
                EngineSettings.defaults(), w, ServingEngine.TRTLLM).orElseThrow();
        var pMem = LLAMA_8B.evaluate(ONE, EngineSettings.defaults().withMaxModelLen(1088).withMaxNumSeqs(1), H100.memoryBytes());
        PerfModel.Steps steps = LLAMA_8B_SPEED.steps(ONE, 8, pMem, ServingEngine.TRTLLM, ServingEngine::forPlanning);
        double service = steps.calibration().prefillOverheadS() + steps.prefillSeconds(1024, 1024, 1);
        assertTrue(steps.calibration().prefillOverheadS() > 0);
        assertEquals(1 / service, single.requestsPerSecond(), 1e-6 / service);
        assertEquals(1, single.prefillUtilization(), 1e-9);
        double eight = 8 / (steps.calibration().prefillOverheadS() + steps.prefillSeconds(1024, 8 * 1024, 1));
        assertEquals(eight, batched.requestsPerSecond(), 1e-6 * eight, "cap " + eight + " vs single " + single.requestsPerSecond());
        assertTrue(batched.ttftMs() < single.ttftMs());
    }

    /**
     * Llama-3.1-8B on H100 (16-bit, measured kernels), one prefill worker and one decode worker at TP 1, 64 requests
     * of 1,024 in and 256 out: the decode step is the model's own step of the decode batch without prefill, the batch
     * obeys Little's law over the decode pool, and the KV transfer is the prompt's KV bytes over NVLink (both pools in one
     * node).
     */
    @Test
    void estimate_llama8b_decodeStepIsTheBatchsOwn_andLittlesLawHolds() {
        Workload w = new Workload(1024, 256, 64);
        Disaggregation.Estimate e = Disaggregation.estimate(LLAMA_8B_SPEED, new Disaggregation.Pool(ONE, 1, 1),
                new Disaggregation.Pool(ONE, 1, 0), 8, EngineSettings.defaults(), w, ServingEngine.VLLM).orElseThrow();
        assertEquals(PerfModel.StepSource.MEASURED_KERNELS, e.decodeSource());
        var dMem = LLAMA_8B.evaluate(ONE, EngineSettings.defaults().withMaxModelLen(1280).withMaxNumSeqs(64), H100.memoryBytes());
        double step = LLAMA_8B_SPEED.steps(ONE, 8, dMem, ServingEngine.VLLM, ServingEngine::calibration)
                .seconds(e.decodeBatchPerRank(), 1024 + 128, 0);
        assertEquals(step * 1e3, e.tpotMs(), 1e-3 * e.tpotMs());
        assertEquals(e.requestsPerSecond() * 256 * e.tpotMs() / 1e3, e.decodeBatchPerRank(), 1e-2 * e.decodeBatchPerRank());
        // 1,024 tokens x 128 KiB per token (32 layers x 8 KV heads x 128 x 2 x 2 B) over 0.7 x 450 GB/s.
        assertEquals(1024 * 131072 / (0.7 * H100.intraNodeBytesPerSecond()) * 1e3, e.kvTransferMs(), 1e-6);
        assertTrue(e.prefillUtilization() > 0 && e.prefillUtilization() < 1, String.valueOf(e.prefillUtilization()));
        assertTrue(e.ttftMs() > e.kvTransferMs());
        // With a first token 50 decode steps after the transfer (the Dynamo TensorRT-LLM runs' replay), TTFT grows by
        // those steps; the delay lengthens each request's cycle, so the decode batch, and with it the step, shrink a little.
        Disaggregation.Estimate late = Disaggregation.estimate(LLAMA_8B_SPEED, new Disaggregation.Pool(ONE, 1, 1),
                new Disaggregation.Pool(ONE, 1, 0), 8, EngineSettings.defaults(), w, ServingEngine.VLLM, ServingEngine::calibration,
                50).orElseThrow();
        assertTrue(late.tpotMs() <= e.tpotMs());
        assertEquals(50 * late.tpotMs(), late.ttftMs() - e.ttftMs(), 0.1 * 50 * late.tpotMs());
    }

    /**
     * Erlang C: one server of 1 s at 0.5 arrivals per second (M/M/1) waits longer than t with probability 0.5 e^(-0.5 t),
     * so the p90 wait is ln(5) / 0.5 = 3.2189 s; two servers at 1 per second wait with probability 1/3 (Erlang B 0.2),
     * p90 ln(10/3) = 1.2040 s, and arrivals twice as bursty as Poisson wait (1 + 4) / 2 times as long. A server that
     * cannot keep up waits forever; a lightly loaded pool not at all at p90.
     */
    @Test
    void waitQuantile_erlangC() {
        assertEquals(Math.log(5) / 0.5, Disaggregation.waitQuantileSeconds(1, 1, 0.5, 0.9, 1), 1e-12);
        assertEquals(Math.log(10 / 3.0), Disaggregation.waitQuantileSeconds(2, 1, 1, 0.9, 1), 1e-12);
        assertEquals(2.5 * Math.log(10 / 3.0), Disaggregation.waitQuantileSeconds(2, 1, 1, 0.9, 2), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Disaggregation.waitQuantileSeconds(2, 1, 2, 0.9, 1));
        assertEquals(0, Disaggregation.waitQuantileSeconds(8, 1, 1, 0.9, 1));
    }
}

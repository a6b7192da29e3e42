package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.perf.BenchmarkHarness;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate} estimates every engine under one load, InferenceX's (ServingEngine#forPlanning), so that engines
 * compare. Llama-3.1-70B FP8 at TP 8 on H200, 1,024 in / 1,024 out, 16 clients: InferenceX measured 103.2 ms TTFT on
 * TensorRT-LLM and 109.3 ms on vLLM (measured-latency.csv lines 1533 and 1549, source_file=2026-04-06.csv). We give 111
 * ms and 106 ms. With the queue fitted over both harnesses, TensorRT-LLM's estimate carried aiconfigurator's longer
 * queue (1.5 x (C-1)^0.3 of the prefill: 3.4 prefills at 16 clients) and came out at 204 ms, twice vLLM's.
 */
class EvaluateEnginesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double ttftMs(String engine) throws Exception {
        MainTest.Run r = MainTest.run("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "8", "--engine", engine,
                "--weight-dtype", "fp8", "--input-tokens", "1024", "--output-tokens", "1024", "--concurrency", "16", "--json");
        assertEquals(0, r.code(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("measured_kernels", j.get("speed_source").asText());
        return j.get("ttft_ms").asDouble();
    }

    @Test
    void tensorRtLlmAndVllm_assumeOneLoad() throws Exception {
        assertEquals(103.2, ttftMs("trtllm"), 0.15 * 103.2);
        assertEquals(109.3, ttftMs("vllm"), 0.15 * 109.3);
        assertEquals(ServingEngine.TRTLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS, BenchmarkHarness.INFERENCEX),
                ServingEngine.TRTLLM.forPlanning(PerfModel.StepSource.MEASURED_KERNELS));
        // SGLang's dense rows are all aiconfigurator's: its estimates keep the queue fitted over the rows there are.
        assertEquals(ServingEngine.SGLANG.calibration(PerfModel.StepSource.MEASURED_KERNELS),
                ServingEngine.SGLANG.forPlanning(PerfModel.StepSource.MEASURED_KERNELS));
    }

    /**
     * With data parallelism the clients spread over the DP ranks and each rank's KV cache holds its share: Qwen3-32B at
     * TP 2 x DP 4 on H200 with 256 clients runs 64 a rank, all of them held (a rank's cache holds some 770,000 tokens at
     * 4,608 a request). The line said "256 in flight (64 held by the KV cache)", which reads as a cache too small.
     */
    @Test
    void dataParallelLoad_isStatedPerRank() throws Exception {
        MainTest.Run r = MainTest.run("evaluate", "Qwen/Qwen3-32B", "--gpu", "H200", "--tp", "2", "--dp", "4",
                "--input-tokens", "4096", "--output-tokens", "512", "--concurrency", "256");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("256 in flight (64 per DP rank, 64 of them held by its KV cache)"), r.out());
        MainTest.Run one = MainTest.run("evaluate", "Qwen/Qwen3-32B", "--gpu", "H200", "--tp", "2",
                "--input-tokens", "4096", "--output-tokens", "512", "--concurrency", "64");
        assertTrue(one.out().contains("64 in flight (64 held by the KV cache)"), one.out());
    }

    /**
     * evaluate says which of the V1 engine's model runners its figures assume (the release's choice, or the one
     * VLLM_USE_V2_MODEL_RUNNER forces with --model-runner) and refuses a runner it does not know, naming the field.
     */
    @Test
    void modelRunner_statedAndForced() throws Exception {
        MainTest.Run auto = MainTest.run("evaluate", "Qwen/Qwen3-8B", "--gpu", "H100");
        assertEquals(0, auto.code(), auto.err());
        assertTrue(auto.out().contains("vLLM 0.33.0 (v1, model runner v2)"), auto.out());
        MainTest.Run old = MainTest.run("evaluate", "Qwen/Qwen3-8B", "--gpu", "H100", "--model-runner", "v1", "--json");
        assertEquals(0, old.code(), old.err());
        assertEquals("v1", JSON.readTree(old.out()).get("model_runner").asText());
        MainTest.Run bad = MainTest.run("evaluate", "Qwen/Qwen3-8B", "--gpu", "H100", "--model-runner", "v3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("model_runner"), bad.err());
    }
}

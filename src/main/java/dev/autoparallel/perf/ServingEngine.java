package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * Serving engines whose scheduling the throughput model knows, each with its own calibration
 * (step and prefill overheads, how the time to first token grows with the requests in flight),
 * fitted on the Hopper points of aiconfigurator's silicon_sample.csv (Apache-2.0, NVIDIA; the
 * reference set's measured-latency.csv).
 */
public enum ServingEngine {
    /**
     * vLLM's V1 scheduler: chunked prefill mixed into decode steps. Calibrated on vLLM 0.11-0.18,
     * H100/H200 (the first 472 aggregated vLLM and SGLang points, 2026-10).
     */
    VLLM("vllm", new EngineCalibration(PerfModel.STEP_OVERHEAD_S, PerfModel.PREFILL_OVERHEAD_S, 0.2),
            new EngineCalibration(0, 15e-3, 0.2)),
    /** SGLang: prefill batches run before decode batches. Calibrated on SGLang 0.5.1-0.5.8, H100/H200 (as vLLM's). */
    SGLANG("sglang", new EngineCalibration(PerfModel.STEP_OVERHEAD_S, PerfModel.PREFILL_OVERHEAD_S, 1.5),
            new EngineCalibration(0, 5e-3, 1.8)),
    /**
     * TensorRT-LLM's PyTorch backend (trtllm-serve): in-flight batching with chunked context.
     * Fitted by {@code jobs/fit-engine.sh trtllm} (2026-11-30) on the 704 aggregated TensorRT-LLM
     * points of the file that the model predicts (TensorRT-LLM 1.0-1.2 on H100/H200: Llama-3.1-8B and
     * 70B, Qwen3-32B, Qwen3-235B-FP8, gpt-oss-120b, DeepSeek-R1/V3): the grid point with the
     * lowest sum of the median absolute TTFT and TPOT errors. With vLLM's values it was 48.0% TTFT
     * and 18.4% TPOT on those points; fitted, 31.4% and 17.5%: a prefill overhead four times vLLM's
     * (trtllm-serve's front end before the first forward) and a longer step.
     */
    TRTLLM("trtllm", new EngineCalibration(3.25e-3, 40e-3, 0.2), new EngineCalibration(0, 25e-3, 0.3));

    private final String key;
    private final EngineCalibration calibration;
    private final EngineCalibration kernelCalibration;

    ServingEngine(String key, EngineCalibration calibration, EngineCalibration kernelCalibration) {
        this.key = key;
        this.calibration = calibration;
        this.kernelCalibration = kernelCalibration;
    }

    public String key() {
        return key;
    }

    /** What the engine adds to the roofline. */
    public EngineCalibration calibration() {
        return calibration;
    }

    /**
     * What the engine adds to measured kernel timings (the opt-in {@code PerfModel.withMeasuredKernels} path):
     * fitted apart from the roofline's, since the kernel tables already hold the launch and small-kernel
     * floors that the roofline's step overhead stands in for. Fitted by {@code jobs/fit-engine.sh ENGINE
     * --kernels} (2026-11-30) on the rows of measured-latency.csv that path predicts (dense Llama-3.1 and
     * Qwen3-32B on H100/H200: vLLM 219, SGLang 130, TensorRT-LLM 429 rows): the step overhead lands on the
     * grid's floor, 0, for all three (the summed kernels are already slower than the measured steps at small
     * batches); vLLM prefill 15 ms, queue 0.2 (TTFT 24.5%, TPOT 12.8% on its rows); SGLang 5 ms, 1.8 (22.0%,
     * 12.3%); TensorRT-LLM 25 ms, 0.3 (30.1%, 13.7%).
     */
    public EngineCalibration kernelCalibration() {
        return kernelCalibration;
    }

    public static ServingEngine parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (ServingEngine e : values()) {
            if (e.key.equals(v) || v.equals("tensorrtllm") && e == TRTLLM) {
                return e;
            }
        }
        throw new InvalidConfigurationException("engine", "engine was '" + s + "'; allowed: vllm, sglang, trtllm");
    }
}

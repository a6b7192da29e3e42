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
            new EngineCalibration(0.75e-3, 5e-3, 0.3)),
    /** SGLang: prefill batches run before decode batches. Calibrated on SGLang 0.5.1-0.5.8, H100/H200 (as vLLM's). */
    SGLANG("sglang", new EngineCalibration(PerfModel.STEP_OVERHEAD_S, PerfModel.PREFILL_OVERHEAD_S, 1.5),
            new EngineCalibration(0, 5e-3, 1.9)),
    /**
     * TensorRT-LLM's PyTorch backend (trtllm-serve): in-flight batching with chunked context.
     * Fitted by {@code jobs/fit-engine.sh trtllm} (2026-11-30) on the 704 aggregated TensorRT-LLM
     * points of the file that the model predicts (TensorRT-LLM 1.0-1.2 on H100/H200: Llama-3.1-8B and
     * 70B, Qwen3-32B, Qwen3-235B-FP8, gpt-oss-120b, DeepSeek-R1/V3): the grid point with the
     * lowest sum of the median absolute TTFT and TPOT errors. With vLLM's values it was 48.0% TTFT
     * and 18.4% TPOT on those points; fitted, 31.4% and 17.5%: a prefill overhead four times vLLM's
     * (trtllm-serve's front end before the first forward) and a longer step.
     */
    TRTLLM("trtllm", new EngineCalibration(3.25e-3, 40e-3, 0.2), new EngineCalibration(0, 25e-3, 0.2));

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
     * What the engine adds to measured kernel timings (PerfModel's {@code MEASURED_KERNELS} path):
     * fitted apart from the roofline's, since the kernel tables already hold the launch and small-kernel
     * floors that the roofline's step overhead stands in for. Fitted by {@code jobs/fit-engine.sh ENGINE
     * --kernels} (2026-11-30) on the rows of measured-latency.csv that path predicts (16-bit Llama-3.1-8B and
     * Qwen3-32B on H100: vLLM 90, SGLang 84, TensorRT-LLM 177 rows): vLLM step 0.75 ms, prefill 5 ms, queue
     * 0.3 (TTFT 9.6%, TPOT 9.0% on its rows); SGLang 0, 5 ms, 1.9 (13.0%, 11.5%); TensorRT-LLM 0, 25 ms, 0.2
     * (32.4%, 7.1%). A step overhead of 0 is the grid's floor: the summed kernels already hold the launch floors.
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

package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * Serving engines whose scheduling the throughput model knows. The queueing factor scales how
 * much a request's time to first token grows with concurrency (new prefills wait for those
 * ahead of them): fitted on the reference measurements, one value per engine (see {@link PerfModel}).
 */
public enum ServingEngine {
    /** vLLM's V1 scheduler: chunked prefill mixed into decode steps (calibrated on vLLM 0.11-0.18, H100/H200). */
    VLLM("vllm", 0.2),
    /** SGLang: prefill batches run before decode batches (calibrated on SGLang 0.5.1-0.5.8, H100/H200). */
    SGLANG("sglang", 1.5),
    /** TensorRT-LLM's PyTorch backend (trtllm-serve): in-flight batching with chunked context; no measurements here, vLLM's factor is used. */
    TRTLLM("trtllm", 0.2);

    private final String key;
    private final double queueFactor;

    ServingEngine(String key, double queueFactor) {
        this.key = key;
        this.queueFactor = queueFactor;
    }

    public String key() {
        return key;
    }

    double queueFactor() {
        return queueFactor;
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

package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * Which of the V1 engine's two GPU model runners vLLM runs, as {@code VLLM_USE_V2_MODEL_RUNNER} sets it: the release's
 * choice ({@link VllmReleases#newRunner}), the original runner (gpu_model_runner.py, "0") or Model Runner V2
 * (vllm/v1/worker/gpu/, "1"). Set, the variable wins over vLLM's defaults (VllmConfig.use_v2_model_runner); a forced V2
 * that lacks a feature the settings need is refused by vLLM (_validate_v2_model_runner), as here.
 */
public enum ModelRunner {
    AUTO("auto", null),
    V1("v1", "0"),
    V2("v2", "1");

    private final String key;
    private final String envValue;

    ModelRunner(String key, String envValue) {
        this.key = key;
        this.envValue = envValue;
    }

    public String key() {
        return key;
    }

    /** The value of {@code VLLM_USE_V2_MODEL_RUNNER} that selects this runner, or null for the release's choice. */
    public String envValue() {
        return envValue;
    }

    public static ModelRunner parse(String s) {
        for (ModelRunner r : values()) {
            if (r.key.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new InvalidConfigurationException("model_runner", "model_runner was '" + s + "'; allowed: auto, v1, v2");
    }
}

package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/** vLLM's engine generations, which profile memory differently. */
public enum Engine {
    /**
     * The original engine: the profile run pushes {@code max_num_batched_tokens} tokens through
     * the model; without chunked prefill that is the whole {@code max_model_len}.
     */
    V0,
    /** The V1 engine (default from 0.8): profiles {@code max_num_batched_tokens} plus a sampler run over {@code max_num_seqs} requests. */
    V1;

    /** The lower-case name used in output ("v0", "v1"). */
    public String key() {
        return this == V0 ? "v0" : "v1";
    }

    public static Engine defaultFor(VllmVersion v) {
        return v.atLeast(VllmVersion.V1_DEFAULT_FROM) ? V1 : V0;
    }

    public static Engine parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException("engine", "engine was '" + s + "'; allowed: v0, v1");
        }
    }
}

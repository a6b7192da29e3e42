package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * The {@code --weight-dtype} values of {@code evaluate}, kept for scripts: each is a name for an
 * online quantization ({@code fp8}, {@code fp4}) or for the checkpoint as stored; the speed model
 * reads the served weights themselves (see {@code ServingQuantization}).
 */
public enum WeightDtype {
    /** As the checkpoint stores them. */
    CHECKPOINT("checkpoint"),
    /** The checkpoint as stored, for a 16-bit checkpoint. */
    BF16("bf16"),
    /** vLLM's {@code --quantization fp8}. */
    FP8("fp8"),
    /** vLLM's {@code --quantization mxfp4}. */
    FP4("fp4");

    private final String key;

    WeightDtype(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static WeightDtype parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (WeightDtype d : values()) {
            if (d.key.equals(v) || v.equals("bfloat16") && d == BF16 || v.equals("auto") && d == CHECKPOINT) {
                return d;
            }
        }
        throw new InvalidConfigurationException("weight_dtype", "weight_dtype was '" + s
                + "'; allowed: checkpoint (auto), bf16, fp8, fp4");
    }
}

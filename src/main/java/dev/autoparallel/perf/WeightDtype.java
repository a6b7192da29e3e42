package dev.autoparallel.perf;

import dev.autoparallel.InvalidConfigurationException;
import java.util.Locale;

/**
 * The precision the linear weights are served in, when it differs from the checkpoint (an
 * online fp8 quantization, an fp4 checkpoint of the same model): bytes per parameter including
 * scales, and whether matrix multiplies run on the fp8 tensor cores.
 */
public enum WeightDtype {
    /** As the checkpoint stores them. */
    CHECKPOINT("checkpoint", 0, false),
    BF16("bf16", 2.0, false),
    /** One byte per weight; per-channel or 128x128-block scales are negligible. */
    FP8("fp8", 1.0, true),
    /** Half a byte per weight plus one 8-bit scale per 16 (NVFP4) or 32 (MXFP4) values: 0.5625 B for NVFP4. */
    FP4("fp4", 0.5625, true);

    private final String key;
    private final double bytesPerWeight;
    private final boolean fp8Compute;

    WeightDtype(String key, double bytesPerWeight, boolean fp8Compute) {
        this.key = key;
        this.bytesPerWeight = bytesPerWeight;
        this.fp8Compute = fp8Compute;
    }

    public String key() {
        return key;
    }

    double bytesPerWeight() {
        return bytesPerWeight;
    }

    boolean fp8Compute() {
        return fp8Compute;
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

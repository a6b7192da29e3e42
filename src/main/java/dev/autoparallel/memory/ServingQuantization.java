package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.Vendor;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * vLLM's online quantization ({@code --quantization SCHEME} on a 16-bit checkpoint): the weights
 * are quantized while loading, so they take fewer bytes on every GPU, more layouts fit, and the
 * command carries the flag. Schemes, weight recipes and first releases from vLLM's "Online
 * Quantization" and "FP8 W8A8" documentation pages (read 2026-11: 0.5 docs for {@code fp8}, 0.20.0
 * docs for the per-tensor and per-block FP8 schemes, 0.29.0 docs for MXFP8 and MXFP4).
 */
public enum ServingQuantization {
    /** Weights as the checkpoint stores them. */
    NONE("none", new VllmVersion(0, 0, 0), 0),
    /** FP8 e4m3, one fp32 scale per tensor, every Linear and MoE weight but the LM head; W8A16 (Marlin) below SM 8.9. */
    FP8("fp8", new VllmVersion(0, 5, 0), 75),
    /** The same recipe under its 2026 name. */
    FP8_PER_TENSOR("fp8_per_tensor", new VllmVersion(0, 20, 0), 75),
    /** FP8 e4m3 with one fp32 scale per 128 x 128 block. */
    FP8_PER_BLOCK("fp8_per_block", new VllmVersion(0, 20, 0), 89),
    /** MXFP8: FP8 values, one e8m0 scale per 32; "requires SM 100+". */
    MXFP8("mxfp8", new VllmVersion(0, 29, 0), 100),
    /** MXFP4: two FP4 values per byte, one e8m0 scale per 32; FP4 tensor cores from SM 100 (Blackwell). */
    MXFP4("mxfp4", new VllmVersion(0, 29, 0), 100);

    private final String key;
    private final VllmVersion since;
    /** Lowest NVIDIA compute capability x 10 that runs the scheme; AMD GPUs run the FP8 schemes (MI300X: FP8 cores). */
    private final int minComputeCapability;

    ServingQuantization(String key, VllmVersion since, int minComputeCapability) {
        this.key = key;
        this.since = since;
        this.minComputeCapability = minComputeCapability;
    }

    public String key() {
        return key;
    }

    /** The weight storage this scheme gives a 16-bit checkpoint. */
    Quantization quantization() {
        return switch (this) {
            case NONE -> new Quantization.None();
            case FP8, FP8_PER_TENSOR -> new Quantization.Fp8(0, 0, false, List.of());
            case FP8_PER_BLOCK -> new Quantization.Fp8(128, 128, false, List.of());
            case MXFP8 -> new Quantization.Microscaled(key, 8);
            case MXFP4 -> new Quantization.Microscaled(key, 4);
        };
    }

    /**
     * The model as vLLM {@code version} serves it on {@code gpu} with this scheme; refuses, naming
     * the field, a checkpoint that is already quantized, a release without the scheme and a GPU that
     * cannot run it.
     */
    public ModelSpec apply(ModelSpec spec, Gpu gpu, VllmVersion version) {
        if (this == NONE) {
            return spec;
        }
        if (!(spec.quantization() instanceof Quantization.None)) {
            throw new InvalidConfigurationException("quantization", spec.modelId() + " is already quantized ("
                    + spec.quantization().method() + "); --quantization " + key + " quantizes a 16-bit checkpoint at load time");
        }
        if (!version.atLeast(since)) {
            throw new InvalidConfigurationException("quantization", "vLLM " + version + " has no online quantization '"
                    + key + "'; it is documented from " + since);
        }
        boolean amd = gpu.vendor() == Vendor.AMD;
        boolean supported = amd ? minComputeCapability < 100 : gpu.computeCapability() >= minComputeCapability;
        if (!supported) {
            throw new InvalidConfigurationException("quantization", "--quantization " + key + " needs "
                    + (amd ? "an NVIDIA GPU of compute capability " + minComputeCapability / 10.0
                    : "compute capability " + minComputeCapability / 10.0 + " or newer") + "; " + gpu.name() + " has "
                    + (amd ? "AMD's FP8 only" : String.valueOf(gpu.computeCapability() / 10.0)));
        }
        return spec.quantizedAtLoad(quantization());
    }

    public static ServingQuantization parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (ServingQuantization q : values()) {
            if (q.key.equals(v)) {
                return q;
            }
        }
        throw new InvalidConfigurationException("quantization", "quantization was '" + s + "'; allowed: "
                + Arrays.stream(values()).map(ServingQuantization::key).collect(Collectors.joining(", ")));
    }
}

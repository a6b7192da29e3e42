package dev.autoparallel.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import dev.autoparallel.source.ResolvedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** What {@code inspect} prints: a model's architecture, exact parameter counts, weight and KV-cache bytes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ModelSummary(String modelId, Source source, String modelType, String family, Architecture architecture,
                    LayerPlan layerPlan, String dtype, String quantization, QuantizationSummary quantizationDetail,
                    long paramCount, long activeParamCount, Map<String, Long> paramBreakdown, long mtpParamCount,
                    long visionParamCount, long checkpointElements, long weightBytes, double weightGib,
                    long kvCacheBytesPerToken, String kvCacheDtype, List<String> warnings) {

    /** How many decoder layers have each mixer and each feed-forward kind (labels as in {@link ModelSpec.Mixer}). */
    record LayerPlan(Map<String, Long> mixers, Map<String, Long> feedForward, List<Integer> windows) {
    }

    /** The checkpoint's quantization: its method and the bytes its scales (and zero points) add to the weights. */
    record QuantizationSummary(String method, String description, long scaleBytes) {
    }

    record Source(String origin, String location) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Architecture(int hiddenSize, int numLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                        int vocabSize, int maxPositionEmbeddings, boolean tieWordEmbeddings, String attention,
                        Integer slidingWindow, Long slidingLayers, ModelSpec.MoeDims moe, ModelSpec.MlaDims mla) {
    }

    static ModelSummary of(ResolvedModel r) {
        ModelSpec s = r.spec();
        String attention = s.mla() != null ? "mla"
                : s.numKeyValueHeads() == 1 ? "mqa"
                : s.numKeyValueHeads() == s.numAttentionHeads() ? "mha" : "gqa";
        Architecture a = new Architecture(s.hiddenSize(), s.numLayers(), s.numAttentionHeads(), s.numKeyValueHeads(),
                s.headDim(), s.vocabSize(), s.maxPositionEmbeddings(), s.tieWordEmbeddings(), attention,
                s.slidingWindow() > 0 ? s.slidingWindow() : null, s.slidingWindow() > 0 ? s.slidingLayers() : null,
                s.moe(), s.mla());
        Map<String, Long> breakdown = new LinkedHashMap<>();
        for (Map.Entry<Component, Long> e : s.paramBreakdown().entrySet()) {
            if (e.getKey() != Component.VISION || e.getValue() > 0) {
                breakdown.put(e.getKey().key(), e.getValue());
            }
        }
        Map<String, Long> mixers = new LinkedHashMap<>();
        s.mixerCounts().forEach((k, v) -> mixers.put(k.label(), v));
        Map<String, Long> ffn = new LinkedHashMap<>();
        s.ffnCounts().forEach((k, v) -> ffn.put(k.label(), v));
        List<Integer> windows = s.layers().stream().filter(ModelSpec.Layer::windowed).map(ModelSpec.Layer::window)
                .distinct().sorted().toList();
        LayerPlan plan = new LayerPlan(mixers, ffn, windows);
        QuantizationSummary quant = new QuantizationSummary(s.quantization().method(), describe(s.quantization()),
                s.weightScaleBytes());
        return new ModelSummary(s.modelId(), new Source(r.origin().label(), r.location()), s.modelType(),
                s.family().name().toLowerCase(Locale.ROOT), a, plan,
                s.dtype().configName() + (s.dtypeSpecified() ? "" : " (not stated in the config)"),
                describe(s.quantization()), quant, s.paramCount(), s.activeParamCount(), breakdown, s.mtpParamCount(),
                s.visionParamCount(), s.checkpointElements(), s.weightBytes(), s.weightBytes() / (double) (1L << 30),
                s.kvCacheBytesPerToken(), s.servingDtype().configName(), s.warnings());
    }

    static String describe(Quantization q) {
        if (q instanceof Quantization.Fp8 f) {
            return f.blockScaled() ? "fp8 (block " + f.blockOut() + "x" + f.blockIn() + " scales)" : "fp8 (per-tensor scales)";
        } else if (q instanceof Quantization.DeepseekV4 v) {
            return "fp8 (block " + v.blockOut() + "x" + v.blockIn() + " scales), routed experts " + v.experts()
                    + (v.experts().equals("nvfp4") ? " (ModelOpt)" : "");
        } else if (q instanceof Quantization.IntGroup g) {
            return g.method() + " int" + g.bits() + " (group " + g.groupSize() + ")";
        } else if (q instanceof Quantization.BitsAndBytes b) {
            return "bitsandbytes " + b.bits() + "-bit";
        } else if (q instanceof Quantization.Mxfp4) {
            return "mxfp4 (routed experts)";
        } else if (q instanceof Quantization.FbgemmFp8) {
            return "fbgemm_fp8 (FP32 scale per output channel)";
        } else if (q instanceof Quantization.CompressedMxfp4) {
            return "compressed-tensors mxfp4 (E8M0 scale per " + Quantization.CompressedMxfp4.GROUP + " values)";
        } else if (q instanceof Quantization.CompressedNvfp4) {
            return "compressed-tensors nvfp4 (FP8 scale per " + Quantization.ModelOpt.NVFP4_BLOCK + " values, FP32 global scales)";
        } else if (q instanceof Quantization.ModelOpt m) {
            if (!m.layerAlgorithms().isEmpty()) {
                return "modelopt MIXED_PRECISION (" + String.join(", ", new TreeSet<>(m.layerAlgorithms().values())) + ")";
            }
            return "modelopt " + m.algorithm() + (m.algorithm().contains("NVFP4")
                    ? " (FP8 scale per " + Quantization.ModelOpt.NVFP4_BLOCK + " values, FP32 per-tensor scales)"
                    : " (FP32 per-tensor scales)");
        } else if (q instanceof Quantization.Microscaled m) {
            return m.method() + " (E8M0 scale per 32 values)";
        } else if (q instanceof Quantization.CompressedTensors c) {
            return "compressed-tensors " + (c.floatWeights() ? "fp" : "int") + c.bits() + " (" + c.strategy() + ")";
        }
        return "none";
    }
}

package dev.autoparallel.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import dev.autoparallel.source.ResolvedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code inspect} prints: a model's architecture, exact parameter counts, weight and KV-cache bytes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ModelSummary(String modelId, Source source, String modelType, String family, Architecture architecture,
                    String dtype, String quantization, long paramCount, long activeParamCount,
                    Map<String, Long> paramBreakdown, long mtpParamCount, long checkpointElements,
                    long weightBytes, double weightGib, long kvCacheBytesPerToken, String kvCacheDtype,
                    List<String> warnings) {

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
        return new ModelSummary(s.modelId(), new Source(r.origin().label(), r.location()), s.modelType(),
                s.family().name().toLowerCase(java.util.Locale.ROOT), a,
                s.dtype().configName() + (s.dtypeSpecified() ? "" : " (not stated in the config)"),
                describe(s.quantization()), s.paramCount(), s.activeParamCount(), breakdown, s.mtpParamCount(),
                s.checkpointElements(), s.weightBytes(), s.weightBytes() / (double) (1L << 30),
                s.kvCacheBytesPerToken(), s.servingDtype().configName(), s.warnings());
    }

    static String describe(Quantization q) {
        if (q instanceof Quantization.Fp8 f) {
            return f.blockScaled() ? "fp8 (block " + f.blockOut() + "x" + f.blockIn() + " scales)" : "fp8 (per-tensor scales)";
        } else if (q instanceof Quantization.IntGroup g) {
            return g.method() + " int" + g.bits() + " (group " + g.groupSize() + ")";
        } else if (q instanceof Quantization.BitsAndBytes b) {
            return "bitsandbytes " + b.bits() + "-bit";
        } else if (q instanceof Quantization.Mxfp4) {
            return "mxfp4 (routed experts)";
        } else if (q instanceof Quantization.CompressedTensors c) {
            return "compressed-tensors " + (c.floatWeights() ? "fp" : "int") + c.bits() + " (" + c.strategy() + ")";
        }
        return "none";
    }
}

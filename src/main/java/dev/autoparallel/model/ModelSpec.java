package dev.autoparallel.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything about a model that changes memory, parsed from its config: dimensions, attention
 * layout per layer, experts, dtype, quantization, and every parameter tensor of the checkpoint.
 *
 * @param modelType         the config's {@code model_type} (of the language model for multimodal wrappers)
 * @param dtype             the checkpoint's dtype ({@code torch_dtype}); see {@code dtypeSpecified}
 * @param dtypeSpecified    false when the config names no dtype (then {@code dtype} is bfloat16, as
 *                          vLLM's {@code --dtype auto} serves such models in 16 bits)
 * @param mla               multi-head latent attention dimensions, or null
 * @param moe               mixture-of-experts dimensions, or null for dense models
 * @param layerAttention    one entry per decoder layer
 * @param slidingWindow     the window of sliding layers in tokens, 0 when no layer slides
 * @param tensors           every parameter of the checkpoint (MTP layers included, marked {@link Component#MTP})
 * @param warnings          what the parser could not be sure of (an unknown model_type, a skipped vision tower)
 */
public record ModelSpec(String modelId, String modelType, Family family,
                        int hiddenSize, int numLayers, int numAttentionHeads, int numKeyValueHeads,
                        int headDim, int vocabSize, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                        DType dtype, boolean dtypeSpecified, Quantization quantization,
                        MlaDims mla, MoeDims moe, List<AttentionKind> layerAttention, int slidingWindow,
                        List<Tensor> tensors, List<String> warnings) implements java.io.Serializable {

    /** Whether a decoder layer attends to the whole context or a sliding window of it. */
    public enum AttentionKind { FULL, SLIDING }

    /** Dimensions of DeepSeek's multi-head latent attention. {@code qLoraRank} is 0 when q is not compressed. */
    public record MlaDims(int qLoraRank, int kvLoraRank, int qkRopeHeadDim, int qkNopeHeadDim, int vHeadDim)
            implements java.io.Serializable {
    }

    /**
     * Mixture-of-experts dimensions.
     *
     * @param sharedIntermediateSize total intermediate size of the shared experts of a layer, 0 if none
     * @param moeLayers              how many decoder layers have routed experts
     */
    public record MoeDims(int numExperts, int expertsPerToken, int expertIntermediateSize,
                          int sharedIntermediateSize, int moeLayers) implements java.io.Serializable {
    }

    public ModelSpec {
        Objects.requireNonNull(modelId, "modelId");
        layerAttention = List.copyOf(layerAttention);
        tensors = List.copyOf(tensors);
        warnings = List.copyOf(warnings);
        if (layerAttention.size() != numLayers) {
            throw new IllegalArgumentException("layerAttention has " + layerAttention.size()
                    + " entries for " + numLayers + " layers");
        }
    }

    public boolean isMoe() {
        return moe != null;
    }

    /** Tensors vLLM loads to serve the model (multi-token-prediction layers are only loaded for speculative decoding). */
    public List<Tensor> servedTensors() {
        return tensors.stream().filter(t -> !isMtp(t)).toList();
    }

    /** Logical parameters of the served model (MTP layers excluded), before any packing. */
    public long paramCount() {
        return servedTensors().stream().mapToLong(Tensor::numel).sum();
    }

    /**
     * Parameters one token passes through: everything but the routed experts, plus
     * {@code expertsPerToken / numExperts} of them.
     */
    public long activeParamCount() {
        if (moe == null) {
            return paramCount();
        }
        long routed = 0;
        long rest = 0;
        for (Tensor t : servedTensors()) {
            if (t.component() == Component.ROUTED_EXPERTS) {
                routed += t.numel();
            } else {
                rest += t.numel();
            }
        }
        return rest + routed / moe.numExperts() * moe.expertsPerToken();
    }

    /** Parameters by component, served model only; the parts sum to {@link #paramCount()}. */
    public Map<Component, Long> paramBreakdown() {
        Map<Component, Long> out = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            if (c != Component.MTP) {
                out.put(c, 0L);
            }
        }
        for (Tensor t : servedTensors()) {
            out.merge(t.component(), t.numel(), Long::sum);
        }
        return out;
    }

    /** Bytes of the served weights as the checkpoint stores them (packed values, scales, 16-bit remainder). */
    public long weightBytes() {
        return servedTensors().stream().mapToLong(t -> quantization.bytes(t, dtype)).sum();
    }

    /**
     * Elements in the checkpoint's safetensors, what the Hub's {@code safetensors.total} counts:
     * MTP layers and scale tensors included, packed bytes counted one each.
     */
    public long checkpointElements() {
        return tensors.stream().mapToLong(quantization::elements).sum();
    }

    /** Parameters of the multi-token-prediction layers shipped in the checkpoint (0 for most models). */
    public long mtpParamCount() {
        return tensors.stream().filter(this::isMtp).mapToLong(Tensor::numel).sum();
    }

    /** MTP tensors: the extras marked {@link Component#MTP} and the decoder layers past {@code numLayers}. */
    private boolean isMtp(Tensor t) {
        return t.component() == Component.MTP || t.layer() >= numLayers;
    }

    /** KV-cache bytes for one token in one layer at {@code kvDtype}, unsharded. */
    public long kvBytesPerTokenPerLayer(DType kvDtype) {
        if (mla != null) {
            return (long) (mla.kvLoraRank() + mla.qkRopeHeadDim()) * kvDtype.bytes();
        }
        return 2L * numKeyValueHeads * headDim * kvDtype.bytes();
    }

    /** KV-cache bytes for one token across all layers, unsharded, at {@code kvDtype}. */
    public long kvCacheBytesPerToken(DType kvDtype) {
        return kvBytesPerTokenPerLayer(kvDtype) * numLayers;
    }

    /** KV-cache bytes for one token at the model's 16-bit serving dtype. */
    public long kvCacheBytesPerToken() {
        return kvCacheBytesPerToken(servingDtype());
    }

    /** The dtype vLLM's {@code --dtype auto} runs activations and the KV cache in: float32 checkpoints are served in bfloat16. */
    public DType servingDtype() {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT8 ? DType.BFLOAT16 : dtype;
    }

    public long slidingLayers() {
        return layerAttention.stream().filter(a -> a == AttentionKind.SLIDING).count();
    }
}

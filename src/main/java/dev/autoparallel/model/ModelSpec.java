package dev.autoparallel.model;

import java.io.Serializable;
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
 * @param layerAttention    one entry per decoder layer: the two-way view (full or windowed) the memory and
 *                          speed models read; chunked-local layers count as windowed (they hold at most
 *                          one chunk), every other mixer as full
 * @param slidingWindow     the window of sliding layers in tokens, 0 when no layer slides
 * @param layers            the layer plan: one entry per decoder layer, its mixer and its feed-forward block
 * @param tensors           every parameter of the checkpoint (MTP layers included, marked {@link Component#MTP})
 * @param warnings          what the parser could not be sure of (an unknown model_type, a skipped vision tower)
 * @param linearState       the per-request state of the Mamba-2 or Gated DeltaNet layers, or null when there are none
 */
public record ModelSpec(String modelId, String modelType, Family family,
                        int hiddenSize, int numLayers, int numAttentionHeads, int numKeyValueHeads,
                        int headDim, int vocabSize, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                        DType dtype, boolean dtypeSpecified, Quantization quantization,
                        MlaDims mla, MoeDims moe, List<AttentionKind> layerAttention, int slidingWindow,
                        List<Layer> layers, List<Tensor> tensors, List<String> warnings,
                        LinearStateDims linearState) implements Serializable {

    /** Whether a decoder layer attends to the whole context or a sliding window of it. */
    public enum AttentionKind { FULL, SLIDING }

    /**
     * What mixes tokens in a decoder layer, told apart the way vLLM's {@code KVCacheSpec} classes
     * tell layers apart: what each holds per sequence differs.
     */
    public enum Mixer {
        /** Softmax attention over the whole context (FullAttentionSpec). */
        FULL_ATTENTION("full attention"),
        /** Softmax attention over the last {@code window} tokens (SlidingWindowSpec). */
        SLIDING_WINDOW("sliding window"),
        /** Attention within chunks of {@code window} tokens (ChunkedLocalAttentionSpec; Llama 4). */
        CHUNKED_LOCAL("chunked local attention"),
        /** Full attention without rotary positions (Llama 4's NoPE layers). */
        NO_ROPE("full attention, no RoPE"),
        /** DeepSeek's multi-head latent attention (MLAAttentionSpec). */
        MLA("MLA"),
        /** MLA with the DeepSeek sparse-attention lightning indexer (DeepSeek-V3.2, GLM-5). */
        MLA_DSA("MLA + DSA indexer"),
        /** Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5): a fixed-size state (MambaSpec). */
        GATED_DELTANET("linear attention (Gated DeltaNet)"),
        /** Kimi Delta Attention linear attention (Kimi-Linear): a fixed-size state (MambaSpec). */
        KDA("linear attention (Kimi Delta Attention)"),
        /** Mamba-2 selective state space (Nemotron-H; MambaSpec). */
        MAMBA2("Mamba-2"),
        /**
         * DeepSeek-V4 attention over a sliding window only ({@code compress_ratios} 0): one latent of
         * {@code head_dim} per token, keys and values alike (vLLM DeepseekV4SWACache).
         */
        SWA_LATENT("sliding-window latent (DeepSeek-V4)"),
        /**
         * DeepSeek-V4 compressed sparse attention ({@code compress_ratios} 4): the window plus one
         * compressed latent per 4 tokens, chosen by a lightning indexer with keys of its own.
         */
        CSA("compressed sparse attention, 1/4 + indexer (DeepSeek-V4)"),
        /** DeepSeek-V4 heavily compressed attention ({@code compress_ratios} 128): the window plus one latent per 128 tokens. */
        HCA("heavily compressed attention, 1/128 (DeepSeek-V4)"),
        /**
         * Full attention whose keys are chosen block by block by an indexer with keys of its own (MiniMax-M3's
         * sparse attention); the engines' cache for the indexer keys is not modelled.
         */
        SPARSE_INDEXED("attention + block-sparse indexer (MiniMax-M3)"),
        /** Attention reading the KV cache of an earlier layer; holds none of its own (Gemma 3n/4). */
        SHARED_KV("shared KV"),
        /** No token mixer (Nemotron-H MLP and MoE layers, Llama-Nemotron NAS no-op attention). */
        NONE("none");

        private final String label;

        Mixer(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /**
         * Tokens per compressed latent of a DeepSeek-V4 mixer (vLLM supports 1, 4 and 128:
         * DeepseekV4MLAAttention._forward_decode, read 2026-11-30); 1 for every other mixer.
         */
        public int compressRatio() {
            return switch (this) {
                case CSA -> 4;
                case HCA -> 128;
                default -> 1;
            };
        }

        /** Whether the mixer's cache is bounded by a window of tokens (beside any compressed part). */
        public boolean windowed() {
            return switch (this) {
                case SLIDING_WINDOW, CHUNKED_LOCAL, SWA_LATENT, CSA, HCA -> true;
                default -> false;
            };
        }

        /** Whether a layer with this mixer keeps a per-token KV cache of its own. */
        public boolean keepsKvCache() {
            return switch (this) {
                case FULL_ATTENTION, SLIDING_WINDOW, CHUNKED_LOCAL, NO_ROPE, MLA, MLA_DSA, SWA_LATENT, CSA, HCA,
                        SPARSE_INDEXED -> true;
                case GATED_DELTANET, KDA, MAMBA2, SHARED_KV, NONE -> false;
            };
        }
    }

    /** The feed-forward block of a decoder layer. */
    public enum Ffn {
        DENSE("dense MLP"), MOE("MoE"), NONE("none");

        private final String label;

        Ffn(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What one decoder layer keeps per sequence, the way vLLM's KV-cache specs size it: per token,
     * {@code kvHeads x headDim} keys and as many values (FullAttentionSpec, SlidingWindowSpec), or
     * for MLA one latent of {@code headDim} = kv_lora_rank + qk_rope_head_dim (MLAAttentionSpec,
     * {@code kvHeads} 1); per sequence, a fixed state of {@code convStateElements} (the causal
     * convolution's last {@code kernel - 1} inputs) and {@code recurrentStateElements} (Mamba-2:
     * heads x head_dim x state size; Gated DeltaNet: value heads x key dim x value dim) (MambaSpec).
     */
    public record LayerCache(int kvHeads, int headDim, long convStateElements, long recurrentStateElements,
                             int indexerHeadDim) implements Serializable {
        public static final LayerCache NONE = new LayerCache(0, 0, 0, 0);

        public LayerCache {
            if (kvHeads < 0 || headDim < 0 || convStateElements < 0 || recurrentStateElements < 0 || indexerHeadDim < 0) {
                throw new IllegalArgumentException("negative cache dimension");
            }
        }

        public LayerCache(int kvHeads, int headDim, long convStateElements, long recurrentStateElements) {
            this(kvHeads, headDim, convStateElements, recurrentStateElements, 0);
        }

        /** A DeepSeek-V4 layer: one latent of {@code headDim} per entry, and indexer keys of {@code indexerHeadDim} (0: none). */
        public static LayerCache compressed(int headDim, int indexerHeadDim) {
            return new LayerCache(1, headDim, 0, 0, indexerHeadDim);
        }

        public static LayerCache kv(int kvHeads, int headDim) {
            return new LayerCache(kvHeads, headDim, 0, 0);
        }

        public static LayerCache state(long conv, long recurrent) {
            return new LayerCache(0, 0, conv, recurrent);
        }
    }

    /**
     * One decoder layer of the plan.
     *
     * @param window        tokens a sliding layer sees, or the chunk of a chunked layer; 0 otherwise
     * @param kvSourceLayer for {@link Mixer#SHARED_KV}, the layer whose cache it reads; -1 otherwise
     * @param cache         what the layer keeps per token and per sequence
     */
    public record Layer(Mixer mixer, int window, int kvSourceLayer, Ffn ffn, LayerCache cache)
            implements Serializable {
        public Layer {
            Objects.requireNonNull(mixer, "mixer");
            Objects.requireNonNull(ffn, "ffn");
            Objects.requireNonNull(cache, "cache");
            boolean windowed = mixer.windowed();
            if (windowed != window > 0 && mixer != Mixer.SHARED_KV) {
                throw new IllegalArgumentException(mixer + " layer with window " + window);
            }
            if ((mixer == Mixer.SHARED_KV) != (kvSourceLayer >= 0)) {
                throw new IllegalArgumentException(mixer + " layer with KV source " + kvSourceLayer);
            }
        }

        public Layer(Mixer mixer, int window, int kvSourceLayer, Ffn ffn) {
            this(mixer, window, kvSourceLayer, ffn, LayerCache.NONE);
        }

        public static Layer of(Mixer mixer, Ffn ffn) {
            return new Layer(mixer, 0, -1, ffn);
        }

        public Layer withCache(LayerCache c) {
            return new Layer(mixer, window, kvSourceLayer, ffn, c);
        }

        /** Whether the layer's cache is bounded by {@link #window()} tokens. */
        public boolean windowed() {
            return window > 0;
        }

        /**
         * KV-cache elements one token adds to this layer (0 for state-only, shared and mixer-less layers).
         * A DeepSeek-V4 layer's window ({@code window} latents) is bounded and left out: a token adds
         * {@code 1 / compressRatio} of a latent and, under CSA, of an indexer key (SWA-only layers add none).
         */
        public long kvElementsPerToken() {
            if (!mixer.keepsKvCache()) {
                return 0;
            }
            switch (mixer) {
                case SWA_LATENT -> {
                    return 0;
                }
                case CSA, HCA -> {
                    return ((long) cache.headDim() + cache.indexerHeadDim()) / mixer.compressRatio();
                }
                default -> {
                }
            }
            boolean latent = mixer == Mixer.MLA || mixer == Mixer.MLA_DSA;
            return (latent ? 1L : 2L) * cache.kvHeads() * cache.headDim();
        }

        /** Fixed per-sequence state elements (Mamba-2, Gated DeltaNet). */
        public long stateElements() {
            return cache.convStateElements() + cache.recurrentStateElements();
        }
    }

    /** Dimensions of DeepSeek's multi-head latent attention. {@code qLoraRank} is 0 when q is not compressed. */
    public record MlaDims(int qLoraRank, int kvLoraRank, int qkRopeHeadDim, int qkNopeHeadDim, int vHeadDim)
            implements Serializable {
    }

    /**
     * Mixture-of-experts dimensions.
     *
     * @param sharedIntermediateSize total intermediate size of the shared experts of a layer, 0 if none
     * @param moeLayers              how many decoder layers have routed experts
     */
    public record MoeDims(int numExperts, int expertsPerToken, int expertIntermediateSize,
                          int sharedIntermediateSize, int moeLayers) implements Serializable {
    }

    public ModelSpec {
        Objects.requireNonNull(modelId, "modelId");
        layerAttention = List.copyOf(layerAttention);
        layers = List.copyOf(layers);
        if (layers.size() != numLayers) {
            throw new IllegalArgumentException("layers has " + layers.size() + " entries for " + numLayers + " layers");
        }
        for (Layer l : layers) {
            if (l.mixer().keepsKvCache() && (l.cache().kvHeads() < 1 || l.cache().headDim() < 1)) {
                throw new IllegalArgumentException(l.mixer() + " layer without KV dimensions");
            }
        }
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
     * Bytes of every tensor in the checkpoint (MTP layers and encoders included) as stored: what its
     * index's {@code total_size} sums.
     */
    public long checkpointBytes() {
        return tensors.stream().mapToLong(t -> quantization.bytes(t, dtype)).sum();
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

    /**
     * vLLM's {@code n_predict} for this checkpoint's MTP drafter: the MTP modules it holds (the decoder layers past
     * {@code numLayers}, one per module; Nemotron-H's one MTP step of several blocks counts once), 0 without any.
     */
    public int mtpModules() {
        if (mtpParamCount() == 0) {
            return 0;
        }
        return family == Family.NEMOTRON_H ? 1 : mtpDecoderLayers();
    }

    /** Decoder layers (or Nemotron-H blocks) of the checkpoint's MTP modules: the layer indices past {@code numLayers}. */
    public int mtpDecoderLayers() {
        return (int) tensors.stream().filter(t -> t.layer() >= numLayers).mapToInt(Tensor::layer).distinct().count();
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

    /**
     * KV-cache bytes for one token across the layers that keep their own KV cache (attention and
     * MLA layers, each with its own KV heads and head dim; not Mamba or linear-attention layers,
     * which hold a fixed state, nor shared-KV or mixer-less layers), unsharded, at {@code kvDtype}.
     * Windowed layers are counted as full here.
     */
    public long kvCacheBytesPerToken(DType kvDtype) {
        return layers.stream().mapToLong(Layer::kvElementsPerToken).sum() * kvDtype.bytes();
    }

    /** Decoder layers that keep a KV cache of their own. */
    public long kvCacheLayers() {
        return layers.stream().filter(l -> l.mixer().keepsKvCache()).count();
    }

    /** KV-cache bytes for one token at the model's 16-bit serving dtype. */
    public long kvCacheBytesPerToken() {
        return kvCacheBytesPerToken(servingDtype());
    }

    /** The dtype vLLM's {@code --dtype auto} runs activations and the KV cache in: float32 checkpoints are served in bfloat16. */
    public DType servingDtype() {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT8 ? DType.BFLOAT16 : dtype;
    }

    /** Bytes of the served weights' quantization scales, zero points and indices (0 for a 16-bit checkpoint). */
    public long weightScaleBytes() {
        return servedTensors().stream().mapToLong(t -> quantization.scaleBytes(t, dtype)).sum();
    }

    /** Parameters of the vision (and other encoder) towers and their projectors. */
    public long visionParamCount() {
        return paramBreakdown().get(Component.VISION);
    }

    /** How many decoder layers have each mixer, in the enum's order; kinds absent from the model are left out. */
    public Map<Mixer, Long> mixerCounts() {
        Map<Mixer, Long> out = new EnumMap<>(Mixer.class);
        layers.forEach(l -> out.merge(l.mixer(), 1L, Long::sum));
        return out;
    }

    /** How many decoder layers have each feed-forward kind. */
    public Map<Ffn, Long> ffnCounts() {
        Map<Ffn, Long> out = new EnumMap<>(Ffn.class);
        layers.forEach(l -> out.merge(l.ffn(), 1L, Long::sum));
        return out;
    }

    public long slidingLayers() {
        return layerAttention.stream().filter(a -> a == AttentionKind.SLIDING).count();
    }

    /**
     * The model as vLLM holds it when it quantizes this 16-bit checkpoint at load time
     * ({@code --quantization}): the same tensors, stored as {@code q} says.
     */
    public ModelSpec quantizedAtLoad(Quantization q) {
        if (!(quantization instanceof Quantization.None)) {
            throw new IllegalStateException(modelId + " is already quantized (" + quantization.method() + ")");
        }
        return new ModelSpec(modelId, modelType, family, hiddenSize, numLayers, numAttentionHeads, numKeyValueHeads, headDim,
                vocabSize, maxPositionEmbeddings, tieWordEmbeddings, dtype, dtypeSpecified, q, mla, moe, layerAttention,
                slidingWindow, layers, tensors, warnings, linearState);
    }

    /** Whether the checkpoint carries a vision (or other encoder) tower. */
    public boolean hasEncoderTower() {
        return tensors.stream().anyMatch(t -> t.component() == Component.VISION);
    }

    /** The language model alone, as vLLM loads it with {@code --language-model-only}: no encoder tower. */
    public ModelSpec languageModelOnly() {
        List<Tensor> text = tensors.stream().filter(t -> t.component() != Component.VISION).toList();
        return new ModelSpec(modelId, modelType, family, hiddenSize, numLayers, numAttentionHeads, numKeyValueHeads, headDim,
                vocabSize, maxPositionEmbeddings, tieWordEmbeddings, dtype, dtypeSpecified, quantization, mla, moe,
                layerAttention, slidingWindow, layers, text, warnings, linearState);
    }
}

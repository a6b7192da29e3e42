package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Google Gemma 3n (vLLM gemma3n.py and gemma3n_mm.py, transformers modeling_gemma3n, read 2026-12): a
 * Gemma decoder with per-layer embeddings ({@code embed_tokens_per_layer}, {@code hidden_size_per_layer_input}
 * per layer, projected from the hidden state), AltUp ({@code altup_num_inputs} streams: projections in and
 * out, per-layer correction / prediction coefficients, a modality router), LAuReL low-rank residuals
 * ({@code laurel_rank}), q / k RMSNorms (v's has no weight), an MLP of {@code intermediate_size[i]} per layer,
 * and its last {@code num_kv_shared_layers} layers reading the cache of the last earlier layer of their type.
 * The checkpoint stores k_proj, v_proj and k_norm for the shared layers too, and vLLM loads them, so they are
 * counted. Around the language model: the audio encoder (a USM conformer), the MobileNetV5 vision encoder and
 * one embedder for each ({@link #towers}).
 */
final class Gemma3nBuilder {
    /**
     * Parameters of timm's {@code mobilenetv5_300m_enc}, the vision encoder every Gemma 3n checkpoint names: its
     * config has no size fields, so the architecture name is the size. The published safetensors totals of
     * google/gemma-3n-E2B-it (5,439,438,272) and gemma-3n-E4B-it (7,849,978,192) less their language models, audio
     * encoders and embedders both leave 294,126,912, which a count of timm's block list (548 tensors) reproduces.
     */
    static final long MOBILENET_V5_300M_PARAMS = 294_126_912L;

    private Gemma3nBuilder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int heads = d.heads();
        int headDim = f.requirePositive("head_dim");
        int kvHeads = f.requirePositive("num_key_value_heads");
        if (heads % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + heads + ")");
        }
        int shared = f.optInt("num_kv_shared_layers").orElse(0);
        if (shared < 0 || shared >= d.layers()) {
            throw f.invalid("num_kv_shared_layers", f.node().get("num_kv_shared_layers"),
                    "0 to num_hidden_layers - 1 (" + (d.layers() - 1) + ")");
        }
        if (!f.optBool("altup_correct_scale").orElse(true)) {
            throw f.invalid("altup_correct_scale", f.node().get("altup_correct_scale"), "true (vLLM's Gemma3nAltUp asserts it)");
        }
        long ple = f.requirePositive("hidden_size_per_layer_input");
        long altup = f.requirePositive("altup_num_inputs");
        long laurel = f.requirePositive("laurel_rank");
        int window = f.requirePositive("sliding_window");
        boolean bias = f.optBool("attention_bias").orElse(false);
        List<Boolean> sliding = Gemma4Builder.slidingLayers(d, f, "gemma3n");
        List<Long> inter = intermediateSizes(d, f);
        int firstShared = d.layers() - shared;

        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        long packed = d.layers() * ple;
        t.embedding("model.embed_tokens_per_layer.weight", Component.EMBEDDING, Sharding.VOCAB,
                f.requirePositive("vocab_size_per_layer_input"), packed);
        t.linear("model.per_layer_model_projection", Component.EMBEDDING, Sharding.REPLICATED, -1, packed, h, false);
        t.norm("model.per_layer_projection_norm", -1, ple, false);
        for (int k = 0; k < altup - 1; k++) {
            t.linear("model.altup_projections." + k, Component.EMBEDDING, Sharding.REPLICATED, -1, h, h, false);
            t.linear("model.altup_unembed_projections." + k, Component.EMBEDDING, Sharding.REPLICATED, -1, h, h, false);
        }
        List<Layer> layers = new ArrayList<>();
        Component a = Component.ATTENTION;
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            long q = (long) heads * headDim;
            t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, q, h, bias);
            t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
            t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
            t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, q, bias);
            t.norm(p + ".self_attn.q_norm", i, headDim, false);
            t.norm(p + ".self_attn.k_norm", i, headDim, false);
            t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, inter.get(i), 1);
            t.linear(p + ".per_layer_input_gate", Component.DENSE_MLP, Sharding.REPLICATED, i, ple, h, false);
            t.linear(p + ".per_layer_projection", Component.DENSE_MLP, Sharding.REPLICATED, i, h, ple, false);
            t.norm(p + ".post_per_layer_input_norm", i, h, false);
            t.linear(p + ".laurel.linear_left", Component.DENSE_MLP, Sharding.COLUMN, i, laurel, h, false);
            t.linear(p + ".laurel.linear_right", Component.DENSE_MLP, Sharding.ROW, i, h, laurel, false);
            t.norm(p + ".laurel.post_laurel_norm", i, h, false);
            t.other2d(p + ".altup.correction_coefs.weight", Component.NORM, Sharding.REPLICATED, i, altup, altup, null);
            t.other2d(p + ".altup.prediction_coefs.weight", Component.NORM, Sharding.REPLICATED, i, altup * altup, altup, null);
            t.other2d(p + ".altup.modality_router.weight", Component.NORM, Sharding.REPLICATED, i, altup, h, null);
            t.norm(p + ".altup.router_norm", i, h, false);
            t.other(p + ".altup.correct_output_scale", Component.NORM, Sharding.REPLICATED, i, h);
            for (String n : List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                    "post_feedforward_layernorm")) {
                t.norm(p + "." + n, i, h, false);
            }
            boolean slide = sliding.get(i);
            boolean isShared = i >= firstShared;
            int source = isShared ? Gemma4Builder.source(sliding, firstShared, slide) : -1;
            if (isShared && source < 0) {
                throw f.invalid("num_kv_shared_layers", f.node().get("num_kv_shared_layers"),
                        "a count that leaves a layer of each shared type before the shared ones");
            }
            Mixer mixer = isShared ? Mixer.SHARED_KV : slide ? Mixer.SLIDING_WINDOW : Mixer.FULL_ATTENTION;
            layers.add(new Layer(mixer, slide ? window : 0, source, Ffn.DENSE,
                    isShared ? ModelSpec.LayerCache.NONE : ModelSpec.LayerCache.kv(kvHeads, headDim)));
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return new Family.Built(t.list(), null, null, layers, kvHeads, headDim);
    }

    /** {@code intermediate_size}: one width for every layer, or a list of one per layer. */
    private static List<Long> intermediateSizes(ParsedDims d, ConfigFields f) {
        JsonNode v = f.node().get("intermediate_size");
        List<Long> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            List<Integer> list = f.intList("intermediate_size");
            if (list.size() != d.layers() || list.stream().anyMatch(x -> x < 1)) {
                throw f.invalid("intermediate_size", v, "a positive width, or one positive width per layer (" + d.layers() + ")");
            }
            list.forEach(x -> out.add((long) x));
        } else {
            long w = f.requirePositive("intermediate_size");
            for (int i = 0; i < d.layers(); i++) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Gemma 3n's encoders beside its language model, as the checkpoint stores them: the USM audio conformer
     * (transformers Gemma3nAudioEncoder: a two-convolution subsampler, then {@code conf_num_hidden_layers}
     * conformer blocks of two macaron feed-forward halves of 4 x width, relative-position attention and a
     * depthwise-convolution module), the MobileNetV5 vision encoder ({@link #MOBILENET_V5_300M_PARAMS}) and the
     * two multimodal embedders (a soft-token embedding of {@code vocab_size}, two RMSNorms and a projection to the
     * text width). All counted as encoder towers ({@link Component#VISION}); vLLM runs them unsharded.
     */
    static void towers(List<Tensor> out, JsonNode root, int textHidden, String source) {
        JsonNode vision = root.get("vision_config");
        JsonNode audio = root.get("audio_config");
        Tensors t = new Tensors();
        Component v = Component.VISION;
        if (vision instanceof ObjectNode vn) {
            ConfigFields f = new ConfigFields(vn, source + " vision_config");
            String arch = f.optString("architecture").orElse("");
            if (!arch.equals("mobilenetv5_300m_enc")) {
                throw f.invalid("architecture", vn.get("architecture"), "mobilenetv5_300m_enc");
            }
            t.other("model.vision_tower.timm_model (mobilenetv5_300m_enc)", v, Sharding.REPLICATED, -1,
                    MOBILENET_V5_300M_PARAMS);
            embedder(t, "model.embed_vision", f, textHidden);
        }
        if (audio instanceof ObjectNode an) {
            ConfigFields f = new ConfigFields(an, source + " audio_config");
            long w = f.requirePositive("hidden_size");
            List<Integer> channels = f.intList("sscp_conv_channel_size");
            if (channels.size() != 2 || channels.get(0) < 1 || channels.get(1) < 1) {
                throw f.invalid("sscp_conv_channel_size", an.get("sscp_conv_channel_size"), "two positive channel counts");
            }
            // The subsampler's geometry as every published config gives it; another is refused, not guessed.
            for (String[] g : new String[][] {{"sscp_conv_kernel_size", "[[3,3],[3,3]]"}, {"sscp_conv_stride_size", "[[2,2],[2,2]]"}}) {
                JsonNode given = an.get(g[0]);
                if (given == null || !given.toString().equals(g[1])) {
                    throw f.invalid(g[0], given, g[1]);
                }
            }
            long kernel = 3 * 3;
            String p = "model.audio_tower";
            t.other(p + ".subsample_conv_projection.conv_0.conv.weight", v, Sharding.REPLICATED, -1, channels.get(0) * kernel);
            t.other(p + ".subsample_conv_projection.conv_0.norm.weight", v, Sharding.REPLICATED, -1, channels.get(0));
            t.other(p + ".subsample_conv_projection.conv_1.conv.weight", v, Sharding.REPLICATED, -1,
                    (long) channels.get(1) * channels.get(0) * kernel);
            t.other(p + ".subsample_conv_projection.conv_1.norm.weight", v, Sharding.REPLICATED, -1, channels.get(1));
            // Two stride-2 convolutions take the input_feat_size mel bins to a quarter.
            long freq = f.requirePositive("input_feat_size") / 4;
            if (freq < 1) {
                throw f.invalid("input_feat_size", an.get("input_feat_size"), "at least 4 mel bins (two stride-2 convolutions)");
            }
            t.linear(p + ".subsample_conv_projection.input_proj_linear", v, Sharding.REPLICATED, -1, w,
                    channels.get(1) * freq, false);
            int blocks = f.requirePositive("conf_num_hidden_layers");
            long heads = f.requirePositive("conf_num_attention_heads");
            if (w % heads != 0) {
                throw f.invalid("conf_num_attention_heads", an.get("conf_num_attention_heads"),
                        "a divisor of hidden_size (" + w + ")");
            }
            long convKernel = f.requirePositive("conf_conv_kernel_size");
            for (int i = 0; i < blocks; i++) {
                String b = p + ".conformer." + i;
                for (String half : List.of("ffw_layer_start", "ffw_layer_end")) {
                    t.norm(b + "." + half + ".pre_layer_norm", v, -1, w, false);
                    t.linear(b + "." + half + ".ffw_layer_1", v, Sharding.REPLICATED, -1, 4 * w, w, false);
                    t.linear(b + "." + half + ".ffw_layer_2", v, Sharding.REPLICATED, -1, w, 4 * w, false);
                    t.norm(b + "." + half + ".post_layer_norm", v, -1, w, false);
                }
                t.norm(b + ".attention.pre_attn_norm", v, -1, w, false);
                t.other(b + ".attention.attn.per_dim_scale", v, Sharding.REPLICATED, -1, w / heads);
                for (String proj : List.of("q_proj", "k_proj", "v_proj", "relative_position_embedding.pos_proj")) {
                    t.linear(b + ".attention.attn." + proj, v, Sharding.REPLICATED, -1, w, w, false);
                }
                t.linear(b + ".attention.post", v, Sharding.REPLICATED, -1, w, w, false);
                t.norm(b + ".attention.post_norm", v, -1, w, false);
                t.norm(b + ".lconv1d.pre_layer_norm", v, -1, w, false);
                t.linear(b + ".lconv1d.linear_start", v, Sharding.REPLICATED, -1, 2 * w, w, false);
                t.other(b + ".lconv1d.depthwise_conv1d.weight", v, Sharding.REPLICATED, -1, w * convKernel);
                t.norm(b + ".lconv1d.conv_norm", v, -1, w, false);
                t.linear(b + ".lconv1d.linear_end", v, Sharding.REPLICATED, -1, w, w, false);
                t.norm(b + ".norm", v, -1, w, false);
            }
            embedder(t, "model.embed_audio", f, textHidden);
        }
        out.addAll(t.list());
    }

    /** A multimodal embedder: soft-token embedding, hard and soft RMSNorms, projection to the text width. */
    private static void embedder(Tensors t, String p, ConfigFields f, long textHidden) {
        long w = f.requirePositive("hidden_size");
        Component v = Component.VISION;
        t.other2d(p + ".embedding.weight", v, Sharding.REPLICATED, -1, f.requirePositive("vocab_size"), w, null);
        t.norm(p + ".hard_embedding_norm", v, -1, w, false);
        t.norm(p + ".soft_embedding_norm", v, -1, w, false);
        t.linear(p + ".embedding_projection", v, Sharding.REPLICATED, -1, textHidden, w, false);
    }
}

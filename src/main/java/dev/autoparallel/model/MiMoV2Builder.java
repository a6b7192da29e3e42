package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Xiaomi MiMo-V2 ({@code mimo_v2_flash}, {@code mimo_v2}; vLLM mimo_v2_flash.py, read 2026-12):
 * global and sliding-window attention layers by {@code hybrid_layer_pattern} (1: sliding, with
 * the {@code swa_*} heads and widths), keys of {@code head_dim} and values of {@code v_head_dim},
 * a per-head attention sink on sliding layers ({@code add_swa_attention_sink_bias}) or global
 * ones ({@code add_full_attention_sink_bias}); a dense MLP where {@code moe_layer_freq[i]} is 0,
 * else routed experts with a float32 router and score-correction bias ({@code moe_router_dtype})
 * and no shared expert. {@code attention_projection_layout fused_qkv} stores q, k and v as one
 * {@code qkv_proj}. The checkpoints' MTP layers ({@code model.mtp.*}) are skipped by vLLM's loader
 * and named by no config field, so they are not counted. MiMo-V2.5's vision and audio encoders, configured beside the
 * top-level text fields, are {@link #towers}.
 */
final class MiMoV2Builder {
    private MiMoV2Builder() {
    }

    /** One kind of attention layer: heads, KV heads, key and value widths. */
    private record Attn(int heads, int kvHeads, int headDim, int vHeadDim, boolean sink) {
        long qkvOut() {
            return (long) heads * headDim + (long) kvHeads * headDim + (long) kvHeads * vHeadDim;
        }
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        List<Integer> pattern = f.layerFlags("hybrid_layer_pattern", d.layers());
        List<Integer> moeFreq = f.layerFlags("moe_layer_freq", d.layers());
        Attn full = new Attn(d.heads(), f.requirePositive("num_key_value_heads"), f.requirePositive("head_dim"),
                f.optPositive("v_head_dim").orElse(f.requirePositive("head_dim")),
                f.optBool("add_full_attention_sink_bias").orElse(false));
        boolean anySliding = pattern.contains(1);
        Attn swa = !anySliding ? null : new Attn(f.requirePositive("swa_num_attention_heads"),
                f.requirePositive("swa_num_key_value_heads"), f.requirePositive("swa_head_dim"),
                f.optPositive("swa_v_head_dim").orElse(f.requirePositive("swa_head_dim")),
                f.optBool("add_swa_attention_sink_bias").orElse(false));
        int window = anySliding ? f.requirePositive("sliding_window_size", "sliding_window") : 0;
        for (Attn a : swa == null ? List.of(full) : List.of(full, swa)) {
            if (a.heads() % a.kvHeads() != 0) {
                throw new InvalidConfigurationException("num_key_value_heads", f.source() + ": " + a.kvHeads()
                        + " KV heads do not divide " + a.heads() + " attention heads");
            }
            if ((a.headDim() + a.vHeadDim()) % 2 != 0) {
                throw new InvalidConfigurationException("v_head_dim", f.source() + ": head_dim " + a.headDim()
                        + " plus v_head_dim " + a.vHeadDim() + " must be even to size the KV page");
            }
        }
        if (f.optInt("n_shared_experts").orElse(0) != 0) {
            throw f.invalid("n_shared_experts", f.node().get("n_shared_experts"),
                    "null or 0 (vLLM's MiMoV2MoE has no shared expert)");
        }
        String layout = f.optString("attention_projection_layout").orElse("split");
        if (!layout.equals("fused_qkv") && !layout.equals("split")) {
            throw f.invalid("attention_projection_layout", f.node().get("attention_projection_layout"),
                    "fused_qkv, or absent (separate q_proj, k_proj, v_proj)");
        }
        boolean fused = layout.equals("fused_qkv");
        boolean bias = f.optBool("attention_bias").orElse(false);
        DType routerDtype = DType.parse(f.optString("moe_router_dtype").orElse("float32"), "moe_router_dtype");
        long h = d.hidden();
        Component c = Component.ATTENTION;
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        int moeLayers = 0;
        int experts = 0;
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            boolean sliding = pattern.get(i) == 1;
            Attn a = sliding ? swa : full;
            if (fused) {
                t.linear(p + ".self_attn.qkv_proj", c, Sharding.COLUMN, i, a.qkvOut(), h, bias);
            } else {
                t.linear(p + ".self_attn.q_proj", c, Sharding.COLUMN, i, (long) a.heads() * a.headDim(), h, bias);
                t.linear(p + ".self_attn.k_proj", c, Sharding.KV_HEADS, i, (long) a.kvHeads() * a.headDim(), h, bias);
                t.linear(p + ".self_attn.v_proj", c, Sharding.KV_HEADS, i, (long) a.kvHeads() * a.vHeadDim(), h, bias);
            }
            t.linear(p + ".self_attn.o_proj", c, Sharding.ROW, i, h, (long) a.heads() * a.vHeadDim(), false);
            if (a.sink()) {
                t.other(p + ".self_attn.attention_sink_bias", c, Sharding.COLUMN, i, a.heads());
            }
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            boolean moe = moeFreq.get(i) == 1;
            if (moe) {
                experts = f.requirePositive("n_routed_experts");
                t.other2d(p + ".mlp.gate.weight", Component.ROUTER, Sharding.REPLICATED, i, experts, h, routerDtype);
                t.other2d(p + ".mlp.gate.e_score_correction_bias", Component.ROUTER, Sharding.REPLICATED, i, experts, 1,
                        routerDtype);
                t.gatedMlp(p + ".mlp.experts.*", Component.ROUTED_EXPERTS, i, h, f.requirePositive("moe_intermediate_size"),
                        experts);
                moeLayers++;
            } else {
                t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size"), 1);
            }
            // vLLM's FullAttentionSpec with head_size_v pages kv_heads x (head_size + head_size_v) per token: the
            // mean width sizes it exactly.
            ModelSpec.LayerCache cache = ModelSpec.LayerCache.kv(a.kvHeads(), (a.headDim() + a.vHeadDim()) / 2);
            layers.add(new Layer(sliding ? Mixer.SLIDING_WINDOW : Mixer.FULL_ATTENTION, sliding ? window : 0, -1,
                    moe ? Ffn.MOE : Ffn.DENSE, cache));
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        ModelSpec.MoeDims moe = null;
        if (moeLayers > 0) {
            int topK = f.requirePositive("num_experts_per_tok");
            if (topK > experts) {
                throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                        "at most n_routed_experts (" + experts + ")");
            }
            moe = new ModelSpec.MoeDims(experts, topK, f.requirePositive("moe_intermediate_size"), 0, moeLayers);
        }
        return new Family.Built(t.list(), null, moe, layers, full.kvHeads(), full.headDim());
    }

    /**
     * MiMo-V2.5's encoders as vLLM's mimo_v2_omni.py and mimo_audio.py build them (read 2026-12-01), counted as encoder
     * towers ({@link Component#VISION}):
     * <ul>
     *   <li>{@code vision_config}: a bias-free Conv3d patch embedding over {@code in_chans x temporal_patch_size x
     *       patch_size^2}; {@code depth} blocks of two RMSNorms, a biased GQA {@code qkv} of {@code num_heads} query and
     *       {@code num_key_value_heads} key / value heads of {@code qk_channels} / {@code kv_channels} (64 unless stated,
     *       vLLM's Mimo_VLVisionConfig defaults), a biased {@code proj}, per-head attention sinks on the blocks outside
     *       {@code fullatt_block_indexes} when {@code use_sink}, and a biased gated MLP of {@code intermediate_size}; a
     *       merger (RMSNorm, then {@code hidden x spatial_merge_size^2} to itself and to {@code out_hidden_size}, no
     *       biases). Linear layers tensor-parallel.</li>
     *   <li>{@code audio_config}: {@code audio_channels} speech-code embeddings of {@code input_local_dim}, a Qwen2
     *       transformer of {@code input_local_layers} full-attention layers (biased q, k, v; a final norm with
     *       {@code add_post_norm}) and a bias-free projection of {@code input_local_dim x group_size} to
     *       {@code out_hidden_size}, through four times that width when {@code projection_layers} is 2. Replicated.</li>
     * </ul>
     */
    static void towers(List<Tensor> out, JsonNode root, String source, List<String> warnings) {
        Tensors t = new Tensors();
        Component v = Component.VISION;
        if (root.get("vision_config") instanceof ObjectNode vn) {
            ConfigFields f = new ConfigFields(vn, source + " vision_config");
            long h = f.requirePositive("hidden_size");
            int depth = f.requirePositive("depth");
            int heads = f.requirePositive("num_heads");
            int kvHeads = f.requirePositive("num_key_value_heads");
            if (heads % kvHeads != 0) {
                throw f.invalid("num_key_value_heads", vn.get("num_key_value_heads"), "a divisor of num_heads (" + heads + ")");
            }
            long qk = f.optPositive("qk_channels").orElse(64);
            long kv = f.optPositive("kv_channels").orElse(64);
            long inter = f.requirePositive("intermediate_size");
            long channels = f.optPositive("in_chans", "in_channels").orElse(3);
            long patch = f.requirePositive("patch_size");
            long temporal = f.requirePositive("temporal_patch_size");
            long merge = f.requirePositive("spatial_merge_size");
            long outHidden = f.requirePositive("out_hidden_size");
            boolean sinks = f.optBool("use_sink").orElse(false);
            List<Integer> full = f.intList("fullatt_block_indexes");
            t.linear("visual.patch_embed.proj", v, Sharding.REPLICATED, -1, h, channels * temporal * patch * patch, false);
            for (int i = 0; i < depth; i++) {
                String b = "visual.blocks." + i;
                t.norm(b + ".norm1", v, -1, h, false);
                t.norm(b + ".norm2", v, -1, h, false);
                t.linear(b + ".attn.qkv", v, Sharding.COLUMN, -1, heads * qk + kvHeads * (qk + kv), h, true);
                t.linear(b + ".attn.proj", v, Sharding.ROW, -1, h, heads * kv, true);
                if (sinks && !full.contains(i)) {
                    t.other(b + ".attn.sinks", v, Sharding.REPLICATED, -1, heads);
                }
                t.gatedMlp(b + ".mlp", v, -1, h, inter, true, 1, "gate_proj", "up_proj", "down_proj");
            }
            long merged = h * merge * merge;
            t.norm("visual.merger.ln_q", v, -1, h, false);
            t.linear("visual.merger.mlp.0", v, Sharding.COLUMN, -1, merged, merged, false);
            t.linear("visual.merger.mlp.2", v, Sharding.ROW, -1, outHidden, merged, false);
        }
        if (root.get("audio_config") instanceof ObjectNode an) {
            ConfigFields f = new ConfigFields(an, source + " audio_config");
            long d = f.requirePositive("input_local_dim");
            int layers = f.requirePositive("input_local_layers");
            int heads = f.requirePositive("input_local_attn_heads");
            if (d % heads != 0) {
                throw f.invalid("input_local_attn_heads", an.get("input_local_attn_heads"), "a divisor of input_local_dim (" + d + ")");
            }
            long inter = f.requirePositive("input_local_intermediate_size");
            int channels = f.optPositive("audio_channels").orElse(8);
            long group = f.optPositive("group_size").orElse(4);
            long outHidden = f.requirePositive("out_hidden_size");
            int projection = f.optInt("projection_layers").orElse(1);
            if (projection != 1 && projection != 2) {
                throw f.invalid("projection_layers", an.get("projection_layers"), "1 or 2");
            }
            List<Long> vocab = speechVocab(f, an.get("speech_vocab_size"), channels);
            String p = "audio_encoder.input_local_transformer";
            for (int i = 0; i < layers; i++) {
                String l = p + ".layers." + i;
                for (String proj : List.of("q_proj", "k_proj", "v_proj")) {
                    t.linear(l + ".self_attn." + proj, v, Sharding.REPLICATED, -1, d, d, true);
                }
                t.linear(l + ".self_attn.o_proj", v, Sharding.REPLICATED, -1, d, d, false);
                t.linear(l + ".mlp.gate_proj", v, Sharding.REPLICATED, -1, inter, d, false);
                t.linear(l + ".mlp.up_proj", v, Sharding.REPLICATED, -1, inter, d, false);
                t.linear(l + ".mlp.down_proj", v, Sharding.REPLICATED, -1, d, inter, false);
                t.norm(l + ".input_layernorm", v, -1, d, false);
                t.norm(l + ".post_attention_layernorm", v, -1, d, false);
            }
            if (f.optBool("add_post_norm").orElse(false)) {
                t.norm(p + ".norm", v, -1, d, false);
            }
            for (int i = 0; i < channels; i++) {
                t.embedding("speech_embeddings." + i + ".weight", v, Sharding.REPLICATED, vocab.get(i), d);
            }
            if (projection == 1) {
                t.linear("audio_encoder.projection", v, Sharding.REPLICATED, -1, outHidden, d * group, false);
            } else {
                t.linear("audio_encoder.projection.mlp.0", v, Sharding.REPLICATED, -1, 4 * d * group, d * group, false);
                t.linear("audio_encoder.projection.mlp.2", v, Sharding.REPLICATED, -1, outHidden, 4 * d * group, false);
            }
            warnings.add("the audio tokenizer vLLM loads beside the checkpoint (audio_tokenizer/) and the unused token"
                    + " embedding its audio encoder's Qwen2 transformer allocates are not counted");
        }
        out.addAll(t.list());
    }

    /**
     * {@code speech_vocab_size} as vLLM's MimoAudioEncoder reads it: a number (or a string of one) for every channel, or
     * one per channel joined by '-'.
     */
    private static List<Long> speechVocab(ConfigFields f, JsonNode value, int channels) {
        String allowed = "a positive whole number, or " + channels + " of them joined by '-'";
        if (value == null || value.isNull()) {
            throw f.missing("speech_vocab_size");
        }
        String text = value.isIntegralNumber() ? value.asText() : value.isTextual() ? value.asText().strip() : null;
        if (text == null) {
            throw f.invalid("speech_vocab_size", value, allowed);
        }
        String[] parts = text.contains("-") ? text.split("-") : null;
        if (parts != null && parts.length != channels) {
            throw f.invalid("speech_vocab_size", value, allowed);
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            try {
                long n = Long.parseLong(parts == null ? text : parts[i].strip());
                if (n < 1 || n > ConfigFields.MAX_VOCAB) {
                    throw f.invalid("speech_vocab_size", value, allowed);
                }
                out.add(n);
            } catch (NumberFormatException e) {
                throw f.invalid("speech_vocab_size", value, allowed);
            }
        }
        return out;
    }
}

package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemma 4 (transformers modeling_gemma4.py Gemma4TextModel): sliding and full attention from
 * {@code layer_types}; full layers use {@code global_head_dim} and, with {@code attention_k_eq_v},
 * {@code num_global_key_value_heads} and no v_proj (values are the keys). The last
 * {@code num_kv_shared_layers} layers read the cache of the last earlier layer of their type and
 * own no k/v weights. Every layer has a gated MLP; with {@code enable_moe_block} a mixture of
 * {@code num_experts} experts ({@code top_k_experts} per token, fused {@code gate_up_proj}) runs
 * beside it, with a scaled router and three extra norms. Per-layer input embeddings
 * ({@code hidden_size_per_layer_input}, Gemma 4 E2B/E4B) add a packed embedding table, a
 * projection, and a gate, projection and norm per layer. Each layer stores a one-value
 * {@code layer_scalar} buffer.
 */
final class Gemma4Builder {
    private Gemma4Builder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int heads = d.heads();
        int headDim = f.requirePositive("head_dim");
        int kvHeads = f.requirePositive("num_key_value_heads");
        int globalHeadDim = f.optPositive("global_head_dim").orElse(headDim);
        boolean kEqV = f.optBool("attention_k_eq_v").orElse(false);
        int globalKvHeads = kEqV ? f.requirePositive("num_global_key_value_heads") : kvHeads;
        boolean bias = f.optBool("attention_bias").orElse(false);
        int shared = f.optInt("num_kv_shared_layers").orElse(0);
        if (shared >= d.layers()) {
            throw f.invalid("num_kv_shared_layers", f.node().get("num_kv_shared_layers"),
                    "fewer than num_hidden_layers (" + d.layers() + ")");
        }
        for (int kv : new int[] {kvHeads, globalKvHeads}) {
            if (heads % kv != 0) {
                String field = kv == kvHeads ? "num_key_value_heads" : "num_global_key_value_heads";
                throw f.invalid(field, f.node().get(field), "a divisor of num_attention_heads (" + heads + ")");
            }
        }
        boolean doubleWide = f.optBool("use_double_wide_mlp").orElse(false);
        boolean moe = f.optBool("enable_moe_block").orElse(false);
        int ple = f.optInt("hidden_size_per_layer_input").orElse(0);
        int window = f.requirePositive("sliding_window");
        List<Boolean> sliding = slidingLayers(d, f, "gemma4_text");
        int firstShared = d.layers() - shared;

        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        if (ple > 0) {
            long packed = (long) d.layers() * ple;
            t.embedding("model.embed_tokens_per_layer.weight", Component.EMBEDDING, Sharding.VOCAB,
                    f.requirePositive("vocab_size_per_layer_input"), packed);
            t.linear("model.per_layer_model_projection", Component.EMBEDDING, Sharding.REPLICATED, -1, packed, h, false);
            t.norm("model.per_layer_projection_norm", -1, ple, false);
        }
        List<Layer> layers = new ArrayList<>();
        int experts = moe ? f.requirePositive("num_experts") : 0;
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            boolean slide = sliding.get(i);
            int hd = slide ? headDim : globalHeadDim;
            boolean alternative = kEqV && !slide;
            int kv = alternative ? globalKvHeads : kvHeads;
            boolean isShared = shared > 0 && i >= firstShared;
            Component a = Component.ATTENTION;
            t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, (long) heads * hd, h, bias);
            t.norm(p + ".self_attn.q_norm", i, hd, false);
            if (!isShared) {
                t.norm(p + ".self_attn.k_norm", i, hd, false);
                t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kv * hd, h, bias);
                if (!alternative) {
                    t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kv * hd, h, bias);
                }
            }
            t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, (long) heads * hd, bias);
            long inter = (long) f.requirePositive("intermediate_size") * (doubleWide && isShared ? 2 : 1);
            t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, inter, 1);
            for (String n : List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                    "post_feedforward_layernorm")) {
                t.norm(p + "." + n, i, h, false);
            }
            t.other(p + ".layer_scalar", Component.NORM, Sharding.REPLICATED, i, 1);
            if (ple > 0) {
                t.linear(p + ".per_layer_input_gate", Component.DENSE_MLP, Sharding.REPLICATED, i, ple, h, false);
                t.linear(p + ".per_layer_projection", Component.DENSE_MLP, Sharding.REPLICATED, i, h, ple, false);
                t.norm(p + ".post_per_layer_input_norm", i, h, false);
            }
            if (moe) {
                long expertInter = f.requirePositive("moe_intermediate_size");
                t.linear(p + ".router.proj", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
                t.other(p + ".router.scale", Component.ROUTER, Sharding.REPLICATED, i, h);
                t.other(p + ".router.per_expert_scale", Component.ROUTER, Sharding.REPLICATED, i, experts);
                t.linear(p + ".experts.gate_up_proj", Component.ROUTED_EXPERTS, Sharding.COLUMN, i, 2 * expertInter, h, false, experts);
                t.linear(p + ".experts.down_proj", Component.ROUTED_EXPERTS, Sharding.ROW, i, h, expertInter, false, experts);
                for (String n : List.of("post_feedforward_layernorm_1", "post_feedforward_layernorm_2",
                        "pre_feedforward_layernorm_2")) {
                    t.norm(p + "." + n, i, h, false);
                }
            }
            Mixer mixer = isShared ? Mixer.SHARED_KV : slide ? Mixer.SLIDING_WINDOW : Mixer.FULL_ATTENTION;
            if (isShared && source(sliding, firstShared, slide) < 0) {
                throw f.invalid("num_kv_shared_layers", f.node().get("num_kv_shared_layers"),
                        "a count that leaves a layer of each shared type (" + (slide ? "sliding" : "full")
                                + " attention) before the shared ones");
            }
            layers.add(new Layer(mixer, slide ? window : 0, isShared ? source(sliding, firstShared, slide) : -1,
                    moe ? Ffn.MOE : Ffn.DENSE, isShared ? ModelSpec.LayerCache.NONE : ModelSpec.LayerCache.kv(kv, hd)));
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        if (moe && f.requirePositive("top_k_experts") > experts) {
            throw f.invalid("top_k_experts", f.node().get("top_k_experts"), "at most num_experts (" + experts + ")");
        }
        ModelSpec.MoeDims moeDims = moe ? new ModelSpec.MoeDims(experts, f.requirePositive("top_k_experts"),
                f.requirePositive("moe_intermediate_size"), 0, d.layers()) : null;
        return new Family.Built(t.list(), null, moeDims, layers, kvHeads, headDim);
    }

    /**
     * Gemma's {@code layer_types}, one per layer: true for {@code sliding_attention}, false for {@code full_attention}
     * (Gemma 4 and Gemma 3n); another value is refused naming {@code modelType}.
     */
    static List<Boolean> slidingLayers(ParsedDims d, ConfigFields f, String modelType) {
        List<String> types = f.stringList("layer_types");
        if (types.size() != d.layers()) {
            throw f.invalid("layer_types", f.node().get("layer_types"), "one entry per layer (" + d.layers() + ")");
        }
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            out.add(switch (types.get(i)) {
                case "sliding_attention" -> true;
                case "full_attention" -> false;
                default -> throw new InvalidConfigurationException("layer_types", f.source() + ": layer_types[" + i
                        + "] was '" + types.get(i) + "'; model_type '" + modelType + "' allows full_attention, sliding_attention");
            });
        }
        return out;
    }

    /** The last layer before the shared ones with the same attention type (whose cache a shared layer reads), or -1. */
    static int source(List<Boolean> sliding, int firstShared, boolean slide) {
        for (int j = firstShared - 1; j >= 0; j--) {
            if (sliding.get(j) == slide) {
                return j;
            }
        }
        return -1;
    }
}

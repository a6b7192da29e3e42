package dev.autoparallel.model;

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
 * and named by no config field, so they are not counted.
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
}

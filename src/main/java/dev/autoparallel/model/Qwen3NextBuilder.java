package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3-Next and Qwen3.5 / Qwen3.6: a hybrid of Gated DeltaNet linear attention and gated full
 * attention ({@code layer_types}, or every {@code full_attention_interval}-th layer), with a dense
 * MLP or a mixture of experts with one gated shared expert, and multi-token-prediction layers
 * that reuse the embedding and the head. Module names follow vLLM's qwen3_next.py / qwen3_5.py
 * and the checkpoints: Qwen3-Next fuses {@code in_proj_qkvz} and {@code in_proj_ba}, Qwen3.5
 * stores {@code in_proj_qkv}, {@code in_proj_z}, {@code in_proj_b} and {@code in_proj_a}.
 */
final class Qwen3NextBuilder {
    /** vLLM qwen3_next_mtp.py: {@code getattr(config, "num_nextn_predict_layers", 1)}. */
    static final int QWEN3_NEXT_DEFAULT_MTP_LAYERS = 1;

    private Qwen3NextBuilder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        int kvHeads = f.requirePositive("num_key_value_heads");
        int headDim = f.requirePositive("head_dim");
        List<Mixer> mixers = mixers(d, f);
        boolean moe = family == Family.QWEN3_NEXT || family == Family.QWEN3_5_MOE;
        List<Integer> mlpOnly = f.intList("mlp_only_layers");
        int step = moe ? f.optPositive("decoder_sparse_step").orElse(1) : 0;
        if (moe && f.requirePositive("num_experts_per_tok") > f.requirePositive("num_experts")) {
            throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                    "at most num_experts (" + f.requirePositive("num_experts") + ")");
        }
        if (d.heads() % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + d.heads() + ")");
        }
        ModelSpec.MoeDims moeDims = null;
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), d.hidden());
        List<Layer> layers = new ArrayList<>();
        int moeLayers = 0;
        for (int i = 0; i < d.layers(); i++) {
            boolean moeLayer = moe && !mlpOnly.contains(i) && step > 0 && (i + 1) % step == 0;
            layer(t, "model.layers." + i, i, d, f, family, mixers.get(i), kvHeads, headDim, moeLayer);
            Layer layer = Layer.of(mixers.get(i), moeLayer ? Ffn.MOE : Ffn.DENSE);
            layers.add(mixers.get(i) == Mixer.GATED_DELTANET ? layer.withCache(deltaNetState(f)) : layer);
            moeLayers += moeLayer ? 1 : 0;
        }
        if (moe) {
            moeDims = new ModelSpec.MoeDims(f.requirePositive("num_experts"), f.requirePositive("num_experts_per_tok"),
                    f.requirePositive("moe_intermediate_size"), f.optInt("shared_expert_intermediate_size").orElse(0),
                    moeLayers);
        }
        t.norm("model.norm", -1, d.hidden(), false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), d.hidden());
        }
        // Qwen3-Next configs name no MTP field, yet the checkpoints hold one MTP layer: vLLM's
        // qwen3_next_mtp.py reads getattr(config, "num_nextn_predict_layers", 1).
        int mtp = f.optInt("mtp_num_hidden_layers", "num_nextn_predict_layers")
                .orElse(family == Family.QWEN3_NEXT ? QWEN3_NEXT_DEFAULT_MTP_LAYERS : 0);
        if (f.optBool("mtp_use_dedicated_embeddings").orElse(false)) {
            throw f.invalid("mtp_use_dedicated_embeddings", f.node().get("mtp_use_dedicated_embeddings"),
                    "false (MTP layers that share the model's embedding)");
        }
        if (mtp > 0) {
            // vLLM qwen3_next_mtp.py: fc over [embedding; hidden], two pre-fc norms, full-attention layers, a final norm.
            t.other("mtp.fc.weight", Component.MTP, Sharding.REPLICATED, -1, 2L * d.hidden() * d.hidden());
            t.norm("mtp.pre_fc_norm_embedding", Component.MTP, -1, d.hidden(), false);
            t.norm("mtp.pre_fc_norm_hidden", Component.MTP, -1, d.hidden(), false);
            for (int k = 0; k < mtp; k++) {
                int index = d.layers() + k;
                layer(t, "mtp.layers." + k, index, d, f, family, Mixer.FULL_ATTENTION, kvHeads, headDim, moe);
            }
            t.norm("mtp.norm", Component.MTP, -1, d.hidden(), false);
        }
        return new Family.Built(t.list(), null, moeDims, layers, kvHeads, headDim);
    }

    private static List<Mixer> mixers(ParsedDims d, ConfigFields f) {
        List<String> types = f.stringList("layer_types");
        List<Mixer> out = new ArrayList<>();
        if (types.isEmpty()) {
            int interval = f.requirePositive("full_attention_interval");
            for (int i = 0; i < d.layers(); i++) {
                // transformers Qwen3NextConfig: full attention where (i + 1) % full_attention_interval == 0.
                out.add((i + 1) % interval == 0 ? Mixer.FULL_ATTENTION : Mixer.GATED_DELTANET);
            }
            return out;
        }
        if (types.size() != d.layers()) {
            throw f.invalid("layer_types", f.node().get("layer_types"), "one entry per layer (" + d.layers() + ")");
        }
        for (int i = 0; i < types.size(); i++) {
            out.add(switch (types.get(i)) {
                case "full_attention" -> Mixer.FULL_ATTENTION;
                case "linear_attention" -> Mixer.GATED_DELTANET;
                default -> throw new InvalidConfigurationException("layer_types", f.source() + ": layer_types[" + i
                        + "] was '" + types.get(i) + "'; model_type '" + f.optString("model_type").orElse("")
                        + "' allows full_attention, linear_attention");
            });
        }
        return out;
    }

    private static void layer(Tensors t, String p, int i, ParsedDims d, ConfigFields f, Family family, Mixer mixer,
                              int kvHeads, int headDim, boolean moeLayer) {
        long h = d.hidden();
        Component c = Component.ATTENTION;
        if (mixer == Mixer.GATED_DELTANET) {
            gatedDeltaNet(t, p + ".linear_attn", i, h, f, family);
        } else {
            // Qwen3NextAttention: q_proj also emits the output gate (attn_output_gate, on in every released config).
            boolean gate = f.optBool("attn_output_gate").orElse(true);
            long q = (long) d.heads() * headDim;
            t.linear(p + ".self_attn.q_proj", c, Sharding.COLUMN, i, gate ? 2 * q : q, h, false);
            t.linear(p + ".self_attn.k_proj", c, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, false);
            t.linear(p + ".self_attn.v_proj", c, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, false);
            t.linear(p + ".self_attn.o_proj", c, Sharding.ROW, i, h, q, false);
            t.norm(p + ".self_attn.q_norm", i, headDim, false);
            t.norm(p + ".self_attn.k_norm", i, headDim, false);
        }
        t.norm(p + ".input_layernorm", i, h, false);
        t.norm(p + ".post_attention_layernorm", i, h, false);
        if (moeLayer) {
            int experts = f.requirePositive("num_experts");
            t.linear(p + ".mlp.gate", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
            t.gatedMlp(p + ".mlp.experts.*", Component.ROUTED_EXPERTS, i, h, f.requirePositive("moe_intermediate_size"), experts);
            int shared = f.optInt("shared_expert_intermediate_size").orElse(0);
            if (shared > 0) {
                t.gatedMlp(p + ".mlp.shared_expert", Component.SHARED_EXPERTS, i, h, shared, 1);
                t.linear(p + ".mlp.shared_expert_gate", Component.ROUTER, Sharding.REPLICATED, i, 1, h, false);
            }
        } else {
            t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size"), 1);
        }
    }

    /**
     * A Gated DeltaNet layer's state (vLLM MambaStateShapeCalculator.gated_delta_net_state_shape):
     * the causal conv's last {@code linear_conv_kernel_dim - 1} inputs over q, k and v, and the
     * recurrent state of value heads x key dim x value dim.
     */
    private static ModelSpec.LayerCache deltaNetState(ConfigFields f) {
        long kHeads = f.requirePositive("linear_num_key_heads");
        long vHeads = f.requirePositive("linear_num_value_heads");
        long kDim = f.requirePositive("linear_key_head_dim");
        long vDim = f.requirePositive("linear_value_head_dim");
        long convDim = 2 * kHeads * kDim + vHeads * vDim;
        return ModelSpec.LayerCache.state(convDim * (f.requirePositive("linear_conv_kernel_dim") - 1), vHeads * kDim * vDim);
    }

    /**
     * Gated DeltaNet (vLLM Qwen3NextGatedDeltaNet): q, k at {@code linear_num_key_heads x
     * linear_key_head_dim}, v and the output gate z at {@code linear_num_value_heads x
     * linear_value_head_dim}, per-value-head b and a, a depthwise causal conv over q, k, v
     * without bias, per-head {@code A_log} and {@code dt_bias}, a gated RMSNorm over a head, out_proj.
     */
    private static void gatedDeltaNet(Tensors t, String p, int i, long h, ConfigFields f, Family family) {
        Component c = Component.ATTENTION;
        long kHeads = f.requirePositive("linear_num_key_heads");
        long vHeads = f.requirePositive("linear_num_value_heads");
        long keyDim = kHeads * f.requirePositive("linear_key_head_dim");
        long vHeadDim = f.requirePositive("linear_value_head_dim");
        long valueDim = vHeads * vHeadDim;
        long convDim = 2 * keyDim + valueDim;
        if (family == Family.QWEN3_NEXT) {
            t.linear(p + ".in_proj_qkvz", c, Sharding.COLUMN, i, convDim + valueDim, h, false);
            t.linear(p + ".in_proj_ba", c, Sharding.COLUMN, i, 2 * vHeads, h, false);
        } else {
            t.linear(p + ".in_proj_qkv", c, Sharding.COLUMN, i, convDim, h, false);
            t.linear(p + ".in_proj_z", c, Sharding.COLUMN, i, valueDim, h, false);
            t.linear(p + ".in_proj_b", c, Sharding.COLUMN, i, vHeads, h, false);
            t.linear(p + ".in_proj_a", c, Sharding.COLUMN, i, vHeads, h, false);
        }
        t.other(p + ".conv1d.weight", c, Sharding.COLUMN, i, convDim * f.requirePositive("linear_conv_kernel_dim"));
        // Held at the model's dtype: Qwen3.5-27B and 35B-A3B store them in BF16, Qwen3.5-397B-A17B in FP32
        // (a checkpoint choice the config does not state; see Families2026Test).
        t.other(p + ".A_log", c, Sharding.COLUMN, i, vHeads);
        t.other(p + ".dt_bias", c, Sharding.COLUMN, i, vHeads);
        t.norm(p + ".norm", i, vHeadDim, false);
        t.linear(p + ".out_proj", c, Sharding.ROW, i, h, valueDim, false);
    }
}

package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Moonshot's Kimi-Linear (vLLM kimi_linear.py and layers/kda.py, read 2026-12): Kimi Delta
 * Attention layers and MLA layers without rotary positions, named by the 1-based lists
 * {@code linear_attn_config.kda_layers} and {@code full_attn_layers}; a dense MLP in the first
 * {@code first_k_dense_replace} layers, then a mixture of experts ({@code block_sparse_moe}: a
 * sigmoid router with a score-correction bias, experts {@code w1 / w3 / w2} and a shared expert).
 *
 * <p>Kimi-K3's language model (model_type {@code kimi_linear} inside {@code kimi_k3}) adds, as its
 * published tensor listing shows: block attention residuals ({@code attn_res_block_size}: per layer
 * an RMSNorm and a 1 x hidden projection before attention and before the MoE, one pair after the
 * last layer); a full-rank output gate {@code g_proj} on every layer ({@code use_full_rank_gate} for
 * KDA, with {@code A_log} of {@code head_dim} entries; {@code mla_use_output_gate} for MLA); and a
 * latent MoE ({@code routed_expert_hidden_size}): the routed experts work on a narrower latent that
 * {@code routed_expert_down_proj} / {@code routed_expert_up_proj} map to and from, with
 * {@code routed_expert_norm} when {@code latent_moe_use_norm}.
 */
final class KimiLinearBuilder {
    private KimiLinearBuilder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        ConfigFields linear = linearAttention(f);
        List<Mixer> mixers = mixers(d, f, linear);
        ModelSpec.MlaDims mla = Builders.mla(f);
        int experts = f.requirePositive("num_experts");
        int topK = f.requirePositive("num_experts_per_token", "num_experts_per_tok");
        if (topK > experts) {
            throw f.invalid("num_experts_per_token", f.node().get("num_experts_per_token"),
                    "at most num_experts (" + experts + ")");
        }
        int expertInter = f.requirePositive("moe_intermediate_size");
        int sharedInter = f.optInt("num_shared_experts").orElse(0) * expertInter;
        int first = f.optInt("first_k_dense_replace").orElse(0);
        int freq = f.optPositive("moe_layer_freq").orElse(1);
        long h = d.hidden();
        long latent = f.optInt("routed_expert_hidden_size").orElse(0);
        long expertIn = latent > 0 ? latent : h;
        boolean attnRes = f.optInt("attn_res_block_size").orElse(0) > 0;
        boolean mlaGate = f.optBool("mla_use_output_gate").orElse(false);

        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        int moeLayers = 0;
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            Layer layer;
            boolean moe = i >= first && i % freq == 0;
            if (mixers.get(i) == Mixer.KDA) {
                kda(t, p + ".self_attn", i, h, linear);
                layer = Layer.of(Mixer.KDA, moe ? Ffn.MOE : Ffn.DENSE).withCache(kdaState(linear));
            } else {
                Builders.mlaAttention(t, p + ".self_attn", i, d, mla);
                if (mlaGate) {
                    t.linear(p + ".self_attn.g_proj", Component.ATTENTION, Sharding.COLUMN, i,
                            (long) d.heads() * mla.vHeadDim(), h, false);
                }
                layer = Layer.of(Mixer.MLA, moe ? Ffn.MOE : Ffn.DENSE);
            }
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            if (attnRes) {
                attentionResidual(t, p + ".self_attention_res", i, h);
                attentionResidual(t, p + ".mlp_res", i, h);
            }
            if (moe) {
                String b = p + ".block_sparse_moe";
                t.linear(b + ".gate", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
                // Stored in the model's dtype (bf16 in Kimi-Linear-48B-A3B), unlike DeepSeek's and GLM's FP32 bias.
                t.other(b + ".gate.e_score_correction_bias", Component.ROUTER, Sharding.REPLICATED, i, experts);
                if (latent > 0) {
                    // Kept in 16 bits beside the packed experts (Kimi-K3's listing), so not LINEAR here.
                    t.other2d(b + ".routed_expert_down_proj.weight", Component.ROUTED_EXPERTS, Sharding.REPLICATED, i,
                            latent, h, null);
                    t.other2d(b + ".routed_expert_up_proj.weight", Component.ROUTED_EXPERTS, Sharding.REPLICATED, i,
                            h, latent, null);
                    if (f.optBool("latent_moe_use_norm").orElse(false)) {
                        t.norm(b + ".routed_expert_norm", Component.ROUTED_EXPERTS, i, latent, false);
                    }
                }
                t.gatedMlp(b + ".experts.*", Component.ROUTED_EXPERTS, i, expertIn, expertInter, false, experts,
                        "w1", "w3", "w2");
                if (sharedInter > 0) {
                    t.gatedMlp(b + ".shared_experts", Component.SHARED_EXPERTS, i, h, sharedInter, 1);
                }
                moeLayers++;
            } else {
                t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size"), 1);
            }
            layers.add(layer);
        }
        t.norm("model.norm", -1, h, false);
        if (attnRes) {
            attentionResidual(t, "model.output_attn_res", -1, h);
        }
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        if (f.optInt("num_nextn_predict_layers").orElse(0) > 0) {
            throw f.invalid("num_nextn_predict_layers", f.node().get("num_nextn_predict_layers"),
                    "0 (no Kimi-Linear checkpoint ships MTP layers, and vLLM's kimi_linear.py has none)");
        }
        ModelSpec.MoeDims moe = moeLayers == 0 ? null
                : new ModelSpec.MoeDims(experts, topK, expertInter, sharedInter, moeLayers);
        return new Family.Built(t.list(), mla, moe, layers, 1, mla.qkNopeHeadDim() + mla.qkRopeHeadDim());
    }

    /** A block attention residual's RMSNorm and its 1 x hidden scoring projection (Kimi-K3). */
    private static void attentionResidual(Tensors t, String p, int i, long h) {
        t.norm(p + "_norm", i, h, false);
        t.other2d(p + "_proj.weight", Component.NORM, Sharding.REPLICATED, i, 1, h, null);
    }

    /** The nested {@code linear_attn_config} object, read with its own field names. */
    static ConfigFields linearAttention(ConfigFields f) {
        JsonNode node = f.node().get("linear_attn_config");
        if (node == null || node.isNull()) {
            throw f.missing("linear_attn_config");
        }
        if (!node.isObject()) {
            throw f.invalid("linear_attn_config", node, "an object (num_heads, head_dim, short_conv_kernel_size, kda_layers,"
                    + " full_attn_layers)");
        }
        return new ConfigFields(node, f.source() + " linear_attn_config");
    }

    /**
     * Which mixer each layer has: {@code kda_layers} and {@code full_attn_layers} number layers from 1
     * (vLLM KimiLinearConfig.is_kda_layer tests {@code layer_idx + 1}); each layer must be in exactly one.
     */
    private static List<Mixer> mixers(ParsedDims d, ConfigFields f, ConfigFields linear) {
        List<Integer> kda = linear.intList("kda_layers");
        List<Integer> full = linear.intList("full_attn_layers");
        List<Mixer> out = new ArrayList<>();
        for (int i = 1; i <= d.layers(); i++) {
            boolean isKda = kda.contains(i);
            boolean isFull = full.contains(i);
            if (isKda == isFull) {
                throw new InvalidConfigurationException("linear_attn_config", f.source() + ": layer " + i
                        + " (1-based) is " + (isKda ? "in both" : "in neither") + " of linear_attn_config.kda_layers and"
                        + " full_attn_layers; each of the " + d.layers() + " layers must be in exactly one");
            }
            out.add(isKda ? Mixer.KDA : Mixer.MLA);
        }
        for (List<Integer> list : List.of(kda, full)) {
            for (int v : list) {
                if (v < 1 || v > d.layers()) {
                    throw new InvalidConfigurationException("linear_attn_config", f.source()
                            + ": linear_attn_config names layer " + v + "; layers are numbered 1 to " + d.layers());
                }
            }
        }
        return out;
    }

    /**
     * A KDA layer's state (vLLM MambaStateShapeCalculator.kda_state_shape): the short convolutions' last
     * {@code short_conv_kernel_size - 1} inputs of q, k and v (each {@code num_heads x head_dim}) and a
     * recurrent state of {@code num_heads x head_dim x head_dim}.
     */
    private static ModelSpec.LayerCache kdaState(ConfigFields linear) {
        long proj = (long) linear.requirePositive("num_heads") * linear.requirePositive("head_dim");
        long conv = 3 * proj * (linear.requirePositive("short_conv_kernel_size") - 1);
        return ModelSpec.LayerCache.state(conv, proj * linear.requirePositive("head_dim"));
    }

    /**
     * Kimi Delta Attention (vLLM KimiDeltaAttention): q, k, v projections of {@code num_heads x head_dim},
     * a depthwise causal conv on each, the low-rank decay gate {@code f_a / f_b} and output gate
     * {@code g_a / g_b} (rank {@code head_dim}; with {@code use_full_rank_gate} one {@code g_proj}), the
     * per-head {@code b_proj}, FP32 {@code A_log} (one per head; {@code head_dim} of them with the
     * full-rank gate, as Kimi-K3's listing stores it) and {@code dt_bias}, a gated RMSNorm over a head and
     * {@code o_proj}; no biases.
     */
    private static void kda(Tensors t, String p, int i, long h, ConfigFields linear) {
        Component c = Component.ATTENTION;
        long heads = linear.requirePositive("num_heads");
        long dim = linear.requirePositive("head_dim");
        long proj = heads * dim;
        long kernel = linear.requirePositive("short_conv_kernel_size");
        for (String x : List.of("q", "k", "v")) {
            t.linear(p + "." + x + "_proj", c, Sharding.COLUMN, i, proj, h, false);
            t.other(p + "." + x + "_conv1d.weight", c, Sharding.COLUMN, i, proj * kernel);
        }
        boolean fullRankGate = linear.optBool("use_full_rank_gate").orElse(false);
        t.linear(p + ".f_a_proj", c, Sharding.REPLICATED, i, dim, h, false);
        t.linear(p + ".f_b_proj", c, Sharding.COLUMN, i, proj, dim, false);
        if (fullRankGate) {
            t.linear(p + ".g_proj", c, Sharding.COLUMN, i, proj, h, false);
        } else {
            t.linear(p + ".g_a_proj", c, Sharding.REPLICATED, i, dim, h, false);
            t.linear(p + ".g_b_proj", c, Sharding.COLUMN, i, proj, dim, false);
        }
        t.linear(p + ".b_proj", c, Sharding.COLUMN, i, heads, h, false);
        t.fp32(p + ".A_log", c, fullRankGate ? Sharding.REPLICATED : Sharding.COLUMN, i, fullRankGate ? dim : heads);
        t.fp32(p + ".dt_bias", c, Sharding.COLUMN, i, proj);
        t.norm(p + ".o_norm", i, dim, false);
        t.linear(p + ".o_proj", c, Sharding.ROW, i, h, proj, false);
    }
}

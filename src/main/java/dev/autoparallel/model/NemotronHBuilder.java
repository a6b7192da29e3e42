package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * NVIDIA Nemotron-H and Nemotron 3 (vLLM nemotron_h.py): a stack of single-block layers, each a
 * pre-RMSNorm and one mixer, picked by {@code hybrid_override_pattern} ({@code M} Mamba-2,
 * {@code *} attention, {@code -} squared-ReLU MLP, {@code E} mixture of experts) or by
 * {@code layers_block_type} ({@code mamba}, {@code attention}, {@code mlp}, {@code moe}). MoE
 * layers have non-gated experts ({@code up_proj}, {@code down_proj}), a sigmoid router with an
 * FP32 score-correction bias, a shared expert, and in the latent MoE of Nemotron 3 Super a
 * projection of the routed path to {@code moe_latent_size}. Multi-token-prediction layers
 * ({@code num_nextn_predict_layers}) follow {@code mtp_hybrid_override_pattern} or
 * {@code mtp_layers_block_type}.
 */
final class NemotronHBuilder {
    private NemotronHBuilder() {
    }

    /** A layer of the stack: what mixes tokens and what the feed-forward block is (one of them is NONE). */
    private enum Block { MAMBA, ATTENTION, MLP, MOE }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        List<Block> blocks = blocks(d, f);
        long h = d.hidden();
        int kvHeads = f.requirePositive("num_key_value_heads");
        int headDim = f.optPositive("head_dim", "attention_head_dim").orElseGet(() -> Builders.headDim(d, f));
        if (d.heads() % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + d.heads() + ")");
        }
        boolean mlpBias = f.optBool("mlp_bias").orElse(false);
        Tensors t = new Tensors();
        t.embedding("backbone.embeddings.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        int moeLayers = 0;
        for (int i = 0; i < d.layers(); i++) {
            String p = "backbone.layers." + i;
            t.norm(p + ".norm", i, h, false);
            Layer layer = block(t, p, i, blocks.get(i), d, f, kvHeads, headDim, mlpBias);
            layers.add(layer);
            moeLayers += layer.ffn() == Ffn.MOE ? 1 : 0;
        }
        t.norm("backbone.norm_f", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        if (moeLayers > 0 && f.requirePositive("num_experts_per_tok") > f.requirePositive("n_routed_experts")) {
            throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                    "at most n_routed_experts (" + f.requirePositive("n_routed_experts") + ")");
        }
        ModelSpec.MoeDims moe = moeLayers == 0 ? null : new ModelSpec.MoeDims(f.requirePositive("n_routed_experts"),
                f.requirePositive("num_experts_per_tok"), f.requirePositive("moe_intermediate_size"),
                f.optInt("n_shared_experts").orElse(0) * f.optInt("moe_shared_expert_intermediate_size").orElse(0),
                moeLayers);
        mtp(t, d, f, kvHeads, headDim, mlpBias);
        return new Family.Built(t.list(), null, moe, layers, kvHeads, headDim);
    }

    /** One layer's mixer or feed-forward block under {@code p} (its pre-norm is added by the caller). */
    private static Layer block(Tensors t, String p, int i, Block kind, ParsedDims d, ConfigFields f, int kvHeads,
                               int headDim, boolean mlpBias) {
        long h = d.hidden();
        switch (kind) {
            case MAMBA -> {
                mamba2(t, p + ".mixer", i, h, f);
                // vLLM MambaStateShapeCalculator.mamba2_state_shape: conv (conv_dim, kernel - 1), temporal
                // (heads, head_dim, d_state).
                long heads = f.requirePositive("mamba_num_heads");
                long headDim2 = f.requirePositive("mamba_head_dim");
                long state = f.requirePositive("ssm_state_size");
                long convDim = heads * headDim2 + 2L * f.requirePositive("n_groups") * state;
                return Layer.of(Mixer.MAMBA2, Ffn.NONE).withCache(ModelSpec.LayerCache.state(
                        convDim * (f.requirePositive("conv_kernel") - 1), heads * headDim2 * state));
            }
            case ATTENTION -> {
                Component a = Component.ATTENTION;
                boolean bias = f.optBool("attention_bias").orElse(false);
                long q = (long) d.heads() * headDim;
                t.linear(p + ".mixer.q_proj", a, Sharding.COLUMN, i, q, h, bias);
                t.linear(p + ".mixer.k_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
                t.linear(p + ".mixer.v_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
                t.linear(p + ".mixer.o_proj", a, Sharding.ROW, i, h, q, bias);
                return Layer.of(Mixer.FULL_ATTENTION, Ffn.NONE);
            }
            case MLP -> {
                long inter = f.requirePositive("intermediate_size");
                t.linear(p + ".mixer.up_proj", Component.DENSE_MLP, Sharding.COLUMN, i, inter, h, mlpBias);
                t.linear(p + ".mixer.down_proj", Component.DENSE_MLP, Sharding.ROW, i, h, inter, mlpBias);
                return Layer.of(Mixer.NONE, Ffn.DENSE);
            }
            case MOE -> {
                moe(t, p + ".mixer", i, h, f, mlpBias);
                return Layer.of(Mixer.NONE, Ffn.MOE);
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    /**
     * The multi-token-prediction step (vLLM nemotron_h_mtp.py): the blocks of
     * {@code mtp_hybrid_override_pattern} / {@code mtp_layers_block_type}, each with its pre-norm;
     * the first also has enorm, hnorm and eh_proj over [embedding; hidden], the last a final norm.
     * The embedding and the head are the model's. Only one MTP step is supported there.
     */
    private static void mtp(Tensors t, ParsedDims d, ConfigFields f, int kvHeads, int headDim, boolean mlpBias) {
        int steps = f.optInt("num_nextn_predict_layers").orElse(0);
        if (steps == 0) {
            return;
        }
        if (steps != 1) {
            throw f.invalid("num_nextn_predict_layers", f.node().get("num_nextn_predict_layers"),
                    "0 or 1 (vLLM's NemotronH MTP supports one step)");
        }
        List<Block> pattern = f.has("mtp_layers_block_type")
                ? parseTypes(f, "mtp_layers_block_type", f.stringList("mtp_layers_block_type"))
                : parsePattern(f, "mtp_hybrid_override_pattern", f.optString("mtp_hybrid_override_pattern")
                        .orElseThrow(() -> f.missing("mtp_hybrid_override_pattern", "mtp_layers_block_type")));
        long h = d.hidden();
        for (int k = 0; k < pattern.size(); k++) {
            String p = "mtp.layers." + k;
            int index = d.layers() + k;
            t.norm(p + ".norm", Component.MTP, index, h, false);
            block(t, p, index, pattern.get(k), d, f, kvHeads, headDim, mlpBias);
            if (k == 0) {
                t.norm(p + ".enorm", Component.MTP, index, h, false);
                t.norm(p + ".hnorm", Component.MTP, index, h, false);
                t.linear(p + ".eh_proj", Component.MTP, Sharding.REPLICATED, index, h, 2 * h, false);
            }
            if (k == pattern.size() - 1) {
                t.norm(p + ".final_layernorm", Component.MTP, index, h, false);
            }
        }
    }

    private static List<Block> blocks(ParsedDims d, ConfigFields f) {
        List<Block> out = f.has("layers_block_type")
                ? parseTypes(f, "layers_block_type", f.stringList("layers_block_type"))
                : parsePattern(f, "hybrid_override_pattern", f.optString("hybrid_override_pattern")
                        .orElseThrow(() -> f.missing("hybrid_override_pattern", "layers_block_type")));
        if (out.size() != d.layers()) {
            String field = f.has("layers_block_type") ? "layers_block_type" : "hybrid_override_pattern";
            throw f.invalid(field, f.node().get(field), "one entry per layer (num_hidden_layers " + d.layers() + ")");
        }
        return out;
    }

    private static List<Block> parseTypes(ConfigFields f, String field, List<String> types) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            out.add(switch (types.get(i)) {
                case "mamba" -> Block.MAMBA;
                case "attention" -> Block.ATTENTION;
                case "mlp" -> Block.MLP;
                case "moe" -> Block.MOE;
                default -> throw new InvalidConfigurationException(field, f.source() + ": " + field + "[" + i
                        + "] was '" + types.get(i) + "'; allowed: mamba, attention, mlp, moe");
            });
        }
        return out;
    }

    private static List<Block> parsePattern(ConfigFields f, String field, String pattern) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            out.add(switch (c) {
                case 'M' -> Block.MAMBA;
                case '*' -> Block.ATTENTION;
                case '-' -> Block.MLP;
                case 'E' -> Block.MOE;
                default -> throw new InvalidConfigurationException(field, f.source() + ": " + field + " has '" + c
                        + "' at position " + i + "; allowed: M (Mamba-2), * (attention), - (MLP), E (MoE)");
            });
        }
        return out;
    }

    /**
     * vLLM MambaMixer2 under Nemotron-H's field names ({@code mamba_num_heads}, {@code mamba_head_dim},
     * {@code n_groups}, {@code ssm_state_size}, {@code conv_kernel}, {@code use_bias}, {@code use_conv_bias}).
     */
    private static void mamba2(Tensors t, String p, int i, long h, ConfigFields f) {
        long heads = f.requirePositive("mamba_num_heads");
        mamba2Tensors(t, p, i, h, heads, heads * f.requirePositive("mamba_head_dim"), f.requirePositive("n_groups"),
                f.requirePositive("ssm_state_size"), f.requirePositive("conv_kernel"), f.optBool("use_bias").orElse(false),
                f.optBool("use_conv_bias").orElse(true));
    }

    /**
     * vLLM MambaMixer2's parameters: in_proj to [z, x, B, C, dt] ({@code 2 x width + 2 x groups x state
     * + heads}), a depthwise conv over [x, B, C], per-head A_log, D and dt_bias, a grouped gated
     * RMSNorm over the width, out_proj; {@code width} is heads x head dim.
     */
    static void mamba2Tensors(Tensors t, String p, int i, long h, long heads, long width, long groups, long state,
                              long kernel, boolean projBias, boolean convBias) {
        Component c = Component.ATTENTION;
        long convDim = width + 2L * groups * state;
        t.linear(p + ".in_proj", c, Sharding.COLUMN, i, width + convDim + heads, h, projBias);
        t.other(p + ".conv1d.weight", c, Sharding.COLUMN, i, convDim * kernel);
        if (convBias) {
            t.other(p + ".conv1d.bias", c, Sharding.COLUMN, i, convDim);
        }
        t.other(p + ".A_log", c, Sharding.COLUMN, i, heads);
        t.other(p + ".D", c, Sharding.COLUMN, i, heads);
        t.other(p + ".dt_bias", c, Sharding.COLUMN, i, heads);
        t.other(p + ".norm.weight", c, Sharding.COLUMN, i, width);
        t.linear(p + ".out_proj", c, Sharding.ROW, i, h, width, projBias);
    }

    /** vLLM NemotronHMoE: gate with an FP32 e_score_correction_bias, non-gated experts, shared experts, latent projections. */
    private static void moe(Tensors t, String p, int i, long h, ConfigFields f, boolean bias) {
        int experts = f.requirePositive("n_routed_experts");
        long inter = f.requirePositive("moe_intermediate_size");
        t.linear(p + ".gate", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
        t.fp32(p + ".gate.e_score_correction_bias", Component.ROUTER, Sharding.REPLICATED, i, experts);
        long expertHidden = h;
        if (f.has("moe_latent_size")) {
            expertHidden = f.requirePositive("moe_latent_size");
            t.linear(p + ".fc1_latent_proj", Component.ROUTED_EXPERTS, Sharding.REPLICATED, i, expertHidden, h, bias);
            t.linear(p + ".fc2_latent_proj", Component.ROUTED_EXPERTS, Sharding.REPLICATED, i, h, expertHidden, bias);
        }
        t.linear(p + ".experts.*.up_proj", Component.ROUTED_EXPERTS, Sharding.COLUMN, i, inter, expertHidden, bias, experts);
        t.linear(p + ".experts.*.down_proj", Component.ROUTED_EXPERTS, Sharding.ROW, i, expertHidden, inter, bias, experts);
        long shared = (long) f.optInt("n_shared_experts").orElse(0) * f.optInt("moe_shared_expert_intermediate_size").orElse(0);
        if (shared > 0) {
            t.linear(p + ".shared_experts.up_proj", Component.SHARED_EXPERTS, Sharding.COLUMN, i, shared, h, bias);
            t.linear(p + ".shared_experts.down_proj", Component.SHARED_EXPERTS, Sharding.ROW, i, h, shared, bias);
        }
    }
}

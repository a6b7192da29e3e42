package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * IBM Granite 4.0 ({@code granitemoehybrid}; vLLM granitemoehybrid.py, read 2026-12): each layer is
 * a Mamba-2 mixer or grouped-query attention, chosen by {@code layer_types} ({@code mamba},
 * {@code attention}), followed by a mixture of experts ({@code block_sparse_moe}: a router and the
 * experts' fused {@code input_linear} [gate; up] and {@code output_linear}) when
 * {@code num_local_experts} is positive, and a shared MLP ({@code shared_mlp}) of
 * {@code shared_intermediate_size} when that is positive (the only feed-forward of the dense
 * models). The Mamba width is {@code mamba_expand x hidden_size}, which must equal
 * {@code mamba_n_heads x mamba_d_head}. Scalar multipliers add no weights.
 */
final class GraniteMoeHybridBuilder {
    private GraniteMoeHybridBuilder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        List<String> types = f.stringList("layer_types");
        if (types.size() != d.layers()) {
            throw f.invalid("layer_types", f.node().get("layer_types"), "one entry per layer (num_hidden_layers "
                    + d.layers() + ")");
        }
        int kvHeads = f.requirePositive("num_key_value_heads");
        if (d.heads() % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + d.heads() + ")");
        }
        int headDim = Builders.headDim(d, f);
        int experts = f.optInt("num_local_experts").orElse(0);
        int topK = experts > 0 ? f.requirePositive("num_experts_per_tok") : 0;
        if (topK > experts) {
            throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                    "at most num_local_experts (" + experts + ")");
        }
        int shared = f.optInt("shared_intermediate_size").orElse(0);
        if (experts == 0 && shared == 0) {
            throw f.invalid("shared_intermediate_size", f.node().get("shared_intermediate_size"),
                    "positive when num_local_experts is 0 (the shared MLP is then the layer's only feed-forward)");
        }
        long h = d.hidden();
        boolean attnBias = f.optBool("attention_bias").orElse(false);
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            Mixer mixer = switch (types.get(i)) {
                case "mamba" -> Mixer.MAMBA2;
                case "attention" -> Mixer.FULL_ATTENTION;
                default -> throw new InvalidConfigurationException("layer_types", f.source() + ": layer_types[" + i
                        + "] was '" + types.get(i) + "'; model_type 'granitemoehybrid' allows mamba, attention");
            };
            Layer layer;
            if (mixer == Mixer.MAMBA2) {
                layer = mamba2(t, p + ".mamba", i, h, f);
            } else {
                Component a = Component.ATTENTION;
                long q = (long) d.heads() * headDim;
                t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, q, h, attnBias);
                t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, attnBias);
                t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, attnBias);
                t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, q, attnBias);
                layer = Layer.of(Mixer.FULL_ATTENTION, experts > 0 ? Ffn.MOE : Ffn.DENSE);
            }
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            if (experts > 0) {
                long inter = f.requirePositive("intermediate_size");
                String b = p + ".block_sparse_moe";
                t.linear(b + ".router.layer", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
                t.linear(b + ".input_linear", Component.ROUTED_EXPERTS, Sharding.COLUMN, i, 2 * inter, h, false, experts);
                t.linear(b + ".output_linear", Component.ROUTED_EXPERTS, Sharding.ROW, i, h, inter, false, experts);
            }
            if (shared > 0) {
                Component c = experts > 0 ? Component.SHARED_EXPERTS : Component.DENSE_MLP;
                t.linear(p + ".shared_mlp.input_linear", c, Sharding.COLUMN, i, 2L * shared, h, false);
                t.linear(p + ".shared_mlp.output_linear", c, Sharding.ROW, i, h, shared, false);
            }
            layers.add(layer);
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        ModelSpec.MoeDims moe = experts == 0 ? null
                : new ModelSpec.MoeDims(experts, topK, f.requirePositive("intermediate_size"), shared, d.layers());
        return new Family.Built(t.list(), null, moe, layers, kvHeads, headDim);
    }

    /**
     * vLLM MambaMixer2 under Granite's field names: in_proj to [z, x, B, C, dt], a depthwise conv over
     * [x, B, C] ({@code mamba_conv_bias}), per-head A_log, D and dt_bias, a gated RMSNorm over the
     * width, out_proj ({@code mamba_proj_bias} on both projections).
     */
    private static Layer mamba2(Tensors t, String p, int i, long h, ConfigFields f) {
        long heads = f.requirePositive("mamba_n_heads");
        long width = heads * f.requirePositive("mamba_d_head");
        long expanded = (long) f.requirePositive("mamba_expand") * h;
        if (width != expanded) {
            throw f.invalid("mamba_d_head", f.node().get("mamba_d_head"), "mamba_expand x hidden_size / mamba_n_heads ("
                    + expanded + " / " + heads + "), the width vLLM's MambaMixer2 is built with");
        }
        long state = f.requirePositive("mamba_d_state");
        long groups = f.requirePositive("mamba_n_groups");
        long kernel = f.requirePositive("mamba_d_conv");
        NemotronHBuilder.mamba2Tensors(t, p, i, h, heads, width, groups, state, kernel,
                f.optBool("mamba_proj_bias").orElse(false), f.optBool("mamba_conv_bias").orElse(true));
        Ffn ffn = f.optInt("num_local_experts").orElse(0) > 0 ? Ffn.MOE : Ffn.DENSE;
        long convDim = width + 2L * groups * state;
        return Layer.of(Mixer.MAMBA2, ffn).withCache(ModelSpec.LayerCache.state(convDim * (kernel - 1), width * state));
    }
}

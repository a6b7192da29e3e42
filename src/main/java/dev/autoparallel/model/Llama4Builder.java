package dev.autoparallel.model;

import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama 4 (Scout, Maverick) as vLLM's llama4.py and transformers' modeling_llama4.py build it:
 * every {@code interleave_moe_layer_step}-th layer (or the explicit {@code moe_layers}) is a
 * mixture of experts with fused {@code gate_up_proj} experts, a router and one shared expert of
 * {@code intermediate_size}; the other layers are dense MLPs of {@code intermediate_size_mlp}.
 * Layers with RoPE attend within chunks of {@code attention_chunk_size}; every
 * {@code no_rope_layer_interval}-th layer (or where {@code no_rope_layers} is 0) is a global
 * NoPE layer. The QK norm is a weightless L2 norm. Names are the text model's; the multimodal
 * wrapper's checkpoint prefix ({@code language_model.model.*}) is added by {@link ConfigParser}.
 */
final class Llama4Builder {
    /** transformers Llama4TextConfig: no_rope_layer_interval defaults to 4. */
    private static final int DEFAULT_NO_ROPE_INTERVAL = 4;

    private Llama4Builder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int kvHeads = f.requirePositive("num_key_value_heads");
        int headDim = Builders.headDim(d, f);
        int experts = f.requirePositive("num_local_experts");
        int topK = f.requirePositive("num_experts_per_tok");
        if (topK > experts) {
            throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                    "at most num_local_experts (" + experts + ")");
        }
        int kvCheck = f.requirePositive("num_key_value_heads");
        if (d.heads() % kvCheck != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + d.heads() + ")");
        }
        int expertInter = f.requirePositive("intermediate_size");
        List<Integer> moeLayers = moeLayers(d, f);
        List<Boolean> rope = ropeLayers(d, f);
        int chunk = f.optInt("attention_chunk_size").orElse(0);
        boolean bias = f.optBool("attention_bias").orElse(false);
        String root = "model";
        Tensors t = new Tensors();
        t.embedding(root + ".embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            String p = root + ".layers." + i;
            Component a = Component.ATTENTION;
            long q = (long) d.heads() * headDim;
            t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, q, h, bias);
            t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
            t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, bias);
            t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, q, bias);
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            boolean moe = moeLayers.contains(i);
            if (moe) {
                t.linear(p + ".feed_forward.router", Component.ROUTER, Sharding.REPLICATED, i, experts, h, false);
                // Llama4TextExperts: gate_up_proj [E, hidden, 2 x inter] and down_proj [E, inter, hidden].
                t.linear(p + ".feed_forward.experts.gate_up_proj", Component.ROUTED_EXPERTS, Sharding.COLUMN, i,
                        2L * expertInter, h, false, experts);
                t.linear(p + ".feed_forward.experts.down_proj", Component.ROUTED_EXPERTS, Sharding.ROW, i,
                        h, expertInter, false, experts);
                t.gatedMlp(p + ".feed_forward.shared_expert", Component.SHARED_EXPERTS, i, h, expertInter, 1);
            } else {
                t.gatedMlp(p + ".feed_forward", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size_mlp"), 1);
            }
            Mixer mixer = !rope.get(i) ? Mixer.NO_ROPE : chunk > 0 ? Mixer.CHUNKED_LOCAL : Mixer.FULL_ATTENTION;
            layers.add(new Layer(mixer, mixer == Mixer.CHUNKED_LOCAL ? chunk : 0, -1, moe ? Ffn.MOE : Ffn.DENSE));
        }
        t.norm(root + ".norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return new Family.Built(t.list(), null,
                new ModelSpec.MoeDims(experts, topK, expertInter, expertInter, moeLayers.size()), layers, kvHeads, headDim);
    }

    /** transformers Llama4TextConfig: moe_layers, else every interleave_moe_layer_step-th layer from step - 1. */
    private static List<Integer> moeLayers(ParsedDims d, ConfigFields f) {
        List<Integer> explicit = f.intList("moe_layers");
        if (!explicit.isEmpty()) {
            for (int i : explicit) {
                if (i < 0 || i >= d.layers()) {
                    throw f.invalid("moe_layers", f.node().get("moe_layers"), "layer indices from 0 to " + (d.layers() - 1));
                }
            }
            return explicit;
        }
        int step = f.requirePositive("interleave_moe_layer_step");
        List<Integer> out = new ArrayList<>();
        for (int i = step - 1; i < d.layers(); i += step) {
            out.add(i);
        }
        return out;
    }

    /** Whether each layer uses RoPE: {@code no_rope_layers} (1 = RoPE), else all but every interval-th layer. */
    private static List<Boolean> ropeLayers(ParsedDims d, ConfigFields f) {
        List<Integer> flags = f.intList("no_rope_layers");
        List<Boolean> out = new ArrayList<>();
        if (!flags.isEmpty()) {
            if (flags.size() != d.layers()) {
                throw f.invalid("no_rope_layers", f.node().get("no_rope_layers"), "one 0/1 entry per layer (" + d.layers() + ")");
            }
            flags.forEach(v -> out.add(v != 0));
            return out;
        }
        int interval = f.optPositive("no_rope_layer_interval").orElse(DEFAULT_NO_ROPE_INTERVAL);
        for (int i = 0; i < d.layers(); i++) {
            out.add((i + 1) % interval != 0);
        }
        return out;
    }
}

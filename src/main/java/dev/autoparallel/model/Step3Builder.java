package dev.autoparallel.model;

import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * StepFun's Step3 language model ({@code step3_text}, inside the {@code step3_vl} wrapper), as vLLM's step3_text.py
 * builds it (read 2026-12-01): multi-matrix factorised attention with one KV head of {@code head_dim}, whose query is
 * a low-rank {@code share_q_dim} projection, RMS-normed ({@code inter_norm}) and expanded to every head by
 * {@code wq}; the checkpoint's separate {@code q_proj}, {@code k_proj} and {@code v_proj} load into one replicated
 * {@code qkv_proj}, while {@code wq} is column- and {@code o_proj} row-parallel. The layers {@code moe_layers_enum} lists
 * hold {@code moe_num_experts} routed experts of {@code moe_intermediate_size} (packed {@code moe.gate_proj} /
 * {@code up_proj} / {@code down_proj}), a router in the model's dtype ({@code moe.gate}) and a shared expert of
 * {@code share_expert_dim} ({@code share_expert}); the others a dense MLP of {@code intermediate_size}. The LM head is
 * always separate from the embedding.
 */
final class Step3Builder {
    private Step3Builder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        if (f.optInt("num_attention_groups").orElse(1) != 1) {
            throw f.invalid("num_attention_groups", f.node().get("num_attention_groups"),
                    "1 (vLLM's step3_text.py builds one KV head)");
        }
        if (d.tied()) {
            throw f.invalid("tie_word_embeddings", f.node().get("tie_word_embeddings"),
                    "false (vLLM's step3_text.py always loads a separate lm_head)");
        }
        f.requireValue("hidden_act", "silu", true);
        int headDim = f.requirePositive("head_dim");
        int shareQ = f.optPositive("share_q_dim").orElse(headDim);
        if (!f.has("moe_layers_enum")) {
            // The config class's default is a tuple, which vLLM's .strip().split(",") cannot read: a loadable config
            // states it.
            throw f.missing("moe_layers_enum");
        }
        Set<Integer> moeLayers = Step3p5Builder.moeLayers(f, d.layers(), d.layers());
        int experts = moeLayers.isEmpty() ? 0 : f.requirePositive("moe_num_experts");
        int topK = moeLayers.isEmpty() ? 0 : f.requirePositive("moe_top_k");
        if (topK > experts) {
            throw f.invalid("moe_top_k", f.node().get("moe_top_k"), "at most moe_num_experts (" + experts + ")");
        }
        long h = d.hidden();
        long heads = d.heads();
        Component a = Component.ATTENTION;
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            t.linear(p + ".self_attn.q_proj", a, Sharding.REPLICATED, i, shareQ, h, false);
            t.linear(p + ".self_attn.k_proj", a, Sharding.REPLICATED, i, headDim, h, false);
            t.linear(p + ".self_attn.v_proj", a, Sharding.REPLICATED, i, headDim, h, false);
            t.norm(p + ".self_attn.inter_norm", Component.NORM, i, shareQ, false);
            t.linear(p + ".self_attn.wq", a, Sharding.COLUMN, i, heads * headDim, shareQ, false);
            t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, heads * headDim, false);
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            boolean moe = moeLayers.contains(i);
            if (moe) {
                t.other2d(p + ".moe.gate.weight", Component.ROUTER, Sharding.REPLICATED, i, experts, h, null);
                t.gatedMlp(p + ".moe", Component.ROUTED_EXPERTS, i, h, f.requirePositive("moe_intermediate_size"), experts);
                t.gatedMlp(p + ".share_expert", Component.SHARED_EXPERTS, i, h, f.requirePositive("share_expert_dim"), 1);
            } else {
                t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size"), 1);
            }
            layers.add(new Layer(Mixer.FULL_ATTENTION, 0, -1, moe ? Ffn.MOE : Ffn.DENSE, ModelSpec.LayerCache.kv(1, headDim)));
        }
        t.norm("model.norm", -1, h, false);
        t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        ModelSpec.MoeDims moe = moeLayers.isEmpty() ? null : new ModelSpec.MoeDims(experts, topK,
                f.requirePositive("moe_intermediate_size"), f.requirePositive("share_expert_dim"), moeLayers.size());
        return new Family.Built(t.list(), null, moe, layers, 1, headDim);
    }
}

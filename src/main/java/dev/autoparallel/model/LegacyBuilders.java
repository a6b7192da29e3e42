package dev.autoparallel.model;

import java.util.Collections;
import java.util.List;

/**
 * Decoders with LayerNorm and a plain (non-gated) MLP: GPT-2, GPT-BigCode, OPT, GPT-NeoX,
 * Falcon (both layouts), Phi-1/2. Module names follow the Hugging Face checkpoints.
 */
final class LegacyBuilders {
    private LegacyBuilders() {
    }

    private static Family.Built dense(Tensors t, ParsedDims d, int kvHeads, int headDim) {
        return new Family.Built(t.list(), null, null,
                Collections.nCopies(d.layers(), ModelSpec.Layer.of(ModelSpec.Mixer.FULL_ATTENTION, ModelSpec.Ffn.DENSE)),
                kvHeads, headDim);
    }

    /** GPT-2 and GPT-BigCode (multi-query when {@code multi_query}); Conv1D layers, learned positions. */
    static Family.Built gpt2(ParsedDims d, ConfigFields f, Family family) {
        int headDim = Builders.headDim(d, f);
        boolean mq = family == Family.GPT_BIGCODE && f.optBool("multi_query").orElse(true);
        int kvHeads = mq ? 1 : d.heads();
        // transformers: n_inner None means 4 x n_embd (GPT2Config, GPTBigCodeConfig).
        long inner = f.optPositive("n_inner").orElse(4 * d.hidden());
        long h = d.hidden();
        Tensors t = new Tensors();
        t.embedding("transformer.wte.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        t.embedding("transformer.wpe.weight", Component.EMBEDDING, Sharding.REPLICATED, d.maxPositions(), h);
        for (int i = 0; i < d.layers(); i++) {
            String p = "transformer.h." + i;
            t.norm(p + ".ln_1", i, h, true);
            t.linear(p + ".attn.q_attn", Component.ATTENTION, Sharding.COLUMN, i, h, h, true);
            t.linear(p + ".attn.kv_attn", Component.ATTENTION, Sharding.KV_HEADS, i, 2L * kvHeads * headDim, h, true);
            t.linear(p + ".attn.c_proj", Component.ATTENTION, Sharding.ROW, i, h, h, true);
            t.norm(p + ".ln_2", i, h, true);
            t.linear(p + ".mlp.c_fc", Component.DENSE_MLP, Sharding.COLUMN, i, inner, h, true);
            t.linear(p + ".mlp.c_proj", Component.DENSE_MLP, Sharding.ROW, i, h, inner, true);
        }
        t.norm("transformer.ln_f", -1, h, true);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return dense(t, d, kvHeads, headDim);
    }

    /** OPT: learned positions offset by 2, optional project_in/out, biases everywhere by default. */
    static Family.Built opt(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int headDim = Builders.headDim(d, f);
        long ffn = f.requirePositive("ffn_dim");
        long proj = f.optPositive("word_embed_proj_dim").orElse(d.hidden());
        boolean bias = f.optBool("enable_bias").orElse(true);
        boolean affine = f.optBool("layer_norm_elementwise_affine").orElse(true);
        Tensors t = new Tensors();
        t.embedding("model.decoder.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), proj);
        // OPTLearnedPositionalEmbedding keeps 2 extra rows (offset = 2).
        t.embedding("model.decoder.embed_positions.weight", Component.EMBEDDING, Sharding.REPLICATED, d.maxPositions() + 2L, h);
        if (proj != h) {
            t.linear("model.decoder.project_in", Component.EMBEDDING, Sharding.REPLICATED, -1, h, proj, false);
            t.linear("model.decoder.project_out", Component.EMBEDDING, Sharding.REPLICATED, -1, proj, h, false);
        }
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.decoder.layers." + i;
            t.linear(p + ".self_attn.q_proj", Component.ATTENTION, Sharding.COLUMN, i, h, h, bias);
            t.linear(p + ".self_attn.k_proj", Component.ATTENTION, Sharding.KV_HEADS, i, h, h, bias);
            t.linear(p + ".self_attn.v_proj", Component.ATTENTION, Sharding.KV_HEADS, i, h, h, bias);
            t.linear(p + ".self_attn.out_proj", Component.ATTENTION, Sharding.ROW, i, h, h, bias);
            if (affine) {
                t.norm(p + ".self_attn_layer_norm", i, h, true);
                t.norm(p + ".final_layer_norm", i, h, true);
            }
            t.linear(p + ".fc1", Component.DENSE_MLP, Sharding.COLUMN, i, ffn, h, bias);
            t.linear(p + ".fc2", Component.DENSE_MLP, Sharding.ROW, i, h, ffn, bias);
        }
        boolean finalNorm = f.optBool("do_layer_norm_before").orElse(true)
                && !f.optBool("_remove_final_layer_norm").orElse(false);
        if (finalNorm && affine) {
            t.norm("model.decoder.final_layer_norm", -1, h, true);
        }
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), proj);
        }
        return dense(t, d, d.heads(), headDim);
    }

    /** GPT-NeoX / Pythia: fused QKV with biases, two LayerNorms per layer, untied embed_out. */
    static Family.Built gptNeox(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int headDim = Builders.headDim(d, f);
        long inter = f.requirePositive("intermediate_size");
        boolean bias = f.optBool("attention_bias").orElse(true);
        Tensors t = new Tensors();
        t.embedding("gpt_neox.embed_in.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        for (int i = 0; i < d.layers(); i++) {
            String p = "gpt_neox.layers." + i;
            t.norm(p + ".input_layernorm", i, h, true);
            t.norm(p + ".post_attention_layernorm", i, h, true);
            t.linear(p + ".attention.query", Component.ATTENTION, Sharding.COLUMN, i, h, h, bias);
            t.linear(p + ".attention.key_value", Component.ATTENTION, Sharding.KV_HEADS, i, 2 * h, h, bias);
            t.linear(p + ".attention.dense", Component.ATTENTION, Sharding.ROW, i, h, h, bias);
            t.linear(p + ".mlp.dense_h_to_4h", Component.DENSE_MLP, Sharding.COLUMN, i, inter, h, true);
            t.linear(p + ".mlp.dense_4h_to_h", Component.DENSE_MLP, Sharding.ROW, i, h, inter, true);
        }
        t.norm("gpt_neox.final_layer_norm", -1, h, true);
        if (!d.tied()) {
            t.embedding("embed_out.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return dense(t, d, d.heads(), headDim);
    }

    /**
     * Falcon. The original layout (falcon-7b, {@code RefinedWebModel}): one LayerNorm before the
     * parallel attention and MLP, multi-query when {@code multi_query}. The new decoder
     * architecture (falcon-40b/180b, {@code RefinedWeb} or {@code new_decoder_architecture}):
     * grouped KV heads and separate ln_attn/ln_mlp.
     */
    static Family.Built falcon(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int headDim = Builders.headDim(d, f);
        String type = f.optString("model_type").orElse("");
        boolean newArch = f.optBool("new_decoder_architecture").orElse("RefinedWeb".equals(type));
        boolean parallel = f.optBool("parallel_attn").orElse(true);
        boolean bias = f.optBool("bias").orElse(false);
        int kvHeads;
        if (newArch) {
            kvHeads = f.requirePositive("num_kv_heads", "n_head_kv");
            requireDivisor(f, d, kvHeads, f.has("num_kv_heads") ? "num_kv_heads" : "n_head_kv");
        } else {
            kvHeads = f.optBool("multi_query").orElse(true) ? 1 : d.heads();
        }
        // FalconConfig: ffn_hidden_size None means 4 x hidden_size.
        long ffn = f.optPositive("ffn_hidden_size").orElse(4 * d.hidden());
        int lnInParallel = f.optInt("num_ln_in_parallel_attn").orElse(2);
        Tensors t = new Tensors();
        t.embedding("transformer.word_embeddings.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        for (int i = 0; i < d.layers(); i++) {
            String p = "transformer.h." + i;
            if (newArch && lnInParallel == 2) {
                t.norm(p + ".ln_attn", i, h, true);
                t.norm(p + ".ln_mlp", i, h, true);
            } else {
                t.norm(p + ".input_layernorm", i, h, true);
                if (!parallel) {
                    t.norm(p + ".post_attention_layernorm", i, h, true);
                }
            }
            t.linear(p + ".self_attention.query", Component.ATTENTION, Sharding.COLUMN, i, (long) d.heads() * headDim, h, bias);
            t.linear(p + ".self_attention.key_value", Component.ATTENTION, Sharding.KV_HEADS, i, 2L * kvHeads * headDim, h, bias);
            t.linear(p + ".self_attention.dense", Component.ATTENTION, Sharding.ROW, i, h, (long) d.heads() * headDim, bias);
            t.linear(p + ".mlp.dense_h_to_4h", Component.DENSE_MLP, Sharding.COLUMN, i, ffn, h, bias);
            t.linear(p + ".mlp.dense_4h_to_h", Component.DENSE_MLP, Sharding.ROW, i, h, ffn, bias);
        }
        t.norm("transformer.ln_f", -1, h, true);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return dense(t, d, kvHeads, headDim);
    }

    /** Phi-1/1.5/2: parallel attention and MLP after one LayerNorm, biases everywhere, LM head with bias. */
    static Family.Built phi(ParsedDims d, ConfigFields f, Family family) {
        long h = d.hidden();
        int headDim = Builders.headDim(d, f);
        int kvHeads = f.optPositive("num_key_value_heads").orElse(d.heads());
        requireDivisor(f, d, kvHeads, "num_key_value_heads");
        long inter = f.requirePositive("intermediate_size");
        boolean qkNorm = f.optBool("qk_layernorm").orElse(false);
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            t.norm(p + ".input_layernorm", i, h, true);
            t.linear(p + ".self_attn.q_proj", Component.ATTENTION, Sharding.COLUMN, i, (long) d.heads() * headDim, h, true);
            t.linear(p + ".self_attn.k_proj", Component.ATTENTION, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, true);
            t.linear(p + ".self_attn.v_proj", Component.ATTENTION, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, true);
            t.linear(p + ".self_attn.dense", Component.ATTENTION, Sharding.ROW, i, h, (long) d.heads() * headDim, true);
            if (qkNorm) {
                t.norm(p + ".self_attn.q_layernorm", i, headDim, true);
                t.norm(p + ".self_attn.k_layernorm", i, headDim, true);
            }
            t.linear(p + ".mlp.fc1", Component.DENSE_MLP, Sharding.COLUMN, i, inter, h, true);
            t.linear(p + ".mlp.fc2", Component.DENSE_MLP, Sharding.ROW, i, h, inter, true);
        }
        t.norm("model.final_layernorm", -1, h, true);
        if (!d.tied()) {
            t.linear("lm_head", Component.LM_HEAD, Sharding.VOCAB, -1, d.vocab(), h, true);
        } else {
            t.other("lm_head.bias", Component.LM_HEAD, Sharding.VOCAB, -1, d.vocab());
        }
        return dense(t, d, kvHeads, headDim);
    }

    /** KV heads must split the attention heads evenly, as every attention kernel (and vLLM) requires. */
    private static void requireDivisor(ConfigFields f, ParsedDims d, int kvHeads, String field) {
        if (d.heads() % kvHeads != 0) {
            throw f.invalid(field, f.node().get(field), "a divisor of the attention heads (" + d.heads() + ")");
        }
    }
}

package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * MiniMax-M3's language model ({@code MiniMaxM3SparseForCausalLM}, the text_config of
 * {@code minimax_m3_vl}), laid out as its checkpoint stores it (read 2026-12 from a published
 * listing of MiniMaxAI/MiniMax-M3's 23,416 tensors): grouped-query attention without biases and
 * with per-head q / k RMSNorms; a dense MLP of {@code dense_intermediate_size} where
 * {@code moe_layer_freq[i]} is 0, else a mixture of experts ({@code block_sparse_moe}: a float32
 * router and score-correction bias, experts {@code w1 / w3 / w2}, a shared expert); and where
 * {@code sparse_attention_config.sparse_attention_freq[i]} is 1, a block-sparse attention indexer
 * ({@code index_q_proj} of {@code sparse_num_index_heads x sparse_index_dim}, {@code index_k_proj}
 * of one index head, and their RMSNorms). The checkpoint ships no MTP weights although the config
 * names one MTP layer, so none are counted.
 */
final class MiniMaxM3Builder {
    private MiniMaxM3Builder() {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        int kvHeads = f.requirePositive("num_key_value_heads");
        int headDim = f.requirePositive("head_dim");
        if (d.heads() % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a divisor of num_attention_heads (" + d.heads() + ")");
        }
        if (f.optBool("attention_output_gate").orElse(false)) {
            throw f.invalid("attention_output_gate", f.node().get("attention_output_gate"),
                    "false (no published MiniMax-M3 checkpoint has an attention output gate to size)");
        }
        boolean qkNorm = f.optBool("use_qk_norm").orElse(false);
        if (qkNorm) {
            f.requireValue("qk_norm_type", "per_head", true);
        }
        int nShared = f.optInt("n_shared_experts").orElse(0);
        if (nShared > 1) {
            throw f.invalid("n_shared_experts", f.node().get("n_shared_experts"),
                    "0 or 1 (MiniMax-M3 has one shared expert of shared_intermediate_size)");
        }
        List<Integer> moeFreq = f.layerFlags("moe_layer_freq", d.layers());
        ConfigFields sparse = sparseAttention(f);
        List<Integer> sparseFreq = sparse == null ? List.of() : sparse.layerFlags("sparse_attention_freq", d.layers());
        int experts = f.requirePositive("num_local_experts");
        int topK = f.requirePositive("num_experts_per_tok");
        if (topK > experts) {
            throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                    "at most num_local_experts (" + experts + ")");
        }
        long expertInter = f.requirePositive("intermediate_size");
        long sharedInter = nShared == 0 ? 0 : f.requirePositive("shared_intermediate_size");
        long h = d.hidden();
        Component a = Component.ATTENTION;
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        int moeLayers = 0;
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            long q = (long) d.heads() * headDim;
            t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, q, h, false);
            t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, false);
            t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kvHeads * headDim, h, false);
            t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, q, false);
            if (qkNorm) {
                t.norm(p + ".self_attn.q_norm", i, headDim, false);
                t.norm(p + ".self_attn.k_norm", i, headDim, false);
            }
            boolean indexed = !sparseFreq.isEmpty() && sparseFreq.get(i) == 1;
            int indexDim = indexed ? sparse.requirePositive("sparse_index_dim") : 0;
            if (indexed) {
                long indexHeads = sparse.requirePositive("sparse_num_index_heads");
                t.linear(p + ".self_attn.index_q_proj", a, Sharding.REPLICATED, i, indexHeads * indexDim, h, false);
                t.linear(p + ".self_attn.index_k_proj", a, Sharding.REPLICATED, i, indexDim, h, false);
                t.norm(p + ".self_attn.index_q_norm", i, indexDim, false);
                t.norm(p + ".self_attn.index_k_norm", i, indexDim, false);
            }
            t.norm(p + ".input_layernorm", i, h, false);
            t.norm(p + ".post_attention_layernorm", i, h, false);
            boolean moe = moeFreq.get(i) == 1;
            if (moe) {
                String b = p + ".block_sparse_moe";
                t.other2d(b + ".gate.weight", Component.ROUTER, Sharding.REPLICATED, i, experts, h, DType.FLOAT32);
                if (f.optBool("use_routing_bias").orElse(false)) {
                    t.fp32(b + ".e_score_correction_bias", Component.ROUTER, Sharding.REPLICATED, i, experts);
                }
                t.gatedMlp(b + ".experts.*", Component.ROUTED_EXPERTS, i, h, expertInter, false, experts, "w1", "w3", "w2");
                if (sharedInter > 0) {
                    t.gatedMlp(b + ".shared_experts", Component.SHARED_EXPERTS, i, h, sharedInter, 1);
                }
                moeLayers++;
            } else {
                t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("dense_intermediate_size"), 1);
            }
            // A sparse layer also caches one index key of sparse_index_dim per token (vLLM's indexer cache).
            layers.add(Layer.of(indexed ? Mixer.SPARSE_INDEXED : Mixer.FULL_ATTENTION, moe ? Ffn.MOE : Ffn.DENSE)
                    .withCache(new ModelSpec.LayerCache(kvHeads, headDim, 0, 0, indexDim)));
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        ModelSpec.MoeDims moe = moeLayers == 0 ? null
                : new ModelSpec.MoeDims(experts, topK, (int) expertInter, (int) sharedInter, moeLayers);
        return new Family.Built(t.list(), null, moe, layers, kvHeads, headDim);
    }

    private static ConfigFields sparseAttention(ConfigFields f) {
        JsonNode node = f.node().get("sparse_attention_config");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw f.invalid("sparse_attention_config", node, "an object");
        }
        ConfigFields s = new ConfigFields(node, f.source() + " sparse_attention_config");
        return s.optBool("use_sparse_attention").orElse(false) ? s : null;
    }
}

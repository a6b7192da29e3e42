package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.AttentionKind;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The Llama-style decoder and its relatives (Mistral, Mixtral, Qwen 2/3 and their MoE variants,
 * DeepSeek V2/V3 with MLA, Gemma 1/2/3, Phi-3, gpt-oss): pre-norm layers of attention and a gated
 * MLP or a mixture of gated experts, RMSNorm, token embedding and LM head. Module names follow
 * the Hugging Face checkpoints, so quantization exclusion lists match them.
 */
final class Builders {
    private Builders() {
    }

    static Family.Built llamaLike(ParsedDims d, ConfigFields f, Family family) {
        int kvHeads = f.optInt("num_key_value_heads", "num_kv_heads").orElse(d.heads());
        if (kvHeads < 1 || d.heads() % kvHeads != 0) {
            throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"),
                    "a positive divisor of num_attention_heads (" + d.heads() + ")");
        }
        ModelSpec.MlaDims mla = isDeepSeek(family) ? mla(f) : null;
        // MLA heads take their widths from qk_nope/qk_rope/v_head_dim; hidden_size need not divide by the heads
        // (GLM-4.7-Flash: 2048 over 20 heads).
        int headDim = mla != null ? mla.qkNopeHeadDim() + mla.qkRopeHeadDim() : headDim(d, f);
        Moe moe = moe(d, f, family);

        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), d.hidden());
        for (int i = 0; i < d.layers(); i++) {
            layer(t, "model.layers." + i, i, d, f, family, kvHeads, headDim, mla, moe, moe != null && moe.isMoeLayer(i));
        }
        t.norm("model.norm", -1, d.hidden(), false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), d.hidden());
        }
        if (DEEPSEEK_MTP.contains(family)) {
            int mtp = f.optInt("num_nextn_predict_layers").orElse(0);
            for (int k = 0; k < mtp; k++) {
                mtpLayer(t, d, f, family, kvHeads, headDim, mla, moe, d.layers() + k);
            }
        }
        if (family == Family.MIMO) {
            int mtp = f.optInt("num_nextn_predict_layers").orElse(0);
            for (int k = 0; k < mtp; k++) {
                mimoMtpLayer(t, d, f, family, kvHeads, headDim, k);
            }
        }
        List<AttentionKind> kinds = attentionKinds(d, f, family);
        int window = kinds.contains(AttentionKind.SLIDING) ? f.requirePositive("sliding_window") : 0;
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            Mixer mixer = mla != null ? (DSA.contains(family) ? Mixer.MLA_DSA : Mixer.MLA) : kinds.get(i) == AttentionKind.SLIDING ? Mixer.SLIDING_WINDOW : Mixer.FULL_ATTENTION;
            layers.add(new Layer(mixer, mixer == Mixer.SLIDING_WINDOW ? window : 0, -1,
                    moe != null && moe.isMoeLayer(i) ? Ffn.MOE : Ffn.DENSE));
        }
        return new Family.Built(t.list(), mla, moe == null ? null : moe.dims(d.layers()), layers,
                kvHeads, mla != null ? mla.qkNopeHeadDim() + mla.qkRopeHeadDim() : headDim);
    }

    /** Families with DeepSeek's MLA, MoE layout and MTP layers (vLLM deepseek_v2.py serves them all). */
    private static final Set<Family> DEEPSEEK = Set.of(Family.DEEPSEEK_V2, Family.DEEPSEEK_V3, Family.DEEPSEEK_V32,
            Family.GLM4_MOE_LITE, Family.GLM_MOE_DSA);
    /** Families whose checkpoints store DeepSeek-V3-style MTP layers ({@code num_nextn_predict_layers}). */
    private static final Set<Family> DEEPSEEK_MTP = Set.of(Family.DEEPSEEK_V3, Family.DEEPSEEK_V32, Family.GLM4_MOE,
            Family.GLM4_MOE_LITE, Family.GLM_MOE_DSA);
    /** Families whose MLA layers carry the DeepSeek sparse-attention lightning indexer. */
    private static final Set<Family> DSA = Set.of(Family.DEEPSEEK_V32, Family.GLM_MOE_DSA);

    private static boolean isDeepSeek(Family family) {
        return DEEPSEEK.contains(family);
    }

    static int headDim(ParsedDims d, ConfigFields f) {
        if (f.has("head_dim")) {
            return f.requirePositive("head_dim");
        }
        if (d.hidden() % d.heads() != 0) {
            throw new InvalidConfigurationException("head_dim", f.source()
                    + ": head_dim is missing and hidden_size " + d.hidden() + " is not a multiple of num_attention_heads "
                    + d.heads() + "; the config must state head_dim");
        }
        return d.hidden() / d.heads();
    }

    private static void layer(Tensors t, String p, int i, ParsedDims d, ConfigFields f, Family family, int kvHeads,
                              int headDim, ModelSpec.MlaDims mla, Moe moe, boolean moeLayer) {
        if (mla != null) {
            mlaAttention(t, p + ".self_attn", i, d, mla);
            if (DSA.contains(family)) {
                indexer(t, p + ".self_attn.indexer", i, d, f, mla);
            }
        } else {
            standardAttention(t, p + ".self_attn", i, d, f, family, kvHeads, headDim);
        }
        t.norm(p + ".input_layernorm", i, d.hidden(), false);
        t.norm(p + ".post_attention_layernorm", i, d.hidden(), false);
        if (family == Family.GEMMA2 || family == Family.GEMMA3) {
            t.norm(p + ".pre_feedforward_layernorm", i, d.hidden(), false);
            t.norm(p + ".post_feedforward_layernorm", i, d.hidden(), false);
        }
        if (moeLayer) {
            moe.addLayer(t, p + ".mlp", i, d.hidden());
        } else {
            int inter = f.requirePositive("intermediate_size");
            boolean mlpBias = f.optBool("mlp_bias").orElse(false);
            t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, d.hidden(), inter, mlpBias, 1,
                    "gate_proj", "up_proj", "down_proj");
        }
    }

    private static void standardAttention(Tensors t, String p, int i, ParsedDims d, ConfigFields f, Family family,
                                          int kvHeads, int headDim) {
        Component c = Component.ATTENTION;
        boolean qkvBias;
        boolean oBias;
        switch (family) {
            case QWEN2, QWEN2_MOE, MIMO -> {
                qkvBias = true;
                oBias = false;
            }
            case PHI3 -> {
                qkvBias = false;
                oBias = false;
            }
            case GLM4_MOE -> {
                // vLLM glm4_moe.py: qkv_proj takes attention_bias, o_proj never has one.
                qkvBias = f.optBool("attention_bias").orElse(false);
                oBias = false;
            }
            default -> {
                qkvBias = f.optBool("attention_bias").orElse(family == Family.GPT_OSS);
                oBias = qkvBias;
            }
        }
        long q = (long) d.heads() * headDim;
        long kv = (long) kvHeads * headDim;
        t.linear(p + ".q_proj", c, Sharding.COLUMN, i, q, d.hidden(), qkvBias);
        t.linear(p + ".k_proj", c, Sharding.KV_HEADS, i, kv, d.hidden(), qkvBias);
        t.linear(p + ".v_proj", c, Sharding.KV_HEADS, i, kv, d.hidden(), qkvBias);
        t.linear(p + ".o_proj", c, Sharding.ROW, i, d.hidden(), q, oBias);
        if (Set.of(Family.QWEN3, Family.QWEN3_MOE, Family.GEMMA3).contains(family)
                || (family == Family.GLM4_MOE && f.optBool("use_qk_norm").orElse(false))) {
            t.norm(p + ".q_norm", i, headDim, false);
            t.norm(p + ".k_norm", i, headDim, false);
        }
        if (family == Family.MINIMAX_M2 && f.optBool("use_qk_norm").orElse(false)) {
            // vLLM minimax_m2.py: one RMSNorm over all query heads and one over all KV heads (qk_norm_type per_layer).
            f.requireValue("qk_norm_type", "per_layer", true);
            t.norm(p + ".q_norm", c, i, q, false);
            t.norm(p + ".k_norm", c, i, kv, false);
        }
        if (family == Family.GPT_OSS) {
            // Learned attention sinks, one per head (gpt-oss model card).
            t.other(p + ".sinks", c, Sharding.COLUMN, i, d.heads());
        }
    }

    static ModelSpec.MlaDims mla(ConfigFields f) {
        return new ModelSpec.MlaDims(f.optInt("q_lora_rank").orElse(0), f.requirePositive("kv_lora_rank"),
                f.requirePositive("qk_rope_head_dim"), f.requirePositive("qk_nope_head_dim"),
                f.requirePositive("v_head_dim"));
    }

    /** DeepSeek's multi-head latent attention; the down-projections are replicated in vLLM. */
    static void mlaAttention(Tensors t, String p, int i, ParsedDims d, ModelSpec.MlaDims m) {
        Component c = Component.ATTENTION;
        long qHead = m.qkNopeHeadDim() + m.qkRopeHeadDim();
        long heads = d.heads();
        Component norm = Component.NORM;
        if (m.qLoraRank() > 0) {
            t.linear(p + ".q_a_proj", c, Sharding.REPLICATED, i, m.qLoraRank(), d.hidden(), false);
            t.norm(p + ".q_a_layernorm", norm, i, m.qLoraRank(), false);
            t.linear(p + ".q_b_proj", c, Sharding.COLUMN, i, heads * qHead, m.qLoraRank(), false);
        } else {
            t.linear(p + ".q_proj", c, Sharding.COLUMN, i, heads * qHead, d.hidden(), false);
        }
        t.linear(p + ".kv_a_proj_with_mqa", c, Sharding.REPLICATED, i, m.kvLoraRank() + m.qkRopeHeadDim(), d.hidden(), false);
        t.norm(p + ".kv_a_layernorm", norm, i, m.kvLoraRank(), false);
        t.linear(p + ".kv_b_proj", c, Sharding.COLUMN, i, heads * (m.qkNopeHeadDim() + m.vHeadDim()), m.kvLoraRank(), false);
        t.linear(p + ".o_proj", c, Sharding.ROW, i, d.hidden(), heads * m.vHeadDim(), false);
    }

    /**
     * DeepSeek-V3's multi-token-prediction layer as its checkpoint stores it: a full MoE decoder
     * layer plus enorm, hnorm, eh_proj and its own copies of the embedding and the output head.
     * The decoder-layer part keeps its usual components (so quantization treats it as the
     * checkpoint does); it is told apart by its layer index, past the last served layer.
     */
    private static void mtpLayer(Tensors t, ParsedDims d, ConfigFields f, Family family, int kvHeads, int headDim,
                                 ModelSpec.MlaDims mla, Moe moe, int index) {
        String p = "model.layers." + index;
        layer(t, p, index, d, f, family, kvHeads, headDim, mla, moe, moe != null);
        t.norm(p + ".enorm", Component.MTP, index, d.hidden(), false);
        t.norm(p + ".hnorm", Component.MTP, index, d.hidden(), false);
        // eh_proj is stored in bf16 (it is not among the FP8 block-scaled weights), so it is not LINEAR here.
        t.other(p + ".eh_proj.weight", Component.MTP, Sharding.REPLICATED, index, 2L * d.hidden() * d.hidden());
        t.norm(p + ".shared_head.norm", Component.MTP, index, d.hidden(), false);
        if (family != Family.GLM_MOE_DSA) {
            // GLM-5's MTP layer shares the model's embedding and head: its Hub total (753,864,139,008) is
            // exactly the count without these two copies.
            t.other(p + ".embed_tokens.weight", Component.MTP, Sharding.VOCAB, index, (long) d.vocab() * d.hidden());
            t.other(p + ".shared_head.head.weight", Component.MTP, Sharding.VOCAB, index, (long) d.vocab() * d.hidden());
        }
    }

    /**
     * The lightning indexer of DeepSeek sparse attention (vLLM deepseek_v2.py Indexer, DeepSeek-V3.2
     * and GLM-5): {@code wq_b} from the compressed query, {@code wk} and a LayerNorm'd key of
     * {@code index_head_dim}, and per-head weights. All replicated; {@code weights_proj} is built
     * without quantization (stored in 16 bits in the FP8 checkpoints), so it is not a LINEAR tensor here.
     */
    private static void indexer(Tensors t, String p, int i, ParsedDims d, ConfigFields f, ModelSpec.MlaDims m) {
        long heads = f.requirePositive("index_n_heads");
        long dim = f.requirePositive("index_head_dim");
        if (m.qLoraRank() == 0) {
            throw f.invalid("q_lora_rank", f.node().get("q_lora_rank"), "a positive rank (the indexer reads the compressed query)");
        }
        Component c = Component.ATTENTION;
        t.linear(p + ".wq_b", c, Sharding.REPLICATED, i, heads * dim, m.qLoraRank(), false);
        t.linear(p + ".wk", c, Sharding.REPLICATED, i, dim, d.hidden(), false);
        t.norm(p + ".k_norm", Component.NORM, i, dim, true);
        t.other(p + ".weights_proj.weight", c, Sharding.REPLICATED, i, heads * d.hidden());
    }

    /**
     * MiMo's MTP layer (vLLM mimo_mtp.py): token and hidden RMSNorms, {@code input_proj} over the
     * concatenation, a Qwen2 decoder layer ({@code mtp_block}) and a final norm; the embedding and
     * the head are the model's.
     */
    private static void mimoMtpLayer(Tensors t, ParsedDims d, ConfigFields f, Family family, int kvHeads, int headDim,
                                     int k) {
        String p = "model.mtp_layers." + k;
        int index = d.layers() + k;
        t.norm(p + ".token_layernorm", Component.MTP, index, d.hidden(), false);
        t.norm(p + ".hidden_layernorm", Component.MTP, index, d.hidden(), false);
        t.linear(p + ".input_proj", Component.MTP, Sharding.REPLICATED, index, d.hidden(), 2L * d.hidden(), false);
        layer(t, p + ".mtp_block", index, d, f, family, kvHeads, headDim, null, null, false);
        t.norm(p + ".final_layernorm", Component.MTP, index, d.hidden(), false);
    }

    private static List<AttentionKind> attentionKinds(ParsedDims d, ConfigFields f, Family family) {
        List<String> types = f.stringList("layer_types");
        List<AttentionKind> out = new ArrayList<>();
        if (!types.isEmpty()) {
            if (types.size() != d.layers()) {
                throw f.invalid("layer_types", f.node().get("layer_types"),
                        "one entry per layer (" + d.layers() + ")");
            }
            for (int i = 0; i < types.size(); i++) {
                switch (types.get(i)) {
                    case "full_attention" -> out.add(AttentionKind.FULL);
                    case "sliding_attention" -> out.add(AttentionKind.SLIDING);
                    default -> throw new InvalidConfigurationException("layer_types", f.source() + ": layer_types["
                            + i + "] was '" + types.get(i) + "'; model_type '" + f.optString("model_type").orElse("")
                            + "' allows full_attention, sliding_attention");
                }
            }
            return out;
        }
        boolean window = f.has("sliding_window");
        for (int i = 0; i < d.layers(); i++) {
            boolean sliding = switch (family) {
                case GEMMA2 -> window && i % 2 == 0;
                case GEMMA3 -> window && (i + 1) % f.optPositive("sliding_window_pattern").orElse(6) != 0;
                case QWEN2, QWEN2_MOE, QWEN3, QWEN3_MOE -> window && f.optBool("use_sliding_window").orElse(false)
                        && i >= f.optInt("max_window_layers").orElse(0);
                case GEMMA, DEEPSEEK_V2, DEEPSEEK_V3, DEEPSEEK_V32, GLM4_MOE, GLM4_MOE_LITE, GLM_MOE_DSA, MINIMAX_M2 -> false;
                case MIMO -> window && f.optBool("use_sliding_window").orElse(false)
                        && i >= f.optInt("max_window_layers").orElse(0);
                default -> window && f.optBool("use_sliding_window").orElse(true);
            };
            out.add(sliding ? AttentionKind.SLIDING : AttentionKind.FULL);
        }
        return out;
    }

    private static Moe moe(ParsedDims d, ConfigFields f, Family family) {
        Moe moe = routedExperts(d, f, family);
        if (moe != null && moe.topK() > moe.experts()) {
            String field = f.has("num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token";
            throw f.invalid(field, f.node().get(field), "at most the number of routed experts (" + moe.experts() + ")");
        }
        return moe;
    }

    private static Moe routedExperts(ParsedDims d, ConfigFields f, Family family) {
        return switch (family) {
            case MIXTRAL -> new Moe(family, f.requirePositive("num_local_experts"),
                    f.requirePositive("num_experts_per_tok"), f.requirePositive("intermediate_size"), 0, 0,
                    i -> true);
            case GPT_OSS -> new Moe(family, f.requirePositive("num_local_experts"),
                    f.requirePositive("num_experts_per_tok", "experts_per_token"), f.requirePositive("intermediate_size"),
                    0, 0, i -> true);
            case QWEN2_MOE, QWEN3_MOE -> {
                int step = f.optPositive("decoder_sparse_step").orElse(1);
                List<Integer> mlpOnly = f.intList("mlp_only_layers");
                int shared = f.optInt("shared_expert_intermediate_size").orElse(0);
                yield new Moe(family, f.requirePositive("num_experts"), f.requirePositive("num_experts_per_tok"),
                        f.requirePositive("moe_intermediate_size"), shared, 0,
                        i -> !mlpOnly.contains(i) && step > 0 && (i + 1) % step == 0);
            }
            case MINIMAX_M2 -> {
                if (f.optInt("shared_intermediate_size").orElse(0) != 0) {
                    throw f.invalid("shared_intermediate_size", f.node().get("shared_intermediate_size"),
                            "0 (MiniMax-M2 checkpoints have no shared expert)");
                }
                yield new Moe(family, f.requirePositive("num_local_experts"), f.requirePositive("num_experts_per_tok"),
                        f.requirePositive("intermediate_size"), 0, f.optBool("use_routing_bias").orElse(false) ? 1 : 0,
                        i -> true);
            }
            case GLM4_MOE, GLM4_MOE_LITE -> {
                // vLLM glm4_moe.py and glm4_moe_lite.py: layers from first_k_dense_replace on are MoE (the
                // lite model also every moe_layer_freq-th); the router always has its float32
                // score-correction bias (sigmoid scoring, no topk_method field).
                if (!f.has("n_routed_experts")) {
                    yield null;
                }
                int expertInter = f.requirePositive("moe_intermediate_size");
                int first = f.optInt("first_k_dense_replace").orElse(0);
                int freq = family == Family.GLM4_MOE_LITE ? f.optPositive("moe_layer_freq").orElse(1) : 1;
                int nShared = f.optInt("n_shared_experts").orElse(0);
                yield new Moe(family, f.requirePositive("n_routed_experts"), f.requirePositive("num_experts_per_tok"),
                        expertInter, nShared * expertInter, 1, i -> i >= first && i % freq == 0);
            }
            case DEEPSEEK_V2, DEEPSEEK_V3, DEEPSEEK_V32, GLM_MOE_DSA -> {
                if (!f.has("n_routed_experts")) {
                    yield null;
                }
                int expertInter = f.requirePositive("moe_intermediate_size");
                int first = f.optInt("first_k_dense_replace").orElse(0);
                int freq = f.optPositive("moe_layer_freq").orElse(1);
                int nShared = f.optInt("n_shared_experts").orElse(0);
                String topk = f.optString("topk_method").orElse(family == Family.DEEPSEEK_V2 ? "greedy" : "noaux_tc");
                yield new Moe(family, f.requirePositive("n_routed_experts"), f.requirePositive("num_experts_per_tok"),
                        expertInter, nShared * expertInter, "noaux_tc".equals(topk) ? 1 : 0,
                        i -> i >= first && i % freq == 0);
            }
            default -> null;
        };
    }

    /** The routed experts of one family, and which layers carry them. */
    private record Moe(Family family, int experts, int topK, int expertInter, int sharedInter,
                       int scoreBias, IntPredicate moeLayer) {

        boolean isMoeLayer(int i) {
            return moeLayer.test(i);
        }

        ModelSpec.MoeDims dims(int layers) {
            int count = 0;
            for (int i = 0; i < layers; i++) {
                count += isMoeLayer(i) ? 1 : 0;
            }
            return new ModelSpec.MoeDims(experts, topK, expertInter, sharedInter, count);
        }

        void addLayer(Tensors t, String p, int i, long hidden) {
            Component routed = Component.ROUTED_EXPERTS;
            Component shared = Component.SHARED_EXPERTS;
            Component router = Component.ROUTER;
            switch (family) {
                case MIXTRAL -> {
                    t.linear("model.layers." + i + ".block_sparse_moe.gate", router, Sharding.REPLICATED, i, experts, hidden, false);
                    t.gatedMlp("model.layers." + i + ".block_sparse_moe.experts.*", routed, i, hidden, expertInter, false,
                            experts, "w1", "w3", "w2");
                }
                case MINIMAX_M2 -> {
                    String b = "model.layers." + i + ".block_sparse_moe";
                    t.linear(b + ".gate", router, Sharding.REPLICATED, i, experts, hidden, false);
                    if (scoreBias > 0) {
                        t.fp32(b + ".e_score_correction_bias", router, Sharding.REPLICATED, i, experts);
                    }
                    t.gatedMlp(b + ".experts.*", routed, i, hidden, expertInter, false, experts, "w1", "w3", "w2");
                }
                case GPT_OSS -> {
                    t.linear(p + ".router", router, Sharding.REPLICATED, i, experts, hidden, true);
                    // gate and up are fused into one [2 x intermediate] projection, each expert with biases.
                    t.linear(p + ".experts.gate_up_proj", routed, Sharding.COLUMN, i, 2L * expertInter, hidden, true, experts);
                    t.linear(p + ".experts.down_proj", routed, Sharding.ROW, i, hidden, expertInter, true, experts);
                }
                case GLM4_MOE, GLM4_MOE_LITE -> {
                    // vLLM glm4_moe.py (and glm4_moe_lite.py, which reuses it) builds the router as a float32
                    // nn.Linear: its logits are computed in fp32.
                    t.other2d(p + ".gate.weight", router, Sharding.REPLICATED, i, experts, hidden, DType.FLOAT32);
                    t.fp32(p + ".gate.e_score_correction_bias", router, Sharding.REPLICATED, i, experts);
                    t.gatedMlp(p + ".experts.*", routed, i, hidden, expertInter, experts);
                    if (sharedInter > 0) {
                        t.gatedMlp(p + ".shared_experts", shared, i, hidden, sharedInter, 1);
                    }
                }
                default -> {
                    t.linear(p + ".gate", router, Sharding.REPLICATED, i, experts, hidden, false);
                    if (scoreBias > 0) {
                        // vLLM allocates the score-correction bias in float32 (deepseek_v2.py), and the
                        // checkpoints store it so (DeepSeek-V3's and Kimi-K2.5's F32 tensors).
                        t.fp32(p + ".gate.e_score_correction_bias", router, Sharding.REPLICATED, i, experts);
                    }
                    t.gatedMlp(p + ".experts.*", routed, i, hidden, expertInter, experts);
                    if (sharedInter > 0) {
                        String name = family == Family.QWEN2_MOE ? ".shared_expert" : ".shared_experts";
                        t.gatedMlp(p + name, shared, i, hidden, sharedInter, 1);
                        if (family == Family.QWEN2_MOE) {
                            t.linear(p + ".shared_expert_gate", router, Sharding.REPLICATED, i, 1, hidden, false);
                        }
                    }
                }
            }
        }
    }
}

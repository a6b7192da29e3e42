package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import java.io.Serializable;

/**
 * An EAGLE-3 draft head as vLLM builds it (vllm/model_executor/models/llama_eagle3.py, read 2026-11): {@code fc}, a
 * replicated linear from three of the target's hidden states ({@code 3 x target_hidden_size}) to the draft's hidden
 * size (after one RMSNorm over its input where {@code norm_before_fc}); decoder layers of Llama shape whose first takes
 * {@code 2 x hidden} into its query, key and value projections (the token's embedding and the fused hidden state, each
 * normed); a final norm; an LM head over the draft vocabulary ({@code draft_vocab_size}) and its {@code d2t} map back to
 * the target's (int64, one per draft token; {@code t2d} is not loaded). The embedding is the target's: drafts ship
 * none (yuhuili/EAGLE3-LLaMA3.1-Instruct-8B's 850 MB fp16 file is exactly the tensors above) and vLLM shares the
 * target's where a checkpoint repeats it.
 *
 * <p>Two published config formats: the Hugging Face one of the EAGLE authors and SpecForge (Llama fields at the top,
 * {@code draft_vocab_size}, architectures {@code LlamaForCausalLMEagle3} or {@code LlamaForCausalLM}), and the
 * Speculators one of RedHat's drafts ({@code speculators_model_type: eagle3}, the layer's fields in
 * {@code transformer_layer_config}).
 *
 * @param modelId         the draft's id or path, as the engines' commands name it
 * @param hidden          the draft's hidden size
 * @param targetHidden    the target's hidden size its fc reads three of
 * @param heads           attention heads
 * @param kvHeads         key-value heads
 * @param headDim         head dimension
 * @param intermediate    MLP intermediate size
 * @param layers          decoder layers (1 in every published draft)
 * @param draftVocab      the draft LM head's vocabulary
 * @param normBeforeFc    an RMSNorm of {@code 3 x target_hidden_size} before fc
 */
public record Eagle3Draft(String modelId, int hidden, int targetHidden, int heads, int kvHeads, int headDim,
                          int intermediate, int layers, int draftVocab, boolean normBeforeFc) implements Serializable {

    /** Reads a draft's config; refuses, naming the field, one that is not an EAGLE-3 head of Llama layers. */
    public static Eagle3Draft parse(String modelId, JsonNode config, String source) {
        if (config == null || !config.isObject()) {
            throw new InvalidConfigurationException("config.json", source + ": an EAGLE-3 draft's config is a JSON object");
        }
        boolean speculators = config.has("speculators_model_type");
        JsonNode layerConfig = config;
        if (speculators) {
            String type = config.path("speculators_model_type").asText("");
            if (!type.equals("eagle3")) {
                throw new InvalidConfigurationException("speculators_model_type", source + ": speculators_model_type was '"
                        + type + "'; allowed: eagle3 (vLLM's eagle3 method)");
            }
            layerConfig = config.get("transformer_layer_config");
            if (layerConfig == null || !layerConfig.isObject()) {
                throw new InvalidConfigurationException("transformer_layer_config", source
                        + ": a Speculators EAGLE-3 config gives its layer in transformer_layer_config");
            }
        }
        ConfigFields layer = new ConfigFields(layerConfig, source);
        String modelType = layer.optString("model_type").orElse("llama");
        if (!modelType.equals("llama")) {
            throw new InvalidConfigurationException("model_type", source + ": the draft's layers are model_type '" + modelType
                    + "'; allowed: llama (vLLM builds EAGLE-3 heads from llama_eagle3.py)");
        }
        ConfigFields top = new ConfigFields(config, source);
        int hidden = layer.requirePositive("hidden_size");
        int heads = layer.requirePositive("num_attention_heads");
        int kvHeads = layer.optPositive("num_key_value_heads").orElse(heads);
        int headDim = layer.optPositive("head_dim").orElse(0);
        if (headDim == 0) {
            if (hidden % heads != 0) {
                throw layer.invalid("num_attention_heads", layerConfig.get("num_attention_heads"),
                        "a divisor of hidden_size " + hidden + " when head_dim is not given");
            }
            headDim = hidden / heads;
        }
        if (heads % kvHeads != 0) {
            throw layer.invalid("num_key_value_heads", layerConfig.get("num_key_value_heads"),
                    "a divisor of num_attention_heads " + heads);
        }
        int intermediate = layer.requirePositive("intermediate_size");
        int layers = layer.requirePositive("num_hidden_layers");
        int vocab = layer.requirePositive("vocab_size");
        int draftVocab = top.optPositive("draft_vocab_size", "truncated_vocab_size").orElse(vocab);
        if (draftVocab > vocab) {
            throw top.invalid("draft_vocab_size", config.get("draft_vocab_size"), "at most vocab_size " + vocab);
        }
        int targetHidden = top.optPositive("target_hidden_size").orElse(hidden);
        boolean normBeforeFc = top.optBool("norm_before_fc").orElse(false);
        return new Eagle3Draft(modelId, hidden, targetHidden, heads, kvHeads, headDim, intermediate, layers, draftVocab,
                normBeforeFc);
    }

    /** Parameters of the head's layers as vLLM loads them, split by how tensor parallelism shards them. */
    public record Shares(long replicated, long tpSplit, long kvHeadSplit, long vocabRows, long int64Elements) {
    }

    /**
     * The loaded tensors: fc and the norms replicated; query, output and MLP split by TP; key and value by KV heads;
     * the LM head by vocabulary rows; {@code d2t} (int64) replicated.
     */
    public Shares shares() {
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        long replicated = 3L * targetHidden * hidden + (normBeforeFc ? 3L * targetHidden : 0) + hidden; // fc, its norm, final norm
        long tp = 0;
        long kvSplit = 0;
        for (int i = 0; i < layers; i++) {
            long in = i == 0 ? 2L * hidden : hidden;
            replicated += (i == 0 ? 2L : 1L) * hidden + hidden; // input (and hidden) norms, post-attention norm
            tp += in * q + q * hidden + 3L * hidden * intermediate;
            kvSplit += 2 * in * kv;
        }
        return new Shares(replicated, tp, kvSplit, (long) draftVocab * hidden, draftVocab);
    }

    /**
     * Parameters one rank of TP {@code tp} holds of fc, the norms and the layers (vLLM's draft_tensor_parallel_size
     * defaults to the target's): fc and norms whole, query, output and MLP split, key and value by KV heads.
     */
    public double layerParamsOnRank(int tp) {
        Shares s = shares();
        return s.replicated() + s.tpSplit() / (double) tp + s.kvHeadSplit() * Math.ceil(kvHeads / (double) tp) / kvHeads;
    }

    /** Parameters one rank of TP {@code tp} holds of the draft LM head (split by vocabulary rows). */
    public double headParamsOnRank(int tp) {
        return Math.ceil(draftVocab / (double) tp) * hidden;
    }

    /** Parameters of the loaded head (the d2t map counted as its elements). */
    public long paramCount() {
        Shares s = shares();
        return s.replicated() + s.tpSplit() + s.kvHeadSplit() + s.vocabRows() + s.int64Elements();
    }

    /** Parameters one drafted token multiplies through: every weight but the d2t map. */
    public long activeParams() {
        return paramCount() - draftVocab;
    }
}

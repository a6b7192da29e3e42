package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.json.UserJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a Hugging Face {@code config.json} into a {@link ModelSpec}. Pure: takes the JSON text
 * or tree, touches no file or network. Multimodal wrappers are read through their
 * {@code text_config}; their vision tower is counted when it is a SigLIP or CLIP encoder.
 */
public final class ConfigParser {
    private ConfigParser() {
    }

    /** Parses config text; {@code source} names it in errors (a path, a catalog entry, a URL). */
    public static ModelSpec parse(String modelId, String json, String source) {
        return parse(modelId, readTree(json, source), source);
    }

    /**
     * Reads config text as Python's json module would: {@code Infinity} and {@code NaN} are numbers
     * (Nemotron-H configs carry {@code "time_step_limit": [0.0, Infinity]}); bounded and never quoting
     * the input in errors (see {@link UserJson}).
     */
    public static JsonNode readTree(String json, String source) {
        return UserJson.parse(json, "config.json", source);
    }

    public static ModelSpec parse(String modelId, JsonNode root, String source) {
        return parse(modelId, root, null, source);
    }

    /**
     * Parses a config with the {@code hf_quant_config.json} found beside it (null when there is
     * none): NVIDIA ModelOpt checkpoints describe their quantization there, often with no
     * {@code quantization_config} in config.json.
     */
    public static ModelSpec parse(String modelId, JsonNode root, JsonNode hfQuantConfig, String source) {
        if (root == null || !root.isObject()) {
            throw new InvalidConfigurationException("config.json", source + ": a config must be a JSON object");
        }
        List<String> warnings = new ArrayList<>();
        JsonNode text = root;
        JsonNode vision = null;
        if (root.has("text_config") && root.get("text_config").isObject()) {
            text = merged(root, (ObjectNode) root.get("text_config"));
            vision = root.get("vision_config");
        }
        ConfigFields f = new ConfigFields(text, source);
        String modelType = f.optString("model_type").orElse("");
        Family family = Family.forModelType(modelType).orElse(Family.GENERIC);
        if (family == Family.GENERIC) {
            refuseLayerPlanFields(text, modelType, source);
            warnings.add("model_type '" + modelType + "' is not one of the known families ("
                    + String.join(", ", Family.knownModelTypes())
                    + "); read as a Llama-style decoder from its standard fields");
        }
        int hidden = f.requirePositive("hidden_size", "n_embd", "d_model");
        int layers = f.requirePositive("num_hidden_layers", "n_layer", "num_layers");
        int heads = f.requirePositive("num_attention_heads", "n_head", "num_heads");
        int vocab = f.requirePositive("vocab_size", "padded_vocab_size");
        int maxPositions = maxPositions(f, family);
        boolean tied = f.optBool("tie_word_embeddings").orElse(family.tiedByDefault());
        ParsedDims dims = new ParsedDims(hidden, layers, heads, vocab, maxPositions, tied);

        Family.Built built;
        List<Tensor> tensors;
        try {
            built = family.builder().build(dims, f, family);
            tensors = new ArrayList<>(vision == null ? built.tensors()
                    : wrapped(built.tensors(), root.path("model_type").asText("")));
            warnings.addAll(built.warnings());
            if (GEMMA3N_WRAPPER.equals(root.path("model_type").asText(""))) {
                Gemma3nBuilder.towers(tensors, root, hidden, source);
            } else if (family == Family.MIMO_V2 && vision == null) {
                MiMoV2Builder.towers(tensors, root, source, warnings);
            } else if (vision != null && vision.isObject()) {
                VisionTower.add(tensors, (ObjectNode) vision, root, hidden, source, warnings);
            }
        } catch (ArithmeticException e) {
            throw tooLarge(source, "a tensor's element count overflows 64 bits");
        }
        long total = 0;
        for (Tensor t : tensors) {
            try {
                total = Math.addExact(total, t.numel());
            } catch (ArithmeticException e) {
                throw tooLarge(source, "the parameter total overflows 64 bits");
            }
        }
        if (total > MAX_PARAMETERS) {
            throw tooLarge(source, String.format(Locale.ROOT, "it describes %,d parameters", total));
        }
        boolean towersRead = GEMMA3N_WRAPPER.equals(root.path("model_type").asText("")) || family == Family.MIMO_V2;
        if (vision == null && !towersRead && root.has("vision_config") && root.get("vision_config").isObject()) {
            // A vision tower beside a top-level text config that no builder reads.
            warnings.add("vision_config of type '" + root.get("vision_config").path("model_type").asText("")
                    + "' is not counted: the config has no text_config, and its vision tower is not modelled");
        }
        JsonNode audio = root.get("audio_config");
        if (audio != null && audio.isObject() && !towersRead) {
            warnings.add("audio_config of type '" + audio.path("model_type").asText("") + "' is not counted: no audio"
                    + " encoder is modelled, so the total leaves out the audio tower's parameters");
        }
        String dtypeName = f.optString("torch_dtype", "dtype").orElse(null);
        DType dtype = dtypeName == null ? DType.BFLOAT16 : DType.parse(dtypeName, "torch_dtype");
        if (dtypeName == null) {
            warnings.add("the config names no torch_dtype; weights are taken as bfloat16, the 16-bit dtype vLLM's --dtype auto serves such a model in");
        }
        JsonNode qc = text.get("quantization_config");
        Quantization q = (qc == null || qc.isNull()) && hfQuantConfig != null
                ? QuantizationParser.parseHfQuantConfig(hfQuantConfig, source + " hf_quant_config.json")
                : QuantizationParser.parse(qc, source);
        if (family == Family.DEEPSEEK_V4) {
            q = DeepseekV4Builder.quantization(f, qc, q, source);
        }
        List<ModelSpec.Layer> plan = withKvDims(built);
        List<ModelSpec.AttentionKind> attention = new ArrayList<>();
        int window = 0;
        for (ModelSpec.Layer l : plan) {
            attention.add(l.windowed() ? ModelSpec.AttentionKind.SLIDING : ModelSpec.AttentionKind.FULL);
            window = Math.max(window, l.window());
        }
        return new ModelSpec(modelId, modelType.isEmpty() ? "unknown" : modelType, family, hidden, layers, heads,
                built.kvHeads(), built.headDim(), vocab, maxPositions, tied, dtype, dtypeName != null, q,
                built.mla(), built.moe(), attention, window, plan, tensors, warnings,
                linearState(f, family, plan, dtype));
    }

    /**
     * The state of the model's Mamba-2, Gated DeltaNet or KDA layers, read from the fields their
     * builders read. The recurrent state's dtype: the config's {@code mamba_ssm_cache_dtype}
     * (Nemotron-H) or {@code mamba_ssm_dtype} (Qwen3.5), which vLLM's per-model config hooks copy
     * into {@code cache_config.mamba_ssm_cache_dtype}; without one, Nemotron-H takes float32
     * ({@code NemotronHForCausalLMConfig.DEFAULT_MAMBA_SSM_CACHE_DTYPE}, vllm/model_executor/models/
     * config.py, read 2026-11) and other models the model dtype ({@code mamba_ssm_cache_dtype auto}).
     */
    private static LinearStateDims linearState(ConfigFields f, Family family, List<ModelSpec.Layer> layers, DType dtype) {
        boolean mamba = layers.stream().anyMatch(l -> l.mixer() == ModelSpec.Mixer.MAMBA2);
        boolean gdn = layers.stream().anyMatch(l -> l.mixer() == ModelSpec.Mixer.GATED_DELTANET);
        boolean kda = layers.stream().anyMatch(l -> l.mixer() == ModelSpec.Mixer.KDA);
        if (!mamba && !gdn && !kda) {
            return null;
        }
        DType served = dtype == DType.FLOAT32 || dtype == DType.FLOAT8 ? DType.BFLOAT16 : dtype;
        if (kda) {
            // vLLM MambaStateDtypeCalculator.kda_state_dtype: convolution state in the cache dtype, recurrent in float32.
            ConfigFields linear = KimiLinearBuilder.linearAttention(f);
            int heads = linear.requirePositive("num_heads");
            int dim = linear.requirePositive("head_dim");
            return new LinearStateDims(ModelSpec.Mixer.KDA, heads, dim, 0, 0, heads, dim,
                    linear.requirePositive("short_conv_kernel_size"), DType.FLOAT32, served);
        }
        DType ssm = f.optString("mamba_ssm_cache_dtype", "mamba_ssm_dtype")
                .map(n -> DType.parse(n, "mamba_ssm_cache_dtype"))
                .orElse(family == Family.NEMOTRON_H ? DType.FLOAT32 : served);
        if (mamba) {
            // Nemotron-H's field names, then Granite 4.0's.
            return new LinearStateDims(ModelSpec.Mixer.MAMBA2, f.requirePositive("mamba_num_heads", "mamba_n_heads"),
                    f.requirePositive("mamba_head_dim", "mamba_d_head"), f.requirePositive("ssm_state_size", "mamba_d_state"),
                    f.requirePositive("n_groups", "mamba_n_groups"), 0, 0, f.requirePositive("conv_kernel", "mamba_d_conv"),
                    ssm, served);
        }
        return new LinearStateDims(ModelSpec.Mixer.GATED_DELTANET, f.requirePositive("linear_num_value_heads"),
                f.requirePositive("linear_value_head_dim"), 0, 0, f.requirePositive("linear_num_key_heads"),
                f.requirePositive("linear_key_head_dim"), f.requirePositive("linear_conv_kernel_dim"), ssm, served);
    }

    /**
     * Config fields that change which layers a model has (hybrid patterns, experts, interleave
     * steps, linear attention, indexers, MTP): an unknown model_type carrying any of them is not a
     * plain Llama-style decoder, and reading it as one would miscount it silently.
     */
    static final List<String> LAYER_PLAN_FIELDS = List.of(
            "hybrid_override_pattern", "layers_block_type", "block_configs", "interleave_moe_layer_step",
            "moe_layer_freq", "num_experts", "n_routed_experts", "num_local_experts", "top_k_experts",
            "num_experts_per_tok", "experts_per_token", "first_k_dense_replace", "n_shared_experts",
            "decoder_sparse_step", "mlp_only_layers", "attention_chunk_size", "no_rope_layers",
            "no_rope_layer_interval", "kv_lora_rank", "q_lora_rank", "num_nextn_predict_layers",
            "num_kv_shared_layers", "full_attention_interval", "sliding_window_pattern", "layer_group_size",
            "hidden_size_per_layer_input", "attn_layer_period", "expert_layer_period", "mamba_d_state",
            "global_head_dim", "num_global_key_value_heads", "attention_k_eq_v", "use_double_wide_mlp",
            "enable_moe_block");
    /** Prefixes of layer-plan fields ({@code linear_num_value_heads}, {@code index_topk}, {@code shared_expert_intermediate_size} ...). */
    static final List<String> LAYER_PLAN_PREFIXES = List.of(
            "linear_", "index_", "shared_expert_", "moe_", "mamba_", "ssm_", "mtp_", "altup_", "laurel_", "expert_");
    /** The {@code layer_types} values a Llama-style decoder may have. */
    static final List<String> GENERIC_LAYER_TYPES = List.of("full_attention", "sliding_attention");

    /**
     * Refuses an unknown model_type whose config shapes its layers in a way a Llama-style decoder
     * does not: the error names the field and lists the model_types that read it.
     */
    private static void refuseLayerPlanFields(JsonNode text, String modelType, String source) {
        String supported = "; supported model_types: " + String.join(", ", Family.knownModelTypes());
        JsonNode types = text.get("layer_types");
        if (types != null && types.isArray()) {
            for (JsonNode t : types) {
                if (!GENERIC_LAYER_TYPES.contains(t.asText())) {
                    throw new InvalidConfigurationException("layer_types", source + ": layer_types holds '"
                            + t.asText() + "', which a decoder of unknown model_type '" + modelType
                            + "' cannot be read with (a Llama-style decoder has only "
                            + String.join(", ", GENERIC_LAYER_TYPES) + ")" + supported);
                }
            }
        }
        List<String> keys = new ArrayList<>(LAYER_PLAN_FIELDS);
        text.fieldNames().forEachRemaining(k -> {
            if (LAYER_PLAN_PREFIXES.stream().anyMatch(k::startsWith)) {
                keys.add(k);
            }
        });
        for (String key : keys) {
            JsonNode v = text.get(key);
            if (isSet(v)) {
                throw new InvalidConfigurationException(key, source + ": field '" + key + "' (" + brief(v)
                        + ") changes the layer plan, and model_type '" + modelType
                        + "' is not a known family; it is not read as a Llama-style decoder" + supported);
            }
        }
    }

    /** Whether a field says something: not null, false, 0, or empty. */
    private static boolean isSet(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        if (v.isTextual()) {
            return !v.asText().isEmpty();
        }
        if (v.isContainerNode()) {
            return !v.isEmpty();
        }
        return true;
    }

    private static String brief(JsonNode v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /**
     * Fills the KV dimensions of attention layers whose builder left them to the model-wide ones:
     * the KV heads and head dim, or for MLA one latent of kv_lora_rank + qk_rope_head_dim.
     */
    private static List<ModelSpec.Layer> withKvDims(Family.Built built) {
        List<ModelSpec.Layer> out = new ArrayList<>();
        for (ModelSpec.Layer l : built.layers()) {
            if (l.mixer().keepsKvCache() && l.cache().kvHeads() == 0) {
                ModelSpec.LayerCache c = built.mla() != null
                        ? ModelSpec.LayerCache.kv(1, built.mla().kvLoraRank() + built.mla().qkRopeHeadDim())
                        : ModelSpec.LayerCache.kv(built.kvHeads(), built.headDim());
                out.add(l.withCache(c));
            } else {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Where multimodal wrappers keep the language model in their checkpoints: the text builders
     * name tensors {@code model.*} and {@code lm_head}, and quantization exclusion lists name the
     * wrapper's paths ({@code model.language_model.layers.3.self_attn}, {@code language_model.lm_head}).
     * Transformers' {@code _checkpoint_conversion_mapping} of each wrapper class.
     */
    private static final Map<String, List<String>> WRAPPER_PREFIXES = Map.of(
            "qwen3_vl", List.of("model.language_model.", "lm_head"),
            "qwen3_vl_moe", List.of("model.language_model.", "lm_head"),
            "qwen3_5", List.of("model.language_model.", "lm_head"),
            "qwen3_5_moe", List.of("model.language_model.", "lm_head"),
            "gemma4", List.of("model.language_model.", "lm_head"),
            "llama4", List.of("language_model.model.", "language_model.lm_head"),
            "kimi_k25", List.of("language_model.model.", "language_model.lm_head"),
            "minimax_m3_vl", List.of("language_model.model.", "language_model.lm_head"),
            "kimi_k3", List.of("language_model.model.", "language_model.lm_head"),
            "gemma3n", List.of("model.language_model.", "lm_head"));

    private static List<Tensor> wrapped(List<Tensor> tensors, String wrapper) {
        List<String> prefixes = WRAPPER_PREFIXES.get(wrapper);
        if (prefixes == null) {
            return tensors;
        }
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : tensors) {
            String name = t.name();
            if (name.startsWith("model.")) {
                name = prefixes.get(0) + name.substring("model.".length());
            } else if (name.startsWith("lm_head")) {
                name = prefixes.get(1) + name.substring("lm_head".length());
            }
            out.add(new Tensor(name, t.component(), t.kind(), t.sharding(), t.layer(), t.out(), t.in(), t.copies(),
                    t.storedAs()));
        }
        return out;
    }

    /** The Gemma 3n wrapper, whose audio and vision encoders {@link Gemma3nBuilder#towers} counts. */
    private static final String GEMMA3N_WRAPPER = "gemma3n";

    /** Most parameters a config may describe: 10^15, 500 times the largest published model (about 2 x 10^12). */
    static final long MAX_PARAMETERS = 1_000_000_000_000_000L;

    private static InvalidConfigurationException tooLarge(String source, String what) {
        return new InvalidConfigurationException("model_size", String.format(Locale.ROOT,
                "%s: the model is implausibly large (%s; at most %,d parameters are accepted); check hidden_size, "
                        + "intermediate_size, num_hidden_layers, vocab_size and the expert counts", source, what, MAX_PARAMETERS));
    }

    /** The text config with the wrapper's dtype and quantization when it lacks its own. */
    private static JsonNode merged(JsonNode root, ObjectNode textConfig) {
        ObjectNode out = textConfig.deepCopy();
        for (String key : List.of("torch_dtype", "dtype", "quantization_config", "tie_word_embeddings")) {
            if ((!out.has(key) || out.get(key).isNull()) && root.has(key)) {
                out.set(key, root.get(key));
            }
        }
        if (!out.has("model_type") && root.has("model_type")) {
            // gemma3's text_config sometimes omits its own type (gemma3_text).
            out.put("model_type", root.get("model_type").asText() + "_text");
        }
        return out;
    }

    private static int maxPositions(ConfigFields f, Family family) {
        // vLLM's _get_and_verify_max_len reads model_max_length (Kimi-Linear states only that) and max_seq_len (Step3's)
        // too.
        String[] aliases = {"max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx",
            "model_max_length", "max_seq_len"};
        if (family == Family.GPT2 || family == Family.GPT_BIGCODE || family == Family.OPT) {
            return f.requirePositive(aliases); // learned position embeddings: sets the size
        }
        if (family == Family.FALCON) {
            return f.optInt(aliases).orElse(2048); // FalconConfig's own default
        }
        return f.requirePositive(aliases);
    }
}

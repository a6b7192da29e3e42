package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.json.UserJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        return parse(modelId, UserJson.parse(json, "config.json", source), source);
    }

    public static ModelSpec parse(String modelId, JsonNode root, String source) {
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
            tensors = new ArrayList<>(built.tensors());
            if (vision != null && vision.isObject()) {
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
        String dtypeName = f.optString("torch_dtype", "dtype").orElse(null);
        DType dtype = dtypeName == null ? DType.BFLOAT16 : DType.parse(dtypeName, "torch_dtype");
        if (dtypeName == null) {
            warnings.add("the config names no torch_dtype; weights are taken as bfloat16, the 16-bit dtype vLLM's --dtype auto serves such a model in");
        }
        Quantization q = QuantizationParser.parse(text.get("quantization_config"), source);
        return new ModelSpec(modelId, modelType.isEmpty() ? "unknown" : modelType, family, hidden, layers, heads,
                built.kvHeads(), built.headDim(), vocab, maxPositions, tied, dtype, dtypeName != null, q,
                built.mla(), built.moe(), built.layerAttention(), built.slidingWindow(), tensors, warnings);
    }

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
        String[] aliases = {"max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"};
        if (family == Family.GPT2 || family == Family.GPT_BIGCODE || family == Family.OPT) {
            return f.requirePositive(aliases); // learned position embeddings: sets the size
        }
        if (family == Family.FALCON) {
            return f.optInt(aliases).orElse(2048); // FalconConfig's own default
        }
        return f.requirePositive(aliases);
    }
}

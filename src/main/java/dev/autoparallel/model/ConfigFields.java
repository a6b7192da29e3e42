package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalInt;

/**
 * Reads fields of a Hugging Face config through alias lists, tried in order, skipping nulls
 * (as aiconfigurator's {@code _raw_dimension} does). A required field that is absent under every
 * alias fails with the field names and the config's name; nothing is guessed.
 */
final class ConfigFields {
    private final JsonNode node;
    private final String source;

    ConfigFields(JsonNode node, String source) {
        this.node = node;
        this.source = source;
    }

    String source() {
        return source;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** The first alias present with a non-null value, or null. */
    private String firstName(String... aliases) {
        for (String a : aliases) {
            JsonNode v = node.get(a);
            if (v != null && !v.isNull()) {
                return a;
            }
        }
        return null;
    }

    private JsonNode first(String... aliases) {
        String name = firstName(aliases);
        return name == null ? null : node.get(name);
    }

    /**
     * Largest value a whole-number field may hold. Sanity bounds far above every published model
     * (largest today: 18,432 hidden, 262,144 vocabulary, 160 layers, 512 experts) and low enough that
     * counting stays exact in {@code long} and a hostile config cannot make us allocate per layer
     * without end. Token counts (context lengths, windows) keep the whole int range.
     */
    static long maxValue(String field) {
        if (TOKEN_COUNTS.contains(field)) {
            return Integer.MAX_VALUE;
        }
        if (field.contains("layers") || field.equals("n_layer") || field.equals("first_k_dense_replace")) {
            return MAX_LAYERS;
        }
        if (field.contains("vocab")) {
            return MAX_VOCAB;
        }
        return MAX_DIMENSION;
    }

    /** Most layers of any kind a config may describe. */
    static final int MAX_LAYERS = 10_000;
    /** Largest vocabulary accepted (2^24). */
    static final int MAX_VOCAB = 1 << 24;
    /** Largest other dimension accepted (2^20: widths, heads, experts, group sizes). */
    static final int MAX_DIMENSION = 1 << 20;
    private static final Set<String> TOKEN_COUNTS = Set.of("max_position_embeddings", "n_positions",
            "max_sequence_length", "seq_length", "n_ctx", "sliding_window", "attention_chunk_size",
            "original_max_position_embeddings", "model_max_length", "max_seq_len");

    OptionalInt optInt(String... aliases) {
        String name = firstName(aliases);
        if (name == null) {
            return OptionalInt.empty();
        }
        JsonNode v = node.get(name);
        if (!v.isNumber() || !Double.isFinite(v.asDouble())
                || !v.isIntegralNumber() && v.asDouble() != Math.rint(v.asDouble())) {
            throw invalid(name, v, "a whole number");
        }
        long max = maxValue(name);
        if (v.isBigInteger() || v.asDouble() < 0 || v.asDouble() > max) {
            throw invalid(name, v, "a whole number from 0 to " + max);
        }
        return OptionalInt.of((int) v.asLong());
    }

    int requireInt(String... aliases) {
        OptionalInt v = optInt(aliases);
        if (v.isEmpty()) {
            throw missing(aliases);
        }
        return v.getAsInt();
    }

    /** A required dimension: present and at least 1. */
    int requirePositive(String... aliases) {
        int v = requireInt(aliases);
        if (v < 1) {
            String name = firstName(aliases);
            throw invalid(name, node.get(name), "a positive whole number");
        }
        return v;
    }

    /** An optional dimension: absent, or at least 1 (0 would divide by zero or erase a block). */
    OptionalInt optPositive(String... aliases) {
        OptionalInt v = optInt(aliases);
        if (v.isPresent() && v.getAsInt() < 1) {
            String name = firstName(aliases);
            throw invalid(name, node.get(name), "a positive whole number");
        }
        return v;
    }

    Optional<Boolean> optBool(String... aliases) {
        JsonNode v = first(aliases);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw invalid(aliases[0], v, "true or false");
        }
        return Optional.of(v.asBoolean());
    }

    Optional<String> optString(String... aliases) {
        JsonNode v = first(aliases);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw invalid(aliases[0], v, "a string");
        }
        return Optional.of(v.asText());
    }

    /**
     * Refuses {@code field} unless it is the string {@code allowed}: the one variant a builder models. Absent, it is
     * accepted when {@code absentMeansAllowed} (the field's default is that variant) and refused otherwise.
     */
    void requireValue(String field, String allowed, boolean absentMeansAllowed) {
        String value = optString(field).orElse(absentMeansAllowed ? allowed : null);
        if (!allowed.equals(value)) {
            throw invalid(field, node.get(field), allowed);
        }
    }

    /** A list of strings, or empty when absent. */
    List<String> stringList(String name) {
        JsonNode v = node.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw invalid(name, v, "a list of strings");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw invalid(name, v, "a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** A list of whole numbers, or empty when absent. */
    List<Integer> intList(String name) {
        JsonNode v = node.get(name);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw invalid(name, v, "a list of whole numbers");
        }
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw invalid(name, v, "a list of whole numbers");
            }
            out.add(e.asInt());
        }
        return out;
    }

    /** A per-layer list of 0 / 1 flags ({@code moe_layer_freq}, {@code hybrid_layer_pattern}, ...), one per layer. */
    List<Integer> layerFlags(String field, int layers) {
        List<Integer> v = intList(field);
        if (v.size() != layers || v.stream().anyMatch(x -> x != 0 && x != 1)) {
            throw new InvalidConfigurationException(field, source + ": " + field + " must list 0 or 1 for each of the "
                    + layers + " layers (num_hidden_layers), not " + v.size() + " values");
        }
        return v;
    }

    InvalidConfigurationException missing(String... aliases) {
        String names = aliases.length == 1 ? "'" + aliases[0] + "'"
                : "'" + aliases[0] + "' (or any of " + String.join(", ", List.of(aliases).subList(1, aliases.length)) + ")";
        return new InvalidConfigurationException(aliases[0],
                source + ": required field " + names + " is missing; it cannot be defaulted because it sets the model's size");
    }

    InvalidConfigurationException invalid(String field, JsonNode value, String allowed) {
        return new InvalidConfigurationException(field,
                source + ": field '" + field + "' was " + shown(value) + "; allowed: " + allowed);
    }

    /** A value as the error shows it: short values whole, long ones cut (a config is no place for long values). */
    private static String shown(JsonNode value) {
        String s = String.valueOf(value);
        return s.length() <= 80 ? s : s.substring(0, 60) + "... (" + s.length() + " characters)";
    }
}

package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private JsonNode first(String... aliases) {
        for (String a : aliases) {
            JsonNode v = node.get(a);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    OptionalInt optInt(String... aliases) {
        JsonNode v = first(aliases);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw invalid(aliases[0], v, "a whole number");
        }
        long value = v.asLong();
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw invalid(aliases[0], v, "a whole number from 0 to " + Integer.MAX_VALUE);
        }
        return OptionalInt.of((int) value);
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
            throw invalid(aliases[0], node.get(aliases[0]), "a positive whole number");
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
            if (!e.isIntegralNumber()) {
                throw invalid(name, v, "a list of whole numbers");
            }
            out.add(e.asInt());
        }
        return out;
    }

    InvalidConfigurationException missing(String... aliases) {
        String names = aliases.length == 1 ? "'" + aliases[0] + "'"
                : "'" + aliases[0] + "' (or any of " + String.join(", ", List.of(aliases).subList(1, aliases.length)) + ")";
        return new InvalidConfigurationException(aliases[0],
                source + ": required field " + names + " is missing; it cannot be defaulted because it sets the model's size");
    }

    InvalidConfigurationException invalid(String field, JsonNode value, String allowed) {
        return new InvalidConfigurationException(field,
                source + ": field '" + field + "' was " + value + "; allowed: " + allowed);
    }
}

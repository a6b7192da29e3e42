package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the test copy of the reference set (src/test/resources/reference/models.json). */
public final class ReferenceModels {
    private ReferenceModels() {
    }

    public static List<JsonNode> all() {
        try (InputStream in = ReferenceModels.class.getResourceAsStream("/reference/models.json")) {
            List<JsonNode> out = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode get(String modelId) {
        return all().stream().filter(m -> m.get("model_id").asText().equals(modelId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no reference entry " + modelId));
    }

    public static ModelSpec spec(String modelId) {
        return ConfigParser.parse(modelId, get(modelId).get("config"), "reference " + modelId);
    }
}

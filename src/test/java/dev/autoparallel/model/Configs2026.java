package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The test copy of the published configs in ../shared/reference/configs-2026 (src/test/resources/
 * configs-2026): one folder per Hub repository ({@code ORG--NAME}), its config.json and, for
 * NVIDIA ModelOpt checkpoints, its hf_quant_config.json, copied unchanged from the model
 * configurations bundled with NVIDIA's aiconfigurator (Apache License 2.0), which took them from the Hub.
 */
final class Configs2026 {
    private Configs2026() {
    }

    static Path root() {
        URL u = Configs2026.class.getResource("/configs-2026");
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every folder name, sorted. */
    static List<String> folders() {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String folder, String file) {
        try (InputStream in = Files.newInputStream(root().resolve(folder).resolve(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode config(String folder) {
        return (ObjectNode) ConfigParser.readTree(text(folder, "config.json"), folder);
    }

    /** The Hub ID of a folder ({@code nvidia--GLM-5-NVFP4} is {@code nvidia/GLM-5-NVFP4}). */
    static String id(String folder) {
        return folder.replace("--", "/");
    }

    /** The parsed config, with the folder's hf_quant_config.json when it has one (as ModelResolver reads a folder). */
    static ModelSpec spec(String folder) {
        JsonNode hfQuant = Files.exists(root().resolve(folder).resolve("hf_quant_config.json"))
                ? ConfigParser.readTree(text(folder, "hf_quant_config.json"), folder) : null;
        return ConfigParser.parse(id(folder), config(folder), hfQuant, "configs-2026/" + folder + "/config.json");
    }
}

package dev.autoparallel.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The embedded model catalog: published {@code config.json} files of popular models, shipped in
 * the jar so that everything works offline. Names match case-insensitively, with or without the
 * organisation, and through the catalog's aliases (other IDs the same model goes by).
 */
public final class Catalog {
    private static final String RESOURCE = "/catalog/models.json";

    /**
     * One catalog model: its Hub ID, the config as published, where it was taken from and when.
     *
     * @param configDate    the date (ISO) the config was copied from its published source, or null where
     *                      the entry predates that record
     * @param hfQuantConfig the repository's ModelOpt {@code hf_quant_config.json}, or null
     */
    public record Entry(String id, String family, String source, String configDate, JsonNode config,
                        JsonNode hfQuantConfig) {

        /** The parsed model, with its hf_quant_config.json when the repository ships one. */
        public ModelSpec spec() {
            return ConfigParser.parse(id, config, hfQuantConfig, "catalog entry " + id);
        }
    }

    /**
     * Another ID a catalog model goes by (an organisation's old name, the ID a benchmark file uses):
     * {@code alias} resolves to the entry {@code id}; {@code source} says why they are one model.
     */
    public record Alias(String alias, String id, String source) {
    }

    private final List<Entry> entries;
    private final List<Alias> aliases;

    Catalog(List<Entry> entries) {
        this(entries, List.of());
    }

    Catalog(List<Entry> entries, List<Alias> aliases) {
        this.entries = List.copyOf(entries);
        this.aliases = List.copyOf(aliases);
        for (Alias a : this.aliases) {
            if (this.entries.stream().noneMatch(e -> e.id().equalsIgnoreCase(a.id()))) {
                throw new IllegalStateException("catalog alias " + a.alias() + " names " + a.id()
                        + ", which is not a catalog entry");
            }
        }
    }

    private static final class Holder {
        static final Catalog EMBEDDED = load();
    }

    public static Catalog embedded() {
        return Holder.EMBEDDED;
    }

    private static Catalog load() {
        try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("catalog resource " + RESOURCE + " is missing from the jar");
            }
            JsonNode root = ConfigParser.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            List<Entry> out = new ArrayList<>();
            for (JsonNode e : root.get("models")) {
                JsonNode date = e.get("config_date");
                JsonNode quant = e.get("hf_quant_config");
                out.add(new Entry(e.get("id").asText(), e.get("config").path("model_type").asText(),
                        e.get("source").asText(), date == null || date.isNull() ? null : date.asText(), e.get("config"),
                        quant == null || quant.isNull() ? null : quant));
            }
            out.sort(Comparator.comparing(Entry::id, String.CASE_INSENSITIVE_ORDER));
            List<Alias> aliases = new ArrayList<>();
            for (JsonNode a : root.path("aliases")) {
                aliases.add(new Alias(a.get("alias").asText(), a.get("id").asText(), a.get("source").asText()));
            }
            return new Catalog(out, aliases);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the embedded catalog", e);
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Alias> aliases() {
        return aliases;
    }

    /** The entry whose ID equals {@code name} ignoring case, or whose name part does when no organisation is given. */
    public Optional<Entry> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Entry e : entries) {
            if (e.id().toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(e);
            }
        }
        for (Alias a : aliases) {
            if (a.alias().toLowerCase(Locale.ROOT).equals(n)) {
                return find(a.id());
            }
        }
        if (!n.contains("/")) {
            List<Entry> byName = entries.stream()
                    .filter(e -> e.id().substring(e.id().indexOf('/') + 1).toLowerCase(Locale.ROOT).equals(n))
                    .toList();
            if (byName.size() == 1) {
                return Optional.of(byName.get(0));
            }
        }
        return Optional.empty();
    }

    /** Up to three catalog IDs close to {@code name} (edit distance on the lower-cased name), best first. */
    public List<String> suggestions(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String nName = n.substring(n.indexOf('/') + 1);
        record Scored(String id, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (Entry e : entries) {
            String id = e.id().toLowerCase(Locale.ROOT);
            String idName = id.substring(id.indexOf('/') + 1);
            int d = Math.min(distance(n, id), distance(nName, idName));
            if (idName.contains(nName) && nName.length() >= 4) {
                d = Math.min(d, 1 + (idName.length() - nName.length()) / 4);
            }
            if (d <= Math.max(2, nName.length() / 3)) {
                scored.add(new Scored(e.id(), d));
            }
        }
        return scored.stream().sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::id))
                .limit(3).map(Scored::id).toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

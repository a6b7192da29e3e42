package dev.autoparallel.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelUnreachableException;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Finds a model's config: a local path (a JSON file of any name, or a folder holding
 * {@code config.json}), then the embedded catalog, then the local Hugging Face cache, then the
 * Hub over HTTP (unless offline), caching what it fetched.
 */
public final class ModelResolver {
    private static final Logger LOG = Logger.getLogger(ModelResolver.class.getName());
    private static final String REVISION = "main";

    private final Catalog catalog;
    private final HubSettings settings;
    private final HfCache cache;

    public ModelResolver(Catalog catalog, HubSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
        this.cache = new HfCache(settings.cacheDir());
    }

    /** A resolver for this process's environment (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE, HF_HOME). */
    public static ModelResolver fromEnvironment() {
        return new ModelResolver(Catalog.embedded(), HubSettings.fromEnvironment(System.getenv()));
    }

    public Catalog catalog() {
        return catalog;
    }

    public ResolvedModel resolve(String model) {
        Path local = localPath(model);
        if (local == null) {
            ModelIds.validate(model);
            var entry = catalog.find(model);
            if (entry.isPresent()) {
                return new ResolvedModel(entry.get().spec(), ResolvedModel.Origin.CATALOG, entry.get().source());
            }
        }
        PublishedConfig c = config(model);
        return new ResolvedModel(ConfigParser.parse(model, c.config(), c.hfQuantConfig(), c.source()), c.origin(), c.location());
    }

    /**
     * A model's config as published, unparsed (for configs that are not a served model's, such as a speculative
     * drafter's): found in the same order as {@link #resolve}.
     *
     * @param config        config.json
     * @param hfQuantConfig hf_quant_config.json beside it, or null
     * @param source        where it was read, for error messages
     */
    public record PublishedConfig(JsonNode config, JsonNode hfQuantConfig, String source, ResolvedModel.Origin origin,
                                  String location) {
    }

    public PublishedConfig config(String model) {
        Path local = localPath(model);
        if (local != null) {
            return readFile(local, ResolvedModel.Origin.LOCAL_FILE);
        }
        ModelIds.validate(model);
        var entry = catalog.find(model);
        if (entry.isPresent()) {
            return new PublishedConfig(entry.get().config(), null, "catalog " + model, ResolvedModel.Origin.CATALOG,
                    entry.get().source());
        }
        var cached = cache.find(model);
        if (cached.isPresent()) {
            try {
                return readFile(cached.get(), ResolvedModel.Origin.HF_CACHE);
            } catch (InvalidConfigurationException e) {
                if (settings.offline() || !isUnreadable(e)) {
                    throw e;
                }
                // A corrupt cached copy (cut short, not UTF-8, not JSON) is fetched again, and replaced.
            }
        }
        List<String> suggestions = catalog.suggestions(model);
        if (settings.offline()) {
            String hint = suggestions.isEmpty() ? "" : " Close catalog models: " + String.join(", ", suggestions) + ".";
            throw new ModelUnreachableException(model, ModelUnreachableException.Reason.OFFLINE, "model '" + model
                    + "' is not in the embedded catalog or the Hugging Face cache (" + cache.root()
                    + "), and HF_HUB_OFFLINE=1 forbids asking the Hub; " + HubClient.localHint(model) + "." + hint);
        }
        HubClient hub = new HubClient(settings);
        HubClient.Fetched fetched = hub.fetchConfig(model, REVISION, suggestions);
        String source = settings.endpoint() + "/" + model + " config.json";
        JsonNode hfQuant = null;
        Optional<HubClient.Fetched> quant = hub.fetchHfQuantConfig(model, fetched.commit());
        if (quant.isPresent()) {
            hfQuant = ConfigParser.readTree(quant.get().json(), settings.endpoint() + "/" + model + " " + HubClient.HF_QUANT_CONFIG);
        }
        JsonNode config = ConfigParser.readTree(fetched.json(), source);
        String location;
        try {
            location = cache.store(model, REVISION, fetched.commit(), fetched.json()).toString();
            quant.ifPresent(q -> cache.storeFile(model, fetched.commit(), HubClient.HF_QUANT_CONFIG, q.json()));
        } catch (UncheckedIOException e) {
            // A cache we cannot write costs a fetch next time, not this answer.
            LOG.warning(() -> "could not write " + model + " to the Hugging Face cache at " + cache.root() + ": "
                    + e.getCause().getClass().getSimpleName());
            location = settings.endpoint() + "/" + model;
        }
        return new PublishedConfig(config, hfQuant, source, ResolvedModel.Origin.HUB, location);
    }

    /** The path {@code model} names when it is an existing file or folder, else null. */
    private static Path localPath(String model) {
        try {
            Path p = Path.of(model);
            return Files.exists(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Whether a config was refused for its bytes (not JSON, not UTF-8, too large) rather than its fields. */
    private static boolean isUnreadable(InvalidConfigurationException e) {
        return e.field().equals("config.json");
    }

    private static PublishedConfig readFile(Path path, ResolvedModel.Origin origin) {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = path.resolve("config.json");
            if (!Files.exists(file)) {
                throw new InvalidConfigurationException("model", "folder " + path + " holds no config.json");
            }
        }
        String json = TextFiles.read(file, "config.json", TextFiles.MAX_CONFIG_BYTES);
        // ModelOpt checkpoints keep their quantization in hf_quant_config.json beside config.json.
        Path quantFile = file.resolveSibling(HubClient.HF_QUANT_CONFIG);
        JsonNode hfQuant = null;
        if (Files.exists(quantFile)) {
            hfQuant = ConfigParser.readTree(TextFiles.read(quantFile, "hf_quant_config.json", TextFiles.MAX_CONFIG_BYTES),
                    quantFile.toString());
        }
        return new PublishedConfig(ConfigParser.readTree(json, file.toString()), hfQuant, file.toString(), origin,
                file.toAbsolutePath().toString());
    }
}

package dev.autoparallel.source;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach the Hugging Face Hub and its local cache, from the same environment
 * variables {@code huggingface_hub} reads. {@link #toString()} never shows the token.
 *
 * @param endpoint        {@code HF_ENDPOINT}, default {@code https://huggingface.co}
 * @param token           {@code HF_TOKEN}, sent as a bearer token, never printed
 * @param offline         {@code HF_HUB_OFFLINE=1}: the Hub is never contacted
 * @param cacheDir        {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}
 * @param connectTimeout  time to open a connection
 * @param readTimeout     time for the whole response
 * @param maxRetries      further tries after a 429, a 5xx or a dropped connection
 * @param initialBackoff  wait before the first retry, doubled each time (a Retry-After header wins)
 */
public record HubSettings(URI endpoint, Optional<String> token, boolean offline, Path cacheDir,
                          Duration connectTimeout, Duration readTimeout, int maxRetries, Duration initialBackoff) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    public HubSettings {
        token = token.filter(t -> !t.isBlank());
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
    }

    /** Settings from environment variables (pass {@code System.getenv()}). */
    public static HubSettings fromEnvironment(Map<String, String> env) {
        String endpoint = env.getOrDefault("HF_ENDPOINT", "").isBlank() ? DEFAULT_ENDPOINT.toString() : env.get("HF_ENDPOINT");
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        Path cache;
        if (!env.getOrDefault("HF_HUB_CACHE", "").isBlank()) {
            cache = Path.of(env.get("HF_HUB_CACHE"));
        } else if (!env.getOrDefault("HF_HOME", "").isBlank()) {
            cache = Path.of(env.get("HF_HOME"), "hub");
        } else {
            cache = Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
        }
        return new HubSettings(URI.create(endpoint.replaceAll("/+$", "")), Optional.ofNullable(env.get("HF_TOKEN")),
                offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes"),
                cache, Duration.ofSeconds(10), Duration.ofSeconds(30), 3, Duration.ofMillis(500));
    }

    public HubSettings withTimeouts(Duration connect, Duration read) {
        return new HubSettings(endpoint, token, offline, cacheDir, connect, read, maxRetries, initialBackoff);
    }

    public HubSettings withRetries(int retries, Duration backoff) {
        return new HubSettings(endpoint, token, offline, cacheDir, connectTimeout, readTimeout, retries, backoff);
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "<set>" : "<none>")
                + ", offline=" + offline + ", cacheDir=" + cacheDir + "]";
    }
}

package dev.autoparallel.source;

import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.ModelNotFoundException;
import dev.autoparallel.ModelUnreachableException;
import dev.autoparallel.ModelUnreachableException.Reason;
import dev.autoparallel.model.ConfigParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Fetches {@code config.json} from the Hugging Face Hub ({@code GET {endpoint}/{id}/resolve/{rev}/config.json}).
 * Retries 429 and 5xx answers and dropped connections with exponential back-off (honouring
 * {@code Retry-After}); tells a missing repository from a gated one by the Hub's
 * {@code X-Error-Code} header. The token goes only into the Authorization header.
 */
public final class HubClient {
    private static final Logger LOG = Logger.getLogger(HubClient.class.getName());
    /** Longest wait a Retry-After header may ask for before we give up waiting. */
    private static final long MAX_RETRY_AFTER_MS = 30_000;
    static final String CONFIG = "config.json";
    /** NVIDIA ModelOpt checkpoints describe their quantization in this file beside config.json. */
    public static final String HF_QUANT_CONFIG = "hf_quant_config.json";

    /** A fetched config and the commit it came from ({@code X-Repo-Commit}, else the revision asked for). */
    public record Fetched(String json, String commit) {
    }

    private final HubSettings settings;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public Fetched fetchConfig(String id, String revision, List<String> suggestions) {
        return fetch(id, revision, CONFIG, suggestions);
    }

    /**
     * ModelOpt's {@code hf_quant_config.json} of {@code id}, or empty when the repository has none
     * (the Hub answers 404 / EntryNotFound); other failures propagate as for config.json.
     */
    public Optional<Fetched> fetchHfQuantConfig(String id, String revision) {
        try {
            return Optional.of(fetch(id, revision, HF_QUANT_CONFIG, List.of()));
        } catch (ModelNotFoundException e) {
            return Optional.empty();
        }
    }

    private Fetched fetch(String id, String revision, String file, List<String> suggestions) {
        URI uri = URI.create(settings.endpoint() + "/" + id + "/resolve/" + revision + "/" + file);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(settings.readTimeout())
                .header("User-Agent", "autoparallel/0.1").GET();
        settings.token().ifPresent(t -> req.header("Authorization", "Bearer " + t));
        HttpRequest request = req.build();
        long backoffMs = settings.initialBackoff().toMillis();
        String lastProblem = "";
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleep(backoffMs);
                backoffMs *= 2;
            }
            HttpResponse<String> resp;
            try {
                resp = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                throw new ModelUnreachableException(id, Reason.TIMEOUT, "the Hugging Face Hub at " + settings.endpoint()
                        + " did not answer within " + settings.readTimeout().toMillis() + " ms for " + id
                        + "; " + localHint(id), e);
            } catch (ConnectException e) {
                lastProblem = "could not connect to " + settings.endpoint();
                continue;
            } catch (IOException e) {
                lastProblem = "the connection to " + settings.endpoint() + " broke (" + e.getClass().getSimpleName() + ")";
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelUnreachableException(id, Reason.TIMEOUT, "interrupted while fetching " + id, e);
            }
            int status = resp.statusCode();
            String errorCode = resp.headers().firstValue("X-Error-Code").orElse("");
            if (status == 200) {
                return parsed(id, revision, file, resp);
            }
            if (status == 429 || status >= 500) {
                lastProblem = "the Hub answered HTTP " + status;
                Optional<Long> retryAfter = resp.headers().firstValue("Retry-After").flatMap(HubClient::seconds);
                if (retryAfter.isPresent()) {
                    backoffMs = Math.max(backoffMs, Math.min(retryAfter.get() * 1000, MAX_RETRY_AFTER_MS));
                }
                LOG.fine(() -> "retrying " + id + " after HTTP " + status);
                continue;
            }
            if (status == 404 || errorCode.equals("RepoNotFound") || errorCode.equals("RevisionNotFound")) {
                String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(", ", suggestions) + "?";
                throw new ModelNotFoundException(id, "model '" + id + "' was not found on the Hugging Face Hub ("
                        + (errorCode.isEmpty() ? "HTTP " + status : errorCode) + ")" + hint, suggestions);
            }
            if (errorCode.equals("EntryNotFound")) {
                throw new ModelNotFoundException(id, "repository '" + id + "' has no " + file + "; it is not a "
                        + "transformers model AutoParallel can read", suggestions);
            }
            if (status == 401 || status == 403) {
                throw new ModelUnreachableException(id, Reason.GATED, "model '" + id + "' is gated or private (HTTP "
                        + status + "): accept its licence on huggingface.co and set HF_TOKEN to a token with access"
                        + (settings.token().isPresent() ? " (the HF_TOKEN given was refused)" : ""));
            }
            throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub answered HTTP " + status
                    + " for " + id + "; " + localHint(id));
        }
        throw new ModelUnreachableException(id, lastProblem.startsWith("the Hub answered") ? Reason.SERVER_ERROR : Reason.OFFLINE,
                "the Hugging Face Hub could not be reached for " + id + " after " + (settings.maxRetries() + 1)
                        + " tries (" + lastProblem + "); " + localHint(id)
                        + (suggestions.isEmpty() ? "" : ". Close catalog models: " + String.join(", ", suggestions)));
    }

    private static Fetched parsed(String id, String revision, String file, HttpResponse<String> resp) {
        String body = resp.body();
        try {
            if (!ConfigParser.readTree(body, id).isObject()) {
                throw new InvalidConfigurationException("config.json", "not a JSON object");
            }
        } catch (InvalidConfigurationException e) {
            throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub's " + file + " for " + id
                    + " is not valid JSON (" + body.length() + " characters; truncated?); nothing was cached", e);
        }
        String commit = resp.headers().firstValue("X-Repo-Commit").filter(c -> c.matches("[0-9a-fA-F]{7,64}")).orElse(revision);
        return new Fetched(body, commit);
    }

    static String localHint(String id) {
        return "to work offline, pass the path of its config.json (or of a folder holding one) instead of '" + id
                + "', or put it in the Hugging Face cache";
    }

    private static Optional<Long> seconds(String v) {
        try {
            return Optional.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.autoparallel.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelNotFoundException;
import dev.autoparallel.error.ModelUnreachableException;
import dev.autoparallel.error.ModelUnreachableException.Reason;
import dev.autoparallel.json.UserJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Fetches {@code config.json} from the Hugging Face Hub ({@code GET {endpoint}/{id}/resolve/{rev}/config.json}).
 * Retries 429 and 5xx answers and dropped connections with exponential back-off (honouring
 * {@code Retry-After} up to a total wait); tells a missing repository from a gated one by the
 * Hub's {@code X-Error-Code} header.
 *
 * <p>Every request is bounded as a whole (headers and body, however slowly the server drips it)
 * and in size. Redirects are followed here, not by the HTTP client, so that the token goes only
 * to the endpoint's own origin: as {@code huggingface_hub} does, the Authorization header is
 * dropped when a redirect changes scheme, host or port.
 */
public final class HubClient {
    private static final Logger LOG = Logger.getLogger(HubClient.class.getName());
    /** Longest total time spent waiting between tries (back-off and Retry-After together). */
    static final long MAX_TOTAL_WAIT_MS = 60_000;
    /** Redirects followed before giving up (huggingface_hub's requests session allows 30; the Hub uses one or two). */
    static final int MAX_REDIRECTS = 10;
    /** Largest config.json accepted from the Hub. */
    static final int MAX_BODY_BYTES = TextFiles.MAX_CONFIG_BYTES;
    static final String CONFIG = "config.json";
    /** NVIDIA ModelOpt checkpoints describe their quantization in this file beside config.json. */
    public static final String HF_QUANT_CONFIG = "hf_quant_config.json";

    /** A fetched config and the commit it came from ({@code X-Repo-Commit}, else the revision asked for). */
    public record Fetched(String json, String commit) {
    }

    /** The body was larger than {@link #MAX_BODY_BYTES}. */
    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super("body larger than " + MAX_BODY_BYTES + " bytes");
        }
    }

    private final HubSettings settings;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
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
        long backoffMs = settings.initialBackoff().toMillis();
        long waitedMs = 0;
        String lastProblem = "";
        for (int attempt = 0; attempt <= settings.maxRetries(); attempt++) {
            if (attempt > 0) {
                if (waitedMs + backoffMs > MAX_TOTAL_WAIT_MS) {
                    lastProblem += String.format(Locale.ROOT, "; the next try would have come after %.0f s, past the %d s "
                            + "AutoParallel waits in all", (waitedMs + backoffMs) / 1000.0, MAX_TOTAL_WAIT_MS / 1000);
                    break;
                }
                sleep(backoffMs);
                waitedMs += backoffMs;
                backoffMs *= 2;
            }
            HttpResponse<byte[]> resp;
            try {
                resp = send(uri, id);
            } catch (HttpTimeoutException | TimeoutException e) {
                throw new ModelUnreachableException(id, Reason.TIMEOUT, "the Hugging Face Hub at " + settings.endpoint()
                        + " did not send the whole answer within " + settings.readTimeout().toMillis() + " ms for " + id
                        + "; " + localHint(id), e);
            } catch (BodyTooLarge e) {
                throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub's " + file + " for " + id
                        + String.format(Locale.ROOT, " is larger than the %,d bytes a config may be; nothing was cached", MAX_BODY_BYTES));
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
                    long askedMs = retryAfter.get() * 1000;
                    if (waitedMs + askedMs > MAX_TOTAL_WAIT_MS) {
                        throw new ModelUnreachableException(id, Reason.SERVER_ERROR, "the Hugging Face Hub answered HTTP "
                                + status + " for " + id + " and asked to retry after " + retryAfter.get()
                                + " s (Retry-After), longer than the " + MAX_TOTAL_WAIT_MS / 1000
                                + " s AutoParallel waits in all; try again later, or " + localHint(id));
                    }
                    backoffMs = Math.max(backoffMs, askedMs);
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
                        + " tries at most (" + lastProblem + "); " + localHint(id)
                        + (suggestions.isEmpty() ? "" : ". Close catalog models: " + String.join(", ", suggestions)));
    }

    /**
     * One GET, following redirects by hand: the token is sent only while the request stays on the
     * endpoint's origin. The whole exchange, body included, must finish within the read timeout.
     */
    private HttpResponse<byte[]> send(URI start, String id) throws IOException, InterruptedException, TimeoutException {
        URI uri = start;
        boolean withToken = true;
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(settings.readTimeout())
                    .header("User-Agent", "autoparallel/0.1").GET();
            if (withToken) {
                settings.token().ifPresent(t -> req.header("Authorization", "Bearer " + t));
            }
            CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(req.build(), info -> new LimitedBody());
            HttpResponse<byte[]> resp;
            try {
                resp = future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException(cause);
            }
            int status = resp.statusCode();
            Optional<String> location = resp.headers().firstValue("Location");
            if (!isRedirect(status) || location.isEmpty()) {
                return resp;
            }
            if (hop >= MAX_REDIRECTS) {
                throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub redirected more than "
                        + MAX_REDIRECTS + " times for " + id + "; " + localHint(id));
            }
            URI next;
            try {
                next = uri.resolve(location.get().trim());
            } catch (IllegalArgumentException e) {
                throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub redirected to an invalid address for "
                        + id + "; " + localHint(id));
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, "the Hub redirected to a non-HTTP address for "
                        + id + "; " + localHint(id));
            }
            withToken = withToken && sameOrigin(start, next);
            uri = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Same scheme, host and port (default ports made explicit). */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** Collects a body up to {@link #MAX_BODY_BYTES}, then fails with {@link BodyTooLarge}. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (buffer.size() + (long) b.remaining() > MAX_BODY_BYTES) {
                    result.completeExceptionally(new BodyTooLarge());
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }

    /** The body as strict UTF-8 JSON object, or a bad-response error; nothing is cached either way. */
    private static Fetched parsed(String id, String revision, String file, HttpResponse<byte[]> resp) {
        String what = "the Hub's " + file + " for " + id;
        String body;
        JsonNode root;
        try {
            body = TextFiles.decode(resp.body(), what, "config.json");
            root = UserJson.parse(body, "config.json", what);
        } catch (InvalidConfigurationException e) {
            throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, e.getMessage() + "; nothing was cached", e);
        }
        if (!root.isObject()) {
            throw new ModelUnreachableException(id, Reason.BAD_RESPONSE, what + " is not a JSON object; nothing was cached");
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
            long s = Long.parseLong(v.trim());
            return s < 0 ? Optional.empty() : Optional.of(Math.min(s, Long.MAX_VALUE / 1000));
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

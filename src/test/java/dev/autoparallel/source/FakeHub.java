package dev.autoparallel.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1, started and stopped by each test. Each
 * repository path gets a script of responses; the last one repeats.
 */
final class FakeHub implements AutoCloseable {
    /**
     * One scripted answer. {@code delayMs} holds the response back; {@code truncate} closes
     * mid-body; {@code raw}, when set, is sent instead of {@code body} (bytes that are not UTF-8);
     * {@code dripMs} > 0 sends the headers, then one byte every {@code dripMs}.
     */
    record Reply(int status, String body, Map<String, String> headers, long delayMs, boolean truncate, byte[] raw, long dripMs) {
        Reply(int status, String body, Map<String, String> headers, long delayMs, boolean truncate) {
            this(status, body, headers, delayMs, truncate, null, 0);
        }

        static Reply ok(String body) {
            return new Reply(200, body, Map.of("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567"), 0, false);
        }

        static Reply okBytes(byte[] raw) {
            return new Reply(200, "", Map.of(), 0, false, raw, 0);
        }

        static Reply drip(String body, long dripMs) {
            return new Reply(200, body, Map.of(), 0, false, null, dripMs);
        }

        static Reply redirect(String location) {
            return new Reply(302, "", Map.of("Location", location), 0, false);
        }

        static Reply status(int status, Map<String, String> headers) {
            return new Reply(status, "{\"error\":\"scripted " + status + "\"}", headers, 0, false);
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, List<Reply>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> authByPath = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void script(String repo, Reply... replies) {
        scriptPath("/" + repo + "/resolve/main/config.json", replies);
    }

    /** Scripts any path (a redirect's target). */
    void scriptPath(String path, Reply... replies) {
        scripts.put(path, List.of(replies));
    }

    /** The Authorization headers received on one path. */
    List<String> authorizationsOn(String path) {
        return authByPath.getOrDefault(path, List.of());
    }

    /** Scripts another file of a repository, {@code path} relative to {@code resolve/}. */
    void scriptFile(String repo, String path, Reply... replies) {
        scripts.put("/" + repo + "/resolve/" + path, List.of(replies));
    }

    int hits(String repo) {
        return hits.getOrDefault("/" + repo + "/resolve/main/config.json", new AtomicInteger()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizations.add(auth);
            authByPath.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>()).add(auth);
        }
        int n = hits.computeIfAbsent(path, k -> new AtomicInteger()).getAndIncrement();
        List<Reply> script = scripts.getOrDefault(path,
                List.of(Reply.status(401, Map.of("X-Error-Code", "RepoNotFound"))));
        Reply r = script.get(Math.min(n, script.size() - 1));
        try {
            if (r.delayMs() > 0) {
                Thread.sleep(r.delayMs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] body = r.raw() != null ? r.raw() : r.body().getBytes(StandardCharsets.UTF_8);
        try {
            if (r.dripMs() > 0) {
                ex.sendResponseHeaders(r.status(), body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    for (byte b : body) {
                        os.write(b);
                        os.flush();
                        Thread.sleep(r.dripMs());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (r.truncate()) {
                ex.sendResponseHeaders(r.status(), body.length);
                OutputStream os = ex.getResponseBody();
                os.write(body, 0, body.length / 2);
                os.flush();
                ex.getHttpContext().getServer(); // keep reference; close the exchange mid-body
                ex.close();
                return;
            }
            ex.sendResponseHeaders(r.status(), body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        } catch (IOException e) {
            // The client gave up (timeout test): nothing to do.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}

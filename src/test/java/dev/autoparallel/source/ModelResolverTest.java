package dev.autoparallel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelNotFoundException;
import dev.autoparallel.error.ModelUnreachableException;
import dev.autoparallel.error.ModelUnreachableException.Reason;
import dev.autoparallel.model.ReferenceModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution order and the Hub client, against a real HTTP server on 127.0.0.1. */
class ModelResolverTest {
    private static final String TOKEN = "hf_secretTOKEN1234567890";
    private static final String QWEN3_8B = ReferenceModels.get("Qwen/Qwen3-8B").get("config").toString();

    @TempDir
    Path cacheDir;

    private FakeHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelResolver resolver(boolean offline, Optional<String> token) {
        HubSettings s = new HubSettings(hub.endpoint(), token, offline, cacheDir,
                Duration.ofSeconds(2), Duration.ofMillis(800), 2, Duration.ofMillis(10));
        return new ModelResolver(Catalog.embedded(), s);
    }

    @Test
    void hub200_parsesAndCachesInHfLayout_thenServesFromCache() throws Exception {
        hub.script("acme/qwen-clone", FakeHub.Reply.ok(QWEN3_8B));
        ResolvedModel r = resolver(false, Optional.empty()).resolve("acme/qwen-clone");
        assertEquals(ResolvedModel.Origin.HUB, r.origin());
        assertEquals(8_190_735_360L, r.spec().paramCount()); // Qwen3-8B's published total
        Path repo = cacheDir.resolve("models--acme--qwen-clone");
        assertEquals("0123456789abcdef0123456789abcdef01234567", Files.readString(repo.resolve("refs/main")));
        assertTrue(Files.isRegularFile(repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567/config.json")));

        ResolvedModel again = resolver(false, Optional.empty()).resolve("acme/qwen-clone");
        assertEquals(ResolvedModel.Origin.HF_CACHE, again.origin());
        assertEquals(1, hub.hits("acme/qwen-clone"));
    }

    @Test
    void localFolder_readsHfQuantConfigBesideConfigJson(@TempDir Path folder) throws Exception {
        // nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4 ships its NVFP4 description only in hf_quant_config.json
        // (test copy of ../shared/reference/configs-2026).
        Path src = Path.of(ModelResolverTest.class.getResource("/configs-2026/nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4").toURI());
        Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(src.resolve("hf_quant_config.json"), folder.resolve("hf_quant_config.json"));
        ResolvedModel r = resolver(true, Optional.empty()).resolve(folder.toString());
        assertEquals("modelopt", r.spec().quantization().method());
        assertTrue(r.spec().weightBytes() < r.spec().paramCount(), "NVFP4 stores well under a byte per parameter");
    }

    @Test
    void hub_fetchesHfQuantConfigBesideConfig_andCachesIt() throws Exception {
        String base = "/configs-2026/nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4/";
        String config = new String(ModelResolverTest.class.getResourceAsStream(base + "config.json").readAllBytes());
        String quant = new String(ModelResolverTest.class.getResourceAsStream(base + "hf_quant_config.json").readAllBytes());
        hub.script("acme/nano-fp4", FakeHub.Reply.ok(config));
        hub.scriptFile("acme/nano-fp4", "0123456789abcdef0123456789abcdef01234567/hf_quant_config.json", FakeHub.Reply.ok(quant));
        ResolvedModel r = resolver(false, Optional.empty()).resolve("acme/nano-fp4");
        assertEquals("modelopt", r.spec().quantization().method());
        assertTrue(Files.isRegularFile(cacheDir.resolve(
                "models--acme--nano-fp4/snapshots/0123456789abcdef0123456789abcdef01234567/hf_quant_config.json")));
        assertEquals("modelopt", resolver(true, Optional.empty()).resolve("acme/nano-fp4").spec().quantization().method());
    }

    @Test
    void hub404_isModelNotFound_withCatalogSuggestions() {
        hub.script("meta-llama/Llama-3.1-8B-Instrukt", FakeHub.Reply.status(404, Map.of("X-Error-Code", "RepoNotFound")));
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> resolver(false, Optional.empty()).resolve("meta-llama/Llama-3.1-8B-Instrukt"));
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", e.suggestions().get(0));
        assertTrue(e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void hub401Gated_isUnreachable_andNeverLeaksTheToken() {
        hub.script("meta-llama/Llama-4-secret", FakeHub.Reply.status(401, Map.of("X-Error-Code", "GatedRepo")));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.of(TOKEN)).resolve("meta-llama/Llama-4-secret"));
        assertEquals(Reason.GATED, e.reason());
        assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN));
        assertEquals("Bearer " + TOKEN, hub.authorizations.get(0));
        assertFalse(new HubSettings(hub.endpoint(), Optional.of(TOKEN), false, cacheDir, Duration.ZERO, Duration.ZERO, 0,
                Duration.ZERO).toString().contains(TOKEN));
    }

    @Test
    void hub403_isGated() {
        hub.script("org/private", FakeHub.Reply.status(403, Map.of()));
        assertEquals(Reason.GATED, assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.empty()).resolve("org/private")).reason());
    }

    @Test
    void hub429Then200_retriesWithBackoff() {
        hub.script("acme/busy", FakeHub.Reply.status(429, Map.of("Retry-After", "0")), FakeHub.Reply.ok(QWEN3_8B));
        ResolvedModel r = resolver(false, Optional.empty()).resolve("acme/busy");
        assertEquals(ResolvedModel.Origin.HUB, r.origin());
        assertEquals(2, hub.hits("acme/busy"));
    }

    @Test
    void hub500Always_failsAfterRetries_asServerError() {
        hub.script("acme/broken", FakeHub.Reply.status(500, Map.of()));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.empty()).resolve("acme/broken"));
        assertEquals(Reason.SERVER_ERROR, e.reason());
        assertEquals(3, hub.hits("acme/broken")); // 1 try + 2 retries
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void slowHub_timesOut() {
        hub.script("acme/slow", new FakeHub.Reply(200, QWEN3_8B, Map.of(), 3000, false));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.empty()).resolve("acme/slow"));
        assertEquals(Reason.TIMEOUT, e.reason());
    }

    @Test
    void truncatedJson_isBadResponse_andNothingIsCached() {
        hub.script("acme/cut", new FakeHub.Reply(200, QWEN3_8B.substring(0, QWEN3_8B.length() / 2), Map.of(), 0, false));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.empty()).resolve("acme/cut"));
        assertEquals(Reason.BAD_RESPONSE, e.reason());
        assertFalse(Files.exists(cacheDir.resolve("models--acme--cut")));
    }

    @Test
    void connectionClosedMidBody_isRetriedThenReported() {
        hub.script("acme/drop", new FakeHub.Reply(200, QWEN3_8B, Map.of(), 0, true));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Optional.empty()).resolve("acme/drop"));
        assertTrue(e.reason() == Reason.OFFLINE || e.reason() == Reason.BAD_RESPONSE, e.reason().toString());
        assertFalse(Files.exists(cacheDir.resolve("models--acme--drop")));
    }

    @Test
    void offline_neverCallsTheHub_andSaysHowToPassALocalConfig() {
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(true, Optional.empty()).resolve("acme/anything"));
        assertEquals(Reason.OFFLINE, e.reason());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE=1") && e.getMessage().contains("config.json"), e.getMessage());
        assertEquals(0, hub.requests.get());
    }

    @Test
    void catalogComesBeforeTheHub_caseInsensitive() {
        ResolvedModel r = resolver(false, Optional.empty()).resolve("META-LLAMA/llama-3.1-8b-instruct");
        assertEquals(ResolvedModel.Origin.CATALOG, r.origin());
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", r.spec().modelId());
        assertEquals(0, hub.requests.get());
    }

    @Test
    void localFileAndFolder_comeFirst(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my-model.json");
        Files.writeString(file, QWEN3_8B);
        ResolvedModel fromFile = resolver(false, Optional.empty()).resolve(file.toString());
        assertEquals(ResolvedModel.Origin.LOCAL_FILE, fromFile.origin());
        Files.writeString(dir.resolve("config.json"), QWEN3_8B);
        assertEquals(8_190_735_360L, resolver(false, Optional.empty()).resolve(dir.toString()).spec().paramCount());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(InvalidConfigurationException.class, () -> resolver(false, Optional.empty()).resolve(empty.toString()));
    }

    @Test
    void invalidIds_areRefusedBeforeAnyFileOrNetworkAccess() {
        for (String bad : new String[] {"../../etc/passwd", "org/has space", "a/b/c", "x".repeat(200), "org/na--me", ""}) {
            assertThrows(InvalidConfigurationException.class, () -> resolver(false, Optional.empty()).resolve(bad), bad);
        }
        assertEquals(0, hub.requests.get());
    }

    @Test
    void hfCache_isReadFromHfHubCacheLayout() throws Exception {
        Path snap = cacheDir.resolve("models--Acme--Cached/snapshots/abc123");
        Files.createDirectories(snap);
        Files.writeString(snap.resolve("config.json"), QWEN3_8B);
        Files.createDirectories(cacheDir.resolve("models--Acme--Cached/refs"));
        Files.writeString(cacheDir.resolve("models--Acme--Cached/refs/main"), "abc123");
        ResolvedModel r = resolver(true, Optional.empty()).resolve("acme/cached");
        assertEquals(ResolvedModel.Origin.HF_CACHE, r.origin());
    }

    @Test
    void settingsFromEnvironment_followHuggingFaceHub() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf", "HF_HUB_OFFLINE", "1",
                "HF_ENDPOINT", "http://mirror.local/", "HF_TOKEN", TOKEN));
        assertEquals(Path.of("/data/hf/hub"), s.cacheDir());
        assertTrue(s.offline());
        assertEquals("http://mirror.local", s.endpoint().toString());
        assertEquals(Path.of("/x"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf", "HF_HUB_CACHE", "/x")).cacheDir());
    }
}

package dev.autoparallel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelUnreachableException;
import dev.autoparallel.error.ModelUnreachableException.Reason;
import dev.autoparallel.model.ReferenceModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hub faults of issue 12's campaign, each against real servers on 127.0.0.1: a redirect to
 * another origin, a drip-fed body, a huge Retry-After, bytes that are not UTF-8, an oversized
 * body, a corrupt cached config.
 */
class HubFaultsTest {
    private static final String TOKEN = "hf_faultCampaignTOKEN0987654321";
    private static final String QWEN3_8B = ReferenceModels.get("Qwen/Qwen3-8B").get("config").toString();
    private static final long QWEN3_8B_PARAMS = 8_190_735_360L; // Qwen3-8B's published total (reference models.json)

    @TempDir
    Path cacheDir;

    private FakeHub hub;
    private FakeHub elsewhere;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        elsewhere = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
        elsewhere.close();
    }

    private ModelResolver resolver(boolean offline, Duration read) {
        HubSettings s = new HubSettings(hub.endpoint(), Optional.of(TOKEN), offline, cacheDir,
                Duration.ofSeconds(2), read, 2, Duration.ofMillis(10));
        return new ModelResolver(Catalog.embedded(), s);
    }

    @Test
    void redirectToAnotherOrigin_dropsTheToken_butFollowsTheRedirect() {
        String target = "/blobs/config-cross.json";
        hub.script("acme/moved", FakeHub.Reply.redirect(elsewhere.endpoint() + target));
        elsewhere.scriptPath(target, FakeHub.Reply.ok(QWEN3_8B));
        ResolvedModel r = resolver(false, Duration.ofSeconds(2)).resolve("acme/moved");
        assertEquals(QWEN3_8B_PARAMS, r.spec().paramCount());
        assertEquals(List.of("Bearer " + TOKEN), hub.authorizationsOn("/acme/moved/resolve/main/config.json"),
                "the endpoint itself gets the token");
        assertEquals(List.of(), elsewhere.authorizations, "another port is another origin: no token");
    }

    @Test
    void redirectOnTheSameOrigin_keepsTheToken() {
        String target = "/api/resolve-cache/acme/same/config.json";
        hub.script("acme/same", FakeHub.Reply.redirect(target));
        hub.scriptPath(target, FakeHub.Reply.ok(QWEN3_8B));
        resolver(false, Duration.ofSeconds(2)).resolve("acme/same");
        assertEquals(List.of("Bearer " + TOKEN), hub.authorizationsOn(target));
    }

    @Test
    void redirectLoop_isReported_notFollowedForever() {
        hub.script("acme/loop", FakeHub.Reply.redirect("/acme/loop/resolve/main/config.json"));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Duration.ofSeconds(2)).resolve("acme/loop"));
        assertEquals(Reason.BAD_RESPONSE, e.reason());
        assertTrue(e.getMessage().contains("redirected more than"), e.getMessage());
    }

    @Test
    void dripFedBody_isCutOffAtTheReadTimeout() {
        // Headers at once, then one byte every 50 ms: the old client waited for the whole body, forever.
        hub.script("acme/drip", FakeHub.Reply.drip(QWEN3_8B, 50));
        ModelUnreachableException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                ModelUnreachableException.class, () -> resolver(false, Duration.ofMillis(700)).resolve("acme/drip")));
        assertEquals(Reason.TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("whole answer within 700 ms"), e.getMessage());
    }

    @Test
    void hugeRetryAfter_givesUpAtOnce_andSaysSo() {
        hub.script("acme/later", FakeHub.Reply.status(429, Map.of("Retry-After", "100000")));
        ModelUnreachableException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                ModelUnreachableException.class, () -> resolver(false, Duration.ofSeconds(2)).resolve("acme/later")));
        assertEquals(Reason.SERVER_ERROR, e.reason());
        assertTrue(e.getMessage().contains("retry after 100000 s"), e.getMessage());
        assertEquals(1, hub.hits("acme/later"));
    }

    @Test
    void badUtf8_isRefused_andNotCached() {
        byte[] bytes = QWEN3_8B.replace("\"qwen3\"", "\"qwen3\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
        hub.script("acme/latin1", FakeHub.Reply.okBytes(bytes));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Duration.ofSeconds(2)).resolve("acme/latin1"));
        assertEquals(Reason.BAD_RESPONSE, e.reason());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertFalse(Files.exists(cacheDir.resolve("models--acme--latin1")));
    }

    @Test
    void oversizedBody_isRefusedByItsSize_notCalledTruncated() {
        byte[] big = new byte[HubClient.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        hub.script("acme/huge", FakeHub.Reply.okBytes(big));
        ModelUnreachableException e = assertThrows(ModelUnreachableException.class,
                () -> resolver(false, Duration.ofSeconds(5)).resolve("acme/huge"));
        assertEquals(Reason.BAD_RESPONSE, e.reason());
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
        assertFalse(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptCachedConfig_isFetchedAgainOnline_andRefusedByNameOffline() throws Exception {
        Path repo = cacheDir.resolve("models--acme--corrupt");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path cfg = repo.resolve("snapshots/" + commit + "/config.json");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, QWEN3_8B.substring(0, 40));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);

        InvalidConfigurationException offline = assertThrows(InvalidConfigurationException.class,
                () -> resolver(true, Duration.ofSeconds(2)).resolve("acme/corrupt"));
        assertTrue(offline.getMessage().contains(cfg.toString()), offline.getMessage());
        assertEquals(0, hub.requests.get());

        hub.script("acme/corrupt", FakeHub.Reply.ok(QWEN3_8B));
        ResolvedModel r = resolver(false, Duration.ofSeconds(2)).resolve("acme/corrupt");
        assertEquals(ResolvedModel.Origin.HUB, r.origin());
        assertEquals(QWEN3_8B, Files.readString(cfg), "the corrupt copy is replaced by the fetched one");
    }

    @Test
    void aRefPointingOutsideTheCache_isNotFollowed() throws Exception {
        Path outside = cacheDir.resolve("outside/snapshots/x/config.json");
        Files.createDirectories(outside.getParent());
        Files.writeString(outside, QWEN3_8B);
        Path repo = cacheDir.resolve("models--acme--trick");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "../../outside/snapshots/x");
        assertTrue(new HfCache(cacheDir).find("acme/trick").isEmpty());
    }
}

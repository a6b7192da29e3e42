package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sweep may replace, and what it must refuse (issue 12, item 1: it used to delete whatever was there). */
class OutputFolderTest {
    private static final String SUMMARY = "{\"name\": \"s\", \"cells\": 1, \"result_cells\": 1, \"failed_cells\": 0, \"rows\": 1}";

    private static Path earlierOutput(Path dir) throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("results.parquet"));
        Files.writeString(out.resolve("summary.json"), SUMMARY);
        Files.writeString(out.resolve("report.csv"), "old");
        Files.writeString(out.resolve("report.html"), "old");
        return out;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static InvalidConfigurationException refused(Path out) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> OutputFolder.open(out));
        assertEquals("output", e.field());
        return e;
    }

    @Test
    void anAbsentPath_isWritten_andTheWorkFolderMovesIntoPlace(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("new/deeper");
        try (OutputFolder f = OutputFolder.open(out)) {
            Files.writeString(f.work().resolve("summary.json"), SUMMARY);
            f.commit();
        }
        assertEquals(List.of("summary.json"), names(out));
        assertEquals(List.of("deeper"), names(dir.resolve("new")));
    }

    @Test
    void anEarlierSweepsOutput_isReplacedWhole(@TempDir Path dir) throws Exception {
        Path out = earlierOutput(dir);
        try (OutputFolder f = OutputFolder.open(out)) {
            Files.writeString(f.work().resolve("summary.json"), SUMMARY);
            Files.writeString(f.work().resolve("report.csv"), "new");
            f.commit();
        }
        assertEquals(List.of("report.csv", "summary.json"), names(out));
        assertEquals("new", Files.readString(out.resolve("report.csv")));
        assertEquals(List.of("out"), names(dir));
    }

    @Test
    void aFolderWithTheUsersFiles_isRefused_andUntouched(@TempDir Path dir) throws Exception {
        Path out = earlierOutput(dir);
        Files.writeString(out.resolve("my-notes.txt"), "mine");
        assertTrue(refused(out).getMessage().contains("'my-notes.txt'"));
        assertEquals("mine", Files.readString(out.resolve("my-notes.txt")));
        assertEquals(List.of("out"), names(dir));
    }

    @Test
    void aFolderWithoutASweepsSummary_isRefused(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("data");
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.csv"), "the user's own report");
        refused(out);
        Files.writeString(out.resolve("summary.json"), "{\"name\": \"someone else's\"}");
        refused(out);
        assertEquals("the user's own report", Files.readString(out.resolve("report.csv")));
    }

    @Test
    void anExistingFile_theCurrentFolder_andALink_areRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spec.json");
        Files.writeString(file, "{}");
        assertTrue(refused(file).getMessage().contains("existing file"));
        assertEquals("{}", Files.readString(file));
        refused(Path.of("."));
        refused(Path.of("").toAbsolutePath().getParent());
        Path link = Files.createSymbolicLink(dir.resolve("link"), earlierOutput(dir));
        assertTrue(refused(link).getMessage().contains("symbolic link"));
    }

    @Test
    void anUnwritableParent_isRefusedUpFront(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file where a folder would go");
        assertTrue(refused(blocker.resolve("out")).getMessage().contains("cannot be created"));
    }

    @Test
    void partialFoldersOfKilledRuns_areCleaned_butALiveRunsIsLeftAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path killed = dir.resolve("out.partial-" + UUID.randomUUID());
        Files.createDirectories(killed.resolve("results.parquet"));
        Files.writeString(killed.resolve(".lock"), "");
        Path oldCopy = dir.resolve("out.old-" + UUID.randomUUID());
        Files.createDirectories(oldCopy);
        Path notOurs = dir.resolve("out.partial-notes");
        Files.createDirectories(notOurs);
        try (OutputFolder live = OutputFolder.open(out); OutputFolder second = OutputFolder.open(out)) {
            assertFalse(Files.exists(killed));
            assertFalse(Files.exists(oldCopy));
            assertTrue(Files.exists(notOurs), "a folder whose name is not ours + a UUID is not touched");
            assertTrue(Files.exists(live.work()), "the second run must not delete the first run's work folder");
            assertTrue(Files.exists(second.work()));
        }
        assertEquals(List.of("out.partial-notes"), names(dir));
    }
}

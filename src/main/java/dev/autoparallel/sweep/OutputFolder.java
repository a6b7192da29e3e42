package dev.autoparallel.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.error.InvalidConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The folder a sweep writes, and the promise made about it: the sweep replaces only an absent
 * path or a folder that is recognisably an earlier sweep's output (its {@code summary.json} and
 * nothing but the files a sweep writes); anything else, a file, a symbolic link, the current
 * folder, a folder holding the user's own files, is refused before Spark starts.
 *
 * <p>Work happens in {@code OUT.partial-<uuid>} beside the target, locked while its run lives;
 * the next run to the same output deletes partial folders whose run is gone (killed), and
 * leaves locked ones (a run still going) alone. The finished folder is moved into place.
 */
public final class OutputFolder implements AutoCloseable {
    /** What a sweep writes into its output folder, and so all a replaceable folder may hold. */
    static final Set<String> SWEEP_ENTRIES = Set.of("results.parquet", "report.csv", "report.html", "summary.json");
    /** The keys every summary.json a sweep has written carries (since the first release). */
    private static final List<String> SUMMARY_KEYS = List.of("name", "cells", "result_cells", "failed_cells", "rows");
    private static final String PARTIAL = ".partial-";
    private static final String OLD = ".old-";
    private static final String LOCK_FILE = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path work;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private OutputFolder(Path target, Path work, FileChannel lockChannel, FileLock lock) {
        this.target = target;
        this.work = work;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Checks that {@code out} may be written (refusing with exit-2 errors that name the path),
     * removes what killed runs to it left behind, and creates this run's locked work folder.
     */
    public static OutputFolder open(Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (target.getParent() == null || target.getFileName() == null) {
            throw refuse(target, "is the file system root");
        }
        checkReplaceable(target);
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException | SecurityException e) {
            throw refuse(target, "cannot be created: its parent folder " + parent + " cannot be made ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!Files.isWritable(parent)) {
            throw refuse(target, "cannot be written: its parent folder " + parent + " is not writable");
        }
        cleanStale(target);
        Path work = target.resolveSibling(target.getFileName() + PARTIAL + UUID.randomUUID());
        try {
            Files.createDirectory(work);
            FileChannel ch = FileChannel.open(work.resolve(LOCK_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new OutputFolder(target, work, ch, ch.lock());
        } catch (IOException e) {
            deleteQuietly(work);
            throw refuse(target, "cannot be written: creating " + work.getFileName() + " beside it failed ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Refuses anything at {@code target} that a sweep did not write. */
    static void checkReplaceable(Path target) {
        if (Files.isSymbolicLink(target)) {
            throw refuse(target, "is a symbolic link; give the folder itself");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(target, "is an existing file, not a sweep's output folder");
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(target)) {
            throw refuse(target, "is the current folder or holds it");
        }
        Path summary = target.resolve("summary.json");
        if (!isSweepSummary(summary)) {
            throw refuse(target, "is an existing folder that is not an earlier sweep's output (it has no summary.json "
                    + "written by a sweep)");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!SWEEP_ENTRIES.contains(name)) {
                    throw refuse(target, "holds '" + name + "', which a sweep does not write; only "
                            + String.join(", ", SWEEP_ENTRIES.stream().sorted().toList()) + " may be there");
                }
            }
        } catch (IOException e) {
            throw refuse(target, "cannot be listed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static boolean isSweepSummary(Path summary) {
        try {
            if (!Files.isRegularFile(summary, LinkOption.NOFOLLOW_LINKS) || Files.size(summary) > 1 << 20) {
                return false;
            }
            JsonNode n = JSON.readTree(summary.toFile());
            return n != null && n.isObject() && SUMMARY_KEYS.stream().allMatch(n::has);
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes partial folders of runs to {@code target} that no longer hold their lock, and old copies left mid-move. */
    static void cleanStale(Path target) {
        String prefix = target.getFileName().toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target.getParent())) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String rest = name.substring(prefix.length());
                if (rest.startsWith(PARTIAL) && isUuid(rest.substring(PARTIAL.length())) && !inUse(p)) {
                    deleteQuietly(p);
                } else if (rest.startsWith(OLD) && isUuid(rest.substring(OLD.length())) && !inUse(p)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException e) {
            // Nothing to clean, or the folder cannot be listed: the run itself will say so.
        }
    }

    private static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a live run holds the work folder's lock (in this process or another). */
    private static boolean inUse(Path folder) {
        Path lockFile = folder.resolve(LOCK_FILE);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    public Path target() {
        return target;
    }

    /** The folder this run writes into. */
    public Path work() {
        return work;
    }

    /** Replaces the target with the finished work folder; the target is checked again first. */
    void commit() throws IOException {
        checkReplaceable(target);
        release();
        Files.deleteIfExists(work.resolve(LOCK_FILE));
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = target.resolveSibling(target.getFileName() + OLD + UUID.randomUUID());
            Files.move(target, old);
        }
        Files.move(work, target);
        if (old != null) {
            deleteQuietly(old);
        }
    }

    private void release() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("releasing the lock of " + work, e);
        }
    }

    /** Deletes the work folder if the run did not finish. */
    @Override
    public void close() {
        release();
        deleteQuietly(work);
    }

    static void deleteQuietly(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(q);
                } catch (NoSuchFileException e) {
                    // removed concurrently
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a leftover is cleaned by the next run to the same output.
        }
    }

    private static InvalidConfigurationException refuse(Path target, String why) {
        return new InvalidConfigurationException("output", "output " + target + " " + why
                + "; the sweep writes only to an absent path or replaces an earlier sweep's output folder, "
                + "so nothing of yours is lost. Give a new folder name.");
    }
}

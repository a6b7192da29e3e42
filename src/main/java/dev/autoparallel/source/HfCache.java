package dev.autoparallel.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local Hugging Face cache in {@code huggingface_hub}'s layout:
 * {@code models--ORG--NAME/refs/main} holds a commit, {@code snapshots/COMMIT/config.json} the file.
 */
public final class HfCache {
    private final Path root;

    public HfCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    static String folderName(String id) {
        return "models--" + id.replace("/", "--");
    }

    /** The cached config.json of {@code id} (exact folder, else one matching ignoring case), the main ref first. */
    public Optional<Path> find(String id) {
        Path repo = root.resolve(folderName(id));
        if (!Files.isDirectory(repo)) {
            repo = caseInsensitive(folderName(id)).orElse(null);
            if (repo == null) {
                return Optional.empty();
            }
        }
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref) && Files.size(ref) <= 128) {
                String commit = Files.readString(ref).trim();
                // A ref holds a commit hash; anything else (a path such as ../..) is not followed.
                if (commit.matches("[0-9a-fA-F]{7,64}")) {
                    Path cfg = repo.resolve("snapshots").resolve(commit).resolve("config.json");
                    if (Files.isRegularFile(cfg)) {
                        return Optional.of(cfg);
                    }
                }
            }
            Path snapshots = repo.resolve("snapshots");
            if (!Files.isDirectory(snapshots)) {
                return Optional.empty();
            }
            try (Stream<Path> s = Files.list(snapshots)) {
                return s.map(p -> p.resolve("config.json")).filter(Files::isRegularFile)
                        .max(Comparator.comparing(HfCache::modified));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<Path> caseInsensitive(String folder) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        String want = folder.toLowerCase(Locale.ROOT);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "models--*")) {
            for (Path p : ds) {
                if (p.getFileName().toString().toLowerCase(Locale.ROOT).equals(want)) {
                    return Optional.of(p);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Stores a fetched config under its commit and points {@code refs/<revision>} at it; atomic per file. */
    public Path store(String id, String revision, String commit, String json) {
        Path repo = root.resolve(folderName(id));
        Path cfg = repo.resolve("snapshots").resolve(commit).resolve("config.json");
        try {
            writeAtomically(cfg, json);
            writeAtomically(repo.resolve("refs").resolve(revision), commit);
            return cfg;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + cfg + " to the Hugging Face cache", e);
        }
    }

    /** Stores another file of a fetched snapshot (hf_quant_config.json) beside its config.json. */
    public Path storeFile(String id, String commit, String file, String content) {
        Path target = root.resolve(folderName(id)).resolve("snapshots").resolve(commit).resolve(file);
        try {
            writeAtomically(target, content);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + " to the Hugging Face cache", e);
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

}

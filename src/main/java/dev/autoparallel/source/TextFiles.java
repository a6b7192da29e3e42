package dev.autoparallel.source;

import dev.autoparallel.error.InvalidConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the small text files a user hands us (model configs, sweep specs, price files) without
 * trusting them: only regular files (not {@code /dev/zero}, a pipe or a folder), at most a
 * stated size, strict UTF-8. Errors name the field and the path, never the file's content.
 */
public final class TextFiles {
    /** Largest config.json accepted: the biggest published configs (per-layer NAS block lists) are under 200 KB. */
    public static final int MAX_CONFIG_BYTES = 16 << 20;
    /** Largest sweep spec or price file accepted. */
    public static final int MAX_SPEC_BYTES = 16 << 20;

    private TextFiles() {
    }

    /**
     * The file's text.
     *
     * @param field    what the file is, for the error ({@code spec}, {@code price_overrides}, {@code config.json})
     * @param maxBytes largest size accepted
     */
    public static String read(Path file, String field, int maxBytes) {
        if (!Files.exists(file)) {
            throw new InvalidConfigurationException(field, field + " file " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidConfigurationException(field, field + " file " + file + " is a folder, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigurationException(field, field + " file " + file
                    + " is not a regular file (a device, pipe or socket); give a JSON file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException | SecurityException e) {
            throw new InvalidConfigurationException(field, field + " file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidConfigurationException(field, String.format(Locale.ROOT,
                    "%s file %s is larger than the %,d bytes such a file may be", field, file, maxBytes));
        }
        return decode(bytes, field + " file " + file, field);
    }

    /**
     * Strict UTF-8 (a leading byte-order mark is dropped); invalid bytes are refused with their
     * offset, never replaced by U+FFFD.
     */
    public static String decode(byte[] bytes, String what, String field) {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isUnderflow()) {
            r = d.flush(out);
        }
        if (r.isError()) {
            throw new InvalidConfigurationException(field, what + " is not valid UTF-8 (bad byte at offset "
                    + in.position() + ")");
        }
        out.flip();
        return out.toString();
    }
}

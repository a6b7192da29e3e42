package dev.autoparallel.source;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.regex.Pattern;

/** Hugging Face repository IDs: checked before any file or network access uses one. */
public final class ModelIds {
    /** The Hub's rule: [org/]name, each of letters, digits, '-', '_', '.', at most 96 characters, no '--' or '..'. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");

    private ModelIds() {
    }

    public static void validate(String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidConfigurationException("model", "model was empty; give a Hugging Face ID such as "
                    + "meta-llama/Llama-3.1-8B, a catalog name, or a path to a config.json");
        }
        String[] parts = id.split("/", -1);
        boolean ok = parts.length <= 2 && id.length() <= 96 * 2 + 1;
        for (String p : parts) {
            ok &= PART.matcher(p).matches() && !p.contains("--") && !p.contains("..") && !p.endsWith(".");
        }
        if (!ok) {
            throw new InvalidConfigurationException("model", "model '" + printable(id) + "' is not a valid Hugging Face "
                    + "model ID (allowed: [org/]name with letters, digits, '-', '_', '.', at most 96 characters each, "
                    + "no '--' or '..') and no local file or folder of that name exists");
        }
    }

    /** The ID with control characters escaped and cut to a readable length, for messages. */
    static String printable(String id) {
        StringBuilder b = new StringBuilder();
        for (char c : id.toCharArray()) {
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.length() > 120 ? b.substring(0, 120) + "..." : b.toString();
    }
}

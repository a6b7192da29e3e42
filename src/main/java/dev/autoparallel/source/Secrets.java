package dev.autoparallel.source;

import java.util.Optional;

/**
 * Keeps the Hugging Face token out of everything we print or write: error messages, sweep
 * failure rows, reports. Applied at the output edges, on top of never quoting a file's content.
 */
public final class Secrets {
    static final String MASK = "<HF_TOKEN>";

    private Secrets() {
    }

    /** {@code text} with every occurrence of this process's {@code HF_TOKEN} masked. */
    public static String redact(String text) {
        return redact(text, Optional.ofNullable(System.getenv("HF_TOKEN")));
    }

    public static String redact(String text, Optional<String> token) {
        if (text == null || token.isEmpty() || token.get().isBlank()) {
            return text;
        }
        return text.replace(token.get().strip(), MASK);
    }
}

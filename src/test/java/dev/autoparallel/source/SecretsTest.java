package dev.autoparallel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The last line of defence: every error, failure row and report is scrubbed of the token's value (issue 12, item 3). */
class SecretsTest {
    @Test
    void theTokenIsMaskedWherever_itAppears() {
        String token = "hf_maskMeEverywhere0123456789";
        String text = "model '" + token + "' not found; retry with " + token + "\n" + token;
        String masked = Secrets.redact(text, Optional.of(token));
        assertFalse(masked.contains(token));
        assertEquals("model '<HF_TOKEN>' not found; retry with <HF_TOKEN>\n<HF_TOKEN>", masked);
        assertEquals(text, Secrets.redact(text, Optional.empty()));
        assertEquals(text, Secrets.redact(text, Optional.of("  ")));
        assertNull(Secrets.redact(null, Optional.of(token)));
    }
}

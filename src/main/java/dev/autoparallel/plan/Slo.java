package dev.autoparallel.plan;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/**
 * Latency targets at a percentile. A null target is not constrained.
 *
 * @param ttftMs     time to first token, milliseconds
 * @param tpotMs     time per output token after the first, milliseconds
 * @param percentile 50, 90 or 99: the share of requests that must meet the targets
 */
public record Slo(Double ttftMs, Double tpotMs, int percentile) implements java.io.Serializable {
    /**
     * Targets applied when none are given: an interactive chat service (time to first token within
     * 2 s and 20 tokens per second per user, faster than people read, for 90% of requests).
     */
    public static final Slo INTERACTIVE = new Slo(2_000.0, 50.0, 90);

    public Slo {
        positive(ttftMs, "ttft_ms");
        positive(tpotMs, "tpot_ms");
        if (percentile != 50 && percentile != 90 && percentile != 99) {
            throw new InvalidConfigurationException("percentile", "percentile was " + percentile + "; allowed: 50, 90, 99");
        }
    }

    private static void positive(Double v, String field) {
        if (v != null && !(v > 0 && v <= 3_600_000)) {
            throw new InvalidConfigurationException(field, field + " was " + v + "; allowed: above 0 and at most 3,600,000 ms");
        }
    }

    public boolean met(double ttft, double tpot) {
        return (ttftMs == null || ttft <= ttftMs) && (tpotMs == null || tpot <= tpotMs);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p%d TTFT %s, TPOT %s", percentile,
                ttftMs == null ? "any" : String.format(Locale.ROOT, "<= %.0f ms", ttftMs),
                tpotMs == null ? "any" : String.format(Locale.ROOT, "<= %.1f ms", tpotMs));
    }
}

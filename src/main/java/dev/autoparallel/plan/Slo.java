package dev.autoparallel.plan;

import dev.autoparallel.error.InvalidConfigurationException;
import java.io.Serializable;
import java.util.Locale;

/**
 * Latency targets at a percentile. A null target is not constrained.
 *
 * @param ttftMs     time to first token, milliseconds
 * @param tpotMs     time per output token after the first, milliseconds
 * @param percentile 50, 90 or 99: the share of requests that must meet the targets
 * @param minTokensPerSecondPerUser the slowest stream a user may see (output tokens per second of one request): a
 *                   time-per-output-token bound of 1000 / this, met together with {@code tpotMs}; null: none
 */
public record Slo(Double ttftMs, Double tpotMs, int percentile, Double minTokensPerSecondPerUser) implements Serializable {
    /**
     * Targets applied when none are given: an interactive chat service (time to first token within
     * 2 s and 20 tokens per second per user, faster than people read, for 90% of requests).
     */
    public static final Slo INTERACTIVE = new Slo(2_000.0, 50.0, 90);

    public Slo {
        positive(ttftMs, "ttft_ms");
        positive(tpotMs, "tpot_ms");
        if (minTokensPerSecondPerUser != null && !(minTokensPerSecondPerUser > 0 && minTokensPerSecondPerUser <= 100_000)) {
            throw new InvalidConfigurationException("min_tokens_per_second_per_user", "min_tokens_per_second_per_user was "
                    + minTokensPerSecondPerUser + "; allowed: above 0 and at most 100,000");
        }
        if (percentile != 50 && percentile != 90 && percentile != 99) {
            throw new InvalidConfigurationException("percentile", "percentile was " + percentile + "; allowed: 50, 90, 99");
        }
    }

    private static void positive(Double v, String field) {
        if (v != null && !(v > 0 && v <= 3_600_000)) {
            throw new InvalidConfigurationException(field, field + " was " + v + "; allowed: above 0 and at most 3,600,000 ms");
        }
    }

    /** Targets without a per-user stream rate. */
    public Slo(Double ttftMs, Double tpotMs, int percentile) {
        this(ttftMs, tpotMs, percentile, null);
    }

    /** The time-per-output-token bound both targets put together (milliseconds), or null when neither is set. */
    public Double effectiveTpotMs() {
        Double fromRate = minTokensPerSecondPerUser == null ? null : 1000 / minTokensPerSecondPerUser;
        if (tpotMs == null) {
            return fromRate;
        }
        return fromRate == null ? tpotMs : Math.min(tpotMs, fromRate);
    }

    public boolean met(double ttft, double tpot) {
        Double bound = effectiveTpotMs();
        return (ttftMs == null || ttft <= ttftMs) && (bound == null || tpot <= bound);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p%d TTFT %s, TPOT %s%s", percentile,
                ttftMs == null ? "any" : String.format(Locale.ROOT, "<= %.0f ms", ttftMs),
                tpotMs == null ? "any" : String.format(Locale.ROOT, "<= %.1f ms", tpotMs),
                minTokensPerSecondPerUser == null ? "" : String.format(Locale.ROOT, ", >= %.1f tokens/s per user",
                        minTokensPerSecondPerUser));
    }
}

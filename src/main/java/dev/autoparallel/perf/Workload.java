package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;

/** A serving workload: tokens in and out per request, and how many requests are in flight at once. */
public record Workload(int inputTokens, int outputTokens, int concurrency) {
    public Workload {
        check(inputTokens, "input_tokens", 1 << 24);
        check(outputTokens, "output_tokens", 1 << 24);
        check(concurrency, "concurrency", 1 << 20);
    }

    private static void check(int v, String field, int max) {
        if (v < 1 || v > max) {
            throw new InvalidConfigurationException(field, field + " was " + v + "; allowed: 1 to " + max);
        }
    }

    /**
     * The workload the planning commands assume for a sequence length: three quarters prompt, one
     * quarter generated (at most 1,024 generated tokens).
     */
    public static Workload forSequence(int sequenceLength, int concurrency) {
        int output = Math.max(1, Math.min(1024, sequenceLength / 4));
        return new Workload(Math.max(1, sequenceLength - output), output, concurrency);
    }

    public int sequenceLength() {
        return inputTokens + outputTokens;
    }
}

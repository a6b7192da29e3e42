package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;

/**
 * A serving workload: tokens in and out per request, how many requests are in flight at once, and how many of each
 * prompt's tokens the engine finds in its prefix cache ({@code cachedTokens}: their KV is reused, not computed; they
 * still count as context and in the KV cache).
 */
public record Workload(int inputTokens, int outputTokens, int concurrency, int cachedTokens) {
    public Workload {
        check(inputTokens, "input_tokens", 1 << 24);
        check(outputTokens, "output_tokens", 1 << 24);
        check(concurrency, "concurrency", 1 << 20);
        if (cachedTokens < 0 || cachedTokens >= inputTokens) {
            throw new InvalidConfigurationException("cached_tokens", "cached_tokens was " + cachedTokens
                    + "; allowed: 0 to one less than input_tokens (" + inputTokens + ")");
        }
    }

    /** A workload without prefix-cache hits. */
    public Workload(int inputTokens, int outputTokens, int concurrency) {
        this(inputTokens, outputTokens, concurrency, 0);
    }

    /** The prompt tokens a prefill computes: those not found in the prefix cache. */
    public int uncachedTokens() {
        return inputTokens - cachedTokens;
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

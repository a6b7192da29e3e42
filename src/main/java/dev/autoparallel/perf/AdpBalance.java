package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;

/**
 * TensorRT-LLM's attention data-parallel balance ({@code attention_dp_config: enable_balance: true}, off by default): a
 * rank that has a new prompt while the others have none holds it until every rank of the {@code ranks} has one, so that
 * all of them prefill in the same iteration, or until it has waited {@code timeoutIters} iterations (TensorRT-LLM's tech
 * blog 10, "ADP Balance Strategy", docs/source/blogs/tech_blog/blog10_ADP_Balance_Strategy.md: "it waits up to
 * timeout_iters iterations until all other ranks have context tasks"). {@code batching_wait_iters}, which then evens the
 * prompts each rank has gathered, is 0 in the recipes replayed and not modelled.
 *
 * @param ranks        attention data-parallel ranks that must all hold a prompt
 * @param timeoutIters iterations a held prompt waits at most
 */
public record AdpBalance(int ranks, int timeoutIters) implements PromptHold {
    public AdpBalance {
        if (ranks < 1) {
            throw new InvalidConfigurationException("attention_dp_size", "attention_dp_size was " + ranks + "; allowed: 1 or more");
        }
        if (timeoutIters < 1) {
            throw new InvalidConfigurationException("timeout_iters", "attention_dp_config timeout_iters was " + timeoutIters
                    + "; allowed: 1 or more");
        }
    }

    /** The recipe's setting and the ranks it balances; null for one rank, which holds nothing. */
    @Override
    public String settings() {
        return ranks == 1 ? null : "attention_dp_config enable_balance true, timeout_iters " + timeoutIters + " (" + ranks + " ranks)";
    }

    /**
     * A hold opens when a prompt reaches a rank while no other rank has one, and lasts W: the lesser of the timeout and
     * the time until each of the other ranks has a prompt too, each receiving them at {@code arrivalsPerS} (the expected
     * largest of {@code ranks - 1} exponential waits: H(ranks - 1) / lambda, H the harmonic number). Every rank's prompts
     * arriving meanwhile join it ({@link PromptHold#meanOfHold} at {@code ranks x arrivalsPerS}). One rank holds nothing.
     */
    @Override
    public double meanHoldSeconds(double arrivalsPerS, int promptTokens, double decoding, double stepS) {
        if (ranks == 1 || !(arrivalsPerS > 0)) {
            return 0;
        }
        double harmonic = 0;
        for (int i = 1; i < ranks; i++) {
            harmonic += 1.0 / i;
        }
        double w = Math.min(timeoutIters * stepS, harmonic / arrivalsPerS);
        return PromptHold.meanOfHold(w, ranks * arrivalsPerS);
    }
}

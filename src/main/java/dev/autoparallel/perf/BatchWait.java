package dev.autoparallel.perf;

import dev.autoparallel.error.InvalidConfigurationException;

/**
 * TensorRT-LLM's batch waiting: {@code batch_wait_timeout_iters} and {@code batch_wait_max_tokens_ratio} (LLM API
 * arguments, 0 by default, which turns it off). While it is on, the scheduler holds new context requests back until the
 * step's tokens (the waiting prompts plus one per decoding request) reach {@code maxTokensRatio x maxNumTokens}, or
 * until it has held them {@code timeoutIters} iterations; then it releases them all into one step
 * (tensorrt_llm/_torch/pyexecutor/py_executor.py, {@code PyExecutor._waiting_requests}, read 2026-12-01).
 *
 * @param timeoutIters   iterations a held prompt waits at most (0: no timeout)
 * @param maxTokensRatio share of {@code maxNumTokens} that releases the held prompts at once (0: none)
 * @param maxNumTokens   the engine's max_num_tokens
 */
public record BatchWait(int timeoutIters, double maxTokensRatio, int maxNumTokens) implements PromptHold {
    /** Batch waiting off, TensorRT-LLM's default and every other engine's behaviour. */
    public static final BatchWait NONE = new BatchWait(0, 0, 1);

    public BatchWait {
        if (timeoutIters < 0) {
            throw new InvalidConfigurationException("batch_wait_timeout_iters", "batch_wait_timeout_iters was " + timeoutIters
                    + "; allowed: 0 or more");
        }
        if (!(maxTokensRatio >= 0 && maxTokensRatio <= 1)) {
            throw new InvalidConfigurationException("batch_wait_max_tokens_ratio", "batch_wait_max_tokens_ratio was "
                    + maxTokensRatio + "; allowed: 0 to 1");
        }
        if (maxNumTokens < 1) {
            throw new InvalidConfigurationException("max_num_tokens", "max_num_tokens was " + maxNumTokens + "; allowed: 1 or more");
        }
    }

    public boolean on() {
        return timeoutIters > 0 || maxTokensRatio > 0;
    }

    @Override
    public String settings() {
        return on() ? "batch_wait_timeout_iters " + timeoutIters + ", batch_wait_max_tokens_ratio " + maxTokensRatio : null;
    }

    /**
     * Mean seconds a new prompt is held, for prompts of {@code promptTokens} arriving at {@code arrivalsPerS} while
     * {@code decoding} requests decode in steps of {@code stepS}. A hold opens when a prompt arrives to an empty hold and
     * lasts W, the lesser of the timeout and the time until enough further prompts arrive to reach the token threshold;
     * the prompts arriving meanwhile (lambda x W of them, Poisson) wait on average W / 2, the opener W: a mean of
     * W (1 + lambda W / 2) / (1 + lambda W) ({@link PromptHold#meanOfHold}). Either limit alone bounds W: the ratio alone
     * holds until the threshold.
     */
    @Override
    public double meanHoldSeconds(double arrivalsPerS, int promptTokens, double decoding, double stepS) {
        if (!on() || !(arrivalsPerS > 0)) {
            return 0;
        }
        double threshold = maxTokensRatio * maxNumTokens;
        double timeout = timeoutIters > 0 ? timeoutIters * stepS : Double.POSITIVE_INFINITY;
        double untilThreshold;
        if (maxTokensRatio <= 0) {
            untilThreshold = Double.POSITIVE_INFINITY;
        } else {
            // The opener's prompt and the decoding requests' tokens count; each further prompt adds its own.
            double shortfall = threshold - promptTokens - decoding;
            untilThreshold = shortfall <= 0 ? 0 : Math.ceil(shortfall / promptTokens) / arrivalsPerS;
        }
        return PromptHold.meanOfHold(Math.min(timeout, untilThreshold), arrivalsPerS);
    }
}

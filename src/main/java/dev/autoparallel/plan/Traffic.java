package dev.autoparallel.plan;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.sim.LengthDistribution;
import java.io.Serializable;

/**
 * The demand a fleet serves: requests per second, prompt and output lengths, and how bursty the
 * arrivals are.
 *
 * @param requestsPerSecond the average arrival rate over the whole fleet
 * @param arrivalCv         coefficient of variation of the gaps between arrivals: 1 is Poisson, above 1 burstier
 * @param prefixHitRate     share of each prompt found in the engine's prefix cache (a shared system prompt, a
 *                          conversation's earlier turns): those tokens are not prefilled again; 0 without prefix reuse
 */
public record Traffic(double requestsPerSecond, LengthDistribution input, LengthDistribution output, double arrivalCv,
                      double prefixHitRate) implements Serializable {

    /** Most requests per second a plan is asked for: about 86 billion a day. */
    public static final double MAX_REQUESTS_PER_SECOND = 1_000_000;

    public Traffic {
        if (!(requestsPerSecond > 0 && requestsPerSecond <= MAX_REQUESTS_PER_SECOND)) {
            throw new InvalidConfigurationException("request_rate", "request_rate was " + requestsPerSecond
                    + "; allowed: above 0 and at most " + (long) MAX_REQUESTS_PER_SECOND + " requests per second");
        }
        if (!(arrivalCv > 0 && arrivalCv <= 10)) {
            throw new InvalidConfigurationException("arrival_cv", "arrival_cv was " + arrivalCv
                    + "; allowed: above 0 (1 is Poisson) and at most 10");
        }
        if (input == null || output == null) {
            throw new InvalidConfigurationException("input_tokens", "give the input and output lengths");
        }
        if (!(prefixHitRate >= 0 && prefixHitRate < 1)) {
            throw new InvalidConfigurationException("prefix_cache_hit_rate", "prefix_cache_hit_rate was " + prefixHitRate
                    + "; allowed: 0 (no reuse) up to but not including 1 (the last prompt token is always computed)");
        }
    }

    /** Traffic without prefix reuse. */
    public Traffic(double requestsPerSecond, LengthDistribution input, LengthDistribution output, double arrivalCv) {
        this(requestsPerSecond, input, output, arrivalCv, 0);
    }

    /** Fixed lengths, Poisson arrivals. */
    public static Traffic poisson(double requestsPerSecond, int inputTokens, int outputTokens) {
        return new Traffic(requestsPerSecond, LengthDistribution.fixed(inputTokens), LengthDistribution.fixed(outputTokens), 1);
    }

    /** The same traffic with this share of every prompt found in the prefix cache. */
    public Traffic withPrefixHitRate(double rate) {
        return new Traffic(requestsPerSecond, input, output, arrivalCv, rate);
    }

    /** Requests per second from tokens per day (prompt and output), as finance teams state demand. */
    public static double requestsPerSecondFromTokensPerDay(double tokensPerDay, double meanTokensPerRequest) {
        return tokensPerDay / meanTokensPerRequest / 86_400;
    }

    /** The longest request: what max_model_len must hold. */
    public int maxModelLen() {
        return input.max() + output.max();
    }

    public Traffic withRate(double rate) {
        return new Traffic(rate, input, output, arrivalCv, prefixHitRate);
    }
}

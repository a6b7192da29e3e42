package dev.autoparallel.sim;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Tokens per request (prompt or output): a fixed count, or a log-normal spread around a mean (the
 * shape request-length histograms of chat and RAG traffic take), truncated to {@code [1, max]}.
 */
public sealed interface LengthDistribution extends java.io.Serializable {
    /** One draw. */
    int sample(SplittableRandom random);

    /** The mean of the distribution (as truncated, estimated for spread ones). */
    double mean();

    /** The largest length a request can have: what max_model_len must hold. */
    int max();

    static LengthDistribution fixed(int tokens) {
        return new Fixed(tokens);
    }

    /**
     * A log-normal length with this mean and coefficient of variation (standard deviation over
     * mean), truncated at {@code max} tokens.
     */
    static LengthDistribution logNormal(double mean, double cv, int max) {
        return new LogNormal(mean, cv, max);
    }

    /** Exactly {@code tokens} every time. */
    record Fixed(int tokens) implements LengthDistribution {
        public Fixed {
            if (tokens < 1 || tokens > 1 << 24) {
                throw new InvalidConfigurationException("tokens", "a request length was " + tokens + "; allowed: 1 to " + (1 << 24));
            }
        }

        @Override public int sample(SplittableRandom random) { return tokens; }
        @Override public double mean() { return tokens; }
        @Override public int max() { return tokens; }
    }

    /** Log-normal with mean {@code mean} and spread {@code cv}, truncated to [1, max]. */
    record LogNormal(double mean, double cv, int max) implements LengthDistribution {
        public LogNormal {
            if (!(mean >= 1 && mean <= 1 << 24) || !(cv > 0 && cv <= 10) || max < mean || max > 1 << 24) {
                throw new InvalidConfigurationException("tokens", String.format(Locale.ROOT,
                        "a length distribution of mean %s, spread %s and maximum %d; allowed: mean 1 to 2^24, spread "
                                + "above 0 and at most 10, maximum at least the mean", mean, cv, max));
            }
        }

        private double sigma() {
            return Math.sqrt(Math.log(1 + cv * cv));
        }

        @Override
        public int sample(SplittableRandom random) {
            double s = sigma();
            double mu = Math.log(mean) - s * s / 2;
            double g = gaussian(random);
            long v = Math.round(Math.exp(mu + s * g));
            return (int) Math.max(1, Math.min(max, v));
        }
    }

    /** A standard normal draw (Box-Muller). */
    static double gaussian(SplittableRandom random) {
        double u = Math.max(random.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}

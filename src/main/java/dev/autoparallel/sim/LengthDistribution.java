package dev.autoparallel.sim;

import dev.autoparallel.error.InvalidConfigurationException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Tokens per request (prompt or output): a fixed count, or a log-normal spread around a mean (the
 * shape request-length histograms of chat and RAG traffic take), truncated to {@code [1, max]}.
 */
public sealed interface LengthDistribution extends Serializable {
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

    /**
     * Lengths as measured: each of {@code lengths} drawn in proportion to its {@code counts} (a
     * histogram of a service's logged prompt or output lengths, each bin standing for its length).
     */
    static LengthDistribution histogram(int[] lengths, long[] counts) {
        return new Histogram(lengths, counts);
    }

    /**
     * A histogram in text: one bin per line, {@code tokens,count} (a header line, blank lines and
     * lines starting with {@code #} are skipped). {@code source} names the file in errors.
     */
    static LengthDistribution parseHistogram(String text, String field, String source) {
        List<Integer> lengths = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("[,;\t]");
            if (cells.length != 2) {
                throw new InvalidConfigurationException(field, String.format(Locale.ROOT,
                        "%s line %d: a histogram line is 'tokens,count'; found %d fields", source, i + 1, cells.length));
            }
            try {
                lengths.add(Integer.parseInt(cells[0].strip()));
                counts.add(Long.parseLong(cells[1].strip()));
            } catch (NumberFormatException e) {
                if (lengths.isEmpty() && counts.isEmpty() && i == firstContentLine(lines)) {
                    continue; // a header
                }
                throw new InvalidConfigurationException(field, String.format(Locale.ROOT,
                        "%s line %d: tokens and count must be whole numbers", source, i + 1));
            }
        }
        if (lengths.isEmpty()) {
            throw new InvalidConfigurationException(field, source + ": the histogram has no bins; give lines of 'tokens,count'");
        }
        return new Histogram(lengths.stream().mapToInt(Integer::intValue).toArray(),
                counts.stream().mapToLong(Long::longValue).toArray());
    }

    private static int firstContentLine(String[] lines) {
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                return i;
            }
        }
        return -1;
    }

    /** Most bins a histogram may have. */
    int MAX_HISTOGRAM_BINS = 100_000;

    /** A measured length histogram; values by content (equal histograms are the same traffic). */
    final class Histogram implements LengthDistribution {
        private final int[] lengths;
        private final long[] cumulative;
        private final double mean;

        Histogram(int[] lengths, long[] counts) {
            if (lengths.length == 0 || lengths.length != counts.length || lengths.length > MAX_HISTOGRAM_BINS) {
                throw new InvalidConfigurationException("histogram", "a histogram needs 1 to " + MAX_HISTOGRAM_BINS
                        + " bins, each a length and a count; found " + lengths.length + " lengths and " + counts.length + " counts");
            }
            this.lengths = lengths.clone();
            this.cumulative = new long[counts.length];
            long total = 0;
            double sum = 0;
            for (int i = 0; i < lengths.length; i++) {
                if (lengths[i] < 1 || lengths[i] > 1 << 24) {
                    throw new InvalidConfigurationException("histogram", "a histogram bin's length was " + lengths[i]
                            + "; allowed: 1 to " + (1 << 24) + " tokens");
                }
                if (counts[i] < 0 || counts[i] > 1L << 50) {
                    throw new InvalidConfigurationException("histogram", "a histogram bin's count was " + counts[i]
                            + "; allowed: 0 to 2^50");
                }
                total += counts[i];
                sum += (double) lengths[i] * counts[i];
                cumulative[i] = total;
            }
            if (total == 0) {
                throw new InvalidConfigurationException("histogram", "every bin of the histogram counts 0 requests");
            }
            this.mean = sum / total;
        }

        @Override
        public int sample(SplittableRandom random) {
            long u = random.nextLong(cumulative[cumulative.length - 1]);
            // The first bin whose running count passes u (bins of count 0 share their neighbour's running count).
            int i = Arrays.binarySearch(cumulative, u + 1);
            i = i >= 0 ? i : -i - 1;
            while (i > 0 && cumulative[i - 1] == cumulative[i]) {
                i--;
            }
            return lengths[i];
        }

        @Override
        public double mean() {
            return mean;
        }

        @Override
        public int max() {
            int m = 0;
            for (int i = 0; i < lengths.length; i++) {
                if (cumulative[i] > (i == 0 ? 0 : cumulative[i - 1])) {
                    m = Math.max(m, lengths[i]);
                }
            }
            return m;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && Arrays.equals(h.lengths, lengths) && Arrays.equals(h.cumulative, cumulative);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(lengths) + Arrays.hashCode(cumulative);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "histogram of %d bins, mean %.0f, max %d", lengths.length, mean, max());
        }
    }

    /** A standard normal draw (Box-Muller). */
    static double gaussian(SplittableRandom random) {
        double u = Math.max(random.nextDouble(), 1e-300);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}

package dev.autoparallel.layout;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * How layouts that fit are ranked: each objective gives a score (higher is better) and every
 * order ends in the same deterministic tie-break: fewer GPUs, then smaller TP, then smaller PP,
 * then expert parallelism off.
 */
public enum Objective {
    /** Fewest GPUs that serve the workload; among those, the most headroom (concurrent requests). */
    MINIMIZE_GPUS("minimize_gpus") {
        @Override
        int comparePrimary(Candidate a, Candidate b) {
            int c = Integer.compare(a.layout().totalGpus(), b.layout().totalGpus());
            return c != 0 ? c : Double.compare(b.clusterConcurrency(), a.clusterConcurrency());
        }
    },
    /** Most concurrent requests of sequence_length tokens on the cluster (all replicas together). */
    MAXIMIZE_BATCH("maximize_batch") {
        @Override
        int comparePrimary(Candidate a, Candidate b) {
            return Double.compare(b.clusterConcurrency(), a.clusterConcurrency());
        }
    },
    /**
     * Most concurrent requests per GPU used: the best use of each GPU paid for, which favours
     * small TP groups replicated with DP over wide TP. Fewer GPUs break ties.
     */
    BALANCED("balanced") {
        @Override
        int comparePrimary(Candidate a, Candidate b) {
            return Double.compare(b.concurrencyPerGpu(), a.concurrencyPerGpu());
        }
    },
    /** Most generated tokens per second for the workload (throughput model), all replicas together. */
    MAXIMIZE_THROUGHPUT("maximize_throughput") {
        @Override
        int comparePrimary(Candidate a, Candidate b) {
            return Double.compare(b.tokensPerSecond(), a.tokensPerSecond());
        }

        @Override
        public boolean needsSpeed() {
            return true;
        }
    },
    /** Lowest USD per million generated tokens (throughput model and the price table); unpriced layouts last. */
    MINIMIZE_COST_PER_TOKEN("minimize_cost_per_token") {
        @Override
        int comparePrimary(Candidate a, Candidate b) {
            Double x = a.costPerMillionTokensUsd();
            Double y = b.costPerMillionTokensUsd();
            if (x == null || y == null) {
                return x == null ? (y == null ? 0 : 1) : -1;
            }
            return Double.compare(x, y);
        }

        @Override
        public boolean needsSpeed() {
            return true;
        }
    };

    private final String key;

    Objective(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** Whether ranking needs the throughput model's estimate of every layout. */
    public boolean needsSpeed() {
        return false;
    }

    /** Negative when {@code a} ranks before {@code b} on this objective alone. */
    abstract int comparePrimary(Candidate a, Candidate b);

    /** The full order: the objective, then the deterministic tie-break. */
    public int compare(Candidate a, Candidate b) {
        int c = comparePrimary(a, b);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.layout().totalGpus(), b.layout().totalGpus());
        if (c == 0) {
            c = Integer.compare(a.layout().tp(), b.layout().tp());
        }
        if (c == 0) {
            c = Integer.compare(a.layout().pp(), b.layout().pp());
        }
        return c != 0 ? c : Boolean.compare(a.layout().expertParallel(), b.layout().expertParallel());
    }

    public Comparator<Candidate> order() {
        return this::compare;
    }

    public static Objective parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Objective o : values()) {
            if (o.key.equals(n)) {
                return o;
            }
        }
        throw new InvalidConfigurationException("objective", "objective was '" + name + "'; allowed: "
                + String.join(", ", Arrays.stream(values()).map(Objective::key).toList()));
    }
}

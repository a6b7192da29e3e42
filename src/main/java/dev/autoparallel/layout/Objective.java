package dev.autoparallel.layout;

import dev.autoparallel.InvalidConfigurationException;
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
    };

    private final String key;

    Objective(String key) {
        this.key = key;
    }

    public String key() {
        return key;
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

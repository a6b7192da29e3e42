package dev.autoparallel.layout;

import dev.autoparallel.InvalidConfigurationException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * How layouts that fit are ranked. Every order ends in the same deterministic tie-break:
 * fewer GPUs, then smaller TP, then smaller PP, then expert parallelism off.
 */
public enum Objective {
    /** Fewest GPUs that serve the workload; among those, the most headroom (concurrent requests). */
    MINIMIZE_GPUS("minimize_gpus",
            Comparator.comparingInt((Candidate c) -> c.layout().totalGpus())
                    .thenComparing(Comparator.comparingDouble(Candidate::clusterConcurrency).reversed())),
    /** Most concurrent requests of sequence_length tokens on the cluster (all replicas together). */
    MAXIMIZE_BATCH("maximize_batch",
            Comparator.comparingDouble(Candidate::clusterConcurrency).reversed()),
    /**
     * Most concurrent requests per GPU used: the best use of each GPU paid for, which favours
     * small TP groups replicated with DP over wide TP. Fewer GPUs break ties.
     */
    BALANCED("balanced",
            Comparator.comparingDouble(Candidate::concurrencyPerGpu).reversed());

    private final String key;
    private final Comparator<Candidate> order;

    Objective(String key, Comparator<Candidate> order) {
        this.key = key;
        this.order = order.thenComparing(TieBreak.ORDER);
    }

    public String key() {
        return key;
    }

    public Comparator<Candidate> order() {
        return order;
    }

    /** Holder: enum constants cannot read the enum's own static fields while they are built. */
    private static final class TieBreak {
        static final Comparator<Candidate> ORDER = Comparator
                .comparingInt((Candidate c) -> c.layout().totalGpus())
                .thenComparingInt(c -> c.layout().tp())
                .thenComparingInt(c -> c.layout().pp())
                .thenComparing(c -> c.layout().expertParallel());
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

package dev.autoparallel.error;

/**
 * No layout on the cluster serves the workload. Says what would: the fewest GPUs of the same
 * type (whole nodes), and the per-GPU memory that would make the cluster as given suffice.
 */
public class InsufficientMemoryException extends AutoParallelException {
    private final Integer minimumGpus;
    private final Double minimumGpuMemoryGib;

    public InsufficientMemoryException(String message, Integer minimumGpus, Double minimumGpuMemoryGib) {
        super(message);
        this.minimumGpus = minimumGpus;
        this.minimumGpuMemoryGib = minimumGpuMemoryGib;
    }

    /** Fewest GPUs of the cluster's type that would serve the workload, or null if none up to the search limit. */
    public Integer minimumGpus() {
        return minimumGpus;
    }

    /** Per-GPU memory (GiB, runtime-reported) at which the cluster's GPU count would suffice, or null. */
    public Double minimumGpuMemoryGib() {
        return minimumGpuMemoryGib;
    }
}

package dev.autoparallel.memory;

/**
 * A parallel layout as vLLM runs it: {@code tp x pp} GPUs per replica, {@code dp} replicas.
 * With expert parallelism the routed experts are spread over {@code tp x dp} GPUs
 * ({@code --enable-expert-parallel}); it adds no GPUs.
 */
public record Layout(int tp, int pp, int dp, boolean expertParallel) {
    public Layout {
        if (tp < 1 || pp < 1 || dp < 1) {
            throw new IllegalArgumentException("tp, pp and dp must be at least 1: " + tp + ", " + pp + ", " + dp);
        }
    }

    public int totalGpus() {
        return tp * pp * dp;
    }

    public int gpusPerReplica() {
        return tp * pp;
    }

    /** Size of the expert-parallel group; 1 without expert parallelism. */
    public int expertParallelSize() {
        return expertParallel ? tp * dp : 1;
    }
}

package dev.autoparallel.layout;

import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.RejectionReason;
import dev.autoparallel.perf.PerfEstimate;

/**
 * One layout evaluated for a workload: the engine view ({@link MemoryEstimate}) and the
 * seed's workload view ({@code replicaSequences} of {@code sequenceLength} tokens per replica).
 *
 * @param replicaSequences sequences each data-parallel replica holds: ceil(batch / dp)
 * @param workloadKvBytes  KV bytes per GPU for those sequences
 * @param rejection        null when the layout serves the workload
 * @param perf             speed for the workload, when it was asked for (null otherwise)
 * @param costPerMillionTokensUsd USD per million generated tokens, when speed and a price are known
 */
public record Candidate(Layout layout, MemoryEstimate engine, int sequenceLength, int replicaSequences,
                        long workloadKvBytes, MemoryEstimate.Rejection rejection, PerfEstimate perf,
                        Double costPerMillionTokensUsd) {

    public Candidate(Layout layout, MemoryEstimate engine, int sequenceLength, int replicaSequences, long workloadKvBytes,
                     MemoryEstimate.Rejection rejection) {
        this(layout, engine, sequenceLength, replicaSequences, workloadKvBytes, rejection, null, null);
    }

    public double tokensPerSecond() {
        return perf == null ? 0 : perf.tokensPerSecond();
    }

    public boolean fits() {
        return rejection == null;
    }

    /** Per-GPU total of the workload view: weights + activations + KV for the workload + overhead. */
    public long totalBytes() {
        return engine.weightsBytes() + engine.activationBytes() + workloadKvBytes + engine.overheadBytes();
    }

    /** Requests of sequence_length tokens the whole layout holds at once (all replicas). */
    public double clusterConcurrency() {
        return engine.maxConcurrency() * layout.dp();
    }

    public double concurrencyPerGpu() {
        return clusterConcurrency() / layout.totalGpus();
    }

    public RejectionReason reason() {
        return rejection == null ? null : rejection.reason();
    }
}

package dev.autoparallel.layout;

import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.RejectionReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Enumerates every (TP, PP, DP, EP) layout vLLM accepts on a cluster and evaluates it for a
 * workload. TP divides the attention heads and stays inside a node unless the cluster allows
 * otherwise; PP is at most the layer count; layouts may use fewer GPUs than the cluster has.
 */
public final class LayoutSearch {
    private LayoutSearch() {
    }

    /** All layouts, fitting or not; the settings' null max_model_len / max_num_seqs follow the workload. */
    public static List<Candidate> evaluate(MemoryModel model, Cluster cluster, int sequenceLength, int batchSize,
                                           EngineSettings settings) {
        int total = cluster.totalGpus();
        int maxTp = cluster.allowCrossNodeTp() ? total : cluster.gpusPerNode();
        int heads = model.spec().numAttentionHeads();
        int layers = model.spec().numLayers();
        boolean moe = model.spec().isMoe();
        List<Candidate> out = new ArrayList<>();
        for (int tp = 1; tp <= maxTp; tp++) {
            if (heads % tp != 0) {
                continue;
            }
            for (int pp = 1; pp <= Math.min(layers, total / tp); pp++) {
                for (int dp = 1; dp <= total / (tp * pp); dp++) {
                    out.add(candidate(model, cluster, new Layout(tp, pp, dp, false), sequenceLength, batchSize, settings));
                    if (moe && tp * dp > 1) {
                        out.add(candidate(model, cluster, new Layout(tp, pp, dp, true), sequenceLength, batchSize, settings));
                    }
                }
            }
        }
        return out;
    }

    /** One layout for the workload: batch split over the DP replicas. */
    public static Candidate candidate(MemoryModel model, Cluster cluster, Layout layout, int sequenceLength,
                                      int batchSize, EngineSettings settings) {
        int replicaSeqs = (batchSize + layout.dp() - 1) / layout.dp();
        EngineSettings s = settings;
        if (s.maxModelLen() == null) {
            s = s.withMaxModelLen(sequenceLength);
        }
        if (s.maxNumSeqs() == null) {
            s = s.withMaxNumSeqs(replicaSeqs);
        }
        MemoryEstimate e = model.evaluate(layout, s, cluster.gpuMemoryBytes());
        long kv = e.rejection() != null && e.rejection().reason() == RejectionReason.INVALID_LAYOUT ? 0
                : model.workloadKvBytes(layout, s, replicaSeqs, sequenceLength);
        MemoryEstimate.Rejection rejection = e.rejection();
        if (rejection == null && layout.tp() > cluster.gpusPerNode() && !cluster.allowCrossNodeTp()) {
            rejection = new MemoryEstimate.Rejection(RejectionReason.TP_CROSSES_NODES,
                    "tensor parallel size " + layout.tp() + " spans nodes of " + cluster.gpusPerNode() + " GPUs");
        }
        Candidate c = new Candidate(layout, e, sequenceLength, replicaSeqs, kv, rejection);
        if (rejection == null && c.totalBytes() > e.budgetBytes()) {
            double gib = 1L << 30;
            rejection = new MemoryEstimate.Rejection(RejectionReason.WORKLOAD_DOES_NOT_FIT, String.format(Locale.ROOT,
                    "%d sequences of %d tokens per replica need %.2f GiB of KV cache per GPU; %.2f GiB is available",
                    replicaSeqs, sequenceLength, kv / gib, e.kvCacheBytes() / gib));
            c = new Candidate(layout, e, sequenceLength, replicaSeqs, kv, rejection);
        }
        return c;
    }
}

package dev.autoparallel.layout;

import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.RejectionReason;
import dev.autoparallel.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

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
        List<Candidate> out = new ArrayList<>();
        search(model, cluster, sequenceLength, batchSize, settings, false, out::add);
        return out;
    }

    /** The {@code k} best fitting layouts for a memory objective (no speed estimates). */
    public static List<Candidate> best(MemoryModel model, Cluster cluster, int sequenceLength, int batchSize,
                                       EngineSettings settings, Objective objective, int k) {
        return best(model, cluster, sequenceLength, batchSize, settings, objective, k, null);
    }

    /**
     * The {@code k} best fitting layouts for {@code objective}, best first (a bounded selection, no
     * full sort). Objectives on speed or cost estimate every fitting layout with {@code speed}.
     */
    public static List<Candidate> best(MemoryModel model, Cluster cluster, int sequenceLength, int batchSize,
                                       EngineSettings settings, Objective objective, int k, SpeedContext speed) {
        if (objective.needsSpeed() && speed == null) {
            throw new IllegalArgumentException(objective.key() + " needs a speed context");
        }
        TopK top = new TopK(objective, k);
        if (objective == Objective.MINIMIZE_GPUS) {
            // Best-first by GPU count: once k layouts fit, a layout with more GPUs than the k-th cannot rank above it.
            EngineSettings s = settings.maxModelLen() == null ? settings.withMaxModelLen(sequenceLength) : settings;
            BitSet hopeless = new BitSet();
            for (Layout l : layoutsByGpuCount(cluster, model.spec())) {
                if (top.full() && l.totalGpus() > top.worst().layout().totalGpus()) {
                    break;
                }
                int shapeKey = l.tp() * (model.spec().numLayers() + 1) + l.pp();
                if (!l.expertParallel() && hopeless.get(shapeKey)) {
                    continue;
                }
                Candidate c = candidate(model, cluster, l, sequenceLength, batchSize, s);
                if (!l.expertParallel() && (c.reason() == RejectionReason.INVALID_LAYOUT
                        || c.reason() == RejectionReason.WEIGHTS_DO_NOT_FIT)) {
                    hopeless.set(shapeKey); // DP does not shrink weights without expert parallelism
                }
                top.offer(c);
            }
        } else if (objective.needsSpeed()) {
            search(model, cluster, sequenceLength, batchSize, settings, true,
                    c -> top.offer(c.fits() ? speed.withSpeed(c, cluster) : c));
        } else {
            search(model, cluster, sequenceLength, batchSize, settings, true, top::offer);
        }
        return top.list();
    }

    /** A bounded best-first list of fitting candidates. */
    private static final class TopK {
        private final Objective objective;
        private final Candidate[] items;
        private int size;

        TopK(Objective objective, int k) {
            this.objective = objective;
            this.items = new Candidate[k];
        }

        boolean full() {
            return size == items.length;
        }

        Candidate worst() {
            return items[size - 1];
        }

        void offer(Candidate c) {
            if (!c.fits() || full() && objective.compare(c, worst()) >= 0) {
                return;
            }
            int i = full() ? size - 1 : size;
            while (i > 0 && objective.compare(c, items[i - 1]) < 0) {
                items[i] = items[i - 1];
                i--;
            }
            items[i] = c;
            size = Math.min(items.length, size + 1);
        }

        List<Candidate> list() {
            return List.of(Arrays.copyOf(items, size));
        }
    }

    private record ShapeKey(int total, int maxTp, int heads, int layers, boolean moe) {
    }

    private static final Map<ShapeKey, List<Layout>> BY_GPU_COUNT = new ConcurrentHashMap<>();

    /** Every layout the cluster allows for the model's head and layer counts, fewest GPUs first (cached). */
    static List<Layout> layoutsByGpuCount(Cluster cluster, ModelSpec spec) {
        int total = cluster.totalGpus();
        ShapeKey key = new ShapeKey(total, cluster.allowCrossNodeTp() ? total
                : Math.min(total, cluster.gpu().nvlinkGpus(cluster.gpusPerNode())),
                spec.numAttentionHeads(), spec.numLayers(), spec.isMoe());
        return BY_GPU_COUNT.computeIfAbsent(key, k -> {
            List<Layout> out = new ArrayList<>();
            for (int tp = 1; tp <= k.maxTp(); tp++) {
                if (k.heads() % tp != 0) {
                    continue;
                }
                for (int pp = 1; pp <= Math.min(k.layers(), k.total() / tp); pp++) {
                    for (int dp = 1; dp <= k.total() / (tp * pp); dp++) {
                        out.add(new Layout(tp, pp, dp, false));
                        if (k.moe() && tp * dp > 1) {
                            out.add(new Layout(tp, pp, dp, true));
                        }
                    }
                }
            }
            out.sort(Comparator.comparingInt(Layout::totalGpus).thenComparingInt(Layout::tp)
                    .thenComparingInt(Layout::pp).thenComparing(Layout::expertParallel));
            return List.copyOf(out);
        });
    }

    /**
     * Walks every layout. With {@code prune}, skips the data-parallel variants of a (TP, PP, EP)
     * shape that cannot fit whatever the DP size: vLLM refuses the shape itself, or its weights
     * (which DP does not shrink without expert parallelism) exceed the budget.
     */
    private static void search(MemoryModel model, Cluster cluster, int sequenceLength, int batchSize,
                               EngineSettings settings, boolean prune, Consumer<Candidate> sink) {
        int total = cluster.totalGpus();
        int maxTp = cluster.allowCrossNodeTp() ? total : Math.min(total, cluster.gpu().nvlinkGpus(cluster.gpusPerNode()));
        int heads = model.spec().numAttentionHeads();
        int layers = model.spec().numLayers();
        boolean moe = model.spec().isMoe();
        EngineSettings s = settings.maxModelLen() == null ? settings.withMaxModelLen(sequenceLength) : settings;
        for (int tp = 1; tp <= maxTp; tp++) {
            if (heads % tp != 0) {
                continue;
            }
            for (int pp = 1; pp <= Math.min(layers, total / tp); pp++) {
                for (int ep = 0; ep <= (moe ? 1 : 0); ep++) {
                    boolean expert = ep == 1;
                    for (int dp = 1; dp <= total / (tp * pp); dp++) {
                        if (expert && tp * dp == 1) {
                            continue;
                        }
                        Candidate c = candidate(model, cluster, new Layout(tp, pp, dp, expert), sequenceLength, batchSize, s);
                        sink.accept(c);
                        if (prune && !expert && c.reason() != null && (c.reason() == RejectionReason.INVALID_LAYOUT
                                || c.reason() == RejectionReason.WEIGHTS_DO_NOT_FIT)) {
                            break;
                        }
                        if (prune && expert && c.reason() == RejectionReason.INVALID_LAYOUT) {
                            break;
                        }
                    }
                }
            }
        }
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
        int nvlink = cluster.gpu().nvlinkGpus(cluster.gpusPerNode());
        if (rejection == null && layout.tp() > nvlink && !cluster.allowCrossNodeTp()) {
            rejection = new MemoryEstimate.Rejection(RejectionReason.TP_CROSSES_NODES,
                    () -> "tensor parallel size " + layout.tp() + " spans more than the " + nvlink + " GPUs NVLink joins");
        }
        Candidate c = new Candidate(layout, e, sequenceLength, replicaSeqs, kv, rejection);
        if (rejection == null && c.totalBytes() > e.budgetBytes()) {
            double gib = 1L << 30;
            rejection = new MemoryEstimate.Rejection(RejectionReason.WORKLOAD_DOES_NOT_FIT, () -> String.format(Locale.ROOT,
                    "%d sequences of %d tokens per replica need %.2f GiB of KV cache per GPU; %.2f GiB is available",
                    replicaSeqs, sequenceLength, kv / gib, e.kvCacheBytes() / gib));
            c = new Candidate(layout, e, sequenceLength, replicaSeqs, kv, rejection);
        }
        return c;
    }
}

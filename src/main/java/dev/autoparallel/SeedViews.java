package dev.autoparallel;

import dev.autoparallel.core.LayoutPlan;
import dev.autoparallel.core.RankedLayout;
import dev.autoparallel.core.Requirements;
import dev.autoparallel.cost.CostQuote;
import dev.autoparallel.layout.Candidate;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.perf.PerfEstimate;

/**
 * The seed's output edge: the core's answers in bytes become the seed's records in GiB, rounded
 * to three decimals. Nothing is computed here that the core did not compute.
 */
final class SeedViews {
    private static final double GIB = 1L << 30;

    private SeedViews() {
    }

    static Configuration configuration(LayoutPlan plan, RankedLayout r, int batch, EngineSettings settings) {
        Candidate c = r.candidate();
        Cluster cluster = plan.cluster();
        MemoryEstimate e = c.engine();
        Layout l = c.layout();
        double weights = round(e.weightsBytes() / GIB);
        double act = round(e.activationBytes() / GIB);
        double kv = round(c.workloadKvBytes() / GIB);
        double overhead = round(e.overheadBytes() / GIB);
        EngineView view = new EngineView(settings.version().toString(), settings.engine().key(),
                settings.gpuMemoryUtilization(), e.maxModelLen(), e.maxNumSeqs(), e.maxNumBatchedTokens(), e.blockSize(),
                round(e.kvCacheBytes() / GIB), e.kvCacheTokens(), round(e.maxConcurrency()), round(c.clusterConcurrency()));
        PerfEstimate p = c.perf();
        return new Configuration(l.tp(), l.pp(), l.expertParallelSize(), l.dp(), l.totalGpus(), round(c.totalBytes() / GIB),
                round(c.totalBytes() / (double) cluster.gpuMemoryBytes()),
                new MemoryBreakdown(weights, act, kv, overhead, round(weights + act + kv + overhead)),
                r.vllm().command(), r.vllm().commands(), r.vllm().notes(), r.sglang().command(), r.trtllm().command(),
                cluster.gpu().name(), round(cluster.gpuMemoryGib()), c.sequenceLength(), batch, view,
                p == null ? null : round(p.ttftMs()), p == null ? null : round(p.tpotMs()),
                p == null ? null : round(p.tokensPerSecond()), p == null ? null : round(p.tokensPerSecondPerGpu()),
                c.costPerMillionTokensUsd() == null ? null : round(c.costPerMillionTokensUsd()),
                p == null ? null : r.workload().inputTokens(), p == null ? null : r.workload().outputTokens(),
                p == null ? null : r.speedSource().key());
    }

    static MemoryRequirements requirements(Requirements r) {
        return new MemoryRequirements(round(r.weightsBytes() / GIB), round(r.minimumBytes() / GIB),
                round(r.recommendedBytes() / GIB), r.supportsQuantization(), r.modelId(), r.paramCount(), r.sequenceLength(),
                round(r.kvBytesPerSequence() / GIB), round(r.activationBytes() / GIB), round(r.overheadBytes() / GIB),
                round(r.fp8WeightsBytes() / GIB), round(r.int4WeightsBytes() / GIB));
    }

    static CostEstimate cost(RankedLayout best) {
        CostQuote q = best.rental().quote();
        return new CostEstimate(best.candidate().layout().totalGpus(), Math.round(q.monthlyUsd() * 100) / 100.0,
                Math.round(q.usdPerNeededGpuHour() * 1000) / 1000.0, q.assumptions(), q.offer().provider(),
                q.offer().instance(), q.instances(), q.billedGpus(), q.hoursPerMonth(), q.offer().asOf());
    }

    /** Rounds to 3 decimals for output (GiB, fractions). */
    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

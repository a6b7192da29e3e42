package dev.autoparallel;

import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.cost.CostQuote;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.deploy.Commands;
import dev.autoparallel.deploy.Deployment;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.layout.Candidate;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.LayoutSearch;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.layout.SpeedContext;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The work behind the facade: rank layouts, turn them into configurations, price them. Pure. */
final class Planner {
    private static final double GIB = 1L << 30;
    /** Longest context a request may name; far beyond any released model. */
    static final int MAX_SEQUENCE_LENGTH = 1 << 24;
    static final int MAX_BATCH = 1 << 20;
    /** How far InsufficientMemoryException looks for a cluster that would fit. */
    static final int MAX_NODES_SEARCHED = 128;

    /** Cache key: the very spec object (records would hash every tensor) and the GPU by name and memory. */
    private record ModelKey(ModelSpec spec, String gpu, long memoryBytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ModelKey k && k.spec == spec && k.memoryBytes == memoryBytes && k.gpu.equals(gpu);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(spec) * 31 + gpu.hashCode() + Long.hashCode(memoryBytes);
        }
    }

    private final Map<ModelKey, MemoryModel> models = new ConcurrentHashMap<>();

    MemoryModel memoryModel(ModelSpec spec, Gpu gpu) {
        return models.computeIfAbsent(new ModelKey(spec, gpu.name(), gpu.memoryBytes()), k -> new MemoryModel(spec, gpu));
    }

    /** Most layouts one request returns, as the sweep spec allows: the ranking is a top-k, not a listing of every layout. */
    static final int MAX_CONFIGS = 100;

    static void validateWorkload(ModelSpec spec, int sequenceLength, int batchSize, int maxConfigs) {
        if (sequenceLength < 1 || sequenceLength > MAX_SEQUENCE_LENGTH) {
            throw new InvalidConfigurationException("sequence_length", "sequence_length was " + sequenceLength
                    + "; allowed: 1 to " + MAX_SEQUENCE_LENGTH);
        }
        if (sequenceLength > spec.maxPositionEmbeddings()) {
            throw new InvalidConfigurationException("sequence_length", "sequence_length was " + sequenceLength
                    + "; " + spec.modelId() + " supports at most " + spec.maxPositionEmbeddings()
                    + " tokens (max_position_embeddings), and vLLM refuses a longer max_model_len");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new InvalidConfigurationException("batch_size", "batch_size was " + batchSize + "; allowed: 1 to " + MAX_BATCH);
        }
        if (maxConfigs < 1 || maxConfigs > MAX_CONFIGS) {
            throw new InvalidConfigurationException("max_configs", "max_configs was " + maxConfigs + "; allowed: 1 to "
                    + MAX_CONFIGS);
        }
    }

    private final Map<ModelKey, PerfModel> perfModels = new ConcurrentHashMap<>();

    PerfModel perfModel(ModelSpec spec, Gpu gpu) {
        return perfModels.computeIfAbsent(new ModelKey(spec, gpu.name(), gpu.memoryBytes()),
                k -> new PerfModel(memoryModel(spec, gpu)));
    }

    /** Speed for the planning workload (see {@link Workload#forSequence}) on vLLM, priced from {@code prices}. */
    SpeedContext speed(ModelSpec spec, Cluster cluster, int seq, int batch, PriceTable prices) {
        String gpu = cluster.gpu().name();
        return new SpeedContext(perfModel(spec, cluster.gpu()), Workload.forSequence(seq, batch), ServingEngine.VLLM,
                gpus -> prices.cheapestHourly(gpu, gpus));
    }

    /** The best {@code k} fitting layouts for the objective, best first. */
    List<Candidate> ranked(ModelSpec spec, Cluster cluster, int seq, int batch, Objective objective, EngineSettings settings,
                           int k) {
        return ranked(spec, cluster, seq, batch, objective, settings, k, PriceTable.builtIn());
    }

    List<Candidate> ranked(ModelSpec spec, Cluster cluster, int seq, int batch, Objective objective, EngineSettings settings,
                           int k, PriceTable prices) {
        SpeedContext speed = objective.needsSpeed() ? speed(spec, cluster, seq, batch, prices) : null;
        return LayoutSearch.best(memoryModel(spec, cluster.gpu()), cluster, seq, batch, settings, objective, k, speed);
    }

    /** A served variant: the checkpoint's spec object, the GPU and the settings that change what is loaded. */
    private record ServedKey(ModelSpec spec, String gpu, ServingQuantization quantization, boolean languageModelOnly,
                             VllmVersion version) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ServedKey k && k.spec == spec && k.gpu.equals(gpu) && k.quantization == quantization
                    && k.languageModelOnly == languageModelOnly && k.version.equals(version);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(spec) * 31 + gpu.hashCode() + quantization.hashCode() + (languageModelOnly ? 1 : 0);
        }
    }

    private final Map<ServedKey, ModelSpec> served = new ConcurrentHashMap<>();

    /** The model as vLLM loads it under {@code settings} (online quantization, language model only); the same object each time. */
    ModelSpec served(ModelSpec spec, Gpu gpu, EngineSettings settings) {
        if (settings.quantization() == ServingQuantization.NONE && !settings.languageModelOnly()) {
            return spec;
        }
        return served.computeIfAbsent(new ServedKey(spec, gpu.name(), settings.quantization(), settings.languageModelOnly(),
                settings.version()), k -> settings.served(spec, gpu));
    }

    List<Configuration> analyze(ModelSpec checkpoint, Cluster cluster, int seq, int batch, int maxConfigs,
                                Objective objective, EngineSettings settings) {
        return analyze(checkpoint, cluster, seq, batch, maxConfigs, objective, settings, PriceTable.builtIn());
    }

    /** As {@link #analyze}, ranking and pricing with {@code prices}: the one price table a caller reports with. */
    List<Configuration> analyze(ModelSpec checkpoint, Cluster cluster, int seq, int batch, int maxConfigs,
                                Objective objective, EngineSettings settings, PriceTable prices) {
        ModelSpec spec = served(checkpoint, cluster.gpu(), settings);
        validateWorkload(spec, seq, batch, maxConfigs);
        List<Candidate> fitting = ranked(spec, cluster, seq, batch, objective, settings, maxConfigs, prices);
        if (fitting.isEmpty()) {
            throw insufficient(spec, cluster, seq, batch, settings);
        }
        Configuration[] out = new Configuration[fitting.size()];
        String version = settings.version().toString();
        SpeedContext speed = speed(spec, cluster, seq, batch, prices);
        for (int i = 0; i < out.length; i++) {
            out[i] = configuration(spec, cluster, speed.withSpeed(fitting.get(i), cluster), batch, settings, version,
                    settings.languageModelOnly() && checkpoint.hasEncoderTower());
        }
        return List.of(out);
    }

    Configuration configuration(ModelSpec spec, Cluster cluster, Candidate c, int batch, EngineSettings settings,
                                String version, boolean towerLeftOut) {
        MemoryEstimate e = c.engine();
        Layout l = c.layout();
        double weights = e.weightsBytes() / GIB;
        double act = e.activationBytes() / GIB;
        double kv = c.workloadKvBytes() / GIB;
        double overhead = e.overheadBytes() / GIB;
        double total = c.totalBytes() / GIB;
        Commands.Request req = new Commands.Request(spec.modelId(), l, cluster.gpusPerNode(), e.maxModelLen(),
                e.maxNumSeqs(), settings.gpuMemoryUtilization(), settings.kvCacheDtype(), settings.quantization(),
                towerLeftOut).withMemory(e, cluster.gpuMemoryBytes());
        Deployment vllm = Commands.vllm(req);
        Deployment sglang = Commands.sglang(req);
        Deployment trtllm = Commands.trtllm(req);
        Workload workload = Workload.forSequence(c.sequenceLength(), batch);
        String command = vllm.command();
        EngineView view = new EngineView(version, settings.engine().key(),
                settings.gpuMemoryUtilization(), e.maxModelLen(), e.maxNumSeqs(), e.maxNumBatchedTokens(), e.blockSize(),
                round(e.kvCacheBytes() / GIB), e.kvCacheTokens(), round(e.maxConcurrency()), round(c.clusterConcurrency()));
        return new Configuration(l.tp(), l.pp(), l.expertParallelSize(), l.dp(), l.totalGpus(), round(total),
                round(c.totalBytes() / (double) cluster.gpuMemoryBytes()),
                new MemoryBreakdown(round(weights), round(act), round(kv), round(overhead),
                        round(round(weights) + round(act) + round(kv) + round(overhead))),
                command, vllm.commands(), vllm.notes(),
                sglang.command(), trtllm.command(), cluster.gpu().name(), round(cluster.gpuMemoryGib()), c.sequenceLength(),
                batch, view, c.perf() == null ? null : round(c.perf().ttftMs()), c.perf() == null ? null : round(c.perf().tpotMs()),
                c.perf() == null ? null : round(c.perf().tokensPerSecond()),
                c.perf() == null ? null : round(c.perf().tokensPerSecondPerGpu()),
                c.costPerMillionTokensUsd() == null ? null : round(c.costPerMillionTokensUsd()),
                c.perf() == null ? null : workload.inputTokens(), c.perf() == null ? null : workload.outputTokens());
    }

    /** Rounds to 3 decimals for output (GiB, fractions). */
    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    InsufficientMemoryException insufficient(ModelSpec spec, Cluster cluster, int seq, int batch, EngineSettings settings) {
        Integer gpus = null;
        String how = "";
        for (int nodes = cluster.numNodes() + 1; nodes <= MAX_NODES_SEARCHED; nodes = nodes < 8 ? nodes + 1 : nodes * 2) {
            Cluster bigger = new Cluster(cluster.gpu(), cluster.gpuMemoryBytes(), cluster.gpusPerNode(), nodes, cluster.allowCrossNodeTp());
            List<Candidate> fit = ranked(spec, bigger, seq, batch, Objective.MINIMIZE_GPUS, settings, 1);
            if (!fit.isEmpty()) {
                Layout l = fit.get(0).layout();
                gpus = l.totalGpus();
                how = String.format(Locale.ROOT, "at least %d GPUs of this type (TP %d, PP %d, DP %d, %d node(s) of %d)",
                        gpus, l.tp(), l.pp(), l.dp(), (gpus + cluster.gpusPerNode() - 1) / cluster.gpusPerNode(),
                        cluster.gpusPerNode());
                break;
            }
        }
        Double memory = minimumMemory(spec, cluster, seq, batch, settings);
        String memoryText = memory == null ? "" : String.format(Locale.ROOT,
                "%sGPUs with at least %.1f GiB each (as the runtime reports memory) on the same %d x %d layout",
                how.isEmpty() ? "" : ", or ", memory, cluster.numNodes(), cluster.gpusPerNode());
        List<Candidate> all = LayoutSearch.evaluate(memoryModel(spec, cluster.gpu()), cluster, seq, batch, settings);
        String closest = all.stream().filter(c -> c.rejection() != null)
                .min(Comparator.comparingLong(Candidate::totalBytes))
                .map(c -> " Closest layout TP " + c.layout().tp() + " PP " + c.layout().pp() + " DP " + c.layout().dp()
                        + ": " + c.rejection().detail() + ".")
                .orElse("");
        String msg = String.format(Locale.ROOT, "%s does not fit %d sequences of %d tokens on %d x %d %s (%.2f GiB per GPU).%s "
                        + "It would need %s%s.", spec.modelId(), batch, seq, cluster.numNodes(), cluster.gpusPerNode(),
                cluster.gpu().name(), cluster.gpuMemoryGib(), closest, how.isEmpty() && memoryText.isEmpty()
                        ? "a larger cluster than " + MAX_NODES_SEARCHED + " nodes" : how, memoryText);
        return new InsufficientMemoryException(msg, gpus, memory);
    }

    /** Smallest per-GPU memory (GiB, 0.1 steps) at which the cluster's GPU count would serve the workload, by bisection. */
    private Double minimumMemory(ModelSpec spec, Cluster cluster, int seq, int batch, EngineSettings settings) {
        double lo = cluster.gpuMemoryGib();
        double hi = 4096;
        if (ranked(spec, withMemory(cluster, hi), seq, batch, Objective.MINIMIZE_GPUS, settings, 1).isEmpty()) {
            return null;
        }
        while (hi - lo > 0.1) {
            double mid = (lo + hi) / 2;
            if (ranked(spec, withMemory(cluster, mid), seq, batch, Objective.MINIMIZE_GPUS, settings, 1).isEmpty()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.ceil(hi * 10) / 10;
    }

    private Cluster withMemory(Cluster c, double gib) {
        Gpu resized = c.gpu().withMemoryBytes(Math.round(gib * GIB));
        return new Cluster(resized, resized.memoryBytes(), c.gpusPerNode(), c.numNodes(), c.allowCrossNodeTp());
    }

    MemoryRequirements requirements(ModelSpec checkpoint, int seq, EngineSettings settings) {
        // Sized with an A100-80GB's engine defaults (2048 batched tokens, 256 sequences: vLLM's defaults for every GPU
        // but the large non-A100 ones); the memory figures do not depend on the probe's own memory.
        dev.autoparallel.hardware.Gpu a100 = GpuCatalog.require("A100-80GB", "gpu");
        Cluster probe = new Cluster(a100, a100.memoryBytes(), 1, 1, false);
        ModelSpec spec = served(checkpoint, a100, settings);
        validateWorkload(spec, seq, 1, 1);
        MemoryModel m = memoryModel(spec, probe.gpu());
        Layout one = new Layout(1, 1, 1, false);
        Candidate single = LayoutSearch.candidate(m, probe, one, seq, 1, settings);
        Candidate batch = LayoutSearch.candidate(m, probe, one, seq, 32, settings);
        double util = settings.gpuMemoryUtilization();
        double fixed = (single.engine().weightsBytes() + single.engine().overheadBytes()) / GIB;
        double minimum = (fixed + (single.engine().activationBytes() + single.workloadKvBytes()) / GIB) / util;
        double recommended = (fixed + (batch.engine().activationBytes() + batch.workloadKvBytes()) / GIB) / util;
        long bf16Params = spec.servedTensors().stream().mapToLong(t -> t.numel()).sum();
        long linear = spec.servedTensors().stream().filter(t -> t.kind() == dev.autoparallel.model.TensorKind.LINEAR)
                .mapToLong(t -> t.numel()).sum();
        double fp8 = ((bf16Params - linear) * 2.0 + linear) / GIB;
        double int4 = ((bf16Params - linear) * 2.0 + linear * (0.5 + 2.0 / 128)) / GIB;
        boolean alreadySmall = spec.quantization() instanceof Quantization.IntGroup
                || spec.quantization() instanceof Quantization.Mxfp4
                || spec.quantization() instanceof Quantization.BitsAndBytes b && b.bits() == 4;
        return new MemoryRequirements(round(single.engine().weightsBytes() / GIB), round(minimum), round(recommended),
                !alreadySmall, spec.modelId(), spec.paramCount(), seq, round(single.workloadKvBytes() / GIB),
                round(single.engine().activationBytes() / GIB), round(single.engine().overheadBytes() / GIB),
                round(fp8), round(int4));
    }

    CostEstimate cost(ModelSpec spec, Cluster cluster, double hoursPerMonth, PriceTable prices, EngineSettings settings) {
        if (!(hoursPerMonth > 0 && hoursPerMonth <= 744)) {
            throw new InvalidConfigurationException("hours_per_month", "hours_per_month was " + hoursPerMonth
                    + "; allowed: more than 0 and at most 744 (31 days)");
        }
        Configuration best = analyze(spec, cluster, AutoParallel.DEFAULT_SEQUENCE_LENGTH, AutoParallel.DEFAULT_BATCH_SIZE,
                1, Objective.MINIMIZE_GPUS, settings).get(0);
        CostQuote q = prices.cheapest(cluster.gpu().name(), best.totalGpus(), hoursPerMonth)
                .orElseThrow(() -> new InvalidConfigurationException("gpu_architecture", "no price is known for "
                        + cluster.gpu().name() + "; priced GPUs: " + String.join(", ", prices.entries().stream()
                        .map(e -> e.gpu()).distinct().sorted().toList()) + " (add one with a price override file)"));
        return new CostEstimate(best.totalGpus(), Math.round(q.monthlyUsd() * 100) / 100.0,
                Math.round(q.usdPerNeededGpuHour() * 1000) / 1000.0, q.assumptions(), q.offer().provider(),
                q.offer().instance(), q.instances(), q.billedGpus(), hoursPerMonth, q.offer().asOf());
    }
}

package dev.autoparallel.core;

import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.cost.Rental;
import dev.autoparallel.cost.TokenCost;
import dev.autoparallel.deploy.Commands;
import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.layout.Candidate;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.LayoutSearch;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.layout.SpeedContext;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import dev.autoparallel.model.TensorKind;
import dev.autoparallel.model.Tensor;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import dev.autoparallel.plan.FleetPlanner;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.plan.PlanResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one planning entry point. A request in (model, hardware, workload or traffic, targets,
 * engine settings, prices), a typed answer in bytes, seconds and dollars out, rejections as
 * enums with details. The seed facade, every CLI command and the sweep's cells call these
 * methods and only convert and round what comes back. Pure: no files, no network.
 *
 * <p>One instance per process ({@link #shared()}) keeps each model's memory and speed models, so
 * a sweep's cells and a CLI's repeated calls do not rebuild them.
 */
public final class Planner {
    /** Longest context a request may name; far beyond any released model. */
    public static final int MAX_SEQUENCE_LENGTH = 1 << 24;
    public static final int MAX_BATCH = 1 << 20;
    /** Most layouts one request returns: the ranking is a top-k, not a listing of every layout. */
    public static final int MAX_CONFIGS = 100;
    /** How far an {@link InsufficientMemoryException} looks for a cluster that would fit. */
    static final int MAX_NODES_SEARCHED = 128;
    private static final double GIB = 1L << 30;

    private static final Planner SHARED = new Planner();

    public static Planner shared() {
        return SHARED;
    }

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

    private final Map<ModelKey, MemoryModel> memoryModels = new ConcurrentHashMap<>();
    private final Map<ModelKey, PerfModel> perfModels = new ConcurrentHashMap<>();
    private final Map<ServedKey, ModelSpec> served = new ConcurrentHashMap<>();

    public MemoryModel memoryModel(ModelSpec spec, Gpu gpu) {
        return memoryModels.computeIfAbsent(new ModelKey(spec, gpu.name(), gpu.memoryBytes()), k -> new MemoryModel(spec, gpu));
    }

    public PerfModel perfModel(ModelSpec spec, Gpu gpu) {
        return perfModels.computeIfAbsent(new ModelKey(spec, gpu.name(), gpu.memoryBytes()),
                k -> new PerfModel(memoryModel(spec, gpu)));
    }

    /** The model as vLLM loads it under {@code settings} (online quantization, language model only); the same object each time. */
    public ModelSpec served(ModelSpec checkpoint, Gpu gpu, EngineSettings settings) {
        if (settings.quantization() == ServingQuantization.NONE && !settings.languageModelOnly()) {
            return checkpoint;
        }
        return served.computeIfAbsent(new ServedKey(checkpoint, gpu.name(), settings.quantization(),
                settings.languageModelOnly(), settings.version()), k -> settings.served(checkpoint, gpu));
    }

    public static void validateWorkload(ModelSpec spec, int sequenceLength, int batchSize, int maxConfigs) {
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

    private static void validateHours(double hoursPerMonth) {
        if (!(hoursPerMonth > 0 && hoursPerMonth <= 744)) {
            throw new InvalidConfigurationException("hours_per_month", "hours_per_month was " + hoursPerMonth
                    + "; allowed: more than 0 and at most 744 (31 days)");
        }
    }

    /** Speed for the planning workload (see {@link Workload#forSequence}) on vLLM, priced from {@code prices}. */
    private SpeedContext speed(ModelSpec spec, Cluster cluster, int seq, int batch, PriceTable prices) {
        String gpu = cluster.gpu().name();
        return new SpeedContext(perfModel(spec, cluster.gpu()), Workload.forSequence(seq, batch), ServingEngine.VLLM,
                gpus -> prices.cheapestHourly(gpu, gpus));
    }

    private List<Candidate> ranked(ModelSpec spec, Cluster cluster, int seq, int batch, Objective objective,
                                   EngineSettings settings, int k, PriceTable prices) {
        SpeedContext speed = objective.needsSpeed() ? speed(spec, cluster, seq, batch, prices) : null;
        return LayoutSearch.best(memoryModel(spec, cluster.gpu()), cluster, seq, batch, settings, objective, k, speed);
    }

    /**
     * The best fitting layouts for the request's objective, at most {@code maxConfigs}, each with
     * its speed for the planning workload, its rental and its commands.
     *
     * @throws InsufficientMemoryException when no layout fits, saying what would
     */
    public LayoutPlan rank(LayoutRequest r) {
        validateHours(r.hoursPerMonth());
        Cluster cluster = r.cluster();
        ModelSpec spec = served(r.checkpoint(), cluster.gpu(), r.settings());
        validateWorkload(spec, r.sequenceLength(), r.batchSize(), r.maxConfigs());
        List<Candidate> fitting = ranked(spec, cluster, r.sequenceLength(), r.batchSize(), r.objective(), r.settings(),
                r.maxConfigs(), r.prices());
        if (fitting.isEmpty()) {
            throw insufficient(spec, cluster, r.sequenceLength(), r.batchSize(), r.settings());
        }
        boolean towerLeftOut = r.settings().languageModelOnly() && r.checkpoint().hasEncoderTower();
        SpeedContext speed = speed(spec, cluster, r.sequenceLength(), r.batchSize(), r.prices());
        List<RankedLayout> out = new ArrayList<>(fitting.size());
        for (Candidate fit : fitting) {
            Candidate c = speed.withSpeed(fit, cluster);
            MemoryEstimate e = c.engine();
            Commands.Request cmd = Commands.Request.of(spec.modelId(), c.layout(), cluster.gpusPerNode(), e.maxModelLen(),
                    e.maxNumSeqs(), r.settings(), towerLeftOut).withMemory(e, cluster.gpuMemoryBytes());
            Rental rental = r.prices().rent(cluster.gpu().name(), c.layout().totalGpus(), r.hoursPerMonth());
            out.add(new RankedLayout(out.size() + 1, c, speed.workload(), rental,
                    Commands.vllm(cmd), Commands.sglang(cmd), Commands.trtllm(cmd),
                    perfModel(spec, cluster.gpu()).stepSource(c.layout(), e, ServingEngine.VLLM)));
        }
        return new LayoutPlan(spec, cluster, towerLeftOut, out);
    }

    /** One given layout: the engine's memory view, and speed and token cost when a workload is given and it fits. */
    public Evaluation evaluate(EvaluateRequest r) {
        Gpu gpu = r.gpu();
        EngineSettings settings = r.settings();
        Workload w = r.workload();
        if (w != null && settings.maxModelLen() == null) {
            settings = settings.withMaxModelLen(w.inputTokens() + w.outputTokens());
        }
        ModelSpec spec = served(r.checkpoint(), gpu, settings);
        if (settings.maxModelLen() != null && settings.maxModelLen() > spec.maxPositionEmbeddings()) {
            // vLLM's _get_and_verify_max_len refuses a longer max_model_len unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 is set,
            // which the model's positions do not support; the same bound validateWorkload puts on sequence_length.
            throw new InvalidConfigurationException("max_model_len", "max_model_len was " + settings.maxModelLen()
                    + (w != null && r.settings().maxModelLen() == null ? " (the workload's input plus output tokens)" : "")
                    + "; " + spec.modelId() + " supports at most " + spec.maxPositionEmbeddings()
                    + " tokens (max_position_embeddings), and vLLM refuses a longer max_model_len");
        }
        MemoryModel memoryModel = memoryModel(spec, gpu);
        if (settings.maxNumBatchedTokens() != null && settings.maxNumBatchedTokens() < memoryModel.maxNumSeqs(settings)) {
            throw EngineSettings.batchedBelowSeqs(settings.maxNumBatchedTokens(), memoryModel.maxNumSeqs(settings));
        }
        MemoryEstimate e = memoryModel.evaluate(r.layout(), settings, r.gpuMemoryBytes());
        PerfEstimate speed = null;
        Double perMillion = null;
        StepSource source = null;
        if (w != null && e.fits()) {
            speed = perfModel(spec, gpu).estimate(r.layout(), r.gpusPerNode(), e, w, r.engine());
            source = perfModel(spec, gpu).stepSource(r.layout(), e, r.engine());
            OptionalDouble hourly = r.prices().cheapestHourly(gpu.name(), r.layout().totalGpus());
            perMillion = hourly.isPresent() ? TokenCost.usdPerMillion(hourly.getAsDouble(), speed.tokensPerSecond()) : null;
        }
        EngineViews.Sglang sglang = null;
        EngineViews.Trtllm trtllm = null;
        if (r.engine() != ServingEngine.VLLM && e.fits()) {
            String why = r.engine() == ServingEngine.SGLANG ? EngineViews.sglangUnmodelled(e) : EngineViews.trtllmUnmodelled(e);
            if (why != null) {
                throw new InvalidConfigurationException("engine", r.engine().key() + "'s memory figures for " + spec.modelId()
                        + " are not modelled: " + why);
            }
            if (r.engine() == ServingEngine.SGLANG) {
                sglang = EngineViews.sglang(e, r.gpuMemoryBytes());
            } else {
                trtllm = EngineViews.trtllm(e, r.gpuMemoryBytes());
            }
        }
        return new Evaluation(spec, settings.languageModelOnly() && r.checkpoint().hasEncoderTower(), r.layout(),
                r.gpuMemoryBytes(), settings, e, r.engine(), w, speed, perMillion, sglang, trtllm, source);
    }

    /** A fleet for traffic within latency targets (see {@link FleetPlanner}). */
    public PlanResult plan(PlanRequest request) {
        return FleetPlanner.plan(request);
    }

    /** What one GPU needs for the checkpoint under {@code settings}, sized on an A100-80GB's engine defaults. */
    public Requirements requirements(ModelSpec checkpoint, int seq, EngineSettings settings) {
        // An A100-80GB's engine defaults (2048 batched tokens, 256 sequences: vLLM's defaults for every GPU but the large
        // non-A100 ones); the memory figures do not depend on the probe's own memory.
        Gpu a100 = GpuCatalog.require("A100-80GB", "gpu");
        Cluster probe = new Cluster(a100, a100.memoryBytes(), 1, 1, false);
        ModelSpec spec = served(checkpoint, a100, settings);
        validateWorkload(spec, seq, 1, 1);
        MemoryModel m = memoryModel(spec, a100);
        Layout one = new Layout(1, 1, 1, false);
        Candidate single = LayoutSearch.candidate(m, probe, one, seq, 1, settings);
        Candidate batch = LayoutSearch.candidate(m, probe, one, seq, 32, settings);
        double util = settings.gpuMemoryUtilization();
        long fixed = single.engine().weightsBytes() + single.engine().overheadBytes();
        long minimum = Math.round((fixed + single.engine().activationBytes() + single.workloadKvBytes()) / util);
        long recommended = Math.round((fixed + batch.engine().activationBytes() + batch.workloadKvBytes()) / util);
        long all = 0;
        long linear = 0;
        for (Tensor t : spec.servedTensors()) {
            all += t.numel();
            if (t.kind() == TensorKind.LINEAR) {
                linear += t.numel();
            }
        }
        long fp8 = (all - linear) * 2 + linear;
        long int4 = Math.round((all - linear) * 2.0 + linear * (0.5 + 2.0 / 128));
        boolean alreadySmall = spec.quantization() instanceof Quantization.IntGroup
                || spec.quantization() instanceof Quantization.Mxfp4
                || spec.quantization() instanceof Quantization.CompressedMxfp4
                || spec.quantization() instanceof Quantization.BitsAndBytes b && b.bits() == 4;
        return new Requirements(spec.modelId(), spec.paramCount(), seq, single.engine().weightsBytes(), minimum, recommended,
                single.workloadKvBytes(), single.engine().activationBytes(), single.engine().overheadBytes(), fp8, int4,
                !alreadySmall);
    }

    /**
     * The fewest-GPU layout for {@code seq} x {@code batch} and its rental on the cheapest offer.
     *
     * @throws InvalidConfigurationException when no offer has the GPU
     */
    public RankedLayout cheapestRental(ModelSpec checkpoint, Cluster cluster, int seq, int batch, double hoursPerMonth,
                                       PriceTable prices, EngineSettings settings) {
        RankedLayout best = rank(new LayoutRequest(checkpoint, cluster, seq, batch, 1, Objective.MINIMIZE_GPUS, settings,
                prices, hoursPerMonth)).layouts().get(0);
        if (!best.rental().priced()) {
            throw new InvalidConfigurationException("gpu_architecture", "no price is known for " + cluster.gpu().name()
                    + "; priced GPUs: " + String.join(", ", prices.entries().stream().map(e -> e.gpu()).distinct().sorted()
                    .toList()) + " (add one with a price override file)");
        }
        return best;
    }

    private InsufficientMemoryException insufficient(ModelSpec spec, Cluster cluster, int seq, int batch,
                                                     EngineSettings settings) {
        String unsupported = memoryModel(spec, cluster.gpu()).unsupportedCache();
        if (unsupported != null) {
            // No cluster size would help: say what is missing instead of searching up to MAX_NODES_SEARCHED nodes and
            // suggesting one (plan's message for the same case names it too).
            return new InsufficientMemoryException(String.format(Locale.ROOT, "%s: no layout on %d x %d %s can be sized: %s,"
                    + " so no cluster size is suggested.", spec.modelId(), cluster.numNodes(), cluster.gpusPerNode(),
                    cluster.gpu().name(), unsupported), null, null);
        }
        Integer gpus = null;
        String how = "";
        for (int nodes = cluster.numNodes() + 1; nodes <= MAX_NODES_SEARCHED; nodes = nodes < 8 ? nodes + 1 : nodes * 2) {
            Cluster bigger = new Cluster(cluster.gpu(), cluster.gpuMemoryBytes(), cluster.gpusPerNode(), nodes,
                    cluster.allowCrossNodeTp());
            List<Candidate> fit = ranked(spec, bigger, seq, batch, Objective.MINIMIZE_GPUS, settings, 1, PriceTable.builtIn());
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
        if (fitsNone(spec, withMemory(cluster, hi), seq, batch, settings)) {
            return null;
        }
        while (hi - lo > 0.1) {
            double mid = (lo + hi) / 2;
            if (fitsNone(spec, withMemory(cluster, mid), seq, batch, settings)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.ceil(hi * 10) / 10;
    }

    private boolean fitsNone(ModelSpec spec, Cluster c, int seq, int batch, EngineSettings settings) {
        return ranked(spec, c, seq, batch, Objective.MINIMIZE_GPUS, settings, 1, PriceTable.builtIn()).isEmpty();
    }

    private static Cluster withMemory(Cluster c, double gib) {
        Gpu resized = c.gpu().withMemoryBytes(Math.round(gib * GIB));
        return new Cluster(resized, resized.memoryBytes(), c.gpusPerNode(), c.numNodes(), c.allowCrossNodeTp());
    }
}

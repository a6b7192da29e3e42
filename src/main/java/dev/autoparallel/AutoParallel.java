package dev.autoparallel;

import dev.autoparallel.core.LayoutPlan;
import dev.autoparallel.core.LayoutRequest;
import dev.autoparallel.core.Planner;
import dev.autoparallel.core.RankedLayout;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.plan.PlanResult;
import dev.autoparallel.source.ModelResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seed API: analyze, bestConfig, checkMemoryRequirements, estimateCost, with the seed's
 * defaults (sequence length 2048, batch 32, 5 configurations, minimize_gpus, 730 hours).
 * Models are named as the CLI takes them (local path, catalog, HF cache, Hub) and resolved once
 * per process; clusters come typed or in the seed's map form. All memory figures are GiB.
 */
public final class AutoParallel {
    public static final int DEFAULT_SEQUENCE_LENGTH = 2048;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int DEFAULT_MAX_CONFIGS = 5;
    public static final double DEFAULT_HOURS_PER_MONTH = 730;
    /** Longest sequence (prompt plus output tokens) any request may ask about. */
    public static final int MAX_SEQUENCE_LENGTH = Planner.MAX_SEQUENCE_LENGTH;

    private static final Planner PLANNER = Planner.shared();
    private static final Map<String, ModelSpec> RESOLVED = new ConcurrentHashMap<>();

    private AutoParallel() {
    }

    /** Resolves a model name once per process (local path, catalog, HF cache, Hub). */
    public static ModelSpec model(String model) {
        ModelSpec cached = RESOLVED.get(model);
        if (cached != null) {
            return cached;
        }
        ModelSpec spec = ModelResolver.fromEnvironment().resolve(model).spec();
        RESOLVED.put(model, spec);
        return spec;
    }

    public static List<Configuration> analyze(String model, Map<String, ?> cluster) {
        return analyze(model, cluster, DEFAULT_SEQUENCE_LENGTH, DEFAULT_BATCH_SIZE, DEFAULT_MAX_CONFIGS);
    }

    public static List<Configuration> analyze(String model, Map<String, ?> cluster, int sequenceLength, int batchSize,
                                              int maxConfigs) {
        return analyze(model(model), Cluster.fromMap(cluster), sequenceLength, batchSize, maxConfigs);
    }

    public static List<Configuration> analyze(ModelSpec model, Cluster cluster, int sequenceLength, int batchSize,
                                              int maxConfigs) {
        return analyze(model, cluster, sequenceLength, batchSize, maxConfigs, Objective.MINIMIZE_GPUS, EngineSettings.defaults());
    }

    /** Every fitting layout ranked for {@code objective}, at most {@code maxConfigs}. */
    public static List<Configuration> analyze(ModelSpec model, Cluster cluster, int sequenceLength, int batchSize,
                                              int maxConfigs, Objective objective, EngineSettings settings) {
        return analyze(model, cluster, sequenceLength, batchSize, maxConfigs, objective, settings, PriceTable.builtIn());
    }

    /** As above, ranking and pricing with {@code prices} (a sweep's price overrides, a contract price). */
    public static List<Configuration> analyze(ModelSpec model, Cluster cluster, int sequenceLength, int batchSize,
                                              int maxConfigs, Objective objective, EngineSettings settings, PriceTable prices) {
        LayoutPlan plan = PLANNER.rank(new LayoutRequest(model, cluster, sequenceLength, batchSize, maxConfigs, objective,
                settings, prices, DEFAULT_HOURS_PER_MONTH));
        List<Configuration> out = new ArrayList<>(plan.layouts().size());
        for (RankedLayout r : plan.layouts()) {
            out.add(SeedViews.configuration(plan, r, batchSize, settings));
        }
        return List.copyOf(out);
    }

    public static Configuration bestConfig(String model, Map<String, ?> cluster) {
        return bestConfig(model, cluster, Objective.MINIMIZE_GPUS.key());
    }

    public static Configuration bestConfig(String model, Map<String, ?> cluster, String objective) {
        return bestConfig(model(model), Cluster.fromMap(cluster), Objective.parse(objective),
                DEFAULT_SEQUENCE_LENGTH, DEFAULT_BATCH_SIZE, EngineSettings.defaults());
    }

    public static Configuration bestConfig(ModelSpec model, Cluster cluster, Objective objective, int sequenceLength,
                                           int batchSize, EngineSettings settings) {
        return analyze(model, cluster, sequenceLength, batchSize, 1, objective, settings).get(0);
    }

    public static MemoryRequirements checkMemoryRequirements(String model) {
        return checkMemoryRequirements(model, DEFAULT_SEQUENCE_LENGTH);
    }

    public static MemoryRequirements checkMemoryRequirements(String model, int sequenceLength) {
        return checkMemoryRequirements(model(model), sequenceLength, EngineSettings.defaults());
    }

    public static MemoryRequirements checkMemoryRequirements(ModelSpec model, int sequenceLength, EngineSettings settings) {
        return SeedViews.requirements(PLANNER.requirements(model, sequenceLength, settings));
    }

    public static CostEstimate estimateCost(String model, Map<String, ?> cluster) {
        return estimateCost(model, cluster, DEFAULT_HOURS_PER_MONTH);
    }

    public static CostEstimate estimateCost(String model, Map<String, ?> cluster, double hoursPerMonth) {
        return estimateCost(model(model), Cluster.fromMap(cluster), hoursPerMonth, PriceTable.builtIn(), EngineSettings.defaults());
    }

    public static CostEstimate estimateCost(ModelSpec model, Cluster cluster, double hoursPerMonth, PriceTable prices,
                                            EngineSettings settings) {
        return SeedViews.cost(PLANNER.cheapestRental(model, cluster, DEFAULT_SEQUENCE_LENGTH, DEFAULT_BATCH_SIZE, hoursPerMonth,
                prices, settings));
    }

    /**
     * Plans a fleet for traffic within latency targets (see {@link Planner#plan}): per hardware
     * option the cheapest layout x replicas whose simulated percentiles meet the targets, and the
     * recommended option. The CLI's {@code plan} and the sweep's traffic cells call this.
     */
    public static PlanResult planFleet(PlanRequest request) {
        return PLANNER.plan(request);
    }
}

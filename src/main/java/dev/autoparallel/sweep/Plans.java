package dev.autoparallel.sweep;

import dev.autoparallel.AutoParallelException;
import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.ModelNotFoundException;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.source.ModelResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns a spec into a plan on the driver: every model resolved once, price files read, clusters built. */
public final class Plans {
    private Plans() {
    }

    /**
     * @param baseDir folder relative paths in the spec (local model configs, price files) are resolved against
     */
    public static SweepPlan plan(SweepSpec spec, Path baseDir, ModelResolver resolver) {
        List<SweepPlan.PlannedCluster> clusters = new ArrayList<>();
        for (SweepSpec.ClusterShape shape : spec.clusters()) {
            Map<String, Object> map = new HashMap<>();
            map.put("gpu_architecture", shape.gpu());
            if (shape.gpuMemoryGb() != null) {
                map.put("gpu_memory_gb", shape.gpuMemoryGb());
            }
            map.put("gpus_per_node", shape.gpusPerNode());
            map.put("num_nodes", shape.nodes());
            clusters.add(new SweepPlan.PlannedCluster(shape, Cluster.fromMap(map)));
        }
        PriceTable prices = PriceTable.builtIn();
        if (spec.priceOverrides() != null) {
            if (spec.priceOverrides().isTextual()) {
                Path file = baseDir.resolve(spec.priceOverrides().asText());
                try {
                    prices = prices.withOverrides(Files.readString(file), file.toString());
                } catch (IOException e) {
                    throw new InvalidConfigurationException("price_overrides", "price_overrides file " + file
                            + " cannot be read (" + e.getClass().getSimpleName() + ")");
                }
            } else {
                prices = prices.withOverrides(spec.priceOverrides().toString(), "price_overrides");
            }
        }
        List<SweepPlan.PlannedModel> models = new ArrayList<>();
        for (String id : spec.models()) {
            String name = id;
            Path local = baseDir.resolve(id);
            if (!Files.exists(Path.of(id)) && Files.exists(local)) {
                name = local.toString();
            }
            try {
                models.add(new SweepPlan.PlannedModel(id, resolver.resolve(name).spec(), null, null));
            } catch (ModelNotFoundException e) {
                models.add(new SweepPlan.PlannedModel(id, null, "model_unavailable", e.getMessage()));
            } catch (AutoParallelException e) {
                models.add(new SweepPlan.PlannedModel(id, null, e instanceof InvalidConfigurationException
                        ? "invalid_input" : "model_unavailable", e.getMessage()));
            }
        }
        EngineSettings settings = EngineSettings.forVersion(spec.vllmVersion())
                .withUtilization(spec.gpuMemoryUtilization()).withKvCacheDtype(spec.kvCacheDtype());
        return new SweepPlan(spec.name(), models, clusters, spec.sequenceLengths(), spec.batchSizes(), spec.objectives(),
                spec.maxConfigs(), settings, prices, spec.hoursPerMonth());
    }
}

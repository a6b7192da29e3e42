package dev.autoparallel.sweep;

import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelNotFoundException;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.report.FailureReason;
import dev.autoparallel.source.ModelResolver;
import dev.autoparallel.source.Secrets;
import dev.autoparallel.source.TextFiles;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a spec into a plan on the driver: every model resolved once, price files read, clusters built. */
public final class Plans {
    private Plans() {
    }

    /**
     * @param baseDir folder relative paths in the spec (local model configs, price files) are resolved against
     */
    public static SweepPlan plan(SweepSpec spec, Path baseDir, ModelResolver resolver) {
        PriceTable prices = PriceTable.builtIn();
        if (spec.priceOverrides() != null) {
            if (spec.priceOverrides().isTextual()) {
                Path file = resolvePath(baseDir, spec.priceOverrides().asText(), "price_overrides");
                prices = prices.withOverrides(TextFiles.read(file, "price_overrides", TextFiles.MAX_SPEC_BYTES), file.toString());
            } else {
                prices = prices.withOverrides(spec.priceOverrides().toString(), "price_overrides");
            }
        }
        List<SweepPlan.PlannedCluster> clusters = new ArrayList<>();
        for (SweepSpec.ClusterShape shape : spec.clusters()) {
            Cluster cluster = Cluster.of(shape.gpu(), shape.gpuMemoryGb(), shape.gpusPerNode(), shape.nodes());
            // A cluster's own price replaces the table for its cells: they are ranked and reported with the same numbers.
            PriceTable own = shape.priceUsdPerGpuHour() == null ? prices : PriceTable.ownPrice(cluster.gpu().name(),
                    shape.priceUsdPerGpuHour(), shape.name(), "sweep spec (" + shape.name() + ")");
            clusters.add(new SweepPlan.PlannedCluster(shape, cluster, own));
        }
        List<SweepPlan.PlannedModel> models = new ArrayList<>();
        for (String id : spec.models()) {
            // One model that cannot be read becomes failure rows for its cells, never a failed sweep.
            try {
                models.add(new SweepPlan.PlannedModel(id, resolver.resolve(localName(baseDir, id)).spec(), null, null));
            } catch (ModelNotFoundException e) {
                models.add(new SweepPlan.PlannedModel(id, null, FailureReason.MODEL_UNAVAILABLE, Secrets.redact(e.getMessage())));
            } catch (AutoParallelException e) {
                models.add(new SweepPlan.PlannedModel(id, null, e instanceof InvalidConfigurationException
                        ? FailureReason.INVALID_INPUT : FailureReason.MODEL_UNAVAILABLE, Secrets.redact(e.getMessage())));
            } catch (RuntimeException e) {
                models.add(new SweepPlan.PlannedModel(id, null, FailureReason.ERROR, Secrets.redact(e.getClass().getSimpleName()
                        + " while reading the model: " + e.getMessage())));
            }
        }
        // An EAGLE-3 head serves every cell: one that cannot be read is the spec's error, not a cell's.
        SpeculativeDecoding sd = spec.speculative();
        if (sd.draftModel() != null) {
            ModelResolver.PublishedConfig c = resolver.config(localName(baseDir, sd.draftModel()));
            sd = sd.withDraft(Eagle3Draft.parse(sd.draftModel(), c.config(), c.source()));
        }
        EngineSettings settings = EngineSettings.forVersion(spec.vllmVersion())
                .withUtilization(spec.gpuMemoryUtilization()).withKvCacheDtype(spec.kvCacheDtype())
                .withQuantization(spec.quantization()).withLanguageModelOnly(spec.languageModelOnly())
                .withSpeculative(sd);
        return new SweepPlan(spec.name(), models, clusters, spec.sequenceLengths(), spec.batchSizes(), spec.objectives(),
                spec.maxConfigs(), settings, prices, spec.hoursPerMonth(), spec.demands(), spec.engine(), spec.headroom(),
                OwnedCost.DEFAULTS, spec.reportTargets());
    }

    /** A model id, or the spec-relative path of a local config when one exists there. */
    private static String localName(Path baseDir, String id) {
        try {
            Path local = baseDir.resolve(id);
            if (!Files.exists(Path.of(id)) && Files.exists(local)) {
                return local.toString();
            }
        } catch (InvalidPathException e) {
            // not a path: a Hub id
        }
        return id;
    }

    private static Path resolvePath(Path baseDir, String given, String field) {
        try {
            return baseDir.resolve(given);
        } catch (InvalidPathException e) {
            throw new InvalidConfigurationException(field, field + " '" + given + "' is not a valid path (" + e.getReason() + ")");
        }
    }
}

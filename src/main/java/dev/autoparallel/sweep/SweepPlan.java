package dev.autoparallel.sweep;

import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.report.FailureReason;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.plan.Slo;
import java.io.Serializable;
import java.util.List;

/**
 * A sweep ready to run: models resolved once on the driver (or the reason they could not be),
 * clusters built, prices loaded. Serializable, so Spark ships it to executors as it is: they
 * parse nothing and reach no network. Cells are numbered 0..cellCount-1 in mixed radix
 * (model, cluster, sequence length, batch size, objective), the objective varying fastest; a
 * traffic sweep numbers (demand, cluster), the cluster varying fastest.
 */
public record SweepPlan(String name, List<PlannedModel> models, List<PlannedCluster> clusters, List<Integer> sequenceLengths,
                        List<Integer> batchSizes, List<Objective> objectives, int maxConfigs, EngineSettings settings,
                        PriceTable prices, double hoursPerMonth, List<SweepSpec.Demand> demands, ServingEngine engine,
                        double headroom, OwnedCost owned, Slo reportTargets) implements Serializable {

    /** A model of the spec: its parsed spec, or why it could not be resolved (every cell of it then fails with that). */
    public record PlannedModel(String id, ModelSpec spec, FailureReason failureReason, String failureDetail) implements Serializable {
    }

    /**
     * A hardware option of the spec with its cluster and the prices its cells are ranked and
     * reported with: the option's own price when the spec gives one, else the sweep's price table.
     */
    public record PlannedCluster(SweepSpec.ClusterShape shape, Cluster cluster, PriceTable prices) implements Serializable {
    }

    /** One cell's coordinates. */
    /** One cell's coordinates; {@code demand} is set in traffic sweeps (then there is no objective, length or batch). */
    public record Cell(long id, PlannedModel model, PlannedCluster cluster, int sequenceLength, int batchSize,
                       Objective objective, SweepSpec.Demand demand) {
    }

    public SweepPlan {
        models = List.copyOf(models);
        clusters = List.copyOf(clusters);
        sequenceLengths = List.copyOf(sequenceLengths);
        batchSizes = List.copyOf(batchSizes);
        objectives = List.copyOf(objectives);
        demands = List.copyOf(demands);
    }

    public boolean trafficMode() {
        return !demands.isEmpty();
    }

    public long cellCount() {
        if (trafficMode()) {
            return (long) demands.size() * clusters.size();
        }
        return (long) models.size() * clusters.size() * sequenceLengths.size() * batchSizes.size() * objectives.size();
    }

    public Cell cell(long id) {
        if (id < 0 || id >= cellCount()) {
            throw new IndexOutOfBoundsException("cell " + id + " of " + cellCount());
        }
        if (trafficMode()) {
            SweepSpec.Demand d = demands.get((int) (id / clusters.size()));
            return new Cell(id, models.get(d.model()), clusters.get((int) (id % clusters.size())), d.traffic().maxModelLen(), 0,
                    null, d);
        }
        long rest = id;
        int objective = (int) (rest % objectives.size());
        rest /= objectives.size();
        int batch = (int) (rest % batchSizes.size());
        rest /= batchSizes.size();
        int seq = (int) (rest % sequenceLengths.size());
        rest /= sequenceLengths.size();
        int cluster = (int) (rest % clusters.size());
        rest /= clusters.size();
        return new Cell(id, models.get((int) rest), clusters.get(cluster), sequenceLengths.get(seq), batchSizes.get(batch),
                objectives.get(objective), null);
    }
}

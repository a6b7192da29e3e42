package dev.autoparallel.sweep;

import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
import java.io.Serializable;
import java.util.List;

/**
 * A sweep ready to run: models resolved once on the driver (or the reason they could not be),
 * clusters built, prices loaded. Serializable, so Spark ships it to executors as it is: they
 * parse nothing and reach no network. Cells are numbered 0..cellCount-1 in mixed radix
 * (model, cluster, sequence length, batch size, objective), the objective varying fastest.
 */
public record SweepPlan(String name, List<PlannedModel> models, List<PlannedCluster> clusters, List<Integer> sequenceLengths,
                        List<Integer> batchSizes, List<Objective> objectives, int maxConfigs, EngineSettings settings,
                        PriceTable prices, double hoursPerMonth) implements Serializable {

    /** A model of the spec: its parsed spec, or why it could not be resolved (every cell of it then fails with that). */
    public record PlannedModel(String id, ModelSpec spec, String failureReason, String failureDetail) implements Serializable {
    }

    /** A hardware option of the spec with its cluster. */
    public record PlannedCluster(SweepSpec.ClusterShape shape, Cluster cluster) implements Serializable {
    }

    /** One cell's coordinates. */
    public record Cell(long id, PlannedModel model, PlannedCluster cluster, int sequenceLength, int batchSize,
                       Objective objective) {
    }

    public SweepPlan {
        models = List.copyOf(models);
        clusters = List.copyOf(clusters);
        sequenceLengths = List.copyOf(sequenceLengths);
        batchSizes = List.copyOf(batchSizes);
        objectives = List.copyOf(objectives);
    }

    public long cellCount() {
        return (long) models.size() * clusters.size() * sequenceLengths.size() * batchSizes.size() * objectives.size();
    }

    public Cell cell(long id) {
        if (id < 0 || id >= cellCount()) {
            throw new IndexOutOfBoundsException("cell " + id + " of " + cellCount());
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
                objectives.get(objective));
    }
}

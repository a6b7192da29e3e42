package dev.autoparallel.core;

import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
import java.util.Objects;

/**
 * What a layout ranking is asked: the checkpoint, the cluster, the seed's workload
 * ({@code batchSize} sequences of {@code sequenceLength} tokens), the objective, the engine
 * settings, and the one price table the layouts are ranked and priced with.
 */
public record LayoutRequest(ModelSpec checkpoint, Cluster cluster, int sequenceLength, int batchSize, int maxConfigs,
                            Objective objective, EngineSettings settings, PriceTable prices, double hoursPerMonth) {
    public LayoutRequest {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(prices, "prices");
    }
}

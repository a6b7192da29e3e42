package dev.autoparallel.core;

import dev.autoparallel.layout.Cluster;
import dev.autoparallel.model.ModelSpec;
import java.util.List;

/**
 * The fitting layouts of a request, best first.
 *
 * @param served       the model as the engine loads it (online quantization, language model only)
 * @param towerLeftOut the checkpoint's encoder tower is not loaded (language model only)
 */
public record LayoutPlan(ModelSpec served, Cluster cluster, boolean towerLeftOut, List<RankedLayout> layouts) {
    public LayoutPlan {
        layouts = List.copyOf(layouts);
    }
}

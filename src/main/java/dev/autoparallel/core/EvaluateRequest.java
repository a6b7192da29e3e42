package dev.autoparallel.core;

import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import java.util.Objects;

/**
 * One layout to evaluate: the checkpoint on {@code gpusPerNode}-GPU nodes of {@code gpu}, under
 * {@code settings}, optionally with a workload for speed, priced from {@code prices}.
 *
 * @param gpuMemoryBytes the memory the runtime reports (the GPU's own, or a smaller MIG slice or a user's figure)
 * @param workload null: memory only
 */
public record EvaluateRequest(ModelSpec checkpoint, Gpu gpu, long gpuMemoryBytes, int gpusPerNode, Layout layout, EngineSettings settings,
                              ServingEngine engine, Workload workload, PriceTable prices) {
    public EvaluateRequest {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(prices, "prices");
        if (gpuMemoryBytes < 1 || gpusPerNode < 1) {
            throw new IllegalArgumentException("gpu memory " + gpuMemoryBytes + ", GPUs per node " + gpusPerNode);
        }
    }
}

package dev.autoparallel.core;

import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;

/**
 * One given layout, evaluated: the engine's memory view in bytes, and when a workload was given
 * and the layout fits, its speed and what a generated token costs.
 *
 * @param settings        the settings as applied (max_model_len set from the workload when not given)
 * @param speed           null without a workload or when the layout does not fit
 * @param usdPerMillionTokens null without speed or price
 * @param sglang          SGLang's own memory figures, when that engine was asked for; likewise {@code trtllm}
 * @param speedSource     where the speed's step times come from (null without speed)
 */
public record Evaluation(ModelSpec served, boolean towerLeftOut, Layout layout, long gpuMemoryBytes, EngineSettings settings,
                         MemoryEstimate memory, ServingEngine engine, Workload workload, PerfEstimate speed,
                         Double usdPerMillionTokens, EngineViews.Sglang sglang, EngineViews.Trtllm trtllm,
                         StepSource speedSource) {
}

package dev.autoparallel.core;

import dev.autoparallel.cost.Rental;
import dev.autoparallel.deploy.Deployment;
import dev.autoparallel.layout.Candidate;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.Workload;

/**
 * One layout of a ranking, in base units: the candidate (engine view in bytes, the workload's KV,
 * the speed of the planning workload), what its GPUs cost, and the command of each engine.
 *
 * @param workload             the planning workload the speed figures are for (see {@link Workload#forSequence})
 * @param speedSource          where the speed's step times come from
 */
public record RankedLayout(int rank, Candidate candidate, Workload workload, Rental rental,
                           Deployment vllm, Deployment sglang, Deployment trtllm, StepSource speedSource) {

    /**
     * USD per million generated tokens at the rental's price: the figure the layout was ranked by
     * (the same price table), null without a price or speed.
     */
    public Double usdPerMillionTokens() {
        return candidate.costPerMillionTokensUsd();
    }
}

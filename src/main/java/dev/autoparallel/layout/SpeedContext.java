package dev.autoparallel.layout;

import dev.autoparallel.cost.TokenCost;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import java.util.OptionalDouble;
import java.util.function.IntFunction;

/**
 * What speed and cost need beyond memory: the workload in tokens, the serving engine, the
 * weight precision, and the hourly price of a number of GPUs (empty when no price is known).
 */
public record SpeedContext(PerfModel perf, Workload workload, ServingEngine engine,
                           IntFunction<OptionalDouble> usdPerHour) {

    /** Speed of a fitting candidate, and its cost per million generated tokens where a price is known. */
    public Candidate withSpeed(Candidate c, Cluster cluster) {
        if (!c.fits() || c.perf() != null) {
            return c;
        }
        PerfEstimate p = perf.estimate(c.layout(), cluster.gpusPerNode(), c.engine(), workload, engine);
        OptionalDouble hourly = usdPerHour.apply(c.layout().totalGpus());
        Double cost = hourly.isPresent() ? TokenCost.usdPerMillion(hourly.getAsDouble(), p.tokensPerSecond()) : null;
        return new Candidate(c.layout(), c.engine(), c.sequenceLength(), c.replicaSequences(), c.workloadKvBytes(),
                c.rejection(), p, cost);
    }
}

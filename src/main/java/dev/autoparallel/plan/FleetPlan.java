package dev.autoparallel.plan;

import dev.autoparallel.memory.Layout;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.ServingEngine;
import java.io.Serializable;
import java.util.List;

/**
 * A fleet: replicas of one layout on one hardware option, with its latencies at the target
 * percentile and its cost. Base units and raw values; rounding is the caller's.
 *
 * @param simulated                  whether {@code ttftMs} / {@code tpotMs} come from the scheduler simulation (else the analytic model)
 * @param requestsPerSecondPerReplica the load each replica serves
 * @param costPerMillionTokensUsd    the monthly bill over the output tokens the traffic asks for in a month
 * @param ownedMonthlyUsd            owning the nodes instead: purchase written off per month plus power; null when no server price is known
 * @param ownedUpfrontUsd            the purchase of those nodes
 * @param speedSource                where the step times behind the latencies come from: measured kernels of this GPU
 *                                   and engine, or the roofline
 */
public record FleetPlan(String hardware, String gpu, int gpusPerNode, Layout layout, int replicas, int totalGpus, int nodes,
                        ServingEngine engine, int maxNumSeqs, int maxModelLen, int percentile, double ttftMs, double tpotMs,
                        boolean simulated, boolean meetsSlo, double requestsPerSecondPerReplica, Double monthlyCostUsd,
                        Double costPerMillionTokensUsd, String priceSource, Double ownedMonthlyUsd, Double ownedUpfrontUsd,
                        String ownedSource, String deploymentCommand, List<String> notes, StepSource speedSource)
        implements Serializable {
}

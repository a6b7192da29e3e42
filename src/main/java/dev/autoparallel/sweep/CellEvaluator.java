package dev.autoparallel.sweep;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.cost.CostQuote;
import dev.autoparallel.plan.FleetPlan;
import dev.autoparallel.plan.HardwareOption;
import dev.autoparallel.plan.OptionPlan;
import dev.autoparallel.plan.PlanFailure;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.report.FailureReason;
import dev.autoparallel.report.ResultRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Applies the core to one cell. Pure and total: a cell that fails yields a failure row, never an exception. */
public final class CellEvaluator {
    private CellEvaluator() {
    }

    public static List<ResultRow> evaluate(SweepPlan plan, long cellId) {
        SweepPlan.Cell cell = plan.cell(cellId);
        if (cell.model().spec() == null) {
            return List.of(failure(cell, cell.model().failureReason(), cell.model().failureDetail()));
        }
        if (cell.demand() != null) {
            return traffic(plan, cell, false);
        }
        List<Configuration> configs;
        try {
            configs = AutoParallel.analyze(cell.model().spec(), cell.cluster().cluster(), cell.sequenceLength(),
                    cell.batchSize(), plan.maxConfigs(), cell.objective(), plan.settings(), cell.cluster().prices());
        } catch (InsufficientMemoryException e) {
            return List.of(failure(cell, FailureReason.DOES_NOT_FIT, e.getMessage()));
        } catch (InvalidConfigurationException e) {
            return List.of(failure(cell, FailureReason.INVALID_INPUT, e.getMessage()));
        } catch (RuntimeException e) {
            return List.of(failure(cell, FailureReason.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        List<ResultRow> rows = new ArrayList<>(configs.size());
        int rank = 1;
        for (Configuration c : configs) {
            Price p = price(plan, cell, c.totalGpus());
            var b = c.memoryBreakdown();
            rows.add(base(cell).status("ok", rank++)
                    .layout(c.tensorParallel(), c.pipelineParallel(), c.dataParallel(), c.expertParallel(), c.totalGpus())
                    .memory(c.memoryPerGpuGb(), c.memoryUtilization(), b.weights(), b.activations(), b.kvCache(), b.frameworkOverhead())
                    .kv(c.engineView().kvCacheTokens(), c.engineView().clusterMaxConcurrency())
                    .speed(c.ttftMs(), c.tpotMs(), c.tokensPerSecond())
                    .price(p.usdPerGpuHour(), p.monthlyUsd(), costPerMillion(p, c, plan), p.source())
                    .command(c.deploymentCommand()).build());
        }
        return rows;
    }

    /** The planning request of a traffic cell: its model, its hardware option alone, its traffic and targets. */
    static PlanRequest request(SweepPlan plan, SweepPlan.Cell cell, boolean simulate) {
        SweepSpec.ClusterShape shape = cell.cluster().shape();
        HardwareOption option = new HardwareOption(shape.name(), cell.cluster().cluster().gpu(), shape.gpusPerNode(),
                shape.nodesGiven() ? shape.nodes() : null, shape.priceUsdPerGpuHour());
        return new PlanRequest(cell.model().spec(), List.of(option), cell.demand().traffic(), cell.demand().slo(), plan.engine(),
                plan.settings(), cell.cluster().prices(), plan.hoursPerMonth(), plan.headroom(), plan.owned(), simulate);
    }

    /** A traffic cell: the cheapest fleet of the cell's hardware that meets the targets (rank 1) and alternatives. */
    static List<ResultRow> traffic(SweepPlan plan, SweepPlan.Cell cell, boolean simulate) {
        OptionPlan o;
        try {
            o = AutoParallel.planFleet(request(plan, cell, simulate)).options().get(0);
        } catch (InvalidConfigurationException e) {
            return List.of(failure(cell, FailureReason.INVALID_INPUT, e.getMessage()));
        } catch (RuntimeException e) {
            return List.of(failure(cell, FailureReason.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        if (o.best() == null) {
            FailureReason reason = o.miss() != null && o.miss().reason() == PlanFailure.DOES_NOT_FIT
                    ? FailureReason.DOES_NOT_FIT : FailureReason.SLO_NOT_MET;
            return List.of(failure(cell, reason, o.miss() == null ? "no plan" : o.miss().detail()));
        }
        List<ResultRow> rows = new ArrayList<>();
        rows.add(fleetRow(plan, cell, o.best(), 1));
        for (FleetPlan a : o.alternatives()) {
            if (rows.size() >= plan.maxConfigs()) {
                break;
            }
            rows.add(fleetRow(plan, cell, a, rows.size() + 1));
        }
        return rows;
    }

    static ResultRow fleetRow(SweepPlan plan, SweepPlan.Cell cell, FleetPlan p, int rank) {
        return base(cell).status("ok", rank)
                .layout(p.layout().tp(), p.layout().pp(), p.replicas(), p.layout().expertParallelSize(), p.totalGpus())
                .speed(p.ttftMs(), p.tpotMs(), cell.demand().traffic().requestsPerSecond() * cell.demand().traffic().output().mean())
                .price(p.monthlyCostUsd() == null ? null : round3(p.monthlyCostUsd() / p.totalGpus() / plan.hoursPerMonth()),
                        p.monthlyCostUsd() == null ? null : round2(p.monthlyCostUsd()),
                        p.costPerMillionTokensUsd() == null ? null : round3(p.costPerMillionTokensUsd()), p.priceSource())
                .fleet(p.replicas(), p.meetsSlo(), p.simulated(), p.ownedMonthlyUsd() == null ? null : round2(p.ownedMonthlyUsd()))
                .command(p.deploymentCommand()).build();
    }

    /** The row's cell coordinates (and the traffic's rate and targets in a traffic sweep). */
    private static ResultRow.Builder base(SweepPlan.Cell cell) {
        ResultRow.Builder b = ResultRow.builder().cell(cell.id(), cell.model().id(), cell.cluster().shape().name(),
                cell.cluster().cluster().gpu().name(), cell.cluster().cluster().gpusPerNode(), cell.cluster().cluster().numNodes());
        if (cell.demand() != null) {
            var t = cell.demand().traffic();
            var slo = cell.demand().slo();
            return b.workload(t.maxModelLen(), 0, "meet_slo_at_lowest_cost")
                    .traffic(t.requestsPerSecond(), slo.ttftMs(), slo.tpotMs(), slo.percentile());
        }
        return b.workload(cell.sequenceLength(), cell.batchSize(), cell.objective().key());
    }

    /** USD per million generated tokens at this row's price and the throughput model's tokens per second. */
    static Double costPerMillion(Price p, Configuration c, SweepPlan plan) {
        if (p.monthlyUsd() == null || c.tokensPerSecond() == null || c.tokensPerSecond() <= 0) {
            return null;
        }
        double hourly = p.monthlyUsd() / plan.hoursPerMonth();
        return Math.round(hourly / (c.tokensPerSecond() * 3600) * 1e6 * 1000) / 1000.0;
    }

    /** What a layout's GPUs cost: the cluster's own price if the spec gives one, else the cheapest offer. */
    record Price(Double usdPerGpuHour, Double monthlyUsd, String source) {
    }

    static Price price(SweepPlan plan, SweepPlan.Cell cell, int gpus) {
        Double own = cell.cluster().shape().priceUsdPerGpuHour();
        if (own != null) {
            return new Price(own, round2(own * gpus * plan.hoursPerMonth()), "sweep spec (" + cell.cluster().shape().name() + ")");
        }
        Optional<CostQuote> q = plan.prices().cheapest(cell.cluster().cluster().gpu().name(), gpus, plan.hoursPerMonth());
        return q.map(quote -> new Price(Math.round(quote.usdPerNeededGpuHour() * 1000) / 1000.0, round2(quote.monthlyUsd()),
                        quote.offer().provider() + " " + quote.offer().instance() + " x" + quote.instances()
                                + (quote.offer().wholeInstance() ? " (whole instances)" : "") + ", prices of " + quote.offer().asOf()))
                .orElse(new Price(null, null, "no price known for " + cell.cluster().cluster().gpu().name()));
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static ResultRow failure(SweepPlan.Cell cell, FailureReason reason, String detail) {
        return base(cell).status("failed", 0).failure(reason.key(), detail).build();
    }
}

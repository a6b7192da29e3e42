package dev.autoparallel.sweep;

import dev.autoparallel.core.LayoutPlan;
import dev.autoparallel.core.LayoutRequest;
import dev.autoparallel.core.Planner;
import dev.autoparallel.core.RankedLayout;
import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.cost.Rental;
import dev.autoparallel.layout.Candidate;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.plan.DisaggregatedPlan;
import dev.autoparallel.plan.FleetPlan;
import dev.autoparallel.plan.HardwareOption;
import dev.autoparallel.plan.OptionPlan;
import dev.autoparallel.plan.PlanFailure;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.report.FailureReason;
import dev.autoparallel.report.ResultRow;
import java.util.ArrayList;
import java.util.List;

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
        LayoutPlan ranked;
        try {
            ranked = Planner.shared().rank(new LayoutRequest(cell.model().spec(), cell.cluster().cluster(),
                    cell.sequenceLength(), cell.batchSize(), plan.maxConfigs(), cell.objective(), plan.settings(),
                    cell.cluster().prices(), plan.hoursPerMonth()));
        } catch (InsufficientMemoryException e) {
            return List.of(failure(cell, FailureReason.DOES_NOT_FIT, e.getMessage()));
        } catch (InvalidConfigurationException e) {
            return List.of(failure(cell, FailureReason.INVALID_INPUT, e.getMessage()));
        } catch (RuntimeException e) {
            return List.of(failure(cell, FailureReason.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        List<ResultRow> rows = new ArrayList<>(ranked.layouts().size());
        long gpuMemory = cell.cluster().cluster().gpuMemoryBytes();
        for (RankedLayout r : ranked.layouts()) {
            Candidate c = r.candidate();
            Layout l = c.layout();
            MemoryEstimate e = c.engine();
            Rental rent = r.rental();
            rows.add(base(cell).ok(r.rank())
                    .layout(l.tp(), l.pp(), l.dp(), l.expertParallelSize(), l.totalGpus())
                    .memory(gib(c.totalBytes()), round3(c.totalBytes() / (double) gpuMemory), gib(e.weightsBytes()),
                            gib(e.activationBytes()), gib(c.workloadKvBytes()), gib(e.overheadBytes()))
                    .kv(e.kvCacheTokens(), round3(c.clusterConcurrency()))
                    .speed(c.perf() == null ? null : round3(c.perf().ttftMs()), c.perf() == null ? null : round3(c.perf().tpotMs()),
                            c.perf() == null ? null : round3(c.perf().tokensPerSecond()))
                    .price(rent.usdPerGpuHour() == null ? null : round3(rent.usdPerGpuHour()),
                            rent.monthlyUsd() == null ? null : round2(rent.monthlyUsd()),
                            r.usdPerMillionTokens() == null ? null : round3(r.usdPerMillionTokens()), rent.source())
                    .command(r.vllm().command()).speedSource(r.speedSource().key()).build());
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
            o = Planner.shared().plan(request(plan, cell, simulate)).options().get(0);
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
        // The disaggregated fleet follows the aggregated ones where it beats the cheapest of them (as plan recommends it).
        DisaggregatedPlan d = o.disaggregated();
        if (d != null && d.beats(o.best())) {
            rows.add(disaggregatedRow(plan, cell, d, rows.size() + 1));
        }
        return rows;
    }

    /**
     * The pools' commands in one cell: each worker's (node 0's where a worker spans nodes), labelled; the router lists
     * every worker, so a sweep cell names it and leaves the list to {@code plan} (a fleet of a hundred prefill workers
     * would put a hundred URLs in every such cell).
     */
    static String disaggregatedCommand(DisaggregatedPlan d) {
        int flags = d.routerCommand().indexOf(" --");
        String router = flags < 0 ? d.routerCommand() : d.routerCommand().substring(0, flags);
        return "prefill (" + d.prefillWorkers() + " workers): " + d.prefillCommands().get(0) + " ; decode (" + d.decodeWorkers()
                + " workers): " + d.decodeCommands().get(0) + " ; router: " + router + (flags < 0 ? " (plan prints its file)"
                : " in PD mode over all workers (plan prints it)");
    }

    static ResultRow disaggregatedRow(SweepPlan plan, SweepPlan.Cell cell, DisaggregatedPlan d, int rank) {
        return base(cell).ok(rank)
                .layout(d.decodeLayout().tp(), d.decodeLayout().pp(), d.decodeWorkers(), d.decodeLayout().expertParallelSize(),
                        d.totalGpus())
                .speed(d.ttftMs(), d.tpotMs(), cell.demand().traffic().requestsPerSecond() * cell.demand().traffic().output().mean())
                .price(d.monthlyCostUsd() == null ? null : round3(d.monthlyCostUsd() / d.totalGpus() / plan.hoursPerMonth()),
                        d.monthlyCostUsd() == null ? null : round2(d.monthlyCostUsd()),
                        d.costPerMillionTokensUsd() == null ? null : round3(d.costPerMillionTokensUsd()), d.priceSource())
                .fleet(d.decodeWorkers(), d.meetsSlo(), false, null)
                .command(disaggregatedCommand(d)).speedSource(d.decodeSource().key())
                .disaggregated(d.prefillWorkers(), d.prefillLayout().tp(), d.prefillLayout().pp()).build();
    }

    static ResultRow fleetRow(SweepPlan plan, SweepPlan.Cell cell, FleetPlan p, int rank) {
        return base(cell).ok(rank)
                .layout(p.layout().tp(), p.layout().pp(), p.replicas(), p.layout().expertParallelSize(), p.totalGpus())
                .speed(p.ttftMs(), p.tpotMs(), cell.demand().traffic().requestsPerSecond() * cell.demand().traffic().output().mean())
                .price(p.monthlyCostUsd() == null ? null : round3(p.monthlyCostUsd() / p.totalGpus() / plan.hoursPerMonth()),
                        p.monthlyCostUsd() == null ? null : round2(p.monthlyCostUsd()),
                        p.costPerMillionTokensUsd() == null ? null : round3(p.costPerMillionTokensUsd()), p.priceSource())
                .fleet(p.replicas(), p.meetsSlo(), p.simulated(), p.ownedMonthlyUsd() == null ? null : round2(p.ownedMonthlyUsd()))
                .command(p.deploymentCommand()).speedSource(p.speedSource().key()).aggregated().build();
    }

    /** The row's cell coordinates (and the traffic's rate and targets in a traffic sweep). */
    private static ResultRow.Builder base(SweepPlan.Cell cell) {
        ResultRow.Builder b = ResultRow.builder().cell(cell.id(), cell.model().id(), cell.cluster().shape().name(),
                cell.cluster().cluster().gpu().name(), cell.cluster().cluster().gpusPerNode(), cell.cluster().cluster().numNodes());
        if (cell.demand() != null) {
            var t = cell.demand().traffic();
            var slo = cell.demand().slo();
            return b.workload(t.maxModelLen(), 0, "meet_slo_at_lowest_cost")
                    .traffic(t.requestsPerSecond(), slo.ttftMs(), slo.effectiveTpotMs(), slo.percentile());
        }
        return b.workload(cell.sequenceLength(), cell.batchSize(), cell.objective().key());
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** GiB to three decimals: the reports' unit. */
    private static double gib(long bytes) {
        return round3(bytes / (double) (1L << 30));
    }

    static ResultRow failure(SweepPlan.Cell cell, FailureReason reason, String detail) {
        return base(cell).failed(reason, detail).build();
    }
}

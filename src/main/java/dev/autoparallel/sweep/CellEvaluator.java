package dev.autoparallel.sweep;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.InsufficientMemoryException;
import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.cost.CostQuote;
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
        List<Configuration> configs;
        try {
            configs = AutoParallel.analyze(cell.model().spec(), cell.cluster().cluster(), cell.sequenceLength(),
                    cell.batchSize(), plan.maxConfigs(), cell.objective(), plan.settings());
        } catch (InsufficientMemoryException e) {
            return List.of(failure(cell, "does_not_fit", e.getMessage()));
        } catch (InvalidConfigurationException e) {
            return List.of(failure(cell, "invalid_input", e.getMessage()));
        } catch (RuntimeException e) {
            return List.of(failure(cell, "error", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        List<ResultRow> rows = new ArrayList<>(configs.size());
        int rank = 1;
        for (Configuration c : configs) {
            Price p = price(plan, cell, c.totalGpus());
            var b = c.memoryBreakdown();
            rows.add(new ResultRow(cell.id(), cell.model().id(), cell.cluster().shape().name(), c.gpu(),
                    cell.cluster().cluster().gpusPerNode(), cell.cluster().cluster().numNodes(), cell.sequenceLength(),
                    cell.batchSize(), cell.objective().key(), "ok", rank++, c.tensorParallel(), c.pipelineParallel(),
                    c.dataParallel(), c.expertParallel(), c.totalGpus(), c.memoryPerGpuGb(), c.memoryUtilization(),
                    b.weights(), b.activations(), b.kvCache(), b.frameworkOverhead(), c.engineView().kvCacheTokens(),
                    c.engineView().clusterMaxConcurrency(), c.ttftMs(), c.tpotMs(), c.tokensPerSecond(), p.usdPerGpuHour(),
                    p.monthlyUsd(), costPerMillion(p, c, plan), p.source(), c.deploymentCommand(), null, null));
        }
        return rows;
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

    static ResultRow failure(SweepPlan.Cell cell, String reason, String detail) {
        return new ResultRow(cell.id(), cell.model().id(), cell.cluster().shape().name(), cell.cluster().cluster().gpu().name(),
                cell.cluster().cluster().gpusPerNode(), cell.cluster().cluster().numNodes(), cell.sequenceLength(),
                cell.batchSize(), cell.objective().key(), "failed", 0, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, reason, detail);
    }
}

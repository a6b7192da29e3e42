package dev.autoparallel.sweep;

import dev.autoparallel.core.Planner;
import dev.autoparallel.plan.DisaggregatedPlan;
import dev.autoparallel.plan.FleetPlan;
import dev.autoparallel.plan.OptionPlan;
import dev.autoparallel.plan.ParetoPoint;
import dev.autoparallel.report.ReportBuilder;
import dev.autoparallel.report.ReportModel;
import dev.autoparallel.report.ResultRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The driver's part of a traffic sweep's report. The cells were ranked with the analytic model;
 * here each model's headline demand (its highest request rate) is read back, and the cheapest
 * fleets that meet the targets (on up to three hardware options) are planned again with the
 * scheduler simulation; the cheapest simulated fleet is recommended. The report says which figures
 * are simulated.
 */
final class TrafficReport {
    /** Hardware options tried per model when the cheapest one's simulation misses the targets. */
    static final int SIMULATED_OPTIONS = 3;

    private TrafficReport() {
    }

    /** An analytic row whose simulation missed the targets, marked as such. */
    private static ResultRow missed(ResultRow r) {
        Object[] v = r.values();
        v[Arrays.asList(ResultRow.COLUMNS).indexOf("meets_slo")] = false;
        v[Arrays.asList(ResultRow.COLUMNS).indexOf("simulated")] = true;
        return ResultRow.fromValues(v);
    }

    private static double cost(ResultRow r) {
        return r.monthlyCostUsd() == null ? Double.MAX_VALUE : r.monthlyCostUsd();
    }

    static ReportModel build(SweepPlan plan, Dataset<Row> results, List<ResultRow> failures, ReportBuilder.Facts facts) {
        Map<Integer, SweepSpec.Demand> headline = new LinkedHashMap<>();
        Map<Integer, Integer> headlineIndex = new HashMap<>();
        for (int i = 0; i < plan.demands().size(); i++) {
            SweepSpec.Demand d = plan.demands().get(i);
            SweepSpec.Demand h = headline.get(d.model());
            if (h == null || d.traffic().requestsPerSecond() > h.traffic().requestsPerSecond()) {
                headline.put(d.model(), d);
                headlineIndex.put(d.model(), i);
            }
        }
        Column filter = functions.lit(false);
        for (int demand : headlineIndex.values()) {
            long first = (long) demand * plan.clusters().size();
            filter = filter.or(functions.col("cell_id").between(first, first + plan.clusters().size() - 1));
        }
        List<ResultRow> rows = new ArrayList<>();
        for (Row r : results.filter(functions.col("rank").equalTo(1).and(filter)).orderBy("cell_id").collectAsList()) {
            rows.add(SweepSchema.fromRow(r));
        }
        Map<String, ReportBuilder.Recommended> recommended = new HashMap<>();
        Map<Long, ResultRow> simulated = new HashMap<>();
        for (Map.Entry<Integer, Integer> e : headlineIndex.entrySet()) {
            String model = plan.models().get(e.getKey()).id();
            List<ResultRow> candidates = rows.stream().filter(r -> r.model().equals(model) && Boolean.TRUE.equals(r.meetsSlo()))
                    .sorted(Comparator.comparing((ResultRow r) -> r.monthlyCostUsd() == null ? Double.MAX_VALUE : r.monthlyCostUsd())
                            .thenComparingInt(ResultRow::totalGpus))
                    .limit(SIMULATED_OPTIONS).toList();
            ReportBuilder.Recommended best = null;
            for (ResultRow c : candidates) {
                SweepPlan.Cell cell = plan.cell(c.cellId());
                OptionPlan o = Planner.shared().plan(CellEvaluator.request(plan, cell, true)).options().get(0);
                if (o.best() == null || !o.best().meetsSlo()) {
                    // The analytic plan's simulation missed the targets: the table shows that, not the analytic "yes".
                    simulated.put(c.cellId(), missed(c));
                    continue;
                }
                FleetPlan b = o.best();
                ResultRow row = CellEvaluator.fleetRow(plan, cell, b, 1);
                simulated.put(c.cellId(), row);
                if (best != null && cost(best.row()) <= cost(row)) {
                    continue;
                }
                List<ReportBuilder.ParetoPoint> points = new ArrayList<>();
                for (ParetoPoint p : o.pareto()) {
                    points.add(new ReportBuilder.ParetoPoint(p.tokensPerSecondPerUser(), p.tokensPerSecondPerGpu(), p.meetsTpot(),
                            "TP " + p.tp() + " PP " + p.pp() + (p.expertParallel() ? " EP" : "") + " at " + p.concurrency() + " in flight"));
                }
                List<String> notes = new ArrayList<>(b.notes());
                DisaggregatedPlan d = o.disaggregated();
                if (d != null && d.beats(b)) {
                    notes.add(String.format(Locale.ROOT, "Disaggregated serving beats this fleet: %d prefill worker(s) at TP %d and %d decode"
                                    + " worker(s) at TP %d, %d GPUs%s; analytic p%d TTFT %.0f ms, TPOT %.1f ms (plan prints both pools'"
                                    + " commands)", d.prefillWorkers(), d.prefillLayout().tp(), d.decodeWorkers(), d.decodeLayout().tp(),
                            d.totalGpus(), d.monthlyCostUsd() == null ? "" : String.format(Locale.ROOT, ", $%,.0f per month",
                                    d.monthlyCostUsd()), d.percentile(), d.ttftMs(), d.tpotMs()));
                }
                best = new ReportBuilder.Recommended(row, notes, points);
            }
            if (best != null) {
                recommended.put(model, best);
            }
        }
        List<ResultRow> shown = rows.stream().map(r -> simulated.getOrDefault(r.cellId(), r)).toList();
        return ReportBuilder.traffic(facts, shown, recommended, failures);
    }
}

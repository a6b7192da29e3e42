package dev.autoparallel.report;

import dev.autoparallel.sweep.ResultRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the report's view model from the few rows the report needs (the best layout of each
 * model x hardware option at the sweep's most demanding workload, a sample of failures) and
 * the counts. Pure; all formatting is here, with Locale.ROOT.
 */
public final class ReportBuilder {
    static final int CHART_WIDTH = 760;
    static final int LABEL_WIDTH = 180;
    static final int BAR_HEIGHT = 18;
    static final int BAR_GAP = 10;

    /** The sweep's counts and context. */
    public record Facts(String title, String generatedAt, String workload, List<String> models, List<String> clusters,
                        long cells, long resultCells, long failedCells, long rows, Duration duration) {
    }

    private ReportBuilder() {
    }

    /**
     * @param best     rank-1 rows at the most demanding workload, at most one per model x hardware option
     * @param failures a sample of failure rows
     */
    public static ReportModel build(Facts f, List<ResultRow> best, List<ResultRow> failures) {
        Map<String, Map<String, ResultRow>> byModel = new LinkedHashMap<>();
        for (String m : f.models()) {
            byModel.put(m, new LinkedHashMap<>());
        }
        for (ResultRow r : best) {
            byModel.computeIfAbsent(r.model(), k -> new LinkedHashMap<>()).put(r.cluster(), r);
        }
        boolean complete = f.resultCells() + f.failedCells() == f.cells();
        ReportModel.Summary summary = new ReportModel.Summary(count(f.cells()), count(f.resultCells()), count(f.failedCells()),
                count(f.rows()), count(f.models().size()), count(f.clusters().size()), duration(f.duration()),
                String.format(Locale.ROOT, "%s cells = %s with results + %s failed%s", count(f.cells()), count(f.resultCells()),
                        count(f.failedCells()), complete ? "" : " (MISMATCH: some cells are missing)"), complete);
        List<ReportModel.BestRow> rows = new ArrayList<>();
        List<ReportModel.MatrixRow> matrix = new ArrayList<>();
        List<ReportModel.Chart> charts = new ArrayList<>();
        for (Map.Entry<String, Map<String, ResultRow>> e : byModel.entrySet()) {
            Double cheapest = e.getValue().values().stream().map(ResultRow::monthlyCostUsd).filter(c -> c != null)
                    .min(Double::compare).orElse(null);
            List<ReportModel.MatrixCell> cells = new ArrayList<>();
            for (String cluster : f.clusters()) {
                ResultRow r = e.getValue().get(cluster);
                if (r == null) {
                    cells.add(new ReportModel.MatrixCell("does not fit", "", "", false, false));
                    continue;
                }
                rows.add(new ReportModel.BestRow(r.model(), r.cluster(), layout(r), Integer.toString(r.totalGpus()),
                        gib(r.memoryPerGpuGb()), percent(r.memoryUtilization()), number(r.maxConcurrency()),
                        millis(r.ttftMs()), millis(r.tpotMs()), number(r.tokensPerSecond()), money(r.monthlyCostUsd()),
                        perMillion(r.costPerMillionTokensUsd()), r.deploymentCommand()));
                cells.add(new ReportModel.MatrixCell(r.totalGpus() + (r.totalGpus() == 1 ? " GPU" : " GPUs"),
                        money(r.monthlyCostUsd()), perMillion(r.costPerMillionTokensUsd()), true,
                        cheapest != null && cheapest.equals(r.monthlyCostUsd())));
            }
            matrix.add(new ReportModel.MatrixRow(e.getKey(), cells));
            charts.add(chart(e.getKey(), f.clusters(), e.getValue()));
        }
        return new ReportModel(f.title(), f.generatedAt(), f.workload(), summary, rows,
                new ReportModel.Matrix(f.clusters(), matrix), charts, scatter(f.clusters(), best), purchase(f, byModel),
                failures(f, failures));
    }

    private static ReportModel.Chart chart(String model, List<String> clusters, Map<String, ResultRow> rows) {
        double maxMemory = 1;
        for (ResultRow r : rows.values()) {
            maxMemory = Math.max(maxMemory, gpuMemory(r));
        }
        double scale = (CHART_WIDTH - LABEL_WIDTH - 20) / maxMemory;
        List<ReportModel.Bar> bars = new ArrayList<>();
        int y = 10;
        for (String cluster : clusters) {
            ResultRow r = rows.get(cluster);
            List<ReportModel.Segment> segments = new ArrayList<>();
            int capacity = LABEL_WIDTH;
            String capacityLabel = "does not fit";
            if (r != null) {
                double x = LABEL_WIDTH;
                String[] kinds = {"weights", "activations", "kv", "overhead"};
                double[] values = {r.weightsGb(), r.activationsGb(), r.kvCacheGb(), r.frameworkOverheadGb()};
                for (int i = 0; i < kinds.length; i++) {
                    int w = (int) Math.round(values[i] * scale);
                    segments.add(new ReportModel.Segment((int) Math.round(x), Math.max(w, 0), kinds[i],
                            String.format(Locale.ROOT, "%s: %.2f GiB", kinds[i], values[i])));
                    x += values[i] * scale;
                }
                capacity = (int) Math.round(LABEL_WIDTH + gpuMemory(r) * scale);
                capacityLabel = String.format(Locale.ROOT, "%.1f GiB per GPU, %s", gpuMemory(r), layout(r));
            }
            bars.add(new ReportModel.Bar(cluster, y, segments, capacity, capacityLabel));
            y += BAR_HEIGHT + BAR_GAP;
        }
        List<ReportModel.Legend> legend = List.of(new ReportModel.Legend("weights", "weights"),
                new ReportModel.Legend("activations", "activations"), new ReportModel.Legend("kv", "KV cache"),
                new ReportModel.Legend("overhead", "framework overhead"));
        return new ReportModel.Chart(model, CHART_WIDTH, y + 10, bars, legend);
    }

    static final int SCATTER_WIDTH = 760;
    static final int SCATTER_HEIGHT = 340;
    static final int SCATTER_LEFT = 70;
    static final int SCATTER_BOTTOM = 40;

    /** Generated tokens per second against monthly cost for every priced best layout. */
    private static ReportModel.Scatter scatter(List<String> clusters, List<ResultRow> best) {
        List<ResultRow> priced = best.stream().filter(r -> r.monthlyCostUsd() != null && r.tokensPerSecond() != null).toList();
        double maxCost = priced.stream().mapToDouble(ResultRow::monthlyCostUsd).max().orElse(1);
        double maxTps = priced.stream().mapToDouble(ResultRow::tokensPerSecond).max().orElse(1);
        double xSpan = niceCeiling(maxCost);
        double ySpan = niceCeiling(maxTps);
        int plotW = SCATTER_WIDTH - SCATTER_LEFT - 20;
        int plotH = SCATTER_HEIGHT - SCATTER_BOTTOM - 20;
        List<ReportModel.Point> points = new ArrayList<>();
        for (ResultRow r : priced) {
            int x = SCATTER_LEFT + (int) Math.round(r.monthlyCostUsd() / xSpan * plotW);
            int y = SCATTER_HEIGHT - SCATTER_BOTTOM - (int) Math.round(r.tokensPerSecond() / ySpan * plotH);
            points.add(new ReportModel.Point(x, y, Math.max(0, clusters.indexOf(r.cluster())) % 10, String.format(Locale.ROOT,
                    "%s on %s: %,.0f tokens/s for %s per month (%s per million tokens)", r.model(), r.cluster(),
                    r.tokensPerSecond(), money(r.monthlyCostUsd()), perMillion(r.costPerMillionTokensUsd()))));
        }
        List<ReportModel.Tick> xTicks = new ArrayList<>();
        List<ReportModel.Tick> yTicks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            xTicks.add(new ReportModel.Tick(SCATTER_LEFT + plotW * i / 4, money(xSpan * i / 4)));
            yTicks.add(new ReportModel.Tick(SCATTER_HEIGHT - SCATTER_BOTTOM - plotH * i / 4, number(ySpan * i / 4)));
        }
        List<ReportModel.Legend> series = new ArrayList<>();
        for (int i = 0; i < clusters.size(); i++) {
            series.add(new ReportModel.Legend("c" + (i % 10), clusters.get(i)));
        }
        return new ReportModel.Scatter(SCATTER_WIDTH, SCATTER_HEIGHT, SCATTER_LEFT, SCATTER_HEIGHT - SCATTER_BOTTOM, points,
                xTicks, yTicks, series);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static ReportModel.Purchase purchase(Facts f, Map<String, Map<String, ResultRow>> byModel) {
        List<ReportModel.PurchaseRow> perModel = new ArrayList<>();
        double mixed = 0;
        int mixedGpus = 0;
        boolean mixedComplete = true;
        for (Map.Entry<String, Map<String, ResultRow>> e : byModel.entrySet()) {
            ResultRow cheapest = e.getValue().values().stream().filter(r -> r.monthlyCostUsd() != null)
                    .min(Comparator.comparingDouble(ResultRow::monthlyCostUsd).thenComparing(ResultRow::cluster)).orElse(null);
            if (cheapest == null) {
                perModel.add(new ReportModel.PurchaseRow(e.getKey(), "no priced option serves it", "", ""));
                mixedComplete = false;
                continue;
            }
            perModel.add(new ReportModel.PurchaseRow(e.getKey(), cheapest.cluster(), Integer.toString(cheapest.totalGpus()),
                    money(cheapest.monthlyCostUsd())));
            mixed += cheapest.monthlyCostUsd();
            mixedGpus += cheapest.totalGpus();
        }
        List<ReportModel.FleetOption> fleet = new ArrayList<>();
        String bestCluster = null;
        double bestCost = Double.MAX_VALUE;
        for (String cluster : f.clusters()) {
            int gpus = 0;
            double cost = 0;
            int served = 0;
            boolean priced = true;
            for (Map<String, ResultRow> rows : byModel.values()) {
                ResultRow r = rows.get(cluster);
                if (r != null) {
                    served++;
                    gpus += r.totalGpus();
                    if (r.monthlyCostUsd() == null) {
                        priced = false;
                    } else {
                        cost += r.monthlyCostUsd();
                    }
                }
            }
            boolean all = served == byModel.size() && priced;
            if (all && cost < bestCost) {
                bestCost = cost;
                bestCluster = cluster;
            }
            fleet.add(new ReportModel.FleetOption(cluster, Integer.toString(gpus), priced ? money(cost) : "unpriced",
                    served + " of " + byModel.size(), all, false));
        }
        List<ReportModel.FleetOption> marked = new ArrayList<>();
        for (ReportModel.FleetOption o : fleet) {
            marked.add(new ReportModel.FleetOption(o.cluster(), o.gpus(), o.monthlyCost(), o.servedModels(), o.servesAll(),
                    o.cluster().equals(bestCluster)));
        }
        String recommendation = bestCluster == null
                ? "No single hardware option serves every model at this workload; see the mixed fleet."
                : String.format(Locale.ROOT, "Standardise on %s: it serves all %d models at this workload for %s per month.",
                bestCluster, byModel.size(), money(bestCost));
        String mixedText = mixedComplete
                ? String.format(Locale.ROOT, "Mixed fleet (each model on its cheapest option): %d GPUs, %s per month.",
                mixedGpus, money(mixed))
                : "Some models have no priced hardware option that serves them; the mixed fleet is incomplete.";
        return new ReportModel.Purchase(perModel, marked, recommendation, mixedText);
    }

    private static ReportModel.Failures failures(Facts f, List<ResultRow> sample) {
        List<ReportModel.FailureRow> rows = new ArrayList<>();
        for (ResultRow r : sample) {
            rows.add(new ReportModel.FailureRow(r.model(), r.cluster(), String.format(Locale.ROOT, "%,d tokens x %,d",
                    r.sequenceLength(), r.batchSize()), r.objective(), r.failureReason(), r.failureDetail()));
        }
        return new ReportModel.Failures(count(f.failedCells()), count(rows.size()), rows);
    }

    static double gpuMemory(ResultRow r) {
        return r.memoryUtilization() == null || r.memoryUtilization() == 0 ? 0 : r.memoryPerGpuGb() / r.memoryUtilization();
    }

    static String layout(ResultRow r) {
        return "TP " + r.tensorParallel() + " PP " + r.pipelineParallel() + " DP " + r.dataParallel()
                + (r.expertParallel() != null && r.expertParallel() > 1 ? " EP " + r.expertParallel() : "");
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String gib(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.1f GiB", v);
    }

    static String percent(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    static String number(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String millis(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%,.0f ms", v);
    }

    static String perMillion(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "$%.3f", v);
    }

    static String money(Double v) {
        return v == null ? "unpriced" : String.format(Locale.ROOT, "$%,.0f", v);
    }

    static String duration(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}

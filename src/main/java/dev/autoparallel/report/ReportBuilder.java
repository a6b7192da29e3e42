package dev.autoparallel.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    private static ReportModel.Summary summary(Facts f) {
        boolean complete = f.resultCells() + f.failedCells() == f.cells();
        return new ReportModel.Summary(count(f.cells()), count(f.resultCells()), count(f.failedCells()),
                count(f.rows()), count(f.models().size()), count(f.clusters().size()), duration(f.duration()),
                String.format(Locale.ROOT, "%s cells = %s with results + %s failed%s", count(f.cells()), count(f.resultCells()),
                        count(f.failedCells()), complete ? "" : " (MISMATCH: some cells are missing)"), complete);
    }

    /** One model's recommended fleet, re-planned with the scheduler simulation, and its operating points. */
    public record Recommended(ResultRow row, List<String> notes, List<ParetoPoint> pareto) {
    }

    /** An operating point for the Pareto chart: tokens/s per user, tokens/s per GPU, whether it meets the TPOT target. */
    public record ParetoPoint(double perUser, double perGpu, boolean meetsTpot, String label) {
    }

    /**
     * The report of a traffic sweep: the fleet per model and hardware option at each model's
     * headline demand (its highest request rate), the recommendation per model (simulated), what
     * buying or renting each whole fleet costs, the Pareto charts, and the failures.
     *
     * @param rows        rank-1 rows at each model's headline demand (analytic), one per model x hardware option
     * @param recommended per model, its recommended fleet (simulated), or absent when none meets the targets
     */
    public static ReportModel traffic(Facts f, List<ResultRow> rows, Map<String, Recommended> recommended,
                                      List<ResultRow> failures) {
        List<ReportModel.FleetRow> table = new ArrayList<>();
        List<ReportModel.FleetRecommendation> recs = new ArrayList<>();
        List<ReportModel.ParetoChart> charts = new ArrayList<>();
        for (String model : f.models()) {
            Recommended rec = recommended.get(model);
            for (ResultRow r : rows) {
                if (!r.model().equals(model)) {
                    continue;
                }
                boolean isRec = rec != null && rec.row().cluster().equals(r.cluster());
                table.add(fleetRow(isRec ? rec.row() : r, isRec));
            }
            if (rec != null) {
                ResultRow r = rec.row();
                recs.add(new ReportModel.FleetRecommendation(model, String.format(Locale.ROOT,
                        "%s: %d x (TP %d, PP %d%s) on %s, %d GPU(s); %s p%d TTFT %s, TPOT %s at %s requests/s; %s per month rented%s",
                        model, r.replicas(), r.tensorParallel(), r.pipelineParallel(), r.expertParallel() > 1 ? ", EP " + r.expertParallel() : "",
                        r.cluster(), r.totalGpus(), Boolean.TRUE.equals(r.simulated()) ? "simulated" : "estimated", r.percentile(),
                        ms(r.ttftMs()), ms(r.tpotMs()), number(r.requestRate()), money(r.monthlyCostUsd()),
                        r.ownedMonthlyCostUsd() == null ? "" : ", " + money(r.ownedMonthlyCostUsd()) + " per month owned"),
                        r.deploymentCommand(), rec.notes()));
                charts.add(pareto(model, r, rec.pareto()));
            } else {
                recs.add(new ReportModel.FleetRecommendation(model, model + ": no hardware option meets its targets at its "
                        + "demand; see the failed cells below for by how much and what would", "", List.of()));
            }
        }
        List<ReportModel.FleetPurchase> purchase = new ArrayList<>();
        String advice = fleetPurchase(f, rows, purchase);
        ReportModel.Fleet fleet = new ReportModel.Fleet(table, recs, purchase, advice, charts);
        return new ReportModel(f.title(), f.generatedAt(), f.workload(), summary(f), List.of(),
                new ReportModel.Matrix(f.clusters(), List.of()), List.of(), null, null, failures(f, failures), fleet);
    }

    private static ReportModel.FleetRow fleetRow(ResultRow r, boolean recommended) {
        String fleet = r.replicas() + " x TP " + r.tensorParallel() + (r.pipelineParallel() > 1 ? " PP " + r.pipelineParallel() : "")
                + (r.expertParallel() != null && r.expertParallel() > 1 ? " EP " + r.expertParallel() : "");
        String targets = "p" + r.percentile() + (r.ttftSloMs() == null ? "" : " TTFT " + ms(r.ttftSloMs()))
                + (r.tpotSloMs() == null ? "" : " TPOT " + ms(r.tpotSloMs()));
        return new ReportModel.FleetRow(r.model(), number(r.requestRate()) + " req/s", targets, r.cluster(), fleet,
                Integer.toString(r.totalGpus()), ms(r.ttftMs()), ms(r.tpotMs()), Boolean.TRUE.equals(r.meetsSlo()),
                Boolean.TRUE.equals(r.simulated()) ? "simulated" : "analytic", money(r.monthlyCostUsd()),
                money(r.ownedMonthlyCostUsd()), perMillion(r.costPerMillionTokensUsd()), recommended);
    }

    /** Every model on one option: GPUs, servers, purchase and monthly costs; the cheapest option that serves all is advised. */
    private static String fleetPurchase(Facts f, List<ResultRow> rows, List<ReportModel.FleetPurchase> out) {
        String advice = "No single hardware option serves every model within its targets.";
        double bestMonthly = Double.MAX_VALUE;
        int bestIndex = -1;
        for (String cluster : f.clusters()) {
            int gpus = 0;
            double rent = 0;
            double own = 0;
            boolean rentKnown = true;
            boolean ownKnown = true;
            int served = 0;
            for (ResultRow r : rows) {
                if (!r.cluster().equals(cluster) || !Boolean.TRUE.equals(r.meetsSlo())) {
                    continue;
                }
                served++;
                gpus += r.totalGpus();
                rentKnown &= r.monthlyCostUsd() != null;
                ownKnown &= r.ownedMonthlyCostUsd() != null;
                rent += r.monthlyCostUsd() == null ? 0 : r.monthlyCostUsd();
                own += r.ownedMonthlyCostUsd() == null ? 0 : r.ownedMonthlyCostUsd();
            }
            boolean all = served == f.models().size();
            out.add(new ReportModel.FleetPurchase(cluster, count(gpus), "", "", ownKnown && served > 0 ? money(own) : "-",
                    rentKnown && served > 0 ? money(rent) : "-", all, false));
            double monthly = ownKnown ? own : rentKnown ? rent : Double.MAX_VALUE;
            if (all && monthly < bestMonthly) {
                bestMonthly = monthly;
                bestIndex = out.size() - 1;
                advice = String.format(Locale.ROOT, "Serve every model on %s: %s GPUs, %s per month rented%s.", cluster,
                        count(gpus), rentKnown ? money(rent) : "no rental price known",
                        ownKnown ? ", " + money(own) + " per month owned (purchase written off, power included)" : "");
            }
        }
        if (bestIndex >= 0) {
            ReportModel.FleetPurchase b = out.get(bestIndex);
            out.set(bestIndex, new ReportModel.FleetPurchase(b.cluster(), b.gpus(), b.servers(), b.upfront(), b.ownMonthly(),
                    b.rentMonthly(), b.servesAll(), true));
        }
        return advice;
    }

    static final int PARETO_WIDTH = 520;
    static final int PARETO_HEIGHT = 260;

    private static ReportModel.ParetoChart pareto(String model, ResultRow r, List<ParetoPoint> points) {
        double maxX = niceCeiling(points.stream().mapToDouble(ParetoPoint::perUser).max().orElse(1));
        double maxY = niceCeiling(points.stream().mapToDouble(ParetoPoint::perGpu).max().orElse(1));
        int plotW = PARETO_WIDTH - SCATTER_LEFT - 20;
        int plotH = PARETO_HEIGHT - SCATTER_BOTTOM - 20;
        List<ReportModel.Point> pts = new ArrayList<>();
        for (ParetoPoint p : points) {
            int x = SCATTER_LEFT + (int) Math.round(p.perUser() / maxX * plotW);
            int y = PARETO_HEIGHT - SCATTER_BOTTOM - (int) Math.round(p.perGpu() / maxY * plotH);
            pts.add(new ReportModel.Point(x, y, p.meetsTpot() ? 2 : 6, String.format(Locale.ROOT,
                    "%s: %,.0f tokens/s per GPU, %,.1f tokens/s per user%s", p.label(), p.perGpu(), p.perUser(),
                    p.meetsTpot() ? " (meets the TPOT target)" : "")));
        }
        int targetX = r.tpotSloMs() == null ? -1
                : SCATTER_LEFT + (int) Math.round(Math.min(maxX, 1000 / r.tpotSloMs()) / maxX * plotW);
        List<ReportModel.Tick> xTicks = new ArrayList<>();
        List<ReportModel.Tick> yTicks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) {
            xTicks.add(new ReportModel.Tick(SCATTER_LEFT + plotW * i / 4, number(maxX * i / 4)));
            yTicks.add(new ReportModel.Tick(PARETO_HEIGHT - SCATTER_BOTTOM - plotH * i / 4, number(maxY * i / 4)));
        }
        return new ReportModel.ParetoChart(model, r.cluster(), PARETO_WIDTH, PARETO_HEIGHT, SCATTER_LEFT,
                PARETO_HEIGHT - SCATTER_BOTTOM, targetX, pts, xTicks, yTicks);
    }

    private static String ms(Double v) {
        return v == null ? "-" : v >= 100 ? String.format(Locale.ROOT, "%,.0f ms", v) : String.format(Locale.ROOT, "%.1f ms", v);
    }

    /**
     * @param best     rank-1 rows at the most demanding workload, at most one per model x hardware option
     * @param failures a sample of failure rows
     */
    public static ReportModel build(Facts f, List<ResultRow> best, List<ResultRow> failures) {
        return build(f, best, failures, Set.of());
    }

    /**
     * @param missesTargets "model\0cluster" keys of options whose layouts fit but all miss the latency targets
     */
    public static ReportModel build(Facts f, List<ResultRow> best, List<ResultRow> failures, Set<String> missesTargets) {
        Map<String, Map<String, ResultRow>> byModel = new LinkedHashMap<>();
        for (String m : f.models()) {
            byModel.put(m, new LinkedHashMap<>());
        }
        for (ResultRow r : best) {
            byModel.computeIfAbsent(r.model(), k -> new LinkedHashMap<>()).put(r.cluster(), r);
        }
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
                    cells.add(new ReportModel.MatrixCell(missesTargets.contains(e.getKey() + "\u0000" + cluster)
                            ? "misses the latency targets" : "does not fit", "", "", false, false));
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
        return new ReportModel(f.title(), f.generatedAt(), f.workload(), summary(f), rows,
                new ReportModel.Matrix(f.clusters(), matrix), charts, scatter(f.clusters(), best), purchase(f, byModel),
                failures(f, failures), null);
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
            String workload = r.requestRate() != null ? number(r.requestRate()) + " requests/s"
                    : String.format(Locale.ROOT, "%,d tokens x %,d", r.sequenceLength(), r.batchSize());
            rows.add(new ReportModel.FailureRow(r.model(), r.cluster(), workload, r.objective(), r.failureReason(), r.failureDetail()));
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

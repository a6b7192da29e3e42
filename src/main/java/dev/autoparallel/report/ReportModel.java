package dev.autoparallel.report;

import java.util.List;

/**
 * Everything report.html shows, prepared and formatted in Java: the template only lays it out.
 * Records (Freemarker exposes their components as properties).
 */
public record ReportModel(String title, String generatedAt, String workload, Summary summary, List<BestRow> best,
                          Matrix matrix, List<Chart> charts, Scatter scatter, Purchase purchase, Failures failures,
                          Fleet fleet) {

    /** Traffic sweeps: the answer first. The fleet per model and hardware option at each model's demand. */
    public record Fleet(List<FleetRow> rows, List<FleetRecommendation> recommendations, List<FleetPurchase> purchase,
                        String purchaseAdvice, List<ParetoChart> pareto) {
    }

    /** {@code recommended}: the cheapest fleet of the model that meets its targets (simulated). */
    public record FleetRow(String model, String demand, String targets, String cluster, String fleet, String gpus, String ttft,
                           String tpot, boolean meets, String figures, String rent, String own, String perMillion,
                           boolean recommended) {
    }

    public record FleetRecommendation(String model, String text, String command, List<String> notes) {
    }

    /** Every model on one hardware option: what buying and renting that whole fleet costs. */
    public record FleetPurchase(String cluster, String gpus, String servers, String upfront, String ownMonthly,
                                String rentMonthly, boolean servesAll, boolean best) {
    }

    /**
     * Tokens/s per GPU (y) against tokens/s per user (x) for a model's layouts on its recommended
     * hardware, in SVG units; {@code targetX} is where the TPOT target's region begins (-1: no target).
     */
    public record ParetoChart(String model, String cluster, int width, int height, int left, int bottom, int targetX,
                              List<Point> points, List<Tick> xTicks, List<Tick> yTicks) {
    }

    public record Summary(String cells, String resultCells, String failedCells, String rows, String models,
                          String clusters, String duration, String accounting, boolean complete) {
    }

    public record BestRow(String model, String cluster, String layout, String gpus, String memoryPerGpu,
                          String utilization, String concurrency, String ttft, String tpot, String tokensPerSecond,
                          String monthlyCost, String perMillionTokens, String command) {
    }

    /** GPUs and monthly cost per model (rows) and hardware option (columns). */
    public record Matrix(List<String> clusters, List<MatrixRow> rows) {
    }

    public record MatrixRow(String model, List<MatrixCell> cells) {
    }

    /** {@code cheapest} marks the lowest monthly cost in the row; {@code fits} is false where no layout serves it. */
    public record MatrixCell(String gpus, String cost, String perMillionTokens, boolean fits, boolean cheapest) {
    }

    /**
     * Throughput against monthly cost, one point per model and hardware option, in SVG units.
     * {@code series} is the hardware option's index (its colour).
     */
    public record Scatter(int width, int height, int left, int bottom, List<Point> points, List<Tick> xTicks,
                          List<Tick> yTicks, List<Legend> series) {
    }

    public record Point(int x, int y, int series, String title) {
    }

    public record Tick(int position, String label) {
    }

    /** A horizontal stacked-bar chart of memory per GPU, one bar per hardware option, in SVG units. */
    public record Chart(String model, int width, int height, List<Bar> bars, List<Legend> legend) {
    }

    public record Bar(String label, int y, List<Segment> segments, int capacityX, String capacityLabel) {
    }

    public record Segment(int x, int width, String kind, String title) {
    }

    public record Legend(String kind, String label) {
    }

    /** The purchase recommendation: cheapest option per model, whole-fleet options, the best mixed fleet. */
    public record Purchase(List<PurchaseRow> perModel, List<FleetOption> fleet, String recommendation, String mixed) {
    }

    public record PurchaseRow(String model, String cluster, String gpus, String monthlyCost) {
    }

    public record FleetOption(String cluster, String gpus, String monthlyCost, String servedModels, boolean servesAll,
                              boolean best) {
    }

    public record Failures(String total, String shown, List<FailureRow> rows) {
    }

    public record FailureRow(String model, String cluster, String workload, String objective, String reason, String detail) {
    }
}

package dev.autoparallel.report;

import java.util.List;

/**
 * Everything report.html shows, prepared and formatted in Java: the template only lays it out.
 * Records (Freemarker exposes their components as properties).
 */
public record ReportModel(String title, String generatedAt, String workload, Summary summary, List<BestRow> best,
                          Matrix matrix, List<Chart> charts, Scatter scatter, Purchase purchase, Failures failures) {

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

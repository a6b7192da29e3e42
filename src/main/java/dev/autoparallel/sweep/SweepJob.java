package dev.autoparallel.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.plan.Slo;
import dev.autoparallel.report.CsvReport;
import dev.autoparallel.report.HtmlReport;
import dev.autoparallel.report.ReportBuilder;
import dev.autoparallel.report.ReportModel;
import dev.autoparallel.report.ResultRow;
import dev.autoparallel.report.RowStatus;
import dev.autoparallel.source.ModelResolver;
import dev.autoparallel.source.Secrets;
import dev.autoparallel.source.TextFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The sweep: the cross product of models x clusters x sequence lengths x batch sizes x
 * objectives as a Dataset of cell ids, the core applied to every cell on the executors
 * ({@code mapPartitions} over a broadcast plan: no parsing, no network there), written as
 * Parquet, then report.csv and report.html built on the driver from aggregates. Everything is
 * written into a temporary folder beside the output and moved into place at the end.
 *
 * <p>{@code SweepJob SPEC [OUT]}: OUT defaults to the spec's {@code output}, else {@code sweep-output}.
 */
public final class SweepJob {
    private static final Logger LOG = Logger.getLogger(SweepJob.class.getName());
    /** Cells per Spark partition: large enough to amortise task start-up, small enough to spread work. */
    static final long CELLS_PER_PARTITION = 50_000;
    /** Failure rows listed in the HTML report (all of them are in report.csv). */
    static final int FAILURES_SHOWN = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run produced. */
    public record Summary(long cells, long resultCells, long failedCells, long rows, Duration duration, Path output) {
        public boolean complete() {
            return resultCells + failedCells == cells;
        }
    }

    private SweepJob() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SweepJob SPEC.json [OUTPUT_DIR]");
            System.exit(2);
        }
        Path specPath = Path.of(args[0]);
        SweepSpec spec;
        SweepPlan plan;
        Path out;
        OutputFolder folder;
        try {
            spec = SweepSpec.parse(TextFiles.read(specPath, "spec", TextFiles.MAX_SPEC_BYTES), specPath.toString());
            out = outputPath(args.length > 1 ? args[1] : spec.output() != null ? spec.output() : "sweep-output");
            OutputFolder.checkReplaceable(out.toAbsolutePath().normalize());
            Path base = specPath.toAbsolutePath().getParent();
            ModelResolver resolver = ModelResolver.fromEnvironment();
            plan = Plans.plan(spec, base, resolver);
            folder = OutputFolder.open(out);
        } catch (AutoParallelException e) {
            // A broken spec or an output that may not be replaced fails here, before Spark starts.
            System.err.println("error: " + Secrets.redact(e.getMessage()));
            System.exit(2);
            return;
        }
        boolean complete;
        try (folder) {
            SparkSession spark = localUnlessSubmitted(SparkSession.builder().appName("AutoParallel sweep: " + spec.name())
                    .config("spark.ui.showConsoleProgress", "true")).getOrCreate();
            try {
                Summary s = run(spark, plan, folder);
                System.out.printf(Locale.ROOT, "%,d cells (%,d with results, %,d failed), %,d rows in %.1f s -> %s%n",
                        s.cells(), s.resultCells(), s.failedCells(), s.rows(), s.duration().toMillis() / 1000.0, s.output());
                complete = s.complete();
            } finally {
                spark.stop();
            }
        }
        if (!complete) {
            System.exit(1);
        }
    }

    /** Runs the sweep into {@code out}, which must be absent or an earlier sweep's output (else InvalidConfigurationException). */
    public static Summary run(SparkSession spark, SweepPlan plan, Path out) throws IOException {
        try (OutputFolder folder = OutputFolder.open(out)) {
            return run(spark, plan, folder);
        }
    }

    static Summary run(SparkSession spark, SweepPlan plan, OutputFolder folder) throws IOException {
        Instant start = Instant.now();
        long cells = plan.cellCount();
        LOG.info(() -> plan.trafficMode()
                ? String.format(Locale.ROOT, "sweep '%s': %,d cells (%d demands x %d clusters)", plan.name(), cells,
                        plan.demands().size(), plan.clusters().size())
                : String.format(Locale.ROOT, "sweep '%s': %,d cells (%d models x %d clusters x %d lengths x %d batches x %d objectives)",
                        plan.name(), cells, plan.models().size(), plan.clusters().size(), plan.sequenceLengths().size(),
                        plan.batchSizes().size(), plan.objectives().size()));
        Path target = folder.target();
        Path tmp = folder.work();
        {
            Broadcast<SweepPlan> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(plan);
            int partitions = (int) Math.max(spark.sparkContext().defaultParallelism(),
                    Math.min(10_000, (cells + CELLS_PER_PARTITION - 1) / CELLS_PER_PARTITION));
            Dataset<Row> rows = spark.range(0, cells, 1, partitions)
                    .mapPartitions(evaluate(shipped), Encoders.row(SweepSchema.SCHEMA));
            String parquet = tmp.resolve("results.parquet").toUri().toString();
            rows.write().mode(SaveMode.ErrorIfExists).parquet(parquet);
            Dataset<Row> results = spark.read().schema(SweepSchema.SCHEMA).parquet(parquet);

            Row counts = results.agg(functions.count(functions.lit(1)),
                    functions.sum(functions.when(functions.col("rank").equalTo(1), 1).otherwise(0)),
                    functions.sum(functions.when(functions.col("status").equalTo(RowStatus.FAILED.key()), 1).otherwise(0))).first();
            long rowCount = counts.getLong(0);
            long resultCells = counts.isNullAt(1) ? 0 : counts.getLong(1);
            long failedCells = counts.isNullAt(2) ? 0 : counts.getLong(2);

            try (Writer w = Files.newBufferedWriter(tmp.resolve("report.csv"), StandardCharsets.UTF_8)) {
                Iterator<Row> it = results.orderBy("cell_id", "rank").toLocalIterator();
                CsvReport.write(w, new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public ResultRow next() {
                        return SweepSchema.fromRow(it.next());
                    }
                });
            }

            List<ResultRow> failures = new ArrayList<>();
            for (Row r : results.filter(functions.col("status").equalTo(RowStatus.FAILED.key())).orderBy("cell_id").limit(FAILURES_SHOWN)
                    .collectAsList()) {
                failures.add(SweepSchema.fromRow(r));
            }
            String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).format(start.atOffset(ZoneOffset.UTC));
            List<String> modelIds = plan.models().stream().map(SweepPlan.PlannedModel::id).toList();
            List<String> clusterNames = plan.clusters().stream().map(c -> c.shape().name()).toList();
            ReportModel report;
            if (plan.trafficMode()) {
                report = TrafficReport.build(plan, results, failures, new ReportBuilder.Facts(plan.name(), when,
                        "At each model's headline demand (its highest request rate), within its latency targets; engine "
                                + plan.engine().key() + ", vLLM " + plan.settings().version() + ", headroom " + plan.headroom(),
                        modelIds, clusterNames, cells, resultCells, failedCells, rowCount, Duration.between(start, Instant.now())));
            } else {
                String objective = plan.objectives().get(0).key();
                int[] headline = headlineWorkload(results, plan, objective);
                int maxSeq = headline[0];
                int maxBatch = headline[1];
                // Per model and hardware option, the best-ranked layout that meets the report's latency targets: a layout
                // that misses them (TP 1 x PP 7 for a 70B model) is never recommended, however few GPUs it takes.
                Slo targets = plan.reportTargets();
                List<ResultRow> ranked = new ArrayList<>();
                for (Row r : results.filter(functions.col("status").equalTo(RowStatus.OK.key()).and(functions.col("sequence_length").equalTo(maxSeq))
                        .and(functions.col("batch_size").equalTo(maxBatch)).and(functions.col("objective").equalTo(objective)))
                        .orderBy("cell_id", "rank").collectAsList()) {
                    ranked.add(SweepSchema.fromRow(r));
                }
                Recommendable shown = recommendable(ranked, targets);
                ReportBuilder.Facts facts = new ReportBuilder.Facts(plan.name(), when,
                        String.format(Locale.ROOT, "At the headline workload, the most demanding one of the sweep at which every model meets the latency targets "
                                + "on some option (or, failing that, the one most models meet): %,d concurrent sequences of %,d tokens, "
                                + "objective %s, vLLM %s, gpu_memory_utilization %s; the best-ranked layout meeting %s (throughput "
                                + "model) is shown", maxBatch, maxSeq, objective, plan.settings().version(),
                                plan.settings().gpuMemoryUtilization(), targets),
                        modelIds, clusterNames, cells, resultCells, failedCells, rowCount, Duration.between(start, Instant.now()));
                report = ReportBuilder.build(facts, shown.best(), failures, shown.missesTargets());
            }
            Duration took = Duration.between(start, Instant.now());
            try (Writer w = Files.newBufferedWriter(tmp.resolve("report.html"), StandardCharsets.UTF_8)) {
                HtmlReport.write(w, report);
            }
            ObjectNode summary = JSON.createObjectNode().put("name", plan.name()).put("cells", cells)
                    .put("result_cells", resultCells).put("failed_cells", failedCells).put("rows", rowCount)
                    .put("seconds", took.toMillis() / 1000.0);
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("summary.json").toFile(), summary);
            folder.commit();
            Summary s = new Summary(cells, resultCells, failedCells, rowCount, Duration.between(start, Instant.now()), target);
            LOG.info(() -> String.format(Locale.ROOT, "sweep done: %,d cells, %,d rows in %.1f s", cells, rowCount,
                    s.duration().toMillis() / 1000.0));
            return s;
        }
    }

    /** What the report may recommend: per cell, the best-ranked row meeting the targets; the options that miss them. */
    record Recommendable(List<ResultRow> best, Set<String> missesTargets) {
    }

    /**
     * Per model and hardware option (one cell), the best-ranked layout that meets the report's
     * latency targets: a layout that misses them (TP 1 x PP 7 for a 70B model) is never recommended,
     * however few GPUs it takes. {@code ranked} holds a cell's rows in rank order.
     */
    static Recommendable recommendable(List<ResultRow> ranked, Slo targets) {
        Map<Long, ResultRow> best = new TreeMap<>();
        Set<String> misses = new HashSet<>();
        for (ResultRow row : ranked) {
            boolean meets = row.ttftMs() != null && row.tpotMs() != null && targets.met(row.ttftMs(), row.tpotMs());
            if (meets) {
                best.putIfAbsent(row.cellId(), row);
            } else {
                misses.add(row.model() + "\u0000" + row.cluster());
            }
        }
        best.values().forEach(r -> misses.remove(r.model() + "\u0000" + r.cluster()));
        return new Recommendable(List.copyOf(best.values()), Set.copyOf(misses));
    }

    /**
     * The report's headline (sequence length, batch size): the most demanding one (tokens in
     * flight, then length) at which every resolvable model has a layout within the report's
     * latency targets on at least one hardware option; if there is none, the one the most models meet.
     */
    static int[] headlineWorkload(Dataset<Row> results, SweepPlan plan, String objective) {
        long resolvable = plan.models().stream().filter(m -> m.spec() != null).count();
        Slo t = plan.reportTargets();
        Column within = functions.col("status").equalTo(RowStatus.OK.key());
        if (t.ttftMs() != null) {
            within = within.and(functions.col("ttft_ms").leq(t.ttftMs()));
        }
        if (t.tpotMs() != null) {
            within = within.and(functions.col("tpot_ms").leq(t.tpotMs()));
        }
        List<Row> coverage = results.filter(within.and(functions.col("objective").equalTo(objective)))
                .groupBy("sequence_length", "batch_size").agg(functions.countDistinct("model")).collectAsList();
        int[] best = {plan.sequenceLengths().get(0), plan.batchSizes().get(0)};
        long bestModels = -1;
        long bestTokens = -1;
        for (Row r : coverage) {
            int seq = r.getInt(0);
            int batch = r.getInt(1);
            long models = Math.min(r.getLong(2), resolvable);
            long tokens = (long) seq * batch;
            boolean better = models > bestModels || models == bestModels && (tokens > bestTokens
                    || tokens == bestTokens && seq > best[0]);
            if (better) {
                best = new int[] {seq, batch};
                bestModels = models;
                bestTokens = tokens;
            }
        }
        return best;
    }

    /** The executor side: each cell id becomes its result rows; the plan comes from the broadcast. */
    static MapPartitionsFunction<Long, Row> evaluate(Broadcast<SweepPlan> shipped) {
        return ids -> {
            SweepPlan plan = shipped.value();
            return new Iterator<>() {
                private Iterator<ResultRow> current = Collections.emptyIterator();

                @Override
                public boolean hasNext() {
                    while (!current.hasNext() && ids.hasNext()) {
                        current = CellEvaluator.evaluate(plan, ids.next()).iterator();
                    }
                    return current.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return SweepSchema.toRow(current.next());
                }
            };
        };
    }

    /** The output path as given, refused by name when it is not a path at all. */
    private static Path outputPath(String given) {
        try {
            return Path.of(given);
        } catch (InvalidPathException e) {
            throw new InvalidConfigurationException("output", "output '" + given + "' is not a valid path (" + e.getReason() + ")");
        }
    }

    /** Not under spark-submit (no {@code spark.master}): local mode on this machine, loopback only, no UI. */
    static SparkSession.Builder localUnlessSubmitted(SparkSession.Builder builder) {
        if (System.getProperty("spark.master") == null) {
            builder.master("local[*]").config("spark.ui.enabled", "false")
                    .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1");
        }
        return builder;
    }
}

package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.report.ResultRow;
import dev.autoparallel.source.Catalog;
import dev.autoparallel.source.HubSettings;
import dev.autoparallel.source.ModelResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job in local mode on a small spec, checked row by row against the core API. */
class SweepJobTest {
    static final String SPEC = """
            {"name": "test sweep\\t\\"quoted\\"\\nsecond line\\u0001",
             "models": ["meta-llama/Llama-2-7b-hf", "Qwen/Qwen3-30B-A3B", "acme/does-not-exist"],
             "clusters": [{"name": "1 x 8 H100", "gpu": "H100"},
                          {"name": "1 x 2 L4 at $0.70", "gpu": "L4", "gpus_per_node": 2, "price_usd_per_gpu_hour": 0.70}],
             "sequence_lengths": [2048, 8192], "batch_sizes": [4, 64],
             "objectives": ["minimize_gpus", "maximize_batch"], "max_configs": 2}""";

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("SweepJobTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static SweepPlan plan(Path dir) {
        return plan(SPEC, "test", dir, dir);
    }

    /** The plan of a spec, its models from the embedded catalog alone (the Hub offline, its cache under {@code dir}). */
    static SweepPlan plan(String spec, String name, Path baseDir, Path dir) {
        HubSettings offline = new HubSettings(HubSettings.DEFAULT_ENDPOINT, Optional.empty(), true, dir.resolve("hf"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO);
        return Plans.plan(SweepSpec.parse(spec, name), baseDir, new ModelResolver(Catalog.embedded(), offline));
    }

    @Test
    void everyRowMatchesTheCoreApi_andEveryCellIsAccountedFor(@TempDir Path dir) throws Exception {
        SweepPlan plan = plan(dir);
        Path out = dir.resolve("out");
        SweepJob.Summary s = SweepJob.run(spark, plan, out);
        assertEquals(3L * 2 * 2 * 2 * 2, s.cells());
        assertTrue(s.complete(), s.toString());

        List<Row> rows = spark.read().parquet(out.resolve("results.parquet").toString()).collectAsList();
        assertEquals(s.rows(), rows.size());
        Map<Long, Integer> rowsPerCell = new HashMap<>();
        for (Row row : rows) {
            ResultRow r = SweepSchema.fromRow(row);
            rowsPerCell.merge(r.cellId(), 1, Integer::sum);
            SweepPlan.Cell cell = plan.cell(r.cellId());
            assertEquals(cell.model().id(), r.model());
            assertEquals(cell.cluster().shape().name(), r.cluster());
            if (!r.ok()) {
                assertEquals(0, r.rank());
                if (r.model().equals("acme/does-not-exist")) {
                    assertEquals("model_unavailable", r.failureReason());
                } else if (r.model().equals("meta-llama/Llama-2-7b-hf") && r.sequenceLength() == 8192) {
                    assertEquals("invalid_input", r.failureReason()); // max_position_embeddings is 4096
                }
                continue;
            }
            Configuration c = AutoParallel.analyze(cell.model().spec(), cell.cluster().cluster(), cell.sequenceLength(),
                    cell.batchSize(), plan.maxConfigs(), cell.objective(), plan.settings()).get(r.rank() - 1);
            assertEquals(c.tensorParallel(), r.tensorParallel());
            assertEquals(c.pipelineParallel(), r.pipelineParallel());
            assertEquals(c.dataParallel(), r.dataParallel());
            assertEquals(c.expertParallel(), r.expertParallel());
            assertEquals(c.totalGpus(), r.totalGpus());
            assertEquals(c.memoryPerGpuGb(), r.memoryPerGpuGb());
            assertEquals(c.memoryBreakdown().kvCache(), r.kvCacheGb());
            assertEquals(c.engineView().kvCacheTokens(), r.kvCacheTokens());
            assertEquals(c.deploymentCommand(), r.deploymentCommand());
            assertNull(r.failureReason());
            if (r.cluster().startsWith("1 x 2 L4")) {
                // The spec's own price: 0.70 $/GPU-hour x GPUs x 730 hours.
                assertEquals(Math.round(0.70 * r.totalGpus() * 730 * 100) / 100.0, r.monthlyCostUsd());
            }
        }
        // A failed cell has exactly one row; a cell with results has rows 1..k.
        assertEquals(s.cells(), rowsPerCell.size());
        long csvLines;
        try (Stream<String> lines = Files.lines(out.resolve("report.csv"))) {
            csvLines = lines.count();
        }
        assertEquals(s.rows() + 1, csvLines);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains(s.cells() + " cells = " + s.resultCells() + " with results + " + s.failedCells() + " failed"));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "a temporary folder was left");
        }
        // summary.json was written by hand and broke on a tab, a newline or a control character in the name.
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(plan.name(), summary.get("name").asText());
        assertEquals(s.cells(), summary.get("cells").asLong());
    }

    @Test
    void rerun_replacesAnEarlierSweepsOutput_andLeavesNothingBeside(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        SweepJob.run(spark, plan(dir), out);
        Files.writeString(out.resolve("report.csv"), "from the first run");
        SweepJob.Summary second = SweepJob.run(spark, plan(dir), out);
        assertTrue(second.complete());
        assertTrue(Files.readString(out.resolve("report.csv")).startsWith("cell_id"));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("out"), left.map(p -> p.getFileName().toString()).filter(n -> !n.equals("hf")).sorted().toList());
        }
    }

    @Test
    void aFolderOfTheUsers_isRefusedBeforeAnythingIsWritten_andKeptWhole(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("mine");
        Files.createDirectories(out.resolve("notes"));
        Files.writeString(out.resolve("notes/todo.txt"), "keep me");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> SweepJob.run(spark, plan(dir), out));
        assertEquals("output", e.field());
        assertEquals("keep me", Files.readString(out.resolve("notes/todo.txt")));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".partial-")));
        }
    }

    static final String TRAFFIC = """
            {"name": "traffic test",
             "models": ["meta-llama/Llama-3.1-8B-Instruct",
                        {"id": "Qwen/Qwen3-30B-A3B", "slo": {"ttft_ms": 1500, "tpot_ms": 40, "percentile": 99}}],
             "clusters": [{"name": "H100", "gpu": "H100"}, {"name": "L4 at $0.70", "gpu": "L4", "price_usd_per_gpu_hour": 0.70}],
             "traffic": {"request_rates": [2, 8], "input_tokens": 1024, "output_tokens": 256, "output_spread": 0.6},
             "slo": {"ttft_ms": 2000, "tpot_ms": 50, "percentile": 90}, "max_configs": 2}""";

    /**
     * Llama-3.3-70B on H100 at 10 requests/s of 8,192 in / 256 out, p90 TTFT 3 s and TPOT 25 ms: the report's recommended
     * (simulated) aggregated fleet is beaten by the disaggregated one (FleetPlannerTest has the figures), and the report
     * says so beside it; the CSV carries the split as a row.
     */
    @Test
    void trafficSweep_reportNamesTheDisaggregatedFleetWhereItBeatsTheRecommendedOne(@TempDir Path dir) throws Exception {
        String spec = """
                {"name": "split", "models": ["meta-llama/Llama-3.3-70B-Instruct"], "clusters": [{"name": "H100", "gpu": "H100"}],
                 "traffic": {"request_rates": [10], "input_tokens": 8192, "output_tokens": 256},
                 "slo": {"ttft_ms": 3000, "tpot_ms": 25, "percentile": 90}, "max_configs": 2}""";
        SweepPlan plan = plan(spec, "test", dir, dir);
        Path out = dir.resolve("out");
        SweepJob.run(spark, plan, out);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Disaggregated serving beats this fleet: 12 prefill worker(s) at TP 2 and 1 decode worker(s) at TP 8,"
                + " 32 GPUs"), html);
        assertTrue(Files.readString(out.resolve("report.csv")).contains(",disaggregated,12,2,1"));
    }

    @Test
    void trafficSweep_everyRowThatMeetsItsTargetsIsWithinThem_andTheReportLeadsWithTheFleet(@TempDir Path dir) throws Exception {
        SweepPlan plan = plan(TRAFFIC, "test", dir, dir);
        Path out = dir.resolve("out");
        SweepJob.Summary s = SweepJob.run(spark, plan, out);
        assertEquals(2L * 2 * 2, s.cells());
        assertTrue(s.complete(), s.toString());
        List<Row> rows = spark.read().parquet(out.resolve("results.parquet").toString()).collectAsList();
        int meeting = 0;
        for (Row row : rows) {
            ResultRow r = SweepSchema.fromRow(row);
            assertTrue(r.requestRate() == 2 || r.requestRate() == 8, r.toString());
            if (!r.ok()) {
                assertTrue(List.of("slo_not_met", "does_not_fit").contains(r.failureReason()), r.toString());
                continue;
            }
            assertTrue(r.meetsSlo() != null && r.replicas() >= 1 && r.totalGpus() >= r.replicas());
            assertTrue(Arrays.stream(PerfModel.StepSource.values()).map(PerfModel.StepSource::key).toList().contains(r.speedSource()),
                    r.toString());
            if (r.meetsSlo()) {
                meeting++;
                assertTrue(r.ttftMs() <= r.ttftSloMs() && r.tpotMs() <= r.tpotSloMs(), r.toString());
            }
        }
        assertTrue(meeting >= 4, "rows meeting their targets: " + meeting);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("The fleet that serves the demand within its targets"));
        assertTrue(html.contains("simulated p99 TTFT"), "Qwen3-30B-A3B's own p99 targets are simulated in the recommendation");
        assertTrue(html.contains("<pre class=\"cmd\">vllm serve"));
    }

    /**
     * The sample traffic fleet as shipped (sample-inputs/traffic-slo.json: eight models with their own rates and targets on
     * H100, H200, B200 and MI300X): every row that says it meets its targets is within them by its own columns, and the
     * report recommends a simulated fleet for every model.
     */
    @Test
    void sampleTrafficFleet_meetsItsTargetsWhereItSaysSo(@TempDir Path dir) throws Exception {
        Path spec = Path.of("sample-inputs/traffic-slo.json");
        SweepPlan plan = plan(Files.readString(spec), spec.toString(), spec.getParent(), dir);
        Path out = dir.resolve("out");
        SweepJob.Summary s = SweepJob.run(spark, plan, out);
        assertTrue(s.complete(), s.toString());
        int meeting = 0;
        for (Row row : spark.read().parquet(out.resolve("results.parquet").toString()).collectAsList()) {
            ResultRow r = SweepSchema.fromRow(row);
            if (r.ok() && r.meetsSlo()) {
                meeting++;
                assertTrue(r.ttftSloMs() == null || r.ttftMs() <= r.ttftSloMs(), r.toString());
                assertTrue(r.tpotSloMs() == null || r.tpotMs() <= r.tpotSloMs(), r.toString());
            }
        }
        assertTrue(meeting >= 8, "rows meeting their targets: " + meeting);
        String html = Files.readString(out.resolve("report.html"));
        for (String model : plan.models().stream().map(SweepPlan.PlannedModel::id).toList()) {
            assertTrue(html.contains(model), model);
        }
        // The fleet table marks each row's figures: the recommended fleets' as simulated (the template's prose says the
        // word too, so the check is on the table cell).
        assertTrue(html.contains("<td>simulated</td>"), "the report says which figures are simulated");
    }
}

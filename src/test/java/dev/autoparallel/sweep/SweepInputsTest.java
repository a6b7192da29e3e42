package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.plan.Slo;
import dev.autoparallel.report.ResultRow;
import dev.autoparallel.source.Catalog;
import dev.autoparallel.source.HubSettings;
import dev.autoparallel.source.ModelResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep's own inputs (issue 12, items 1, 3, 6): a bad model becomes failure rows, never a failed
 * job, and never carries the token; a bad price file or output path stops the job before Spark.
 */
class SweepInputsTest {
    private static final String TOKEN = "hf_sweepCampaignTOKEN1122334455";

    private static SweepPlan plan(Path dir, String spec) {
        HubSettings offline = new HubSettings(HubSettings.DEFAULT_ENDPOINT, Optional.of(TOKEN), true, dir.resolve("hf"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO);
        return Plans.plan(SweepSpec.parse(spec, "test"), dir, new ModelResolver(Catalog.embedded(), offline));
    }

    @Test
    void badModels_becomeFailureRows_withoutTheTokensBytes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Files.writeString(dir.resolve("broken.json"), "{\"model_type\":\"llama\",\"hidden_size\":0}");
        SweepPlan plan = plan(dir, """
                {"name": "bad models", "models": ["token", "/dev/zero", "broken.json", "meta-llama/Llama-3.1-8B"],
                 "clusters": [{"name": "h100", "gpu": "H100"}], "sequence_lengths": [2048], "batch_sizes": [8]}""");
        assertEquals(4, plan.cellCount());
        for (long id = 0; id < 3; id++) {
            List<ResultRow> rows = CellEvaluator.evaluate(plan, id);
            assertEquals(1, rows.size());
            ResultRow r = rows.get(0);
            assertEquals("invalid_input", r.failureReason(), r.failureDetail());
            assertFalse(String.join(",", java.util.Arrays.stream(r.values()).map(String::valueOf).toList()).contains(TOKEN.substring(0, 10)),
                    r.failureDetail());
        }
        assertTrue(CellEvaluator.evaluate(plan, 3).get(0).ok());
    }

    @Test
    void aPriceFileThatIsADevice_orNotJson_isRefusedByField(@TempDir Path dir) throws Exception {
        String spec = """
                {"name": "p", "models": ["meta-llama/Llama-3.1-8B"], "clusters": [{"name": "h100", "gpu": "H100"}],
                 "sequence_lengths": [2048], "batch_sizes": [8], "price_overrides": "%s"}""";
        for (String file : new String[] {"/dev/zero", "missing.json", "token"}) {
            Files.writeString(dir.resolve("token"), TOKEN);
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> plan(dir, spec.formatted(file)));
            assertTrue(e.field().equals("price_overrides") || e.field().equals("prices"), e.field());
            assertFalse(e.getMessage().contains(TOKEN.substring(0, 10)), e.getMessage());
        }
    }

    @Test
    void theJob_refusesAnOutputItMayNotReplace_beforeSparkStarts(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, """
                {"name": "q", "models": ["meta-llama/Llama-3.1-8B"], "clusters": [{"name": "h100", "gpu": "H100"}],
                 "sequence_lengths": [2048], "batch_sizes": [8]}""");
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("thesis.tex"), "years of work");
        for (Path out : List.of(mine, dir, spec)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SweepJob.class.getName(),
                    spec.toString(), out.toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log.txt").toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the job must stop at once");
            String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), log);
            assertTrue(log.contains("error: output " + out.toAbsolutePath().normalize()), log);
            assertFalse(log.contains("SparkContext"), "Spark must not have started: " + log);
        }
        assertEquals("years of work", Files.readString(mine.resolve("thesis.tex")));
        assertNotNull(Files.readString(spec));
        try (var left = Files.list(dir)) {
            assertEquals(List.of("log.txt", "mine", "spec.json"), left.map(x -> x.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void costObjective_ranksWithThePricesItReports(@TempDir Path dir) throws Exception {
        // The ranking once used the built-in prices while the rows reported the spec's own price (issue 10).
        SweepPlan plan = plan(dir, """
                {"name": "c", "models": ["Qwen/Qwen3-8B"],
                 "clusters": [{"name": "cheap L40S", "gpu": "L40S", "gpus_per_node": 4, "price_usd_per_gpu_hour": 0.05}],
                 "sequence_lengths": [4096], "batch_sizes": [64], "objectives": ["minimize_cost_per_token"], "max_configs": 5}""");
        List<ResultRow> rows = CellEvaluator.evaluate(plan, 0);
        assertTrue(rows.size() >= 2, rows.toString());
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).costPerMillionTokensUsd() <= rows.get(i).costPerMillionTokensUsd(), rows.toString());
        }
        assertEquals("sweep spec (cheap L40S)", rows.get(0).priceSource());
        assertEquals(0.05, rows.get(0).usdPerGpuHour(), 1e-9);
    }

    @Test
    void theReport_neverRecommendsALayoutThatMissesTheTargets() {
        // Issue 10: minimize_gpus ranked TP 1 x PP 7 first for a 70B model (TPOT 288 ms); the report must skip it.
        ResultRow pp7 = ResultRow.builder().cell(3, "m", "8 x H100", "H100-SXM", 8, 1).workload(8192, 64, "minimize_gpus")
                .ok(1).layout(1, 7, 1, 1, 7).speed(8_500.0, 288.0, 866.0).build();
        ResultRow tp8 = ResultRow.builder().cell(3, "m", "8 x H100", "H100-SXM", 8, 1).workload(8192, 64, "minimize_gpus")
                .ok(2).layout(8, 1, 1, 1, 8).speed(1_600.0, 28.7, 2_115.0).build();
        ResultRow slowOnly = ResultRow.builder().cell(4, "m", "8 x L4", "L4", 8, 1).workload(8192, 64, "minimize_gpus")
                .ok(1).layout(1, 8, 1, 1, 8).speed(30_000.0, 400.0, 100.0).build();
        SweepJob.Recommendable r = SweepJob.recommendable(List.of(pp7, tp8, slowOnly), Slo.INTERACTIVE);
        assertEquals(List.of(tp8), r.best());
        assertEquals(Set.of("m\u00008 x L4"), r.missesTargets());
    }
}

package dev.autoparallel.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    static final String EVIL = "<script>alert(1)</script>";

    static ResultRow ok(String model, String cluster, double cost) {
        return ResultRow.builder().cell(1, model, cluster, "H100-SXM", 8, 1).workload(4096, 8, "minimize_gpus").ok(1)
                .layout(2, 1, 1, 1, 2).memory(40.0, 0.505, 20.0, 2.0, 16.0, 2.0).kv(500_000L, 120.0).speed(150.0, 12.0, 2000.0)
                .price(3.0, cost, cost / 2000.0, "test").command("vllm serve " + model).build();
    }

    static ReportModel model() {
        ReportBuilder.Facts facts = new ReportBuilder.Facts("Plan " + EVIL, "2026-11-25 00:00 UTC", "4,096 tokens x 8",
                List.of("org/model-a", "org/model-b"), List.of(EVIL, "8 x H200"), 8, 6, 2, 10, Duration.ofSeconds(3));
        return ReportBuilder.build(facts, List.of(ok("org/model-a", EVIL, 1000), ok("org/model-a", "8 x H200", 800),
                ok("org/model-b", EVIL, 2000)), List.of(CsvReportTest.failure("org/model-b", "8 x H200", EVIL)));
    }

    @Test
    void userLabels_areShownAsText_notRunAsMarkup() {
        String html = HtmlReport.render(model());
        assertFalse(html.contains(EVIL), "a label was written raw");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertFalse(html.contains("<script"), "the report has no scripts at all");
        assertFalse(html.contains("http://") && html.contains("src=\"http"), "the page loads nothing from the network");
        assertTrue(html.contains("8 cells = 6 with results + 2 failed"));
    }

    @Test
    void purchase_picksTheCheapestOptionThatServesEveryModel() {
        ReportModel.Purchase p = model().purchase();
        // model-b does not fit on 8 x H200, so only the first option serves both models (1000 + 2000).
        assertEquals("Standardise on " + EVIL + ": it serves all 2 models at this workload for $3,000 per month.", p.recommendation());
        assertEquals("8 x H200", p.perModel().get(0).cluster());
    }

    /** Opens the page in headless Chromium (installed by .ci/run), which must render it. */
    @Test
    void chromium_rendersTheReport(@TempDir Path dir) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        boolean ci = "true".equals(System.getenv("CI"));
        assumeTrue(ci || Files.isExecutable(chromium), "chromium is not installed here (.ci/run installs it)");
        Path page = dir.resolve("report.html");
        Files.writeString(page, HtmlReport.render(model()), StandardCharsets.UTF_8);
        Path shot = dir.resolve("report.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("profile"), "--window-size=1300,2000", "--screenshot=" + shot,
                page.toUri().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium.log")));
        assertTrue(Files.size(shot) > 10_000, "the screenshot is empty");
        Process dom = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--user-data-dir=" + dir.resolve("profile2"),
                "--dump-dom", page.toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String rendered = new String(dom.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dom.waitFor(90, TimeUnit.SECONDS));
        assertTrue(rendered.contains("Hardware purchase recommendation"), "the DOM lacks the report's sections");
        assertFalse(rendered.contains("<script>alert(1)</script>"), "a label became a script element");
    }
}

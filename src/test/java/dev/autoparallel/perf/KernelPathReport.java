package dev.autoparallel.perf;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.model.ModelSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Replays measured serving points (measured-latency.csv's columns) through the roofline and through
 * {@link PerfModel}'s measured kernels and prints the median absolute errors of both per model x
 * engine x GPU and overall: the before/after table of the README. Run by {@code jobs/compare-kernels.sh}.
 */
public final class KernelPathReport {
    private KernelPathReport() {
    }

    public static void main(String[] args) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                rows.add(r.toMap());
            }
        }
        Map<String, ModelSpec> models = new HashMap<>();
        Function<String, ModelSpec> model = id -> models.computeIfAbsent(id, AutoParallel::model);
        List<LatencyReplay.Row> roofline = new ArrayList<>();
        List<LatencyReplay.Row> kernels = new ArrayList<>();
        List<BenchmarkHarness> harnesses = BenchmarkHarness.of(rows);
        for (int i = 0; i < rows.size(); i++) {
            roofline.add(LatencyReplay.replay(i + 2, rows.get(i), model, harnesses.get(i), ServingEngine::calibration, false));
            kernels.add(LatencyReplay.replay(i + 2, rows.get(i), model, harnesses.get(i), ServingEngine::calibration, true));
        }
        List<LatencyReplay.Errors> before = LatencyReplay.errors(roofline);
        List<LatencyReplay.Errors> after = LatencyReplay.errors(kernels);
        System.out.printf(Locale.ROOT, "%-52s %5s %5s  %-15s %-15s%n", "GROUP", "ROWS", "PRED", "TTFT roof/kern", "TPOT roof/kern");
        for (int i = 0; i < before.size(); i++) {
            LatencyReplay.Errors b = before.get(i);
            LatencyReplay.Errors a = after.get(i);
            System.out.printf(Locale.ROOT, "%-52s %5d %5d  %-15s %-15s%n", b.group(), b.rows(), b.predicted(),
                    pct(b.medianAbsErrorTtft()) + " / " + pct(a.medianAbsErrorTtft()),
                    pct(b.medianAbsErrorTpot()) + " / " + pct(a.medianAbsErrorTpot()));
        }
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
}

package dev.autoparallel.perf;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.VllmVersion;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Replays measured serving points (the columns of aiconfigurator's silicon_sample.csv) through
 * the throughput model. Used by {@link PerfModelTest} on pinned rows and by
 * jobs/validate-latency.sh on the whole reference file.
 */
public final class LatencyValidation {
    /** One measured point and the prediction for it. */
    public record Point(String model, String engine, String gpu, int tp, int isl, int osl, int concurrency,
                        double ttftMs, double tpotMs, double predictedTtftMs, double predictedTpotMs) {
        double ttftError() {
            return Math.abs(predictedTtftMs - ttftMs) / ttftMs;
        }

        double tpotError() {
            return Math.abs(predictedTpotMs - tpotMs) / tpotMs;
        }
    }

    private LatencyValidation() {
    }

    public static List<Point> replay(Reader csv) throws IOException {
        List<Point> out = new ArrayList<>();
        for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(csv)) {
            if (r.isMapped("mode") && !"agg".equals(r.get("mode"))) {
                continue; // disaggregated rows: prefill and decode pools the throughput model does not model
            }
            try {
                out.add(replay(r));
            } catch (RuntimeException e) {
                // A model outside the catalog, a GPU outside the catalog: not replayable offline.
            }
        }
        return out;
    }

    private static Point replay(CSVRecord r) {
        {
            String model = r.get("model_path");
            String system = r.get("system");
            Gpu gpu = GpuCatalog.require(system.replace("_sxm", ""), "system");
            ServingEngine engine = ServingEngine.parse(r.get("backend"));
            String version = r.get("backend_version");
            EngineSettings settings = engine == ServingEngine.VLLM && !version.isBlank()
                    ? EngineSettings.forVersion(VllmVersion.parse(version)) : EngineSettings.defaults();
            WeightDtype weights = "fp8".equals(r.get("precision")) ? WeightDtype.FP8 : WeightDtype.CHECKPOINT;
            int tp = Integer.parseInt(r.get("tp_size"));
            int pp = Integer.parseInt(r.get("pp_size"));
            Workload w = new Workload(Integer.parseInt(r.get("isl")), Integer.parseInt(r.get("osl")),
                    Integer.parseInt(r.get("batch_size")));
            MemoryModel memory = new MemoryModel(AutoParallel.model(model), gpu);
            PerfEstimate e = new PerfModel(memory).estimate(new Layout(tp, pp, 1, false), 8, gpu.memoryBytes(), settings,
                    w, engine, weights).orElse(null);
            return new Point(model, engine.key(), gpu.name(), tp, w.inputTokens(), w.outputTokens(), w.concurrency(),
                    Double.parseDouble(r.get("silicon_ttft_ms")), Double.parseDouble(r.get("silicon_tpot_ms")),
                    e == null ? Double.NaN : e.ttftMs(), e == null ? Double.NaN : e.tpotMs());
        }
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double medianTtftError(List<Point> points) {
        return median(points.stream().map(p -> Double.isNaN(p.predictedTtftMs()) ? 1.0 : p.ttftError()).toList());
    }

    static double medianTpotError(List<Point> points) {
        return median(points.stream().map(p -> Double.isNaN(p.predictedTpotMs()) ? 1.0 : p.tpotError()).toList());
    }

    /** Prints the error table (markdown) for a CSV of measured points. */
    public static void main(String[] args) throws IOException {
        List<Point> points;
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            points = replay(r);
        }
        Map<String, List<Point>> groups = new TreeMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(p.model() + " | " + p.engine() + " | " + p.gpu(), k -> new ArrayList<>()).add(p);
        }
        System.out.println("| model | engine | GPU | points | TTFT median abs error | TTFT median signed | TPOT median abs error | TPOT median signed |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, List<Point>> e : groups.entrySet()) {
            List<Point> g = e.getValue();
            double signed = median(g.stream().map(p -> (p.predictedTpotMs() - p.tpotMs()) / p.tpotMs()).toList());
            double signedTtft = median(g.stream().map(p -> (p.predictedTtftMs() - p.ttftMs()) / p.ttftMs()).toList());
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f%% | %+.0f%% | %.0f%% | %+.0f%% |%n", e.getKey(), g.size(),
                    100 * medianTtftError(g), 100 * signedTtft, 100 * medianTpotError(g), 100 * signed);
        }
        System.out.printf(Locale.ROOT, "| all | | | %d | %.1f%% | | %.1f%% | |%n", points.size(), 100 * medianTtftError(points),
                100 * medianTpotError(points));
    }
}

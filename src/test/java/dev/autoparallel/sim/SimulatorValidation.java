package dev.autoparallel.sim;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.BenchmarkHarness;
import dev.autoparallel.perf.LatencyReplay;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
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
 * Replays measured serving points (aiconfigurator's silicon_sample.csv columns: a benchmark at a
 * fixed max concurrency) through the scheduler simulation in closed loop, and compares its mean
 * TTFT and TPOT with the measured ones. Aggregated vLLM and SGLang rows whose model resolves and
 * fits; others are skipped and counted.
 */
public final class SimulatorValidation {
    /** One measured point and the simulated means. */
    public record Point(String group, double ttftMs, double tpotMs, double simTtftMs, double simTpotMs) {
        double ttftError() {
            return Math.abs(simTtftMs - ttftMs) / ttftMs;
        }

        double tpotError() {
            return Math.abs(simTpotMs - tpotMs) / tpotMs;
        }
    }

    private SimulatorValidation() {
    }

    /** Simulated requests per point: enough for a steady state, bounded for speed. */
    static int requests(int concurrency) {
        return Math.max(200, Math.min(4 * concurrency, 2_000));
    }

    public static List<Point> replay(Reader csv, int[] skipped) throws IOException {
        List<Point> out = new ArrayList<>();
        List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(csv).getRecords();
        // Each row's harness as the whole file tells it (a repeat of an InferenceX measurement is InferenceX's).
        List<BenchmarkHarness> harnesses = BenchmarkHarness.of(records.stream().map(CSVRecord::toMap).toList());
        for (int i = 0; i < records.size(); i++) {
            CSVRecord r = records.get(i);
            if (r.isMapped("mode") && !"agg".equals(r.get("mode"))) {
                skipped[0]++;
                continue;
            }
            ServingEngine engine;
            try {
                engine = ServingEngine.parse(r.get("backend"));
            } catch (RuntimeException e) {
                skipped[0]++;
                continue;
            }
            if (engine == ServingEngine.TRTLLM) {
                skipped[0]++;
                continue;
            }
            try {
                Gpu gpu = GpuCatalog.require(r.get("system").replace("_sxm", ""), "system");
                String version = r.get("backend_version");
                EngineSettings settings = engine == ServingEngine.VLLM && !version.isBlank()
                        ? EngineSettings.forVersion(VllmVersion.parse(version)) : EngineSettings.defaults();
                ModelSpec checkpoint = LatencyReplay.servedCheckpoint(AutoParallel.model(r.get("model_path")), r.get("precision"),
                        AutoParallel::model);
                if ("fp8".equals(r.get("precision")) && checkpoint.quantization().method().equals("none")) {
                    settings = settings.withQuantization(ServingQuantization.FP8);
                }
                ModelSpec spec = settings.served(checkpoint, gpu);
                int tp = Integer.parseInt(r.get("tp_size"));
                int pp = Integer.parseInt(r.get("pp_size"));
                int isl = Integer.parseInt(r.get("isl"));
                int osl = Integer.parseInt(r.get("osl"));
                int c = Integer.parseInt(r.get("batch_size"));
                MemoryModel memory = new MemoryModel(spec, gpu);
                Layout layout = new Layout(tp, pp, 1, false);
                MemoryEstimate e = memory.evaluate(layout, settings.withMaxModelLen(isl + osl).withMaxNumSeqs(c), gpu.memoryBytes());
                if (!e.fits()) {
                    skipped[0]++;
                    continue;
                }
                ServingSimulator.Limits limits = new ServingSimulator.Limits(c, e.maxNumBatchedTokens(), e.kvCacheTokens(),
                        e.blockSize());
                BenchmarkHarness harness = harnesses.get(i);
                PerfModel perf = new PerfModel(memory)
                        .withExpertKernel(engine, LatencyReplay.forcedExpertKernel(harness, engine, r.get("system"), spec));
                ServingSimulator.Result s = harness.meanLength(isl) != isl
                        ? ServingSimulator.run(perf.stepTimer(layout, 8, e, engine), limits,
                        new ServingSimulator.Closed(c, true), uniform(isl), uniform(osl), Math.max(10, 10 * c), 1)
                        : ServingSimulator.run(perf.stepTimer(layout, 8, e, engine), limits,
                        new ServingSimulator.Closed(c), LengthDistribution.fixed(isl), LengthDistribution.fixed(osl),
                        requests(c), 1);
                out.add(new Point(r.get("model_path") + " | " + engine.key() + " | " + gpu.name(),
                        Double.parseDouble(r.get("silicon_ttft_ms")), Double.parseDouble(r.get("silicon_tpot_ms")),
                        s.ttftMeanMs(), s.tpotMeanMs()));
            } catch (RuntimeException e) {
                skipped[0]++;
            }
        }
        return out;
    }

    /**
     * InferenceX's draw (BenchmarkHarness.meanLength): every length from int(0.8 x L) to L alike. Its rows are
     * replayed as its benchmark ran them: 10 x the concurrency requests, every client sending at once into an empty
     * server, every request measured (SemiAnalysisAI/InferenceX benchmarks/benchmark_lib.sh: --num-prompts CONC x 10,
     * --request-rate inf, --max-concurrency CONC); the others in steady state at their fixed lengths.
     */
    static LengthDistribution uniform(int length) {
        int lower = (int) (length * 0.8);
        int[] lengths = new int[length - lower + 1];
        long[] counts = new long[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = lower + i;
            counts[i] = 1;
        }
        return LengthDistribution.histogram(lengths, counts);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws IOException {
        int[] skipped = {0};
        List<Point> points;
        long start = System.nanoTime();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            points = replay(r, skipped);
        }
        Map<String, List<Point>> groups = new TreeMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(p.group(), k -> new ArrayList<>()).add(p);
        }
        System.out.println("| model | engine | GPU | points | sim TTFT median abs error | signed | sim TPOT median abs error | signed |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, List<Point>> e : groups.entrySet()) {
            List<Point> g = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f%% | %+.0f%% | %.0f%% | %+.0f%% |%n", e.getKey(), g.size(),
                    100 * median(g.stream().map(Point::ttftError).toList()),
                    100 * median(g.stream().map(p -> (p.simTtftMs() - p.ttftMs()) / p.ttftMs()).toList()),
                    100 * median(g.stream().map(Point::tpotError).toList()),
                    100 * median(g.stream().map(p -> (p.simTpotMs() - p.tpotMs()) / p.tpotMs()).toList()));
        }
        System.out.printf(Locale.ROOT, "| all | | | %d | %.1f%% | | %.1f%% | |%n", points.size(),
                100 * median(points.stream().map(Point::ttftError).toList()),
                100 * median(points.stream().map(Point::tpotError).toList()));
        System.out.printf(Locale.ROOT, "%d rows skipped (disaggregated, TensorRT-LLM, unresolved or not fitting); %.1f s%n",
                skipped[0], (System.nanoTime() - start) / 1e9);
    }
}

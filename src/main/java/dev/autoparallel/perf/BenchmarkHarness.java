package dev.autoparallel.perf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The load generator behind a measured serving point: which lengths it served, and how its clients' requests arrive,
 * which sets how long a new prompt waits behind the others (the queue of an {@link EngineCalibration}; {@link
 * ServingEngine#calibration(PerfModel.StepSource, BenchmarkHarness)}).
 */
public enum BenchmarkHarness {
    /**
     * InferenceX's load generator (SemiAnalysisAI/InferenceX utils/bench_serving/benchmark_serving.py, run by
     * benchmarks/benchmark_lib.sh with RANDOM_RANGE_RATIO 0.8 from .github/workflows/benchmark-tmpl.yml, read
     * 2026-12-01): each prompt and output length drawn uniformly from [int(0.8 x L), L] (one-sided, unlike vLLM's
     * symmetric range ratio; --ignore-eos makes every output that long), every client sending at once, 10 x the
     * concurrency requests. Its rows: silicon_data_source {@code db-dump/...} (its database dumps) or {@code
     * source_file=YYYY-MM-DD.csv; ...} (its earlier exports, on its length grid and images).
     */
    INFERENCEX {
        @Override
        public int meanLength(int length) {
            int lower = (int) (length * RANGE_RATIO);
            return (int) Math.round((lower + length) / 2.0);
        }
    },
    /**
     * aiconfigurator's own gap-analysis runs (silicon_data_source naming a {@code ...gap-analysis...} file: the other 845
     * rows of measured-latency.csv), whose harness is not published: lengths as the row gives them.
     */
    AICONFIGURATOR,
    /**
     * Any other source, your own measurements among them: lengths as the row gives them, and the queue estimates take
     * ({@link ServingEngine#forPlanning}), so the replay says how far the planner's own figures are from them.
     */
    OTHER;

    /** InferenceX's range ratio: the shortest length it draws, as a share of the nominal one. */
    static final double RANGE_RATIO = 0.8;

    /** How far a repeated figure may stand from the measurement it repeats: half the 0.01 ms the gap analyses round to. */
    static final double REPEAT_TOLERANCE_MS = 0.005;

    /** InferenceX's earlier exports: {@code source_file=YYYY-MM-DD.csv; ...}. */
    private static final Pattern INFERENCEX_EXPORT = Pattern.compile("source_file=\\d{4}-\\d{2}-\\d{2}\\.csv;.*");

    /** The harness of a row in measured-latency.csv's columns, told by its {@code silicon_data_source}. */
    public static BenchmarkHarness of(Map<String, String> row) {
        String source = row.getOrDefault("silicon_data_source", "");
        if (source.startsWith("db-dump/") || INFERENCEX_EXPORT.matcher(source).matches()) {
            return INFERENCEX;
        }
        return source.contains("gap-analysis") ? AICONFIGURATOR : OTHER;
    }

    /**
     * The harness of each row of one file, in order: {@link #of(Map)}, except that a row repeating an InferenceX row's
     * measurement is InferenceX's. A repeat: the same backend, model, system, mode, lengths and concurrency, and TTFT and
     * TPOT each within {@link #REPEAT_TOLERANCE_MS} of that row's. aiconfigurator's gap analyses of Kimi-K2.5 (vLLM) and
     * Qwen3.5-397B-A17B (SGLang) in measured-latency.csv ({@code source_file=kimi-k2.5-gap-analysis.csv} and {@code
     * qwen3.5-397b-gap-analysis.csv}, {@code aic_database_mode=SILICON}) carry InferenceX's H200 figures of 2026-03
     * rounded to 0.01 ms: all 30 of their rows repeat one of InferenceX's (Kimi-K2.5 at 4 clients, 1,024 / 1,024: 148.61
     * and 10.43 ms, InferenceX's run of 2026-03-27 148.606 and 10.431), so InferenceX's load generator served them, with
     * its drawn lengths and its queue. No row of aiconfigurator's own runs repeats an InferenceX figure.
     */
    public static List<BenchmarkHarness> of(List<Map<String, String>> rows) {
        Map<String, List<Map<String, String>>> inferenceX = new HashMap<>();
        List<BenchmarkHarness> harnesses = new ArrayList<>(rows.size());
        for (Map<String, String> r : rows) {
            BenchmarkHarness h = of(r);
            harnesses.add(h);
            if (h == INFERENCEX) {
                inferenceX.computeIfAbsent(runKey(r), k -> new ArrayList<>()).add(r);
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> r = rows.get(i);
            if (harnesses.get(i) != INFERENCEX && inferenceX.getOrDefault(runKey(r), List.of()).stream()
                    .anyMatch(twin -> sameFigure(r, twin, "silicon_ttft_ms") && sameFigure(r, twin, "silicon_tpot_ms"))) {
                harnesses.set(i, INFERENCEX);
            }
        }
        return harnesses;
    }

    /** What a repeated measurement shares with its original besides the figures: engine, model, system, mode, lengths, clients. */
    private static String runKey(Map<String, String> r) {
        int clients = LatencyReplay.concurrency(r.getOrDefault("silicon_data_source", ""));
        return String.join("|", r.getOrDefault("backend", ""), r.getOrDefault("model_path", ""), r.getOrDefault("system", ""),
                r.getOrDefault("mode", ""), r.getOrDefault("isl", "").trim(), r.getOrDefault("osl", "").trim(),
                clients > 0 ? String.valueOf(clients) : r.getOrDefault("batch_size", "").trim());
    }

    private static boolean sameFigure(Map<String, String> a, Map<String, String> b, String column) {
        try {
            double x = Double.parseDouble(a.getOrDefault(column, "").trim());
            double y = Double.parseDouble(b.getOrDefault(column, "").trim());
            return Math.abs(x - y) <= REPEAT_TOLERANCE_MS;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The mean length this harness served for a row's nominal {@code length}: the length itself but for InferenceX's draw. */
    public int meanLength(int length) {
        return length;
    }

    /** The name outputs use: {@code inferencex}, {@code aiconfigurator} or {@code other}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

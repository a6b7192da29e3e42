package dev.autoparallel.perf;

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

    /** The mean length this harness served for a row's nominal {@code length}: the length itself but for InferenceX's draw. */
    public int meanLength(int length) {
        return length;
    }

    /** The name outputs use: {@code inferencex}, {@code aiconfigurator} or {@code other}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

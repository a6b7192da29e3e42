package dev.autoparallel.perf;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.model.ModelSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Fits one engine's calibration ({@link EngineCalibration}) of one step source on the measured serving points of a
 * file in the columns of measured-latency.csv that the source predicts: first the step overhead on TPOT (with, for the
 * measured-experts source, the cost per MoE layer), then the
 * prefill overhead, queue factor and queue exponent on TTFT, each by grid search for the lowest median absolute error of those rows.
 * Run by {@code jobs/fit-engine.sh ENGINE [FILE] [SOURCE] [harness]} (SOURCE {@code roofline}, {@code measured_kernels} or
 * {@code measured_experts}; default roofline); prints the grid's best point and the errors before and after, then each
 * benchmark harness's own queue ({@link #fitHarnessQueues}; with {@code harness}, only those, on the source's
 * calibration as it is). The other sources' calibrations stay as they are.
 */
public final class EngineFit {
    private EngineFit() {
    }

    /** The harness of each row being fitted, by identity ({@link BenchmarkHarness#of(List)} over the whole file). */
    private static final Map<Map<String, String>, BenchmarkHarness> HARNESS = new IdentityHashMap<>();

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args[0]);
        ServingEngine engine = ServingEngine.parse(args[1]);
        PerfModel.StepSource source = args.length > 2 ? PerfModel.StepSource.valueOf(args[2].toUpperCase(Locale.ROOT))
                : PerfModel.StepSource.ROOFLINE;
        List<Map<String, String>> file = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                file.add(r.toMap());
            }
        }
        // Each row's harness as the whole file tells it (a repeat of an InferenceX measurement is InferenceX's).
        List<BenchmarkHarness> harnesses = BenchmarkHarness.of(file);
        List<Map<String, String>> all = new ArrayList<>();
        for (int i = 0; i < file.size(); i++) {
            if (ServingEngine.parse(file.get(i).get("backend")) == engine) {
                all.add(file.get(i));
                HARNESS.put(file.get(i), harnesses.get(i));
            }
        }
        Map<String, ModelSpec> models = new HashMap<>();
        Function<String, ModelSpec> model = id -> models.computeIfAbsent(id, AutoParallel::model);
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, String> r : all) {
            LatencyReplay.Row row = LatencyReplay.replay(1, r, model, HARNESS.get(r));
            if (row.predicted() && row.source() == source) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            System.out.printf(Locale.ROOT, "%s %s: no row of %s is predicted from that source; nothing to fit%n", engine.key(),
                    source.key(), args[0]);
            return;
        }
        EngineCalibration now = engine.calibration(source);
        // "harness": each harness's queue alone; "burst": with a first-burst term as well (EngineCalibration#burstFactor).
        if (args.length > 3 && (args[3].equals("harness") || args[3].equals("burst"))) {
            fitHarnessQueues(engine, source, rows, model, now, args[3].equals("burst"));
            return;
        }
        double[] before = errors(rows, model, source, now);
        System.out.printf(Locale.ROOT, "%s %s: %d rows; now %s: %d predicted, TTFT %.1f%%, TPOT %.1f%%%n", engine.key(), source.key(),
                rows.size(), now, (int) before[2], before[0] * 100, before[1] * 100);
        boolean kernels = source != PerfModel.StepSource.ROOFLINE;
        // The measured-experts source also fits a cost per MoE layer (every row it predicts is a MoE model).
        boolean perMoeLayer = source == PerfModel.StepSource.MEASURED_EXPERTS;
        double bestStep = now.stepOverheadS();
        double bestMoe = now.moeLayerOverheadS();
        double bestTpot = Double.MAX_VALUE;
        for (double step = kernels ? 0 : 0.5e-3; step <= 6e-3 + 1e-12; step += 0.25e-3) {
            for (double moe = 0; moe <= (perMoeLayer ? 100e-6 : 0) + 1e-12; moe += 10e-6) {
                double[] e = errors(rows, model, source, new EngineCalibration(step, now.prefillOverheadS(),
                        now.queueFactor(), now.queueExponent(), moe));
                if (e[1] < bestTpot) {
                    bestTpot = e[1];
                    bestStep = step;
                    bestMoe = moe;
                }
            }
        }
        double bestPrefill = now.prefillOverheadS();
        double bestQueue = now.queueFactor();
        double bestExponent = now.queueExponent();
        double bestSum = Double.MAX_VALUE;
        for (double exponent = 0; exponent <= 1.0 + 1e-12; exponent += 0.1) {
            for (double prefill = 0; prefill <= 0.300 + 1e-12; prefill += 0.005) {
                for (double queue = 0; queue <= 2.0 + 1e-12; queue += 0.1) {
                    double[] e = errors(rows, model, source, new EngineCalibration(bestStep, prefill, queue, exponent, bestMoe));
                    if (e[0] + e[1] < bestSum) {
                        bestSum = e[0] + e[1];
                        bestPrefill = prefill;
                        bestQueue = queue;
                        bestExponent = exponent;
                    }
                }
            }
        }
        EngineCalibration fitted = new EngineCalibration(bestStep, bestPrefill, bestQueue, bestExponent, bestMoe);
        double[] after = errors(rows, model, source, fitted);
        System.out.printf(Locale.ROOT, "fitted step %.2f ms + %.0f us a MoE layer, prefill %.0f ms, queue factor %.1f,"
                        + " exponent %.1f: TTFT %.1f%%, TPOT %.1f%% (%d predicted)%n", bestStep * 1e3, bestMoe * 1e6,
                bestPrefill * 1e3, bestQueue, bestExponent, after[0] * 100, after[1] * 100, (int) after[2]);
        fitHarnessQueues(engine, source, rows, model, fitted, false);
    }

    /** The fewest rows of a harness that its own queue is fitted on; with fewer it keeps the source's queue. */
    static final int MIN_HARNESS_ROWS = 20;

    /** The first-burst factors the harness fit tries with {@code burst}: 0 and 1 / 2N for N from 160,000 down to 50 requests. */
    static final double[] BURSTS = {0, 3.125e-6, 6.25e-6, 1.25e-5, 2.5e-5, 5e-5, 1e-4, 2e-4, 4e-4, 8e-4, 1.6e-3, 3.2e-3, 1e-2};

    /**
     * Fits each harness's queue factor and exponent on its own rows, with {@code base}'s step, prefill and MoE-layer
     * overheads (the engine's, whatever the load), by grid search (factor 0 to 2 by 0.05, exponent 0 to 1 by 0.1; with
     * {@code burst}, factor 0 to 2 by 0.1 and a first-burst factor from {@link #BURSTS}) for the lowest sum of the median
     * absolute TTFT and TPOT errors.
     */
    static void fitHarnessQueues(ServingEngine engine, PerfModel.StepSource source, List<Map<String, String>> rows,
                                 Function<String, ModelSpec> model, EngineCalibration base, boolean burst) {
        for (BenchmarkHarness harness : BenchmarkHarness.values()) {
            List<Map<String, String>> own = rows.stream().filter(r -> HARNESS.get(r) == harness).toList();
            if (own.size() < MIN_HARNESS_ROWS) {
                System.out.printf(Locale.ROOT, "  %s: %d rows, fewer than %d: keeps the source's queue%n", harness.key(),
                        own.size(), MIN_HARNESS_ROWS);
                continue;
            }
            EngineCalibration current = engine.calibration(source, harness);
            double[] before = errors(own, model, source, current);
            double[] shared = errors(own, model, source, base);
            EngineCalibration best = base;
            double bestSum = Double.MAX_VALUE;
            for (double b : burst ? BURSTS : new double[] {0}) {
                for (int e = 0; e <= 10; e++) {
                    for (int q = 0; q <= 40; q += burst ? 2 : 1) {
                        EngineCalibration c = base.withQueue(q * 0.05, e * 0.1, b);
                        double[] err = errors(own, model, source, c);
                        if (err[0] + err[1] < bestSum) {
                            bestSum = err[0] + err[1];
                            best = c;
                        }
                    }
                }
            }
            double[] after = errors(own, model, source, best);
            System.out.printf(Locale.ROOT, "  %s: %d rows; the source's queue %.2f x (C-1)^%.1f: TTFT %.1f%%, TPOT %.1f%%;"
                            + " now %.2f x (C-1)^%.1f + %.3g x C^2: TTFT %.1f%%, TPOT %.1f%%; fitted %.2f x (C-1)^%.1f + %.3g x C^2:"
                            + " TTFT %.1f%%, TPOT %.1f%%, %d rows beyond 3x (%d now)%n",
                    harness.key(), own.size(), base.queueFactor(), base.queueExponent(), shared[0] * 100, shared[1] * 100,
                    current.queueFactor(), current.queueExponent(), current.burstFactor(), before[0] * 100, before[1] * 100,
                    best.queueFactor(), best.queueExponent(), best.burstFactor(), after[0] * 100, after[1] * 100, (int) after[3],
                    (int) before[3]);
        }
    }

    /** Median absolute TTFT and TPOT errors of the predicted rows, and their count, with {@code c} as {@code source}'s calibration. */
    static double[] errors(List<Map<String, String>> rows, Function<String, ModelSpec> model, PerfModel.StepSource source,
                           EngineCalibration c) {
        List<Double> ttft = new ArrayList<>();
        List<Double> tpot = new ArrayList<>();
        int beyond = 0;
        int line = 1;
        for (Map<String, String> r : rows) {
            BenchmarkHarness harness = HARNESS.get(r);
            PerfModel.Calibrations calibrations = (e, s) -> s == source ? c : e.calibration(s, harness);
            LatencyReplay.Row row = LatencyReplay.replay(++line, r, model, harness, calibrations, true);
            if (row.predicted()) {
                ttft.add(row.ttftError());
                tpot.add(row.tpotError());
                beyond += row.offByMoreThan(LatencyReplay.ROW_ERROR_FACTOR) ? 1 : 0;
            }
        }
        return new double[] {LatencyReplay.median(ttft), LatencyReplay.median(tpot), ttft.size(), beyond};
    }
}

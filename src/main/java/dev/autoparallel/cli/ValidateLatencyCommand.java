package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.LatencyReplay;
import dev.autoparallel.source.TextFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate-latency", mixinStandardHelpOptions = true,
        description = "Replays measured serving points (aiconfigurator's silicon_sample.csv columns) through the speed model: "
                + "each row's predicted TTFT and TPOT or why not, and the median absolute errors.")
final class ValidateLatencyCommand implements Callable<Integer> {
    /** Largest measurement file read. */
    static final int MAX_BYTES = 64 << 20;

    @Parameters(paramLabel = "FILE.csv")
    Path file;

    @Option(names = "--json")
    boolean json;

    @Option(names = "--rows", description = "print every row, not only the error table (text output)")
    boolean rows;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Map<String, String>> records = CsvRows.parse(TextFiles.read(file, "csv", MAX_BYTES), file.toString(),
                LatencyReplay.REQUIRED_COLUMNS, "a file of measured serving points (aiconfigurator's silicon_sample.csv columns)");
        // Each model is resolved once: its spec, or the error every row of it then reports (no Hub retries per row).
        Map<String, Object> models = new HashMap<>();
        Function<String, ModelSpec> model = id -> {
            Object o = models.computeIfAbsent(id, k -> {
                try {
                    return AutoParallel.model(k);
                } catch (AutoParallelException e) {
                    return e;
                }
            });
            if (o instanceof AutoParallelException e) {
                throw e;
            }
            return (ModelSpec) o;
        };
        List<LatencyReplay.Row> replayed = LatencyReplay.replayAll(records, model);
        List<LatencyReplay.Errors> errors = LatencyReplay.errors(replayed);
        List<LatencyReplay.Errors> engines = LatencyReplay.errorsByEngineAndMode(replayed);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Map<String, Object>> rowsJson = new ArrayList<>();
            for (LatencyReplay.Row r : replayed) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("line", r.line());
                j.put("model", r.model());
                j.put("engine", r.engine());
                j.put("system", r.system());
                // Whose load generator measured the row: its lengths and how its prompts queue.
                j.put("harness", r.harness().key());
                j.put("isl", r.isl());
                j.put("osl", r.osl());
                // The mean lengths the row's harness served, which the model is given (InferenceX: 0.9 of the file's).
                j.put("replayed_isl", r.replayedIsl());
                j.put("replayed_osl", r.replayedOsl());
                j.put("concurrency", r.concurrency());
                double implied = r.impliedDecoding();
                j.put("implied_decoding", Double.isNaN(implied) ? null : Math.round(implied * 10) / 10.0);
                j.put("measured_ttft_ms", r.measuredTtftMs());
                j.put("measured_tpot_ms", r.measuredTpotMs());
                j.put("ttft_ms", r.ttftMs());
                j.put("tpot_ms", r.tpotMs());
                j.put("speed_source", r.source() == null ? null : r.source().key());
                // The MoE kernel the row's recipe forces (InferenceX's gpt-oss on vLLM: marlin); null: the engine's own.
                j.put("expert_kernel", r.expertKernel());
                // The engine settings of the prompt hold the row's recipe turns on (TensorRT-LLM's batch waiting or
                // attention-DP balance); null: none.
                j.put("prompt_hold", r.promptHold());
                j.put("error", r.error());
                rowsJson.add(j);
            }
            LatencyReplay.Errors all = errors.get(errors.size() - 1);
            m.put("rows", rowsJson);
            m.put("predicted_rows", all.predicted());
            m.put("median_abs_error_ttft", all.medianAbsErrorTtft());
            m.put("median_abs_error_tpot", all.medianAbsErrorTpot());
            m.put("rows_beyond_3x", all.beyondFactor());
            m.put("groups", errorsJson(errors, "group"));
            m.put("engines", errorsJson(engines.subList(0, engines.size() - 1), "engine_mode"));
            out.println(Json.write(m));
            return 0;
        }
        if (rows) {
            for (LatencyReplay.Row r : replayed) {
                out.println(r.predicted()
                        ? String.format(Locale.ROOT, "%5d %s %s %s %s %d/%d x%d: TTFT %.0f (measured %.0f) ms, TPOT %.1f (%.1f) ms",
                        r.line(), r.model(), r.engine(), r.system(), r.layout(), r.isl(), r.osl(), r.concurrency(), r.ttftMs(),
                        r.measuredTtftMs(), r.tpotMs(), r.measuredTpotMs())
                        : String.format(Locale.ROOT, "%5d %s %s %s: not predicted: %s", r.line(), r.model(), r.engine(), r.system(),
                        r.error()));
            }
        }
        table(out, "GROUP", errors);
        out.println();
        table(out, "ENGINE | MODE", engines);
        return 0;
    }

    /** One table of median errors: a line per group, "all" last; BEYOND-3X counts the rows off by more than 3x either way. */
    private static void table(PrintWriter out, String title, List<LatencyReplay.Errors> errors) {
        out.printf(Locale.ROOT, "%-55s %5s %10s %9s %9s %10s%n", title, "ROWS", "PREDICTED", "TTFT-ERR", "TPOT-ERR", "BEYOND-3X");
        for (LatencyReplay.Errors e : errors) {
            out.printf(Locale.ROOT, "%-55s %5d %10d %9s %9s %10d%n", e.group(), e.rows(), e.predicted(), pct(e.medianAbsErrorTtft()),
                    pct(e.medianAbsErrorTpot()), e.beyondFactor());
        }
    }

    /** Error groups as JSON objects, the group's name under {@code key}. */
    private static List<Map<String, Object>> errorsJson(List<LatencyReplay.Errors> errors, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LatencyReplay.Errors e : errors) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put(key, e.group());
            g.put("rows", e.rows());
            g.put("predicted", e.predicted());
            g.put("median_abs_error_ttft", e.medianAbsErrorTtft());
            g.put("median_abs_error_tpot", e.medianAbsErrorTpot());
            g.put("rows_beyond_3x", e.beyondFactor());
            out.add(g);
        }
        return out;
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}

package dev.autoparallel.perf;

import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.Quantization;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Replays measured serving points, in the columns of aiconfigurator's {@code silicon_sample.csv}
 * (as {@code measured-latency.csv} holds them), through the throughput model: each row's
 * predicted TTFT and TPOT, or why it cannot be predicted, and the median absolute errors per
 * model x engine x GPU and overall. Pure: rows come in as column maps.
 */
public final class LatencyReplay {
    /** The measurement systems of the file and the catalog GPUs they are. */
    static final Map<String, String> SYSTEMS = Map.of("h100_sxm", "H100", "h200_sxm", "H200", "b200_sxm", "B200",
            "b300_sxm", "B300", "gb200", "GB200", "gb300", "GB300", "a100_sxm", "A100-80GB", "l40s", "L40S",
            "rtx_pro_6000_server", "RTX-PRO-6000");

    private LatencyReplay() {
    }

    /**
     * One row's replay.
     *
     * @param error why no prediction was made (null when there is one)
     */
    public record Row(int line, String model, String engine, String system, String layout, int isl, int osl, int concurrency,
                      double measuredTtftMs, double measuredTpotMs, Double ttftMs, Double tpotMs, String error) {
        public boolean predicted() {
            return error == null;
        }

        public double ttftError() {
            return Math.abs(ttftMs - measuredTtftMs) / measuredTtftMs;
        }

        public double tpotError() {
            return Math.abs(tpotMs - measuredTpotMs) / measuredTpotMs;
        }

        public String group() {
            return model + " | " + engine + " | " + system;
        }
    }

    /** Median absolute errors of the predicted rows of a group. */
    public record Errors(String group, int rows, int predicted, Double medianAbsErrorTtft, Double medianAbsErrorTpot) {
    }

    /**
     * Replays one row.
     *
     * @param model resolves a model id (the catalog, offline)
     */
    public static Row replay(int line, Map<String, String> r, Function<String, ModelSpec> model) {
        return replay(line, r, model, ServingEngine::calibration, ServingEngine::kernelCalibration, true);
    }

    /**
     * As {@link #replay(int, Map, Function)}, each engine with the calibrations {@code calibration} (roofline) and
     * {@code kernelCalibration} (measured kernels) give it (fitting one); {@code measuredKernels} false replays
     * {@link PerfModel#rooflineOnly} instead (the comparison of jobs/compare-kernels.sh).
     */
    static Row replay(int line, Map<String, String> r, Function<String, ModelSpec> model,
                      Function<ServingEngine, EngineCalibration> calibration, Function<ServingEngine, EngineCalibration> kernelCalibration,
                      boolean measuredKernels) {
        String modelId = r.getOrDefault("model_path", "");
        String backend = r.getOrDefault("backend", "");
        String system = r.getOrDefault("system", "");
        double ttft = orNaN(r.get("silicon_ttft_ms"));
        double tpot = orNaN(r.get("silicon_tpot_ms"));
        String layout = "TP " + r.getOrDefault("tp_size", "?") + " PP " + r.getOrDefault("pp_size", "?");
        int isl = (int) orZero(r.get("isl"));
        int osl = (int) orZero(r.get("osl"));
        int c = (int) orZero(r.get("batch_size"));
        Function<String, Row> refuse = why -> new Row(line, modelId, backend, system, layout, isl, osl, c, ttft, tpot, null, null, why);
        if (!"agg".equals(r.getOrDefault("mode", "agg"))) {
            return refuse.apply("disaggregated prefill/decode serving is not modelled yet");
        }
        if (!(ttft > 0) || !(tpot > 0) || isl < 1 || osl < 1 || c < 1) {
            return refuse.apply("the row lacks a positive silicon_ttft_ms, silicon_tpot_ms, isl, osl or batch_size");
        }
        if (number(r.get("attention_dp_size")) > 1) {
            return refuse.apply("attention data parallelism (attention_dp_size " + r.get("attention_dp_size") + ") is not modelled");
        }
        String gpuName = SYSTEMS.get(system);
        if (gpuName == null) {
            return refuse.apply("system '" + system + "' is not a GPU in the catalog; known: " + String.join(", ", new TreeMap<>(SYSTEMS).keySet()));
        }
        try {
            Gpu gpu = GpuCatalog.require(gpuName, "system");
            ServingEngine engine = ServingEngine.parse(backend);
            String version = r.getOrDefault("backend_version", "");
            EngineSettings settings = engine == ServingEngine.VLLM && !version.isBlank()
                    ? EngineSettings.forVersion(VllmVersion.parse(version)) : EngineSettings.defaults();
            ModelSpec checkpoint = model.apply(modelId);
            String precision = r.getOrDefault("precision", "");
            if (checkpoint.quantization() instanceof Quantization.None) {
                if (precision.equals("fp8")) {
                    boolean block = r.getOrDefault("gemm_quant_mode", "").contains("block");
                    settings = settings.withQuantization(block ? ServingQuantization.FP8_PER_BLOCK : ServingQuantization.FP8);
                } else if (!precision.isBlank() && !precision.equals("bf16") && !precision.equals("fp16")) {
                    return refuse.apply("a 16-bit checkpoint served at precision '" + precision + "' is not modelled");
                }
            }
            ModelSpec spec = settings.served(checkpoint, gpu);
            int tp = (int) number(r.get("tp_size"));
            int pp = (int) number(r.get("pp_size"));
            boolean ep = number(r.get("moe_ep_size")) > 1;
            Workload w = new Workload(isl, osl, c);
            MemoryModel memory = new MemoryModel(spec, gpu);
            PerfModel perf = measuredKernels ? new PerfModel(memory) : PerfModel.rooflineOnly(memory);
            PerfEstimate e = perf.estimate(new Layout(tp, pp, 1, ep && tp > 1), 8, gpu.memoryBytes(), settings, w,
                    engine, calibration.apply(engine), kernelCalibration.apply(engine)).orElse(null);
            if (e == null) {
                return refuse.apply("the layout does not fit in the memory model");
            }
            return new Row(line, modelId, backend, system, layout, isl, osl, c, ttft, tpot, e.ttftMs(), e.tpotMs(), null);
        } catch (AutoParallelException | IllegalArgumentException e) {
            return refuse.apply(e.getMessage());
        }
    }

    /** Per model x engine x GPU, and "all" last. */
    public static List<Errors> errors(List<Row> rows) {
        Map<String, List<Row>> groups = new TreeMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        }
        List<Errors> out = new ArrayList<>();
        groups.forEach((g, rs) -> out.add(errors(g, rs)));
        out.add(errors("all", rows));
        return out;
    }

    private static Errors errors(String group, List<Row> rows) {
        List<Row> p = rows.stream().filter(Row::predicted).toList();
        return new Errors(group, rows.size(), p.size(), median(p.stream().map(Row::ttftError).toList()),
                median(p.stream().map(Row::tpotError).toList()));
    }

    static Double median(List<Double> v) {
        if (v.isEmpty()) {
            return null;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double orNaN(String s) {
        try {
            return number(s);
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    private static double orZero(String s) {
        double v = orNaN(s);
        return Double.isFinite(v) ? v : 0;
    }

    private static double number(String s) {
        if (s == null || s.isBlank()) {
            return 0;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "'%s' is not a number", s.length() > 40 ? s.substring(0, 40) : s));
        }
    }
}

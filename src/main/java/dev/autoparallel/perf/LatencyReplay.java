package dev.autoparallel.perf;

import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
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
     * Decode steps between a request's KV transfer and its first token at the client in the measured disaggregated
     * TensorRT-LLM deployments (NVIDIA Dynamo's TensorRT-LLM runtime 0.8.1, DeepSeek-R1/V3, H100/H200), fitted
     * 2026-12-01 on the 33 disaggregated TensorRT-LLM rows of measured-latency.csv that name their worker counts, once
     * the closed network stopped queueing requests for decode slots that outnumber them ({@link Disaggregation#meanValues}).
     * Those rows measure their TTFT above the prefill, its queue and the transfer by some 35 to 55 of their own decode
     * steps at every load (36 to 576 clients). Median TTFT error on them: 67.5% with none, 27.2% with 35, 17 to 21% for
     * anything from 44 to 56 (the grid's least, 16.7% at 55, is within that noise of 33 rows), 24.1% with 60; 50 is the
     * middle. What spends the steps is not established: InferenceX's srt-slurm recipes for these runs (e.g.
     * dsr1/trtllm/h200-fp8/1k1k/disagg/stp/c16_ctx1_gen9_tep8_batch256_eplb0_mtp0.yaml, container
     * ai-dynamo/tensorrtllm-runtime:0.8.1.post1) stream every 100 iterations ({@code stream_interval: 100}) on both
     * workers, though TensorRT-LLM's executor as read on 2026-12-02 sends a request's first token at once whatever the
     * interval (py_executor.py: a response at {@code py_decoding_iter == 1}). Refitted 2026-12-02, once the decode steps took
     * TensorRT-LLM's measured MLA block (about a fifth longer for DeepSeek at these loads) and its calibration was
     * refitted: 33.7% at 36 steps, 30.0% at 40, 27.7% at 43, 24.5% at 46, 26.9% at 48, 29.2% at 50, 33.1% at 55. Checked
     * 2026-12-02 once the H100 runs' prefill took their recipes' DeepEP all-to-all ({@link #forcedExpertDispatch}): 17.1%
     * at 36, 13.2% at 40, 13.3% at 43 (three rows beyond 3x), 14.9% at 46, 14.8% at 48, 14.4% at 50, 20.1% at 55 (two);
     * within the noise of 33 rows, so kept. Again once attention-DP prefill steps carried the loaded ranks' prompts
     * ({@link Disaggregation}): 18.3% at 36 (five beyond 3x), 13.6% at 40 and 12.8% at 43 (four), 12.1% at 46, 12.0% at
     * 48, 12.5% at 50, 18.6% at 55 (two): kept. Refitted 2026-12-03 once a context worker spent TensorRT-LLM's
     * per-prefill overhead as its own time ({@link ServingEngine#prefillOverheadHoldsWorker}), took the prompts waiting
     * for it up to its recipe's batch and ran the recipe's layout ({@link #dynamoPrefill}), and the prefill queue took its
     * constant service ({@link Disaggregation}): 24.0% at 36, 18.7% at 40, 13.6% at 43, 12.5% at 46 (three beyond 3x),
     * 10.6% at 50 (one), 15.3% at 55 (one). 50 is also the mean wait for the next of the decode workers' responses, which
     * the recipes send every 100 iterations ({@code stream_interval: 100}), were the first token held to them.
     */
    static final double DYNAMO_TRTLLM_FIRST_TOKEN_STEPS = 50;

    /**
     * The decode workers' {@code max_batch_size} of InferenceX's Dynamo TensorRT-LLM DeepSeek-R1 FP8 runs on H100 by ISL,
     * OSL and concurrency: .github/configs/nvidia-master.yaml ({@code dsr1-fp8-h100-dynamo-trt}, tensorrtllm-runtime
     * 0.8.1.post3, SemiAnalysisAI/InferenceX commit 0004cf5, read 2026-12-02) runs each concurrency with one srt-slurm
     * recipe (ishandhanani/srt-slurm, branch sa-submission-q1-2026, recipes/trtllm/h100-fp8/), whose name and decode
     * {@code max_batch_size} give the batch: {@code ctx1_gen3_tep16_batch1} at 6 clients, {@code batch2} at 9,
     * {@code batch8} at 30, {@code batch16} at 60 (1,024 / 1,024), and {@code ctx1_gen2_tep16_batch64} at 154 (8,192 /
     * 1,024), with and without MTP alike. The rows write the decode batch as the clients over the workers (2, 3, 10, 20,
     * 77), more slots than the workers had.
     */
    static final Map<String, Integer> INFERENCEX_DYNAMO_H100_DECODE_BATCH = Map.of(
            "1024/1024/6", 1, "1024/1024/9", 2, "1024/1024/30", 8, "1024/1024/60", 16,
            "8192/1024/6", 1, "8192/1024/9", 2, "8192/1024/30", 8, "8192/1024/154", 64);

    /** The most GPUs an InferenceX single-node recipe runs a model on: one 8-GPU node. */
    static final int MAX_SINGLE_NODE_GPUS = 8;

    /** InferenceX's Llama-3.1-70B TensorRT-LLM recipe at 1,024 / 1,024 below TP 8 ({@link #promptHold}). */
    static final int INFERENCEX_70B_BATCH_WAIT_ITERS = 20;
    static final double INFERENCEX_70B_BATCH_WAIT_RATIO = 0.9;
    static final int INFERENCEX_70B_MAX_NUM_TOKENS = 16_384;
    /** InferenceX's DeepSeek-R1 TensorRT-LLM recipes with attention DP: {@code attention_dp_config timeout_iters} ({@link #promptHold}). */
    static final int INFERENCEX_DSR1_ADP_TIMEOUT_ITERS = 60;

    /**
     * An InferenceX row with the layout its run had. Some of InferenceX's exports write an expert-parallel run's
     * attention split multiplied by its EP degree and its GPU count as {@code moe_tp_size}: DeepSeek-R1 on TensorRT-LLM
     * at TP 8 / EP 8 appears as {@code tp_size 64, moe_tp_size 8, moe_ep_size 8}, and with attention DP as {@code
     * attention_dp_size 64} and a batch of 4 where its twin says 8 ranks of 32. Every such row of
     * measured-latency.csv that has a twin in another export (the same engine, version, model, GPU, lengths and
     * measured TTFT: 34 rows, DeepSeek-R1 on TensorRT-LLM 1.1 and Qwen3.5-397B on SGLang 0.5.9) has that twin at
     * {@code tp_size x attention_dp_size = moe_tp_size} with {@code moe_ep_size} spreading the experts, and no
     * InferenceX recipe runs a single-node model on more than 8 GPUs. The 2026-04-06 export writes vLLM's MiniMax-M2.5
     * at TP 4 with expert parallelism on four H100s as {@code tp_size 4, attention_dp_size 4, moe_ep_size 16} with a
     * quarter of the batch, where the 2026-03-25 export has {@code tp_size 4, moe_ep_size 4}: of the 15 pairs (the same
     * lengths and concurrency), 13 measure the same TPOT within 1% and TTFT within 12% (re-runs a day apart); that form,
     * TP x attention DP = EP with TP = DP over more than 8 GPUs, is read as TP with EP over TP ranks. InferenceX runs
     * DeepSeek-R1 on TensorRT-LLM at EP = TP in every configuration, with and without MTP (.github/configs/nvidia-master.yaml,
     * {@code dsr1-fp8-h200-trt} and {@code dsr1-fp8-h200-trt-mtp}: "For all sequence lengths, EP=TP", read 2026-12-02);
     * its export of the 2025-11-02 runs writes them as expert TP 8 without EP ({@code moe_tp_size 8, moe_ep_size 1}),
     * and they measure the TPOT of the 2025-12-15 runs written as TP 8 x EP 8 within 1% at every load: read as EP = TP.
     * Other rows are returned unchanged, the mixed expert TP x EP splits of aiconfigurator's own runs included.
     */
    static Map<String, String> inferenceXLayout(Map<String, String> r, BenchmarkHarness harness) {
        int tp = (int) orZero(r.get("tp_size"));
        int dp = Math.max(1, (int) orZero(r.get("attention_dp_size")));
        int moeTp = (int) orZero(r.get("moe_tp_size"));
        int moeEp = (int) orZero(r.get("moe_ep_size"));
        boolean agg = harness == BenchmarkHarness.INFERENCEX && r.getOrDefault("mode", "agg").equals("agg");
        if (agg && deepSeekOnTrtllm(r) && moeTp == tp && tp > 1 && moeEp <= 1 && dp == 1) {
            Map<String, String> run = new TreeMap<>(r);
            run.put("moe_tp_size", "1");
            run.put("moe_ep_size", Integer.toString(tp));
            return run;
        }
        if (agg && moeTp <= 1 && tp > 1 && dp == tp && (long) tp * dp == moeEp && tp * dp > MAX_SINGLE_NODE_GPUS) {
            Map<String, String> run = new TreeMap<>(r);
            run.put("attention_dp_size", "1");
            run.put("moe_ep_size", Integer.toString(tp));
            run.put("batch_size", Long.toString(Math.round(orZero(r.get("batch_size")) * dp)));
            return run;
        }
        boolean multiplied = agg && moeTp > 1 && moeEp > 1
                && (long) moeTp * moeEp == (long) tp * dp && (tp == 1 || dp == 1) && Math.max(tp, dp) % moeEp == 0;
        if (!multiplied) {
            return r;
        }
        Map<String, String> run = new TreeMap<>(r);
        int realDp = dp == 1 ? 1 : dp / moeEp;
        run.put("tp_size", Integer.toString(tp == 1 ? 1 : tp / moeEp));
        run.put("attention_dp_size", Integer.toString(realDp));
        run.put("moe_tp_size", "1");
        // The concurrency (batch_size per attention rank x ranks) is the run's: the batch grows as the ranks shrink.
        run.put("batch_size", Long.toString(Math.round(orZero(r.get("batch_size")) * dp / realDp)));
        return run;
    }

    /**
     * How many requests a closed-loop row's own figures say were decoding at once, by Little's law: each of the
     * {@code concurrency} clients spends TTFT + (OSL - 1) x TPOT on a request, (OSL - 1) x TPOT of it decoding. Far
     * below the concurrency while the engine would hold every request, it says the run was capped by something
     * outside the engine's scheduler (a client, a server limit, failed requests). NaN without positive figures.
     */
    public static double impliedDecoding(int concurrency, int outputTokens, double ttftMs, double tpotMs) {
        if (concurrency < 1 || outputTokens < 2 || !(ttftMs > 0) || !(tpotMs > 0)) {
            return Double.NaN;
        }
        double decoding = (outputTokens - 1) * tpotMs;
        return concurrency * decoding / (ttftMs + decoding);
    }

    /**
     * One row's replay.
     *
     * @param disaggregated whether the row ran disaggregated prefill and decode pools ({@code mode} {@code disagg})
     * @param isl         the file's prompt length
     * @param osl         the file's output length
     * @param replayedIsl the mean prompt length the row's harness served, which the model is given ({@link BenchmarkHarness#meanLength})
     * @param replayedOsl the same for the output
     * @param harness     the load generator that measured the row ({@link BenchmarkHarness#of})
     * @param source      where the predicted step times come from (null when there is no prediction)
     * @param expertKernel the MoE kernel the row's recipe forces ({@link #forcedExpertKernel}), null for the engine's own
     * @param promptHold   the engine settings of the prompt hold the row's recipe turns on ({@link #promptHold}), null for none
     * @param error       why no prediction was made (null when there is one)
     */
    public record Row(int line, String model, String engine, String system, String layout, boolean disaggregated, int isl, int osl,
                      int replayedIsl, int replayedOsl, int concurrency, double measuredTtftMs, double measuredTpotMs, Double ttftMs,
                      Double tpotMs, BenchmarkHarness harness, PerfModel.StepSource source, String expertKernel, String promptHold,
                      String error) {
        public boolean predicted() {
            return error == null;
        }

        /** {@link #impliedDecoding(int, int, double, double)} of the row's measured figures at its replayed output length. */
        public double impliedDecoding() {
            return LatencyReplay.impliedDecoding(concurrency, replayedOsl, measuredTtftMs, measuredTpotMs);
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

        /** The row's engine and serving mode: {@code vllm | agg}, {@code trtllm | disagg}, ... */
        public String engineMode() {
            return engine + " | " + (disaggregated() ? "disagg" : "agg");
        }

        /**
         * Whether a predicted row's TTFT or TPOT is off by more than {@code factor} either way (predicted over measured
         * above {@code factor} or below its inverse); false for a row without a prediction.
         */
        public boolean offByMoreThan(double factor) {
            return predicted() && (ratioBeyond(ttftMs / measuredTtftMs, factor) || ratioBeyond(tpotMs / measuredTpotMs, factor));
        }

        private static boolean ratioBeyond(double ratio, double factor) {
            return ratio > factor || ratio < 1 / factor;
        }
    }

    /**
     * How far issue 11's target lets a single row miss: no predicted row off by more than this factor either way, on TTFT
     * or on TPOT.
     */
    public static final double ROW_ERROR_FACTOR = 3;

    /**
     * Median absolute errors of the predicted rows of a group, and how many of them miss TTFT or TPOT by more than
     * {@link #ROW_ERROR_FACTOR} either way.
     */
    public record Errors(String group, int rows, int predicted, Double medianAbsErrorTtft, Double medianAbsErrorTpot,
                         int beyondFactor) {
    }

    /**
     * The columns every row needs (what was served, where, at which lengths, and what was measured); a row's layout,
     * concurrency and disaggregated pools have their own columns, whose absence refuses that row alone.
     */
    public static final List<String> REQUIRED_COLUMNS = List.of("model_path", "backend", "system", "isl", "osl",
            "silicon_ttft_ms", "silicon_tpot_ms");

    /**
     * Replays one row, each engine with the queue fitted on its harness's rows ({@link
     * ServingEngine#calibration(PerfModel.StepSource, BenchmarkHarness)}).
     *
     * @param model resolves a model id (the catalog, offline)
     */
    public static Row replay(int line, Map<String, String> r, Function<String, ModelSpec> model) {
        return replay(line, r, model, BenchmarkHarness.of(r));
    }

    /** As {@link #replay(int, Map, Function)}, the row measured by {@code harness}. */
    public static Row replay(int line, Map<String, String> r, Function<String, ModelSpec> model, BenchmarkHarness harness) {
        return replay(line, r, model, harness, (engine, source) -> engine.calibration(source, harness), true);
    }

    /**
     * Replays every row of one file, the first on line 2 (under the header), each with its harness as the file tells it
     * ({@link BenchmarkHarness#of(List)}: a row repeating an InferenceX measurement is InferenceX's).
     */
    public static List<Row> replayAll(List<Map<String, String>> rows, Function<String, ModelSpec> model) {
        List<BenchmarkHarness> harnesses = BenchmarkHarness.of(rows);
        List<Row> replayed = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            replayed.add(replay(i + 2, rows.get(i), model, harnesses.get(i)));
        }
        return replayed;
    }

    /**
     * As {@link #replay(int, Map, Function, BenchmarkHarness)}, each engine and step source with the calibration {@code
     * calibrations} gives it (fitting one); {@code measuredKernels} false replays {@link PerfModel#rooflineOnly} instead
     * (the comparison of jobs/compare-kernels.sh).
     */
    static Row replay(int line, Map<String, String> row, Function<String, ModelSpec> model, BenchmarkHarness harness,
                      PerfModel.Calibrations calibrations, boolean measuredKernels) {
        Map<String, String> r = inferenceXLayout(row, harness);
        String modelId = r.getOrDefault("model_path", "");
        String backend = r.getOrDefault("backend", "");
        String system = r.getOrDefault("system", "");
        String mode = r.getOrDefault("mode", "agg");
        boolean disaggregated = mode.equals("disagg");
        double ttft = orNaN(r.get("silicon_ttft_ms"));
        double tpot = orNaN(r.get("silicon_tpot_ms"));
        String layout = disaggregated
                ? "prefill " + r.getOrDefault("prefill_num_workers", "?") + " x TP " + r.getOrDefault("prefill_tp_size", "?")
                        + " DP " + r.getOrDefault("prefill_attention_dp_size", "?") + ", decode " + r.getOrDefault("decode_num_workers", "?")
                        + " x TP " + r.getOrDefault("decode_tp_size", "?") + " DP " + r.getOrDefault("decode_attention_dp_size", "?")
                : "TP " + r.getOrDefault("tp_size", "?") + " PP " + r.getOrDefault("pp_size", "?") + " DP "
                        + r.getOrDefault("attention_dp_size", "1");
        int isl = (int) orZero(r.get("isl"));
        int osl = (int) orZero(r.get("osl"));
        // Aggregated rows: batch_size sequences per attention data-parallel rank (aiconfigurator's convention: the
        // concurrency is batch_size x attention_dp_size). Disaggregated rows: the benchmark's concurrency.
        int statedClients = concurrency(r.getOrDefault("silicon_data_source", ""));
        int c = disaggregated ? statedClients
                : (int) (orZero(r.get("batch_size")) * Math.max(1, orZero(r.get("attention_dp_size"))));
        int replayedIsl = harness.meanLength(isl);
        int replayedOsl = harness.meanLength(osl);
        Function<String, Row> refuse = why -> new Row(line, modelId, backend, system, layout, disaggregated, isl, osl, replayedIsl,
                replayedOsl, c, ttft, tpot, null, null, harness, null, null, null, why);
        if (!disaggregated && !mode.equals("agg")) {
            return refuse.apply("mode '" + mode + "' is neither agg nor disagg");
        }
        String badCount = countColumnError(r);
        if (badCount != null) {
            return refuse.apply(badCount);
        }
        if (!(ttft > 0) || !(tpot > 0) || isl < 1 || osl < 1) {
            return refuse.apply("the row lacks a positive silicon_ttft_ms, silicon_tpot_ms, isl or osl");
        }
        if (c < 1) {
            return refuse.apply(disaggregated ? "the row gives no concurrency (silicon_concurrency=N in silicon_data_source)"
                    : "the row lacks a positive batch_size");
        }
        if (!disaggregated && statedClients > 0 && statedClients != c) {
            return refuse.apply("silicon_concurrency " + statedClients + " is not batch_size x attention_dp_size (" + c
                    + "): the row's clients and its batch disagree, so which of them ran is not known");
        }
        if (disaggregated && (orZero(r.get("prefill_num_workers")) < 1 || orZero(r.get("decode_num_workers")) < 1)) {
            return refuse.apply("prefill_num_workers and decode_num_workers are missing: the row does not say how many workers"
                    + " each pool had");
        }
        String speculative = unstatedSpeculation(r, harness);
        if (speculative != null) {
            return refuse.apply(speculative);
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
            checkpoint = servedCheckpoint(checkpoint, precision, model);
            if (checkpoint.quantization() instanceof Quantization.None) {
                if (precision.equals("fp8")) {
                    boolean block = r.getOrDefault("gemm_quant_mode", "").contains("block");
                    settings = settings.withQuantization(block ? ServingQuantization.FP8_PER_BLOCK : ServingQuantization.FP8);
                } else if (!precision.isBlank() && !precision.equals("bf16") && !precision.equals("fp16")) {
                    return refuse.apply("a 16-bit checkpoint served at precision '" + precision + "' is not modelled");
                }
            }
            if (engine == ServingEngine.TRTLLM && precision.equals("fp8")) {
                // TensorRT-LLM's FP8 runs quantize the KV cache too, FP8 checkpoints included. With a 16-bit cache Qwen3-32B
                // FP8 on one H100 at 4,096 / 128 holds 38 requests in TensorRT-LLM's default pool under
                // GUARANTEED_NO_EVICT (77 with an FP8 cache), and 64 in flight would queue 26 of them behind whole request
                // lifetimes (TTFT near 10 s); 1.6 s was measured (measured-latency.csv). InferenceX's DeepSeek-R1 FP8
                // recipe sets it (benchmarks/dsr1_fp8_h200_trt.sh: kv_cache_config dtype fp8).
                settings = settings.withKvCacheDtype(KvCacheDtype.FP8);
            }
            settings = inferenceX70bVllm(r, harness, engine, settings);
            ModelSpec spec = settings.served(checkpoint, gpu);
            Workload w = new Workload(replayedIsl, replayedOsl, c);
            MemoryModel memory = new MemoryModel(spec, gpu);
            PerfModel perf = measuredKernels ? new PerfModel(memory) : PerfModel.rooflineOnly(memory);
            String expertKernel = forcedExpertKernel(harness, engine, system, spec);
            perf = perf.withExpertKernel(engine, expertKernel);
            if (engine == ServingEngine.TRTLLM) {
                perf = perf.withTrtllmRelease(TrtllmRelease.parse(version).orElse(null));
            }
            if (disaggregated) {
                ExpertDispatch dispatch = forcedExpertDispatch(harness, engine, system, true);
                if (dispatch != null) {
                    perf = perf.withExpertDispatch(engine, dispatch);
                }
                Disaggregation.Pool prefill = dynamoPrefill(r, harness, pool(r, "prefill_", spec.isMoe()), isl);
                Disaggregation.Pool decode = dynamoDecodeBatch(r, harness, pool(r, "decode_", spec.isMoe()), isl, osl, c);
                double firstTokenSteps = engine == ServingEngine.TRTLLM && harness == BenchmarkHarness.INFERENCEX
                        ? DYNAMO_TRTLLM_FIRST_TOKEN_STEPS : 0;
                Disaggregation.Estimate e = Disaggregation.estimate(perf, prefill, decode, 8, settings, w, engine, calibrations,
                        firstTokenSteps).orElse(null);
                if (e == null) {
                    return refuse.apply("the prefill or decode layout does not fit in the memory model");
                }
                return new Row(line, modelId, backend, system, layout, disaggregated, isl, osl, replayedIsl, replayedOsl, c, ttft, tpot,
                        e.ttftMs(), e.tpotMs(),
                        harness, e.decodeSource(), expertKernel, null, null);
            }
            Layout l = layout(r, "", spec.isMoe());
            if (!l.expertParallel() && l.tp() * l.dp() > 1 && memory.invalidLayout(l) != null
                    && memory.invalidLayout(new Layout(l.tp(), l.pp(), l.dp(), true)) == null) {
                // Only the experts' TP shards break their FP8 blocks (MiniMax-M2.5's 1,536 / 8 = 192): the engines refuse
                // that split ("not divisible by weight quantization block_n = 128"), and the published runs of such rows
                // spread the experts instead (vLLM's MiniMax recipe and InferenceX PR #869: TP 8 with
                // --enable-expert-parallel; TensorRT-LLM PR #14613: EP 8), whatever the row's moe columns say.
                l = new Layout(l.tp(), l.pp(), l.dp(), true);
            }
            // The engine view sized for the row's workload, once: the estimate and its step source both read it.
            EngineSettings sized = settings.withMaxModelLen(w.sequenceLength()).withMaxNumSeqs((c + l.dp() - 1) / l.dp());
            MemoryEstimate mem = memory.evaluate(l, sized, gpu.memoryBytes());
            if (!mem.fits()) {
                return refuse.apply("the layout does not fit in the memory model");
            }
            mem = enginePool(memory, sized, mem, engine, gpu, recipeMemFraction(r, harness, engine));
            PromptHold hold = promptHold(r, harness, engine, l);
            PerfEstimate e = perf.estimate(l, 8, mem, w, engine, calibrations, hold);
            return new Row(line, modelId, backend, system, layout, disaggregated, isl, osl, replayedIsl, replayedOsl, c, ttft, tpot,
                    e.ttftMs(), e.tpotMs(),
                    harness, perf.stepSource(l, mem, engine), expertKernel, hold.settings(), null);
        } catch (AutoParallelException | IllegalArgumentException e) {
            return refuse.apply(e.getMessage());
        }
    }

    /**
     * The publisher's FP8 checkpoint a row's FP8 run of a 16-bit catalog model served, where the runs are known to serve it
     * rather than quantize online. InferenceX's {@code glm5-fp8-h200-sglang} configuration (image {@code glm5-hopper}, the
     * backend_version of measured-latency.csv's GLM-5 rows; its README's image table, 2026) serves zai-org/GLM-5-FP8, as
     * every {@code glm5-fp8-*} configuration of its masters names it (amd-master.yaml: {@code model: zai-org/GLM-5-FP8},
     * {@code precision: fp8}): 128 x 128 blocks (its config.json, weight_block_size [128, 128]), which the rows' moe column
     * says too ({@code fp8_block}), with the indexer's and norms' weights left in 16 bits.
     */
    static final Map<String, String> PUBLISHED_FP8 = Map.of("zai-org/GLM-5", "zai-org/GLM-5-FP8");

    /**
     * The checkpoint a row's run served: {@link #PUBLISHED_FP8}'s for an FP8 run ({@code precision} {@code fp8}) of a
     * 16-bit model it names, else {@code checkpoint}.
     */
    public static ModelSpec servedCheckpoint(ModelSpec checkpoint, String precision, Function<String, ModelSpec> model) {
        String fp8Release = PUBLISHED_FP8.get(checkpoint.modelId());
        return checkpoint.quantization() instanceof Quantization.None && "fp8".equals(precision) && fp8Release != null
                ? model.apply(fp8Release) : checkpoint;
    }

    /**
     * A disaggregated row's prefill pool as its run's context workers ran it. The reference file's prefill_batch_size is 1
     * in every disaggregated row, where context workers take several prompts a step: a row's 1 is replayed with the batch
     * the engine's step budget holds ({@link Disaggregation.Pool}'s 0), a larger one as the cap it states, and the
     * recipe's cap where it is known. InferenceX's Dynamo
     * TensorRT-LLM recipes for DeepSeek-R1 FP8 on H200 run the context worker at attention DP 8 with {@code max_batch_size:
     * 8} and {@code max_num_tokens: 8192} at 1,024 / 1,024 (benchmarks/multi_node/srt-slurm-recipes/dsr1/trtllm/h200-fp8/1k1k/disagg/stp/c64_ctx1_gen9_tep8_batch256_eplb0_mtp0.yaml
     * and its siblings), and at TP 8 without attention DP with {@code max_batch_size: 2} and {@code max_num_tokens: 16640}
     * at 8,192 / 1,024 (8k1k/disagg-1p1d-dep8-b256-eplb0-mtp0-c128.yaml, disagg-5p3d-dep8-b256-eplb0-mtp0-c768.yaml; read
     * 2026-12-03), EP 8 in both. The 2026-04-27 dump writes its runs of 2026-03-23 that way and those of 2026-02-14
     * (workflow 288, configs 291, 294, 303, 325, 334) the other way round; each of the latter has a twin of 2026-03-23 with
     * the same decode pool, clients and lengths that measures the same TPOT within 1% and the same TTFT within 1-8%
     * (8,192 / 1,024 at 128 clients: 7,727 and 7,691 ms), which the written layouts, as differently fast prefill pools,
     * cannot both give: both are replayed as the recipes run them. Replayed as written, at one prompt a step, the
     * 1,024-token pools could not keep up with their measured throughput (576 clients on one TP 8 context worker: 8.0 s
     * predicted against 1.8 s measured) and the DP 8 ones at 8,192 tokens prefilled a third faster than the recipes' TP 8
     * pools measure at saturation (about 2,900 tokens/s a GPU; 2.8 s predicted against 7.7 s measured at 128 clients).
     */
    static Disaggregation.Pool dynamoPrefill(Map<String, String> r, BenchmarkHarness harness, Disaggregation.Pool prefill,
                                             int isl) {
        boolean recipe = harness == BenchmarkHarness.INFERENCEX && deepSeekOnTrtllm(r)
                && r.getOrDefault("system", "").equals("h200_sxm") && prefill.layout().totalGpus() == 8
                && prefill.layout().pp() == 1 && prefill.layout().expertParallel() && (isl == 1024 || isl == 8192);
        if (!recipe) {
            return prefill.maxBatchPerRank() > 1 ? prefill : new Disaggregation.Pool(prefill.layout(), prefill.workers(), 0);
        }
        return isl == 1024 ? new Disaggregation.Pool(new Layout(1, 1, 8, true), prefill.workers(), 8)
                : new Disaggregation.Pool(new Layout(8, 1, 1, true), prefill.workers(), 2);
    }

    /**
     * The day InferenceX ran its DeepSeek-R1 FP8 configuration for TensorRT-LLM on H200 with MTP ({@code
     * dsr1-fp8-h200-trt-mtp}, added by its PR #392, opened 2026-01-07), which measured-latency.csv writes as plain runs:
     * its rows of that day cover exactly that configuration's sweep (.github/configs/nvidia-master.yaml, every entry
     * {@code spec-decoding: mtp}: TP 8 / EP 8 at 4-64 clients for 1,024 / 1,024, 4-128 for 1,024 / 8,192 and 4-32 for
     * 8,192 / 1,024, with attention DP at 128-256, 256 and 64-256), which includes points the configuration without MTP
     * never ran (1,024 / 8,192 at 128 clients, attention DP at 1,024 / 1,024), and at the layout and load of the runs
     * without MTP (2025-11-02 and 2025-12-15) they measure 17-48% less TPOT (38-48% at 4 clients; 1,024 / 1,024: 8.58 ms
     * against 13.81 and 13.82) and more TTFT (494 ms against 308 and 313), as drafting tokens each step does. Its script
     * (benchmarks/dsr1_fp8_h200_trt_mtp_slurm.sh, read 2026-12-03) drafts 3 tokens without attention DP and 1 with it,
     * on the benchmark's random prompts in the chat template ({@code --use-chat-template}); no acceptance rate is
     * published for that traffic, and DeepSeek's published one (85-90%, one token, natural text) is not it.
     */
    static final String INFERENCEX_DSR1_H200_TRTLLM_MTP_RUN_DAY = "2026-01-14";

    /**
     * Why a row cannot be replayed as the plain run it is written as, because its run drafted tokens the row does not
     * mention ({@link #INFERENCEX_DSR1_H200_TRTLLM_MTP_RUN_DAY}); null for every other row.
     */
    static String unstatedSpeculation(Map<String, String> r, BenchmarkHarness harness) {
        String measured = dataSourceField(r.getOrDefault("silicon_data_source", ""), "measured");
        if (harness != BenchmarkHarness.INFERENCEX || !deepSeekOnTrtllm(r) || !r.getOrDefault("system", "").equals("h200_sxm")
                || !r.getOrDefault("mode", "agg").equals("agg") || measured == null
                || !measured.startsWith(INFERENCEX_DSR1_H200_TRTLLM_MTP_RUN_DAY)) {
            return null;
        }
        boolean attentionDp = orZero(r.get("attention_dp_size")) > 1;
        return "a run of InferenceX's dsr1-fp8-h200-trt-mtp (measured " + INFERENCEX_DSR1_H200_TRTLLM_MTP_RUN_DAY
                + ": MTP drafting " + (attentionDp ? 1 : 3) + " token(s) a step, which the row does not say); its acceptance"
                + " on the benchmark's random chat prompts is not published, so its speculative decoding cannot be replayed";
    }

    /** InferenceX's Llama-3.1-70B vLLM recipes: {@code --gpu-memory-utilization} ({@link #inferenceX70bVllm}). */
    static final double INFERENCEX_70B_VLLM_UTILIZATION = 0.9;

    /**
     * {@code settings} as InferenceX's Llama-3.1-70B FP8 recipes for vLLM ran them, for its rows of that model on vLLM;
     * other rows' unchanged. Both recipes (SemiAnalysisAI/InferenceX benchmarks/70b_fp8_h200_slurm.sh, both stored
     * versions, and 70b_fp8_h100_slurm.sh, read 2026-12-03) pass {@code --gpu-memory-utilization 0.9} and {@code
     * kv-cache-dtype: fp8}. The FP8 cache is taken on H200 alone, where the rows' own concurrency says it ran: at 8,192 /
     * 1,024 on one H200 the 64-client run decodes 45.6 requests at once by Little's law ({@link #impliedDecoding}), what
     * an FP8 cache holds (366,624 tokens / 7,834 a request = 47) where a 16-bit one would hold 23, and at 1,024 / 8,192
     * its 64 clients all decode (63.0) where a 16-bit cache would queue a third of them for minutes. The H100 rows say
     * the opposite: at TP 2 and 8,192 / 1,024 the 32- and 64-client runs both decode 28-29 requests, what a 16-bit cache
     * holds (235,040 tokens: 30) where FP8 would hold 60, so the H100 runs (measured 2025-10-29, like the H200 ones; the
     * H100 recipe's earlier versions are not stored) keep the model's 16-bit cache.
     */
    static EngineSettings inferenceX70bVllm(Map<String, String> r, BenchmarkHarness harness, ServingEngine engine,
                                            EngineSettings settings) {
        if (harness != BenchmarkHarness.INFERENCEX || engine != ServingEngine.VLLM
                || !r.getOrDefault("model_path", "").equals("meta-llama/Llama-3.1-70B")) {
            return settings;
        }
        EngineSettings recipe = settings.withUtilization(INFERENCEX_70B_VLLM_UTILIZATION);
        return r.getOrDefault("system", "").equals("h200_sxm") ? recipe.withKvCacheDtype(KvCacheDtype.FP8) : recipe;
    }

    /**
     * The {@code --mem-fraction-static} of InferenceX's single-node SGLang recipes on H200, by the model its rows name
     * (SemiAnalysisAI/InferenceX benchmarks/single_node/, read 2026-12-03): dsr1_fp8_h200.sh 0.82 (DeepSeek-R1, which its
     * exports also name DeepSeek-V3), glm5_fp8_h200.sh 0.85, qwen3.5_fp8_h200.sh 0.8.
     */
    static final Map<String, Double> INFERENCEX_SGLANG_H200_MEM_FRACTION = Map.of("deepseek-ai/DeepSeek-R1", 0.82,
            "deepseek-ai/DeepSeek-V3", 0.82, "zhipuai/GLM-5", 0.85, "Qwen/Qwen3.5-397B-A17B", 0.8);

    /** The SGLang KV pool's share of the GPU a row's recipe set ({@link #INFERENCEX_SGLANG_H200_MEM_FRACTION}), else NaN. */
    static double recipeMemFraction(Map<String, String> r, BenchmarkHarness harness, ServingEngine engine) {
        Double fraction = INFERENCEX_SGLANG_H200_MEM_FRACTION.get(r.getOrDefault("model_path", ""));
        return harness == BenchmarkHarness.INFERENCEX && engine == ServingEngine.SGLANG && fraction != null
                && r.getOrDefault("system", "").equals("h200_sxm") && r.getOrDefault("mode", "agg").equals("agg")
                ? fraction : Double.NaN;
    }

    /** A DeepSeek-R1 / V3 row on TensorRT-LLM: in InferenceX's files, a run of its DeepSeek-R1 recipes. */
    private static boolean deepSeekOnTrtllm(Map<String, String> r) {
        return r.getOrDefault("backend", "").equals("trtllm") && r.getOrDefault("model_path", "").startsWith("deepseek-ai/DeepSeek-");
    }

    /**
     * The decode pool of a disaggregated row of {@code isl} / {@code osl} tokens at {@code concurrency} clients with its
     * recipe's batch where the recipe holds fewer requests per worker than the row writes ({@link #INFERENCEX_DYNAMO_H100_DECODE_BATCH}); else {@code decode} as the row gives it.
     */
    static Disaggregation.Pool dynamoDecodeBatch(Map<String, String> r, BenchmarkHarness harness, Disaggregation.Pool decode,
                                                 int isl, int osl, int concurrency) {
        if (harness != BenchmarkHarness.INFERENCEX || !deepSeekOnTrtllm(r) || !r.getOrDefault("system", "").equals("h100_sxm")
                || decode.layout().dp() > 1) {
            return decode;
        }
        Integer batch = INFERENCEX_DYNAMO_H100_DECODE_BATCH.get(isl + "/" + osl + "/" + concurrency);
        return batch == null || batch >= decode.maxBatchPerRank() ? decode
                : new Disaggregation.Pool(decode.layout(), decode.workers(), batch);
    }

    /**
     * The MoE kernel a row's recipe forces, or null for the engine's own choice: InferenceX's gpt-oss recipes for vLLM on
     * H100 and H200 export {@code VLLM_MXFP4_USE_MARLIN=1} (SemiAnalysisAI/InferenceX benchmarks/gptoss_fp4_h100.sh and
     * gptoss_fp4_h200.sh, read 2026-12-01), where vLLM would otherwise run OpenAI's Triton MXFP4 kernel.
     */
    public static String forcedExpertKernel(BenchmarkHarness harness, ServingEngine engine, String system, ModelSpec spec) {
        boolean hopper = system.equals("h100_sxm") || system.equals("h200_sxm");
        return harness == BenchmarkHarness.INFERENCEX && engine == ServingEngine.VLLM && hopper && spec.moe() != null
                && "w4a16_mxfp4".equals(PerfModel.moeDtype(spec.quantization())) ? "marlin" : null;
    }

    /**
     * The expert dispatch a disaggregated row's recipe forces, or null for the engine's own: InferenceX's Dynamo
     * TensorRT-LLM DeepSeek-R1 recipes on H100 run their prefill workers at attention DP 16 over two nodes with the WIDEEP
     * MoE backend and {@code TRTLLM_FORCE_ALLTOALL_METHOD: DeepEP} in {@code prefill_environment} (ishandhanani/srt-slurm,
     * recipes/trtllm/h100-fp8/1k1k/stp/ctx1_gen3_tep16_batch2_eplb0_mtp0.yaml and its 8k1k and MTP siblings, read
     * 2026-12-02): DeepEP's all-to-all over InfiniBand, not the all-gather TensorRT-LLM's CUTLASS MoE runs by default.
     * Their decode workers (attention TP 16, CUTLASS) dispatch nothing. The H200 recipes keep CUTLASS without an
     * all-to-all on both pools (SemiAnalysisAI/InferenceX
     * benchmarks/multi_node/srt-slurm-recipes/dsr1/trtllm/h200-fp8/1k1k/disagg/stp/c128_ctx1_gen9_dep8_batch512_eplb0_mtp0.yaml).
     */
    static ExpertDispatch forcedExpertDispatch(BenchmarkHarness harness, ServingEngine engine, String system,
                                               boolean disaggregated) {
        return harness == BenchmarkHarness.INFERENCEX && engine == ServingEngine.TRTLLM && system.equals("h100_sxm")
                && disaggregated ? ExpertDispatch.ALL_TO_ALL : null;
    }

    /**
     * The rule holding new prompts that the row's recipe turned on ({@link PromptHold}), or none.
     * <ul>
     *   <li>InferenceX's Llama-3.1-70B recipe for TensorRT-LLM turns batch waiting on for 1,024 / 1,024 below TP 8
     *   ({@code batch_wait_max_tokens_ratio 0.9}, {@code batch_wait_timeout_iters 20}; SemiAnalysisAI/InferenceX
     *   benchmarks/70b_fp8_h200_trt_slurm.sh and its docker twin, read 2026-12-01). The recipes pass max_num_tokens as
     *   the run's MAX_MODEL_LEN (slurm) or 16,384 (docker); the row does not say which ran, and at the loads measured the
     *   20-iteration timeout releases the held prompts before either threshold is reached (replayed with MAX_MODEL_LEN =
     *   ISL + OSL + 200 instead, only the 128-client rows move, by at most 10%).</li>
     *   <li>Its DeepSeek-R1 recipes for TensorRT-LLM, with and without MTP, balance attention data parallelism wherever
     *   they turn it on ({@code attention_dp_config: batching_wait_iters: 0, enable_balance: true, timeout_iters: 60};
     *   benchmarks/dsr1_fp8_h200_trt.sh and dsr1_fp8_h200_trt_mtp.sh, read 2026-12-02): {@link AdpBalance} over the
     *   layout's DP ranks. Every InferenceX TensorRT-LLM row with attention DP is one of these DeepSeek runs (some of
     *   its exports name them DeepSeek-V3).</li>
     * </ul>
     * Every other row runs without a hold, each engine's default.
     */
    static PromptHold promptHold(Map<String, String> r, BenchmarkHarness harness, ServingEngine engine, Layout l) {
        boolean inferenceXTrtllm = engine == ServingEngine.TRTLLM && harness == BenchmarkHarness.INFERENCEX;
        if (inferenceXTrtllm && l.dp() > 1 && deepSeekOnTrtllm(r)) {
            return new AdpBalance(l.dp(), INFERENCEX_DSR1_ADP_TIMEOUT_ITERS);
        }
        boolean recipe = inferenceXTrtllm && r.getOrDefault("model_path", "").equals("meta-llama/Llama-3.1-70B")
                && orZero(r.get("isl")) == 1024 && orZero(r.get("osl")) == 1024 && l.tp() < 8;
        return recipe ? new BatchWait(INFERENCEX_70B_BATCH_WAIT_ITERS, INFERENCEX_70B_BATCH_WAIT_RATIO,
                INFERENCEX_70B_MAX_NUM_TOKENS) : BatchWait.NONE;
    }

    /**
     * The engine view with the KV cache the measured engine allocated at its own default: vLLM's is {@code mem};
     * SGLang's pool at its default {@code --mem-fraction-static} and TensorRT-LLM's at its default
     * {@code free_gpu_memory_fraction} ({@link EngineViews}) are larger, and a measured run held that many requests.
     */
    static MemoryEstimate enginePool(MemoryModel memory, EngineSettings settings, MemoryEstimate mem, ServingEngine engine,
                                     Gpu gpu) {
        return enginePool(memory, settings, mem, engine, gpu, Double.NaN);
    }

    /**
     * As above, with SGLang's pool at the {@code --mem-fraction-static} its run set ({@code memFractionStatic}; NaN for
     * SGLang's own default).
     */
    static MemoryEstimate enginePool(MemoryModel memory, EngineSettings settings, MemoryEstimate mem, ServingEngine engine,
                                     Gpu gpu, double memFractionStatic) {
        boolean same = engine == ServingEngine.SGLANG ? EngineViews.sglangHoldsVllmTokens(mem) : EngineViews.poolsHoldVllmTokens(mem);
        if (engine == ServingEngine.VLLM || !same) {
            return mem;
        }
        long pool = engine == ServingEngine.SGLANG
                ? Double.isNaN(memFractionStatic) ? EngineViews.sglang(mem, gpu.memoryBytes()).kvPoolBytes()
                        : EngineViews.sglangPoolBytes(mem, gpu.memoryBytes(), memFractionStatic)
                : EngineViews.trtllm(mem, gpu.memoryBytes()).defaultKvBytes();
        MemoryEstimate own = memory.evaluate(mem.layout(), settings.withKvCacheMemoryBytes(pool), gpu.memoryBytes());
        return own.fits() ? own : mem;
    }

    /**
     * The layout of the columns starting {@code prefix} ({@code ""}, {@code prefill_}, {@code decode_}): TP x PP ranks per
     * attention data-parallel rank, {@code attention_dp_size} such ranks sharing the experts, expert parallelism where
     * {@code moe_ep_size} exceeds 1. Refuses a MoE row whose expert split ({@code moe_tp_size x moe_ep_size}) is not its
     * attention split ({@code tp_size x attention_dp_size}); a dense model's expert columns mean nothing.
     */
    static Layout layout(Map<String, String> r, String prefix, boolean moe) {
        int tp = (int) number(r.get(prefix + "tp_size"));
        int pp = Math.max(1, (int) number(r.get(prefix + "pp_size")));
        int dp = Math.max(1, (int) number(r.get(prefix + "attention_dp_size")));
        int moeTp = (int) number(r.get(prefix + "moe_tp_size"));
        int moeEp = (int) number(r.get(prefix + "moe_ep_size"));
        if (tp < 1) {
            throw new IllegalArgumentException(prefix + "tp_size must be at least 1");
        }
        if (moe && moeTp > 1 && moeEp > 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%smoe_tp_size x %smoe_ep_size is %d x %d: a mixed expert"
                    + " TP x EP split is not modelled (experts sharded by TP or spread by EP)", prefix, prefix, moeTp, moeEp));
        }
        if (moe && moeTp > 0 && moeEp > 0 && moeTp * moeEp != tp * dp) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%smoe_tp_size x %smoe_ep_size (%d x %d) is not %stp_size x"
                    + " %sattention_dp_size (%d x %d): the row's expert and attention splits disagree", prefix, prefix, moeTp, moeEp,
                    prefix, prefix, tp, dp));
        }
        return new Layout(tp, pp, dp, moe && moeEp > 1 && tp * dp > 1);
    }

    /** A disaggregated row's pool: its layout, {@code num_workers} and {@code batch_size} per attention rank. */
    private static Disaggregation.Pool pool(Map<String, String> r, String prefix, boolean moe) {
        return new Disaggregation.Pool(layout(r, prefix, moe), (int) number(r.get(prefix + "num_workers")),
                Math.max(0, (int) number(r.get(prefix + "batch_size"))));
    }

    /** The columns that count something (tokens, sequences, ranks, workers): whole numbers, where a row gives them. */
    static final List<String> COUNT_COLUMNS = countColumns();

    /** The lengths, then each layout's sizes: the aggregated row's, the prefill pool's and the decode pool's (with workers). */
    private static List<String> countColumns() {
        List<String> columns = new ArrayList<>(List.of("isl", "osl"));
        for (String prefix : List.of("", "prefill_", "decode_")) {
            for (String size : List.of("batch_size", "num_workers", "tp_size", "pp_size", "attention_dp_size", "moe_tp_size",
                    "moe_ep_size")) {
                if (!(prefix.isEmpty() && size.equals("num_workers"))) {
                    columns.add(prefix + size);
                }
            }
        }
        return List.copyOf(columns);
    }

    /**
     * Why a row's count column cannot be read as written (a fraction, a negative or non-finite number, or more than an
     * int holds), naming the first such column and its text; null when every count column present is a whole number.
     * Without it such a value would be truncated or saturated and the row replayed at a count it does not state.
     */
    static String countColumnError(Map<String, String> r) {
        for (String column : COUNT_COLUMNS) {
            String text = r.getOrDefault(column, "").trim();
            if (text.isEmpty()) {
                continue;
            }
            double v = orNaN(text);
            if (!(v >= 0) || v > Integer.MAX_VALUE || v != Math.rint(v)) {
                return String.format(Locale.ROOT, "%s is '%s'; allowed: a whole number from 0 to %,d", column,
                        text.length() > 40 ? text.substring(0, 40) : text, Integer.MAX_VALUE);
            }
        }
        return null;
    }

    /** {@code silicon_concurrency=N} of a {@code key=value; ...} data-source cell, or 0 when absent. */
    static int concurrency(String dataSource) {
        String value = dataSourceField(dataSource, "silicon_concurrency");
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The value of {@code key} in a {@code key=value; ...} data-source cell, trimmed, or null when absent. */
    static String dataSourceField(String dataSource, String key) {
        for (String part : dataSource.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals(key)) {
                return kv[1].trim();
            }
        }
        return null;
    }

    /** Per model x engine x GPU, and "all" last. */
    public static List<Errors> errors(List<Row> rows) {
        return errors(rows, Row::group);
    }

    /**
     * Per engine and serving mode ({@code sglang | agg}, {@code trtllm | disagg}, ...: what issue 11's accuracy target is
     * stated for), and "all" last.
     */
    public static List<Errors> errorsByEngineAndMode(List<Row> rows) {
        return errors(rows, Row::engineMode);
    }

    private static List<Errors> errors(List<Row> rows, Function<Row, String> key) {
        Map<String, List<Row>> groups = new TreeMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        List<Errors> out = new ArrayList<>();
        groups.forEach((g, rs) -> out.add(errors(g, rs)));
        out.add(errors("all", rows));
        return out;
    }

    private static Errors errors(String group, List<Row> rows) {
        List<Row> p = rows.stream().filter(Row::predicted).toList();
        int beyond = (int) p.stream().filter(r -> r.offByMoreThan(ROW_ERROR_FACTOR)).count();
        return new Errors(group, rows.size(), p.size(), median(p.stream().map(Row::ttftError).toList()),
                median(p.stream().map(Row::tpotError).toList()), beyond);
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

package dev.autoparallel.perf;

import static dev.autoparallel.perf.BenchmarkHarness.AICONFIGURATOR;
import static dev.autoparallel.perf.BenchmarkHarness.INFERENCEX;
import static dev.autoparallel.perf.PerfModel.StepSource.MEASURED_EXPERTS;
import static dev.autoparallel.perf.PerfModel.StepSource.MEASURED_KERNELS;
import static dev.autoparallel.perf.PerfModel.StepSource.ROOFLINE;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.model.Family;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Serving engines whose scheduling the throughput model knows, each with its own calibration per step source
 * ({@link PerfModel.StepSource}: step and prefill overheads, and how the time to first token grows with the requests
 * in flight, a factor and an exponent), each fitted by {@code jobs/fit-engine.sh ENGINE FILE SOURCE} on the Hopper points
 * of aiconfigurator's silicon_sample.csv (Apache-2.0, NVIDIA; the reference set's measured-latency.csv) that the source
 * predicts, as the grid point with the lowest sum of the median absolute TTFT and TPOT errors.
 *
 * <p>Refitted 2026-11-30, last after decode steps stopped spreading prompts over every step (a prompt enters a step
 * whole or in budget-sized chunks; SGLang runs prefill batches of their own), the decode batch became the requests past
 * their first token, and TensorRT-LLM's experts under attention data parallelism all-gather their inputs. The
 * roofline's values, on the rows the roofline predicts: vLLM 4 ms, 15 ms, 0.1 x (C-1)^0.8, fitted on 129 rows before
 * FP8 dense rows moved to the fp8 GEMM tables (TTFT 7.7%, TPOT 11.7%; none is left on the roofline to refit on);
 * SGLang 106 rows 6.0 ms, 50 ms, 1.0 x (C-1)^0.4: 19.6% and 14.0% (refitted 2026-12-01 once hybrid layers stopped being
 * charged a KV read; 20.7% and 14.1% with the values before, 5.75 ms, 55 ms, 0.9), then 91 rows (GLM-5 left for its
 * measured experts and DSA blocks, 2026-12-02) 6 ms, 30 ms, 2.0 x (C-1)^0.3: 18.5% -> 15.0% and 10.5%; TensorRT-LLM 48
 * rows (MoE rows without measured experts) 3.5 ms, 20 ms, 1.6 x (C-1)^0.2: 11.7% and 8.2%. GPUs without kernel data take
 * the roofline's values.
 *
 * <p>How long a prompt waits depends on how the benchmark's clients send requests: validate-latency replays each
 * measured row with its own harness's queue ({@link #calibration(PerfModel.StepSource, BenchmarkHarness)}), estimates
 * for a layout take InferenceX's ({@link #forPlanning}).
 */
public enum ServingEngine {
    /** vLLM's V1 scheduler: chunked prefill mixed into decode steps (vLLM 0.11-0.18 in the fitted rows). */
    VLLM("vllm", new EngineCalibration(4e-3, 15e-3, 0.1, 0.8),
            new EngineCalibration(3e-3, 10e-3, 0.1, 0.9), new EngineCalibration(0, 5e-3, 0.4, 0.6, 40e-6),
            List.of(new HarnessQueue(INFERENCEX, MEASURED_KERNELS, 0.15, 0.8),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_KERNELS, 0.80, 0.4, 2e-4),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_EXPERTS, 0.50, 0.5, 8e-4))),
    /** SGLang: prefill batches run before decode batches (SGLang 0.5.1-0.5.9 in the fitted rows). */
    SGLANG("sglang", new EngineCalibration(6e-3, 30e-3, 2.0, 0.3),
            new EngineCalibration(1e-3, 5e-3, 0.85, 0.9), new EngineCalibration(0, 90e-3, 0.5, 0.3, 60e-6),
            List.of(new HarnessQueue(INFERENCEX, ROOFLINE, 1.80, 0.4),
                    new HarnessQueue(AICONFIGURATOR, ROOFLINE, 1.50, 0.3, 1e-4),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_KERNELS, 0.85, 0.9),
                    new HarnessQueue(INFERENCEX, MEASURED_EXPERTS, 0.65, 0.2),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_EXPERTS, 1.50, 0.1))),
    /**
     * TensorRT-LLM's PyTorch backend (trtllm-serve): in-flight batching, a context whole in a step of up to max_num_tokens
     * (chunked prefill is off by default; 1.0-1.2 in the fitted rows).
     */
    TRTLLM("trtllm", new EngineCalibration(3.5e-3, 20e-3, 1.6, 0.2), new EngineCalibration(0.75e-3, 5e-3, 1.5, 0.3),
            new EngineCalibration(3.75e-3, 55e-3, 0.4, 0.4),
            List.of(new HarnessQueue(INFERENCEX, ROOFLINE, 1.55, 0.2),
                    new HarnessQueue(INFERENCEX, MEASURED_KERNELS, 0.15, 0.8),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_KERNELS, 2.00, 0.2, 2e-4),
                    new HarnessQueue(INFERENCEX, MEASURED_EXPERTS, 0.45, 0.6),
                    new HarnessQueue(AICONFIGURATOR, MEASURED_EXPERTS, 0.35, 0.4)));

    /**
     * Share of its output a request holds in the KV cache on average over its life where blocks are allocated as tokens
     * arrive (vLLM, SGLang): none at its first token, all of it at its last.
     */
    static final double ON_DEMAND_OUTPUT_SHARE = 0.5;

    /** TensorRT-LLM's default max_num_tokens per step (llmapi/llm_args.py, read 2026-11-30). */
    static final int TRTLLM_MAX_NUM_TOKENS = 8192;

    /**
     * TensorRT-LLM's Llama fuses FP8 quantization into its all-reduce and RMSNorm only above this hidden size ("Disable
     * fusion for small models with a hidden size no greater than 4096 to avoid accuracy drop issues", PR #6205).
     */
    static final long LLAMA_FUSION_MIN_HIDDEN = 4096;

    private final String key;
    /** What the engine adds to the roofline. */
    private final EngineCalibration calibration;
    /**
     * What the engine adds to measured kernel timings (PerfModel's {@code MEASURED_KERNELS} path):
     * fitted apart from the roofline's, since the kernel tables already hold the launch and small-kernel
     * floors that the roofline's step overhead stands in for. Fitted by {@code jobs/fit-engine.sh ENGINE FILE
     * measured_kernels} (2026-11-30) on the rows of measured-latency.csv that path predicts: 16-bit Llama-3.1-8B and
     * Qwen3-32B on H100, and since FP8 per-tensor dense rows run the tables' fp8 GEMMs, Llama-3.1-70B, Qwen3-32B and
     * Llama-3.1-8B-Instruct served FP8 (vLLM 219 rows, TensorRT-LLM 429; SGLang has no FP8 dense rows, 84): vLLM step
     * 3 ms, prefill 10 ms, queue 0.1 x (C-1)^0.9 (TTFT 17.2%, TPOT 6.5% on its rows; on the 16-bit rows alone, with
     * prompts spread over every step, it was 1.25 ms, 5 ms, 1.0 x (C-1)^0.4 with 7.8% and 9.4%: the FP8 runs queue less
     * behind prefills than the 16-bit ones); SGLang 1 ms, 5 ms, 1.2 x (C-1)^0.8 (11.0%, 5.8%); TensorRT-LLM 0.75 ms,
     * 15 ms, 1.7 x (C-1)^0.2 (19.2%, 9.6%), its FP8 rows replayed with an FP8 KV cache (LatencyReplay; with a 16-bit
     * cache 0.75 ms, 10 ms, 1.8 x (C-1)^0.2 gave 19.5% and 8.4% but left Llama-3.1-70B FP8 on H200 at 14.2% TPOT, 4.0%
     * with FP8 KV). TensorRT-LLM refitted 2026-12-01 once InferenceX's Llama-3.1-70B runs at 1,024 / 1,024 below TP 8
     * were replayed with their recipe's batch waiting ({@link BatchWait}; those rows measure about twice the TTFT of the
     * same layouts at 1,024 / 8,192, which the queue factor had absorbed): 0.75 ms, 5 ms, 1.5 x (C-1)^0.3, TTFT 18.7% ->
     * 17.9% and TPOT 9.6% -> 10.1% on its 429 rows (with the hold and the values before; 19.2% and 9.6% before the hold).
     * The rest of the queue comes from aiconfigurator's own runs (357 of the 429 rows), which queue at 8 clients as the
     * InferenceX runs do not: each harness now has its own ({@link #harnessQueues}). SGLang's queue refitted to 0.85 x
     * (C-1)^0.9 once it was served in batches ({@link #batchesQueuedPrompts}, 2026-12-03; TTFT 11.0% -> 8.0% on its 84
     * rows; a whole refit gave 1 ms, 5 ms, 1.3 x (C-1)^0.8 at 10.2%, vLLM's 3.25 ms, 15 ms, 0.1 x (C-1)^0.9 with each
     * harness's queue worse than the values kept).
     */
    private final EngineCalibration kernelCalibration;
    /**
     * What the engine adds to steps whose routed experts come from measured MoE layers and the rest from the roofline
     * (PerfModel's {@code MEASURED_EXPERTS} path; for MLA models with measured MLA kernels, their attention too). Fitted
     * by {@code jobs/fit-engine.sh ENGINE FILE measured_experts} (2026-11-30) on the rows of measured-latency.csv that
     * path predicts (H100/H200, aggregated and disaggregated; vLLM 281 rows: MiniMax-M2.5, Qwen3-235B-FP8, Kimi-K2.5,
     * gpt-oss-120b; SGLang 72: DeepSeek-R1/V3, Qwen3-235B-FP8; TensorRT-LLM 227: DeepSeek-R1/V3, Qwen3-235B-FP8,
     * gpt-oss-120b): vLLM step 1.25 ms, prefill 5 ms, queue 0.4 x (C-1)^0.5 (TTFT 14.5%, TPOT 11.4% on its rows);
     * SGLang 2.75 ms, 145 ms, 0.1 x (C-1)^0.5 (11.5%, 8.9%); TensorRT-LLM 3 ms, 90 ms, 0.1 x (C-1)^0.6 (16.4%, 9.8%).
     * SGLang's and TensorRT-LLM's long prefill overheads stand in for what a DeepSeek prefill costs beyond its measured
     * kernels (DeepSeek is most of their rows). The step overhead was then refitted with a cost per MoE layer (2026-12-01,
     * on TPOT, the other three kept; every row of this path is a MoE model, where the step overhead alone left MoE TPOT
     * optimistic the deeper the model: Qwen3-235B -50%, MiniMax-M2.5 -23%): vLLM 0 + 40 us a MoE layer (TPOT 16.4% ->
     * 9.5%, TTFT 16.5% -> 16.4% on its 335 rows), SGLang 0.25 ms + 50 us (8.9% -> 7.5%, 11.5% -> 11.9%). TensorRT-LLM
     * keeps its constant: its fit, 0 + 30 us (9.8% -> 8.8%, 17.4% -> 16.2%, Qwen3-235B most of its rows), made its
     * disaggregated DeepSeek-V3 rows' TPOT worse (17.6% -> 24.6%). The roofline paths keep theirs too: a MoE term there
     * moved SGLang's TTFT from 19.6% to 23.2%. Once gpt-oss's MXFP4 experts left this path for TensorRT-LLM
     * ({@link #runsMeasuredMoe}), its 246 rows refitted to 0 + 30 us a MoE layer, 55 ms, 0.4 x (C-1)^0.4 (TTFT 21.0% ->
     * 19.4%, TPOT 9.8% -> 9.4% on them), which again took the disaggregated rows' TPOT from 19.6% to 25.9%: kept
     * (2026-12-01). Once TensorRT-LLM's DeepSeek decode steps took its measured MLA block (2026-12-02; PerfModel,
     * mla_decode_module.csv) and InferenceX's DeepSeek runs of 2025-11-02 were read at EP = TP as its configurations run
     * them (LatencyReplay#inferenceXLayout), its 246 rows refitted to 3.75 ms + 0 us a MoE layer, 55 ms, 0.6 x (C-1)^0.3
     * (TTFT 21.2% -> 18.9%, TPOT 6.5% -> 6.0% on them; with the block alone, before the EP reading, the fit had given
     * 3.5 ms, 70 ms, 0.2 x (C-1)^0.5). Once its DeepSeek prefill steps took the same block measured in prefill
     * (mla_context_module.csv; TTFT 18.9% -> 18.4%, TPOT 6.0% -> 5.7% on them with the values before) the queue refitted
     * to 0.4 x (C-1)^0.4, the overheads unchanged (TTFT 17.1%, TPOT 5.8%; 2026-12-02). Once GLM-5's FP8 rows took their
     * measured experts and DSA blocks (2026-12-02; PerfModel, dsa_decode_module.csv), SGLang's 102 rows (DeepSeek-R1/V3,
     * GLM-5, Qwen3-235B-FP8) refitted from 0.25 ms + 50 us a MoE layer, 145 ms, 0.1 x (C-1)^0.5 to 1 ms + 30 us, 80 ms,
     * 0.5 x (C-1)^0.3 (TTFT 14.2% -> 12.3%, TPOT 6.7% -> 6.1% on them). Once the queue was served in batches
     * ({@link #batchesQueuedPrompts}, 2026-12-03), SGLang's refitted to 0 + 60 us a MoE layer, 90 ms, 0.5 x (C-1)^0.3
     * (TTFT 11.0%, TPOT 5.6% on its 102 rows; InferenceX's queue 0.65 x (C-1)^0.2, 9.5% -> 10.0% on its 78;
     * aiconfigurator's 1.50 x (C-1)^0.1, TTFT 18.3% -> 17.4% and TPOT 15.9% -> 8.1% on its 24 Qwen3-235B rows) and vLLM's
     * queue to 0.4 x (C-1)^0.6, its overheads unchanged (TTFT 11.2%, TPOT 9.3% on its 335 rows).
     */
    private final EngineCalibration expertCalibration;

    /**
     * The queues fitted on one benchmark harness's rows alone ({@link #calibration(PerfModel.StepSource, BenchmarkHarness)}),
     * by {@code jobs/fit-engine.sh ENGINE FILE SOURCE harness} (2026-12-02) on measured-latency.csv: factor 0 to 2 by
     * 0.05 and exponent 0 to 1 by 0.1 over the source's step, prefill and MoE-layer overheads, for every harness with at
     * least 20 rows of the source. The two harnesses load a server differently: at 4 to 8 clients aiconfigurator's own
     * runs (harness not published) wait one to two prefills behind others at every output length, InferenceX's (random
     * lengths from 0.8 to 1.0 of the nominal) a fraction of one that grows with the clients. Median TTFT on the harness's
     * rows, with the source's queue (fitted over both) and with its own:
     * <ul>
     *   <li>vLLM measured kernels: InferenceX 105 rows, 0.10 x (C-1)^0.9 (the source's: 10.1%); aiconfigurator 114 rows,
     *       0.40 x (C-1)^0.6, 25.8% -> 13.7%.
     *   <li>vLLM measured experts: InferenceX 288 rows, 0.30 x (C-1)^0.6, 16.2% -> 15.3%; aiconfigurator 47 rows,
     *       1.20 x (C-1)^0.1, 11.1% -> 7.0%. Refitted 2026-12-02 once aiconfigurator's Kimi-K2.5 rows were read as the
     *       InferenceX measurements they repeat ({@link BenchmarkHarness#of(List)}): InferenceX 303 rows, its
     *       0.30 x (C-1)^0.6 kept (13.3%); aiconfigurator 32 rows (Qwen3-235B-FP8), 0.95 x (C-1)^0.2, 5.1% -> 4.8%.
     *   <li>SGLang roofline (refitted 2026-12-02 once GLM-5 left it, with the source's new values; were 1.90 x (C-1)^0.2
     *       on InferenceX's 60 rows with GLM-5 and the source's 1.00 x (C-1)^0.4 on aiconfigurator's): InferenceX 30 rows
     *       (Qwen3.5, whose prefill the roofline under-predicts, so their queue is larger), 1.85 x (C-1)^0.3, 12.4% ->
     *       9.3%; aiconfigurator 61 rows, 1.35 x (C-1)^0.4, 27.6% -> 20.2%. Refitted 2026-12-02 once aiconfigurator's
     *       Qwen3.5 rows were read as the InferenceX measurements they repeat: InferenceX 45 rows, its 1.85 x (C-1)^0.3
     *       kept (9.3%); aiconfigurator 46 rows (Llama-3.1-8B-Instruct), 0.45 x (C-1)^0.6, 26.5% -> 13.4% (TPOT 8.7% ->
     *       9.9%): the Qwen3.5 rows' long prefills had pulled its queue up.
     *   <li>SGLang measured kernels: aiconfigurator's 84 rows only, the source's 1.20 x (C-1)^0.8 (11.0%).
     *   <li>SGLang measured experts (refitted 2026-12-02 with GLM-5's rows and the source's new values; were 0.05 x
     *       (C-1)^0.7 for InferenceX's 48 rows and 0.90 x (C-1)^0 for aiconfigurator's): InferenceX 78 rows, the source's
     *       0.50 x (C-1)^0.3 (9.5%); aiconfigurator 24 rows, 1.10 x (C-1)^0.1, 38.1% -> 18.3%.
     *   <li>TensorRT-LLM roofline: InferenceX 97 rows, 1.55 x (C-1)^0.2, 14.9% -> 14.7%; aiconfigurator 3 rows, too few.
     *   <li>TensorRT-LLM measured kernels: InferenceX 72 rows, 0.15 x (C-1)^0.8, 35.7% -> 7.4%; aiconfigurator 357 rows,
     *       1.55 x (C-1)^0.3, 15.2% -> 14.7%.
     *   <li>TensorRT-LLM measured experts (refitted 2026-12-02 with the measured MLA block in decode and in prefill and the
     *       EP reading above; were 0.30 x (C-1)^0.6 and 0.20 x (C-1)^0.4, then 0.35 x (C-1)^0.7 for InferenceX before the
     *       block in prefill): InferenceX 121 rows (33 disaggregated), 0.20 x (C-1)^0.8, 35.3% -> 20.2% (22.9% with
     *       0.35 x (C-1)^0.7); aiconfigurator 125 rows, 0.35 x (C-1)^0.4, 12.6% -> 10.0%. Refitted 2026-12-02 once
     *       attention-DP ranks read all their dense weights (PerfModel's Stage): InferenceX 0.20 x (C-1)^0.8 -> 0.35 x
     *       (C-1)^0.7, TTFT 19.0% -> 16.8%, TPOT 4.9% -> 5.1% (the source's 0.40 x (C-1)^0.4: 28.9%); aiconfigurator's kept.
     *       Refitted 2026-12-03 once InferenceX's DeepSeek-R1 run with MTP of 2026-01-14 was refused
     *       ({@link LatencyReplay#INFERENCEX_DSR1_H200_TRTLLM_MTP_RUN_DAY}, 41 rows it had been fitted on as plain runs):
     *       InferenceX 80 rows (33 disaggregated), 0.35 x (C-1)^0.7 -> 0.45 x (C-1)^0.6, TTFT 14.9% -> 12.1%, TPOT 3.1%;
     *       aiconfigurator's 125 kept (its refit is the same queue). Refitting the overheads as well (3 ms + 10 us a MoE
     *       layer, 80 ms, 0.20 x (C-1)^0.4; its harness queues 0.15 x (C-1)^0.8 and 0.15 x (C-1)^0.5) took the engine's
     *       aggregated TTFT to 11.5% but its disaggregated rows from 10.6% / 3.4% to 12.3% / 4.7% (12.8% at the best
     *       first-token delay, 45 steps): not adopted.
     * </ul>
     * aiconfigurator's runs queue more than (C-1)^b allows at their highest loads: at 128 clients their TTFT jumps
     * (TensorRT-LLM 1.0's rows: median 41% under measured with that queue at 128 clients, 2.5% at 64), as a first burst
     * does when every client sends at once into an empty server and a run of a fixed N requests measures that wave with
     * the rest: the k-th prompt waits k - 1 prefills, C^2 / 2N prefills a request on average ({@link
     * EngineCalibration#burstFactor} 1 / 2N).
     * Fitted 2026-12-02 ({@code jobs/fit-engine.sh ENGINE FILE SOURCE burst}: factor 0 to 2 by 0.1, exponent by 0.1,
     * burst 0 or 1 / 2N for N from 50 to 160,000) on those rows alone: TensorRT-LLM measured kernels 1.55 x (C-1)^0.3 ->
     * 2.00 x (C-1)^0.2 + 2e-4 x C^2, TTFT 14.7% -> 12.7% on its 357 rows, TPOT 12.4% -> 12.8%, rows beyond 3x 35 -> 29;
     * vLLM measured kernels 0.40 x (C-1)^0.6 -> 1.10 x (C-1)^0.3 + 2e-4 x C^2, 13.7% -> 11.3% on 114, TPOT 9.1% -> 8.9%;
     * vLLM measured experts 0.95 x (C-1)^0.2 -> 1.20 x (C-1)^0.1 + 2e-4 x C^2, 4.8% -> 4.6% on 32: the three burst factors
     * are one N, 2,500 requests. SGLang's roofline rows (Llama-3.1-8B FP8 at up to 512 clients) take
     * 1.10 x (C-1)^0.4 + 5e-5 x C^2, 13.4% -> 11.0% on 46, beyond 3x 7 -> 3: SGLang prefills a burst's prompts in shared
     * steps, faster than one isolated prefill each. Fitted on TensorRT-LLM's Llama-3.1-8B rows alone, the burst took its
     * Qwen3-32B rows from 24.1% to 8.6% (and fitted on Qwen3-32B, Llama-3.1-8B's from 30.5% to 27.4%). SGLang's measured
     * kernels (11.0% -> 11.4%), TensorRT-LLM's measured experts (10.0% -> 9.0% at 2.5e-5, another N) and InferenceX's
     * runs (10 x C requests: their burst is a share of every load, which the (C-1)^b term holds) keep theirs.
     * TPOT moves by 0.5 points or less on each. Fitting each harness's prefill overhead as well gained little more
     * (TensorRT-LLM measured kernels on InferenceX 7.4% -> 6.2%, measured experts 24.7% -> 22.0%) and was not kept: the
     * overheads are the engine's.
     */
    private final List<HarnessQueue> harnessQueues;

    ServingEngine(String key, EngineCalibration calibration, EngineCalibration kernelCalibration, EngineCalibration expertCalibration,
                  List<HarnessQueue> harnessQueues) {
        this.key = key;
        this.calibration = calibration;
        this.kernelCalibration = kernelCalibration;
        this.expertCalibration = expertCalibration;
        this.harnessQueues = harnessQueues;
    }

    /**
     * {@link #forPlanning} per step source (by ordinal), worked out on first use, as every estimate asks for it; filled
     * lazily, since the enum's own switches are not usable while its constants are built. A race writes the same
     * immutable value twice.
     */
    private final EngineCalibration[] planning = new EngineCalibration[PerfModel.StepSource.values().length];

    /**
     * How a new prompt queues (factor x its prefill x (C - 1)^exponent, plus burst x its prefill x C^2) under one
     * benchmark harness's load, for the steps of one source, fitted on that harness's rows alone.
     */
    record HarnessQueue(BenchmarkHarness harness, PerfModel.StepSource source, double factor, double exponent, double burst) {
        HarnessQueue(BenchmarkHarness harness, PerfModel.StepSource source, double factor, double exponent) {
            this(harness, source, factor, exponent, 0);
        }
    }

    public String key() {
        return key;
    }

    /**
     * What the engine adds to step times from {@code source}: each source is fitted on the rows it predicts; scaled
     * kernels take their measured counterpart's (no GPU without measurements has measured serving rows to fit on).
     */
    public EngineCalibration calibration(PerfModel.StepSource source) {
        return switch (source.fittedOn()) {
            case MEASURED_KERNELS -> kernelCalibration;
            case MEASURED_EXPERTS -> expertCalibration;
            default -> calibration;
        };
    }

    /**
     * What estimates for a layout use (evaluate, analyze, best, the sweep, plan): the queue fitted on InferenceX's rows
     * where it has at least 20 of the engine and source ({@link #calibration(PerfModel.StepSource, BenchmarkHarness)}),
     * else the one fitted over every row. One load for every engine, so that their estimates compare: InferenceX's is the
     * one harness measured on all three engines, its load generator is published, and its lengths vary as served
     * traffic's do. aiconfigurator's own runs, three quarters of TensorRT-LLM's dense rows, queue about twice as long at
     * 4 to 16 clients, which the queue fitted over both rows put on every TensorRT-LLM estimate and not on vLLM's.
     */
    public EngineCalibration forPlanning(PerfModel.StepSource source) {
        EngineCalibration c = planning[source.ordinal()];
        if (c == null) {
            c = calibration(source, BenchmarkHarness.INFERENCEX);
            planning[source.ordinal()] = c;
        }
        return c;
    }

    /**
     * {@link #calibration(PerfModel.StepSource)} with the queue fitted on {@code harness}'s rows where there is one: the
     * step, prefill and MoE-layer overheads are the engine's under any load; how long a new prompt waits behind others
     * depends on how the clients send requests. Scaled kernels take their measured counterpart's; rows of another
     * harness ({@link BenchmarkHarness#OTHER}) what estimates take ({@link #forPlanning}).
     */
    public EngineCalibration calibration(PerfModel.StepSource source, BenchmarkHarness harness) {
        if (harness == BenchmarkHarness.OTHER) {
            return forPlanning(source);
        }
        EngineCalibration c = calibration(source);
        PerfModel.StepSource fitted = source.fittedOn();
        for (HarnessQueue q : harnessQueues) {
            if (q.harness() == harness && q.source() == fitted) {
                return c.withQueue(q.factor(), q.exponent(), q.burst());
            }
        }
        return c;
    }

    /**
     * How expert parallelism over data-parallel ranks moves each MoE layer's tokens by default. vLLM all-gathers and
     * reduce-scatters ({@code --all2all-backend allgather_reducescatter}, its default:
     * docs/serving/expert_parallel_deployment.md), and so does SGLang under DP attention without {@code
     * --moe-a2a-backend deepep}: its dp_gather all-gathers the DP ranks' hidden states into the TP group
     * ({@code all_gather_into_tensor} when batches are padded to the longest rank's, as under CUDA graphs) and its
     * {@code dp_reduce_scatter_tensor} reduce-scatters the MoE's outputs back (python/sglang/srt/layers/dp_attention.py,
     * read 2026-12-02). TensorRT-LLM under attention DP runs an all-to-all where its GPUs share
     * a multi-node NVLink domain (a GB200 / GB300 NVL72 rack) and the EP group has more ranks than a token has experts,
     * else an all-gather and a reduce-scatter: its MoE modules select the MNNVL all-to-all when
     * {@code MnnvlMemory.supports_mnnvl()} and {@code moe_ep_size > top_k}
     * (tensorrt_llm/_torch/modules/fused_moe/fused_moe_cutlass.py and fused_moe_wide_ep.py, read 2026-12-02; DeepEP only
     * where a run asks for it, {@code TRTLLM_CAN_USE_DEEP_EP} or {@code TRTLLM_FORCE_ALLTOALL_METHOD}).
     *
     * @param expertRanks     the EP group's ranks
     * @param topk            experts per token
     * @param multiNodeNvlink whether the GPUs' NVLink domain reaches beyond one node
     */
    public ExpertDispatch expertDispatch(int expertRanks, int topk, boolean multiNodeNvlink) {
        return switch (this) {
            case VLLM, SGLANG -> ExpertDispatch.ALL_GATHER;
            case TRTLLM -> multiNodeNvlink && expertRanks > topk ? ExpertDispatch.ALL_TO_ALL : ExpertDispatch.ALL_GATHER;
        };
    }

    /**
     * The linears of a dense decoder layer served FP8 per tensor whose 16-bit input the engine quantizes in a kernel of
     * the linear's own, so that the linear costs what the measured tables time for it: op-perf's FP8 GEMMs are the
     * engines' FP8 linear modules, input quantization included (a 4,096 x 4,096 one on H100 under TensorRT-LLM 1.3:
     * 18.5 us at m = 1 over a 5 us weight read, bfloat16 16.6 us). A linear whose input arrives quantized from the kernel
     * before it costs the table less that per-call excess ({@link PerfModel}).
     *
     * <p>TensorRT-LLM's PyTorch backend ({@code FP8QDQLinearMethod.apply} in tensorrt_llm/_torch/modules/linear.py runs
     * {@code static_quantize_e4m3_per_tensor} on any input not already FP8; read 2026-12-03 in versions from mid-2025 to
     * 2026): the attention kernel writes FP8 for the output projection only with an FP8 KV cache (the TRTLLM backend's
     * {@code out_dtype}, present by 2025-04); the SwiGLU hands the down projection FP8 from 1.0.0 (PR #6540); the query /
     * key / value and gate / up projections take RMSNorm's 16-bit output except in Llama from 1.0.0 at TP above 1 with
     * a hidden size above 4,096 (PR #6205: all-reduce + residual + RMSNorm + FP8 quantization,
     * {@code PRE_MLP_FUSION} / {@code POST_MLP_FUSION} in modeling_llama.py); Qwen3's decoder (modeling_qwen3.py) keeps
     * a plain RMSNorm in every version read. Not modelled: layer 0's query projection, fed by the embedding in Llama too.
     * vLLM and SGLang: none (their tables' per-call excess is taken off every linear, as fitted).
     *
     * @param release the TensorRT-LLM release a run used, or null for the newest
     */
    public Set<DenseLinear> selfQuantizedFp8Inputs(Family family, long hiddenSize, int tp, boolean fp8KvCache,
                                                   TrtllmRelease release) {
        if (this != TRTLLM) {
            return Set.of();
        }
        boolean fused = release == null || !release.before(TrtllmRelease.FUSED_FP8_INPUTS);
        Set<DenseLinear> own = EnumSet.noneOf(DenseLinear.class);
        if (!(fused && family == Family.LLAMA && tp > 1 && hiddenSize > LLAMA_FUSION_MIN_HIDDEN)) {
            own.add(DenseLinear.QKV);
            own.add(DenseLinear.GATE_UP);
        }
        if (!fp8KvCache) {
            own.add(DenseLinear.O);
        }
        if (!fused) {
            own.add(DenseLinear.DOWN);
        }
        return own;
    }

    /**
     * Whether the engine runs, by default, the MoE kernel the measured tables hold for experts of {@code moeDtype}. Not
     * TensorRT-LLM's MXFP4 experts (gpt-oss): the tables' {@code w4a16_mxfp4} layers are its {@code moe_torch_flow}
     * kernel, CUTLASS on Hopper (aiconfigurator's WideEpMoeOp: "moe_torch_flow (Cutlass; SM<100 default)"), where
     * TensorRT-LLM's default MoE backend for MXFP4 weights is TRITON on Hopper and TRTLLM on Blackwell (its deployment
     * guide for GPT-OSS, 1.4.0rc4, "MoE Backend Support Matrix"); InferenceX's H200 recipe sets TRITON
     * (benchmarks/gptoss_fp4_h200_trt.sh). Those experts keep the roofline.
     */
    public boolean runsMeasuredMoe(String moeDtype) {
        return !(this == TRTLLM && "w4a16_mxfp4".equals(moeDtype));
    }

    /**
     * The KV cache tokens one request in flight holds, on average over its life, under the engine's admission rule,
     * which sets how many requests the cache runs at once. vLLM allocates blocks as tokens arrive and preempts when it
     * runs out (v1/core/sched/scheduler.py); SGLang allocates each decode token's slot as it comes and retracts requests
     * when its pool runs out (managers/scheduler.py): a request holds its prompt and on average half its output.
     * TensorRT-LLM's default capacity policy GUARANTEED_NO_EVICT (SchedulerConfig.capacity_scheduler_policy) admits a
     * request only with blocks reserved for its prompt and every output token. Read 2026-11-30.
     */
    public double heldTokensPerRequest(Workload w) {
        return this == TRTLLM ? w.sequenceLength() : w.inputTokens() + ON_DEMAND_OUTPUT_SHARE * w.outputTokens();
    }

    /**
     * Whether the calibrated prompt queue is served at the per-prompt time of a batched prefill: prompts that wait
     * together enter one step, as many as the step budget holds ({@link #prefillChunkTokens}), so each costs that
     * step's time shared, not a step of its own. vLLM's scheduler takes waiting requests into a step until its
     * max_num_batched_tokens are spent (v1/core/sched/scheduler.py) and SGLang's prefill batch takes them until
     * chunked_prefill_size (managers/schedule_policy.py PrefillAdder); read 2026-12-03. A batched step spreads a step's
     * fixed costs (its overhead, the all-reduces' latency, small GEMMs' inefficiency) over its prompts: Qwen3-32B's
     * 1,024-token prompts on H100 cost 24.5 ms one at a time at TP 8 and 17.6 ms each eight to a step, 52.3 and 51.4 at
     * TP 2, which is the TP trend SGLang's measured TTFT has (the 16-client rows take 2.2-3.5 times longer at TP 2 than
     * at TP 8, where one prompt a step gave 1.95). Refitted on that service 2026-12-03 (jobs/fit-engine.sh ENGINE FILE
     * SOURCE harness|burst; SGLang's measured experts whole, {@link #expertCalibration}), each harness's rows of
     * measured-latency.csv: SGLang aiconfigurator measured kernels 11.0% -> 8.0% TTFT (84 rows), InferenceX roofline
     * 9.3% -> 7.1% (45), aiconfigurator roofline 11.0% -> 9.9% (46, with its first burst), InferenceX measured experts
     * 9.5% -> 10.0% (78) and aiconfigurator's 18.3% -> 17.4% (24); vLLM InferenceX measured kernels 10.0% -> 8.6% (105),
     * aiconfigurator measured kernels 11.3% -> 7.9% (114), InferenceX measured experts 13.3% -> 11.4% (303),
     * aiconfigurator measured experts 4.6% -> 4.5% (32). Not TensorRT-LLM, whose rows fit its context batching worse
     * that way: InferenceX measured kernels 7.3% -> 8.0% (72), aiconfigurator 12.3% -> 13.7% (357), InferenceX measured
     * experts 12.1% -> 12.5% (80), aiconfigurator 10.0% -> 9.3% (125), InferenceX roofline 14.7% -> 11.6% (97;
     * gpt-oss), each refitted the same way.
     */
    public boolean batchesQueuedPrompts() {
        return this != TRTLLM;
    }

    /**
     * Whether a step carries prompt chunks and decoding sequences together: vLLM's chunked prefill and TensorRT-LLM's
     * in-flight batching do; SGLang runs prefill batches of their own between decode batches unless
     * {@code --enable-mixed-chunk} is given (off by default; managers/scheduler.py get_next_batch_to_run, read 2026-11-30).
     */
    public boolean mixesPrefillIntoDecode() {
        return this != SGLANG;
    }

    /**
     * Whether a disaggregated prefill worker spends the engine's per-prefill overhead ({@link EngineCalibration#prefillOverheadS})
     * between its steps, the GPU idle, so that it takes from the worker's capacity: TensorRT-LLM's context workers run
     * without the overlap scheduler ({@code disable_overlap_scheduler: true} in the context server's options, as the ctx.yml
     * of the disaggregated commands ({@code Commands.trtllmDisaggregated}) and InferenceX's Dynamo recipes set, e.g.
     * benchmarks/multi_node/srt-slurm-recipes/dsr1/trtllm/h200-fp8/1k1k/disagg/stp/c128_ctx1_gen9_dep8_batch512_eplb0_mtp0.yaml,
     * read 2026-12-03), so each step's scheduling and response handling run while the GPU waits. vLLM's and SGLang's
     * prefill instances keep their overlapped schedulers: there it is a delay a prompt sees, not the worker's time.
     */
    public boolean prefillOverheadHoldsWorker() {
        return this == TRTLLM;
    }

    /**
     * The most prompt tokens one step carries at the engine's defaults, decoding tokens included: vLLM's
     * {@code max_num_batched_tokens} as the memory model resolved it; SGLang's {@code chunked_prefill_size} for the GPU's
     * memory (server_args.py, {@link EngineViews#sglang}); TensorRT-LLM's {@code max_num_tokens} default, 8,192
     * (llmapi/llm_args.py BaseLlmArgs.max_num_tokens, read 2026-11-30).
     */
    public int prefillChunkTokens(MemoryEstimate mem, long gpuMemoryBytes) {
        return switch (this) {
            case VLLM -> mem.maxNumBatchedTokens();
            case SGLANG -> EngineViews.sglangChunkedPrefillSize(gpuMemoryBytes);
            case TRTLLM -> TRTLLM_MAX_NUM_TOKENS;
        };
    }

    /**
     * The most prompts of {@code computedTokens} each that one prefill-only step takes whole under the engine's step
     * budget ({@link #prefillChunkTokens}), at least one: what a disaggregated prefill worker batches from its queue.
     */
    public int promptsPerPrefillStep(MemoryEstimate mem, long gpuMemoryBytes, int computedTokens) {
        return promptsPerStep(prefillChunkTokens(mem, gpuMemoryBytes), computedTokens);
    }

    /** The most prompts of {@code computedTokens} each that a step budget of {@code chunkTokens} takes whole, at least one. */
    static int promptsPerStep(int chunkTokens, int computedTokens) {
        return Math.max(1, chunkTokens / Math.max(1, computedTokens));
    }

    public static ServingEngine parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (ServingEngine e : values()) {
            if (e.key.equals(v) || v.equals("tensorrtllm") && e == TRTLLM) {
                return e;
            }
        }
        throw new InvalidConfigurationException("engine", "engine was '" + s + "'; allowed: vllm, sglang, trtllm");
    }
}

package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.model.ModelSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyReplayTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");

    /**
     * A measured run used its engine's own default KV pool, not vLLM's 90% of memory: Qwen3-32B served FP8 on one H100
     * at 2,560 tokens per request. TensorRT-LLM keeps 90% of what the weights and activations leave free
     * (EngineViews.trtllm), SGLang its default --mem-fraction-static of the whole GPU less the weights; vLLM's view is
     * replayed unchanged.
     */
    @Test
    void replayedRuns_holdTheirEnginesDefaultKvPool() {
        EngineSettings fp8 = EngineSettings.defaults().withQuantization(ServingQuantization.FP8);
        MemoryModel memory = new MemoryModel(fp8.served(AutoParallel.model("Qwen/Qwen3-32B"), H100), H100);
        EngineSettings sized = fp8.withMaxModelLen(2560).withMaxNumSeqs(64);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate vllm = memory.evaluate(one, sized, H100.memoryBytes());
        assertSame(vllm, LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.VLLM, H100));
        MemoryEstimate trtllm = LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.TRTLLM, H100);
        assertEquals(EngineViews.trtllm(vllm, H100.memoryBytes()).defaultKvBytes(), trtllm.kvCacheBytes());
        assertTrue(trtllm.kvCacheTokens() > vllm.kvCacheTokens(), trtllm.kvCacheTokens() + " against " + vllm.kvCacheTokens());
        MemoryEstimate sglang = LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.SGLANG, H100);
        assertEquals(EngineViews.sglang(vllm, H100.memoryBytes()).kvPoolBytes(), sglang.kvCacheBytes());
        assertEquals(vllm.weightsBytes(), trtllm.weightsBytes());
    }

    /**
     * A mixture of experts with long prompts at low concurrency: a prompt enters one step whole, so most decode steps
     * carry no prompt and touch only the experts their few tokens route to. DeepSeek-V3 FP8 on 8 x H200 under
     * TensorRT-LLM, measured-latency.csv (db-dump 2026-04-27, config_id 83, InferenceX's runs of 2025-11-02: written as
     * experts TP-sharded 8 ways, replayed at EP 8 as InferenceX's configurations run them, LatencyReplay#inferenceXLayout):
     * TPOT 14.9 ms at 8,192 in / 1,024 out and 13.7 ms at 1,024 / 8,192 with 4 in flight, 18.7 and 15.9 ms with 8.
     * Spreading each prompt thinly over every decode step (the model until 2026-11-30) touched nearly every expert on
     * every step: 25.9 ms at 8,192 / 1,024 with 4 in flight, almost twice the 1,024 / 8,192 figure.
     */
    @Test
    void longPromptsOnAMixtureOfExperts_enterWholeAndLeaveMostStepsPureDecode() {
        // isl, osl, concurrency, measured TTFT and TPOT (ms)
        double[][] rows = {{8192, 1024, 4, 447.4511593580246, 14.880872639235122},
                {1024, 8192, 4, 243.00387904513627, 13.670869309823747},
                {8192, 1024, 8, 538.7092068092898, 18.67009520890666},
                {1024, 8192, 8, 289.881920570042, 15.870517236269581}};
        double[] predicted = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            Map<String, String> r = new HashMap<>(Map.of("backend", "trtllm", "model_path", "deepseek-ai/DeepSeek-V3",
                    "system", "h200_sxm", "precision", "fp8", "mode", "agg", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8",
                    "tp_size", "8", "pp_size", "1", "attention_dp_size", "1"));
            r.put("silicon_data_source", "db-dump/2026-04-27; config_id=83; silicon_concurrency=" + (int) rows[i][2]
                    + "; measured=2025-11-02T00:00:00.000Z");
            r.putAll(Map.of("moe_tp_size", "8", "moe_ep_size", "1", "isl", String.valueOf((int) rows[i][0]),
                    "osl", String.valueOf((int) rows[i][1]), "batch_size", String.valueOf((int) rows[i][2]),
                    "silicon_ttft_ms", String.valueOf(rows[i][3]), "silicon_tpot_ms", String.valueOf(rows[i][4])));
            LatencyReplay.Row row = LatencyReplay.replay(i + 2, r, AutoParallel::model);
            assertTrue(row.predicted(), row.error());
            predicted[i] = row.tpotMs();
            assertEquals(rows[i][4], predicted[i], 0.15 * rows[i][4], "row " + i);
        }
        // Long prompts cost 9% more TPOT than long outputs at 4 in flight and 18% at 8, as measured.
        assertEquals(rows[0][4] / rows[1][4], predicted[0] / predicted[1], 0.1);
        assertEquals(rows[2][4] / rows[3][4], predicted[2] / predicted[3], 0.1);
    }

    /**
     * InferenceX's Dynamo TensorRT-LLM DeepSeek run on H100 at 1,024 / 1,024 with 6 clients (measured-latency.csv line
     * 71: one DEP16 prefill worker, three TEP16 decode workers; TTFT 12,345 ms, TPOT 14.0 ms) ran the srt-slurm recipe
     * {@code ctx1_gen3_tep16_batch1}, whose decode workers hold one request each (nvidia-master.yaml,
     * dsr1-fp8-h100-dynamo-trt). The row writes a decode batch of 2 (6 clients over 3 workers): with it the replay gave
     * 1,558 ms, every client decoding at once; with the recipe's batch three clients wait for a decode slot, about one
     * decode lifetime (1,023 steps of 13.5 ms), and the replay gives 13.1 s. The recipe lowers a batch, never raises
     * one; H200 runs and other concurrencies keep the row's.
     */
    @Test
    void dynamoH100DeepSeekRuns_decodeWithTheirRecipesBatch() {
        Map<String, String> r = dynamoH100Row(1024, 6, 2, "12345.082130733257", "14.0142279275463");
        assertReplaysWithin15Percent(71, r);

        Disaggregation.Pool written = new Disaggregation.Pool(new Layout(16, 1, 1, true), 3, 2);
        BenchmarkHarness inferenceX = BenchmarkHarness.INFERENCEX;
        assertEquals(1, LatencyReplay.dynamoDecodeBatch(r, inferenceX, written, 1024, 1024, 6).maxBatchPerRank());
        assertSame(written, LatencyReplay.dynamoDecodeBatch(r, inferenceX, written, 1024, 1024, 12), "no recipe at 12 clients");
        Disaggregation.Pool smaller = new Disaggregation.Pool(new Layout(16, 1, 1, true), 3, 1);
        assertSame(smaller, LatencyReplay.dynamoDecodeBatch(r, inferenceX, smaller, 1024, 1024, 9), "the recipe's 2 is no lower than 1");
        Map<String, String> h200 = new HashMap<>(r);
        h200.put("system", "h200_sxm");
        assertSame(written, LatencyReplay.dynamoDecodeBatch(h200, inferenceX, written, 1024, 1024, 6));
    }

    /**
     * InferenceX's Dynamo TensorRT-LLM DeepSeek run on H100 at 8,192 / 1,024 with 30 clients (measured-latency.csv line
     * 67: one DEP16 prefill worker over two nodes, three TEP16 decode workers; TTFT 6,312 ms, TPOT 21.1 ms). Its recipe's
     * prefill workers force DeepEP's all-to-all ({@code TRTLLM_FORCE_ALLTOALL_METHOD: DeepEP}, WIDEEP): replayed with the
     * all-gather TensorRT-LLM runs by default, every 8k prompt moved 16 ranks' tokens over InfiniBand before and after
     * each of 58 MoE layers, 7.0 s of prefill, and TTFT came out at 10.3 s (+63%); with the all-to-all, 6.8 s.
     */
    @Test
    void dynamoH100DeepSeekRuns_prefillWithDeepEpsAllToAll() {
        Map<String, String> r = dynamoH100Row(8192, 30, 10, "6312.160111920287", "21.10770399721125");
        assertReplaysWithin15Percent(67, r);

        BenchmarkHarness inferenceX = BenchmarkHarness.INFERENCEX;
        assertEquals(ExpertDispatch.ALL_TO_ALL, LatencyReplay.forcedExpertDispatch(inferenceX, ServingEngine.TRTLLM, "h100_sxm", true));
        assertNull(LatencyReplay.forcedExpertDispatch(inferenceX, ServingEngine.TRTLLM, "h200_sxm", true), "CUTLASS on H200");
        assertNull(LatencyReplay.forcedExpertDispatch(inferenceX, ServingEngine.TRTLLM, "h100_sxm", false), "aggregated");
        assertNull(LatencyReplay.forcedExpertDispatch(BenchmarkHarness.AICONFIGURATOR, ServingEngine.TRTLLM, "h100_sxm", true));
    }

    /**
     * InferenceX's Dynamo TensorRT-LLM DeepSeek runs on H200 at 8,192 / 1,024 with 128 clients, one context and one DEP8
     * decode worker (16 a rank): the 2026-04-27 dump writes the run of 2026-02-14 (measured-latency.csv line 96, config
     * 291) with an attention-DP 8 context worker and its twin of 2026-03-23 (line 99, config 675) with a TP 8 one, the
     * recipe's; they measure 7,727 and 7,691 ms TTFT and 36.31 and 36.34 ms TPOT. Both are replayed as the recipe runs its
     * context worker (TP 8, at most two prompts a step; at 1,024 tokens attention DP 8 and eight), so alike; rows of other
     * runs keep their layout and take the step budget's batch, or the batch they state where it is above 1.
     */
    @Test
    void dynamoH200DeepSeekRuns_prefillAsTheirRecipes() {
        Map<String, String> feb = dynamoH200Row("config_id=291; silicon_concurrency=128; measured=2026-02-14T00:00:00.000Z;"
                + " workflow_run_id=288", "1", "8", "7727.076519611546", "36.3085053246529");
        Map<String, String> mar = dynamoH200Row("config_id=675; silicon_concurrency=128; measured=2026-03-23T00:00:00.000Z;"
                + " workflow_run_id=333", "8", "1", "7690.781913593855", "36.33793783386726");
        LatencyReplay.Row a = LatencyReplay.replay(96, feb, AutoParallel::model);
        LatencyReplay.Row b = LatencyReplay.replay(99, mar, AutoParallel::model);
        assertTrue(a.predicted(), a.error());
        assertEquals(b.ttftMs(), a.ttftMs(), 1e-9);
        assertEquals(b.tpotMs(), a.tpotMs(), 1e-9);
        assertEquals(36.3, a.tpotMs(), 0.15 * 36.3);

        BenchmarkHarness inferenceX = BenchmarkHarness.INFERENCEX;
        Disaggregation.Pool dp8 = new Disaggregation.Pool(new Layout(1, 1, 8, true), 2, 1);
        assertEquals(new Disaggregation.Pool(new Layout(8, 1, 1, true), 2, 2), LatencyReplay.dynamoPrefill(feb, inferenceX, dp8, 8192));
        assertEquals(new Disaggregation.Pool(new Layout(1, 1, 8, true), 2, 8), LatencyReplay.dynamoPrefill(feb, inferenceX, dp8, 1024));
        assertEquals(new Disaggregation.Pool(new Layout(1, 1, 8, true), 2, 0),
                LatencyReplay.dynamoPrefill(feb, BenchmarkHarness.AICONFIGURATOR, dp8, 8192), "not a recipe's run");
        Map<String, String> h100 = new HashMap<>(feb);
        h100.put("system", "h100_sxm");
        assertEquals(new Disaggregation.Pool(new Layout(1, 1, 8, true), 2, 0), LatencyReplay.dynamoPrefill(h100, inferenceX, dp8, 8192));
        Disaggregation.Pool stated = new Disaggregation.Pool(new Layout(1, 1, 8, true), 2, 4);
        assertEquals(stated, LatencyReplay.dynamoPrefill(h100, inferenceX, stated, 8192), "a stated batch above 1 is kept");
    }

    /** A disaggregated InferenceX Dynamo TensorRT-LLM DeepSeek-V3 row on H200 of the 2026-04-27 dump at 8,192 / 1,024. */
    private static Map<String, String> dynamoH200Row(String source, String prefillTp, String prefillDp, String ttftMs, String tpotMs) {
        Map<String, String> r = new HashMap<>(Map.of("backend", "trtllm", "backend_version", "0.8.1.post1",
                "model_path", "deepseek-ai/DeepSeek-V3", "system", "h200_sxm", "precision", "fp8", "mode", "disagg",
                "isl", "8192", "osl", "1024", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8"));
        r.put("silicon_data_source", "db-dump/2026-04-27; " + source);
        r.putAll(Map.of("prefill_batch_size", "1", "prefill_num_workers", "1", "prefill_tp_size", prefillTp, "prefill_pp_size", "1",
                "prefill_attention_dp_size", prefillDp, "prefill_moe_tp_size", "1", "prefill_moe_ep_size", "8"));
        r.putAll(Map.of("decode_batch_size", "16", "decode_num_workers", "1", "decode_tp_size", "1", "decode_pp_size", "1",
                "decode_attention_dp_size", "8", "decode_moe_tp_size", "1", "decode_moe_ep_size", "8"));
        r.putAll(Map.of("silicon_ttft_ms", ttftMs, "silicon_tpot_ms", tpotMs));
        return r;
    }

    /**
     * InferenceX's SGLang recipes set the KV pool's share of the GPU (glm5_fp8_h200.sh: --mem-fraction-static 0.85, where
     * SGLang would pick 0.896 for GLM-5-FP8 at TP 8 on H200). measured-latency.csv line 1050, 8,192 in / 1,024 out at 64
     * clients, measures 42.6 s of TTFT, the clients waiting for room in the pool: replayed at SGLang's default the pool
     * holds more of them and the wait is 20.4 s, at the recipe's 33.8 s. Rows of other harnesses, engines or GPUs keep the
     * engine's default.
     */
    @Test
    void inferenceXSglangRuns_holdTheirRecipesKvPool() {
        Map<String, String> r = csvLine("source_file=2026-03-25.csv; model=GLM-5; silicon_concurrency=64;"
                + " measured=2026-03-19T06:26:42Z; wip=False; image=lmsysorg/sglang:glm5-hopper,sglang,glm5-hopper,zhipuai/GLM-5,"
                + "h200_sxm,fp8,agg,8192,1024,fp8,fp8_block,64,8,1,1,8,1,,,,,,,,,,,,,,,42569.78098017243,63.34209268876467");
        BenchmarkHarness inferenceX = BenchmarkHarness.of(r);
        assertEquals(0.85, LatencyReplay.recipeMemFraction(r, inferenceX, ServingEngine.SGLANG));
        assertTrue(Double.isNaN(LatencyReplay.recipeMemFraction(r, BenchmarkHarness.OTHER, ServingEngine.SGLANG)));
        assertTrue(Double.isNaN(LatencyReplay.recipeMemFraction(r, inferenceX, ServingEngine.VLLM)));
        LatencyReplay.Row row = replayed(1050, r);
        assertEquals(42_570, row.ttftMs(), 0.25 * 42_570);
        assertEquals(63.3, row.tpotMs(), 0.10 * 63.3);
    }

    /**
     * InferenceX's GLM-5 FP8 runs on SGLang (its glm5-hopper image, H200, TP 8) serve zai-org/GLM-5-FP8: replayed on that
     * checkpoint, their experts and DSA blocks are measured. measured-latency.csv line 1044, 1,024 in / 8,192 out at 8
     * clients: TTFT 364 ms, TPOT 20.34 ms; line 1043, 8,192 in / 1,024 out at 16 clients: 1,550 ms, 35.55 ms. On the
     * 16-bit checkpoint quantized online the replay took the roofline: TPOT 25-34% under.
     */
    @Test
    void glm5Fp8RunsOnSglang_replayTheFp8CheckpointWithItsDsaBlocks() {
        Map<String, String> r = new HashMap<>(Map.of("silicon_data_source", "source_file=2026-03-25.csv; model=GLM-5;"
                + " silicon_concurrency=8; measured=2026-03-19T06:26:42Z; wip=False; image=lmsysorg/sglang:glm5-hopper",
                "backend", "sglang", "backend_version", "glm5-hopper", "model_path", "zhipuai/GLM-5", "system", "h200_sxm",
                "precision", "fp8", "mode", "agg", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8_block"));
        r.putAll(Map.of("isl", "1024", "osl", "8192", "batch_size", "8", "tp_size", "8", "pp_size", "1", "attention_dp_size", "1",
                "moe_tp_size", "8", "moe_ep_size", "1", "silicon_ttft_ms", "364.0", "silicon_tpot_ms", "20.34"));
        LatencyReplay.Row row = LatencyReplay.replay(1044, r, AutoParallel::model);
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, row.source());
        assertReplaysWithin15Percent(1044, r);
        r.putAll(Map.of("isl", "8192", "osl", "1024", "batch_size", "16", "silicon_ttft_ms", "1550.0", "silicon_tpot_ms", "35.55"));
        r.put("silicon_data_source", r.get("silicon_data_source").replace("concurrency=8", "concurrency=16"));
        assertReplaysWithin15Percent(1043, r);
    }

    /** Row {@code line} replays to within 15% of its measured TTFT and TPOT. */
    private static void assertReplaysWithin15Percent(int line, Map<String, String> r) {
        LatencyReplay.Row row = LatencyReplay.replay(line, r, AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        double ttft = Double.parseDouble(r.get("silicon_ttft_ms"));
        double tpot = Double.parseDouble(r.get("silicon_tpot_ms"));
        assertEquals(ttft, row.ttftMs(), 0.15 * ttft);
        assertEquals(tpot, row.tpotMs(), 0.15 * tpot);
    }

    /**
     * A row of InferenceX's Dynamo TensorRT-LLM DeepSeek set on H100 (measured-latency.csv, config 494, 2026-02-08): one
     * DEP16 prefill worker and three TEP16 decode workers at {@code isl} / 1,024 with {@code clients}, the decode batch
     * as the row writes it, and the measured TTFT and TPOT.
     */
    private static Map<String, String> dynamoH100Row(int isl, int clients, int decodeBatch, String ttftMs, String tpotMs) {
        Map<String, String> r = new HashMap<>(Map.of("backend", "trtllm", "backend_version", "0.8.1.post3",
                "model_path", "deepseek-ai/DeepSeek-V3", "system", "h100_sxm", "precision", "fp8", "mode", "disagg",
                "isl", Integer.toString(isl), "osl", "1024", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8"));
        r.put("silicon_data_source", "db-dump/2026-04-27; config_id=494; silicon_concurrency=" + clients
                + "; measured=2026-02-08T00:00:00.000Z; workflow_run_id=269; nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.8.1.post3");
        r.putAll(Map.of("prefill_batch_size", "1", "prefill_num_workers", "1", "prefill_tp_size", "1", "prefill_pp_size", "1",
                "prefill_attention_dp_size", "16", "prefill_moe_tp_size", "1", "prefill_moe_ep_size", "16"));
        r.putAll(Map.of("decode_batch_size", Integer.toString(decodeBatch), "decode_num_workers", "3", "decode_tp_size", "16",
                "decode_pp_size", "1", "decode_attention_dp_size", "1", "decode_moe_tp_size", "1", "decode_moe_ep_size", "16"));
        r.putAll(Map.of("silicon_ttft_ms", ttftMs, "silicon_tpot_ms", tpotMs));
        return r;
    }

    /**
     * TensorRT-LLM's FP8 runs of a 16-bit checkpoint are replayed with an FP8 KV cache. Qwen3-32B FP8 on one H100 at
     * 4,096 in / 128 out with 64 in flight (TensorRT-LLM 1.0.0rc3, measured-latency.csv): TTFT 1,628 ms, TPOT 175.6 ms.
     * With a 16-bit cache the default pool holds 38 requests under GUARANTEED_NO_EVICT and the replay queued the rest
     * behind whole request lifetimes (TTFT 10.0 s); with FP8 it holds 77.
     */
    @Test
    void tensorRtLlmFp8Runs_holdAnFp8KvCache() {
        Map<String, String> r = new HashMap<>(Map.of("backend", "trtllm", "backend_version", "1.0.0rc3", "model_path",
                "Qwen/Qwen3-32B", "system", "h100_sxm", "precision", "fp8", "mode", "agg", "gemm_quant_mode", "fp8",
                "isl", "4096", "osl", "128"));
        r.putAll(Map.of("batch_size", "64", "tp_size", "1", "pp_size", "1", "silicon_ttft_ms", "1628.0494143054686",
                "silicon_tpot_ms", "175.57404553125"));
        LatencyReplay.Row row = LatencyReplay.replay(2, r, AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        assertEquals(1628, row.ttftMs(), 0.25 * 1628);
        assertEquals(175.6, row.tpotMs(), 0.25 * 175.6);
    }

    /**
     * SGLang prefills the prompts that wait together in one batch, which spreads a step's fixed costs over them: more at
     * TP 8, where they are a larger share of a step, than at TP 2. aiconfigurator's SGLang 0.5.1 runs of Qwen3-32B on H100
     * at 1,024 / 128 and 16 clients (measured-latency.csv lines 116 and 118) measure 841 ms of TTFT at TP 2 and 350 ms at
     * TP 8, 2.40 times; one prompt a step gave 1.95 (678 and 347 ms), batched service gives 2.42.
     */
    @Test
    void sglangQueuesBehindBatchedPrefills_theTpTrendItsRowsMeasure() {
        String row = "source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/sglang/0.5.1.post1/Qwen_Qwen3-32B.csv;"
                + " silicon_concurrency=16,sglang,0.5.1.post1,Qwen/Qwen3-32B,h100_sxm,,agg,1024,128,,,16,%d,1,,1,1,,,,,,,,,,,,,,,%s";
        LatencyReplay.Row tp2 = LatencyReplay.replay(116, csvLine(String.format(row, 2, "840.8064807531249,16.538571871875")),
                AutoParallel::model);
        LatencyReplay.Row tp8 = LatencyReplay.replay(118, csvLine(String.format(row, 8, "349.52334944999996,7.816084390625")),
                AutoParallel::model);
        assertTrue(tp2.predicted() && tp8.predicted(), tp2.error() + " / " + tp8.error());
        assertEquals(840.8 / 349.5, tp2.ttftMs() / tp8.ttftMs(), 0.1 * 840.8 / 349.5);
        assertEquals(841, tp2.ttftMs(), 0.3 * 841);
        assertEquals(350, tp8.ttftMs(), 0.3 * 350);
    }

    /**
     * InferenceX's Llama-3.1-70B vLLM recipes set {@code kv-cache-dtype: fp8} and utilization 0.9
     * (benchmarks/70b_fp8_h200_slurm.sh); the H200 runs held that cache. measured-latency.csv line 1499: one H200, 8,192
     * / 1,024, 32 clients: TTFT 3,132 ms, TPOT 75.7 ms; the FP8 cache holds all 32 (47 at the harness's mean lengths) and
     * the replay gives 2.8 s behind the prefills, where a 16-bit cache holds 23 and queued the rest for 19.9 s. Line
     * 1589, the same on two H100s: the rows there decode what a 16-bit cache holds (28 of 32 by Little's law), which the
     * replay keeps: its 16-bit cache holds 30.
     */
    @Test
    void inferenceXLlama70bVllmOnH200_holdsItsRecipesFp8Cache() {
        String h200 = "source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=32; measured=2025-10-29T00:00:00.000Z;"
                + " wip=False,vllm,,meta-llama/Llama-3.1-70B,h200_sxm,fp8,agg,8192,1024,fp8,fp8,32,1,1,1,1,1,,,,,,,,,,,,,,,"
                + "3132.111931556574,75.73797117138999";
        LatencyReplay.Row row = LatencyReplay.replay(1499, csvLine(h200), AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        assertEquals(3132, row.ttftMs(), 0.15 * 3132);
        assertEquals(75.7, row.tpotMs(), 0.15 * 75.7);
        String h100 = "source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=32; measured=2025-10-29T00:00:00.000Z;"
                + " wip=False,vllm,,meta-llama/Llama-3.1-70B,h100_sxm,fp8,agg,8192,1024,fp8,fp8,32,2,1,1,2,1,,,,,,,,,,,,,,,"
                + "6518.301062710816,52.368846280431946";
        Map<String, String> r = csvLine(h100);
        EngineSettings recipe = LatencyReplay.inferenceX70bVllm(r, BenchmarkHarness.INFERENCEX, ServingEngine.VLLM,
                EngineSettings.defaults());
        assertEquals(KvCacheDtype.AUTO, recipe.kvCacheDtype());
        assertEquals(0.9, recipe.gpuMemoryUtilization(), 1e-12);
        assertEquals(KvCacheDtype.FP8, LatencyReplay.inferenceX70bVllm(csvLine(h200), BenchmarkHarness.INFERENCEX,
                ServingEngine.VLLM, EngineSettings.defaults()).kvCacheDtype());
        // Other engines and harnesses keep what they were given.
        assertSame(EngineSettings.defaults().kvCacheDtype(), LatencyReplay.inferenceX70bVllm(csvLine(h200),
                BenchmarkHarness.INFERENCEX, ServingEngine.TRTLLM, EngineSettings.defaults()).kvCacheDtype());
    }

    /**
     * An FP8 checkpoint's TensorRT-LLM run holds an FP8 KV cache too: InferenceX's DeepSeek-R1 FP8 recipe sets it
     * (benchmarks/dsr1_fp8_h200_trt.sh, kv_cache_config dtype fp8). TP 8 / EP 8 on 8 x H200 with 128 in flight at the
     * harness's mean lengths (922 in, 7,373 out: 8,295 tokens each, 1,061,760 in all): TensorRT-LLM's default pool holds
     * them all with an FP8 cache and not with a 16-bit one, where the replay queued requests behind whole lifetimes and
     * predicted 93 s of TTFT. measured-latency.csv line 1223 (TensorRT-LLM 1.1.0rc2.post2): TTFT 1.40 s, TPOT 23.3 ms.
     * Its TPOT is not asserted: that campaign (2026-01-14) likely ran MTP, which the row does not say (its TPOT is 35-45%
     * below InferenceX's runs without it at the same layout), and the replay, without it, gives about 39 ms.
     */
    @Test
    void tensorRtLlmFp8Checkpoints_holdAnFp8KvCache() {
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        Layout tp8ep8 = new Layout(8, 1, 1, true);
        long[] tokens = new long[2];
        int i = 0;
        for (KvCacheDtype dtype : new KvCacheDtype[] {KvCacheDtype.FP8, KvCacheDtype.AUTO}) {
            EngineSettings s = EngineSettings.defaults().withKvCacheDtype(dtype);
            MemoryModel memory = new MemoryModel(s.served(AutoParallel.model("deepseek-ai/DeepSeek-R1"), h200), h200);
            EngineSettings sized = s.withMaxModelLen(922 + 7373).withMaxNumSeqs(128);
            MemoryEstimate vllm = memory.evaluate(tp8ep8, sized, h200.memoryBytes());
            tokens[i++] = LatencyReplay.enginePool(memory, sized, vllm, ServingEngine.TRTLLM, h200).kvCacheTokens();
        }
        assertTrue(tokens[0] >= 128L * 8295, tokens[0] + " tokens with an FP8 cache");
        assertTrue(tokens[1] < 128L * 8295, tokens[1] + " tokens with a 16-bit cache");
        Map<String, String> r = row("source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=128", "1024", "8192",
                "128", "8", "1", "1", "8", "1400.640536189965", "23.345175091106498");
        LatencyReplay.Row row = LatencyReplay.replay(1223, r, AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        assertTrue(row.ttftMs() < 2000, row.ttftMs() + " ms");
    }

    /**
     * MiniMax-M2.5 at TP 8 (vLLM 0.18.0, H200, moe_tp_size 8, moe_ep_size 1, measured-latency.csv): 1,536-wide experts split
     * by TP 8 give 192 columns, no multiple of the FP8 block of 128, which vLLM refuses ("not divisible by weight
     * quantization block_n = 128"); the published runs pass --enable-expert-parallel (vLLM's MiniMax recipe, InferenceX
     * PR #869). The replay spreads the experts instead of refusing the row: 8,192 in / 1,024 out with 8 in flight,
     * TTFT 268.6 ms and TPOT 10.0 ms measured.
     */
    @Test
    void expertsThatBreakTheirFp8BlocksUnderTp_areReplayedWithExpertParallelism() {
        Map<String, String> r = new HashMap<>(Map.of("backend", "vllm", "backend_version", "0.18.0", "model_path",
                "MiniMaxAI/MiniMax-M2.5", "system", "h200_sxm", "precision", "fp8", "mode", "agg", "gemm_quant_mode", "fp8",
                "moe_quant_mode", "fp8", "isl", "8192"));
        r.putAll(Map.of("osl", "1024", "batch_size", "8", "tp_size", "8", "pp_size", "1", "attention_dp_size", "1",
                "moe_tp_size", "8", "moe_ep_size", "1", "silicon_ttft_ms", "268.60021030006465",
                "silicon_tpot_ms", "9.996799343366739"));
        ModelSpec spec = AutoParallel.model("MiniMaxAI/MiniMax-M2.5");
        MemoryModel memory = new MemoryModel(spec, GpuCatalog.require("H200", "gpu"));
        assertTrue(memory.invalidLayout(new Layout(8, 1, 1, false)).contains("not a multiple of the FP8 block of 128"));
        assertNull(memory.invalidLayout(new Layout(8, 1, 1, true)));
        LatencyReplay.Row row = LatencyReplay.replay(2, r, AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        assertEquals(268.6, row.ttftMs(), 0.3 * 268.6);
        assertEquals(10.0, row.tpotMs(), 0.3 * 10.0);
    }

    /**
     * InferenceX's rows (its database dumps and earlier CSV exports) were served at lengths drawn uniformly from
     * [int(0.8 x L), L] (benchmark_serving.py's one-sided range ratio, RANDOM_RANGE_RATIO 0.8), so they are replayed
     * at the mean: (819 + 1,024) / 2 = 921.5 -> 922 for 1,024 and (6,553 + 8,192) / 2 -> 7,373 for 8,192. The
     * gap-analysis rows, whose harness is not published, keep the file's lengths.
     */
    @Test
    void inferenceXRows_areReplayedAtTheirHarnessMeanLengths() {
        Map<String, String> dump = Map.of("silicon_data_source", "db-dump/2026-04-27; config_id=81; silicon_concurrency=4");
        Map<String, String> export = Map.of("silicon_data_source", "source_file=2026-04-06.csv; model=Llama-3.1-70B; "
                + "silicon_concurrency=64");
        Map<String, String> gap = Map.of("silicon_data_source", "source_file=/Users/x/aic-auto-gap-analysis/data/h200_sxm/"
                + "vllm/0.12.0/m.csv; silicon_concurrency=7");
        assertEquals(922, BenchmarkHarness.of(dump).meanLength(1024));
        assertEquals(7373, BenchmarkHarness.of(dump).meanLength(8192));
        assertEquals(922, BenchmarkHarness.of(export).meanLength(1024));
        assertEquals(1024, BenchmarkHarness.of(gap).meanLength(1024));
        assertEquals(1024, BenchmarkHarness.of(Map.of()).meanLength(1024));
    }

    /** measured-latency.csv's header. */
    private static final String HEADER = "silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,"
            + "gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
            + "prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,"
            + "prefill_moe_tp_size,prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,"
            + "decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms";

    /** One line of measured-latency.csv (no quoted fields) as its columns. */
    private static Map<String, String> csvLine(String line) {
        String[] names = HEADER.split(",", -1);
        String[] values = line.split(",", -1);
        Map<String, String> r = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            r.put(names[i], values[i]);
        }
        return r;
    }

    /**
     * aiconfigurator's gap analysis of Kimi-K2.5 on vLLM carries InferenceX's H200 figures: measured-latency.csv line 1856
     * (kimi-k2.5-gap-analysis.csv, 1,024 / 1,024 at 4 clients, 148.61 and 10.43 ms) is line 1674 (InferenceX's run of
     * 2026-03-27, 148.606 and 10.431 ms) rounded to 0.01 ms. Read with the file it is InferenceX's measurement, replayed
     * at its harness's drawn lengths (922) and queue, the same prediction as its twin; alone, or with figures 0.02 ms
     * away, it stays aiconfigurator's (the file's lengths, 1,024).
     */
    @Test
    void aRowRepeatingAnInferenceXMeasurement_isReplayedAsInferenceX() {
        Map<String, String> inferenceX = csvLine("source_file=2026-04-06.csv; model=Kimi-K2.5; silicon_concurrency=4; "
                + "measured=2026-03-27T00:00:00.000Z; wip=False; image=vllm/vllm-openai:v0.16.0,vllm,0.16.0,moonshotai/Kimi-K2.5,"
                + "h200_sxm,int4,agg,1024,1024,int4_wo,int4_wo,4,8,1,1,8,1,,,,,,,,,,,,,,,148.60638657119125,10.431417973710822");
        Map<String, String> repeat = csvLine("source_file=kimi-k2.5-gap-analysis.csv; silicon_concurrency=4; "
                + "aic_database_mode=SILICON,vllm,0.16.0,moonshotai/Kimi-K2.5,h200_sxm,int4,agg,1024,1024,int4_wo,int4_wo,4,8,1,1,"
                + "8,1,,,,,,,,,,,,,,,148.61,10.43");
        Map<String, String> other = new HashMap<>(repeat);
        other.put("silicon_ttft_ms", "148.63");
        assertEquals(BenchmarkHarness.AICONFIGURATOR, BenchmarkHarness.of(repeat));
        assertEquals(List.of(BenchmarkHarness.INFERENCEX, BenchmarkHarness.INFERENCEX, BenchmarkHarness.AICONFIGURATOR),
                BenchmarkHarness.of(List.of(inferenceX, repeat, other)));
        assertEquals(List.of(BenchmarkHarness.AICONFIGURATOR), BenchmarkHarness.of(List.of(repeat)));
        List<LatencyReplay.Row> rows = LatencyReplay.replayAll(List.of(inferenceX, repeat, other), AutoParallel::model);
        assertEquals(List.of(2, 3, 4), rows.stream().map(LatencyReplay.Row::line).toList());
        assertEquals(922, rows.get(1).replayedIsl());
        assertEquals(1024, rows.get(2).replayedIsl());
        assertTrue(rows.get(1).predicted(), rows.get(1).error());
        assertEquals(rows.get(0).ttftMs(), rows.get(1).ttftMs(), 1e-9);
        assertEquals(rows.get(0).tpotMs(), rows.get(1).tpotMs(), 1e-9);
    }

    /**
     * One TensorRT-LLM 1.1 DeepSeek-R1 run on 8 x H200 (TP 8, EP 8; 1,024 in / 8,192 out, 32 in flight) as two of
     * InferenceX's exports give it (measured-latency.csv lines 1216 and 1608, the same TTFT and TPOT): the 2026-03-25
     * export as tp_size 8, moe_tp_size 1, moe_ep_size 8; the 2026-04-06 export as tp_size 64, moe_tp_size 8,
     * moe_ep_size 8. And with attention DP (8,192 / 1,024, 256 in flight; lines 1224 and 1851): 8 ranks of 32 against
     * attention_dp_size 64 with a batch of 4. Each export replays as the run it is, with the same prediction.
     */
    @Test
    void inferenceXRowsWithTheirAttentionSplitTimesEp_areReplayedAsTheirRun() {
        Map<String, String> sane = row("source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=32", "1024", "8192",
                "32", "8", "1", "1", "8", "1144.223147194134", "15.821505026388827");
        Map<String, String> multiplied = row("source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=32", "1024",
                "8192", "32", "64", "1", "8", "8", "1144.223147194134", "15.821505026388829");
        Map<String, String> run = LatencyReplay.inferenceXLayout(multiplied, BenchmarkHarness.of(multiplied));
        assertEquals("8", run.get("tp_size"));
        assertEquals("1", run.get("attention_dp_size"));
        assertEquals("1", run.get("moe_tp_size"));
        assertEquals("8", run.get("moe_ep_size"));
        assertEquals("32", run.get("batch_size"));
        assertSamePrediction(replayed(1216, sane), replayed(1608, multiplied));

        Map<String, String> dpSane = row("source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=256", "8192",
                "1024", "32", "1", "8", "1", "8", "12222.913625075673", "101.7799679207291");
        Map<String, String> dpMultiplied = row("source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=256",
                "8192", "1024", "4", "1", "64", "8", "8", "12222.913625075671", "101.7799679207291");
        Map<String, String> dpRun = LatencyReplay.inferenceXLayout(dpMultiplied, BenchmarkHarness.of(dpMultiplied));
        assertEquals("1", dpRun.get("tp_size"));
        assertEquals("8", dpRun.get("attention_dp_size"));
        assertEquals("32", dpRun.get("batch_size"));
        LatencyReplay.Row d = replayed(1851, dpMultiplied);
        assertEquals(256, d.concurrency());
        assertSamePrediction(replayed(1224, dpSane), d);

        // aiconfigurator's own runs split the experts between TP and EP for real (TensorRT-LLM's moe_tp_size x
        // moe_ep_size = tp_size): kept as they are, and refused as not modelled.
        Map<String, String> gap = new HashMap<>(multiplied);
        gap.put("silicon_data_source", "source_file=/Users/x/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/q.csv; "
                + "silicon_concurrency=32");
        gap.putAll(Map.of("tp_size", "4", "moe_tp_size", "2", "moe_ep_size", "2"));
        assertSame(gap, LatencyReplay.inferenceXLayout(gap, BenchmarkHarness.of(gap)));
        assertTrue(LatencyReplay.replay(2, gap, AutoParallel::model).error().contains("mixed expert TP x EP split"));
    }

    /**
     * InferenceX runs DeepSeek-R1 on TensorRT-LLM at EP = TP in every configuration (nvidia-master.yaml: "For all sequence
     * lengths, EP=TP"); its export of the 2025-11-02 runs writes them as expert TP 8 without EP (measured-latency.csv line
     * 86: DeepSeek-V3, 1,024 / 8,192, 8 clients, 15.87 ms TPOT), and they measure the TPOT of the 2025-12-15 runs written
     * as TP 8 x EP 8 within 1% (line 109: 15.93 ms). Read at EP 8 both replay alike; aiconfigurator's rows, other models
     * and attention-DP rows keep their columns.
     */
    @Test
    void inferenceXDeepSeekTensorRtLlmRunsWrittenAsExpertTp_areReplayedAtEpEqualsTp() {
        Map<String, String> written = row("db-dump/2026-04-27; config_id=83; silicon_concurrency=8; measured=2025-11-02T00:00:00.000Z",
                "1024", "8192", "8", "8", "1", "8", "1", "289.881920570042", "15.870517236269581");
        written.put("model_path", "deepseek-ai/DeepSeek-V3");
        Map<String, String> run = LatencyReplay.inferenceXLayout(written, BenchmarkHarness.of(written));
        assertEquals("8", run.get("tp_size"));
        assertEquals("1", run.get("moe_tp_size"));
        assertEquals("8", run.get("moe_ep_size"));
        Map<String, String> asEp = row("db-dump/2026-04-27; config_id=181; silicon_concurrency=8; measured=2025-12-15T00:00:00.000Z",
                "1024", "8192", "8", "64", "1", "8", "8", "290.583943692036", "15.93029432205044");
        asEp.put("model_path", "deepseek-ai/DeepSeek-V3");
        assertSamePrediction(replayed(86, written), replayed(109, asEp));
        Map<String, String> other = new HashMap<>(written);
        other.put("silicon_data_source", "source_file=/Users/x/aic-auto-gap-analysis/data/h200_sxm/trtllm/1.0.0rc3/d.csv");
        assertSame(other, LatencyReplay.inferenceXLayout(other, BenchmarkHarness.of(other)));
        Map<String, String> llama = new HashMap<>(written);
        llama.put("model_path", "meta-llama/Llama-3.1-70B");
        assertSame(llama, LatencyReplay.inferenceXLayout(llama, BenchmarkHarness.of(llama)));
    }

    /**
     * InferenceX's rows of 2026-01-14 for DeepSeek-R1 on TensorRT-LLM H200 are its MTP configuration's run
     * ({@code dsr1-fp8-h200-trt-mtp}), written without the drafting: measured-latency.csv line 1225 (TP 8 / EP 8, 4 clients,
     * 1,024 / 1,024: 494 ms, 8.58 ms, three draft tokens a step in its script) and line 1855 (attention DP at 128 clients,
     * one draft token) are refused with the configuration and the draft length named, not replayed as plain runs. The
     * configuration without MTP at that layout and load (line 1238, 2025-11-02: 308 ms, 13.81 ms) is replayed, and so
     * is line 1225's row dated another day.
     */
    @Test
    void inferenceXDeepSeekTensorRtLlmMtpRun_isRefusedNotReplayedAsAPlainRun() {
        Map<String, String> mtp = csvLine("source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=4;"
                + " measured=2026-01-14T22:26:21Z; wip=False; image=nvcr.io#nvidia/tensorrt-llm/release:1.1.0rc2.post2,trtllm,"
                + "1.1.0rc2.post2,deepseek-ai/DeepSeek-R1,h200_sxm,fp8,agg,1024,1024,fp8,fp8,4,8,1,1,1,8,,,,,,,,,,,,,,,"
                + "493.9807895803824,8.583777779094092");
        assertRefused(1225, mtp, "dsr1-fp8-h200-trt-mtp", "drafting 3 token");
        assertRefused(1855, csvLine("source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=128;"
                + " measured=2026-01-14T00:00:00.000Z; wip=False; image=nvcr.io/nvidia/tensorrt-llm/release:1.1.0rc2.post2,"
                + "trtllm,1.1.0rc2.post2,deepseek-ai/DeepSeek-R1,h200_sxm,fp8,agg,1024,1024,fp8,fp8,2,1,1,64,8,8,,,,,,,,,,,,,,,"
                + "3201.025608209602,31.458185946990813"), "drafting 1 token");
        replayed(1238, csvLine("source_file=2026-04-06.csv; model=DeepSeek-R1; silicon_concurrency=4;"
                + " measured=2025-11-02T00:00:00.000Z; wip=False,trtllm,,deepseek-ai/DeepSeek-R1,h200_sxm,fp8,agg,1024,1024,"
                + "fp8,fp8,4,8,1,1,8,1,,,,,,,,,,,,,,,307.8542872215621,13.805333440646905"));
        Map<String, String> otherDay = new HashMap<>(mtp);
        otherDay.put("silicon_data_source", mtp.get("silicon_data_source").replace("2026-01-14", "2026-01-28"));
        replayed(1225, otherDay);
    }

    /**
     * An aggregated row whose {@code silicon_concurrency} is not its {@code batch_size x attention_dp_size} says two
     * different runs. aiconfigurator's gpt-oss-120b runs on TensorRT-LLM 1.3.0rc1 (H100, 4,000 / 1,000) give 192 clients
     * for a batch of 48 at TP 4 without attention DP (measured-latency.csv line 688: 1,591 ms, 48.8 ms), and neither
     * reading fits them: the replay at 48 clients gave 195 ms and 10.5 ms, and {@code evaluate openai/gpt-oss-120b --tp 4
     * --pp 1 --gpu H100 --engine trtllm --input-tokens 4000 --output-tokens 1000 --concurrency 192} gives 241 ms and 15.8
     * ms. Refused with both figures named; rows where they agree are
     * replayed ({@link #inferenceXDeepSeekTensorRtLlmMtpRun_isRefusedNotReplayedAsAPlainRun}: line 1238, 4 clients, a
     * batch of 4).
     */
    @Test
    void aggregatedRowsWhoseClientsAndBatchDisagree_areRefused() {
        assertRefused(688, csvLine("source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.3.0rc1/"
                + "openai_gpt-oss-120b.csv; gtl_job_id=23879486; gtl_task_id=103834793; silicon_concurrency=192;"
                + " measured=2026-03-18; image=nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:0.9.0; dynamo_version=0.9.0,"
                + "trtllm,1.3.0rc1,openai/gpt-oss-120b,h100_sxm,fp8,agg,4000,1000,fp8,fp8,48,4,1,,4,1,,,,,,,,,,,,,,,"
                + "1590.9683266848956,48.78760061871856"), "silicon_concurrency 192", "(48)", "disagree");
    }

    /**
     * InferenceX's 2026-04-06 export writes vLLM's MiniMax-M2.5 at TP 4 with expert parallelism on four H100s as
     * {@code tp_size 4, attention_dp_size 4, moe_ep_size 16} with a batch of 1 at 4 clients (measured-latency.csv line
     * 1689: 265 ms, 11.0 ms); the 2026-03-25 export has the same configuration as {@code tp_size 4, moe_ep_size 4} with a
     * batch of 4 (its run a day earlier at 1,024 / 1,024 with 4 clients, line 980: 82.5 ms and 10.12 ms, where the
     * 2026-04-06 export's line 1708 has 85.7 ms and 10.09 ms). Sixteen GPUs is more than the single-node recipe has:
     * read as TP 4 / EP 4, and replayed as its 2026-03-25 form is.
     */
    @Test
    void inferenceXMultipliedDataParallelColumns_areReadAsTheRun() {
        Map<String, String> written = minimax("1", "4", "16", "264.6985461935401", "11.04573946187719");
        Map<String, String> run = LatencyReplay.inferenceXLayout(written, BenchmarkHarness.of(written));
        assertEquals("4", run.get("tp_size"));
        assertEquals("1", run.get("attention_dp_size"));
        assertEquals("4", run.get("moe_ep_size"));
        assertEquals("4", run.get("batch_size"));
        assertSamePrediction(replayed(1689, written), replayed(1689, minimax("4", "1", "4", "264.6985461935401",
                "11.04573946187719")));
        // Within a node (TP 2 x DP 2 with EP 4 over four GPUs) the columns are taken as written.
        Map<String, String> small = minimax("2", "2", "4", "264.6985461935401", "11.04573946187719");
        small.put("tp_size", "2");
        assertSame(small, LatencyReplay.inferenceXLayout(small, BenchmarkHarness.of(small)));
    }

    private static Map<String, String> minimax(String batch, String dp, String ep, String ttft, String tpot) {
        Map<String, String> r = new HashMap<>(Map.of("silicon_data_source", "source_file=2026-04-06.csv; model=MiniMax-M2.5; "
                + "silicon_concurrency=4", "backend", "vllm", "backend_version", "0.18.0", "model_path", "MiniMaxAI/MiniMax-M2.5",
                "system", "h100_sxm", "precision", "fp8", "mode", "agg", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8"));
        r.putAll(Map.of("isl", "8192", "osl", "1024", "batch_size", batch, "tp_size", "4", "pp_size", "1",
                "attention_dp_size", dp, "moe_tp_size", "1", "moe_ep_size", ep, "silicon_ttft_ms", ttft, "silicon_tpot_ms", tpot));
        return r;
    }

    /**
     * vLLM serving gpt-oss-120b at TP 8 on H100 with 512 clients (measured-latency.csv line 1663, InferenceX, replayed at
     * 922 output tokens): TTFT 22.3 s and TPOT 5.33 ms say 512 x 921 x 5.33 / (22,295 + 921 x 5.33) = 92 requests were
     * decoding at once, where vLLM (max-num-seqs 512 in the recipe) and the KV cache would hold all 512.
     */
    @Test
    void impliedDecoding_isLittlesLawOnTheClosedLoop() {
        assertEquals(92.4, LatencyReplay.impliedDecoding(512, 922, 22294.927658548113, 5.332720091681205), 0.05);
        assertEquals(4, LatencyReplay.impliedDecoding(4, 100, 0.001, 10), 1e-3);
        assertTrue(Double.isNaN(LatencyReplay.impliedDecoding(4, 1, 100, 10)));
    }

    /**
     * Issue 11's per-row target: a row misses when TTFT or TPOT is off by more than 3x either way (more than three times
     * the measurement, or less than a third of it); a row without a prediction does not count.
     */
    @Test
    void offByMoreThan_countsEitherFigureEitherWay() {
        assertFalse(row(100, 10, 290.0, 10.0).offByMoreThan(3));
        assertTrue(row(100, 10, 310.0, 10.0).offByMoreThan(3));
        assertFalse(row(100, 10, 34.0, 10.0).offByMoreThan(3));
        assertTrue(row(100, 10, 32.0, 10.0).offByMoreThan(3));
        assertTrue(row(100, 10, 100.0, 31.0).offByMoreThan(3));
        assertTrue(row(100, 10, 100.0, 3.2).offByMoreThan(3));
        assertFalse(row(100, 10, null, null).offByMoreThan(3));
    }

    /** Errors per engine and serving mode: agg and disagg rows of one engine apart, the rows beyond 3x counted. */
    @Test
    void errorsByEngineAndMode_splitAggregatedFromDisaggregated() {
        LatencyReplay.Row agg = row(100, 10, 110.0, 10.0);
        LatencyReplay.Row far = row(100, 10, 400.0, 10.0);
        LatencyReplay.Row disagg = new LatencyReplay.Row(3, "m", "vllm", "h100_sxm", "prefill 1 x TP 8 DP 1, decode 1 x TP 8 DP 1",
                true, 1024, 1024, 1024, 1024, 8, 100, 10, 150.0, 10.0, BenchmarkHarness.OTHER, PerfModel.StepSource.ROOFLINE, null,
                null, null);
        List<LatencyReplay.Errors> e = LatencyReplay.errorsByEngineAndMode(List.of(agg, far, disagg));
        assertEquals(List.of("vllm | agg", "vllm | disagg", "all"), e.stream().map(LatencyReplay.Errors::group).toList());
        assertEquals(2, e.get(0).predicted());
        assertEquals(1, e.get(0).beyondFactor());
        assertEquals(0.5, e.get(1).medianAbsErrorTtft(), 1e-9);
        assertEquals(1, e.get(2).beyondFactor());
        assertEquals(3, e.get(2).rows());
    }

    /** An aggregated vLLM row measured at {@code ttft} / {@code tpot} ms, predicted at the others (null: not predicted). */
    private static LatencyReplay.Row row(double ttft, double tpot, Double predictedTtft, Double predictedTpot) {
        return new LatencyReplay.Row(2, "m", "vllm", "h100_sxm", "TP 1 PP 1 DP 1", false, 1024, 1024, 1024, 1024, 8, ttft, tpot,
                predictedTtft, predictedTpot, BenchmarkHarness.OTHER,
                predictedTtft == null ? null : PerfModel.StepSource.ROOFLINE, null, null,
                predictedTtft == null ? "not predicted" : null);
    }

    /** The replay of one row, which must be predicted. */
    private static LatencyReplay.Row replayed(int line, Map<String, String> r) {
        LatencyReplay.Row row = LatencyReplay.replay(line, r, AutoParallel::model);
        assertTrue(row.predicted(), row.error());
        return row;
    }

    /** The replay of one row, which must be refused with a reason naming each of {@code phrases}. */
    private static void assertRefused(int line, Map<String, String> r, String... phrases) {
        LatencyReplay.Row row = LatencyReplay.replay(line, r, AutoParallel::model);
        assertFalse(row.predicted());
        for (String phrase : phrases) {
            assertTrue(row.error().contains(phrase), row.error());
        }
    }

    private static void assertSamePrediction(LatencyReplay.Row a, LatencyReplay.Row b) {
        assertEquals(a.ttftMs(), b.ttftMs());
        assertEquals(a.tpotMs(), b.tpotMs());
    }

    /**
     * InferenceX's Llama-3.1-70B TensorRT-LLM recipe holds prompts for up to 20 iterations at 1,024 / 1,024 below TP 8
     * (batch_wait_timeout_iters 20, batch_wait_max_tokens_ratio 0.9: benchmarks/70b_fp8_h200_trt_slurm.sh) and not at
     * 1,024 / 8,192. On one H200 with 4 clients (measured-latency.csv lines 1542 and 1490) the two runs share the prompt
     * length, layout and step time (TPOT 20.1 and 20.8 ms) and measure 562 and 176 ms of TTFT: 386 ms apart, 19 steps.
     * A hold of 20 steps, less the rare prompt that joins one, is 20 x 20.1 x 1.04 / 1.08 = 387 ms.
     */
    @Test
    void inferenceXLlama70bTensorRtLlm_holdsPromptsAt1kBy1kBelowTp8() {
        Map<String, String> held = llama70b("1024", "562.1822100307327", "20.11358134992956");
        Map<String, String> free = llama70b("8192", "175.83176639745943", "20.779597726062377");
        Layout tp1 = new Layout(1, 1, 1, false);
        BenchmarkHarness inferenceX = BenchmarkHarness.of(held);
        assertEquals(new BatchWait(20, 0.9, 16_384), LatencyReplay.promptHold(held, inferenceX, ServingEngine.TRTLLM, tp1));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(free, BenchmarkHarness.of(free), ServingEngine.TRTLLM, tp1));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(held, inferenceX, ServingEngine.TRTLLM, new Layout(8, 1, 1, false)));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(held, inferenceX, ServingEngine.VLLM, tp1));
        LatencyReplay.Row a = LatencyReplay.replay(1542, held, AutoParallel::model);
        LatencyReplay.Row b = LatencyReplay.replay(1490, free, AutoParallel::model);
        assertTrue(a.predicted() && b.predicted(), a.error() + " / " + b.error());
        assertEquals(386, a.ttftMs() - b.ttftMs(), 0.15 * 386);
        assertEquals("batch_wait_timeout_iters 20, batch_wait_max_tokens_ratio 0.9", a.promptHold());
        assertNull(b.promptHold());
    }

    /**
     * InferenceX's DeepSeek-R1 recipes for TensorRT-LLM balance attention DP (attention_dp_config enable_balance true,
     * timeout_iters 60: benchmarks/dsr1_fp8_h200_trt.sh), so a prompt waits for every rank to have one or for 60
     * iterations. Line 115 of measured-latency.csv, DeepSeek-V3 at 8,192 / 1,024 on eight H200s with attention DP 8 and
     * EP 8 (exported as 64 ranks of batch 1), 64 clients, measures 4,734 ms TTFT and 47.8 ms TPOT: a prefill and its
     * queue of 3.3 s alone were 30% under; with the hold, 1% under, 16% over since TensorRT-LLM's MLA block and its
     * refitted calibration (2026-12-02), and 21% over (5,734 ms) since InferenceX's measured-experts queue was refitted
     * without its MTP configuration's run (2026-12-03; that run measures 6,422 ms at this layout and load, drafting one
     * token a step). Without attention DP, or on another engine or harness, nothing is held.
     */
    @Test
    void inferenceXDeepSeekTensorRtLlm_attentionDpWaitsForEveryRank() {
        Map<String, String> r = row("db-dump/2026-04-27; config_id=183; silicon_concurrency=64; measured=2025-12-15T00:00:00.000Z;"
                + " workflow_run_id=223; nvcr.io/nvidia/tensorrt-llm/release:1.1.0rc2.post2", "8192", "1024", "1", "1", "64", "8",
                "8", "4734.1958479897585", "47.79153883331073");
        r.put("model_path", "deepseek-ai/DeepSeek-V3");
        BenchmarkHarness inferenceX = BenchmarkHarness.of(r);
        assertEquals(BenchmarkHarness.INFERENCEX, inferenceX);
        Layout dp8 = new Layout(1, 1, 8, true);
        assertEquals(new AdpBalance(8, 60), LatencyReplay.promptHold(r, inferenceX, ServingEngine.TRTLLM, dp8));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(r, inferenceX, ServingEngine.TRTLLM, new Layout(8, 1, 1, true)));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(r, inferenceX, ServingEngine.SGLANG, dp8));
        assertSame(BatchWait.NONE, LatencyReplay.promptHold(r, BenchmarkHarness.OTHER, ServingEngine.TRTLLM, dp8));
        LatencyReplay.Row row = replayed(115, r);
        assertEquals(4734, row.ttftMs(), 0.25 * 4734);
        assertEquals("attention_dp_config enable_balance true, timeout_iters 60 (8 ranks)", row.promptHold());
    }

    /**
     * InferenceX's gpt-oss recipes for vLLM on H100 and H200 export VLLM_MXFP4_USE_MARLIN=1, so their rows run Marlin's
     * MXFP4 experts where vLLM would pick OpenAI's Triton kernel. Line 952 of measured-latency.csv, gpt-oss-120b on four
     * H100s at 8,192 / 1,024 with 4 clients, measures 176.0 ms TTFT and 4.36 ms TPOT: replayed on Triton's experts 115 ms
     * (34% under), on Marlin's (moved from its measured shape, KernelTables.Kernels#moe(MoeShape, String)) 159 ms.
     * Other harnesses, engines and GPUs keep the engine's own kernel.
     */
    @Test
    void inferenceXGptOssOnVllmHopper_runsMarlinExperts() {
        Map<String, String> r = new HashMap<>(Map.of("silicon_data_source", "source_file=2026-03-25.csv; model=GPT-OSS-120B;"
                        + " silicon_concurrency=4; image=vllm/vllm-openai:v0.18.0", "backend", "vllm", "backend_version", "0.18.0",
                "model_path", "openai/gpt-oss-120b", "system", "h100_sxm", "precision", "fp4", "mode", "agg", "gemm_quant_mode",
                "nvfp4", "moe_quant_mode", "nvfp4"));
        r.putAll(Map.of("isl", "8192", "osl", "1024", "batch_size", "4", "tp_size", "4", "pp_size", "1", "attention_dp_size", "1",
                "moe_tp_size", "4", "moe_ep_size", "1", "silicon_ttft_ms", "176.0338748805225", "silicon_tpot_ms",
                "4.363628206976823"));
        LatencyReplay.Row row = replayed(952, r);
        assertEquals("marlin", row.expertKernel());
        assertEquals(176.0, row.ttftMs(), 0.12 * 176.0);
        assertEquals(4.36, row.tpotMs(), 0.06 * 4.36);
        ModelSpec gptOss = AutoParallel.model("openai/gpt-oss-120b");
        assertEquals("marlin", LatencyReplay.forcedExpertKernel(BenchmarkHarness.INFERENCEX, ServingEngine.VLLM, "h200_sxm", gptOss));
        assertNull(LatencyReplay.forcedExpertKernel(BenchmarkHarness.AICONFIGURATOR, ServingEngine.VLLM, "h100_sxm", gptOss));
        assertNull(LatencyReplay.forcedExpertKernel(BenchmarkHarness.INFERENCEX, ServingEngine.SGLANG, "h100_sxm", gptOss));
        assertNull(LatencyReplay.forcedExpertKernel(BenchmarkHarness.INFERENCEX, ServingEngine.VLLM, "b200_sxm", gptOss));
        assertNull(LatencyReplay.forcedExpertKernel(BenchmarkHarness.INFERENCEX, ServingEngine.VLLM, "h100_sxm",
                AutoParallel.model("Qwen/Qwen3-30B-A3B")));
    }

    /**
     * aiconfigurator's runs measure a first burst: every client sends at once into an empty server and a run of a fixed
     * number of requests counts that wave with the rest, C^2 / 2N prefills a request (EngineCalibration#burstFactor,
     * 2e-4: N = 2,500). Qwen3-32B FP8 on one H100 under TensorRT-LLM 1.0.0rc3, 1,024 in / 512 out (measured-latency.csv
     * lines 359 and 368): 486 ms TTFT at 64 clients, 751 ms at 128. The queue in (C-1)^b alone gave 449 and 544 ms; with
     * the burst, 64 clients barely move (4,096 x 2e-4 = 0.8 prefills) and 128 take 3.3 prefills more, within 15%.
     */
    @Test
    void aiconfiguratorsRuns_queueTheirFirstBurst() {
        String source = "source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/Qwen_Qwen3-32B.csv;"
                + " silicon_concurrency=";
        LatencyReplay.Row at64 = LatencyReplay.replay(359, csvLine(source + "64,trtllm,1.0.0rc3,Qwen/Qwen3-32B,h100_sxm,fp8,agg,"
                + "1024,512,fp8,fp8,64,1,1,,1,1,,,,,,,,,,,,,,,485.852734840625,29.16090957265625"), AutoParallel::model);
        LatencyReplay.Row at128 = LatencyReplay.replay(368, csvLine(source + "128,trtllm,1.0.0rc3,Qwen/Qwen3-32B,h100_sxm,fp8,agg,"
                + "1024,512,fp8,fp8,128,1,1,,1,1,,,,,,,,,,,,,,,750.7361997085,43.735554722"), AutoParallel::model);
        assertSame(BenchmarkHarness.AICONFIGURATOR, at128.harness());
        assertEquals(486, at64.ttftMs(), 0.10 * 486);
        assertEquals(751, at128.ttftMs(), 0.15 * 751);
        EngineCalibration burstOnly = new EngineCalibration(0, 0, 0, 0, 0, 2e-4);
        assertEquals(0.1 * 3.2768, burstOnly.queueSeconds(0.1, 128), 1e-12);
    }

    /**
     * TensorRT-LLM 1.0.0rc3 feeds Qwen3's FP8 linears 16-bit inputs that each quantizes itself (all but the output
     * projection, which the attention kernel feeds FP8 from the FP8 KV cache): they cost what op-perf's FP8 GEMMs time.
     * Qwen3-32B FP8 at TP 8 on H100, 8 clients, 1,024 in / 512 out (measured-latency.csv line 463): 6.21 ms TPOT, where
     * the tables less their per-call excess on every linear gave 3.95. From 1.0.0 the SwiGLU feeds the down projection
     * FP8, so the same run on a later release steps faster (6.43 against 5.58 ms as replayed on 2026-12-03: 64 layers'
     * down projections less their excess; the assertion asks a quarter of that).
     */
    @Test
    void tensorRtLlm10Rc3_quantizesQwen3sLinearInputsInKernelsOfTheirOwn() {
        String line = "source_file=/Users/harrli/projects/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/Qwen_Qwen3-32B.csv;"
                + " silicon_concurrency=8,trtllm,%s,Qwen/Qwen3-32B,h100_sxm,fp8,agg,1024,512,fp8,fp8,8,8,1,,1,1,,,,,,,,,,,,,,,"
                + "122.76479639375,6.2060664249999995";
        LatencyReplay.Row rc3 = LatencyReplay.replay(463, csvLine(String.format(line, "1.0.0rc3")), AutoParallel::model);
        LatencyReplay.Row later = LatencyReplay.replay(463, csvLine(String.format(line, "1.2.0rc6.post1")), AutoParallel::model);
        assertEquals(6.21, rc3.tpotMs(), 0.10 * 6.21);
        assertTrue(later.tpotMs() < rc3.tpotMs() - 0.2, later.tpotMs() + " vs " + rc3.tpotMs());
    }

    /**
     * How long a new prompt waits behind others depends on how the benchmark's clients send requests, so each harness
     * has its own queue (fitted 2026-12-02 by jobs/fit-engine.sh ENGINE FILE SOURCE harness on its own rows of
     * measured-latency.csv); the engine's step and prefill overheads are shared. TensorRT-LLM on measured kernels:
     * InferenceX's runs 0.15 x (C-1)^0.8 (72 rows), aiconfigurator's own 2.00 x (C-1)^0.2 and a first burst of 2e-4 x
     * C^2 prefills (357 rows; by jobs/fit-engine.sh ... burst, 2026-12-02); its roofline has too few aiconfigurator rows
     * (3) for one and keeps the source's; scaled kernels take the measured ones'.
     */
    @Test
    void eachHarness_queuesWithItsOwnFit_overTheEnginesOverheads() {
        EngineCalibration shared = ServingEngine.TRTLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS);
        EngineCalibration ix = ServingEngine.TRTLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS, BenchmarkHarness.INFERENCEX);
        EngineCalibration aic = ServingEngine.TRTLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS,
                BenchmarkHarness.AICONFIGURATOR);
        assertEquals(0.15, ix.queueFactor(), 1e-9);
        assertEquals(0.8, ix.queueExponent(), 1e-9);
        assertEquals(0, ix.burstFactor(), 1e-12);
        assertEquals(2.00, aic.queueFactor(), 1e-9);
        assertEquals(0.2, aic.queueExponent(), 1e-9);
        assertEquals(2e-4, aic.burstFactor(), 1e-12);
        for (EngineCalibration c : List.of(ix, aic)) {
            assertEquals(shared.stepOverheadS(), c.stepOverheadS());
            assertEquals(shared.prefillOverheadS(), c.prefillOverheadS());
            assertEquals(shared.moeLayerOverheadS(), c.moeLayerOverheadS());
        }
        assertEquals(ix, ServingEngine.TRTLLM.calibration(PerfModel.StepSource.SCALED_KERNELS, BenchmarkHarness.INFERENCEX));
        assertEquals(ServingEngine.TRTLLM.calibration(PerfModel.StepSource.ROOFLINE),
                ServingEngine.TRTLLM.calibration(PerfModel.StepSource.ROOFLINE, BenchmarkHarness.AICONFIGURATOR));
        assertSame(BenchmarkHarness.INFERENCEX, BenchmarkHarness.of(Map.of("silicon_data_source", "db-dump/2026-04-27; config_id=81")));
        assertSame(BenchmarkHarness.AICONFIGURATOR, BenchmarkHarness.of(Map.of("silicon_data_source",
                "source_file=/Users/x/aic-auto-gap-analysis/data/h100_sxm/trtllm/1.0.0rc3/m.csv; silicon_concurrency=8")));
        // Any other row (your own measurements) queues as estimates do.
        assertSame(BenchmarkHarness.OTHER, BenchmarkHarness.of(Map.of()));
        assertEquals(ServingEngine.TRTLLM.forPlanning(PerfModel.StepSource.MEASURED_KERNELS),
                ServingEngine.TRTLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS, BenchmarkHarness.OTHER));
    }

    /**
     * InferenceX's Llama-3.1-70B FP8 on TensorRT-LLM, TP 8 on H200 with 4 clients (measured-latency.csv lines 1552 and
     * 1605, no batch waiting at TP 8): 302 ms TTFT at 8,192 / 1,024 and 68.7 ms at 1,024 / 1,024, about one prefill
     * each. Replayed with InferenceX's queue: 317 ms (+5%) and 61.5 ms (-11%). The queue fitted over both harnesses
     * (1.5 x (C-1)^0.3, three-quarters aiconfigurator's rows) predicted 710 and 133 ms; the same rows as one of
     * aiconfigurator's runs, whose prompts wait about two prefills at 4 clients, give more than twice InferenceX's.
     */
    @Test
    void inferenceXLlama70bTensorRtLlm_queuesAsItsClientsLoad() {
        Map<String, String> longPrompt = llama70b("8192", "1024", "8", "301.9740555784665", "7.151042803938385");
        Map<String, String> shortPrompt = llama70b("1024", "1024", "8", "68.69141392526217", "6.258508250078806");
        LatencyReplay.Row a = replayed(1552, longPrompt);
        LatencyReplay.Row b = replayed(1605, shortPrompt);
        assertEquals(302.0, a.ttftMs(), 0.10 * 302.0);
        assertEquals(68.7, b.ttftMs(), 0.15 * 68.7);
        Map<String, String> asAiconfigurator = new HashMap<>(shortPrompt);
        asAiconfigurator.put("silicon_data_source", "source_file=/Users/x/aic-auto-gap-analysis/data/h200_sxm/trtllm/m.csv; "
                + "silicon_concurrency=4");
        assertTrue(replayed(1605, asAiconfigurator).ttftMs() > 2 * b.ttftMs());
    }

    private static Map<String, String> llama70b(String osl, String ttft, String tpot) {
        return llama70b("1024", osl, "1", ttft, tpot);
    }

    private static Map<String, String> llama70b(String isl, String osl, String tp, String ttft, String tpot) {
        Map<String, String> r = row("source_file=2026-04-06.csv; model=Llama-3.1-70B; silicon_concurrency=4", isl, osl, "4",
                tp, "1", tp, "1", ttft, tpot);
        r.put("backend_version", "");
        r.put("model_path", "meta-llama/Llama-3.1-70B");
        return r;
    }

    /** A TensorRT-LLM DeepSeek-R1 FP8 row on H200 with the given columns. */
    private static Map<String, String> row(String source, String isl, String osl, String batch, String tp, String dp,
                                           String moeTp, String moeEp, String ttft, String tpot) {
        Map<String, String> r = new HashMap<>(Map.of("silicon_data_source", source, "backend", "trtllm", "backend_version",
                "1.1.0rc2.post2", "model_path", "deepseek-ai/DeepSeek-R1", "system", "h200_sxm", "precision", "fp8", "mode",
                "agg", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8"));
        r.putAll(Map.of("isl", isl, "osl", osl, "batch_size", batch, "tp_size", tp, "pp_size", "1", "attention_dp_size", dp,
                "moe_tp_size", moeTp, "moe_ep_size", moeEp, "silicon_ttft_ms", ttft, "silicon_tpot_ms", tpot));
        return r;
    }
}

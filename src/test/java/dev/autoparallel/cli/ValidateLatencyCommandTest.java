package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.cli.MainTest.Run;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate-latency}: measured serving points replayed through the speed model. */
class ValidateLatencyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * 30 measured points (every 16th of the reference set's first 472 aggregated vLLM / SGLang rows, aiconfigurator
     * silicon_sample.csv, Apache-2.0, NVIDIA; with their silicon_data_source since 2026-12-02, so each replays at its
     * harness's lengths and queue: median TTFT 9.2% and TPOT 9.5%, 21.3% and 9.6% without): the median errors stay within
     * the README's statements (TPOT at most 20%, TTFT at most 35%).
     */
    @Test
    void pinnedMeasuredPoints_withinTheStatedError(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("points.csv");
        try (InputStream in = getClass().getResourceAsStream("/reference/latency-points.csv")) {
            Files.copy(in, csv);
        }
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(30, j.get("rows").size());
        assertEquals(30, j.get("predicted_rows").asInt());
        assertTrue(j.get("median_abs_error_tpot").asDouble() <= 0.20, j.get("median_abs_error_tpot").toString());
        assertTrue(j.get("median_abs_error_ttft").asDouble() <= 0.35, j.get("median_abs_error_ttft").toString());
        JsonNode first = j.get("rows").get(0);
        for (String key : new String[] {"ttft_ms", "tpot_ms", "error", "measured_ttft_ms", "measured_tpot_ms"}) {
            assertTrue(first.has(key), key);
        }
    }

    /**
     * --json says which harness measured each row and which lengths it was replayed at: an InferenceX database row at its
     * harness's mean (the draw is uniform in [819, 1,024] for 1,024: 922), a row of another source at the file's lengths;
     * the InferenceX row's shorter prompt prefills faster (both queue as estimates do: InferenceX's fit). A row of another
     * source that repeats the InferenceX row's figures (to 0.005 ms) is that measurement, InferenceX's.
     */
    @Test
    void json_givesTheReplayedLengths(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, """
                silicon_data_source,model_path,backend,backend_version,system,precision,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,silicon_ttft_ms,silicon_tpot_ms
                db-dump/2026-04-27; config_id=1; silicon_concurrency=4,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4,4,1,1,,1,120.5,13.1
                x,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4,4,1,1,,1,121.5,13.2
                y; silicon_concurrency=4,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4,4,1,1,,1,120.504,13.1
                """);
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out()).get("rows");
        assertEquals(1024, rows.get(0).get("isl").asInt());
        assertEquals(922, rows.get(0).get("replayed_isl").asInt());
        assertEquals(922, rows.get(0).get("replayed_osl").asInt());
        assertEquals(1024, rows.get(1).get("replayed_isl").asInt());
        assertEquals("inferencex", rows.get(0).get("harness").asText());
        assertEquals("other", rows.get(1).get("harness").asText());
        assertEquals("inferencex", rows.get(2).get("harness").asText());
        assertEquals(922, rows.get(2).get("replayed_isl").asInt());
        assertEquals(rows.get(0).get("ttft_ms").asDouble(), rows.get(2).get("ttft_ms").asDouble(), 1e-9);
        // 4 clients x 921 x 13.1 ms / (120.5 + 921 x 13.1): 3.96 decoding at once.
        assertEquals(4.0, rows.get(0).get("implied_decoding").asDouble(), 0.05);
        assertTrue(rows.get(0).get("ttft_ms").asDouble() < rows.get(1).get("ttft_ms").asDouble(), rows.toString());
    }

    /**
     * A count column that is not a whole number an int holds (a fraction, a negative, NaN, more than 2^31 - 1) is refused
     * with the column and its text, not truncated or saturated into a row the file does not state.
     */
    @Test
    void countColumnsThatAreNotWholeNumbers_areRefusedByName(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, """
                model_path,backend,backend_version,system,precision,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,silicon_ttft_ms,silicon_tpot_ms
                meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,99999999999,4,1,1,120.5,13.1
                meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,NaN,1024,4,4,1,1,120.5,13.1
                meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4.5,4,1,1,120.5,13.1
                meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4,-4,1,1,120.5,13.1
                meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,4.0,4,1,1,120.5,13.1
                """);
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out()).get("rows");
        assertEquals("batch_size is '99999999999'; allowed: a whole number from 0 to 2,147,483,647",
                rows.get(0).get("error").asText());
        assertTrue(rows.get(1).get("error").asText().startsWith("isl is 'NaN'"), rows.get(1).toString());
        assertTrue(rows.get(2).get("error").asText().startsWith("batch_size is '4.5'"), rows.get(2).toString());
        assertTrue(rows.get(3).get("error").asText().startsWith("tp_size is '-4'"), rows.get(3).toString());
        assertTrue(rows.get(4).get("error").isNull(), rows.get(4).toString());
    }

    /**
     * A file of another format (here one without the measured columns) is refused whole, naming what its header lacks,
     * rather than read as rows that each lack everything and reported with exit 0.
     */
    @Test
    void aHeaderWithoutTheRequiredColumns_isRefusedByName(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, """
                model_path,backend,system,isl,osl,ttft_ms,tpot_ms
                meta-llama/Llama-3.1-70B,vllm,h100_sxm,1024,1024,120.5,13.1
                """);
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("the header lacks the columns silicon_ttft_ms, silicon_tpot_ms;"), r.err());
        assertTrue(r.err().contains("header read: model_path,backend,system,isl,osl,ttft_ms,tpot_ms"), r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void rowsThatCannotBePredicted_sayWhy(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, """
                silicon_data_source,model_path,backend,backend_version,system,precision,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_num_workers,decode_num_workers,silicon_ttft_ms,silicon_tpot_ms
                x,meta-llama/Llama-3.1-70B,vllm,0.11.0,mi355x,fp8,agg,1024,1024,16,4,1,1,,1,,,120.5,13.1
                x,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,disagg,1024,1024,16,4,1,1,,1,,,120.5,13.1
                x,"acme/unknown, quoted",sglang,0.5.9,h200_sxm,,agg,1024,1024,16,4,1,1,,1,,,120.5,13.1
                x,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,agg,1024,1024,16,4,1,1,,1,,,120.5,13.1
                x,meta-llama/Llama-3.1-70B,vllm,0.11.0,gb300,fp8,agg,1024,1024,16,4,1,1,,1,,,120.5,13.1
                run=1; silicon_concurrency=64,meta-llama/Llama-3.1-70B,vllm,0.11.0,h100_sxm,fp8,disagg,1024,1024,,,,,,,,,120.5,13.1
                x,Qwen/Qwen3-30B-A3B,vllm,0.11.0,h100_sxm,,agg,1024,1024,16,4,1,1,2,2,,,120.5,13.1
                x,Qwen/Qwen3-30B-A3B,vllm,0.11.0,h100_sxm,,agg,1024,1024,16,1,1,4,1,4,,,120.5,13.1
                """);
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out()).get("rows");
        assertTrue(rows.get(0).get("error").asText().contains("'mi355x' is not a GPU in the catalog"), rows.get(0).toString());
        assertTrue(rows.get(1).get("error").asText().contains("silicon_concurrency"), rows.get(1).toString());
        assertEquals("acme/unknown, quoted", rows.get(2).get("model").asText());
        assertTrue(rows.get(2).get("error").asText().contains("acme/unknown, quoted"), rows.get(2).toString());
        assertTrue(rows.get(3).get("error").isNull());
        assertTrue(rows.get(3).get("tpot_ms").asDouble() > 0);
        // The Blackwell racks' system names map to catalog GPUs: a GB300 step is faster than an H100's.
        assertTrue(rows.get(4).get("error").isNull(), rows.get(4).toString());
        assertTrue(rows.get(4).get("tpot_ms").asDouble() < rows.get(3).get("tpot_ms").asDouble(), rows.toString());
        // A disaggregated row with its concurrency but without the pools' worker counts; a mixed expert split; attention
        // data parallelism: 16 sequences on each of 4 ranks are 64 in flight.
        assertEquals(64, rows.get(5).get("concurrency").asInt());
        assertTrue(rows.get(5).get("error").asText().contains("prefill_num_workers"), rows.get(5).toString());
        assertTrue(rows.get(6).get("error").asText().contains("mixed expert TP x EP split"), rows.get(6).toString());
        assertTrue(rows.get(7).get("error").isNull(), rows.get(7).toString());
        assertEquals(64, rows.get(7).get("concurrency").asInt());
        Run text = MainTest.run("validate-latency", csv.toString());
        assertTrue(text.out().contains("all"), text.out());
        assertEquals(2, MainTest.run("validate-latency", dir.resolve("missing.csv").toString()).code());
    }

    /**
     * 44 TensorRT-LLM points (every 16th of the 704 aggregated TensorRT-LLM rows of the reference set the model
     * predicts: aiconfigurator silicon_sample.csv, Apache-2.0, NVIDIA), replayed under TensorRT-LLM's own calibration
     * (jobs/fit-engine.sh trtllm): median errors 8.8% TTFT and 5.4% TPOT on 43 since TensorRT-LLM 1.0.0rc3's Qwen3-32B
     * FP8 linears quantize their own inputs (the 12 Qwen3-32B rows; ServingEngine#selfQuantizedFp8Inputs, 2026-12-03);
     * 11.0% TTFT and 6.9% TPOT since InferenceX's DeepSeek-R1 run with
     * MTP of 2026-01-14 is refused (its line 34, 128 clients with attention DP: LatencyReplay#unstatedSpeculation) and
     * InferenceX's measured-experts queue refitted without that run (2026-12-03); 11.2% TTFT on all 44 since
     * aiconfigurator's runs queue their first burst
     * (EngineCalibration#burstFactor, 2026-12-02); 12.4% and 7.2% since InferenceX's measured-experts
     * queue was refitted once attention-DP ranks read all their dense weights (2026-12-02); 11.7% and 7.5% since
     * DeepSeek's decode steps take
     * TensorRT-LLM's measured MLA block, InferenceX's DeepSeek runs of 2025-11-02 are read at EP = TP and the
     * measured-experts calibration was refitted (2026-12-02); 12.3% and 7.1% since the rows carry their
     * silicon_data_source (31 aiconfigurator's, 13 InferenceX's) and queue as their harness's clients load
     * (2026-12-02, ServingEngine#calibration(StepSource, BenchmarkHarness)): InferenceX's two gpt-oss rows written with
     * a multiplied expert split are read as their runs (LatencyReplay.inferenceXLayout); 14.3% and 7.0% on 42 with
     * aiconfigurator's queue for every row, 14.8% and 7.0% since its measured-kernels calibration was
     * refitted with InferenceX's Llama-3.1-70B runs at 1,024 / 1,024 replayed with their recipe's batch waiting
     * (2026-12-01; this file's rows carry no data source, so none of them is held: the gain is the refit's), 20.0% and
     * 7.0% since gpt-oss's MXFP4 experts keep the
     * roofline, as TensorRT-LLM runs them with TRITON and the tables measure its CUTLASS kernel (2026-12-01; 18.9% and
     * 7.1% before), 18.9% and 7.1% since FP8 checkpoints' rows hold an FP8 KV cache as well (7.8% TPOT before), 18.9% and 7.8% since the 16-bit checkpoints' FP8 rows hold one
     * (2026-11-30; 16.6% and 8.0% with a 16-bit one) and prompts enter steps whole rather than
     * spread over every step, the decode batch is the requests past their first token, and under attention data
     * parallelism the experts' inputs are all-gathered (2026-11-30; 16.9% and 10.2% before; 14.5% and 13.1% before FP8
     * dense rows ran the tables' fp8 GEMMs and a run held TensorRT-LLM's own default KV pool; 22.4%
     * TTFT with the shared queue exponent 0.7, once the MoE rows' routed experts came
     * from measured MoE layers, DeepSeek's attention from measured MLA kernels and TP all-reduces from the engine's
     * measured all-reduce; 32.7% and 13.1% with the 16-bit
     * dense rows alone on measured kernels, 34.3% and 13.6% on the roofline alone), where vLLM's calibration gave 48% TTFT
     * on the whole set. Without their data source, two gpt-oss-120b rows split the experts 4 x 4 and 2 x 2 between TP
     * and EP, which is not modelled, and 42 rows were predicted.
     */
    @Test
    void tensorRtLlmPoints_withItsOwnCalibration(@TempDir Path dir) throws Exception {
        JsonNode j = replay(dir, "latency-points-trtllm.csv");
        assertEquals(43, j.get("predicted_rows").asInt());
        assertEquals(0.088, j.get("median_abs_error_ttft").asDouble(), 0.005);
        assertEquals(0.054, j.get("median_abs_error_tpot").asDouble(), 0.005);
    }

    /**
     * The 36 disaggregated rows of the reference set that name both pools' worker counts and the concurrency
     * (DeepSeek-V3 on TensorRT-LLM and SGLang, H100/H200; aiconfigurator silicon_sample.csv, Apache-2.0, NVIDIA):
     * every one is predicted by the closed-network model of the two pools (2026-12-03: median errors 13.0% TTFT and 3.5%
     * TPOT, two rows beyond 3x, once context workers took their queue a batch at a time, TensorRT-LLM's spent the prefill
     * overhead as their own time, constant prefills waited half a service, the Dynamo H200 runs' context workers were
     * replayed as their recipes and their first token came 50 decode steps late (Disaggregation,
     * LatencyReplay.dynamoPrefill); 2026-12-02: 13.4% TTFT and
     * 3.4% TPOT once attention-DP ranks read all their dense weights (PerfModel) and InferenceX's TensorRT-LLM
     * measured-experts queue was refitted; 13.1% and 5.2% once attention-DP prefill steps carried only the loaded ranks'
     * prompts (Disaggregation); 15.8% and
     * 5.3% once InferenceX's H100 Dynamo runs prefilled with their recipes' DeepEP all-to-all
     * (LatencyReplay.forcedExpertDispatch) and SGLang's DP-attention decode all-gathered its experts' inputs (the same
     * medians, two rows beyond 3x; three with the all-to-all alone); 18.3% and 5.4% once they decoded with their recipes' batch (LatencyReplay
     * .INFERENCEX_DYNAMO_H100_DECODE_BATCH); 32.3% and 4.9% once its prefill steps took the MLA block measured in prefill
     * too; 32.4% and 4.8% once TensorRT-LLM's
     * decode steps took its measured MLA block, its calibration was refitted and the late
     * first token took 46 decode steps; 2026-12-01: 22.9% TTFT and 19.8% TPOT once a decode pool with a slot for every request stopped queueing them and the Dynamo TensorRT-LLM
     * runs' first token took 50 decode steps after the transfer (LatencyReplay.DYNAMO_TRTLLM_FIRST_TOKEN_STEPS; 67.0%
     * and 18.7% with the first fix alone); 44.5% and 19.7% once TensorRT-LLM's FP8 DeepSeek runs held an FP8 KV cache; 46.7% and 18.8% once InferenceX's rows
     * were replayed at its harness's mean lengths, 0.9 of the file's; 50.0% and 18.3%
     * once a TP group spanning two H100 nodes paid the network's hops on every all-reduce; 55.8% and 19.8%
     * once TensorRT-LLM's decode workers all-gathered their experts' inputs over attention data parallelism (SGLang's
     * dispatch is not modelled); 59.7% and 30.4% before; 59.0% before
     * the queue exponents were fitted per source, 55.7% and 38.6% before MLA attention came from measured kernels).
     */
    @Test
    void disaggregatedPoints_allPredicted(@TempDir Path dir) throws Exception {
        JsonNode j = replay(dir, "latency-points-disagg.csv");
        assertEquals(36, j.get("predicted_rows").asInt());
        assertEquals(0.130, j.get("median_abs_error_ttft").asDouble(), 0.005);
        assertEquals(0.035, j.get("median_abs_error_tpot").asDouble(), 0.005);
        // Per engine and mode, as issue 11's target is stated. 2026-12-03, once SGLang's measured-experts calibration was
        // refitted with its queue served in batches (0 + 60 us a MoE layer, 90 ms; ServingEngine.batchesQueuedPrompts):
        // SGLang's three rows 42.3% and 9.5% (decode steps 35.9 -> 36.8 ms at 256 clients, 42.7 measured). Before that,
        // with the context workers above: SGLang's three rows 44.1% and 11.5%, one beyond 3x (64 clients: 0.6 s predicted,
        // 2.0 s measured; 0.8 s before the constant prefill's half-service wait); TensorRT-LLM's 33 rows 10.6% and 3.4%, one beyond 3x (the H100 run at 154 clients
        // below). 2026-12-02: SGLang's three rows 46.1% TTFT and 11.6% TPOT
        // once their DP-8 decode ranks read all their dense weights (28.4 -> 32.7 ms at 8 sequences a rank, 34.7 measured);
        // TensorRT-LLM's 33 rows 12.1% and 3.2%, three beyond 3x (DeepSeek-V3 on H200 at 768 clients, line 100 of the
        // reference set, 2.85 s against 8.76 s, joined the two below). 58.7% and 23.1% before, since SGLang's
        // measured-experts calibration was refitted with GLM-5's DSA blocks (57.7% and 22.0% before) with
        // their decode's all-gather and reduce-scatter around each MoE layer (66.1% and 28.6% without, one of them,
        // DeepSeek-V3 on H200 at 128 clients, beyond 3x: 11.3 s predicted, 3.6 s measured; 8.8 s now); TensorRT-LLM's 33
        // rows 12.1% and 4.5% once attention-DP prefill steps carry only the loaded ranks' prompts (14.9% before), two
        // beyond 3x; 14.9% and 4.5% with the H100 recipes' DeepEP prefill, two beyond 3x: the H100 run at 8,192 / 1,024 with 154
        // clients measures 31.4 s TTFT, 7.9 s predicted now that its prefill no longer all-gathers 16 ranks' prompts over
        // InfiniBand (41.7 s before; 17.3% and 5.2% and one beyond 3x with the decode batch alone; 25.6% and 4.4% and four
        // before that; 24.5% and 4.0% before its MLA block in prefill, 19.8% and 19.6% before its MLA block in decode).
        JsonNode engines = j.get("engines");
        assertEquals(2, engines.size(), engines.toString());
        assertEquals("sglang | disagg", engines.get(0).get("engine_mode").asText());
        assertEquals(3, engines.get(0).get("predicted").asInt());
        assertEquals(0.423, engines.get(0).get("median_abs_error_ttft").asDouble(), 0.005);
        assertEquals(0.095, engines.get(0).get("median_abs_error_tpot").asDouble(), 0.005);
        assertEquals(1, engines.get(0).get("rows_beyond_3x").asInt());
        assertEquals("trtllm | disagg", engines.get(1).get("engine_mode").asText());
        assertEquals(33, engines.get(1).get("predicted").asInt());
        assertEquals(0.106, engines.get(1).get("median_abs_error_ttft").asDouble(), 0.005);
        assertEquals(0.034, engines.get(1).get("median_abs_error_tpot").asDouble(), 0.005);
        assertEquals(1, engines.get(1).get("rows_beyond_3x").asInt());
        assertEquals(2, j.get("rows_beyond_3x").asInt());
    }

    /** validate-latency --json of the test resource {@code reference/NAME}, which must exit 0. */
    private JsonNode replay(Path dir, String name) throws Exception {
        Path csv = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/reference/" + name)) {
            Files.copy(in, csv);
        }
        Run r = MainTest.run("validate-latency", csv.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }
}

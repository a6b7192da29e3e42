package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract: JSON keys, exit codes 0 / 2 / 3. Surefire runs with HF_HUB_OFFLINE=1. */
class MainTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void inspectJson_hasTheContractKeys() throws Exception {
        Run r = run("inspect", "meta-llama/Llama-3.1-70B", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(70_553_706_496L, j.get("param_count").asLong()); // reference param_count for Llama-3.1-70B
        assertEquals(70_553_706_496L, j.get("active_param_count").asLong());
        assertEquals(327_680L, j.get("kv_cache_bytes_per_token").asLong()); // 2 x 80 x 8 x 128 x 2 B
        assertEquals(141_107_412_992L, j.get("weight_bytes").asLong()); // 2 B per bf16 parameter
        assertEquals("embedded catalog", j.get("source").get("origin").asText());
        assertTrue(j.get("param_breakdown").has("attention"));
        assertEquals(80, j.get("architecture").get("num_layers").asInt());
    }

    @Test
    void inspectText_isReadable() {
        Run r = run("inspect", "mixtral-8x7b-v0.1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parameters 46,702,792,704 (active per token 12,879,925,248)"), r.out());
    }

    @Test
    void inspectJson_layerPlanCountsAndScaleBytes() throws Exception {
        // nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4 (catalog, with its hf_quant_config.json): 23 Mamba-2, 6 attention
        // and 23 MoE layers (card); NVFP4 weights with FP8 block scales.
        Run r = run("inspect", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(23, j.get("layer_plan").get("mixers").get("Mamba-2").asInt());
        assertEquals(6, j.get("layer_plan").get("mixers").get("full attention").asInt());
        assertEquals(23, j.get("layer_plan").get("feed_forward").get("MoE").asInt());
        assertEquals("modelopt", j.get("quantization_detail").get("method").asText());
        assertTrue(j.get("quantization_detail").get("scale_bytes").asLong() > 0);
        for (String key : new String[] {"param_count", "active_param_count", "mtp_param_count", "vision_param_count"}) {
            assertTrue(j.has(key), key);
        }
        Run text = run("inspect", "Qwen/Qwen3.5-27B");
        assertTrue(text.out().contains("layer plan: mixers 16 x full attention, 48 x linear attention (Gated DeltaNet)"),
                text.out());
    }

    @Test
    void modelsText_showsFamilyAndConfigDate() {
        Run r = run("models");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("meta-llama/Llama-4-Scout-17B-16E-Instruct")
                && l.contains("llama4") && l.contains("2026-11-30")), r.out());
    }

    /**
     * The listing's columns line up whatever the family name's length (granite_moe_hybrid, 18 characters, pushed the
     * counts of its row right by five), and a checkpoint stored in MXFP8 (MiniMax-M3-MXFP8's quant_method mxfp8) is named
     * so, not "none".
     */
    @Test
    void modelsText_alignsColumnsAndNamesMicroscaledCheckpoints() {
        Run r = run("models");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> !l.endsWith(" models")).toList();
        int params = lines.get(0).indexOf("PARAMS") + "PARAMS".length();
        for (String l : lines.subList(1, lines.size())) {
            assertEquals('B', l.charAt(params - 1), "the PARAMS column ends at the same place on every row: " + l);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ibm-granite/granite-4.0-h-tiny ") && l.contains("granite_moe_hybrid")));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("MiniMaxAI/MiniMax-M3-MXFP8 ")
                && l.endsWith("mxfp8 (E8M0 scale per 32 values)")), r.out());
    }

    @Test
    void inspect_localConfigFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, "{\"model_type\":\"gpt2\",\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"n_positions\":1024,\"vocab_size\":50257}");
        Run r = run("inspect", cfg.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(124_439_808L, new ObjectMapper().readTree(r.out()).get("param_count").asLong());
    }

    @Test
    void badConfig_exits2_namingTheField(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("cfg.json");
        Files.writeString(cfg, "{\"model_type\":\"llama\",\"num_hidden_layers\":2}");
        Run r = run("inspect", cfg.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("hidden_size"), r.err());
    }

    @Test
    void unknownModelOffline_exits3_withSuggestion() {
        Run r = run("inspect", "meta-llama/Llama-3.1-8B-Instrukt");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("meta-llama/Llama-3.1-8B-Instruct"), r.err());
    }

    @Test
    void badOption_exits2() {
        assertEquals(2, run("inspect").code());
        assertEquals(2, run("inspect", "x", "--frobnicate").code());
    }

    @Test
    void modelsJson_listsTheCatalog() throws Exception {
        Run r = run("models", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("count").asInt() >= 40);
        assertEquals(j.get("count").asInt(), j.get("models").size());
        assertTrue(j.get("models").get(0).has("param_count"));
    }

    @Test
    void evaluateJson_hasTheEngineViewKeys() throws Exception {
        // Reference set: gpt-oss-120b on one H100, vLLM "latest" image of 2026-01/02, KV cache 3.33 GiB.
        Run r = run("evaluate", "openai/gpt-oss-120b", "--tp", "1", "--pp", "1", "--gpu", "H100",
                "--gpu-memory-utilization", "0.95", "--max-model-len", "16000", "--block-size", "128",
                "--vllm-version", "0.15.0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"weights_bytes", "activation_bytes", "overhead_bytes", "kv_cache_bytes",
                "kv_cache_tokens", "max_concurrency", "fits"}) {
            assertTrue(j.has(key), key);
        }
        assertEquals(3.33, j.get("kv_cache_bytes").asDouble() / (1L << 30), 0.05 * 3.33);
        assertTrue(j.get("fits").asBoolean());
    }

    @Test
    void analyzeTable_andBestJson() throws Exception {
        Run table = run("analyze", "Qwen/Qwen3-32B", "--gpu", "H100", "--seq", "8192", "--batch", "16");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("best: vllm serve Qwen/Qwen3-32B"), table.out());
        Run best = run("best", "Qwen/Qwen3-32B", "--gpu", "H100", "--objective", "maximize_batch", "--json");
        assertEquals(0, best.code(), best.err());
        assertEquals(8, new ObjectMapper().readTree(best.out()).get("total_gpus").asInt());
    }

    @Test
    void doesNotFit_exits4_andSaysWhatWould() {
        Run r = run("analyze", "meta-llama/Llama-3.1-405B", "--gpu", "L4", "--gpus-per-node", "4");
        assertEquals(4, r.code());
        assertTrue(r.err().contains("It would need at least"), r.err());
    }

    /**
     * A max_model_len beyond the model's positions is refused as vLLM refuses it (_get_and_verify_max_len, without
     * VLLM_ALLOW_LONG_MAX_MODEL_LEN), given or from the workload: Qwen3-8B's config has max_position_embeddings 40960.
     * It was evaluated as if vLLM would start.
     */
    @Test
    void evaluate_maxModelLenBeyondThePositions_exits2() {
        Run given = run("evaluate", "Qwen/Qwen3-8B", "--tp", "1", "--pp", "1", "--gpu", "H100", "--max-model-len", "40961");
        assertEquals(2, given.code(), given.out());
        assertTrue(given.err().contains("max_model_len was 40961") && given.err().contains("at most 40960"), given.err());
        Run workload = run("evaluate", "Qwen/Qwen3-8B", "--tp", "1", "--pp", "1", "--gpu", "H100", "--input-tokens", "40000",
                "--output-tokens", "1000");
        assertEquals(2, workload.code(), workload.out());
        assertTrue(workload.err().contains("41000 (the workload's input plus output tokens)"), workload.err());
        assertEquals(0, run("evaluate", "Qwen/Qwen3-8B", "--tp", "1", "--pp", "1", "--gpu", "H100", "--max-model-len", "40960").code());
    }

    /** A layout vLLM refuses outright shows the refusal, not a budget of zeros it never computed (exit 4). */
    @Test
    void evaluate_invalidLayout_showsTheRefusalWithoutABudget() {
        Run r = run("evaluate", "meta-llama/Llama-3.1-8B", "--tp", "3", "--pp", "1", "--gpu", "H100");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.out().contains("does not fit: tensor parallel size 3 does not divide the 32 attention heads"), r.out());
        assertFalse(r.out().contains("budget") || r.out().contains("KV cache:"), r.out());
    }

    @Test
    void memoryAndCost_run() throws Exception {
        Run mem = run("memory", "meta-llama/Llama-3.1-8B", "--seq", "8192", "--json");
        assertEquals(0, mem.code(), mem.err());
        assertTrue(new ObjectMapper().readTree(mem.out()).get("minimum_memory_gb").asDouble() > 15);
        Run cost = run("cost", "meta-llama/Llama-3.1-8B", "--gpu", "L40S", "--json");
        assertEquals(0, cost.code(), cost.err());
        assertEquals(1, new ObjectMapper().readTree(cost.out()).get("gpus_needed").asInt());
        Run costText = run("cost", "meta-llama/Llama-3.1-8B", "--gpu", "L40S");
        assertTrue(costText.out().startsWith("1 GPU needed: $"), costText.out());
        // The text names the utilization its figures assume: the release's default without the flag (it printed
        // "gpu_memory_utilization nu", a null through %.2f).
        Run text = run("memory", "meta-llama/Llama-3.1-8B");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("gpu_memory_utilization 0.92)"), text.out());
        Run badGpu = run("analyze", "meta-llama/Llama-3.1-8B", "--gpu", "RTX9090");
        assertEquals(2, badGpu.code());
        assertTrue(badGpu.err().contains("known GPUs"), badGpu.err());
    }

    @Test
    void evaluateWithWorkload_reportsSpeedAndCost() throws Exception {
        // Reference measurement (aiconfigurator silicon_sample.csv, vLLM, H200, Llama-3.1-70B fp8, TP 4,
        // 1024 in / 1024 out, concurrency 16): TTFT 126.2 ms, TPOT 10.94 ms.
        Run r = run("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "4", "--input-tokens", "1024",
                "--output-tokens", "1024", "--concurrency", "16", "--engine", "vllm", "--weight-dtype", "fp8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(10.94, j.get("tpot_ms").asDouble(), 10.94 * 0.2);
        assertEquals(126.2, j.get("ttft_ms").asDouble(), 126.2 * 0.35);
        assertTrue(j.get("tokens_per_second").asDouble() > 0);
        assertTrue(j.get("cost_per_million_tokens_usd").asDouble() > 0);
        assertEquals(2, run("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "4", "--input-tokens", "10",
                "--output-tokens", "10", "--engine", "tgi").code());
    }

    @Test
    void speculativeDecoding_fromTheCommandLine() throws Exception {
        // DeepSeek-V3's MTP module at the report's 85% (arXiv 2412.19437, 5.4.3): 1.85 tokens a step, one more MLA layer.
        String[] base = {"evaluate", "deepseek-ai/DeepSeek-V3", "--gpu", "H200", "--tp", "8", "--input-tokens", "1024",
                "--output-tokens", "1024", "--concurrency", "32", "--json"};
        JsonNode off = new ObjectMapper().readTree(run(base).out());
        Run r = run(java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--speculative-method", "mtp")).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode on = new ObjectMapper().readTree(r.out());
        assertEquals("mtp", on.get("speculative").get("method").asText());
        assertEquals(1.85, on.get("speculative").get("mean_acceptance_length").asDouble(), 1e-9);
        assertEquals(62 * 576 * 2, on.get("kv_bytes_per_token").asLong());
        assertTrue(on.get("weights_bytes").asLong() > off.get("weights_bytes").asLong());
        assertTrue(on.get("tpot_ms").asDouble() < off.get("tpot_ms").asDouble() / 1.3, on.get("tpot_ms") + " vs " + off.get("tpot_ms"));
        assertTrue(off.get("speculative") == null || off.get("speculative").isNull());
        // A model without MTP layers, n-gram without rates, and EAGLE-3 without a head exit 2 naming what to give.
        Run llama = run("evaluate", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "H100", "--speculative-method", "mtp");
        assertEquals(2, llama.code());
        assertTrue(llama.err().contains("no multi-token-prediction layers"), llama.err());
        Run ngram = run("evaluate", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "H100", "--speculative-method", "ngram");
        assertEquals(2, ngram.code());
        assertTrue(ngram.err().contains("give the rates"), ngram.err());
        assertEquals(2, run("evaluate", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "H100", "--speculative-method",
                "eagle3").code());
    }

    @Test
    void speedObjectives_rankByThroughputAndCost() throws Exception {
        Run fast = run("best", "Qwen/Qwen3-8B", "--gpu", "H100", "--objective", "maximize_throughput", "--seq", "4096",
                "--batch", "64", "--json");
        assertEquals(0, fast.code(), fast.err());
        JsonNode f = new ObjectMapper().readTree(fast.out());
        Run cheap = run("best", "Qwen/Qwen3-8B", "--gpu", "H100", "--objective", "minimize_cost_per_token", "--seq", "4096",
                "--batch", "64", "--json");
        JsonNode c = new ObjectMapper().readTree(cheap.out());
        assertTrue(f.get("tokens_per_second").asDouble() >= c.get("tokens_per_second").asDouble());
        assertTrue(c.get("cost_per_million_tokens_usd").asDouble() <= f.get("cost_per_million_tokens_usd").asDouble());
        assertTrue(f.get("trtllm_command").asText().startsWith("trtllm-serve Qwen/Qwen3-8B --backend pytorch"));
    }

    /**
     * evaluate says how much of the overhead is vLLM's CUDA-graph estimate and which graphs it counts (CaptureLadder):
     * Llama-3.1-8B on one H100 under 0.22 at 8 sequences captures 5 PIECEWISE graphs to 16 tokens and 4 FULL to 8, 32
     * layers x 9 graphs x 256 KiB = 0.07 GiB; 0.19 subtracts no estimate.
     */
    @Test
    void evaluate_namesTheCudaGraphEstimate() {
        String[] base = {"evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--max-model-len", "4096", "--max-num-seqs", "8"};
        Run v22 = run(concat(base, "--vllm-version", "0.22.0"));
        assertEquals(0, v22.code(), v22.err());
        assertTrue(v22.out().contains("of the overhead, 0.07 GiB is vLLM's CUDA-graph estimate: 5 PIECEWISE graphs (to 16 tokens)"
                + " and 4 FULL (to 8)"), v22.out());
        Run v19 = run(concat(base, "--vllm-version", "0.19.0"));
        assertFalse(v19.out().contains("CUDA-graph estimate"), v19.out());
    }

    /**
     * From 0.28 the new runner keeps its penalty state per sequence slot (VllmReleases.newRunnerPenaltyBytes): Llama-3.1-8B
     * at 64 slots, 64 x 4 x (128,256 + 4,008) B = 0.03 GiB; evaluate names it and --json gives runner_state_bytes.
     */
    @Test
    void evaluate_namesTheNewRunnersPenaltyState() throws Exception {
        String[] base = {"evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--max-model-len", "4096", "--max-num-seqs", "64"};
        Run v28 = run(concat(base, "--vllm-version", "0.28.0"));
        assertEquals(0, v28.code(), v28.err());
        assertTrue(v28.out().contains("of the overhead, 0.03 GiB is vLLM's penalty state for 64 sequence slots"), v28.out());
        Run json = run(concat(base, "--vllm-version", "0.28.0", "--json"));
        assertEquals(64L * 4 * (128_256 + 4_008), new ObjectMapper().readTree(json.out()).get("runner_state_bytes").asLong());
        Run v27 = run(concat(base, "--vllm-version", "0.27.1"));
        assertFalse(v27.out().contains("penalty state"), v27.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate --kv-cache-memory}: the CLI's blocks, tokens and concurrency equal vLLM's formula
 * (vllm/v1/core/kv_cache_utils.py, vllm/v1/kv_cache_interface.py, commit 001cabc1, read 2026-11),
 * derived here by hand for each model: num_blocks = available // page // group_size; concurrency =
 * num_blocks / blocks per request; logged tokens int(concurrency x max_model_len) from 0.20
 * (PR #41069), num_blocks // groups x min block before.
 */
class EvaluateKvCacheTest {
    private static final long GIB = 1L << 30;
    private static final long AVAILABLE = 8 * GIB;

    private static String config(String folder) {
        try {
            return Path.of(EvaluateKvCacheTest.class.getResource("/configs-2026/" + folder).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode evaluate(String model, String gpu, int tp, int maxLen, String version, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("evaluate", model, "--gpu", gpu, "--tp", String.valueOf(tp),
                "--max-model-len", String.valueOf(maxLen), "--kv-cache-memory", "8", "--vllm-version", version, "--json"));
        args.addAll(List.of(extra));
        MainTest.Run r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err() + r.out());
        return new ObjectMapper().readTree(r.out());
    }

    private static long cdiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static void assertFormula(JsonNode j, long numBlocks, long perRequest, int groups, long minBlock, boolean newLog) {
        assertEquals(AVAILABLE, j.get("kv_cache_bytes").asLong());
        assertEquals(numBlocks, j.get("num_gpu_blocks").asLong(), "num_blocks");
        assertEquals(groups, j.get("kv_cache_groups").size());
        long sum = 0;
        for (JsonNode g : j.get("kv_cache_groups")) {
            sum += g.get("blocks_per_request").asLong();
        }
        assertEquals(perRequest, sum, "blocks per request");
        double concurrency = numBlocks / (double) perRequest;
        assertEquals(Math.round(concurrency * 100) / 100.0, j.get("max_concurrency").asDouble(), 1e-9);
        long len = j.get("max_model_len").asLong();
        assertEquals(newLog ? (long) (concurrency * len) : numBlocks / groups * minBlock, j.get("kv_cache_tokens").asLong());
        assertTrue(j.get("fits").asBoolean());
        assertTrue(j.get("estimated_max_model_len").isNull());
    }

    /**
     * gpt-oss-120b, H100: page 16 x 2 x 8 x 64 x 2 B, 18 + 18 layers; the sliding window (128) holds
     * 127 + 8,192 tokens under 0.19 and 127 + 2 x 8,192 (capped at 16,000) under 0.33 (two batches in flight).
     */
    @Test
    void gptOss120b() throws Exception {
        long numBlocks = AVAILABLE / (16L * 2 * 8 * 64 * 2) / 18;
        assertFormula(evaluate("openai/gpt-oss-120b", "H100", 1, 16_000, "0.33.0"), numBlocks,
                cdiv(16_000, 16) + cdiv(16_000, 16) + 1, 2, 16, true);
        assertFormula(evaluate("openai/gpt-oss-120b", "H100", 1, 16_000, "0.19.0"), numBlocks,
                cdiv(16_000, 16) + cdiv(127 + 8192, 16) + 1, 2, 16, false);
    }

    /** Gemma-3-27B, TP 2: 8 KV heads x 128 per rank; one full group and six sliding (window 1,024) groups of 10. */
    @Test
    void gemma3() throws Exception {
        long numBlocks = AVAILABLE / (16L * 2 * 8 * 128 * 2) / 10;
        long perRequest = cdiv(32_768, 16) + 6 * (cdiv(1023 + 2 * 8192, 16) + 1);
        assertFormula(evaluate("google/gemma-3-27b-it", "H100", 2, 32_768, "0.33.0"), numBlocks, perRequest, 7, 16, true);
    }

    /** Gemma-4-26B-A4B at 0.33: 25 sliding layers (8 x 256) and 5 full (2 x 512, block 32); six groups of 5. */
    @Test
    void gemma4() throws Exception {
        long numBlocks = AVAILABLE / (16L * 2 * 8 * 256 * 2) / 5;
        long perRequest = cdiv(32_768, 32) + 5 * (cdiv(1023 + 2 * 8192, 16) + 1);
        assertFormula(evaluate(config("google--gemma-4-26B-A4B"), "H100", 1, 32_768, "0.33.0"), numBlocks, perRequest, 6,
                16, true);
    }

    /**
     * Qwen3.5-35B-A3B and Qwen3.6-35B-A3B (same layer plan): 10 full and 30 GDN layers; GDN state
     * 3 x 8,192 x 2 B + 32 x 128 x 128 x 4 B = 2,146,304 B sets the attention block to 1,056 tokens
     * (page 1,056 x 2,048 B); groups of 10: one full, three GDN (one block each per request).
     */
    @Test
    void qwen35And36() throws Exception {
        long page = 1056L * 2048;
        long perRequest = cdiv(262_144, 1056) + 3;
        for (String folder : List.of("Qwen--Qwen3.5-35B-A3B", "nvidia--Qwen3.6-35B-A3B-NVFP4")) {
            assertFormula(evaluate(config(folder), "H200", 1, 262_144, "0.33.0"), AVAILABLE / page / 10, perRequest, 4, 1056, true);
            assertFormula(evaluate(config(folder), "H200", 1, 262_144, "0.19.0"), AVAILABLE / page / 10, perRequest, 4, 1056, false);
        }
    }

    /**
     * Llama-4-Scout on B200 at TP 2: 4 KV heads x 128 per rank; 12 NoPE full layers and 36 chunked
     * layers (chunk 8,192) in groups of 12; 16,384 batched tokens on a 178 GiB GPU from 0.28 (PR #51726).
     */
    @Test
    void llama4ScoutChunked() throws Exception {
        long numBlocks = AVAILABLE / (16L * 2 * 4 * 128 * 2) / 12;
        long perRequest = cdiv(65_536, 16) + 3 * cdiv(8192 + 16_384, 16);
        assertFormula(evaluate(config("meta-llama--Llama-4-Scout-17B-16E-Instruct"), "B200", 2, 65_536, "0.33.0"),
                numBlocks, perRequest, 4, 16, true);
    }

    /** DeepSeek-V3.2, TP 8: MLA latent 1,152 B and DSA indexer 132 B per token per layer, one group, page summed over 61 layers. */
    @Test
    void deepSeekV32() throws Exception {
        long numBlocks = AVAILABLE / (61L * (1152 + 132) * 64);
        JsonNode j = evaluate(config("deepseek-ai--DeepSeek-V3.2"), "H200", 8, 32_768, "0.33.0");
        assertFormula(j, numBlocks, cdiv(32_768, 64), 1, 64, true);
    }

    /** Kimi-K2, TP 8 with decode context parallelism 8: 61 MLA layers of 64 x 1,152 B pages, cdiv(cdiv(len, 8), 64) blocks. */
    @Test
    void kimiK2_decodeContextParallel() throws Exception {
        long numBlocks = AVAILABLE / (64L * 1152) / 61;
        JsonNode j = evaluate(config("moonshotai--Kimi-K2-Instruct"), "H200", 8, 131_072, "0.19.0",
                "--decode-context-parallel-size", "8");
        assertFormula(j, numBlocks, cdiv(131_072 / 8, 64), 1, 64 * 8, false);
        assertEquals(8, j.get("decode_context_parallel_size").asInt());
    }

    /** Nemotron-3-Nano-30B: 6 attention and 23 Mamba-2 layers; attention block 2,096 (page 2,096 x 1,024 B), groups of 6. */
    @Test
    void nemotronH() throws Exception {
        long page = 2096L * 1024;
        JsonNode j = evaluate(config("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"), "H100", 1, 131_072, "0.33.0");
        assertFormula(j, AVAILABLE / page / 6, cdiv(131_072, 2096) + 4, 5, 2096, true);
    }

    /** Refused for want of KV cache: the JSON carries vLLM's needed bytes and its estimated maximum model length. */
    @Test
    void refusal_carriesNeededBytesAndEstimatedLength() throws Exception {
        MainTest.Run r = MainTest.run("evaluate", "openai/gpt-oss-120b", "--gpu", "H100", "--max-model-len", "131072",
                "--kv-cache-memory", "1", "--json");
        assertEquals(Main.EXIT_DOES_NOT_FIT, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertFalse(j.get("fits").asBoolean());
        long sliding = cdiv(127 + 2 * 8192, 16) + 1; // 0.33: two batches in flight
        assertEquals(18L * 32_768 * (8192 + sliding), j.get("kv_cache_needed_bytes").asLong());
        // 1 GiB = 1,820 blocks of 18 x 32,768 B; below 16,511 tokens both groups take cdiv(L, 16) (+1):
        // 2 x cdiv(L, 16) + 1 <= 1,820, so L = 909 x 16.
        assertEquals((GIB / (18L * 32_768) - 1) / 2 * 16, j.get("estimated_max_model_len").asLong());
    }

    /** --engine sglang / trtllm: the engine's own flag, its default and the KV cache it gives (EngineViewsTest derives them). */
    @Test
    void engineFigures_sglangAndTrtllm() throws Exception {
        for (String engine : List.of("sglang", "trtllm")) {
            MainTest.Run r = MainTest.run("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--max-model-len", "16000",
                    "--engine", engine, "--json");
            assertEquals(0, r.code(), r.err());
            JsonNode f = new ObjectMapper().readTree(r.out()).get("engine_figures");
            assertEquals(engine, f.get("engine").asText());
            assertEquals(engine.equals("sglang") ? 0.834 : 0.9, f.get("default_fraction").asDouble());
            assertTrue(f.get("max_tokens").asLong() > 0);
            MainTest.Run text = MainTest.run("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--max-model-len", "16000",
                    "--engine", engine);
            assertTrue(text.out().contains(f.get("flag").asText() + " default"), text.out());
        }
        // gpt-oss's sliding layers have a pool of their own in SGLang: 0.8 of the full layers' tokens.
        MainTest.Run swa = MainTest.run("evaluate", "openai/gpt-oss-20b", "--gpu", "H100", "--max-model-len", "16000",
                "--engine", "sglang", "--json");
        assertEquals(0, swa.code(), swa.err());
        JsonNode f = new ObjectMapper().readTree(swa.out()).get("engine_figures");
        assertEquals((long) Math.floor(f.get("max_tokens").asLong() * 0.8), f.get("swa_tokens").asLong());
        // DeepSeek-V3.2's DSA indexer keys: TensorRT-LLM's pools for them are not modelled, refused by name.
        MainTest.Run dsa = MainTest.run("evaluate", "deepseek-ai/DeepSeek-V3.2", "--gpu", "H200", "--tp", "8",
                "--max-model-len", "16000", "--engine", "trtllm");
        assertEquals(2, dsa.code());
        assertTrue(dsa.err().contains("DSA indexer keys") && dsa.err().contains("not modelled"), dsa.err());
    }

    /** --mamba-cache-mode align: each of Nemotron-Nano's four Mamba groups takes two blocks per request. */
    @Test
    void mambaCacheAlign_twoStateBlocks() throws Exception {
        long page = 2096L * 1024;
        JsonNode j = evaluate(config("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"), "H100", 1, 131_072, "0.33.0",
                "--mamba-cache-mode", "align");
        assertFormula(j, AVAILABLE / page / 6, cdiv(131_072, 2096) + 4 * 2, 5, 2096, true);
        assertEquals(2, MainTest.run("evaluate", "openai/gpt-oss-120b", "--gpu", "H100", "--mamba-cache-mode", "all").code());
    }

    @Test
    void badDecodeContextParallelSize_exits2() {
        assertEquals(2, MainTest.run("evaluate", "openai/gpt-oss-120b", "--gpu", "H100", "--tp", "2",
                "--decode-context-parallel-size", "4").code());
        assertEquals(2, MainTest.run("evaluate", "openai/gpt-oss-120b", "--gpu", "H100", "--kv-cache-memory", "-1").code());
    }
}

package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.cli.MainTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's crash and silently-wrong cases, through the CLI as a user meets them: each is exit 2
 * with a message naming the field (never exit 1, never a stack trace), or exit 4 where the
 * documented answer is "does not fit".
 */
class InputHardeningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A small Llama-style decoder: the base that each case breaks in one field. */
    static final String LLAMA = "{\"model_type\":\"llama\",\"hidden_size\":256,\"intermediate_size\":512,\"num_hidden_layers\":2,"
            + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":1000,\"max_position_embeddings\":4096,"
            + "\"torch_dtype\":\"bfloat16\"}";

    @TempDir
    Path dir;

    private Path write(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    private static ObjectNode base(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    /** Exit 2, the field (or what is wrong with the file) named, no stack trace. */
    private static Run refused(String field, String... args) {
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> MainTest.run(args));
        assertEquals(2, r.code(), () -> String.join(" ", args) + "\n" + r.err());
        assertTrue(r.err().contains(field), () -> "expected the message to name '" + field + "': " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        return r;
    }

    private void refusedConfig(String field, JsonNode config) throws Exception {
        refused(field, "inspect", write("c.json", config.toString()).toString());
    }

    // ---------------------------------------------------------------- item 3: the token never echoed

    @Test
    void aTokenFilePassedAsTheModel_isNeverQuoted() throws Exception {
        String token = "hf_abcdefghijklmnopQRSTUVWXYZ123456";
        Path tokenFile = write("token", token + "\n");
        Run r = refused("not valid JSON", "inspect", tokenFile.toString());
        assertFalse(r.err().contains(token), r.err());
        assertFalse(r.err().contains(token.substring(0, 12)), r.err());
        Run e = refused("not valid JSON", "evaluate", tokenFile.toString(), "--gpu", "H100");
        assertFalse(e.err().contains(token.substring(0, 12)), e.err());
    }

    // ---------------------------------------------------------------- item 5: crashes

    @Test
    void divisionsByZero_areRefusedByField() throws Exception {
        ObjectNode gemma = base(LLAMA).put("model_type", "gemma3_text").put("head_dim", 64).put("sliding_window", 512)
                .put("sliding_window_pattern", 0);
        refusedConfig("sliding_window_pattern", gemma);
        ObjectNode deepseek = base(LLAMA).put("model_type", "deepseek_v3").put("kv_lora_rank", 64).put("qk_rope_head_dim", 16)
                .put("qk_nope_head_dim", 32).put("v_head_dim", 32).put("n_routed_experts", 8).put("num_experts_per_tok", 2)
                .put("moe_intermediate_size", 64).put("moe_layer_freq", 0);
        refusedConfig("moe_layer_freq", deepseek);
        ObjectNode ct = base(LLAMA);
        ct.set("quantization_config", JSON.readTree("{\"quant_method\":\"compressed-tensors\",\"config_groups\":{\"g\":"
                + "{\"weights\":{\"num_bits\":8,\"type\":\"float\",\"strategy\":\"block\",\"block_structure\":[0,0]}}}}"));
        refusedConfig("block_structure", ct);
    }

    @Test
    void zeroSizes_nameTheConfigField_notATensorShape() throws Exception {
        refusedConfig("num_key_value_heads", base("{\"model_type\":\"phi\",\"hidden_size\":256,\"intermediate_size\":512,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":0,\"vocab_size\":1000,"
                + "\"max_position_embeddings\":2048}"));
        refusedConfig("n_inner", base("{\"model_type\":\"gpt2\",\"n_embd\":256,\"n_layer\":2,\"n_head\":4,\"n_positions\":1024,"
                + "\"vocab_size\":1000,\"n_inner\":0}"));
        refusedConfig("ffn_hidden_size", base("{\"model_type\":\"falcon\",\"hidden_size\":256,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"vocab_size\":1000,\"ffn_hidden_size\":0}"));
        refusedConfig("word_embed_proj_dim", base("{\"model_type\":\"opt\",\"hidden_size\":256,\"ffn_dim\":512,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":1000,\"max_position_embeddings\":2048,"
                + "\"word_embed_proj_dim\":0}"));
        // The message names the alias the config used (it said "'hidden_size' was null" for n_embd 0).
        Run r = refused("n_embd", "inspect", write("g.json", "{\"model_type\":\"gpt2\",\"n_embd\":0,\"n_layer\":2,\"n_head\":4,"
                + "\"n_positions\":1024,\"vocab_size\":1000}").toString());
        assertFalse(r.err().contains("null"), r.err());
    }

    @Test
    void hostileJson_deepNesting_hugeStrings_badUtf8_trailingGarbage() throws Exception {
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        Run nested = refused("not valid JSON", "inspect", write("deep.json", deep).toString());
        assertTrue(nested.err().contains("nested deeper"), nested.err());
        String longString = LLAMA.replace("\"llama\"", "\"llama\",\"junk\":\"" + "x".repeat(2_000_000) + "\"");
        Run big = refused("a string longer than", "inspect", write("long.json", longString).toString());
        assertFalse(big.err().contains("truncated"), big.err());
        Path latin1 = dir.resolve("latin1.json");
        Files.write(latin1, LLAMA.replace("\"llama\"", "\"llama\",\"name\":\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(refused("config.json", "inspect", latin1.toString()).err().contains("UTF-8"));
        Run trailing = refused("not valid JSON", "inspect", write("trail.json", LLAMA + " {\"more\": 1}").toString());
        assertTrue(trailing.err().contains("more content follows"), trailing.err());
        Run dev = refused("config.json", "inspect", "/dev/zero");
        assertTrue(dev.err().contains("not a regular file"), dev.err());
        Path tooBig = dir.resolve("big.json");
        Files.write(tooBig, new byte[17 << 20]);
        assertTrue(refused("config.json", "inspect", tooBig.toString()).err().contains("larger than"));
    }

    @Test
    void absurdSizes_areRefusedUpFront_notAnOutOfMemoryError() throws Exception {
        for (long layers : new long[] {10_000_000L, 1_000_000_000L}) {
            refusedConfig("num_hidden_layers", base(LLAMA).put("num_hidden_layers", layers));
        }
        ObjectNode mtp = base(LLAMA).put("model_type", "deepseek_v3").put("kv_lora_rank", 64).put("qk_rope_head_dim", 16)
                .put("qk_nope_head_dim", 32).put("v_head_dim", 32).put("num_nextn_predict_layers", 100_000_000);
        refusedConfig("num_nextn_predict_layers", mtp);
        refused("max_configs", "analyze", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--nodes", "64", "--max-configs", "1000000");
    }

    // ---------------------------------------------------------------- items 7 and 8: silently wrong

    @Test
    void aVocabularyThatWouldOverflow_isRefused_notANegativeSizeThatFits() throws Exception {
        refusedConfig("vocab_size", base(LLAMA).put("vocab_size", 2_147_483_647));
        refused("implausibly large", "inspect", write("huge.json", base(LLAMA).put("hidden_size", 1 << 20).put("intermediate_size", 1 << 20)
                .put("num_attention_heads", 1024).put("num_key_value_heads", 1024).put("num_hidden_layers", 10_000).toString()).toString());
    }

    @Test
    void configsThatUsedToBeMiscounted_areRefused() throws Exception {
        ObjectNode qwenMoe = base(LLAMA).put("model_type", "qwen3_moe").put("head_dim", 64).put("num_experts", 8)
                .put("num_experts_per_tok", 2).put("moe_intermediate_size", 128);
        refusedConfig("num_experts_per_tok", qwenMoe.deepCopy().put("num_experts_per_tok", 9));
        refusedConfig("decoder_sparse_step", qwenMoe.deepCopy().put("decoder_sparse_step", 0));
        refusedConfig("num_key_value_heads", base("{\"model_type\":\"phi\",\"hidden_size\":256,\"intermediate_size\":512,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":3,\"vocab_size\":1000,"
                + "\"max_position_embeddings\":2048}"));
        refusedConfig("num_kv_heads", base("{\"model_type\":\"falcon\",\"new_decoder_architecture\":true,\"hidden_size\":256,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_kv_heads\":3,\"vocab_size\":1000}"));
        for (String g : new String[] {"0", "-5", "\"128\""}) {
            ObjectNode awq = base(LLAMA);
            awq.set("quantization_config", JSON.readTree("{\"quant_method\":\"awq\",\"bits\":4,\"group_size\":" + g + "}"));
            Run r = refused("group_size", "inspect", write("awq.json", awq.toString()).toString());
            assertFalse(r.err().contains("missing"), r.err());
        }
    }

    // ---------------------------------------------------------------- item 10: evaluate

    @Test
    void evaluate_exits4_whenTheLayoutDoesNotFit() throws Exception {
        Run r = MainTest.run("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "L4", "--tp", "1", "--json");
        assertEquals(4, r.code(), r.err());
        assertFalse(JSON.readTree(r.out()).get("fits").asBoolean());
    }

    @Test
    void evaluate_refusesWhatVllmRefuses_andNonsensePrices() {
        String[] base = {"evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--input-tokens", "1000", "--output-tokens", "100"};
        for (String price : new String[] {"-2.5", "NaN", "0", "Infinity"}) {
            refused("--price-usd-per-gpu-hour", concat(base, "--price-usd-per-gpu-hour", price));
        }
        refused("block_size", concat(base, "--block-size", "7"));
        refused("max_num_batched_tokens", concat(base, "--max-num-seqs", "256", "--max-num-batched-tokens", "128"));
        refused("max_num_batched_tokens", concat(base, "--max-num-batched-tokens", "128"));
        refused("--input-tokens", "evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--input-tokens", "2147483647",
                "--output-tokens", "10");
    }

    /**
     * A release the table does not describe (VllmReleases: 0.6 to 0.33) is refused by name, never modelled as the nearest
     * row; a patch release of the newest is modelled. --concurrency below 1, or without a workload to time, is refused
     * rather than ignored.
     */
    @Test
    void evaluate_refusesUnmodelledReleases_andAStrayConcurrency() throws Exception {
        String[] base = {"evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100"};
        for (String v : new String[] {"0.34.0", "1.0.0", "0.5.9"}) {
            Run r = refused("vllm_version", concat(base, "--vllm-version", v));
            assertTrue(r.err().contains("0.6.0 to 0.33.x"), r.err());
        }
        Run patch = MainTest.run(concat(base, "--vllm-version", "0.33.2", "--json"));
        assertEquals(0, patch.code(), patch.err());
        refused("--concurrency", concat(base, "--concurrency", "-1"));
        refused("--concurrency", concat(base, "--concurrency", "8"));
        refused("--concurrency", concat(base, "--input-tokens", "1000", "--output-tokens", "100", "--concurrency", "0"));
        Run timed = MainTest.run(concat(base, "--input-tokens", "1000", "--output-tokens", "100", "--concurrency", "8", "--json"));
        assertEquals(0, timed.code(), timed.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

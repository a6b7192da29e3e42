package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.cli.MainTest.Run;
import org.junit.jupiter.api.Test;

/**
 * Serving a 16-bit checkpoint quantized at load time (vLLM --quantization) and a multimodal model's
 * language model alone (--language-model-only): memory, the layouts that fit and the command agree.
 */
class ServedModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** vLLM's rotary cos/sin cache for Llama-3.1: 131,072 positions x 128 rotary dims x 2 B (MemoryModel). */
    private static final long ROTARY_CACHE_BYTES = 33_554_432L;

    private static JsonNode json(String... args) throws Exception {
        Run r = MainTest.run(args);
        assertTrue(r.code() == 0 || r.code() == 4, r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void onlineFp8_halvesTheLinearWeights_byHand() throws Exception {
        // Llama-3.1-70B (reference models.json: 70,553,706,496 parameters, bf16). vLLM's online fp8 stores every Linear
        // weight but lm_head as one byte plus one fp32 scale per tensor (vLLM docs, FP8 W8A8, "online dynamic
        // quantization"); embeddings, lm_head and norms stay bf16. 128,256 x 8,192 per embedding and head, 80 x 2 + 1
        // norms of 8,192, 80 x 7 linear tensors.
        long embedding = 128_256L * 8_192;
        long norms = (80L * 2 + 1) * 8_192;
        long linear = 70_553_706_496L - 2 * embedding - norms;
        long expected = linear + 4L * 80 * 7 + (2 * embedding + norms) * 2;
        assertEquals(72_656_373_952L, expected);
        JsonNode fp8 = json("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "1", "--quantization", "fp8", "--json");
        assertEquals(expected + ROTARY_CACHE_BYTES, fp8.get("weights_bytes").asLong());
        assertEquals("fp8", fp8.get("quantization").asText());
        assertTrue(fp8.get("fits").asBoolean(), "70B in fp8 fits one H200");
        JsonNode bf16 = json("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "1", "--json");
        assertEquals(141_107_412_992L + ROTARY_CACHE_BYTES, bf16.get("weights_bytes").asLong()); // 2 B x the reference total
        assertFalse(bf16.get("fits").asBoolean());
        // The old --weight-dtype fp8 now means the same, memory included (it changed only the speed before).
        JsonNode alias = json("evaluate", "meta-llama/Llama-3.1-70B", "--gpu", "H200", "--tp", "1", "--weight-dtype", "fp8", "--json");
        assertEquals(fp8.get("weights_bytes").asLong(), alias.get("weights_bytes").asLong());
    }

    @Test
    void onlineFp8_changesTheLayoutsThatFit_andTheCommand() throws Exception {
        JsonNode bf16 = json("best", "meta-llama/Llama-3.1-70B-Instruct", "--gpu", "H100", "--json");
        JsonNode fp8 = json("best", "meta-llama/Llama-3.1-70B-Instruct", "--gpu", "H100", "--quantization", "fp8", "--json");
        assertTrue(fp8.get("total_gpus").asInt() < bf16.get("total_gpus").asInt(),
                fp8.get("total_gpus") + " vs " + bf16.get("total_gpus"));
        assertTrue(fp8.get("deployment_command").asText().contains("--quantization fp8"));
        assertFalse(bf16.get("deployment_command").asText().contains("--quantization"));
        assertTrue(fp8.get("sglang_command").asText().contains("--quantization fp8"));
    }

    @Test
    void whatVllmRefuses_isRefusedByName() {
        Run fp4OnHopper = MainTest.run("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--quantization", "mxfp4");
        assertEquals(2, fp4OnHopper.code());
        assertTrue(fp4OnHopper.err().contains("compute capability 10.0"), fp4OnHopper.err());
        Run twice = MainTest.run("evaluate", "openai/gpt-oss-20b", "--gpu", "H100", "--quantization", "fp8");
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("already quantized (mxfp4)"), twice.err());
        Run old = MainTest.run("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--quantization", "fp8_per_block",
                "--vllm-version", "0.15.0");
        assertEquals(2, old.code());
        assertTrue(old.err().contains("documented from 0.20.0"), old.err());
        assertEquals(2, MainTest.run("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--quantization", "int3").code());
    }

    @Test
    void mxfp4OnBlackwell_storesHalfAByteAndAScalePer32() throws Exception {
        JsonNode r = json("evaluate", "meta-llama/Llama-3.1-8B", "--gpu", "B200", "--tp", "1", "--quantization", "mxfp4", "--json");
        // Llama-3.1-8B: 8,030,261,248 parameters (reference); embeddings and lm_head 128,256 x 4,096 each, 65 norms of 4,096.
        long embedding = 128_256L * 4_096;
        long norms = 65L * 4_096;
        long linear = 8_030_261_248L - 2 * embedding - norms;
        long expected = linear / 2 + linear / 32 + (2 * embedding + norms) * 2;
        assertEquals(expected + ROTARY_CACHE_BYTES, r.get("weights_bytes").asLong()); // same rotary cache as the 70B
    }

    @Test
    void languageModelOnly_leavesTheVisionTowerOut_onEveryRank() throws Exception {
        // gemma-3-27b-it: the SigLIP tower has 423,060,336 parameters (inspect's vision_tower share), bf16, and vLLM
        // replicates it on every TP rank.
        JsonNode inspect = json("inspect", "google/gemma-3-27b-it", "--json");
        long tower = inspect.get("param_breakdown").get("vision_tower").asLong();
        assertEquals(423_060_336L, tower);
        JsonNode all = json("evaluate", "google/gemma-3-27b-it", "--gpu", "H100", "--tp", "2", "--json");
        JsonNode text = json("evaluate", "google/gemma-3-27b-it", "--gpu", "H100", "--tp", "2", "--language-model-only", "--json");
        assertEquals(2 * tower, all.get("weights_bytes").asLong() - text.get("weights_bytes").asLong());
        assertTrue(text.get("language_model_only").asBoolean());
        assertTrue(text.get("kv_cache_bytes").asLong() > all.get("kv_cache_bytes").asLong());
        JsonNode best = json("best", "google/gemma-3-27b-it", "--gpu", "H100", "--language-model-only", "--json");
        assertTrue(best.get("deployment_command").asText().contains("--language-model-only"));
        // A text-only model has no tower to leave out: no flag.
        JsonNode llama = json("best", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--language-model-only", "--json");
        assertFalse(llama.get("deployment_command").asText().contains("--language-model-only"));
    }
}

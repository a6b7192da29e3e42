package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.AttentionKind;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode llama8b() {
        return ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
    }

    @Test
    void parse_missingHiddenSize_namesTheFieldAndTheFile() {
        ObjectNode cfg = llama8b();
        cfg.remove("hidden_size");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "/models/x/config.json"));
        assertEquals("hidden_size", e.field());
        assertTrue(e.getMessage().contains("/models/x/config.json"), e.getMessage());
        assertTrue(e.getMessage().contains("'hidden_size'"), e.getMessage());
    }

    @Test
    void parse_missingIntermediateSize_isNotDefaulted() {
        ObjectNode cfg = llama8b();
        cfg.remove("intermediate_size");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertEquals("intermediate_size", e.field());
    }

    @Test
    void parse_negativeLayers_namesFieldAndAllowedValues() {
        ObjectNode cfg = llama8b();
        cfg.put("num_hidden_layers", -4);
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertEquals("num_hidden_layers", e.field());
        assertTrue(e.getMessage().contains("-4") && e.getMessage().contains("whole number"), e.getMessage());
    }

    @Test
    void parse_kvHeadsNotDividingHeads_isRefused() {
        ObjectNode cfg = llama8b();
        cfg.put("num_key_value_heads", 5);
        assertEquals("num_key_value_heads", assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg")).field());
    }

    @Test
    void parse_malformedJson_saysWhere() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", "{\"hidden_size\": 4096,", "broken.json"));
        assertTrue(e.getMessage().startsWith("broken.json: not valid JSON"), e.getMessage());
    }

    @Test
    void parse_unknownModelType_withStandardFields_worksWithWarning() {
        ObjectNode cfg = llama8b();
        cfg.put("model_type", "acme_decoder");
        ModelSpec s = ConfigParser.parse("acme/x", cfg, "cfg");
        assertEquals(Family.GENERIC, s.family());
        assertEquals(8_030_261_248L, s.paramCount()); // same shapes as Llama-3.1-8B
        assertTrue(s.warnings().get(0).contains("acme_decoder"));
    }

    @Test
    void parse_unknownQuantMethod_listsSupported() {
        ObjectNode cfg = llama8b();
        cfg.putObject("quantization_config").put("quant_method", "hqq");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertEquals("quant_method", e.field());
        assertTrue(e.getMessage().contains("awq") && e.getMessage().contains("mxfp4"), e.getMessage());
    }

    @Test
    void parse_badDtype_listsAllowed() {
        ObjectNode cfg = llama8b();
        cfg.put("torch_dtype", "float12");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertTrue(e.getMessage().contains("bfloat16"), e.getMessage());
    }

    @Test
    void parse_multimodalWrapper_readsTextConfigAndCountsVisionTower() throws Exception {
        ObjectNode cfg = (ObjectNode) JSON.readTree("""
                {"model_type": "llava", "torch_dtype": "float16",
                 "text_config": {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,
                   "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
                   "vocab_size": 32064, "max_position_embeddings": 4096},
                 "vision_config": {"model_type": "clip_vision_model", "hidden_size": 1024, "image_size": 336,
                   "intermediate_size": 4096, "num_attention_heads": 16, "num_hidden_layers": 24, "patch_size": 14}}
                """);
        ModelSpec s = ConfigParser.parse("llava-hf/llava-1.5-7b-hf", cfg, "cfg");
        assertEquals(Family.LLAMA, s.family());
        assertEquals(DType.FLOAT16, s.dtype());
        // Hugging Face lists llava-hf/llava-1.5-7b-hf at 7.06B parameters: 6.74B Llama + 0.30B CLIP ViT-L/14-336 + projector.
        assertEquals(7_063_427_072L, s.paramCount());
        assertTrue(s.paramBreakdown().get(Component.VISION) > 300_000_000L);
    }

    @Test
    void slidingWindow_perFamily() {
        // Mistral-7B-v0.1: every layer slides over 4096 tokens.
        ModelSpec mistral = ReferenceModels.spec("mistralai/Mistral-7B-v0.1");
        assertEquals(4096, mistral.slidingWindow());
        assertEquals(32, mistral.slidingLayers());
        // Gemma 2: even layers slide (transformers Gemma2Attention: layer_idx % 2 == 0).
        ModelSpec gemma2 = ReferenceModels.spec("google/gemma-2-9b");
        assertEquals(AttentionKind.SLIDING, gemma2.layerAttention().get(0));
        assertEquals(AttentionKind.FULL, gemma2.layerAttention().get(1));
        assertEquals(21, gemma2.slidingLayers());
        // gpt-oss: layer_types alternates sliding (128) and full.
        ModelSpec oss = ReferenceModels.spec("openai/gpt-oss-20b");
        assertEquals(128, oss.slidingWindow());
        assertEquals(12, oss.slidingLayers());
        // Qwen2.5 ships sliding_window but use_sliding_window=false: no sliding layers.
        ModelSpec qwen = ReferenceModels.spec("Qwen/Qwen2.5-7B");
        assertEquals(0, qwen.slidingWindow());
        assertEquals(0, qwen.slidingLayers());
    }

    @Test
    void attentionShapes_mqaGqaMla() {
        assertEquals(1, ReferenceModels.spec("tiiuae/falcon-7b").numKeyValueHeads()); // multi_query
        assertEquals(8, ReferenceModels.spec("tiiuae/falcon-40b").numKeyValueHeads()); // n_head_kv, new decoder
        ModelSpec ds = ReferenceModels.spec("deepseek-ai/DeepSeek-V3");
        assertEquals(512, ds.mla().kvLoraRank());
        assertEquals(58, ds.moe().moeLayers()); // first_k_dense_replace = 3 of 61
        assertNull(ReferenceModels.spec("meta-llama/Llama-3.1-8B").mla());
        assertFalse(ReferenceModels.spec("meta-llama/Llama-3.1-8B").isMoe());
    }

    @Test
    void kvCacheBytesPerToken_matchesReferenceDerivations() {
        // Reference derived_check per_gpu_kv_bytes_per_token for Llama-3.1-8B at TP1: 131072 (2 x 32 x 8 x 128 x 2 B).
        assertEquals(131_072L, ReferenceModels.spec("meta-llama/Llama-3.1-8B").kvCacheBytesPerToken());
        // OPT-6.7b: 524288 (reference derived_check; 2 x 32 x 32 x 128 x 2 B).
        assertEquals(524_288L, ReferenceModels.spec("facebook/opt-6.7b").kvCacheBytesPerToken());
        // MLA: (kv_lora_rank 512 + qk_rope_head_dim 64) x 61 layers x 2 B.
        assertEquals(576L * 61 * 2, ReferenceModels.spec("deepseek-ai/DeepSeek-V3").kvCacheBytesPerToken());
        // fp8 KV cache halves it.
        assertEquals(65_536L, ReferenceModels.spec("meta-llama/Llama-3.1-8B").kvCacheBytesPerToken(DType.FLOAT8));
        // gemma-2-9b is stored in float32 but served (and cached) in bfloat16.
        assertEquals(DType.BFLOAT16, ReferenceModels.spec("google/gemma-2-9b").servingDtype());
    }

    @Test
    void parse_audioTower_isNamedInAWarningNotSilentlyDropped() {
        ObjectNode cfg = Configs2026.config("google--gemma-4-26B-A4B");
        cfg.putObject("audio_config").put("model_type", "gemma4_audio");
        ModelSpec s = ConfigParser.parse("x", cfg, "cfg");
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("audio_config") && w.contains("gemma4_audio")),
                s.warnings().toString());
    }
}

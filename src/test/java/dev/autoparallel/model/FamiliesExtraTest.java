package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exact parameter counts of the families whose published configs are kept in
 * src/test/resources/configs-extra (sources in its README): GLM-4.5 to 4.7 and GLM-4.7-Flash,
 * Kimi-Linear, Kimi-K3, MiniMax-M3, MiMo-V2.5, DeepSeek-V4-Pro, Gemma 3n, Granite 3.3, Granite 4.0,
 * Qwen3-VL-30B-A3B, Step3 and Step-3.5 / 3.7-Flash. "Safetensors total" is the parameter count of the
 * checkpoint's safetensors files, as quoted by the public reports named there; card figures are
 * rounded.
 */
class FamiliesExtraTest {

    static String json(String folder) {
        try (InputStream in = FamiliesExtraTest.class.getResourceAsStream("/configs-extra/" + folder + "/config.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelSpec spec(String folder) {
        return ConfigParser.parse(folder.replace("--", "/"), json(folder), "configs-extra/" + folder);
    }

    private static long embeddingsAndHead(ModelSpec s) {
        return s.paramBreakdown().get(Component.EMBEDDING) + s.paramBreakdown().get(Component.LM_HEAD);
    }

    @Test
    void glm47_checkpointCountsTheMtpLayerWithItsOwnEmbeddingAndHead() {
        // zai-org/GLM-4.7 (GLM-4.5 and 4.6 have the same shapes): 92 layers, 3 dense then 89 MoE of 160 experts.
        ModelSpec s = spec("zai-org--GLM-4.7");
        assertEquals(352_797_829_024L, s.paramCount());
        // The checkpoint adds MTP layer 92 with its own embed_tokens and shared_head.head (vLLM glm4_moe_mtp.py):
        // 358,337,791,296, the Hub's "358B" (Megatron-Bridge's GLM-4.7 page: "about 358B total").
        assertEquals(5_539_962_272L, s.mtpParamCount());
        assertEquals(358_337_791_296L, s.checkpointElements());
        assertEquals(1, s.mtpModules());
        // GLM-4.5 card: 355B total, 32B active; the active count leaves out the embedding and the head.
        assertEquals(32e9, s.activeParamCount() - embeddingsAndHead(s), 0.5e9);
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 92L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 3L, Ffn.MOE, 89L), s.ffnCounts());
        // q, k and v carry biases (attention_bias), o_proj none; q_norm and k_norm per head (use_qk_norm).
        assertEquals(12_288 + 1_024 + 1_024, s.tensors().stream()
                .filter(t -> t.name().startsWith("model.layers.0.self_attn.") && t.name().endsWith(".bias"))
                .mapToLong(Tensor::numel).sum());
        assertEquals(2, s.tensors().stream().filter(t -> t.name().startsWith("model.layers.0.self_attn.")
                && (t.name().contains(".q_norm") || t.name().contains(".k_norm"))).count());
        // vLLM builds the router in float32 (glm4_moe.py: nn.Linear(..., dtype=torch.float32)).
        Tensor gate = s.tensors().stream().filter(t -> t.name().equals("model.layers.3.mlp.gate.weight")).findFirst()
                .orElseThrow();
        assertEquals(DType.FLOAT32, gate.storedAs());
    }

    @Test
    void glm45Air_cardAndHubTotals() {
        // zai-org/GLM-4.5-Air: card 106B total, 12B active; Hub "110B" counts the MTP layer 46 and its copies.
        ModelSpec s = spec("zai-org--GLM-4.5-Air");
        assertEquals(106_852_251_264L, s.paramCount());
        assertEquals(110_468_824_832L, s.checkpointElements());
        assertEquals(12e9, s.activeParamCount() - embeddingsAndHead(s), 0.5e9);
        assertEquals(Map.of(Ffn.DENSE, 1L, Ffn.MOE, 45L), s.ffnCounts());
        assertEquals(0, s.tensors().stream().filter(t -> t.name().contains(".q_norm")).count()); // use_qk_norm false
    }

    @Test
    void glm47Flash_safetensorsTotalExact() {
        // zai-org/GLM-4.7-Flash (glm4_moe_lite): MLA (q_lora_rank 768) with GLM's MoE; 2048 hidden over 20 heads,
        // so head_dim comes from the MLA widths. Safetensors total 31,221,488,576 with MTP layer 47.
        ModelSpec s = spec("zai-org--GLM-4.7-Flash");
        assertEquals(31_221_488_576L, s.checkpointElements());
        assertEquals(29_943_393_920L, s.paramCount()); // card: "30B-A3B"
        assertEquals(3e9, s.activeParamCount() - embeddingsAndHead(s), 0.5e9);
        assertEquals(Map.of(Mixer.MLA, 47L), s.mixerCounts());
        assertEquals(47L * (512 + 64) * 2, s.kvCacheBytesPerToken()); // one latent per layer
    }

    @Test
    void kimiLinear_safetensorsTotalExact() {
        // moonshotai/Kimi-Linear-48B-A3B-Instruct: safetensors total 49,122,681,728; card 48B total, 3B activated.
        ModelSpec s = spec("moonshotai--Kimi-Linear-48B-A3B-Instruct");
        assertEquals(49_122_681_728L, s.paramCount());
        assertEquals(0, s.mtpParamCount());
        assertEquals(3e9, s.activeParamCount() - embeddingsAndHead(s), 0.5e9);
        // 1-based kda_layers / full_attn_layers: MLA at 4, 8, ..., 24 and 27, KDA elsewhere.
        assertEquals(Map.of(Mixer.MLA, 7L, Mixer.KDA, 20L), s.mixerCounts());
        assertEquals(Mixer.MLA, s.layers().get(3).mixer());
        assertEquals(Mixer.MLA, s.layers().get(26).mixer());
        assertEquals(Mixer.KDA, s.layers().get(25).mixer());
        assertEquals(Map.of(Ffn.DENSE, 1L, Ffn.MOE, 26L), s.ffnCounts());
        // Seven MLA latents of 512 + 64 per token; each KDA layer holds q/k/v conv state and a 32 x 128 x 128
        // float32 recurrent state (vLLM kda_state_shape / kda_state_dtype).
        assertEquals(7L * 576 * 2, s.kvCacheBytesPerToken());
        assertEquals(3L * 4096 * 3 * 2 + 32L * 128 * 128 * 4, s.linearState().bytes(1));
        assertEquals(3L * 2048 * 3 * 2 + 16L * 128 * 128 * 4, s.linearState().bytes(2)); // TP 2 halves the heads
    }

    @Test
    void minimaxM3_safetensorsTotalAndBytesExact() {
        // MiniMaxAI/MiniMax-M3 (minimax_m3_vl): the published tensor listing's total, 427,040,140,160 parameters
        // in 795.51 GiB, vision tower included (a CLIP encoder with rotary positions, a float32 Conv3d patch
        // embedding, the projector and patch-merge MLP). The config names an MTP layer; the checkpoint has none.
        ModelSpec s = spec("MiniMaxAI--MiniMax-M3");
        assertEquals(Family.MINIMAX_M3, s.family());
        assertEquals(427_040_140_160L, s.paramCount());
        assertEquals(865_567_232L, s.visionParamCount());
        assertEquals(854_172_958_720L, s.checkpointBytes());
        assertEquals(0, s.mtpParamCount());
        // Xinference, SGLang's cookbook and Megatron-Bridge: "~428B" total, "~23B" activated, both approximate; the
        // language model without the embedding and the head activates 23,504,087,424 per token.
        assertEquals(23_504_087_424L, s.activeParamCount() - s.visionParamCount() - embeddingsAndHead(s));
        assertEquals(428e9, s.paramCount(), 1e9);
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 3L, Mixer.SPARSE_INDEXED, 57L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 3L, Ffn.MOE, 57L), s.ffnCounts());
        assertEquals(1, s.tensors().stream().filter(t -> t.name().equals(
                "language_model.model.layers.3.block_sparse_moe.e_score_correction_bias")).count());
    }

    @Test
    void minimaxM3Mxfp8_checkpointQuantizedAsListed() {
        // MiniMaxAI/MiniMax-M3-MXFP8 (quant_method mxfp8, weight_block_size [1, 32], its ignored_layers): the listing
        // holds 440,279,845,760 elements in 413.27 GiB, FP8 values and one E8M0 byte per 32 for every linear but
        // the embedding, head, routers and vision side.
        ModelSpec s = spec("MiniMaxAI--MiniMax-M3-MXFP8");
        assertEquals(440_279_845_760L, s.checkpointElements());
        assertEquals(413.27, s.checkpointBytes() / (double) (1L << 30), 0.005);
        assertEquals(spec("MiniMaxAI--MiniMax-M3").paramCount(), s.paramCount());
    }

    @Test
    void kimiK3_safetensorsTotalExact() {
        // moonshotai/Kimi-K3 (kimi_k3 around a kimi_linear language model): the listing's 1,503,647,073,024
        // elements, MXFP4 experts counted as packed bytes (two values each) plus one E8M0 scale per 32 values.
        // Block attention residuals, full-rank output gates, a latent MoE (896 experts of 3,072 over a 3,584-wide
        // latent, 16 active, 2 shared) and MoonViT-2 with the patchmergerv2 projector (447,358,976).
        ModelSpec s = spec("moonshotai--Kimi-K3");
        assertEquals(1_503_647_073_024L, s.checkpointElements());
        assertEquals(447_358_976L, s.visionParamCount());
        assertEquals(2_779_931_837_184L, s.paramCount()); // logical, before packing
        assertEquals(Map.of(Mixer.MLA, 24L, Mixer.KDA, 69L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 1L, Ffn.MOE, 92L), s.ffnCounts());
        // Bytes: 1,453.66 GiB listed; the model keeps the short convolutions, o_norm and score biases at the
        // checkpoint's 16-bit dtype where the listing has them in float32 (about 20 MB).
        assertEquals(1453.66, s.checkpointBytes() / (double) (1L << 30), 0.03);
        assertEquals(24L * 576 * 2, s.kvCacheBytesPerToken());
    }

    @Test
    void mimoV25Pro_servedCountAndBytesFromTheTensorListing() {
        // XiaomiMiMo/MiMo-V2.5-Pro (mimo_v2, FP8 128 x 128 blocks, fused qkv_proj): the listing's 1,023,244,718,976
        // elements are 61,877,376 FP32 block scales, three MTP layers of 644,905,088 parameters (skipped by vLLM's
        // loader, named by no config field) and the 1,021,248,126,336 parameters served.
        ModelSpec s = spec("XiaomiMiMo--MiMo-V2.5-Pro");
        assertEquals(1_023_244_718_976L - 61_877_376L - 3 * 644_905_088L, s.paramCount());
        assertEquals(1_021_248_126_336L, s.paramCount());
        // Bytes of the served tensors in the listing: 1,030,905,902,592. The checkpoint's fused qkv_proj has 216 rows
        // of scales where 27,136 / 128 gives 212 (its k and v blocks are cut per TP-8 shard), 4 x 48 FP32 per layer.
        assertEquals(1_030_905_902_592L - 70L * 4 * 48 * 4, s.checkpointBytes());
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 10L, Mixer.SLIDING_WINDOW, 60L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 1L, Ffn.MOE, 69L), s.ffnCounts());
        // Keys of 192 and values of 128 per KV head (vLLM's head_size_v): 8 x 320 x 2 B on each of the 70 layers.
        assertEquals(70L * 8 * (192 + 128) * 2, s.kvCacheBytesPerToken());
        assertEquals(128, s.layers().get(1).window());
    }

    @Test
    void mimoV25_listingLessScalesAndMtp_withBothTowers() {
        // XiaomiMiMo/MiMo-V2.5: 310,775,040,000 in the listing = the language model's 308,153,829,568 + lm_head
        // 624,951,296 + block scales 18,669,312 + MTP 987,868,224 (with scales) + vision 728,594,432 + audio
        // 234,912,768 + speech embeddings 26,214,400. vLLM's MiMoV2ForCausalLM serves the language model alone.
        ModelSpec s = spec("XiaomiMiMo--MiMo-V2.5");
        long towers = 728_594_432L + 234_912_768L + 26_214_400L;
        assertEquals(towers, s.visionParamCount());
        assertEquals(308_153_829_568L + 624_951_296L + towers, s.paramCount());
        assertEquals(310_775_040_000L - 18_669_312L - 987_868_224L, s.paramCount());
        // The ViT: 28 blocks of GQA (32 query heads, 8 KV heads of 64) with sinks on the 24 windowed ones; the merger.
        long block = 3072L * 1280 + 3072 + 1280L * 2048 + 1280 + 2L * (4608L * 1280 + 4608) + 1280L * 4608 + 1280 + 2L * 1280;
        assertEquals(1280L * 3 * 2 * 16 * 16 + 28 * block + 24L * 32 + 1280 + 5120L * 5120 + 4096L * 5120,
                s.tensors().stream().filter(t -> t.name().startsWith("visual.")).mapToLong(Tensor::numel).sum());
        // MiMo-V2-Flash's card (the same language model): 309B total, 15B active.
        assertEquals(15e9, s.activeParamCount() - s.visionParamCount(), 0.5e9);
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 9L, Mixer.SLIDING_WINDOW, 39L), s.mixerCounts());
        assertEquals(1, s.warnings().stream().filter(w -> w.contains("audio tokenizer")).count(), s.warnings().toString());
        assertEquals(0, s.warnings().stream().filter(w -> w.contains("is not counted")).count(), s.warnings().toString());
        // vLLM loads neither tower for this architecture: served, the model is the language model alone.
        assertEquals(s.paramCount() - towers, EngineSettings.defaults().served(s, GpuCatalog.require("H200", "gpu")).paramCount());
    }

    @Test
    void granite40HTiny_cardTotals() {
        // ibm-granite/granite-4.0-h-tiny (granitemoehybrid), from the fields a public fixture quotes (configs-extra
        // README). Model card: 7B parameters, 1B active; 4 attention and 36 Mamba-2 layers, 64 experts, 6 active,
        // of 512 plus a shared MLP of 1,024, embeddings shared with the head.
        ModelSpec s = spec("ibm-granite--granite-4.0-h-tiny");
        assertEquals(Family.GRANITE_MOE_HYBRID, s.family());
        assertEquals(6_939_037_248L, s.paramCount());
        assertEquals(7e9, s.paramCount(), 0.5e9);
        assertEquals(1e9, s.activeParamCount() - s.paramBreakdown().get(Component.EMBEDDING), 0.5e9);
        assertEquals(Map.of(Mixer.MAMBA2, 36L, Mixer.FULL_ATTENTION, 4L), s.mixerCounts());
        assertEquals(Mixer.FULL_ATTENTION, s.layers().get(5).mixer());
        // vLLM MambaMixer2's state: conv (4 - 1) x (3,072 + 2 x 128) and SSM 48 x 64 x 128, in bf16 (no float32 hook).
        assertEquals(3L * (3072 + 2 * 128) * 2 + 48L * 64 * 128 * 2, s.linearState().bytes(1));
    }

    @Test
    void deepseekV4_safetensorsTotalsOfBothCheckpoints() {
        // Model-inspection reports of deepseek-ai/DeepSeek-V4-Flash and -Pro list 158,069,433,298 and
        // 861,608,274,846 elements (MXFP4 experts packed two to an int8, UE8M0 scales counted one each, the MTP
        // layer included) in 148.65 and 805.32 GiB of tensors.
        // The checkpoints store the three hash layers' tid2eid tables in int64, which the engines load as int32 (and
        // the model counts so): 3 x 129,280 x 6 x 4 B more on disk.
        long int64Tables = 3L * 129_280 * 6 * 4;
        ModelSpec flash = Configs2026.spec("deepseek-ai--DeepSeek-V4-Flash");
        assertEquals(158_069_433_298L, flash.checkpointElements());
        assertEquals(148.65, (flash.checkpointBytes() + int64Tables) / (double) (1L << 30), 0.005);
        ModelSpec pro = spec("deepseek-ai--DeepSeek-V4-Pro");
        assertEquals(861_608_274_846L, pro.checkpointElements());
        assertEquals(805.32, (pro.checkpointBytes() + int64Tables) / (double) (1L << 30), 0.005);
    }

    @Test
    void kimiK2Instruct_listingAddsStaleRotaryBuffers() {
        // moonshotai/Kimi-K2-Instruct (configs-2026): a model-inspection report lists 1,026,470,731,056 elements, the
        // FP8 weights, their FP32 128 x 128 block scales, and 61 bf16 rotary_emb.inv_freq buffers of 56 values that
        // vLLM recomputes instead of loading.
        ModelSpec s = Configs2026.spec("moonshotai--Kimi-K2-Instruct");
        assertEquals(1_026_470_731_056L - 61L * 56, s.checkpointElements());
    }

    @Test
    void gemma3n_safetensorsTotalsExact_withAudioAndVisionEncoders() {
        // google/gemma-3n-E2B-it and -E4B-it: Hub safetensors totals 5,439,438,272 and 7,849,978,192 (BF16), as quoted from
        // the Hub API by a public registry and, for E2B, a fine-tune's card. E2B's config is unsloth's verbatim mirror of
        // google/gemma-3n-E2B (same shapes as -it); E4B's is E2B's with E4B's layer fields (configs-extra README).
        ModelSpec e2b = spec("google--gemma-3n-E2B");
        ModelSpec e4b = spec("google--gemma-3n-E4B-it");
        assertEquals(Family.GEMMA3N, e2b.family());
        assertEquals(5_439_438_272L, e2b.paramCount());
        assertEquals(7_849_978_192L, e4b.paramCount());
        // The encoders: USM audio conformer 681,348,640, MobileNetV5-300M 294,126,912, embedders 3,345,408 + 4,460,544.
        assertEquals(681_348_640L + 294_126_912L + 3_345_408L + 4_460_544L, e2b.visionParamCount());
        assertEquals(e2b.visionParamCount(), e4b.visionParamCount());
        // The last num_kv_shared_layers layers read layer 18's (sliding) or 19's (full) cache: 20 layers keep KV.
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 4L, Mixer.SLIDING_WINDOW, 16L, Mixer.SHARED_KV, 10L), e2b.mixerCounts());
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 4L, Mixer.SLIDING_WINDOW, 16L, Mixer.SHARED_KV, 15L), e4b.mixerCounts());
        assertEquals(19, e4b.layers().get(34).kvSourceLayer());
        assertEquals(18, e4b.layers().get(33).kvSourceLayer());
        assertEquals(20L * 2 * 2 * 256 * 2, e4b.kvCacheBytesPerToken());
        assertEquals(0, e4b.warnings().stream().filter(w -> w.contains("not counted")).count(), e4b.warnings().toString());
    }

    @Test
    void granite33_8b_exactCount() {
        // ibm-granite/granite-3.3-8b-instruct: the dump's parameter shapes give 8,170,864,640 (tied embeddings),
        // the count another public registry records; card: 8B. The multipliers add no weights.
        ModelSpec s = spec("ibm-granite--granite-3.3-8b-instruct");
        assertEquals(Family.GRANITE, s.family());
        assertEquals(8_170_864_640L, s.paramCount());
        assertEquals(8_170_864_640L, s.activeParamCount());
        assertEquals(2L * 8 * 128 * 2 * 40, s.kvCacheBytesPerToken());
    }

    @Test
    void qwen3VlMoe30B_safetensorsTotalExact_withTheVisionTower() {
        // Qwen/Qwen3-VL-30B-A3B-Instruct: 882 tensors, 31,070,754,032 elements, 57.87 GiB (BF16), as a model-inspection
        // report lists the checkpoint (configs-extra README): 48 MoE layers of 128 experts (fused gate_up_proj), untied
        // head, and the 27-block vision tower with its merger and three DeepStack mergers.
        ModelSpec s = spec("Qwen--Qwen3-VL-30B-A3B-Instruct");
        assertEquals(31_070_754_032L, s.paramCount());
        assertEquals(Map.of(Ffn.MOE, 48L), s.ffnCounts());
        // The tower, from the listing: 27 blocks, patch and position embeddings, merger and DeepStack mergers.
        long block = 2L * 2 * 1152 + 3456L * 1152 + 3456 + 1152L * 1152 + 1152 + 2L * 4304 * 1152 + 4304 + 1152;
        long merger = 4608L * 4608 + 4608 + 2048L * 4608 + 2048;
        long tower = 27 * block + 1152L * 3 * 2 * 16 * 16 + 1152 + 2304L * 1152 + merger + 2L * 1152 + 3 * (merger + 2L * 4608);
        assertEquals(tower, s.visionParamCount());
        // Four KV heads of 128 in 48 layers, BF16.
        assertEquals(2L * 4 * 128 * 2 * 48, s.kvCacheBytesPerToken());
    }

    @Test
    void step35Flash_hubTotalExact_withItsThreeMtpLayers() {
        // stepfun-ai/Step-3.5-Flash (step3p5), config assembled from quoted fields (configs-extra README): Hub total
        // 199,384,301,376 = 45 decoder layers, embedding, untied head and final norm (196,956,130,368: the card's
        // "196B") + three MTP layers of 809,390,336, each a sliding-window layer with a dense MLP, eh_proj, three norms
        // and an LM head of its own (vLLM step3p5_mtp.py).
        ModelSpec s = spec("stepfun-ai--Step-3.5-Flash");
        assertEquals(Family.STEP3P5, s.family());
        assertEquals(196_956_130_368L, s.paramCount());
        assertEquals(3 * 809_390_336L, s.mtpParamCount());
        assertEquals(199_384_301_376L, s.checkpointElements());
        assertEquals(3, s.mtpModules());
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 12L, Mixer.SLIDING_WINDOW, 33L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 3L, Ffn.MOE, 42L), s.ffnCounts());
        assertEquals(512, s.layers().get(1).window());
        // Card: 11B active. 8 of 288 experts in 42 layers, shared experts, attention, embedding and head.
        assertEquals(11e9, s.activeParamCount() - embeddingsAndHead(s), 0.5e9);
        // Full layers 64 heads, sliding ones 96 (attention_other_setting): q_proj 8,192 and 12,288 rows; one gate per head.
        assertEquals(8192L * 4096, s.tensors().stream().filter(t -> t.name().equals("model.layers.0.self_attn.q_proj.weight"))
                .mapToLong(Tensor::numel).sum());
        assertEquals(96L * 4096, s.tensors().stream().filter(t -> t.name().equals("model.layers.1.self_attn.g_proj.weight"))
                .mapToLong(Tensor::numel).sum());
        // Eight KV heads of 128 on all 45 layers, BF16.
        assertEquals(45L * 8 * 128 * 2 * 2, s.kvCacheBytesPerToken());
    }

    @Test
    void step37Flash_hubTotalExact_withThePerceptionEncoder() {
        // stepfun-ai/Step-3.7-Flash (step3p7 around step3p5): Hub total 201,365,316,160 = Step-3.5-Flash's text model and
        // MTP layers + 1,981,014,784 of vision: a 47-block Perception Encoder of width 1,536 (MLP 8,960, layer scales,
        // ln_pre, 52 x 52 positions), two convolutional downsamplers and vit_large_projector, as the shard headers of
        // stepfun-ai/Step-3.7-Flash-NVFP4 list its 667 vision tensors.
        ModelSpec s = spec("stepfun-ai--Step-3.7-Flash");
        assertEquals(Family.STEP3P5, s.family());
        assertEquals(201_365_316_160L, s.checkpointElements());
        long block = 4608L * 1536 + 4608 + 1536L * 1536 + 1536 + 6L * 1536 + 2L * 8960 * 1536 + 8960 + 1536;
        long tower = 1536L * 3 * 14 * 14 + 2L * 1536 + 2704L * 1536 + 47 * block;
        long projector = 3072L * 1536 * 9 + 3072 + 6144L * 3072 * 9 + 6144 + 4096L * 6144;
        assertEquals(tower + projector, s.visionParamCount());
        assertEquals(1_981_014_784L, s.visionParamCount());
        assertEquals(spec("stepfun-ai--Step-3.5-Flash").paramCount() + s.visionParamCount(), s.paramCount());
    }

    @Test
    void step35_fieldsVllmRefusesOrThatWouldChangeThePlan_areRefusedByName() {
        assertRefusedByField("stepfun-ai--Step-3.5-Flash", false, Map.of("att_impl_type", "\"MLA\"",
                "moe_layers_enum", "\"3,4,48\"", "use_moe_router_bias", "false", "layer_types", "[\"full_attention\"]"));
        ObjectNode linear = (ObjectNode) ConfigParser.readTree(json("stepfun-ai--Step-3.5-Flash"), "step");
        ((ArrayNode) linear.get("layer_types")).set(5, "linear_attention");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("step", linear, "step"));
        assertTrue(e.getMessage().contains("layer_types[5] was 'linear_attention'"), e.getMessage());
    }

    /** Each field of {@code cases} set to its JSON value (in the text_config when {@code text}) is refused naming it. */
    private static void assertRefusedByField(String folder, boolean text, Map<String, String> cases) {
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ObjectNode config = (ObjectNode) ConfigParser.readTree(json(folder), folder);
            ObjectNode target = text ? (ObjectNode) config.get("text_config") : config;
            target.set(c.getKey(), ConfigParser.readTree(c.getValue(), "value"));
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> ConfigParser.parse(folder, config, folder), c.getKey());
            assertEquals(c.getKey(), e.field());
        }
    }

    @Test
    void step3_cardTotals_andTheRepositorySize() {
        // stepfun-ai/step3 (step3_vl around step3_text), config from the vLLM / SGLang config classes' defaults with
        // the vision MLP width the published repository sizes imply (configs-extra README). Card: LLM 316B, 38B active,
        // VLM 321B; repository 641.9 GB in BF16.
        ModelSpec s = spec("stepfun-ai--step3");
        assertEquals(Family.STEP3, s.family());
        long llm = s.paramCount() - s.visionParamCount();
        assertEquals(316_294_538_240L, llm);
        assertEquals(316e9, llm, 0.5e9);
        assertEquals(321e9, s.paramCount(), 0.5e9);
        assertEquals(641.9e9, s.checkpointBytes(), 0.05e9);
        // 3 of 48 experts and the shared expert; the card's 38B counts the head, not the input embedding.
        assertEquals(38e9, s.activeParamCount() - s.visionParamCount() - s.paramBreakdown().get(Component.EMBEDDING), 0.5e9);
        assertEquals(Map.of(Ffn.DENSE, 5L, Ffn.MOE, 56L), s.ffnCounts());
        // One KV head of 256 in 61 layers: the low-rank query (share_q_dim 2,048) is expanded to 64 heads by wq.
        assertEquals(61L * 256 * 2 * 2, s.kvCacheBytesPerToken());
        assertEquals(64L * 256 * 2048, s.tensors().stream().filter(t -> t.name().equals("model.layers.0.self_attn.wq.weight"))
                .mapToLong(Tensor::numel).sum());
    }

    @Test
    void step3_whatVllmWouldNotBuild_isRefusedByName() {
        assertRefusedByField("stepfun-ai--step3", true, Map.of("num_attention_groups", "8", "tie_word_embeddings", "true",
                "moe_layers_enum", "\"4,5,61\""));
        ObjectNode noEnum = (ObjectNode) ConfigParser.readTree(json("stepfun-ai--step3"), "step3");
        ((ObjectNode) noEnum.get("text_config")).remove("moe_layers_enum");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("step3", noEnum, "step3"));
        assertEquals("moe_layers_enum", e.field());
    }
}

package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exact parameter counts of the 2026 families from their published configs (configs-2026, see
 * {@link Configs2026}), each against a published total with its scope stated. "Hub total" is the
 * Hugging Face API's {@code safetensors.total} for the repository
 * ({@code https://huggingface.co/api/models/<repo>?expand[]=safetensors}), as quoted by public
 * files that copied it (capacity-planner registries and test fixtures; several agree for most
 * models). Card figures are the model cards' and technical reports' rounded totals.
 */
class Families2026Test {

    @Test
    void qwen35_27b_hubTotalIsLanguagePlusMtpPlusVision() {
        ModelSpec s = Configs2026.spec("Qwen--Qwen3.5-27B");
        // Hub total 27,781,427,952 (BF16 only); a safetensors header audit of the same architecture splits it
        // into language 26,895,998,464, MTP 424,699,392 and vision 460,730,096.
        assertEquals(27_781_427_952L, s.checkpointElements());
        assertEquals(424_699_392L, s.mtpParamCount());
        assertEquals(460_730_096L, s.visionParamCount());
        assertEquals(26_895_998_464L, s.paramCount() - s.visionParamCount());
        // All BF16: 2 bytes per stored element is the checkpoint size of the identical Qwen3.6-27B (55,562,855,904).
        assertEquals(55_562_855_904L, s.checkpointElements() * 2);
        // Qwen3.5 card: 64 layers, one full-attention layer in four, the rest Gated DeltaNet.
        assertEquals(Map.of(Mixer.GATED_DELTANET, 48L, Mixer.FULL_ATTENTION, 16L), s.mixerCounts());
        assertEquals(Map.of(Ffn.DENSE, 64L), s.ffnCounts());
    }

    @Test
    void qwen35_35bA3b_hubTotalIncludesMtpAndVision() {
        ModelSpec s = Configs2026.spec("Qwen--Qwen3.5-35B-A3B");
        // Hub total 35,951,822,704 (BF16 only; same as Qwen/Qwen3.6-35B-A3B), vision tower and MTP layer included.
        assertEquals(35_951_822_704L, s.checkpointElements());
        assertEquals(Map.of(Ffn.MOE, 40L), s.ffnCounts());
        // Card: 35B total, 3B activated (decoder only: 8 of 256 experts plus the shared expert).
        long decoderActive = s.activeParamCount() - s.visionParamCount();
        assertEquals(3.0e9, decoderActive, 0.5e9);
    }

    @Test
    void qwen35_397bA17b_hubTotalAndHeaderAuditSplit() {
        ModelSpec s = Configs2026.spec("Qwen--Qwen3.5-397B-A17B");
        // Hub total 403,397,928,944; header audit of revision 8472618112ab: text 396,346,350,336,
        // vision 456,010,480, MTP 6,595,568,128; index total_size 806,795,875,168 bytes (BF16 plus 90 FP32 tensors).
        assertEquals(403_397_928_944L, s.checkpointElements());
        assertEquals(6_595_568_128L, s.mtpParamCount());
        assertEquals(456_010_480L, s.visionParamCount());
        assertEquals(396_346_350_336L, s.paramCount() - s.visionParamCount());
        // The 90 FP32 tensors are A_log (64 values) and the gated norm (128) of the 45 Gated DeltaNet layers, which
        // this checkpoint keeps in FP32 (Qwen3.5-27B and 35B-A3B keep them in BF16; the config does not say):
        // 806,795,875,168 bytes = the model's bytes at BF16 + 2 extra bytes x 45 x (64 + 128).
        assertEquals(806_795_875_168L, s.checkpointBytes() + 2L * 45 * (64 + 128));
        // Card: 397B total, 17B activated.
        assertEquals(17.0e9, s.activeParamCount() - s.visionParamCount(), 1.0e9);
        assertEquals(Map.of(Mixer.GATED_DELTANET, 45L, Mixer.FULL_ATTENTION, 15L), s.mixerCounts());
    }

    @Test
    void qwen3Vl_totalsIncludeTheVisionTowerAndDeepStackMergers() {
        // Hub total of Qwen/Qwen3-VL-8B-Instruct (revision 0c351dd01ed8): 8,767,123,696, BF16 only.
        ModelSpec vl8 = Configs2026.spec("Qwen--Qwen3-VL-8B-Instruct");
        assertEquals(8_767_123_696L, vl8.paramCount());
        // The language model is Qwen3-8B's shape (Hub total 8,190,735,360).
        assertEquals(8_190_735_360L, vl8.paramCount() - vl8.visionParamCount());
        // Qwen3-VL-4B-Instruct: 4,437,815,808 counted by loading the model in transformers (tied embeddings).
        assertEquals(4_437_815_808L, Configs2026.spec("Qwen--Qwen3-VL-4B-Instruct").paramCount());
        // Qwen3-VL-2B-Instruct: 2,127,532,032, checked against the Hub API JSON at a pinned revision.
        assertEquals(2_127_532_032L, Configs2026.spec("Qwen--Qwen3-VL-2B-Instruct").paramCount());
        // Qwen3-VL-235B-A22B-Instruct: 1,388 tensors, 235,670,022,896 elements (438.97 GiB, BF16), as a public
        // model-inspection report lists the checkpoint; its tower is the 30B-A3B's with mergers into 4,096.
        ModelSpec vl235 = Configs2026.spec("Qwen--Qwen3-VL-235B-A22B-Instruct");
        assertEquals(235_670_022_896L, vl235.paramCount());
        assertEquals(235_670_022_896L, vl235.checkpointElements());
    }

    @Test
    void llama4Scout_decoderIsHubTotalLessTheVisionTower() {
        ModelSpec s = Configs2026.spec("meta-llama--Llama-4-Scout-17B-16E-Instruct");
        // Hub total 108,641,793,536 includes the vision encoder and projector, 871,932,416 parameters
        // (the same difference separates Maverick's Hub total 401,583,781,376 from its text backbone);
        // this published config copy carries no vision_config, so the decoder alone is counted.
        assertEquals(108_641_793_536L - 871_932_416L, s.paramCount());
        // Model card: 17B activated, 16 experts (one routed plus the shared expert per token).
        assertEquals(17.0e9, s.activeParamCount(), 0.2e9);
        // interleave_moe_layer_step 1: every layer is MoE; RoPE layers are chunked (8192), every fourth is NoPE.
        assertEquals(Map.of(Ffn.MOE, 48L), s.ffnCounts());
        assertEquals(Map.of(Mixer.CHUNKED_LOCAL, 36L, Mixer.NO_ROPE, 12L), s.mixerCounts());
        assertEquals(8192, s.layers().get(0).window());
    }

    @Test
    void llama4_visionTower_isTheHubTotalDifference() {
        ObjectNode cfg = Configs2026.config("meta-llama--Llama-4-Scout-17B-16E-Instruct");
        // Llama 4's published vision_config, as quoted in TensorRT-LLM's test_modeling_llama_min_latency.py
        // (LLAMA_4_MAVERICK_TWO_LAYER_CONFIG, which overrides num_hidden_layers to 0) and in
        // neuronx-distributed-inference's LLAMA4_SCOUT_MINIMAL_MOCK_CONFIG (num_hidden_layers 34).
        ObjectNode v = cfg.putObject("vision_config");
        v.put("model_type", "llama4_vision_model").put("hidden_size", 1408).put("image_size", 336)
                .put("intermediate_size", 5632).put("num_attention_heads", 16).put("num_channels", 3)
                .put("num_hidden_layers", 34).put("patch_size", 14).put("projector_input_dim", 4096)
                .put("projector_output_dim", 4096).put("vision_output_dim", 4096).put("multi_modal_projector_bias", false);
        ModelSpec s = ConfigParser.parse("meta-llama/Llama-4-Scout-17B-16E-Instruct", cfg, "cfg");
        assertEquals(871_932_416L, s.visionParamCount());
        assertEquals(108_641_793_536L, s.paramCount()); // Hub total of the Scout checkpoint
    }

    @Test
    void nemotronH56b_exactTotal() {
        ModelSpec s = Configs2026.spec("nvidia--Nemotron-H-56B-Base-8K");
        // 56,324,350,464 (a catalog quoting the checkpoint's count; card: "56B model parameters",
        // 54 Mamba-2, 54 MLP and 10 self-attention layers).
        assertEquals(56_324_350_464L, s.paramCount());
        assertEquals(Map.of(Mixer.MAMBA2, 54L, Mixer.FULL_ATTENTION, 10L, Mixer.NONE, 54L), s.mixerCounts());
        assertEquals(Map.of(Ffn.NONE, 64L, Ffn.DENSE, 54L), s.ffnCounts());
    }

    @Test
    void nemotron3Nano_hubTotalLeavesOutTheFp32ScoreBiases() {
        ModelSpec s = Configs2026.spec("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16");
        // Hub total 31,577,937,344. vLLM's NemotronHMoE also loads an FP32 e_score_correction_bias of
        // n_routed_experts (128) per MoE layer; the total is exactly the count without those 23 x 128 values
        // (the sibling Nemotron-3.5-Lightning BF16 repo lists them as "F32": 3072 = 24 x 128, its MTP MoE included).
        assertEquals(31_577_937_344L, s.paramCount() - 23L * 128);
        // Card: 52 layers, 23 Mamba-2, 23 MoE, 6 attention; 128 experts + 1 shared, 6 active;
        // 31.6B total, 3.6B active with embeddings.
        assertEquals(Map.of(Mixer.MAMBA2, 23L, Mixer.FULL_ATTENTION, 6L, Mixer.NONE, 23L), s.mixerCounts());
        assertEquals(23, s.moe().moeLayers());
        assertEquals(3.6e9, s.activeParamCount(), 0.05e9);
        // The layers_block_type form of the same architecture (Nemotron-3.5-Lightning) counts the same.
        assertEquals(s.paramCount(), Configs2026.spec("nvidia--NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4").paramCount());
    }

    @Test
    void nemotron3Super_hubTotalIsTheBf16Count_withTheMtpLayer() {
        ModelSpec s = Configs2026.spec("nvidia--NVIDIA-Nemotron-3-Super-120B-A12B-FP8");
        // Hub total of the BF16 repo nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16: 123,611,012,096, its BF16
        // count; the F32 values listed beside it (20,992) are the 41 x 512 e_score_correction_bias vectors
        // of the 40 MoE layers and the MTP step's MoE layer ("*E": attention, then latent MoE).
        assertEquals(123_611_012_096L, s.paramCount() + s.mtpParamCount() - 41L * 512);
        assertEquals(2_942_325_248L, s.mtpParamCount());
        // Card: "120B Total / 12B Active", 88 layers, 512 routed experts, 22 per token (LatentMoE).
        assertEquals(120.7e9, s.paramCount(), 0.05e9);
        assertEquals(12.4e9, s.activeParamCount(), 0.1e9);
        assertEquals(40, s.moe().moeLayers());
    }

    @Test
    void nemotron35Lightning_bf16CountIsNanoPlusTheMtpStep() {
        // The Lightning BF16 repo's Hub API lists {"F32": 3072, "BF16": 32,913,263,168}: the Nano decoder's BF16
        // count (31,577,937,344) plus the MTP step's, with 24 x 128 FP32 score biases (23 MoE layers + the MTP one).
        ModelSpec s = Configs2026.spec("nvidia--NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4");
        assertEquals(32_913_263_168L, s.paramCount() + s.mtpParamCount() - 24L * 128);
    }

    @Test
    void deepSeekV32_indexerWeights_matchTheHubTotals() {
        ModelSpec s = Configs2026.spec("deepseek-ai--DeepSeek-V3.2");
        // Hub total 685,396,921,376: DeepSeek-V3's checkpoint plus the lightning indexer of 62 layers
        // (61 + MTP) and the FP32 block scales of its wq_b and wk. A second quoted total, 685,355,329,792,
        // is the logical count without FP32 scales: 41,591,584 fewer.
        assertEquals(685_396_921_376L, s.checkpointElements());
        assertEquals(685_355_329_792L, s.paramCount() + s.mtpParamCount());
        assertEquals(Map.of(Mixer.MLA_DSA, 61L), s.mixerCounts());
        // Indexer per layer: wq_b 1536 x 64 x 128 + wk 7168 x 128 + k_norm 2 x 128 + weights_proj 7168 x 64.
        long indexer = 1536L * 64 * 128 + 7168L * 128 + 256 + 7168L * 64;
        assertEquals(671_026_419_200L + 61 * indexer, s.paramCount()); // DeepSeek-V3's 671B plus the indexers
    }

    @Test
    void glm5_mtpLayerSharesEmbeddingAndHead() {
        // Hub totals: zai-org/GLM-5 and GLM-5.1 753,864,139,008 (BF16); -FP8 753,910,024,032 (FP32 block scales added).
        ModelSpec s = Configs2026.spec("zai-org--GLM-5");
        assertEquals(753_864_139_008L, s.checkpointElements());
        assertEquals(753_910_024_032L, Configs2026.spec("zai-org--GLM-5-FP8").checkpointElements());
        assertEquals(753_864_139_008L, Configs2026.spec("zai-org--GLM-5.1").checkpointElements());
        // GLM-5 tech report: 744B total, 40B activated; 78 layers (3 dense, 75 MoE), 1 MTP layer.
        assertEquals(744e9, s.paramCount(), 0.5e9);
        long embeddings = s.paramBreakdown().get(Component.EMBEDDING) + s.paramBreakdown().get(Component.LM_HEAD);
        assertEquals(40e9, s.activeParamCount() - embeddings, 0.5e9);
        assertEquals(Map.of(Ffn.DENSE, 3L, Ffn.MOE, 75L), s.ffnCounts());
    }

    @Test
    void minimaxM2_fp8BlockScalesExplainTheM25Total() {
        // MiniMax-M2.7 (and M2, M2.1) Hub total 228,689,764,864 = the logical count; M2.5's 228,703,644,928 adds
        // the FP32 block scales of its FP8 weights (128 x 128 blocks), 13,880,064 values. The configs share shapes.
        ModelSpec m27 = Configs2026.spec("MiniMaxAI--MiniMax-M2.7");
        assertEquals(228_689_764_864L, m27.paramCount());
        assertEquals(228_703_644_928L, Configs2026.spec("MiniMaxAI--MiniMax-M2.5").checkpointElements());
        // Cards: 230B total, 10B active (M2.5 summary: 229.9B / 9.8B activated, the latter without embeddings).
        long embeddings = m27.paramBreakdown().get(Component.EMBEDDING) + m27.paramBreakdown().get(Component.LM_HEAD);
        assertEquals(9.8e9, m27.activeParamCount() - embeddings, 0.1e9);
    }

    @Test
    void mimo7b_totalIncludesItsMtpLayer() {
        ModelSpec s = Configs2026.spec("XiaomiMiMo--MiMo-7B-Base");
        // 7,833,409,536 (a catalog quoting the checkpoint; num_nextn_predict_layers 1).
        assertEquals(7_833_409_536L, s.checkpointElements());
        assertEquals(210_790_400L, s.mtpParamCount());
    }

    @Test
    void gemma4_26bA4b_hubTotalIsTextPlusVisionTower() {
        ModelSpec s = Configs2026.spec("google--gemma-4-26B-A4B");
        // Hub total of google/gemma-4-26B-A4B-it (same architecture as this base repo's config): 25,805,936,206, BF16.
        assertEquals(25_805_936_206L, s.paramCount());
        // Card: 25.2B total (text), 3.8B active, vision encoder about 550M; 30 layers, 128 experts, 8 active.
        assertEquals(25.2e9, s.paramCount() - s.visionParamCount(), 0.05e9);
        assertEquals(3.8e9, s.activeParamCount() - s.visionParamCount(), 0.05e9);
        assertEquals(8, s.moe().expertsPerToken());
        assertEquals(Map.of(Mixer.SLIDING_WINDOW, 25L, Mixer.FULL_ATTENTION, 5L), s.mixerCounts());
        assertEquals(1024, s.slidingWindow());
    }

    @Test
    void gemma4_31b_hubTotalIsTextPlusVisionTower() {
        ModelSpec s = Configs2026.spec("nvidia--Gemma-4-31B-IT-NVFP4");
        // Hub total of google/gemma-4-31B-it (the base of this NVFP4 checkpoint): 31,273,088,876, BF16.
        assertEquals(31_273_088_876L, s.paramCount());
        // Card: 30.7B total without the vision encoder; the two vision towers differ only by the projection width.
        assertEquals(30.7e9, s.paramCount() - s.visionParamCount(), 0.05e9);
        long projectionDifference = 1152L * (5376 - 2816);
        assertEquals(projectionDifference, s.visionParamCount() - Configs2026.spec("google--gemma-4-26B-A4B").visionParamCount());
    }

    @Test
    void llamaNemotronSuper49b_perLayerBlockConfigs() {
        ModelSpec s = Configs2026.spec("nvidia--Llama-3_3-Nemotron-Super-49B-v1");
        // 49,867,145,216 (a catalog quoting the checkpoint's count; card: 49B, a NAS derivative of Llama-3.3-70B).
        assertEquals(49_867_145_216L, s.paramCount());
        // 49 layers keep attention (8 KV heads), 31 skip it; every layer keeps an MLP of its own width.
        assertEquals(Map.of(Mixer.FULL_ATTENTION, 49L, Mixer.NONE, 31L), s.mixerCounts());
        assertEquals(8, s.numKeyValueHeads());
        // ffn_mult 5.25 on hidden 8192 is Llama-3.3-70B's 28672; 1.0 rounds 5461 up to 5632.
        assertEquals(28_672, NemotronNasBuilder.intermediateSize(5.25, 8192));
        assertEquals(5_632, NemotronNasBuilder.intermediateSize(1.0, 8192));
    }

    @Test
    void qwen3Next80b_hubTotalIncludesTheMtpLayer() throws Exception {
        // Config: Qwen/Qwen3-Next-80B-A3B-Thinking as bundled in ai-dynamo/aiconfigurator
        // (src/aiconfigurator/model_configs/Qwen--Qwen3-Next-80B-A3B-Thinking_config.json, commit 1b7cfb10a6fa),
        // copied to src/test/resources/configs-extra. Hub total (Instruct and Thinking): 81,324,862,720.
        String json = new String(Families2026Test.class
                .getResourceAsStream("/configs-extra/Qwen--Qwen3-Next-80B-A3B-Thinking/config.json").readAllBytes());
        ModelSpec s = ConfigParser.parse("Qwen/Qwen3-Next-80B-A3B-Thinking", json, "cfg");
        assertEquals(81_324_862_720L, s.checkpointElements());
        assertEquals(1_650_471_424L, s.mtpParamCount()); // one MTP layer (vLLM's default for qwen3_next)
        // Card: 80B total, 3B activated; 48 layers, one full-attention layer in four.
        assertEquals(80e9, s.paramCount(), 0.5e9);
        assertEquals(3.9e9, s.activeParamCount(), 0.05e9); // 3B without the 0.6B of embeddings and head
        assertEquals(Map.of(Mixer.GATED_DELTANET, 36L, Mixer.FULL_ATTENTION, 12L), s.mixerCounts());
    }

    @Test
    void kimiK25_logicalCountAndPayloadBytes_exact() {
        ModelSpec s = Configs2026.spec("moonshotai--Kimi-K2.5");
        // A read-only audit of the safetensors headers of moonshotai/Kimi-K2.5 (and K2.6, K2.7-Code, same layout):
        // 1,026,879,376,368 logical parameters = language model 1,026,408,232,448 + vision tower 416,866,032
        // + projector 54,277,888; payload 595,148,192,736 bytes = the index total_size (BF16 non-expert weights,
        // int4 experts packed in int32 with BF16 group-32 scales and an int32 weight_shape each, FP32 router biases).
        // The Hub page shows it rounded: 1026.9B.
        assertEquals(1_026_879_376_368L, s.paramCount());
        assertEquals(1_026_408_232_448L, s.paramCount() - s.visionParamCount());
        assertEquals(416_866_032L + 54_277_888L, s.visionParamCount());
        assertEquals(595_148_192_736L, s.checkpointBytes());
        // Card: 1T total, 32B activated.
        assertEquals(32.9e9, s.activeParamCount() - s.visionParamCount(), 0.1e9);
    }

    @Test
    void layerCaches_describeWhatEachLayerKeeps() {
        // Nemotron-3-Nano: Mamba-2 state = conv (4096 + 2 x 8 x 128) x (4 - 1) + 64 heads x 64 x 128;
        // attention layers 2 KV heads x 128; MoE layers keep nothing.
        ModelSpec nano = Configs2026.spec("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16");
        ModelSpec.Layer mamba = nano.layers().get(0);
        assertEquals(Mixer.MAMBA2, mamba.mixer());
        assertEquals(6144L * 3 + 64L * 64 * 128, mamba.stateElements());
        assertEquals(0, mamba.kvElementsPerToken());
        assertEquals(2L * 2 * 128, nano.layers().get(5).kvElementsPerToken());
        assertEquals(6L * 2 * 2 * 128 * 2, nano.kvCacheBytesPerToken(DType.BFLOAT16)); // 6 attention layers only
        // Qwen3.5-27B Gated DeltaNet: conv (2 x 16 x 128 + 48 x 128) x 3, recurrent 48 x 128 x 128.
        ModelSpec q = Configs2026.spec("Qwen--Qwen3.5-27B");
        assertEquals(10240L * 3 + 48L * 128 * 128, q.layers().get(0).stateElements());
        // Gemma 4 31B: sliding layers 16 KV heads x 256, full layers 4 x 512.
        ModelSpec g = Configs2026.spec("nvidia--Gemma-4-31B-IT-NVFP4");
        assertEquals(2L * 16 * 256, g.layers().get(0).kvElementsPerToken());
        assertEquals(2L * 4 * 512, g.layers().get(5).kvElementsPerToken());
        // MLA: one latent of 512 + 64 per token.
        assertEquals(576, Configs2026.spec("deepseek-ai--DeepSeek-V3.2").layers().get(0).kvElementsPerToken());
    }

    @Test
    void qwenFp8Checkpoints_countTheirBlockScales_whoseDtypeTheConfigDoesNotName() {
        // Qwen/Qwen3-32B-FP8 Hub API: {"BF16": 1,558,406,144, "F8_E4M3": 31,205,621,760}, total 32,764,027,904:
        // the 16-bit parameters plus one block scale per 128 x 128 block (1,904,640 of them).
        ModelSpec s = Configs2026.spec("Qwen--Qwen3-32B-FP8");
        assertEquals(32_764_027_904L, s.checkpointElements());
        // Qwen stores those scales in BF16 (they are in the BF16 bucket), DeepSeek in FP32 (its F32 bucket); the
        // configs are alike ({"fmt": "e4m3", "weight_block_size": [128, 128]}), so the model counts FP32 scales, as
        // DeepSeek-V3 stores them: 2 bytes more per scale than Qwen's index total_size of 34,322,434,048.
        long scales = s.checkpointElements() - s.paramCount();
        assertEquals(1_904_640L, scales);
        assertEquals(34_322_434_048L, s.checkpointBytes() - 2 * scales);
        // The -2507 FP8 twins of Qwen3-30B-A3B-FP8 and Qwen3-235B-A22B-FP8 (same dimensions and recipe) have Hub
        // totals 30,533,947,392 and 235,107,904,512.
        assertEquals(30_533_947_392L, Configs2026.spec("Qwen--Qwen3-30B-A3B-FP8").checkpointElements());
        assertEquals(235_107_904_512L, Configs2026.spec("Qwen--Qwen3-235B-A22B-FP8").checkpointElements());
    }

    @Test
    void bf16Checkpoints_totalSizeIsTwoBytesPerElement() {
        // Index total_size: gemma-4-26B-A4B-it 51,611,872,412; Qwen3.6-35B-A3B (same shapes as Qwen3.5-35B-A3B,
        // BF16 only) 71,903,645,408; Qwen3.6-27B (same shapes as Qwen3.5-27B) 55,562,855,904.
        assertEquals(51_611_872_412L, Configs2026.spec("google--gemma-4-26B-A4B").checkpointBytes());
        assertEquals(71_903_645_408L, Configs2026.spec("Qwen--Qwen3.5-35B-A3B").checkpointBytes());
        assertEquals(55_562_855_904L, Configs2026.spec("Qwen--Qwen3.5-27B").checkpointBytes());
    }

    @Test
    void deepSeekV4Flash_totalFromTheLayerPlan_matchesTheCard() {
        ModelSpec s = Configs2026.spec("deepseek-ai--DeepSeek-V4-Flash");
        // Model card of deepseek-ai/DeepSeek-V4-Flash (April 2026; quoted in antirez/ds4 MODEL_CARD.md, read
        // 2026-11-30): 284B total, 13B activated, rounded. The count as vLLM's deepseek_v4.py builds it and the
        // checkpoint stores it (MTP layer apart) is 284,334,567,511: within the card's rounding.
        assertEquals(284_334_567_511L, s.paramCount());
        assertEquals(284e9, s.paramCount(), 0.5e9);
        // Activated: 6 of 256 routed experts plus the shared one; the card's 13B leaves out the embedding lookup.
        long embedding = s.paramBreakdown().get(Component.EMBEDDING);
        assertEquals(13e9, s.activeParamCount() - embedding, 0.5e9);
        // The MTP layer: a layer without compressor, e_proj and h_proj, three norms and its hc_head; it
        // shares the embedding and the head (DeepSeek's inference/model.py MTPBlock: embed and head = None).
        long layerWithoutCompressor = 4096L * 1024 + 4096L * 512 + 1024 + 512 + 1024L * 64 * 512 + 4096L * 8192
                + 8192L * 4096 + 64 // attention and its sink
                + 2 * 4096 // attn_norm, ffn_norm
                + 2 * (24L * 16384 + 24 + 3) // hc_attn_*, hc_ffn_*
                + 256L * 4096 + 256 // router and its score bias
                + 257L * 3 * 4096 * 2048; // 256 routed experts and the shared one
        assertEquals(layerWithoutCompressor + 2L * 4096 * 4096 + 3 * 4096 + 4L * 16384 + 4 + 1, s.mtpParamCount());
        // compress_ratios: layers 0-1 sliding window only, then CSA (1/4) and HCA (1/128) alternating, layer 42 CSA.
        assertEquals(Map.of(Mixer.SWA_LATENT, 2L, Mixer.CSA, 21L, Mixer.HCA, 20L), s.mixerCounts());
        assertEquals(Map.of(Ffn.MOE, 43L), s.ffnCounts());
        assertEquals(128, s.layers().get(0).window());
        // Per token beyond the 128-token window: a CSA layer adds a quarter of a 512 latent and of a 128 indexer
        // key, an HCA layer 1/128 of a latent, a window-only layer nothing.
        assertEquals((512 + 128) / 4, s.layers().get(2).kvElementsPerToken());
        assertEquals(512 / 128, s.layers().get(3).kvElementsPerToken());
        assertEquals(0, s.layers().get(0).kvElementsPerToken());
    }

    @Test
    void deepSeekV4Flash_storage_fp8LinearsAndMxfp4Experts() {
        ModelSpec s = Configs2026.spec("deepseek-ai--DeepSeek-V4-Flash");
        Quantization.DeepseekV4 q = (Quantization.DeepseekV4) s.quantization();
        assertEquals("mxfp4", q.experts()); // expert_dtype fp4
        Tensor experts = s.tensors().stream().filter(t -> t.name().equals("layers.5.ffn.experts.*.w1.weight"))
                .findFirst().orElseThrow();
        // Two e2m1 values a byte and an e8m0 scale per 32 inputs ([2048, 4096 / 32], the checkpoint's .scale).
        assertEquals(256L * (2048L * 4096 / 2 + 2048L * 4096 / 32), q.bytes(experts, s.dtype()));
        Tensor wqb = s.tensors().stream().filter(t -> t.name().equals("layers.5.attn.wq_b.weight")).findFirst().orElseThrow();
        // FP8 with one e8m0 scale byte per 128 x 128 block.
        assertEquals(32768L * 1024 + 256L * 8, q.bytes(wqb, s.dtype()));
        // NVIDIA's NVFP4 re-quantization counts the same parameters, its experts with an FP8 scale per 16 values.
        ModelSpec nv = Configs2026.spec("nvidia--DeepSeek-V4-Flash-NVFP4");
        assertEquals(s.paramCount(), nv.paramCount());
        assertEquals("nvfp4", ((Quantization.DeepseekV4) nv.quantization()).experts());
        assertEquals(256L * (2048L * 4096 / 2 + 2048L * 4096 / 16 + 8), nv.quantization().bytes(experts, nv.dtype()));
    }

    @Test
    void deepSeekV4Pro_countFromTheSameLayerPlan_matchesItsCard() throws Exception {
        // A config not in configs-2026 (configs-extra, see its README): nvidia/DeepSeek-V4-Pro-NVFP4, NVIDIA's NVFP4
        // checkpoint of deepseek-ai/DeepSeek-V4-Pro. Model card (April 2026; antirez/ds4 MODEL_CARD.md, read
        // 2026-11-30): 1.6T total, 49B activated. 61 layers (2 HCA first, then CSA/HCA alternating), 384 experts.
        Path dir = Path.of(Families2026Test.class.getResource("/configs-extra/nvidia--DeepSeek-V4-Pro-NVFP4").toURI());
        ModelSpec s = ConfigParser.parse("nvidia/DeepSeek-V4-Pro-NVFP4",
                ConfigParser.readTree(Files.readString(dir.resolve("config.json")), "cfg"),
                ConfigParser.readTree(Files.readString(dir.resolve("hf_quant_config.json")), "hf"), "cfg");
        assertEquals(1_572_999_528_803L, s.paramCount());
        assertEquals(1.6e12, s.paramCount(), 0.05e12);
        long embedding = s.paramBreakdown().get(Component.EMBEDDING);
        assertEquals(49e9, s.activeParamCount() - embedding, 0.5e9);
        assertEquals(Map.of(Mixer.CSA, 30L, Mixer.HCA, 31L), s.mixerCounts());
    }
}

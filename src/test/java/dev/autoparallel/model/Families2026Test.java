package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exact parameter counts of the 2026 families from their published configs (configs-2026, see
 * {@link Configs2026}), each against a published total with its scope stated. "Hub total" is the
 * Hugging Face API's {@code safetensors.total} for the repository, as collected with its sources
 * in the research notes (research/param-totals.md of this work; quoted there from files that copied it
 * from {@code https://huggingface.co/api/models/<repo>?expand[]=safetensors}).
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
        // The 90 FP32 tensors are A_log (64 values) and the gated norm (128) of the 45 Gated DeltaNet layers:
        // 806,795,875,168 bytes = 2 B x 403,397,928,944 + 2 extra bytes x 45 x (64 + 128).
        assertEquals(806_795_875_168L, 2 * s.checkpointElements() + 2L * 45 * (64 + 128));
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
    }
}

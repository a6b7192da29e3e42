package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.source.Catalog;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parameter counts against published totals. Sources: the reference set's {@code param_count}
 * (mostly the Hugging Face API's safetensors.total; see reference/models.json per model) and
 * reference/published-counts.csv for models outside it.
 */
class ParameterCountTest {

    static Stream<Arguments> referenceTotals() {
        return ReferenceModels.all().stream()
                .filter(m -> m.hasNonNull("param_count"))
                .map(m -> Arguments.of(m.get("model_id").asText(), m.get("param_count").asLong()));
    }

    /** Every published total in the reference set, within 0.1% (SPEC section 3). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceTotals")
    void referenceTotal_within0point1Percent(String modelId, long published) {
        ModelSpec s = ReferenceModels.spec(modelId);
        // DeepSeek-V3's published total counts what its checkpoint stores (MTP layer, FP32 scales);
        // every other total is the parameter count of the served model.
        long computed = modelId.equals("deepseek-ai/DeepSeek-V3") ? s.checkpointElements() : s.paramCount();
        double error = Math.abs(computed - published) / (double) published;
        assertTrue(error <= 0.001, modelId + ": computed " + computed + ", published " + published);
    }

    /** The exact explanations of the totals, quirk by quirk (reference/README.md). */
    @Test
    void llama2_publishedTotalIncludesFp32RotaryInvFreqBuffers() {
        // Llama-2 checkpoints store one inv_freq buffer of head_dim/2 values per layer (reference note:
        // 6,738,417,664 = 6,738,415,616 parameters + 2,048 buffer values).
        for (String id : new String[] {"meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-70b-hf"}) {
            ModelSpec s = ReferenceModels.spec(id);
            long invFreq = (long) s.numLayers() * s.headDim() / 2;
            assertEquals(ReferenceModels.get(id).get("param_count").asLong(), s.paramCount() + invFreq, id);
        }
        // And the bytes: 6,738,415,616 x 2 B + 2,048 x 4 B = 13,476,839,424 = total_size (reference).
        ModelSpec s = ReferenceModels.spec("meta-llama/Llama-2-7b-hf");
        assertEquals(13_476_839_424L, s.weightBytes() + 2048L * 4);
    }

    @Test
    void deepSeekV3_checkpointTotalIsServedModelPlusMtpPlusFp32Values() {
        ModelSpec s = ReferenceModels.spec("deepseek-ai/DeepSeek-V3");
        // Reference: 684,531,386,000 including the MTP layer and 41,555,600 F32 values.
        assertEquals(684_531_386_000L, s.checkpointElements());
        long scaleElements = s.checkpointElements() - s.paramCount() - s.mtpParamCount();
        long scoreBiases = 59L * 256; // e_score_correction_bias, F32 in the checkpoint: 58 MoE layers + the MTP layer
        assertEquals(41_555_600L, scaleElements + scoreBiases);
        // DeepSeek-V3 report: 671B total parameters (MTP excluded), 37B activated per token.
        assertEquals(671_026_419_200L, s.paramCount());
        assertEquals(37.5e9, s.activeParamCount(), 0.1e9);
    }

    @Test
    void gptOss_publishedTotalsAreLogicalParameterCounts() {
        // The reference README expects packed-MXFP4 storage units, but the totals equal the logical
        // counts of the gpt-oss model card (116.83B / 20.91B total); the packed checkpoint holds far
        // fewer elements. Model card active counts (5.13B / 3.61B) exclude the input embedding.
        ModelSpec big = ReferenceModels.spec("openai/gpt-oss-120b");
        assertEquals(116_829_156_672L, big.paramCount());
        assertTrue(big.checkpointElements() < big.paramCount() * 6 / 10);
        long embedding = big.paramBreakdown().get(Component.EMBEDDING);
        assertEquals(5.13e9, big.activeParamCount() - embedding, 0.01e9);
        ModelSpec small = ReferenceModels.spec("openai/gpt-oss-20b");
        assertEquals(20_914_757_184L, small.paramCount());
        assertEquals(3.61e9, small.activeParamCount() - small.paramBreakdown().get(Component.EMBEDDING), 0.01e9);
    }

    @Test
    void falcon40b_binIndexCountsTiedHeadTwice() {
        // Reference: falcon-40b's pytorch_model.bin.index.json total_size is 83,671,941,120 bytes (bf16).
        // The tied LM head is listed under its own name there, so the index sums it twice.
        ModelSpec s = ReferenceModels.spec("tiiuae/falcon-40b");
        assertTrue(s.tieWordEmbeddings());
        assertEquals(83_671_941_120L, 2 * (s.paramCount() + (long) s.vocabSize() * s.hiddenSize()));
    }

    @Test
    void checkpointBytes_matchPublishedTotalSizes() {
        // safetensors_total_bytes of the reference set (model.safetensors.index.json metadata.total_size).
        for (String id : new String[] {"Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-72B", "Qwen/Qwen3-8B", "Qwen/Qwen3-30B-A3B"}) {
            JsonNode ref = ReferenceModels.get(id);
            assertEquals(ref.get("safetensors_total_bytes").asLong(), ReferenceModels.spec(id).weightBytes(), id);
        }
    }

    @Test
    void moeActiveCounts_matchModelCards() {
        // Mixtral model card: 12.9B active of 46.7B; Qwen3-30B-A3B card: 3.3B activated.
        assertEquals(12.9e9, ReferenceModels.spec("mistralai/Mixtral-8x7B-v0.1").activeParamCount(), 0.05e9);
        assertEquals(3.3e9, ReferenceModels.spec("Qwen/Qwen3-30B-A3B").activeParamCount(), 0.1e9);
    }

    /** Models outside the reference set: the estimator must be right from the architecture alone. */
    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/reference/published-counts.csv", numLinesToSkip = 1)
    void catalogModel_matchesPublishedTotal(String modelId, long published, Long checkpointBytes, String source) {
        Catalog.Entry e = Catalog.embedded().find(modelId).orElseThrow();
        ModelSpec s = ConfigParser.parse(modelId, e.config(), "catalog " + modelId);
        assertEquals(published, s.paramCount(), source);
        if (checkpointBytes != null) {
            assertEquals(checkpointBytes, s.weightBytes(), source);
        }
    }

    @Test
    void breakdown_sumsToTotal_forEveryCatalogModel() {
        for (Catalog.Entry e : Catalog.embedded().entries()) {
            ModelSpec s = e.spec();
            long sum = s.paramBreakdown().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(s.paramCount(), sum, e.id());
            assertTrue(s.activeParamCount() <= s.paramCount(), e.id());
        }
    }
}

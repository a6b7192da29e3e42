package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EAGLE-3 draft heads: read from both published config formats, loaded and cached as vLLM does. */
class Eagle3DraftTest {
    static final String SPECFORGE = "configs-extra/eagle3--llama3-8B-eagle3";
    static final String SPECULATORS = "configs-extra/RedHatAI--gemma-4-31B-it-speculator.eagle3";

    static JsonNode config(String folder) {
        try (InputStream in = Eagle3DraftTest.class.getResourceAsStream("/" + folder + "/config.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Eagle3Draft llamaHead() {
        return Eagle3Draft.parse("yuhuili/EAGLE3-LLaMA3.1-Instruct-8B", config(SPECFORGE), SPECFORGE);
    }

    @Test
    void theHuggingFaceFormatCountsEveryLoadedTensor() {
        Eagle3Draft d = llamaHead();
        assertEquals(4096, d.hidden());
        assertEquals(128, d.headDim());
        assertEquals(31_960, d.draftVocab());
        // fc 3 x 4096 x 4096; q from 2 x 4096 to 32 x 128; k and v from 2 x 4096 to 8 x 128; o; gate, up and down of
        // 14,336; four norms of 4,096; the LM head 31,960 x 4,096; the d2t map of 31,960.
        long expected = 3L * 4096 * 4096 + 8192L * 4096 + 2 * 8192L * 1024 + 4096L * 4096 + 3L * 4096 * 14336 + 4 * 4096
                + 31_960L * 4096 + 31_960;
        assertEquals(expected, d.paramCount());
        assertEquals(424_557_784L, d.paramCount());
        // yuhuili/EAGLE3-LLaMA3.1-Instruct-8B's pytorch_model.bin is 850 MB of fp16 (its listing), with a 32,000-token
        // draft vocabulary: the tensors above at 32,000 come to 849.4 MB, so its file holds no embedding.
        ObjectNode yuhuili = ((ObjectNode) config(SPECFORGE).deepCopy()).put("draft_vocab_size", 32_000);
        Eagle3Draft y = Eagle3Draft.parse("yuhuili/EAGLE3-LLaMA3.1-Instruct-8B", yuhuili, "yuhuili");
        assertEquals(850e6, 2.0 * (y.paramCount() - 32_000), 1e6);
    }

    @Test
    void theSpeculatorsFormatReadsTheLayerConfig() {
        Eagle3Draft d = Eagle3Draft.parse("RedHatAI/gemma-4-31B-it-speculator.eagle3", config(SPECULATORS), SPECULATORS);
        assertEquals(5376, d.hidden());
        assertEquals(5376, d.targetHidden()); // target_hidden_size null: the draft's own
        assertEquals(32, d.heads());
        assertEquals(16, d.kvHeads());
        assertEquals(256, d.headDim());
        assertEquals(21_504, d.intermediate());
        assertEquals(32_000, d.draftVocab());
    }

    @Test
    void headsThatAreNotEagle3OfLlamaLayersAreRefusedByField() {
        ObjectNode qwen = ((ObjectNode) config(SPECFORGE).deepCopy()).put("model_type", "qwen2");
        assertEquals("model_type", assertThrows(InvalidConfigurationException.class,
                () -> Eagle3Draft.parse("x", qwen, "x")).field());
        ObjectNode medusa = ((ObjectNode) config(SPECULATORS).deepCopy()).put("speculators_model_type", "medusa");
        assertEquals("speculators_model_type", assertThrows(InvalidConfigurationException.class,
                () -> Eagle3Draft.parse("x", medusa, "x")).field());
        ObjectNode noLayer = ((ObjectNode) config(SPECULATORS).deepCopy());
        noLayer.remove("transformer_layer_config");
        assertEquals("transformer_layer_config", assertThrows(InvalidConfigurationException.class,
                () -> Eagle3Draft.parse("x", noLayer, "x")).field());
        ObjectNode wide = ((ObjectNode) config(SPECFORGE).deepCopy()).put("draft_vocab_size", 200_000);
        assertEquals("draft_vocab_size", assertThrows(InvalidConfigurationException.class,
                () -> Eagle3Draft.parse("x", wide, "x")).field());
    }

    @Test
    void theHeadsWeightsAndItsLayerOfKvCacheAreOnTheGpu() {
        ModelSpec llama = KvCacheFormulaTest.catalog("meta-llama/Llama-3.1-8B-Instruct");
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        MemoryModel m = new MemoryModel(llama, h100);
        EngineSettings base = EngineSettings.defaults().withMaxModelLen(8192).withKvCacheMemoryBytes(4L << 30);
        Eagle3Draft head = llamaHead();
        EngineSettings eagle = base.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 3,
                List.of(0.73, 0.52, 0.35), head.modelId()).withDraft(head));
        Layout tp1 = new Layout(1, 1, 1, false);
        MemoryEstimate off = m.evaluate(tp1, base, h100.memoryBytes());
        MemoryEstimate on = m.evaluate(tp1, eagle, h100.memoryBytes());
        // In the model's bf16, the d2t map in int64.
        assertEquals(2 * (head.paramCount() - 31_960) + 8 * 31_960, on.weightsBytes() - off.weightsBytes(), 1);
        // 32 layers of 8 x 128 keys and values, and the head's one more of the same shape.
        assertEquals(32L * 2 * 8 * 128 * 2, off.kvBytesPerToken());
        assertEquals(33L * 2 * 8 * 128 * 2, on.kvBytesPerToken());
        // A head trained for another model's hidden states is refused.
        Eagle3Draft gemma = Eagle3Draft.parse("RedHatAI/gemma-4-31B-it-speculator.eagle3", config(SPECULATORS), SPECULATORS);
        EngineSettings wrong = base.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 1,
                List.of(0.7), gemma.modelId()).withDraft(gemma));
        assertEquals("speculative_draft_model", assertThrows(InvalidConfigurationException.class,
                () -> m.evaluate(tp1, wrong, h100.memoryBytes())).field());
    }

    @Test
    void publishedHeadsCarryVllmsMeasuredRates() {
        ModelSpec llama = KvCacheFormulaTest.catalog("meta-llama/Llama-3.1-8B-Instruct");
        Eagle3Draft head = llamaHead();
        SpeculativeDecoding redHat = SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 3, null,
                "RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3").withDraft(head).resolvedFor(llama);
        // vLLM's MT-Bench baseline for this head: acceptance length 2.60.
        assertEquals(2.60, redHat.meanTokensPerStep(), 0.005);
        var unknown = assertThrows(InvalidConfigurationException.class, () -> SpeculativeDecoding.of(
                SpeculativeDecoding.Method.EAGLE3, 3, null, "someone/else-eagle3").withDraft(head).resolvedFor(llama));
        assertEquals("speculative_acceptance", unknown.field());
        assertTrue(unknown.getMessage().contains("someone/else-eagle3"), unknown.getMessage());
        assertEquals("speculative_draft_model", assertThrows(InvalidConfigurationException.class,
                () -> SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 3, null, null)).field());
        assertEquals("speculative_draft_model", assertThrows(InvalidConfigurationException.class,
                () -> SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 3, List.of(0.5), "x/y")).field());
    }
}

package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding in the speed model: a step verifies k draft tokens per sequence (and runs an MTP drafter k
 * times) and yields the mean acceptance length of tokens, so time per output token is the step over that length.
 */
class SpeculativeSpeedTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");
    private static final Gpu H200 = GpuCatalog.require("H200", "gpu");

    private static ModelSpec catalog(String id) {
        return ConfigParser.parse(id, Catalog.embedded().find(id).orElseThrow().config(), "catalog " + id);
    }

    private static PerfEstimate estimate(ModelSpec spec, Gpu gpu, int tp, Workload w, SpeculativeDecoding sd) {
        EngineSettings s = EngineSettings.defaults().withSpeculative(sd);
        return new PerfModel(new MemoryModel(spec, gpu)).estimate(new Layout(tp, 1, 1, false), 8, gpu.memoryBytes(), s, w,
                ServingEngine.VLLM).orElseThrow();
    }

    @Test
    void acceptedDraftsDivideAMemoryBoundStep() {
        // One sequence of Llama-3.1-8B on an H100 is memory-bound: verifying a second token costs a little more than the
        // first (the measured GEMMs at m = 2 against m = 1), and when every draft is accepted a step yields two tokens.
        ModelSpec llama = catalog("meta-llama/Llama-3.1-8B-Instruct");
        Workload w = new Workload(1024, 512, 1);
        double plain = estimate(llama, H100, 1, w, SpeculativeDecoding.NONE).tpotMs();
        double always = estimate(llama, H100, 1, w, SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 1, List.of(1.0)))
                .tpotMs();
        assertTrue(always > plain / 2 && always < plain / 2 * 1.1, plain + " -> " + always);
        // Drafts that are never accepted make every step dearer for nothing.
        double never = estimate(llama, H100, 1, w, SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 3, List.of(0.0)))
                .tpotMs();
        assertTrue(never > plain, plain + " -> " + never);
    }

    @Test
    void mtpGainsLessThanItsAcceptanceLengthAndLessWhenComputeBound() {
        // DeepSeek-V3 on 8 x H200 with its MTP module at the report's 85%: 1.85 tokens per step, less the drafter's pass
        // and the verification's second token per sequence. The report's own figure is 1.8x tokens per second.
        ModelSpec v3 = catalog("deepseek-ai/DeepSeek-V3");
        SpeculativeDecoding mtp = SpeculativeDecoding.of(SpeculativeDecoding.Method.MTP, 1, null);
        Workload one = new Workload(1024, 1024, 1);
        double speedUp = estimate(v3, H200, 8, one, SpeculativeDecoding.NONE).tpotMs() / estimate(v3, H200, 8, one, mtp).tpotMs();
        assertTrue(speedUp > 1.3 && speedUp < 1.85, "speed-up at one sequence " + speedUp);
        // A batch big enough to be compute-bound on a dense model gains less than a memory-bound one.
        ModelSpec llama = catalog("meta-llama/Llama-3.1-8B-Instruct");
        SpeculativeDecoding ngram = SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 3, List.of(0.7));
        double small = estimate(llama, H100, 1, new Workload(1024, 512, 1), SpeculativeDecoding.NONE).tpotMs()
                / estimate(llama, H100, 1, new Workload(1024, 512, 1), ngram).tpotMs();
        double large = estimate(llama, H100, 1, new Workload(1024, 512, 256), SpeculativeDecoding.NONE).tpotMs()
                / estimate(llama, H100, 1, new Workload(1024, 512, 256), ngram).tpotMs();
        assertTrue(large < small, "speed-up " + small + " at 1 sequence, " + large + " at 256");
    }

    @Test
    void theSimulatorsStepIsTheEstimatesStep() {
        // One path: a scheduler simulation advances by the same per-token step the steady-state estimate averages. The
        // estimate's decode batch carries a whole 1,024-token prompt (within the 8,192-token budget, less the batch's
        // tokens) on its share of the steps, prompts arriving at d x 1,024 / 1,024 tokens per output token; each step
        // yields 1.85 tokens (DeepSeek-V3's MTP acceptance 0.85).
        ModelSpec v3 = catalog("deepseek-ai/DeepSeek-V3");
        EngineSettings s = EngineSettings.defaults().withMaxModelLen(2048)
                .withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.MTP, 1, null));
        MemoryModel memory = new MemoryModel(v3, H200);
        PerfModel perf = new PerfModel(memory);
        Layout tp8 = new Layout(8, 1, 1, false);
        MemoryEstimate e = memory.evaluate(tp8, s.withMaxNumSeqs(32), H200.memoryBytes());
        Workload w = new Workload(1024, 1024, 32);
        PerfEstimate est = perf.estimate(tp8, 8, e, w, ServingEngine.VLLM);
        double d = est.decodingSequences();
        assertTrue(d > 30 && d < 32, "most of the 32 decode at once: " + d);
        PerfModel.Steps steps = perf.steps(tp8, 8, e, ServingEngine.VLLM, ServingEngine::calibration);
        double chunk = Math.min(1024, e.maxNumBatchedTokens() - 2 * d);
        double share = d * 1.85 / chunk;
        double ctx = 1024 + 512;
        double mixed = (1 - share) * steps.seconds(d, ctx, 0) + share * steps.seconds(d, ctx, chunk / 1.85);
        assertEquals(est.tpotMs(), mixed * 1e3, 1e-9);
        // The simulator's own steps are these, at whole sequence and token counts.
        assertEquals(steps.seconds(32, ctx, 32), perf.stepTimer(tp8, 8, e, ServingEngine.VLLM).stepSeconds(32, ctx, 32), 1e-12);
    }

    @Test
    void anEagle3HeadCostsItsOwnSmallPasses() throws Exception {
        // Llama-3.1-8B with SpecForge's EAGLE-3 head at vLLM's measured rates for RedHat's head (acceptance length 2.60):
        // one sequence gains less than 2.6x, the head's three passes and the 4-token verification costing something.
        ModelSpec llama = catalog("meta-llama/Llama-3.1-8B-Instruct");
        com.fasterxml.jackson.databind.JsonNode config;
        try (var in = getClass().getResourceAsStream("/configs-extra/eagle3--llama3-8B-eagle3/config.json")) {
            config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        dev.autoparallel.model.Eagle3Draft head = dev.autoparallel.model.Eagle3Draft.parse("RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3",
                config, "specforge");
        SpeculativeDecoding eagle = SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 3, null, head.modelId())
                .withDraft(head);
        Workload w = new Workload(1024, 512, 1);
        double plain = estimate(llama, H100, 1, w, SpeculativeDecoding.NONE).tpotMs();
        double drafted = estimate(llama, H100, 1, w, eagle).tpotMs();
        double speedUp = plain / drafted;
        assertTrue(speedUp > 1.5 && speedUp < 2.6, plain + " -> " + drafted + " ms");
    }
}

package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expert parallelism over data-parallel ranks. In vLLM (--all2all-backend allgather_reducescatter, its default) and
 * SGLang (without DeepEP) every MoE layer all-gathers the group's hidden states and reduce-scatters its outputs, timed
 * by NCCL's measured collectives within a node and on the network's roofline across nodes. An all-to-all (DeepEP;
 * TensorRT-LLM's multi-node NVLink MoE all-to-all) sends each token only to the ranks and NVLink domains that hold its
 * experts.
 */
class ExpertDispatchTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");
    private static final ModelSpec QWEN3_30B = ConfigParser.parse("Qwen/Qwen3-30B-A3B",
            Catalog.embedded().find("Qwen/Qwen3-30B-A3B").orElseThrow().config(), "catalog");

    /** 1 - C(E - E/g, k) / C(E, k), worked by hand for DeepSeek-V3's 256 experts, top 8. */
    @Test
    void reachShare_isTheChanceAGroupHoldsOneOfATokensExperts() {
        // Sixteen ranks of 16 experts: 1 - (240 x 239 x ... x 233) / (256 x 255 x ... x 249) = 0.40770.
        double missed = 1;
        for (int i = 0; i < 8; i++) {
            missed *= (240.0 - i) / (256 - i);
        }
        assertEquals(1 - missed, ExpertDispatch.reachShare(256, 8, 16), 1e-15);
        assertEquals(0.40770, ExpertDispatch.reachShare(256, 8, 16), 1e-5);
        // Two nodes of 128 experts: 1 - (128 x ... x 121) / (256 x ... x 249) = 0.99651.
        assertEquals(0.99651, ExpertDispatch.reachShare(256, 8, 2), 1e-5);
        assertEquals(1.0, ExpertDispatch.reachShare(256, 8, 1), 0);
        // One expert a rank: the token's 8 of 256.
        assertEquals(8 / 256.0, ExpertDispatch.reachShare(256, 8, 256), 1e-15);
        assertEquals(0.0, ExpertDispatch.reachShare(256, 0, 16), 0);
        assertThrows(IllegalArgumentException.class, () -> ExpertDispatch.reachShare(256, 9, 0));
        assertThrows(IllegalArgumentException.class, () -> ExpertDispatch.reachShare(8, 9, 2));
    }

    /**
     * DP 16 with EP over two H100 nodes, 16 sequences per rank decoding: the all-gather moves every rank's tokens to every
     * rank across the network, the all-to-all only this rank's, to the ranks and the node that hold their experts.
     */
    @Test
    void allToAll_sendsEachTokenOnlyWhereItsExpertsAre() {
        Qwen3Dep q = Qwen3Dep.on(H100, 16, 16);
        assertTrue(q.view().fits());
        double gathered = q.decodeStep(null, 8, ServingEngine.VLLM, 16);
        double allToAll = q.decodeStep(ExpertDispatch.ALL_TO_ALL, 8, ServingEngine.VLLM, 16);
        // Qwen3-30B-A3B: 48 MoE layers, hidden 2,048 (4,096 bytes in 16 bits), 128 experts, top 8.
        double hidden = 2048 * 2;
        double gather = 16 * 16 * hidden;
        double gatherS = 48 * 2 * (12e-6 + 15 * 10e-6 + gather * 15 / 16 / (H100.interNodeBytesPerSecond() * 0.7));
        // Each token out and back (2 x 4,096 bytes) to 7 x 0.41228 of its node's other ranks over NVLink and to the
        // other node (0.99690) over the network at once; a call's 12 us and a network hop of 10 us each way.
        double nvlink = 7 * ExpertDispatch.reachShare(128, 8, 16) * 2 * hidden / (H100.intraNodeBytesPerSecond() * 0.7);
        double network = ExpertDispatch.reachShare(128, 8, 2) * 2 * hidden / (H100.interNodeBytesPerSecond() * 0.7);
        assertTrue(network > nvlink, "the network is the slower link");
        double allToAllS = 48 * (2 * (12e-6 + 10e-6) + 16 * network);
        assertEquals(gatherS - allToAllS, gathered - allToAll, 1e-9);
        // About 18 ms of all-gathers a step (15 network hops a call) against 2.3 ms of all-to-alls.
        assertEquals(18.2e-3, gatherS, 0.2e-3);
        assertEquals(2.3e-3, allToAllS, 0.2e-3);
    }

    /**
     * TensorRT-LLM turns its multi-node NVLink all-to-all on under attention DP where the GPUs share an NVLink domain
     * beyond the node and the EP group outnumbers a token's experts; else it all-gathers. vLLM and SGLang all-gather by
     * default.
     */
    @Test
    void engineDefaults_allToAllOnlyForTensorRtLlmInAnNvlinkRack() {
        assertEquals(ExpertDispatch.ALL_TO_ALL, ServingEngine.TRTLLM.expertDispatch(16, 8, true));
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.TRTLLM.expertDispatch(8, 8, true), "EP no larger than top-k");
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.TRTLLM.expertDispatch(16, 8, false), "NVLink ends at the node");
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.VLLM.expertDispatch(16, 8, true));
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.SGLANG.expertDispatch(16, 8, true));

        // DP 16 on a GB200 NVL72 rack (4 GPUs a tray, 72 on NVLink): TensorRT-LLM's step is its all-to-all's.
        Gpu gb200 = GpuCatalog.require("GB200", "gpu");
        Qwen3Dep q = Qwen3Dep.on(gb200, 16, 64);
        double byDefault = q.decodeStep(null, 4, ServingEngine.TRTLLM, 64);
        double allToAll = q.decodeStep(ExpertDispatch.ALL_TO_ALL, 4, ServingEngine.TRTLLM, 64);
        double gathered = q.decodeStep(ExpertDispatch.ALL_GATHER, 4, ServingEngine.TRTLLM, 64);
        assertEquals(allToAll, byDefault, 1e-15);
        assertTrue(gathered > allToAll, gathered + " s all-gathered against " + allToAll + " s");
    }

    /**
     * A prefill pool under attention DP steps its ranks together, and a step's MoE layers and their all-gather carry
     * the prompts of the ranks that have one. DP 4 with EP on one H100 node, a 1,024-token prompt: with all four ranks
     * prefilling the measured MoE layer runs 4,096 tokens and NCCL gathers and scatters 4 x 1,024 hidden states; with one,
     * 1,024 of each.
     */
    @Test
    void prefillSteps_carryTheLoadedRanksTokens() {
        Qwen3Dep q = Qwen3Dep.on(H100, 4, 16);
        PerfModel.Steps steps = q.perf().steps(q.layout(), 8, q.view(), ServingEngine.VLLM, ServingEngine::calibration);
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, steps.source());
        double all = steps.prefillSeconds(1024, 1024, 4);
        assertEquals(steps.seconds(0, 1024, 1024), all, 1e-15, "every rank loaded: the step as the engine counts it");
        double one = steps.prefillSeconds(1024, 1024, 1);
        KernelTables.Kernels k = KernelTables.builtIn().of(H100, ServingEngine.VLLM).orElseThrow();
        KernelTables.MoeCurve moe = k.moe(new KernelTables.MoeShape("bfloat16", 2048, 768, 8, 128, 1, 4)).orElseThrow();
        KernelTables.Curve gather = k.collective("all_gather", 4).orElseThrow();
        KernelTables.Curve scatter = k.collective("reduce_scatter", 4).orElseThrow();
        double hidden = 2048 * 2;
        double expected = 48 * (moe.seconds(4 * 1024) - moe.seconds(1024))
                + 48 * (gather.seconds(4 * 1024 * hidden) + scatter.seconds(4 * 1024 * hidden)
                - gather.seconds(1024 * hidden) - scatter.seconds(1024 * hidden));
        assertEquals(expected, all - one, 1e-9);
        assertTrue(one < all && steps.prefillSeconds(1024, 1024, 0.2) == one, "at least one rank carries the prompt");
    }

    /** Qwen3-30B-A3B at DP {@code dp} x TP 1 with expert parallelism on {@code gpu}: its models, layout and engine view. */
    private record Qwen3Dep(MemoryModel memory, PerfModel perf, Layout layout, MemoryEstimate view) {
        static Qwen3Dep on(Gpu gpu, int dp, int sequences) {
            MemoryModel memory = new MemoryModel(QWEN3_30B, gpu);
            Layout l = new Layout(1, 1, dp, true);
            return new Qwen3Dep(memory, new PerfModel(memory), l, engineView(memory, l, sequences));
        }

        /** A decode step of {@code sequences} per rank, with {@code engine}'s dispatch forced where not null. */
        double decodeStep(ExpertDispatch forced, int gpusPerNode, ServingEngine engine, int sequences) {
            PerfModel p = forced == null ? perf : perf.withExpertDispatch(engine, forced);
            return ExpertDispatchTest.decodeStep(p, layout, gpusPerNode, view, engine, sequences);
        }
    }

    /** The engine view of {@code l} at 4,096 tokens and {@code sequences} per rank, on the model's GPU. */
    private static MemoryEstimate engineView(MemoryModel memory, Layout l, int sequences) {
        return memory.evaluate(l, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(sequences),
                memory.gpu().memoryBytes());
    }

    /** Seconds of a step of {@code sequences} per rank decoding at 1,024 tokens of context. */
    private static double decodeStep(PerfModel perf, Layout l, int gpusPerNode, MemoryEstimate e, ServingEngine engine,
                                     int sequences) {
        return perf.stepTimer(l, gpusPerNode, e, engine).stepSeconds(sequences, 1024, 0);
    }

    @Test
    void eachMoeLayerGathersAndScattersTheGroupsTokens() {
        // Qwen3-30B-A3B: 48 MoE layers, hidden 2,048. DP 4 x TP 1 with EP on H100s, 16 sequences per rank decoding.
        Qwen3Dep q = Qwen3Dep.on(H100, 4, 16);
        double within = q.decodeStep(null, 8, ServingEngine.VLLM, 16);
        double across = q.decodeStep(null, 2, ServingEngine.VLLM, 16);
        // The gathered tensor: 16 tokens x 4 ranks x 2,048 x 2 bytes = 262,144 bytes.
        double bytes = 16 * 4 * 2048 * 2;
        KernelTables.Kernels k = KernelTables.builtIn().of(H100, ServingEngine.VLLM).orElseThrow();
        double measured = 48 * (k.collective("all_gather", 4).orElseThrow().seconds(bytes)
                + k.collective("reduce_scatter", 4).orElseThrow().seconds(bytes));
        // NCCL on 4 H100s: about 10 us for each at this size (op-perf nccl_perf), so about 1 ms a step.
        assertEquals(48 * 2 * 10e-6, measured, 48 * 2 * 4e-6);
        // Two nodes of two: a call's 12 us, three network hops of 10 us, and 3/4 of the tensor over 70% of 50 GB/s.
        double network = 48 * 2 * (12e-6 + 3 * 10e-6 + bytes * 3 / 4 / (H100.interNodeBytesPerSecond() * 0.7));
        assertEquals(network - measured, across - within, 1e-9);
        // TensorRT-LLM's CUTLASS MoE and SGLang gather and scatter the same way (NCCL's measured collectives, shared by
        // the engines); TP with EP inside one replica needs none.
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.TRTLLM.expertDispatch(4, 8, false));
        assertEquals(ExpertDispatch.ALL_GATHER, ServingEngine.SGLANG.expertDispatch(4, 8, false));
        for (ServingEngine engine : List.of(ServingEngine.TRTLLM, ServingEngine.SGLANG)) {
            assertEquals(network - measured, q.decodeStep(null, 2, engine, 16) - q.decodeStep(null, 8, engine, 16), 1e-9,
                    engine.toString());
        }
        Layout tpEp = new Layout(4, 1, 1, true);
        MemoryEstimate t = engineView(q.memory(), tpEp, 16);
        assertEquals(decodeStep(q.perf(), tpEp, 8, t, ServingEngine.VLLM, 16),
                decodeStep(q.perf(), tpEp, 4, t, ServingEngine.VLLM, 16), 1e-12);
    }
}

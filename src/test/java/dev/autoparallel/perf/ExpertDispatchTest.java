package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;

/**
 * Expert parallelism over data-parallel ranks in vLLM (--all2all-backend allgather_reducescatter, its default): every MoE
 * layer all-gathers the group's hidden states and reduce-scatters its outputs, timed by NCCL's measured collectives
 * within a node and on the network's roofline across nodes.
 */
class ExpertDispatchTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");

    @Test
    void eachMoeLayerGathersAndScattersTheGroupsTokens() {
        // Qwen3-30B-A3B: 48 MoE layers, hidden 2,048. DP 4 x TP 1 with EP on H100s, 16 sequences per rank decoding.
        ModelSpec spec = ConfigParser.parse("Qwen/Qwen3-30B-A3B", Catalog.embedded().find("Qwen/Qwen3-30B-A3B").orElseThrow()
                .config(), "catalog");
        MemoryModel memory = new MemoryModel(spec, H100);
        PerfModel perf = new PerfModel(memory);
        Layout dpEp = new Layout(1, 1, 4, true);
        MemoryEstimate e = memory.evaluate(dpEp, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(16),
                H100.memoryBytes());
        double within = perf.stepTimer(dpEp, 8, e, ServingEngine.VLLM).stepSeconds(16, 1024, 0);
        double across = perf.stepTimer(dpEp, 2, e, ServingEngine.VLLM).stepSeconds(16, 1024, 0);
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
        // TensorRT-LLM's CUTLASS MoE gathers and scatters the same way (NCCL's measured collectives, shared by the
        // engines); SGLang's dispatch is not modelled; TP with EP inside one replica needs none.
        assertTrue(ServingEngine.TRTLLM.gathersExpertInputs() && !ServingEngine.SGLANG.gathersExpertInputs());
        double trtllmWithin = perf.stepTimer(dpEp, 8, e, ServingEngine.TRTLLM).stepSeconds(16, 1024, 0);
        double trtllmAcross = perf.stepTimer(dpEp, 2, e, ServingEngine.TRTLLM).stepSeconds(16, 1024, 0);
        assertEquals(network - measured, trtllmAcross - trtllmWithin, 1e-9);
        Layout tpEp = new Layout(4, 1, 1, true);
        MemoryEstimate t = memory.evaluate(tpEp, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(16),
                H100.memoryBytes());
        assertEquals(perf.stepTimer(tpEp, 8, t, ServingEngine.VLLM).stepSeconds(16, 1024, 0),
                perf.stepTimer(tpEp, 4, t, ServingEngine.VLLM).stepSeconds(16, 1024, 0), 1e-12);
    }
}

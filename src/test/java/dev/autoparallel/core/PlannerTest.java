package dev.autoparallel.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import org.junit.jupiter.api.Test;

/** The one planning entry point: one price table ranks and prices, and every figure is in base units. */
class PlannerTest {
    private static final ModelSpec LLAMA_70B = AutoParallel.model("meta-llama/Llama-3.1-70B-Instruct");

    @Test
    void rankedAndReportedWithTheSamePrice() {
        // A contract price of $1.00 per GPU-hour, far below the table's: ranking by cost per token must use it, and so
        // must every figure reported with the layouts.
        PriceTable contract = PriceTable.ownPrice(GpuCatalog.require("H100", "gpu").name(), 1.0, "contract", "contract price");
        LayoutPlan plan = Planner.shared().rank(new LayoutRequest(LLAMA_70B, Cluster.of("H100", 8, 1), 8192, 32, 5,
                Objective.MINIMIZE_COST_PER_TOKEN, EngineSettings.defaults(), contract, 730));
        assertFalse(plan.layouts().isEmpty());
        double previous = 0;
        for (RankedLayout r : plan.layouts()) {
            int gpus = r.candidate().layout().totalGpus();
            assertEquals(1.0, r.rental().usdPerGpuHour(), 1e-12);
            assertEquals(gpus * 730.0, r.rental().monthlyUsd(), 1e-9);
            assertEquals("contract price", r.rental().source());
            double expected = gpus / (r.candidate().perf().tokensPerSecond() * 3600) * 1e6;
            assertEquals(expected, r.usdPerMillionTokens(), 1e-9);
            assertEquals(expected, r.candidate().costPerMillionTokensUsd(), 1e-9, "the ranking's figure is the reported one");
            assertTrue(r.usdPerMillionTokens() >= previous, "ranked cheapest first");
            // Llama-3.1-70B in bf16 on H100: step times from H100's measured vLLM kernels.
            assertEquals(PerfModel.StepSource.MEASURED_KERNELS, r.speedSource());
            previous = r.usdPerMillionTokens();
        }
    }

    @Test
    void evaluateGivesBytes_andNoSpeedWithoutWorkload() {
        var h100 = GpuCatalog.require("H100", "gpu");
        Evaluation memoryOnly = Planner.shared().evaluate(new EvaluateRequest(LLAMA_70B, h100, h100.memoryBytes(), 8,
                new Layout(4, 1, 1, false), EngineSettings.defaults(), ServingEngine.VLLM, null, PriceTable.builtIn()));
        assertTrue(memoryOnly.memory().fits());
        assertNull(memoryOnly.speed());
        // Llama-3.1-70B's 70.55 B parameters in bf16 over TP 4: about 35.3 GB of weights per GPU (embeddings sharded too).
        assertEquals(35.3e9, memoryOnly.memory().weightsBytes(), 0.3e9);
        Evaluation withSpeed = Planner.shared().evaluate(new EvaluateRequest(LLAMA_70B, h100, h100.memoryBytes(), 8,
                new Layout(4, 1, 1, false), EngineSettings.defaults(), ServingEngine.VLLM, new Workload(2048, 512, 16),
                PriceTable.builtIn()));
        assertNotNull(withSpeed.speed());
        assertEquals(2048 + 512, withSpeed.settings().maxModelLen(), "max_model_len follows the workload when not given");
        assertNotNull(withSpeed.usdPerMillionTokens());
    }
}

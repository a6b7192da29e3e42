package dev.autoparallel.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.core.Planner;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.StepTimer;
import dev.autoparallel.sim.LengthDistribution;
import dev.autoparallel.sim.ServingSimulator;
import org.junit.jupiter.api.Test;

/** How many requests a plan's simulation runs, and that the short run's percentiles stand for a long one's. */
class FleetPlannerTest {
    @Test
    void requestsPerPercentile_keepAboutFiftyMeasuredBeyondIt() {
        assertEquals(600, FleetPlanner.simulatedRequests(50));
        assertEquals(600, FleetPlanner.simulatedRequests(90));  // 50 / 0.1 / 0.9 = 556, raised to the floor
        assertEquals(3000, FleetPlanner.simulatedRequests(99)); // 5,556, capped
    }

    @Test
    void p90OfSixHundredRequests_standsForTenThousand() {
        // The plan `plan` recommends for Llama-3.3-70B at 10 requests/s of 2,048 in / 512 out on H100 (README): 4 replicas
        // of TP 4, each at 2.5 requests/s.
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        ModelSpec spec = AutoParallel.model("meta-llama/Llama-3.3-70B-Instruct");
        Layout tp4 = new Layout(4, 1, 1, false);
        MemoryEstimate e = Planner.shared().memoryModel(spec, h100).evaluate(tp4,
                EngineSettings.defaults().withMaxModelLen(2048 + 512), h100.memoryBytes());
        StepTimer timer = Planner.shared().perfModel(spec, h100).stepTimer(tp4, 8, e, ServingEngine.VLLM);
        ServingSimulator.Limits limits = new ServingSimulator.Limits(e.maxNumSeqs(), e.maxNumBatchedTokens(), e.kvCacheTokens(),
                e.blockSize());
        ServingSimulator.Result shortRun = ServingSimulator.run(timer, limits, new ServingSimulator.Open(2.5, 1),
                LengthDistribution.fixed(2048), LengthDistribution.fixed(512), FleetPlanner.simulatedRequests(90), 20261130L);
        ServingSimulator.Result longRun = ServingSimulator.run(timer, limits, new ServingSimulator.Open(2.5, 1),
                LengthDistribution.fixed(2048), LengthDistribution.fixed(512), 10_000, 20261130L);
        String why = "600: " + shortRun + "\n10,000: " + longRun;
        assertEquals(longRun.ttftP90Ms(), shortRun.ttftP90Ms(), 0.05 * longRun.ttftP90Ms(), why);
        assertEquals(longRun.tpotP90Ms(), shortRun.tpotP90Ms(), 0.05 * longRun.tpotP90Ms(), why);
        assertTrue(!shortRun.saturated() && !longRun.saturated(), why);
    }
}

package dev.autoparallel.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import java.util.List;
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

    /**
     * The analytic percentiles a sweep ranks its cells with, against the simulation of the same plan (3,000 requests):
     * TTFT on the safe side (above the simulated p90) and TPOT within 25% for dense models. Figures of 2026-11-30: Llama-3.3-70B
     * on H100 at 10 requests/s, 3 x TP 4, analytic 1,327 / 35.9 ms against simulated 962 / 38.7 ms (measured-kernel steps).
     */
    @Test
    void analyticPercentiles_areSafeOnTtft_andWithinAQuarterOnTpot_forDenseModels() {
        Object[][] cases = {
                {"meta-llama/Llama-3.3-70B-Instruct", "H100", 10.0},
                {"meta-llama/Llama-3.3-70B-Instruct", "B200", 40.0},
                {"meta-llama/Llama-3.1-8B-Instruct", "H100", 40.0},
                {"Qwen/Qwen3-32B", "B200", 10.0},
        };
        for (Object[] c : cases) {
            HardwareOption option = new HardwareOption((String) c[1], GpuCatalog.require((String) c[1], "gpu"), 8, null, null);
            PlanRequest r = new PlanRequest(AutoParallel.model((String) c[0]), List.of(option),
                    Traffic.poisson((double) c[2], 2048, 512), Slo.INTERACTIVE, ServingEngine.VLLM, EngineSettings.defaults(),
                    PriceTable.builtIn(), 730, PlanRequest.DEFAULT_HEADROOM, OwnedCost.DEFAULTS, false);
            FleetPlan analytic = FleetPlanner.planOption(r, option).best();
            FleetPlanner.LayoutRow row = FleetPlanner.layoutTable(r, option).rows().stream()
                    .filter(x -> x.layout().equals(analytic.layout())).findFirst().orElseThrow();
            MemoryEstimate e = row.engine();
            ServingSimulator.Result sim = ServingSimulator.run(
                    Planner.shared().perfModel(AutoParallel.model((String) c[0]), option.gpu()).stepTimer(analytic.layout(), 8, e,
                            ServingEngine.VLLM),
                    new ServingSimulator.Limits(e.maxNumSeqs(), e.maxNumBatchedTokens(), e.kvCacheTokens(), e.blockSize()),
                    new ServingSimulator.Open((double) c[2] / analytic.replicas(), 1), LengthDistribution.fixed(2048),
                    LengthDistribution.fixed(512), 3000, 1);
            String why = c[0] + " on " + c[1] + " at " + c[2] + ": analytic " + analytic.ttftMs() + " / " + analytic.tpotMs()
                    + " ms, simulated " + sim.ttftP90Ms() + " / " + sim.tpotP90Ms();
            assertTrue(analytic.ttftMs() >= sim.ttftP90Ms(), why);
            assertEquals(sim.tpotP90Ms(), analytic.tpotMs(), 0.25 * sim.tpotP90Ms(), why);
        }
    }

    /**
     * Llama-3.3-70B on H100 under vLLM, 10 requests/s, p90 TTFT 3 s and TPOT 25 ms. With 8,192-token prompts the
     * aggregated fleet needs 12 x TP 8 (96 GPUs, simulated): every replica's decode steps carry other requests' prompt
     * chunks, so few requests fit under 25 ms. Disaggregated, 12 prefill workers at TP 2 (82k prompt tokens/s) and one
     * decode worker at TP 8 serve it on 32 GPUs at p90 TTFT 1.23 s and TPOT 21.0 ms, and are recommended (2026-12-03; 1.25 s
     * before vLLM's per-prefill overhead became a delay the prompt sees rather than the worker's time). With
     * 2,048-token prompts and TPOT 50 ms the aggregated 3 x TP 4 (12 GPUs) stays: the split costs as much on more GPUs.
     * MI300X fleets are never split.
     */
    @Test
    void disaggregation_recommendedForLongPromptsUnderATightTpot_notOtherwise() {
        HardwareOption h100 = new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, null, null);
        ModelSpec spec = AutoParallel.model("meta-llama/Llama-3.3-70B-Instruct");
        PlanResult longPrompts = plan(spec, h100, Traffic.poisson(10, 8192, 256),
                new Slo(3000.0, 25.0, 90), ServingEngine.VLLM, true);
        DisaggregatedPlan d = longPrompts.recommendedDisaggregated();
        assertTrue(d != null && d.meetsSlo(), String.valueOf(d));
        assertEquals(96, longPrompts.recommended().totalGpus());
        assertEquals(List.of(12, 2, 1, 8, 32), List.of(d.prefillWorkers(), d.prefillLayout().tp(), d.decodeWorkers(),
                d.decodeLayout().tp(), d.totalGpus()));
        assertEquals(1225, d.ttftMs(), 12);
        assertEquals(21.0, d.tpotMs(), 0.2);
        assertTrue(d.monthlyCostUsd() < longPrompts.recommended().monthlyCostUsd());
        assertTrue(d.prefillCommands().get(0).contains("NixlConnector") && d.decodeCommands().get(0).contains("--port 8200")
                && d.routerCommand().startsWith("vllm-router"), d.toString());

        PlanResult readme = plan(spec, h100, Traffic.poisson(10, 2048, 512),
                new Slo(2000.0, 50.0, 90), ServingEngine.VLLM, true);
        assertEquals(12, readme.recommended().totalGpus());
        assertTrue(readme.recommendedDisaggregated() == null, String.valueOf(readme.recommendedDisaggregated()));
        assertTrue(readme.options().get(0).disaggregated().totalGpus() > 12);

        // Under TensorRT-LLM the split comes with trtllm-serve's disaggregated router.
        PlanResult trtllm = plan(spec, h100, Traffic.poisson(10, 8192, 256),
                new Slo(3000.0, 25.0, 90), ServingEngine.TRTLLM, false);
        DisaggregatedPlan split = trtllm.options().get(0).disaggregated();
        assertTrue(split != null && split.routerCommand().equals("trtllm-serve disaggregated -c disagg_config.yaml")
                && split.prefillCommands().get(0).startsWith("trtllm-serve"), String.valueOf(split));

        // AMD GPUs are not split: the engines document their KV transfer (NIXL, UCX) for NVIDIA GPUs.
        HardwareOption mi300x = new HardwareOption("MI300X", GpuCatalog.require("MI300X", "gpu"), 8, null, null);
        PlanResult amd = plan(spec, mi300x, Traffic.poisson(10, 8192, 256),
                new Slo(3000.0, 25.0, 90), ServingEngine.VLLM, false);
        assertTrue(amd.options().get(0).disaggregated() == null && amd.recommendedDisaggregated() == null);
    }

    /**
     * A split fleet whose two pools fit in one node shares it: priced as one rental of its GPUs (H100 rents as whole
     * 8-GPU instances, so each pool on nodes of its own paid for two of them, twice the aggregated fleet of as many
     * GPUs), with the KV moved over NVLink (Disaggregation.estimate's rule for measured rows), not the network.
     */
    @Test
    void disaggregation_poolsThatFitOneNodeShareIt() {
        HardwareOption h100 = new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, null, null);
        ModelSpec spec = AutoParallel.model("Qwen/Qwen3.6-35B-A3B");
        PlanResult r = plan(spec, h100, Traffic.poisson(20, 2000, 500), new Slo(1000.0, 40.0, 90), ServingEngine.VLLM, true);
        DisaggregatedPlan d = r.options().get(0).disaggregated();
        assertTrue(d != null && d.totalGpus() <= 8, String.valueOf(d));
        assertEquals(1, d.nodes());
        double oneRental = PriceTable.builtIn().cheapest("H100-SXM", d.totalGpus(), 730).orElseThrow().monthlyUsd();
        assertEquals(oneRental, d.monthlyCostUsd(), 1e-6);
        Gpu gpu = GpuCatalog.require("H100", "gpu");
        assertTrue(d.kvTransferMs() < 1.0 && gpu.intraNodeBytesPerSecond() > 5 * gpu.interNodeBytesPerSecond(),
                "NVLink, not the network: " + d.kvTransferMs() + " ms");
    }

    /** A fleet plan of {@code spec} on {@code option} at the engines' defaults and the built-in prices, 730 hours a month. */
    /**
     * Llama-3.1-8B on H100 under TensorRT-LLM, 200 requests/s of 1,000 in and 100 out, p90 TTFT 1.5 s: a context worker
     * takes the prompts waiting for it into one step (up to max_num_tokens 8,192, eight of them), so the split sizes its
     * prefill pool for batched steps. At the 5 workers it picks, one prompt a step (a 1,000-token step plus the 5 ms
     * TensorRT-LLM spends between context steps) cannot keep up with 40 prompts a second a worker; the fewest prompts a
     * step that keep a worker within the 0.8 headroom can (7 workers, $34,923 a month over two nodes, when every step took
     * one prompt; 5 fit one node with the decode pool, $17,462, 2026-12-03).
     */
    @Test
    void disaggregation_contextWorkersBatchTheirQueue() {
        HardwareOption h100 = new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, null, null);
        ModelSpec spec = AutoParallel.model("meta-llama/Llama-3.1-8B-Instruct");
        Traffic traffic = Traffic.poisson(200, 1000, 100);
        Slo slo = new Slo(1500.0, 40.0, 90);
        DisaggregatedPlan split = plan(spec, h100, traffic, slo, ServingEngine.TRTLLM, true).options().get(0).disaggregated();
        assertTrue(split != null && split.meetsSlo(), String.valueOf(split));
        assertEquals(List.of(5, 1), List.of(split.prefillWorkers(), split.prefillLayout().tp()));
        assertEquals(17_462, split.monthlyCostUsd(), 1);

        PlanRequest r = new PlanRequest(spec, List.of(h100), traffic, slo, ServingEngine.TRTLLM, EngineSettings.defaults(),
                PriceTable.builtIn(), 730, PlanRequest.DEFAULT_HEADROOM, OwnedCost.DEFAULTS, false);
        FleetPlanner.LayoutRow row = FleetPlanner.layoutTable(r, h100).rows().stream()
                .filter(x -> x.layout().equals(split.prefillLayout())).findFirst().orElseThrow();
        assertEquals(8, row.prefillBatchCap(h100.gpu().memoryBytes()));
        assertTrue(200 * row.prefillOnlySeconds(1) / 5 > 1, "one prompt a step: " + row.prefillOnlySeconds(1) + " s");
        assertTrue(row.prefillOnlySeconds(2) < 2 * row.prefillOnlySeconds(1));
        double ttft = FleetPlanner.prefillTtftSeconds(row, 5, 8, 200, 0.9, 1, PlanRequest.DEFAULT_HEADROOM);
        assertTrue(ttft < 1.5 && ttft > row.prefillOnlySeconds(2), ttft + " s");
    }

    /**
     * Llama-3.1-8B on H100 under vLLM, 200 requests/s of 4,000 in and 100 out, p90 TTFT 1.5 s and TPOT 40 ms, 90% of each
     * prompt in the prefix cache: a replica prefills 400 tokens a request, so 8 replicas meet the targets in simulation (9
     * before H100's compute-bound GEMMs took the faster of H100's and H200's measurements, KernelTables). The saturated
     * throughput that bounds a replica's rate had prefilled whole prompts, which took 27 (33 without reuse, unchanged;
     * 2026-12-03).
     */
    @Test
    void prefixReuse_countsInAReplicasCapacity() {
        HardwareOption h100 = new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, null, null);
        ModelSpec spec = AutoParallel.model("meta-llama/Llama-3.1-8B-Instruct");
        Slo slo = new Slo(1500.0, 40.0, 90);
        FleetPlan reused = plan(spec, h100, Traffic.poisson(200, 4000, 100).withPrefixHitRate(0.9), slo, ServingEngine.VLLM, true)
                .recommended();
        assertTrue(reused.simulated() && reused.meetsSlo(), String.valueOf(reused));
        assertEquals(8, reused.totalGpus());
        FleetPlan whole = plan(spec, h100, Traffic.poisson(200, 4000, 100), slo, ServingEngine.VLLM, true).recommended();
        assertEquals(33, whole.totalGpus());
    }

    private static PlanResult plan(ModelSpec spec, HardwareOption option, Traffic traffic, Slo slo, ServingEngine engine,
                                   boolean simulate) {
        return FleetPlanner.plan(new PlanRequest(spec, List.of(option), traffic, slo, engine, EngineSettings.defaults(),
                PriceTable.builtIn(), 730, PlanRequest.DEFAULT_HEADROOM, OwnedCost.DEFAULTS, simulate));
    }
}

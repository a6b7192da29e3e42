package dev.autoparallel.bench;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.plan.HardwareOption;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.plan.PlanResult;
import dev.autoparallel.plan.Slo;
import dev.autoparallel.plan.Traffic;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fleet planning on one core: Llama-3.3-70B on H100 nodes of 8 at 10 requests/s of 2,048 in /
 * 512 out within p90 TTFT 2 s and TPOT 50 ms, on at most 4 nodes. {@code analytic}: the search
 * alone (as a sweep cell runs it); {@code simulated}: the search plus the scheduler simulation
 * of the cheapest plans (as {@code plan} runs it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class PlanBenchmark {
    private PlanRequest simulated;
    private PlanRequest analytic;

    @Setup
    public void setUp() {
        simulated = new PlanRequest(AutoParallel.model("meta-llama/Llama-3.3-70B-Instruct"),
                List.of(new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, 4, null)),
                Traffic.poisson(10, 2048, 512), new Slo(2000.0, 50.0, 90), ServingEngine.VLLM, EngineSettings.defaults(),
                PriceTable.builtIn(), 730, PlanRequest.DEFAULT_HEADROOM, OwnedCost.DEFAULTS, true);
        analytic = simulated.with(simulated.traffic(), false);
    }

    @Benchmark
    public PlanResult llama70b_4x8xH100_simulated() {
        return AutoParallel.planFleet(simulated);
    }

    @Benchmark
    public PlanResult llama70b_4x8xH100_analytic() {
        return AutoParallel.planFleet(analytic);
    }
}

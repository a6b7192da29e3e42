package dev.autoparallel.bench;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.plan.FleetPlanner;
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
 * Fleet planning on one core: Llama-3.3-70B on H100 nodes of 8 at 2,048 in / 512 out within p90
 * TTFT 2 s and TPOT 50 ms, on at most 4 nodes. {@code analytic}: the search alone (as a sweep
 * cell runs it); {@code simulated}: the search plus the scheduler simulation of the chosen plan
 * (as {@code plan} runs it). Warm: the model has been planned on this hardware before (its layout
 * table is kept) and each call asks for another request rate, 5 to 20 requests/s, as a planning
 * service or a sweep over rates does. Cold: the layout table is rebuilt every call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class PlanBenchmark {
    private static final int RATES = 64;
    private final PlanRequest[] simulated = new PlanRequest[RATES];
    private final PlanRequest[] analytic = new PlanRequest[RATES];
    private int next;

    @Setup
    public void setUp() {
        PlanRequest base = new PlanRequest(AutoParallel.model("meta-llama/Llama-3.3-70B-Instruct"),
                List.of(new HardwareOption("H100", GpuCatalog.require("H100", "gpu"), 8, 4, null)),
                Traffic.poisson(10, 2048, 512), new Slo(2000.0, 50.0, 90), ServingEngine.VLLM, EngineSettings.defaults(),
                PriceTable.builtIn(), 730, PlanRequest.DEFAULT_HEADROOM, OwnedCost.DEFAULTS, true);
        for (int i = 0; i < RATES; i++) {
            Traffic t = base.traffic().withRate(5 + 15.0 * i / (RATES - 1));
            simulated[i] = base.with(t, true);
            analytic[i] = base.with(t, false);
        }
    }

    private int rate() {
        next = (next + 1) % RATES;
        return next;
    }

    @Benchmark
    public PlanResult llama70b_4x8xH100_simulated() {
        return AutoParallel.planFleet(simulated[rate()]);
    }

    @Benchmark
    public PlanResult llama70b_4x8xH100_analytic() {
        return AutoParallel.planFleet(analytic[rate()]);
    }

    @Benchmark
    public PlanResult llama70b_4x8xH100_simulated_cold() {
        FleetPlanner.clearLayoutTables();
        return AutoParallel.planFleet(simulated[rate()]);
    }
}

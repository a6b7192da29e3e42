package dev.autoparallel.bench;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.Workload;
import java.util.Optional;
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
 * Latency estimates on one core: Llama-3.1-70B at TP 4 on H100, 2,048 in / 512 out at 32 requests
 * in flight. {@code speedOnly}: TTFT, TPOT and throughput for a layout whose engine view is known
 * (what a sweep cell or a plan asks per layout and concurrency); {@code withMemory}: the engine
 * view sized for the workload first (what {@code evaluate} does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class EstimateBenchmark {
    private PerfModel perf;
    private MemoryEstimate engine;
    private final Layout tp4 = new Layout(4, 1, 1, false);
    private final Workload workload = new Workload(2048, 512, 32);
    private Gpu h100;

    @Setup
    public void setUp() {
        h100 = GpuCatalog.require("H100", "gpu");
        perf = new PerfModel(new MemoryModel(AutoParallel.model("meta-llama/Llama-3.1-70B-Instruct"), h100));
        engine = perf.memory().evaluate(tp4, EngineSettings.defaults().withMaxModelLen(2560), h100.memoryBytes());
    }

    @Benchmark
    public PerfEstimate llama70b_tp4_speedOnly() {
        return perf.estimate(tp4, 8, engine, workload, ServingEngine.VLLM);
    }

    @Benchmark
    public Optional<PerfEstimate> llama70b_tp4_withMemory() {
        return perf.estimate(tp4, 8, h100.memoryBytes(), EngineSettings.defaults(), workload, ServingEngine.VLLM);
    }
}

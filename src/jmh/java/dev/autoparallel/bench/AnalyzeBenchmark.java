package dev.autoparallel.bench;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
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
 * analyze() throughput on one core (one thread): the full search (every TP/PP/DP/EP layout of
 * the cluster), ranking and the top 5 configurations with their commands. Models are resolved
 * once, as a sweep does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AnalyzeBenchmark {
    private ModelSpec llama70b;
    private ModelSpec mixtral;
    private Cluster h100x32;
    private Cluster h100x8;
    private EngineSettings settings;

    @Setup
    public void setUp() {
        llama70b = AutoParallel.model("meta-llama/Llama-2-70b-hf");
        mixtral = AutoParallel.model("mistralai/Mixtral-8x7B-v0.1");
        h100x32 = Cluster.of("H100", 8, 4);
        h100x8 = Cluster.of("H100", 8, 1);
        settings = EngineSettings.defaults();
    }

    @Benchmark
    public List<Configuration> llama2_70b_4x8xH100() {
        return AutoParallel.analyze(llama70b, h100x32, 2048, 32, 5, Objective.MINIMIZE_GPUS, settings);
    }

    /** The full search: maximize_batch must look at every layout (197 on 32 GPUs). */
    @Benchmark
    public List<Configuration> llama2_70b_4x8xH100_maximizeBatch() {
        return AutoParallel.analyze(llama70b, h100x32, 2048, 32, 5, Objective.MAXIMIZE_BATCH, settings);
    }

    @Benchmark
    public List<Configuration> mixtral_8x7b_1x8xH100() {
        return AutoParallel.analyze(mixtral, h100x8, 2048, 32, 5, Objective.MINIMIZE_GPUS, settings);
    }
}

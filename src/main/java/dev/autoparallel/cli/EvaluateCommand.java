package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.model.ModelSpec;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "vLLM's engine view of one layout: weights, activations, overhead, KV cache per GPU.")
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--tp", defaultValue = "1")
    int tp;

    @Option(names = "--pp", defaultValue = "1")
    int pp;

    @Option(names = "--dp", defaultValue = "1")
    int dp;

    @Option(names = "--expert-parallel")
    boolean expertParallel;

    @Option(names = "--gpu", description = "GPU type (see analyze --help)")
    String gpu;

    @Option(names = {"--gpu-memory-gib", "--gpu-memory-gb"}, description = "GPU memory in GiB as the runtime reports it")
    Double gpuMemoryGib;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The JSON of {@code evaluate}: bytes per GPU on the most loaded rank. */
    record Result(String modelId, String gpu, long gpuMemoryBytes, int tp, int pp, int dp, int expertParallel,
                  String vllmVersion, String engine, double gpuMemoryUtilization, int maxModelLen, int maxNumSeqs,
                  int maxNumBatchedTokens, int blockSize, long budgetBytes, long weightsBytes, long activationBytes,
                  long overheadBytes, long nonTorchBytes, long cudaGraphBytes, long kvCacheBytes, long kvCacheTokens,
                  long kvBytesPerToken, double maxConcurrency, boolean fits, String reason, String detail) {
    }

    @Override
    public Integer call() {
        if (tp < 1 || pp < 1 || dp < 1) {
            throw new InvalidConfigurationException("tp", "--tp, --pp and --dp must be at least 1");
        }
        Gpu g;
        long memory;
        if (gpu != null) {
            g = GpuCatalog.require(gpu, gpuMemoryGib, "gpu");
            memory = gpuMemoryGib == null ? g.memoryBytes() : Math.round(gpuMemoryGib * (1L << 30));
        } else if (gpuMemoryGib != null) {
            if (!(gpuMemoryGib > 0 && gpuMemoryGib <= 4096)) {
                throw new InvalidConfigurationException("gpu_memory_gib", "--gpu-memory-gib was " + gpuMemoryGib
                        + "; allowed: more than 0 and at most 4096");
            }
            g = dev.autoparallel.layout.Cluster.fromMap(java.util.Map.of("gpu_memory_gb", gpuMemoryGib,
                    "gpus_per_node", 1, "num_nodes", 1)).gpu();
            memory = g.memoryBytes();
        } else {
            throw new InvalidConfigurationException("gpu", "give --gpu NAME or --gpu-memory-gib GIB");
        }
        ModelSpec s = AutoParallel.model(model);
        EngineSettings settings = engine.settings();
        MemoryEstimate e = new MemoryModel(s, g).evaluate(new Layout(tp, pp, dp, expertParallel), settings, memory);
        Result r = new Result(s.modelId(), g.name(), memory, tp, pp, dp, new Layout(tp, pp, dp, expertParallel).expertParallelSize(),
                settings.version().toString(), settings.engine().name().toLowerCase(Locale.ROOT), settings.gpuMemoryUtilization(),
                e.maxModelLen(), e.maxNumSeqs(), e.maxNumBatchedTokens(), e.blockSize(), e.budgetBytes(), e.weightsBytes(),
                e.activationBytes(), e.overheadBytes(), e.nonTorchBytes(), e.cudaGraphBytes(), e.kvCacheBytes(),
                e.kvCacheTokens(), e.kvBytesPerToken(), Math.round(e.maxConcurrency() * 100) / 100.0, e.fits(),
                e.fits() ? null : e.rejection().reason().name().toLowerCase(Locale.ROOT),
                e.fits() ? null : e.rejection().detail());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
            return 0;
        }
        double gib = 1L << 30;
        out.printf(Locale.ROOT, "%s on %s (%.2f GiB), TP %d PP %d DP %d, vLLM %s (%s), utilization %.2f%n", s.modelId(),
                g.name(), memory / gib, tp, pp, dp, r.vllmVersion(), r.engine(), r.gpuMemoryUtilization());
        out.printf(Locale.ROOT, "  max_model_len %d, max_num_seqs %d, max_num_batched_tokens %d, block %d%n",
                r.maxModelLen(), r.maxNumSeqs(), r.maxNumBatchedTokens(), r.blockSize());
        out.printf(Locale.ROOT, "  budget %.2f GiB = weights %.2f + activations %.2f + overhead %.2f + KV cache %.2f GiB%n",
                e.budgetBytes() / gib, e.weightsBytes() / gib, e.activationBytes() / gib, e.overheadBytes() / gib, e.kvCacheBytes() / gib);
        out.printf(Locale.ROOT, "  KV cache: %,d tokens, %.2fx concurrency at %d tokens per request%n", e.kvCacheTokens(),
                e.maxConcurrency(), e.maxModelLen());
        out.println(e.fits() ? "  fits" : "  does not fit: " + e.rejection().detail());
        return 0;
    }
}

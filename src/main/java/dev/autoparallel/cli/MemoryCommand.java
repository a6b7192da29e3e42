package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.MemoryRequirements;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "memory", mixinStandardHelpOptions = true, description = "How much GPU memory a model needs on one GPU (the seed's check_memory_requirements).")
final class MemoryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--seq", defaultValue = "2048")
    int seq;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        EngineSettings settings = engine.settings();
        MemoryRequirements r = AutoParallel.checkMemoryRequirements(AutoParallel.model(model), seq, settings);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
            return 0;
        }
        // The utilization the figures assume: the flag's, else the release's default (never the flag's null).
        out.printf(Locale.ROOT, "%s at %d tokens (GiB, one GPU, gpu_memory_utilization %.2f)%n", r.modelId(), seq,
                settings.gpuMemoryUtilization());
        out.printf(Locale.ROOT, "  model size          %8.2f  (fp8 %.2f, int4 %.2f)%n", r.modelSizeGb(), r.fp8ModelSizeGb(), r.int4ModelSizeGb());
        out.printf(Locale.ROOT, "  KV cache / sequence %8.2f%n", r.kvCacheGbPerSequence());
        out.printf(Locale.ROOT, "  minimum memory      %8.2f  (one sequence)%n", r.minimumMemoryGb());
        out.printf(Locale.ROOT, "  recommended memory  %8.2f  (32 sequences)%n", r.recommendedMemoryGb());
        return 0;
    }
}

package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.layout.Objective;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Every layout that serves the workload on the cluster, best first.")
final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "Hugging Face ID, catalog name, or path to a config.json")
    String model;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Mixin
    WorkloadOptions workload = new WorkloadOptions();

    @Option(names = "--max-configs", defaultValue = "5", description = "layouts to show (default: ${DEFAULT-VALUE})")
    int maxConfigs;

    @Option(names = "--json", description = "print JSON (snake_case keys)")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Configuration> configs = AutoParallel.analyze(AutoParallel.model(model), cluster.cluster(), workload.seq,
                workload.batch, maxConfigs, Objective.parse(workload.objective), engine.settings());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(configs));
        } else {
            printTable(out, configs);
        }
        return 0;
    }

    private static String fmt(String pattern, Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, pattern, v);
    }

    static void printTable(PrintWriter out, List<Configuration> configs) {
        out.printf(Locale.ROOT, "%-4s %3s %3s %3s %3s %5s %9s %8s %8s %8s %8s %9s %6s %9s %8s %7s %8s %8s%n", "RANK", "TP", "PP",
                "DP", "EP", "GPUS", "GIB/GPU", "WEIGHTS", "ACTIV", "KV", "OVERHEAD", "KV-TOKENS", "UTIL", "MAX-SEQS", "TTFT-MS",
                "TPOT-MS", "TOK/S", "$/1M-TOK");
        int rank = 1;
        for (Configuration c : configs) {
            var b = c.memoryBreakdown();
            out.printf(Locale.ROOT, "%-4d %3d %3d %3d %3d %5d %9.2f %8.2f %8.2f %8.2f %8.2f %9d %5.0f%% %9.1f %8s %7s %8s %8s%n",
                    rank++, c.tensorParallel(), c.pipelineParallel(), c.dataParallel(), c.expertParallel(), c.totalGpus(),
                    c.memoryPerGpuGb(), b.weights(), b.activations(), b.kvCache(), b.frameworkOverhead(),
                    c.engineView().kvCacheTokens(), 100 * c.memoryUtilization(), c.engineView().clusterMaxConcurrency(),
                    fmt("%.0f", c.ttftMs()), fmt("%.1f", c.tpotMs()), fmt("%.0f", c.tokensPerSecond()),
                    fmt("%.3f", c.costPerMillionTokensUsd()));
        }
        out.println();
        Configuration first = configs.get(0);
        if (first.speedInputTokens() != null) {
            out.printf(Locale.ROOT, "speed: vLLM, %d prompt + %d generated tokens per request, %d in flight%n",
                    first.speedInputTokens(), first.speedOutputTokens(), first.batchSize());
        }
        out.println("best: " + configs.get(0).deploymentCommand());
        for (String note : configs.get(0).deploymentNotes()) {
            out.println("note: " + note);
        }
    }
}

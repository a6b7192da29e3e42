package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.Configuration;
import dev.autoparallel.layout.Objective;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "best", mixinStandardHelpOptions = true, description = "The single best layout for an objective, with its vLLM and SGLang commands.")
final class BestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Mixin
    WorkloadOptions workload = new WorkloadOptions();

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Configuration c = AutoParallel.bestConfig(AutoParallel.model(model), cluster.cluster(),
                Objective.parse(workload.objective), workload.seq, workload.batch, engine.settings());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(c));
            return 0;
        }
        AnalyzeCommand.printTable(out, List.of(c));
        out.println("sglang: " + c.sglangCommand());
        for (int i = 1; i < c.deploymentCommands().size(); i++) {
            out.println("node " + i + ": " + c.deploymentCommands().get(i));
        }
        return 0;
    }
}

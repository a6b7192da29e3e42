package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.CostEstimate;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.source.TextFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cost", mixinStandardHelpOptions = true, description = "Monthly cost of the fewest-GPU layout on the cheapest matching instance.")
final class CostCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--hours-per-month", defaultValue = "730")
    double hours;

    @Option(names = "--prices", description = "JSON price file laid over the built-in table")
    Path prices;

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PriceTable table = PriceTable.builtIn();
        if (prices != null) {
            table = table.withOverrides(TextFiles.read(prices, "prices", TextFiles.MAX_SPEC_BYTES), prices.toString());
        }
        CostEstimate c = AutoParallel.estimateCost(AutoParallel.model(model), cluster.cluster(), hours, table, engine.settings());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(c));
            return 0;
        }
        out.printf(Locale.ROOT, "%d GPU%s needed: $%,.2f per month ($%.3f per needed GPU-hour)%n", c.gpusNeeded(),
                c.gpusNeeded() == 1 ? "" : "s", c.estimatedMonthlyCostUsd(), c.costPerGpuHour());
        out.println(c.assumptions());
        return 0;
    }
}

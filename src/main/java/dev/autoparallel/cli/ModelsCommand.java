package dev.autoparallel.cli;

import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "models", mixinStandardHelpOptions = true, description = "The embedded model catalog (works offline).")
final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print one JSON object (snake_case keys)")
    boolean json;

    @Spec
    CommandSpec spec;

    record Row(String id, String family, String modelType, long paramCount, long activeParamCount, String dtype,
               String quantization, String configDate, String source) {
    }

    record Listing(int count, List<Row> models) {
    }

    @Override
    public Integer call() {
        List<Row> rows = Catalog.embedded().entries().stream().map(e -> {
            ModelSpec s = e.spec();
            return new Row(e.id(), s.family().name().toLowerCase(Locale.ROOT), s.modelType(), s.paramCount(),
                    s.activeParamCount(), s.dtype().configName(), ModelSummary.describe(s.quantization()), e.configDate(),
                    e.source());
        }).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(new Listing(rows.size(), rows)));
            return 0;
        }
        // Columns as wide as their longest entry, so a long family name (granite_moe_hybrid) keeps the rest aligned.
        int idWidth = Math.max("MODEL".length(), rows.stream().mapToInt(r -> r.id().length()).max().orElse(0));
        int familyWidth = Math.max("FAMILY".length(), rows.stream().mapToInt(r -> r.family().length()).max().orElse(0));
        String header = "%-" + idWidth + "s %-" + familyWidth + "s %10s %10s  %-10s  %s%n";
        String line = "%-" + idWidth + "s %-" + familyWidth + "s %9.2fB %9.2fB  %-10s  %s%n";
        out.printf(Locale.ROOT, header, "MODEL", "FAMILY", "PARAMS", "ACTIVE", "CONFIG", "QUANTIZATION");
        for (Row r : rows) {
            out.printf(Locale.ROOT, line, r.id(), r.family(), r.paramCount() / 1e9, r.activeParamCount() / 1e9,
                    r.configDate() == null ? "-" : r.configDate(), r.quantization());
        }
        out.printf(Locale.ROOT, "%d models%n", rows.size());
        return 0;
    }
}

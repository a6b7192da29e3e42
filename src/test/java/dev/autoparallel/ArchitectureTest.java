package dev.autoparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the data flowing one way (STYLE.md): the model layer is pure (no files, network, CLI or
 * model sources); only the source package touches files and the network.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/autoparallel");

    private static List<String> violations(String pkg, List<String> forbidden) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    for (String bad : forbidden) {
                        if (line.startsWith("import " + bad)) {
                            out.add(f.getFileName() + ": " + line);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void modelPackage_isPure() throws IOException {
        assertEquals(List.of(), violations("model", List.of("java.io.File", "java.nio.file", "java.net",
                "dev.autoparallel.source", "dev.autoparallel.cli", "picocli", "org.apache.spark", "freemarker")));
    }

    @Test
    void onlyTheSweepImportsSpark_andOnlyReportsImportFreemarkerAndCsv() throws IOException {
        for (String pkg : List.of("model", "source", "memory", "layout", "deploy", "cost", "hardware", "cli", "report")) {
            assertEquals(List.of(), violations(pkg, List.of("org.apache.spark")), pkg);
        }
        for (String pkg : List.of("model", "source", "memory", "layout", "deploy", "cost", "hardware", "cli", "sweep")) {
            assertEquals(List.of(), violations(pkg, List.of("freemarker", "org.apache.commons.csv")), pkg);
        }
    }

    @Test
    void sourcePackage_doesNotReachUp() throws IOException {
        assertEquals(List.of(), violations("source", List.of("dev.autoparallel.cli", "picocli", "org.apache.spark")));
    }

    @Test
    void reportsAndPlanningDoNotReachUp() throws IOException {
        // The report owns its rows; the sweep builds them (no sweep <-> report cycle). Planning and the simulator are pure.
        assertEquals(List.of(), violations("report", List.of("dev.autoparallel.sweep", "dev.autoparallel.plan",
                "dev.autoparallel.cli")));
        for (String pkg : List.of("plan", "sim")) {
            assertEquals(List.of(), violations(pkg, List.of("java.io.File", "java.nio.file", "java.net", "dev.autoparallel.sweep",
                    "dev.autoparallel.report", "dev.autoparallel.cli", "dev.autoparallel.source", "org.apache.spark")), pkg);
        }
    }
}

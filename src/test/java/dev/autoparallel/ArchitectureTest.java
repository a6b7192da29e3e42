package dev.autoparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** A reference to a project package: an import or any qualified name ("root" for dev.autoparallel itself). */
    private static final Pattern REFERENCE = Pattern.compile("dev\\.autoparallel\\.(?:([a-z][a-z0-9]*)\\.)?[A-Z]");

    /** A written-out JDK class name ({@code java.util.List}) outside an import. */
    private static final Pattern JDK_NAME = Pattern.compile("(?<![\\w.])java\\.(?:[a-z]+\\.)+[A-Z]");

    /** Package to the project packages its main sources reference. */
    private static Map<String, Set<String>> packageGraph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = MAIN.relativize(f.getParent());
                String from = rel.toString().isEmpty() ? "root" : rel.toString().replace('/', '.');
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    String target = m.group(1) == null ? "root" : m.group(1);
                    if (!target.equals(from)) {
                        to.add(target);
                    }
                }
            }
        }
        return graph;
    }

    /** The strongly connected components of more than one package (Tarjan): each is a dependency cycle. */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void packagesFormNoCycle() throws IOException {
        Map<String, Set<String>> graph = packageGraph();
        assertEquals(List.of(), cycles(graph), "package dependency cycles; the graph: " + graph);
    }

    @Test
    void errorsAreALeaf_andOnlyTheAdaptersReachTheFacade() throws IOException {
        Map<String, Set<String>> graph = packageGraph();
        assertEquals(Set.of(), graph.get("error"), "the error package depends on no project package");
        for (Map.Entry<String, Set<String>> e : graph.entrySet()) {
            if (e.getValue().contains("root")) {
                assertTrue(Set.of("cli", "sweep").contains(e.getKey()), e.getKey() + " reaches the facade; only the "
                        + "adapters (cli, sweep) may");
            }
        }
        assertFalse(graph.get("core").contains("root"), "the core does not know the facade");
    }

    @Test
    void namesAreImported_notWrittenOut() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (!t.startsWith("import ") && !t.startsWith("package ") && !t.startsWith("*") && !t.startsWith("/")
                            && (REFERENCE.matcher(t).find() || JDK_NAME.matcher(t).find())) {
                        out.add(f.getFileName() + ": " + t);
                    }
                }
            }
        }
        assertEquals(List.of(), out);
    }
}

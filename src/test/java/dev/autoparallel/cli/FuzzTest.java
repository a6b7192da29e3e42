package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.autoparallel.error.AutoParallelException;
import dev.autoparallel.cli.MainTest.Run;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import dev.autoparallel.source.HubSettings;
import dev.autoparallel.source.ModelResolver;
import dev.autoparallel.sweep.Plans;
import dev.autoparallel.sweep.SweepSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;

/**
 * The fuzz suite of issue 12: hostile configs, specs and CLI arguments. For every input the
 * answer is exit 0 with sane numbers (no negative sizes, active <= total, the breakdown adds up),
 * or exit 2/3/4 with a message: never exit 1, never a stack trace, never more than a few seconds.
 *
 * <p>Configs: every numeric and enum-like field of every catalog config (one config per family
 * and size class, so every family is covered) set to each hostile value, parsed, sized and
 * costed in memory. CLI arguments and specs: jqwik properties with fixed seeds (reproducible in
 * CI; change the seed to explore).
 */
class FuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bare NaN / Infinity in the text, as Python's json.dumps writes them. */
    private static final ObjectWriter BARE = JSON.writer().without(JsonGenerator.Feature.QUOTE_NON_NUMERIC_NUMBERS);
    /** A hang guard, not a speed target: the slowest honest input takes milliseconds. */
    private static final long MAX_MILLIS_PER_INPUT = 5_000;
    private static final Map<String, Integer> COUNTS = new LinkedHashMap<>();

    /** The hostile values every field is set to in turn. */
    static List<JsonNode> hostileValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return List.of(IntNode.valueOf(0), IntNode.valueOf(-1), IntNode.valueOf(Integer.MIN_VALUE),
                IntNode.valueOf(Integer.MAX_VALUE), LongNode.valueOf(1_000_000_000_000L), DoubleNode.valueOf(1.5),
                DoubleNode.valueOf(1e308), DoubleNode.valueOf(Double.NaN), DoubleNode.valueOf(Double.POSITIVE_INFINITY),
                TextNode.valueOf("NaN"), TextNode.valueOf("12"), TextNode.valueOf(""), BooleanNode.TRUE, f.nullNode(),
                f.arrayNode(), f.objectNode(), f.arrayNode().add(0).add(-1));
    }

    /** Each leaf of a config (numbers, strings, booleans; the first element of arrays), as a setter. */
    private static void leaves(JsonNode node, List<Consumer<JsonNode>> setters, int depth) {
        if (depth > 4) {
            return;
        }
        if (node instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                JsonNode v = o.get(k);
                if (v instanceof ContainerNode<?>) {
                    setters.add(x -> o.set(k, x));
                    leaves(v, setters, depth + 1);
                } else {
                    setters.add(x -> o.set(k, x));
                }
            }
        } else if (node instanceof ArrayNode a && !a.isEmpty()) {
            setters.add(x -> a.set(0, x));
            leaves(a.get(0), setters, depth + 1);
        }
    }

    /** One catalog config per model_type and size class: every family, without 150 near-copies. */
    static List<Catalog.Entry> representatives() {
        Map<String, Catalog.Entry> byType = new LinkedHashMap<>();
        for (Catalog.Entry e : Catalog.embedded().entries()) {
            JsonNode c = e.config();
            String type = c.path("model_type").asText("") + "/" + c.has("quantization_config") + "/" + c.has("text_config");
            byType.putIfAbsent(type, e);
        }
        return List.copyOf(byType.values());
    }

    @Test
    void everyFieldOfEveryFamily_atEveryHostileValue_isRefusedByNameOrSane() throws Exception {
        int inputs = 0;
        int refused = 0;
        List<JsonNode> values = hostileValues();
        for (Catalog.Entry entry : representatives()) {
            List<Consumer<JsonNode>> count = new ArrayList<>();
            leaves(entry.config().deepCopy(), count, 0);
            for (int field = 0; field < count.size(); field++) {
                for (JsonNode value : values) {
                    JsonNode copy = entry.config().deepCopy();
                    List<Consumer<JsonNode>> setters = new ArrayList<>();
                    leaves(copy, setters, 0);
                    setters.get(field).accept(value.deepCopy());
                    String text = BARE.writeValueAsString(copy);
                    inputs++;
                    if (!checkConfig(entry.id(), text)) {
                        refused++;
                    }
                }
            }
        }
        COUNTS.put("configs (field x hostile value)", inputs);
        COUNTS.put("configs refused by name", refused);
        assertTrue(inputs > 5_000, "the suite shrank: " + inputs);
    }

    /** Parses, sizes and places one config; true when accepted (and then sane), false when refused properly. */
    static boolean checkConfig(String id, String text) {
        long start = System.nanoTime();
        try {
            ModelSpec s = ConfigParser.parse(id, text, "fuzz " + id);
            assertSane(s, text);
            return true;
        } catch (AutoParallelException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "an error without a message: " + text);
            return false;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            fail("config crashed with " + e + " instead of an error naming a field:\n" + abbreviated(text), e);
            return false;
        } finally {
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < MAX_MILLIS_PER_INPUT, () -> "took " + ms + " ms: " + abbreviated(text));
        }
    }

    private static void assertSane(ModelSpec s, String text) {
        assertTrue(s.paramCount() > 0, () -> "no parameters: " + abbreviated(text));
        assertTrue(s.activeParamCount() > 0 && s.activeParamCount() <= s.paramCount(),
                () -> "active " + s.activeParamCount() + " > total " + s.paramCount() + ": " + abbreviated(text));
        long sum = 0;
        for (Map.Entry<Component, Long> e : s.paramBreakdown().entrySet()) {
            assertTrue(e.getValue() >= 0, () -> "negative " + e + ": " + abbreviated(text));
            sum += e.getValue();
        }
        assertEquals(s.paramCount(), sum, () -> "breakdown does not add up: " + abbreviated(text));
        assertTrue(s.weightBytes() > 0, () -> "weight bytes " + s.weightBytes() + ": " + abbreviated(text));
        assertTrue(s.kvCacheBytesPerToken() >= 0, () -> "negative KV: " + abbreviated(text));
        MemoryModel m = new MemoryModel(s, GpuCatalog.require("H100", "gpu"));
        EngineSettings settings = EngineSettings.defaults().withMaxModelLen(Math.min(4096, s.maxPositionEmbeddings()));
        MemoryEstimate e = m.evaluate(new Layout(1, 1, 1, false), settings, m.gpu().memoryBytes());
        for (long v : new long[] {e.budgetBytes(), e.weightsBytes(), e.activationBytes(), e.nonTorchBytes(), e.cudaGraphBytes(),
                e.kvCacheBytes(), e.kvCacheTokens(), e.kvBytesPerToken()}) {
            assertTrue(v >= 0, () -> "negative size in " + e + ": " + abbreviated(text));
        }
        if (e.fits()) {
            assertTrue(e.weightsBytes() + e.activationBytes() + e.overheadBytes() + e.kvCacheBytes() <= e.budgetBytes(),
                    () -> "a layout that fits spends more than its budget: " + e);
        }
    }

    private static String abbreviated(String text) {
        return text.length() < 600 ? text : text.substring(0, 600) + "...";
    }

    // ---------------------------------------------------------------- CLI arguments

    private static final List<String> HOSTILE_ARGUMENTS = List.of("0", "-1", "1", "7", "2147483647", "2147483648",
            "-2147483649", "1e309", "NaN", "Infinity", "-0.0", "0.5", "", " ", "abc", "H100", "h100_sxm", "RTX9090",
            "x".repeat(5000), "../../etc/passwd", "/dev/zero", "%n%s", "'; rm -rf /", "\u0000", "v0", "v1", "fp8", "fp4",
            "auto", "0.29.0", "9.9.9", "maximize_batch", "bogus", "sglang", "trtllm");

    @Provide
    Arbitrary<List<String>> commandLines() {
        Arbitrary<String> model = Arbitraries.of("meta-llama/Llama-3.1-8B", "Qwen/Qwen3-30B-A3B", "openai/gpt-oss-20b",
                "deepseek-ai/DeepSeek-V3", "acme/nope", "/dev/zero", "", "meta-llama/../x");
        Arbitrary<String> command = Arbitraries.of("inspect", "analyze", "best", "memory", "cost", "evaluate", "plan");
        Arbitrary<String> option = Arbitraries.of("--gpu", "--gpus-per-node", "--nodes", "--seq", "--batch", "--max-configs",
                "--objective", "--tp", "--pp", "--dp", "--gpu-memory-gib", "--gpu-memory-utilization", "--max-model-len",
                "--max-num-seqs", "--max-num-batched-tokens", "--kv-cache-dtype", "--block-size", "--vllm-version",
                "--vllm-engine", "--input-tokens", "--output-tokens", "--concurrency", "--engine", "--weight-dtype",
                "--price-usd-per-gpu-hour", "--prices", "--hours", "--quantization", "--language-model-only", "--request-rate",
                "--ttft-ms", "--tpot-ms", "--percentile", "--input-spread", "--output-spread", "--arrival-cv", "--headroom");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of(HOSTILE_ARGUMENTS), Arbitraries.integers().between(-5, 300_000)
                .map(String::valueOf));
        Arbitrary<List<String>> pairs = Combinators.combine(option, value).as(List::of).list().ofMaxSize(6)
                .map(l -> l.stream().flatMap(List::stream).toList());
        return Combinators.combine(command, model, pairs, Arbitraries.of(true, false)).as((c, m, rest, json) -> {
            List<String> args = new ArrayList<>(List.of(c, m));
            if (!c.equals("inspect") && !c.equals("memory")) {
                args.addAll(List.of("--gpu", "H100"));
            }
            args.addAll(rest);
            if (json) {
                args.add("--json");
            }
            return args;
        });
    }

    @Property(tries = 1000, seed = "20261130")
    void cliArguments_exit0234_withoutATrace(@ForAll("commandLines") List<String> args) {
        long start = System.nanoTime();
        Run r = MainTest.run(args.toArray(String[]::new));
        long ms = (System.nanoTime() - start) / 1_000_000;
        COUNTS.merge("CLI command lines", 1, Integer::sum);
        assertTrue(List.of(0, 2, 3, 4).contains(r.code()), () -> "exit " + r.code() + " for " + args + "\n" + r.err());
        assertFalse(r.err().contains("\tat "), () -> "stack trace for " + args + "\n" + r.err());
        assertTrue(ms < MAX_MILLIS_PER_INPUT * 2, () -> ms + " ms for " + args);
        if (r.code() == 0 && args.contains("--json") && !r.out().isBlank()) {
            assertFalse(r.out().contains(":-"), () -> "a negative number in " + args + ": " + r.out());
        }
    }

    // ---------------------------------------------------------------- sweep specs

    static final String SPEC = """
            {"name": "fuzz", "models": ["meta-llama/Llama-3.1-8B", "Qwen/Qwen3-30B-A3B"],
             "clusters": [{"name": "h100", "gpu": "H100", "gpus_per_node": 8, "nodes": 1, "price_usd_per_gpu_hour": 2.5},
                          {"name": "l4", "gpu": "L4", "gpus_per_node": 4, "gpu_memory_gb": 22}],
             "sequence_lengths": [2048, 8192], "batch_sizes": [1, 64], "objectives": ["minimize_gpus"],
             "max_configs": 3, "vllm_version": "0.29.0", "gpu_memory_utilization": 0.9, "kv_cache_dtype": "auto",
             "hours_per_month": 730, "output": "out"}""";

    static final String TRAFFIC_SPEC = """
            {"name": "fuzz traffic", "models": ["meta-llama/Llama-3.1-8B",
               {"id": "Qwen/Qwen3-30B-A3B", "traffic": {"request_rates": [3]}, "slo": {"ttft_ms": 900, "percentile": 99}}],
             "clusters": [{"name": "h100", "gpu": "H100", "gpus_per_node": 8, "nodes": 2}],
             "traffic": {"request_rates": [1, 10], "input_tokens": 1024, "output_tokens": 256, "input_spread": 0.5,
                         "output_spread": 1.0, "max_output_tokens": 2048, "arrival_cv": 1.5},
             "slo": {"ttft_ms": 2000, "tpot_ms": 50, "percentile": 90}, "engine": "vllm", "headroom": 0.8}""";

    @Provide
    Arbitrary<String> trafficSpecs() throws Exception {
        return mutations(TRAFFIC_SPEC);
    }

    @Property(tries = 500, seed = "20261130")
    void trafficSpecs_areRefusedByFieldBeforeSpark_orPlanned(@ForAll("trafficSpecs") String spec) throws Exception {
        specs_areRefusedByFieldBeforeSpark_orPlanned(spec);
    }

    @Provide
    Arbitrary<String> specs() throws Exception {
        return mutations(SPEC);
    }

    private Arbitrary<String> mutations(String json) throws Exception {
        JsonNode base = JSON.readTree(json);
        List<Consumer<JsonNode>> probe = new ArrayList<>();
        leaves(base.deepCopy(), probe, 0);
        int fields = probe.size();
        List<JsonNode> values = hostileValues();
        return Combinators.combine(Arbitraries.integers().between(0, fields - 1), Arbitraries.integers().between(0, values.size() - 1),
                Arbitraries.integers().between(0, fields - 1), Arbitraries.integers().between(0, values.size() - 1))
                .as((f1, v1, f2, v2) -> {
                    JsonNode copy = base.deepCopy();
                    List<Consumer<JsonNode>> setters = new ArrayList<>();
                    leaves(copy, setters, 0);
                    setters.get(f1).accept(values.get(v1).deepCopy());
                    try {
                        // A second mutation on the changed tree, when the field still exists.
                        List<Consumer<JsonNode>> again = new ArrayList<>();
                        leaves(copy, again, 0);
                        if (f2 < again.size()) {
                            again.get(f2).accept(values.get(v2).deepCopy());
                        }
                        return BARE.writeValueAsString(copy);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    @Property(tries = 1000, seed = "20261130")
    void specs_areRefusedByFieldBeforeSpark_orPlanned(@ForAll("specs") String spec) throws Exception {
        COUNTS.merge("sweep specs", 1, Integer::sum);
        Path dir = Files.createTempDirectory("fuzz-spec");
        try {
            HubSettings offline = new HubSettings(HubSettings.DEFAULT_ENDPOINT, Optional.empty(), true, dir.resolve("hf"),
                    Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ZERO);
            var plan = Plans.plan(SweepSpec.parse(spec, "fuzz spec"), dir, new ModelResolver(Catalog.embedded(), offline));
            assertTrue(plan.cellCount() > 0, spec);
        } catch (AutoParallelException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), spec);
        } catch (RuntimeException e) {
            fail("spec crashed with " + e + ":\n" + spec, e);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @AfterContainer
    static void report() {
        System.out.println(String.format(Locale.ROOT, "fuzz suite inputs this run: %s", COUNTS));
    }
}

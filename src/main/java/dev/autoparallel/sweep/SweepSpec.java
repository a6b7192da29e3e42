package dev.autoparallel.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.InvalidConfigurationException;
import dev.autoparallel.json.UserJson;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.VllmVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A sweep spec as written (JSON), validated field by field before Spark starts. See the README
 * for the schema. Pure: reads no file; the job resolves models and price files afterwards.
 *
 * @param priceOverrides    a price document (inline object) or the path of one; null for none
 * @param quantization      vLLM's online quantization of 16-bit checkpoints; the cells of an already quantized
 *                          checkpoint fail as invalid_input, as vLLM refuses a second method
 * @param languageModelOnly serve multimodal models without their vision tower
 */
public record SweepSpec(String name, List<String> models, List<ClusterShape> clusters, List<Integer> sequenceLengths,
                        List<Integer> batchSizes, List<Objective> objectives, int maxConfigs, VllmVersion vllmVersion,
                        double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, double hoursPerMonth,
                        JsonNode priceOverrides, String output, ServingQuantization quantization,
                        boolean languageModelOnly) {

    /** A named hardware option: GPU type and shape, optionally its own price per GPU-hour. */
    public record ClusterShape(String name, String gpu, int gpusPerNode, int nodes, Double gpuMemoryGb,
                               Double priceUsdPerGpuHour) implements java.io.Serializable {
    }

    static final Set<String> KEYS = Set.of("name", "models", "clusters", "sequence_lengths", "batch_sizes", "objectives",
            "max_configs", "vllm_version", "gpu_memory_utilization", "kv_cache_dtype", "hours_per_month",
            "price_overrides", "output", "quantization", "language_model_only");
    static final Set<String> CLUSTER_KEYS = Set.of("name", "gpu", "gpus_per_node", "nodes", "gpu_memory_gb",
            "price_usd_per_gpu_hour");
    /** More cells than this is a typo in a list, not a plan. */
    static final long MAX_CELLS = 100_000_000L;

    public SweepSpec {
        models = List.copyOf(models);
        clusters = List.copyOf(clusters);
        sequenceLengths = List.copyOf(sequenceLengths);
        batchSizes = List.copyOf(batchSizes);
        objectives = List.copyOf(objectives);
    }

    public long cellCount() {
        return (long) models.size() * clusters.size() * sequenceLengths.size() * batchSizes.size() * objectives.size();
    }

    public static SweepSpec parse(String json, String source) {
        JsonNode root = UserJson.parse(json, "spec", source);
        if (root == null || !root.isObject()) {
            throw new InvalidConfigurationException("spec", source + ": a sweep spec is a JSON object");
        }
        unknownKeys(root, KEYS, source, "");
        List<String> models = strings(root, "models", source);
        if (new HashSet<>(models).size() != models.size()) {
            throw new InvalidConfigurationException("models", source + ": models lists a model twice");
        }
        List<ClusterShape> clusters = new ArrayList<>();
        JsonNode cl = list(root, "clusters", source);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cl.size(); i++) {
            ClusterShape c = cluster(cl.get(i), source + " clusters[" + i + "]");
            if (!names.add(c.name())) {
                throw new InvalidConfigurationException("clusters", source + ": cluster name '" + c.name() + "' is used twice");
            }
            clusters.add(c);
        }
        List<Integer> seqs = positiveInts(root, "sequence_lengths", source, 1 << 24);
        List<Integer> batches = positiveInts(root, "batch_sizes", source, 1 << 20);
        List<Objective> objectives = new ArrayList<>();
        if (root.has("objectives")) {
            for (String o : strings(root, "objectives", source)) {
                objectives.add(Objective.parse(o));
            }
        } else {
            objectives.add(Objective.MINIMIZE_GPUS);
        }
        int maxConfigs = root.has("max_configs") ? intIn(root.get("max_configs"), "max_configs", source, 1, 100) : 3;
        VllmVersion version = root.has("vllm_version") ? VllmVersion.parse(text(root, "vllm_version", source)) : VllmVersion.DEFAULT;
        double util = root.has("gpu_memory_utilization") ? number(root.get("gpu_memory_utilization"), "gpu_memory_utilization", source) : 0.9;
        if (!(util > 0 && util <= 1)) {
            throw new InvalidConfigurationException("gpu_memory_utilization", source + ": gpu_memory_utilization was " + util
                    + "; allowed: above 0 and at most 1");
        }
        KvCacheDtype kv = root.has("kv_cache_dtype") ? KvCacheDtype.parse(text(root, "kv_cache_dtype", source)) : KvCacheDtype.AUTO;
        double hours = root.has("hours_per_month") ? number(root.get("hours_per_month"), "hours_per_month", source) : 730;
        if (!(hours > 0 && hours <= 744)) {
            throw new InvalidConfigurationException("hours_per_month", source + ": hours_per_month was " + hours
                    + "; allowed: above 0 and at most 744");
        }
        JsonNode prices = root.get("price_overrides");
        if (prices != null && !prices.isNull() && !prices.isObject() && !prices.isTextual()) {
            throw new InvalidConfigurationException("price_overrides", source
                    + ": price_overrides is a price document ({\"entries\": [...]}) or the path of one");
        }
        String output = root.has("output") ? text(root, "output", source) : null;
        ServingQuantization quantization = root.has("quantization")
                ? ServingQuantization.parse(text(root, "quantization", source)) : ServingQuantization.NONE;
        JsonNode lmOnly = root.get("language_model_only");
        if (lmOnly != null && !lmOnly.isBoolean()) {
            throw new InvalidConfigurationException("language_model_only", source + ": language_model_only was "
                    + lmOnly + "; allowed: true or false");
        }
        SweepSpec spec = new SweepSpec(root.has("name") ? text(root, "name", source) : "AutoParallel sweep", models,
                clusters, seqs, batches, objectives, maxConfigs, version, util, kv, hours,
                prices == null || prices.isNull() ? null : prices, output, quantization, lmOnly != null && lmOnly.asBoolean());
        if (spec.cellCount() > MAX_CELLS) {
            throw new InvalidConfigurationException("models", source + ": the spec has " + spec.cellCount()
                    + " cells; allowed: at most " + MAX_CELLS);
        }
        return spec;
    }

    private static ClusterShape cluster(JsonNode c, String where) {
        if (c == null || !c.isObject()) {
            throw new InvalidConfigurationException("clusters", where + ": each cluster is an object with "
                    + String.join(", ", new java.util.TreeSet<>(CLUSTER_KEYS)));
        }
        unknownKeys(c, CLUSTER_KEYS, where, "");
        String gpu = text(c, "gpu", where);
        GpuCatalog.require(gpu, c.has("gpu_memory_gb") ? number(c.get("gpu_memory_gb"), "gpu_memory_gb", where) : null, "gpu");
        Double memory = c.hasNonNull("gpu_memory_gb") ? number(c.get("gpu_memory_gb"), "gpu_memory_gb", where) : null;
        if (memory != null && !(memory > 0 && memory <= 4096)) {
            throw new InvalidConfigurationException("gpu_memory_gb", where + ": gpu_memory_gb was " + memory
                    + "; allowed: above 0 and at most 4096 (GiB)");
        }
        Double price = c.hasNonNull("price_usd_per_gpu_hour") ? number(c.get("price_usd_per_gpu_hour"), "price_usd_per_gpu_hour", where) : null;
        if (price != null && !(price > 0 && price < 1000)) {
            throw new InvalidConfigurationException("price_usd_per_gpu_hour", where + ": price_usd_per_gpu_hour was " + price
                    + "; allowed: above 0 and below 1000");
        }
        int perNode = c.has("gpus_per_node") ? intIn(c.get("gpus_per_node"), "gpus_per_node", where, 1, 1024) : 8;
        int nodes = c.has("nodes") ? intIn(c.get("nodes"), "nodes", where, 1, 65536 / perNode) : 1;
        String name = c.has("name") ? text(c, "name", where) : nodes + "x" + perNode + " " + gpu;
        return new ClusterShape(name, gpu, perNode, nodes, memory, price);
    }

    private static void unknownKeys(JsonNode node, Set<String> allowed, String where, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidConfigurationException(prefix + k, where + ": unknown field '" + k + "'; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static JsonNode list(JsonNode root, String key, String source) {
        JsonNode v = root.get(key);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new InvalidConfigurationException(key, source + ": '" + key + "' must be a non-empty list");
        }
        return v;
    }

    private static List<String> strings(JsonNode root, String key, String source) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : list(root, key, source)) {
            if (!e.isTextual() || e.asText().isBlank()) {
                throw new InvalidConfigurationException(key, source + ": '" + key + "' must list non-empty strings; found " + e);
            }
            out.add(e.asText());
        }
        return out;
    }

    private static List<Integer> positiveInts(JsonNode root, String key, String source, int max) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : list(root, key, source)) {
            out.add(intIn(e, key, source, 1, max));
        }
        if (new HashSet<>(out).size() != out.size()) {
            throw new InvalidConfigurationException(key, source + ": '" + key + "' lists a value twice");
        }
        return out;
    }

    private static int intIn(JsonNode v, String key, String source, int min, int max) {
        if (v == null || !v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new InvalidConfigurationException(key, source + ": '" + key + "' has " + v + "; allowed: whole numbers from "
                    + min + " to " + max);
        }
        return v.asInt();
    }

    private static double number(JsonNode v, String key, String source) {
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new InvalidConfigurationException(key, source + ": '" + key + "' was " + v + "; allowed: a finite number");
        }
        return v.asDouble();
    }

    private static String text(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InvalidConfigurationException(key, source + ": '" + key + "' must be a non-empty string");
        }
        return v.asText();
    }
}

package dev.autoparallel.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.json.UserJson;
import dev.autoparallel.layout.Objective;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.memory.VllmReleases;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.plan.Slo;
import dev.autoparallel.plan.Traffic;
import dev.autoparallel.sim.LengthDistribution;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sweep spec as written (JSON), validated field by field before Spark starts. See the README
 * for the schema. Pure: reads no file; the job resolves models and price files afterwards.
 *
 * @param priceOverrides    a price document (inline object) or the path of one; null for none
 * @param quantization      vLLM's online quantization of 16-bit checkpoints; the cells of an already quantized
 *                          checkpoint fail as invalid_input, as vLLM refuses a second method
 * @param languageModelOnly serve multimodal models without their vision tower
 * @param speculative       speculative decoding for every cell (rates resolved per model; a model it does not apply
 *                          to fails as invalid_input)
 * @param demands           traffic sweeps: every model's traffic at each of its request rates, with its targets; empty otherwise
 * @param engine            the engine traffic plans are made for
 * @param headroom          share of a replica's saturated throughput a traffic plan may use
 * @param reportTargets     workload sweeps: the latency targets the report's recommendations must meet (the spec's
 *                          "slo", else the documented interactive ones); the cells themselves rank as their objective says
 */
public record SweepSpec(String name, List<String> models, List<ClusterShape> clusters, List<Integer> sequenceLengths,
                        List<Integer> batchSizes, List<Objective> objectives, int maxConfigs, VllmVersion vllmVersion,
                        double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, double hoursPerMonth,
                        JsonNode priceOverrides, String output, ServingQuantization quantization,
                        boolean languageModelOnly, List<Demand> demands, ServingEngine engine, double headroom,
                        Slo reportTargets, SpeculativeDecoding speculative) {

    /**
     * One model's traffic at one request rate and its targets: a row of the traffic sweep's demand
     * dimension (cells are demands x clusters).
     */
    public record Demand(int model, Traffic traffic, Slo slo) implements Serializable {
    }

    /** Whether the spec sweeps traffic (demands x clusters) rather than workloads (lengths x batches x objectives). */
    public boolean trafficMode() {
        return !demands.isEmpty();
    }

    /** A named hardware option: GPU type and shape, optionally its own price per GPU-hour. */
    public record ClusterShape(String name, String gpu, int gpusPerNode, int nodes, Double gpuMemoryGb,
                               Double priceUsdPerGpuHour, boolean nodesGiven) implements Serializable {
    }

    static final Set<String> KEYS = Set.of("name", "models", "clusters", "sequence_lengths", "batch_sizes", "objectives",
            "max_configs", "vllm_version", "gpu_memory_utilization", "kv_cache_dtype", "hours_per_month",
            "price_overrides", "output", "quantization", "language_model_only", "traffic", "slo", "engine", "headroom",
            "speculative");
    static final Set<String> SPECULATIVE_KEYS = Set.of("method", "num_speculative_tokens", "acceptance", "draft_model");
    static final Set<String> MODEL_KEYS = Set.of("id", "traffic", "slo");
    static final Set<String> TRAFFIC_KEYS = Set.of("request_rates", "tokens_per_day", "input_tokens", "output_tokens",
            "input_spread", "output_spread", "max_input_tokens", "max_output_tokens", "input_histogram", "output_histogram",
            "arrival_cv", "prefix_cache_hit_rate");
    static final Set<String> SLO_KEYS = Set.of("ttft_ms", "tpot_ms", "percentile", "min_tokens_per_second_per_user");
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
        if (trafficMode()) {
            return (long) demands.size() * clusters.size();
        }
        return (long) models.size() * clusters.size() * sequenceLengths.size() * batchSizes.size() * objectives.size();
    }

    /** A model's traffic at each of its rates, with its targets (the documented interactive ones when none are given). */
    private static List<Demand> demands(int model, JsonNode t, JsonNode slo, String where) {
        if (t == null) {
            throw new InvalidConfigurationException("traffic", where + ": has no traffic; give traffic globally or for this model");
        }
        unknownKeys(t, TRAFFIC_KEYS, where + " traffic", "traffic.");
        if (t.has("request_rates") == t.has("tokens_per_day")) {
            throw new InvalidConfigurationException("request_rates", where + ": give the demand once: traffic.request_rates "
                    + "(requests/s) or traffic.tokens_per_day (prompt plus output tokens per day)");
        }
        String rateKey = t.has("request_rates") ? "request_rates" : "tokens_per_day";
        List<Double> given = new ArrayList<>();
        for (JsonNode r : list(t, rateKey, where + " traffic")) {
            given.add(number(r, rateKey, where));
        }
        if (new HashSet<>(given).size() != given.size()) {
            throw new InvalidConfigurationException(rateKey, where + ": '" + rateKey + "' lists a value twice");
        }
        LengthDistribution in = lengths(t, "input", where);
        LengthDistribution out = lengths(t, "output", where);
        double cv = t.has("arrival_cv") ? number(t.get("arrival_cv"), "arrival_cv", where) : 1;
        double hit = t.has("prefix_cache_hit_rate") ? number(t.get("prefix_cache_hit_rate"), "prefix_cache_hit_rate", where) : 0;
        Slo targets = slo(slo, where);
        List<Demand> demands = new ArrayList<>();
        for (double g : given) {
            if (rateKey.equals("tokens_per_day") && !(g > 0)) {
                throw new InvalidConfigurationException(rateKey, where + ": 'tokens_per_day' has " + g + "; allowed: positive");
            }
            double rate = rateKey.equals("request_rates") ? g : Traffic.requestsPerSecondFromTokensPerDay(g, in.mean() + out.mean());
            demands.add(new Demand(model, new Traffic(rate, in, out, cv, hit), targets));
        }
        return demands;
    }

    /** Latency targets from an {@code slo} object, or the documented interactive ones when there is none. */
    private static Slo slo(JsonNode slo, String where) {
        if (slo == null) {
            return Slo.INTERACTIVE;
        }
        unknownKeys(slo, SLO_KEYS, where + " slo", "slo.");
        Double ttft = slo.hasNonNull("ttft_ms") ? number(slo.get("ttft_ms"), "ttft_ms", where) : null;
        Double tpot = slo.hasNonNull("tpot_ms") ? number(slo.get("tpot_ms"), "tpot_ms", where) : null;
        int pct = slo.has("percentile") ? intIn(slo.get("percentile"), "percentile", where, 1, 99) : 90;
        Double perUser = slo.hasNonNull("min_tokens_per_second_per_user")
                ? number(slo.get("min_tokens_per_second_per_user"), "min_tokens_per_second_per_user", where) : null;
        if (ttft == null && tpot == null && perUser == null) {
            throw new InvalidConfigurationException("slo", where + ": slo names no target; give ttft_ms, tpot_ms, "
                    + "min_tokens_per_second_per_user or several");
        }
        return new Slo(ttft, tpot, pct, perUser);
    }

    private static LengthDistribution lengths(JsonNode t, String which, String where) {
        if (t.has(which + "_histogram")) {
            for (String other : List.of(which + "_tokens", which + "_spread", "max_" + which + "_tokens")) {
                if (t.has(other)) {
                    throw new InvalidConfigurationException(which + "_histogram", where + ": " + which + "_histogram gives the "
                            + which + " lengths; '" + other + "' cannot stand beside it");
                }
            }
            return histogram(t.get(which + "_histogram"), which + "_histogram", where);
        }
        if (!t.has(which + "_tokens")) {
            throw new InvalidConfigurationException(which + "_tokens", where + ": traffic needs " + which + "_tokens");
        }
        int mean = intIn(t.get(which + "_tokens"), which + "_tokens", where, 1, 1 << 24);
        if (!t.has(which + "_spread")) {
            if (t.has("max_" + which + "_tokens")) {
                throw new InvalidConfigurationException("max_" + which + "_tokens", where + ": max_" + which
                        + "_tokens applies to spread lengths; give " + which + "_spread too");
            }
            return LengthDistribution.fixed(mean);
        }
        double spread = number(t.get(which + "_spread"), which + "_spread", where);
        int max = t.has("max_" + which + "_tokens") ? intIn(t.get("max_" + which + "_tokens"), "max_" + which + "_tokens", where,
                mean, 1 << 24) : (int) Math.min(1 << 24, 4L * mean);
        return LengthDistribution.logNormal(mean, spread, max);
    }

    /** An inline histogram: a list of [tokens, count] pairs. */
    private static LengthDistribution histogram(JsonNode h, String key, String where) {
        if (h == null || !h.isArray() || h.isEmpty() || h.size() > LengthDistribution.MAX_HISTOGRAM_BINS) {
            throw new InvalidConfigurationException(key, where + ": '" + key + "' must be a list of 1 to "
                    + LengthDistribution.MAX_HISTOGRAM_BINS + " [tokens, count] pairs");
        }
        int[] lengths = new int[h.size()];
        long[] counts = new long[h.size()];
        for (int i = 0; i < h.size(); i++) {
            JsonNode bin = h.get(i);
            if (!bin.isArray() || bin.size() != 2 || !bin.get(0).isIntegralNumber() || !bin.get(1).isIntegralNumber()) {
                throw new InvalidConfigurationException(key, where + ": '" + key + "' entry " + i
                        + " must be a [tokens, count] pair of whole numbers");
            }
            lengths[i] = intIn(bin.get(0), key, where, 1, 1 << 24);
            counts[i] = bin.get(1).asLong();
        }
        return LengthDistribution.histogram(lengths, counts);
    }

    /** Keys that state the same quantity in different ways: a model's own choice replaces the global one's. */
    private static final List<List<List<String>>> ALTERNATIVES = List.of(
            List.of(List.of("request_rates"), List.of("tokens_per_day")),
            List.of(List.of("input_tokens", "input_spread", "max_input_tokens"), List.of("input_histogram")),
            List.of(List.of("output_tokens", "output_spread", "max_output_tokens"), List.of("output_histogram")));

    /** The global object with the model's fields laid over it (either may be null). */
    private static JsonNode merged(JsonNode global, JsonNode own) {
        if (global == null) {
            return own;
        }
        if (own == null) {
            return global;
        }
        ObjectNode out = global.deepCopy();
        // A model's own way of stating a quantity replaces the global one's other way (its rates as tokens per day,
        // its lengths as a histogram), rather than standing beside it.
        for (List<List<String>> ways : ALTERNATIVES) {
            for (int i = 0; i < 2; i++) {
                List<String> chosen = ways.get(i);
                if (chosen.stream().anyMatch(own::has)) {
                    ways.get(1 - i).forEach(out::remove);
                }
            }
        }
        own.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }

    private static JsonNode objectOrNull(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new InvalidConfigurationException(key, where + ": '" + key + "' must be an object");
        }
        return v;
    }

    public static SweepSpec parse(String json, String source) {
        JsonNode root = UserJson.parse(json, "spec", source);
        if (root == null || !root.isObject()) {
            throw new InvalidConfigurationException("spec", source + ": a sweep spec is a JSON object");
        }
        unknownKeys(root, KEYS, source, "");
        List<String> models = new ArrayList<>();
        List<JsonNode> modelTraffic = new ArrayList<>();
        List<JsonNode> modelSlo = new ArrayList<>();
        JsonNode ms = list(root, "models", source);
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String where = source + " models[" + i + "]";
            if (m.isTextual() && !m.asText().isBlank()) {
                models.add(m.asText());
                modelTraffic.add(null);
                modelSlo.add(null);
            } else if (m.isObject()) {
                unknownKeys(m, MODEL_KEYS, where, "");
                models.add(text(m, "id", where));
                modelTraffic.add(objectOrNull(m, "traffic", where));
                modelSlo.add(objectOrNull(m, "slo", where));
            } else {
                throw new InvalidConfigurationException("models", where + ": a model is an id or a path, or an object "
                        + "{\"id\": ..., \"traffic\": {...}, \"slo\": {...}}; found " + m);
            }
        }
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
        JsonNode globalTraffic = objectOrNull(root, "traffic", source);
        JsonNode globalSlo = objectOrNull(root, "slo", source);
        boolean traffic = globalTraffic != null || modelTraffic.stream().anyMatch(t -> t != null);
        List<Demand> demands = new ArrayList<>();
        if (traffic) {
            for (String key : List.of("sequence_lengths", "batch_sizes", "objectives")) {
                if (root.has(key)) {
                    throw new InvalidConfigurationException(key, source + ": a spec sweeps either workloads (sequence_lengths "
                            + "x batch_sizes x objectives) or traffic (traffic.request_rates), not both; '" + key
                            + "' cannot stand beside traffic");
                }
            }
            for (int i = 0; i < models.size(); i++) {
                demands.addAll(demands(i, merged(globalTraffic, modelTraffic.get(i)), merged(globalSlo, modelSlo.get(i)),
                        source + " models[" + i + "] (" + models.get(i) + ")"));
            }
        } else if (modelSlo.stream().anyMatch(x -> x != null)) {
            throw new InvalidConfigurationException("slo", source + ": a model's own slo applies to traffic sweeps; give "
                    + "traffic too, or one global slo for the report's recommendations");
        }
        Slo reportTargets = traffic ? Slo.INTERACTIVE : slo(globalSlo, source);
        List<Integer> seqs = traffic ? List.of() : positiveInts(root, "sequence_lengths", source, 1 << 24);
        List<Integer> batches = traffic ? List.of() : positiveInts(root, "batch_sizes", source, 1 << 20);
        List<Objective> objectives = new ArrayList<>();
        if (traffic) {
            // traffic cells are ranked by cost within the targets; no workload objective applies
        } else if (root.has("objectives")) {
            for (String o : strings(root, "objectives", source)) {
                objectives.add(Objective.parse(o));
            }
        } else {
            objectives.add(Objective.MINIMIZE_GPUS);
        }
        int maxConfigs = root.has("max_configs") ? intIn(root.get("max_configs"), "max_configs", source, 1, 100) : 3;
        VllmVersion version = root.has("vllm_version") ? VllmVersion.parse(text(root, "vllm_version", source)) : VllmVersion.DEFAULT;
        try {
            VllmReleases.require(version);
        } catch (InvalidConfigurationException e) {
            throw new InvalidConfigurationException("vllm_version", source + ": " + e.getMessage());
        }
        double util = root.has("gpu_memory_utilization") ? number(root.get("gpu_memory_utilization"), "gpu_memory_utilization", source)
                : VllmReleases.defaultUtilization(version);
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
        ServingEngine engine = root.has("engine") ? ServingEngine.parse(text(root, "engine", source)) : ServingEngine.VLLM;
        double headroom = root.has("headroom") ? number(root.get("headroom"), "headroom", source) : PlanRequest.DEFAULT_HEADROOM;
        if (!(headroom > 0 && headroom <= 1)) {
            throw new InvalidConfigurationException("headroom", source + ": headroom was " + headroom + "; allowed: above 0 and at most 1");
        }
        SweepSpec spec = new SweepSpec(root.has("name") ? text(root, "name", source) : "AutoParallel sweep", models,
                clusters, seqs, batches, objectives, maxConfigs, version, util, kv, hours,
                prices == null || prices.isNull() ? null : prices, output, quantization, lmOnly != null && lmOnly.asBoolean(),
                demands, engine, headroom, reportTargets, speculative(root.get("speculative"), source));
        if (spec.cellCount() > MAX_CELLS) {
            throw new InvalidConfigurationException("models", source + ": the spec has " + spec.cellCount()
                    + " cells; allowed: at most " + MAX_CELLS);
        }
        return spec;
    }

    /**
     * {@code "speculative": {"method": "mtp", "num_speculative_tokens": 1, "acceptance": [0.85]}} (and for eagle3
     * {@code "draft_model"}, read by the job with the models); absent: none.
     */
    private static SpeculativeDecoding speculative(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return SpeculativeDecoding.NONE;
        }
        if (!node.isObject()) {
            throw new InvalidConfigurationException("speculative", source + ": speculative is an object with method, "
                    + "num_speculative_tokens and acceptance");
        }
        unknownKeys(node, SPECULATIVE_KEYS, source + " speculative", "speculative.");
        SpeculativeDecoding.Method method = node.has("method")
                ? SpeculativeDecoding.Method.parse(text(node, "method", source)) : SpeculativeDecoding.Method.NONE;
        int k = node.has("num_speculative_tokens")
                ? intIn(node.get("num_speculative_tokens"), "num_speculative_tokens", source, 1, SpeculativeDecoding.MAX_SPECULATIVE_TOKENS)
                : method == SpeculativeDecoding.Method.NONE ? 0 : 1;
        List<Double> rates = new ArrayList<>();
        if (node.has("acceptance")) {
            for (JsonNode a : list(node, "acceptance", source)) {
                rates.add(number(a, "acceptance", source));
            }
        }
        String draft = node.has("draft_model") ? text(node, "draft_model", source) : null;
        return SpeculativeDecoding.of(method, k, rates, draft);
    }

    private static ClusterShape cluster(JsonNode c, String where) {
        if (c == null || !c.isObject()) {
            throw new InvalidConfigurationException("clusters", where + ": each cluster is an object with "
                    + String.join(", ", new TreeSet<>(CLUSTER_KEYS)));
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
        return new ClusterShape(name, gpu, perNode, nodes, memory, price, c.has("nodes"));
    }

    private static void unknownKeys(JsonNode node, Set<String> allowed, String where, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidConfigurationException(prefix + k, where + ": unknown field '" + k + "'; allowed: "
                        + String.join(", ", new TreeSet<>(allowed)));
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

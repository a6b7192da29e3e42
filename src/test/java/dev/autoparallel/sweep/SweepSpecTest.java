package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.layout.Objective;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SweepSpecTest {
    private static final String OK = """
            {"models": ["meta-llama/Llama-3.1-8B-Instruct"], "clusters": [{"name": "h", "gpu": "H100"}],
             "sequence_lengths": [2048], "batch_sizes": [1, 8]}""";

    private static InvalidConfigurationException bad(String json) {
        return assertThrows(InvalidConfigurationException.class, () -> SweepSpec.parse(json, "spec.json"));
    }

    @Test
    void minimalSpec_takesDocumentedDefaults() {
        SweepSpec s = SweepSpec.parse(OK, "spec.json");
        assertEquals(2, s.cellCount());
        assertEquals(java.util.List.of(Objective.MINIMIZE_GPUS), s.objectives());
        assertEquals(3, s.maxConfigs());
        assertEquals(8, s.clusters().get(0).gpusPerNode());
        assertEquals(0.92, s.gpuMemoryUtilization()); // vLLM's default from 0.20 (PR #38284)
    }

    @Test
    void brokenSpecs_nameTheField() {
        assertEquals("spec", bad("{not json").field());
        assertEquals("models", bad(OK.replace("[\"meta-llama/Llama-3.1-8B-Instruct\"]", "[]")).field());
        assertEquals("gpu", bad(OK.replace("\"H100\"", "\"TPU-v9\"")).field());
        assertEquals("batch_sizes", bad(OK.replace("[1, 8]", "[0]")).field());
        assertEquals("sequence_lengths", bad(OK.replace("[2048]", "[\"long\"]")).field());
        assertEquals("colour", bad(OK.replace("{\"models\"", "{\"colour\": 1, \"models\"")).field());
        assertEquals("objective", bad(OK.replace("\"batch_sizes\"", "\"objectives\": [\"fastest\"], \"batch_sizes\"")).field());
        assertEquals("price_usd_per_gpu_hour", bad(OK.replace("\"gpu\": \"H100\"", "\"gpu\": \"H100\", \"price_usd_per_gpu_hour\": -2")).field());
        assertEquals("clusters", bad(OK.replace("[{\"name\": \"h\", \"gpu\": \"H100\"}]",
                "[{\"name\": \"h\", \"gpu\": \"H100\"}, {\"name\": \"h\", \"gpu\": \"H200\"}]")).field());
        InvalidConfigurationException future = bad(OK.replace("{\"models\"", "{\"vllm_version\": \"0.40.0\", \"models\""));
        assertEquals("vllm_version", future.field());
        assertTrue(future.getMessage().startsWith("spec.json: vllm_version was 0.40.0"), future.getMessage());
        InvalidConfigurationException e = bad(OK.replace("{\"name\": \"h\"", "{\"nam\": \"h\""));
        assertTrue(e.getMessage().contains("allowed: gpu, gpu_memory_gb, gpus_per_node, name, nodes, price_usd_per_gpu_hour"),
                e.getMessage());
    }

    @Test
    void speculativeDecoding_isReadFromTheSpec() {
        SweepSpec none = SweepSpec.parse(OK, "spec.json");
        assertEquals(dev.autoparallel.memory.SpeculativeDecoding.NONE, none.speculative());
        SweepSpec s = SweepSpec.parse(OK.replace("{\"models\"", "{\"speculative\": {\"method\": \"ngram\", "
                + "\"num_speculative_tokens\": 3, \"acceptance\": [0.7, 0.5, 0.3]}, \"models\""), "spec.json");
        assertEquals(dev.autoparallel.memory.SpeculativeDecoding.Method.NGRAM, s.speculative().method());
        assertEquals(java.util.List.of(0.7, 0.5, 0.3), s.speculative().acceptance());
        assertEquals(2.5, s.speculative().meanTokensPerStep(), 1e-12);
        // MTP without rates is resolved per model later; bad fields are named.
        SweepSpec mtp = SweepSpec.parse(OK.replace("{\"models\"", "{\"speculative\": {\"method\": \"mtp\"}, \"models\""),
                "spec.json");
        assertEquals(1, mtp.speculative().numSpeculativeTokens());
        assertEquals("speculative.draft", bad(OK.replace("{\"models\"", "{\"speculative\": {\"draft\": 1}, \"models\"")).field());
        assertEquals("speculative_method", bad(OK.replace("{\"models\"", "{\"speculative\": {\"method\": \"medusa\"}, \"models\""))
                .field());
        assertEquals("num_speculative_tokens", bad(OK.replace("{\"models\"",
                "{\"speculative\": {\"method\": \"mtp\", \"num_speculative_tokens\": 0}, \"models\"")).field());
        assertEquals("speculative_acceptance", bad(OK.replace("{\"models\"",
                "{\"speculative\": {\"method\": \"ngram\", \"acceptance\": [1.5]}, \"models\"")).field());
    }

    @Test
    void sampleInputs_areValid_andTheFleetPlanIsRealistic() throws Exception {
        for (String name : new String[] {"fleet-capacity.json", "hardware-purchase.json", "long-context.json", "quick.json",
                "traffic-slo.json"}) {
            Path p = Path.of("sample-inputs", name);
            SweepSpec s = SweepSpec.parse(Files.readString(p), p.toString());
            assertTrue(s.cellCount() > 0, name);
        }
        SweepSpec fleet = SweepSpec.parse(Files.readString(Path.of("sample-inputs/fleet-capacity.json")), "fleet");
        assertTrue(fleet.models().size() >= 20 && fleet.clusters().size() >= 6);
    }

    @Test
    void trafficSpecs_giveOneDemandPerModelAndRate_withPerModelOverrides() throws Exception {
        SweepSpec s = SweepSpec.parse(Files.readString(Path.of("sample-inputs/traffic-slo.json")), "traffic");
        assertTrue(s.trafficMode());
        assertTrue(s.models().size() >= 8, "a realistic fleet: " + s.models().size());
        assertEquals(9, s.demands().size()); // Llama-3.3-70B at two rates, seven models at one
        assertEquals(s.demands().size() * 4L, s.cellCount());
        SweepSpec.Demand eight = s.demands().get(2);
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", s.models().get(eight.model()));
        assertEquals(50, eight.traffic().requestsPerSecond());
        assertEquals(99, eight.slo().percentile());
        assertEquals(500.0, eight.slo().ttftMs());
        SweepSpec.Demand moe = s.demands().get(4);
        assertEquals(2000.0, moe.slo().ttftMs()); // the spec's global targets where the model names none
        assertEquals(2560, moe.traffic().maxModelLen());
    }

    @Test
    void brokenTrafficSpecs_nameTheField() {
        String base = "{\"models\": [\"meta-llama/Llama-3.1-8B\"], \"clusters\": [{\"gpu\": \"H100\"}], ";
        String[][] cases = {
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 10, \"output_tokens\": 10}, \"sequence_lengths\": [1024]}",
                        "sequence_lengths"},
                {"\"traffic\": {\"request_rates\": [-1], \"input_tokens\": 10, \"output_tokens\": 10}}", "request_rate"},
                {"\"traffic\": {\"request_rates\": [1], \"output_tokens\": 10}}", "input_tokens"},
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 10, \"output_tokens\": 10, \"burst\": 2}}",
                        "traffic.burst"},
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 10, \"output_tokens\": 10}, \"slo\": {\"percentile\": 95, \"ttft_ms\": 1}}",
                        "percentile"},
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 10, \"output_tokens\": 10}, \"slo\": {}}", "slo"},
        };
        // A model's own targets need traffic; a global slo in a workload sweep sets the report's targets instead.
        InvalidConfigurationException own = assertThrows(InvalidConfigurationException.class, () -> SweepSpec.parse(
                "{\"models\": [{\"id\": \"meta-llama/Llama-3.1-8B\", \"slo\": {\"ttft_ms\": 100}}], \"clusters\": [{\"gpu\": "
                        + "\"H100\"}], \"sequence_lengths\": [1024], \"batch_sizes\": [1]}", "spec"));
        assertEquals("slo", own.field());
        assertEquals(100.0, SweepSpec.parse(base + "\"sequence_lengths\": [1024], \"batch_sizes\": [1], \"slo\": {\"ttft_ms\": 100}}",
                "spec").reportTargets().ttftMs());
        for (String[] c : cases) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> SweepSpec.parse(base + c[0], "spec"), c[0]);
            assertEquals(c[1], e.field(), e.getMessage());
        }
    }

    @Test
    void trafficInTokensPerDay_histograms_prefixReuse_andPerUserRates() {
        SweepSpec s = SweepSpec.parse("{\"models\": [\"meta-llama/Llama-3.1-8B\", {\"id\": \"Qwen/Qwen3-8B\", \"traffic\": "
                + "{\"request_rates\": [3], \"input_histogram\": [[100, 1], [300, 1]]}}], \"clusters\": [{\"gpu\": \"H100\"}], "
                + "\"traffic\": {\"tokens_per_day\": [86400000], \"input_tokens\": 900, \"output_tokens\": 100, "
                + "\"prefix_cache_hit_rate\": 0.25}, \"slo\": {\"ttft_ms\": 1000, \"min_tokens_per_second_per_user\": 30}}",
                "spec");
        SweepSpec.Demand day = s.demands().get(0);
        assertEquals(1.0, day.traffic().requestsPerSecond(), 1e-12); // 86.4 M tokens a day of 1,000-token requests
        assertEquals(0.25, day.traffic().prefixHitRate());
        assertEquals(1000 / 30.0, day.slo().effectiveTpotMs(), 1e-12);
        // The model's own rates and histogram replace the global tokens per day and fixed prompt length.
        SweepSpec.Demand own = s.demands().get(1);
        assertEquals(3.0, own.traffic().requestsPerSecond());
        assertEquals(200.0, own.traffic().input().mean());
        assertEquals(100.0, own.traffic().output().mean());
        String base = "{\"models\": [\"meta-llama/Llama-3.1-8B\"], \"clusters\": [{\"gpu\": \"H100\"}], ";
        String[][] cases = {
                {"\"traffic\": {\"request_rates\": [1], \"tokens_per_day\": [1], \"input_tokens\": 1, \"output_tokens\": 1}}",
                        "request_rates"},
                {"\"traffic\": {\"request_rates\": [1], \"input_histogram\": [[1, 1]], \"input_tokens\": 1, \"output_tokens\": 1}}",
                        "input_histogram"},
                {"\"traffic\": {\"request_rates\": [1], \"input_histogram\": [[1]], \"output_tokens\": 1}}", "input_histogram"},
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 1, \"output_tokens\": 1, \"prefix_cache_hit_rate\": 1}}",
                        "prefix_cache_hit_rate"},
                {"\"traffic\": {\"request_rates\": [1], \"input_tokens\": 1, \"output_tokens\": 1}, "
                        + "\"slo\": {\"min_tokens_per_second_per_user\": 0}}", "min_tokens_per_second_per_user"},
        };
        for (String[] c : cases) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> SweepSpec.parse(base + c[0], "spec"), c[0]);
            assertEquals(c[1], e.field(), e.getMessage());
        }
    }
}

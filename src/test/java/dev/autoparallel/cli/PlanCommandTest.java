package dev.autoparallel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.cli.MainTest.Run;
import org.junit.jupiter.api.Test;

/** {@code plan}: the fleet for a request rate within latency targets (issue 10's acceptance cases). */
class PlanCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode plan(String rate) throws Exception {
        Run r = MainTest.run("plan", "meta-llama/Llama-3.3-70B-Instruct", "--gpu", "H100", "--request-rate", rate,
                "--input-tokens", "2048", "--output-tokens", "512", "--ttft-ms", "2000", "--tpot-ms", "50", "--percentile", "90",
                "--json");
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void llama70bOnH100_meetsBothTargetsInSimulation_andFourTimesTheRateNeedsAboutFourTimesTheGpus() throws Exception {
        JsonNode ten = plan("10");
        for (String key : new String[] {"replicas", "tensor_parallel", "pipeline_parallel", "expert_parallel", "total_gpus",
                "engine", "max_num_seqs", "ttft_ms", "tpot_ms", "meets_slo", "monthly_cost_usd", "cost_per_million_tokens_usd",
                "deployment_command", "alternatives", "pareto"}) {
            assertTrue(ten.has(key), key);
        }
        assertTrue(ten.get("meets_slo").asBoolean());
        assertTrue(ten.get("simulated").asBoolean());
        assertTrue(ten.get("ttft_ms").asDouble() <= 2000, ten.toString());
        assertTrue(ten.get("tpot_ms").asDouble() <= 50, ten.toString());
        assertTrue(ten.get("deployment_command").asText().startsWith("vllm serve meta-llama/Llama-3.3-70B-Instruct"));
        assertTrue(ten.get("pareto").size() > 0);

        // Owning the nodes: HGX H100 8-GPU servers at $255,237 (street, 2025-01-31, Epoch AI's price data), written off over
        // 5 years, plus 10.2 kW x 0.75 average x PUE 1.25 x 730 h x $0.083/kWh each (prices/servers.json, OwnedCost).
        int servers = ten.get("nodes").asInt();
        assertEquals(servers * 255_237.0, ten.get("owned_upfront_usd").asDouble(), 0.5);
        double power = servers * 10.2 * 0.75 * 1.25 * 730 * 0.083;
        assertEquals(servers * 255_237.0 / 60 + power, ten.get("owned_monthly_cost_usd").asDouble(), 0.01);
        assertTrue(ten.get("owned_monthly_cost_usd").asDouble() < ten.get("monthly_cost_usd").asDouble());

        JsonNode forty = plan("40");
        assertTrue(forty.get("meets_slo").asBoolean());
        double ratio = forty.get("total_gpus").asDouble() / ten.get("total_gpus").asDouble();
        assertTrue(ratio >= 3 && ratio <= 4.5, "GPUs for 4x the rate: " + ten.get("total_gpus") + " -> " + forty.get("total_gpus"));
        assertTrue(forty.get("replicas").asInt() > ten.get("replicas").asInt());
    }

    @Test
    void anImpossibleTarget_exits4_namingIt() {
        Run r = MainTest.run("plan", "meta-llama/Llama-3.3-70B-Instruct", "--gpu", "H100", "--request-rate", "10",
                "--input-tokens", "2048", "--output-tokens", "512", "--tpot-ms", "1");
        assertEquals(4, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("TPOT target of 1.0 ms cannot be met"), r.err());
        assertFalse(r.err().contains("\tat "));
    }

    @Test
    void severalGpus_recommendTheCheapestThatMeetsTheTargets() throws Exception {
        Run r = MainTest.run("plan", "Qwen/Qwen3-32B", "--gpu", "H100,H200,L40S", "--request-rate", "5", "--input-tokens", "1024",
                "--output-tokens", "256", "--input-spread", "0.8", "--output-spread", "1", "--percentile", "99", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        double cost = j.get("monthly_cost_usd").asDouble();
        for (JsonNode a : j.get("alternatives")) {
            if (a.get("simulated").asBoolean() && a.get("meets_slo").asBoolean() && !a.get("monthly_cost_usd").isNull()) {
                assertTrue(a.get("monthly_cost_usd").asDouble() >= cost, a.toString());
            }
        }
        assertEquals(2000.0, j.get("ttft_slo_ms").asDouble()); // the documented interactive default
    }

    @Test
    void badTraffic_exits2_namingTheField() {
        Run r = MainTest.run("plan", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--request-rate", "-3", "--input-tokens", "10",
                "--output-tokens", "10");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("request_rate"), r.err());
        assertEquals(2, MainTest.run("plan", "meta-llama/Llama-3.1-8B", "--gpu", "H100", "--request-rate", "3", "--input-tokens",
                "10", "--output-tokens", "10", "--percentile", "95").code());
    }
}

package dev.autoparallel.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    @Test
    void builtIn_coversEveryRequiredGpuAndCloud() {
        var t = PriceTable.builtIn();
        for (String gpu : new String[] {"V100-16GB", "A10G", "L4", "L40S", "A100-40GB", "A100-80GB", "H100-SXM", "H200", "B200", "MI300X"}) {
            assertTrue(t.entries().stream().anyMatch(e -> e.gpu().equals(gpu)), gpu);
        }
        for (String instance : new String[] {"p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge", "g6e.xlarge",
                "a3-highgpu-8g", "Standard_ND96isr_H100_v5"}) {
            assertTrue(t.entries().stream().anyMatch(e -> e.instance().equals(instance)), instance);
        }
        assertTrue(t.entries().stream().allMatch(e -> e.asOf().matches("\\d{4}-\\d{2}") && !e.source().isBlank()));
    }

    @Test
    void wholeInstances_areBilledWhole() {
        PriceEntry p5 = PriceTable.builtIn().entries().stream().filter(e -> e.instance().equals("p5.48xlarge")).findFirst().orElseThrow();
        CostQuote q = PriceTable.quote(p5, 3, 730);
        assertEquals(8, q.billedGpus());
        assertEquals(55.04 * 730, q.monthlyUsd(), 1e-6);
        assertTrue(q.assumptions().contains("whole instances billed"), q.assumptions());
        assertTrue(q.assumptions().contains("2025-06"), q.assumptions());
    }

    @Test
    void overrides_replaceAndExtend() {
        String json = "{\"entries\": [{\"provider\": \"aws\", \"instance\": \"p5.48xlarge\", \"gpu\": \"H100\", \"gpus\": 8,"
                + " \"usd_per_hour\": 40.0, \"as_of\": \"2026-11\", \"source\": \"our contract\"},"
                + " {\"provider\": \"onprem\", \"instance\": \"rack-h100\", \"gpu\": \"H100\", \"gpus\": 1, \"usd_per_hour\": 1.2,"
                + " \"whole_instance\": false}]}";
        PriceTable t = PriceTable.builtIn().withOverrides(json, "prices.json");
        assertEquals(40.0, t.entries().stream().filter(e -> e.instance().equals("p5.48xlarge")).findFirst().orElseThrow().usdPerHour());
        CostQuote cheapest = t.cheapest("H100-SXM", 3, 730).orElseThrow();
        assertEquals("rack-h100", cheapest.offer().instance());
        assertEquals(3 * 1.2 * 730, cheapest.monthlyUsd(), 1e-6);
    }

    @Test
    void badOverrides_nameTheField() {
        assertEquals("usd_per_hour", assertThrows(InvalidConfigurationException.class, () -> PriceTable.builtIn().withOverrides(
                "{\"entries\": [{\"provider\": \"x\", \"instance\": \"y\", \"gpu\": \"H100\", \"gpus\": 8, \"usd_per_hour\": -1}]}",
                "p.json")).field());
        assertEquals("gpu", assertThrows(InvalidConfigurationException.class, () -> PriceTable.builtIn().withOverrides(
                "{\"entries\": [{\"provider\": \"x\", \"instance\": \"y\", \"gpu\": \"TPU\", \"gpus\": 8, \"usd_per_hour\": 1}]}",
                "p.json")).field());
        assertEquals("entries", assertThrows(InvalidConfigurationException.class,
                () -> PriceTable.builtIn().withOverrides("{}", "p.json")).field());
    }
}

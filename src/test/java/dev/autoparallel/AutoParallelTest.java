package dev.autoparallel;

import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed API (spec/autoparallel-api.md): keys, defaults, objectives, errors. */
class AutoParallelTest {
    private static final Map<String, Object> H100X8 = Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 1,
            "gpu_architecture", "H100");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void analyze_returnsTheSeedsKeys_inOrder() {
        List<Configuration> configs = AutoParallel.analyze("meta-llama/Llama-2-7b-hf", Map.of("gpu_memory_gb", 80,
                "gpus_per_node", 8, "num_nodes", 1));
        assertTrue(configs.size() <= 5 && !configs.isEmpty());
        JsonNode c = JSON.valueToTree(configs.get(0));
        List<String> keys = new ArrayList<>();
        c.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("tensor_parallel", "pipeline_parallel", "expert_parallel", "data_parallel", "total_gpus",
                "memory_per_gpu_gb", "memory_utilization", "memory_breakdown", "deployment_command"), keys.subList(0, 9));
        List<String> breakdown = new ArrayList<>();
        c.get("memory_breakdown").fieldNames().forEachRemaining(breakdown::add);
        assertEquals(List.of("weights", "activations", "kv_cache", "framework_overhead", "total"), breakdown);
        assertTrue(c.get("deployment_command").asText().startsWith("vllm serve meta-llama/Llama-2-7b-hf"));
    }

    @Test
    void analyze_llama2_7b_fitsOnOneGpu_rankedFirst() {
        Configuration best = AutoParallel.analyze("meta-llama/Llama-2-7b-hf", H100X8).get(0);
        assertEquals(1, best.totalGpus());
        MemoryBreakdown b = best.memoryBreakdown();
        assertEquals(b.weights() + b.activations() + b.kvCache() + b.frameworkOverhead(), b.total(), 0.002);
        // 32 sequences x 2048 tokens x 512 KiB per token (2 x 32 layers x 4096 x 2 B) = 32 GiB of KV.
        assertEquals(32.0, b.kvCache(), 0.001);
        assertTrue(best.memoryUtilization() <= 0.9);
    }

    @Test
    void objectives_differ_andBalancedIsDocumentedTradeOff() {
        Map<String, Object> cluster = Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 4, "gpu_architecture", "H100");
        Configuration few = AutoParallel.bestConfig("meta-llama/Llama-2-70b-hf", cluster, "minimize_gpus");
        Configuration many = AutoParallel.bestConfig("meta-llama/Llama-2-70b-hf", cluster, "maximize_batch");
        Configuration balanced = AutoParallel.bestConfig("meta-llama/Llama-2-70b-hf", cluster, "balanced");
        assertTrue(few.totalGpus() < many.totalGpus());
        assertTrue(many.engineView().clusterMaxConcurrency() >= balanced.engineView().clusterMaxConcurrency());
        assertTrue(balanced.engineView().clusterMaxConcurrency() / balanced.totalGpus()
                >= many.engineView().clusterMaxConcurrency() / many.totalGpus() - 1e-9);
    }

    @Test
    void insufficientMemory_saysWhatWouldFit() {
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class, () -> AutoParallel.analyze(
                "meta-llama/Llama-3.1-405B", Map.of("gpu_architecture", "L4", "gpus_per_node", 4, "num_nodes", 1)));
        assertNotNull(e.minimumGpus());
        assertTrue(e.minimumGpus() > 4);
        assertTrue(e.minimumGpuMemoryGib() > 22);
        assertTrue(e.getMessage().contains("at least " + e.minimumGpus() + " GPUs"), e.getMessage());
    }

    @Test
    void workloadErrors_nameTheField() {
        assertEquals("sequence_length", assertThrows(InvalidConfigurationException.class,
                () -> AutoParallel.analyze("meta-llama/Llama-2-7b-hf", H100X8, 8192, 1, 5)).field()); // max_position 4096
        assertEquals("batch_size", assertThrows(InvalidConfigurationException.class,
                () -> AutoParallel.analyze("meta-llama/Llama-2-7b-hf", H100X8, 2048, 0, 5)).field());
        assertEquals("max_configs", assertThrows(InvalidConfigurationException.class,
                () -> AutoParallel.analyze("meta-llama/Llama-2-7b-hf", H100X8, 2048, 1, 0)).field());
        assertEquals("objective", assertThrows(InvalidConfigurationException.class,
                () -> AutoParallel.bestConfig("meta-llama/Llama-2-7b-hf", H100X8, "cheapest")).field());
    }

    @Test
    void checkMemoryRequirements_growWithSequenceLength() {
        MemoryRequirements short4k = AutoParallel.checkMemoryRequirements("meta-llama/Llama-3.1-70B", 4096);
        MemoryRequirements long32k = AutoParallel.checkMemoryRequirements("meta-llama/Llama-3.1-70B", 32768);
        assertEquals(131.42, short4k.modelSizeGb(), 0.1); // 141.1 GB bf16 = 131.4 GiB (+ rope cache)
        assertTrue(long32k.minimumMemoryGb() > short4k.minimumMemoryGb());
        assertTrue(short4k.recommendedMemoryGb() > short4k.minimumMemoryGb());
        assertTrue(short4k.supportsQuantization());
        assertEquals(1.25, short4k.kvCacheGbPerSequence(), 0.001); // 4096 x 320 KiB
    }

    @Test
    void estimateCost_namesInstanceAndDate() {
        CostEstimate c = AutoParallel.estimateCost("meta-llama/Llama-2-70b-hf", Map.of("gpu_memory_gb", 80,
                "gpus_per_node", 8, "num_nodes", 2, "gpu_architecture", "H100"));
        assertTrue(c.gpusNeeded() >= 2);
        assertTrue(c.assumptions().contains(c.instance()) && c.assumptions().contains(c.priceAsOf()), c.assumptions());
        assertEquals(c.estimatedMonthlyCostUsd(), c.costPerGpuHour() * c.gpusNeeded() * 730, c.estimatedMonthlyCostUsd() * 0.001);
        assertFalse(c.assumptions().isBlank());
    }
}

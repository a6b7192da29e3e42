package dev.autoparallel.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterTest {
    private static InvalidConfigurationException bad(Map<String, ?> m) {
        return assertThrows(InvalidConfigurationException.class, () -> Cluster.fromMap(m));
    }

    @Test
    void seedMap_withArchitecture_usesRuntimeReportedMemory() {
        Cluster c = Cluster.fromMap(Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 4, "gpu_architecture", "H100"));
        assertEquals(79.18, c.gpuMemoryGib(), 0.005); // reference set: H100 80GB is 79.18 GiB to vLLM
        assertEquals(32, c.totalGpus());
        // A100 with 80 picks the 80 GB variant; with 40 the 40 GB one.
        assertEquals("A100-80GB", Cluster.fromMap(Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 1,
                "gpu_architecture", "A100")).gpu().name());
        assertEquals("A100-40GB", Cluster.fromMap(Map.of("gpu_memory_gb", 40, "gpus_per_node", 8, "num_nodes", 1,
                "gpu_architecture", "A100")).gpu().name());
    }

    @Test
    void seedMap_memoryAlone_isTakenAsGiven() {
        Cluster c = Cluster.fromMap(Map.of("gpu_memory_gb", 48, "gpus_per_node", 2, "num_nodes", 1));
        assertEquals(48.0, c.gpuMemoryGib(), 1e-9);
    }

    @Test
    void badClusters_nameTheField() {
        assertEquals("gpu_memory_gb", bad(Map.of("gpu_memory_gb", -80, "gpus_per_node", 8, "num_nodes", 1)).field());
        assertEquals("gpu_memory_gb", bad(Map.of("gpu_memory_gb", Double.NaN, "gpus_per_node", 8, "num_nodes", 1)).field());
        assertEquals("gpu_memory_gb", bad(Map.of("gpu_memory_gb", 1e9, "gpus_per_node", 8, "num_nodes", 1)).field());
        assertEquals("gpus_per_node", bad(Map.of("gpu_memory_gb", 80, "gpus_per_node", 0, "num_nodes", 1)).field());
        assertEquals("num_nodes", bad(Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 2.5)).field());
        assertEquals("gpu_memory_gb", bad(Map.of("gpus_per_node", 8, "num_nodes", 1)).field());
        assertEquals("typo", bad(Map.of("gpu_memory_gb", 80, "gpus_per_node", 8, "num_nodes", 1, "typo", 1)).field());
        InvalidConfigurationException arch = bad(Map.of("gpus_per_node", 8, "num_nodes", 1, "gpu_architecture", "TPUv5"));
        assertEquals("gpu_architecture", arch.field());
        assertTrue(arch.getMessage().contains("H100") && arch.getMessage().contains("MI300X"), arch.getMessage());
        Map<String, Object> nullMemory = new HashMap<>(Map.of("gpus_per_node", 8, "num_nodes", 1));
        nullMemory.put("gpu_memory_gb", "eighty");
        assertEquals("gpu_memory_gb", bad(nullMemory).field());
    }

    @Test
    void objectives_parseAndRefuseUnknownNames() {
        assertEquals(Objective.MAXIMIZE_BATCH, Objective.parse("maximize-batch"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> Objective.parse("fastest"));
        assertTrue(e.getMessage().contains("minimize_gpus, maximize_batch, balanced"), e.getMessage());
    }
}

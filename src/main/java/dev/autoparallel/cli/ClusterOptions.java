package dev.autoparallel.cli;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.layout.Cluster;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The cluster options shared by analyze, best and cost: the seed's cluster map as flags. */
final class ClusterOptions {
    @Option(names = "--gpu", description = "GPU type: H100, H100-PCIe, H200, B200, B300, GB200, GB300, RTX-PRO-6000, RTX-5090, RTX-4090, A100-40GB, A100-80GB, L40S, L4, A10G, V100-16GB, V100-32GB, MI300X")
    String gpu;

    @Option(names = "--gpu-memory-gb", description = "memory per GPU in GiB (with --gpu: caps the catalog figure)")
    Double gpuMemoryGb;

    @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs per node (default: ${DEFAULT-VALUE})")
    int gpusPerNode;

    @Option(names = "--nodes", defaultValue = "1", description = "number of nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--allow-cross-node-tp", description = "let tensor parallelism span nodes")
    boolean crossNodeTp;

    Cluster cluster() {
        if (gpu == null && gpuMemoryGb == null) {
            throw new InvalidConfigurationException("gpu", "give --gpu NAME or --gpu-memory-gb GIB");
        }
        Map<String, Object> map = new HashMap<>();
        if (gpu != null) {
            map.put("gpu_architecture", gpu);
        }
        if (gpuMemoryGb != null) {
            map.put("gpu_memory_gb", gpuMemoryGb);
        }
        map.put("gpus_per_node", gpusPerNode);
        map.put("num_nodes", nodes);
        map.put("allow_cross_node_tp", crossNodeTp);
        return Cluster.fromMap(map);
    }
}

package dev.autoparallel.layout;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.hardware.Vendor;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * GPUs to plan for: {@code numNodes} nodes of {@code gpusPerNode} GPUs. {@code gpuMemoryBytes}
 * is the runtime-reported memory of one GPU; with a known GPU type it is the smaller of the
 * catalog's figure (79.18 GiB for an H100) and what the user gave.
 *
 * @param allowCrossNodeTp let tensor parallelism span nodes (off: vLLM's TP wants NVLink)
 */
public record Cluster(Gpu gpu, long gpuMemoryBytes, int gpusPerNode, int numNodes, boolean allowCrossNodeTp)
        implements Serializable {
    private static final long GIB = 1L << 30;
    /** Larger than any accelerator sold (B300: 288 GB); a bigger figure is a typo. */
    static final double MAX_GPU_MEMORY_GB = 4096;
    static final int MAX_GPUS = 1 << 16;
    static final Set<String> MAP_KEYS = Set.of("gpu_memory_gb", "gpus_per_node", "num_nodes", "gpu_architecture",
            "allow_cross_node_tp");

    public Cluster {
        if (gpusPerNode < 1 || gpusPerNode > 1024) {
            throw new InvalidConfigurationException("gpus_per_node", "gpus_per_node was " + gpusPerNode
                    + "; allowed: a whole number from 1 to 1024");
        }
        if (numNodes < 1 || (long) numNodes * gpusPerNode > MAX_GPUS) {
            throw new InvalidConfigurationException("num_nodes", "num_nodes was " + numNodes
                    + "; allowed: a whole number from 1 with at most " + MAX_GPUS + " GPUs in all");
        }
        if (gpuMemoryBytes <= 0) {
            throw new InvalidConfigurationException("gpu_memory_gb", "gpu_memory_gb must be positive");
        }
    }

    public int totalGpus() {
        return gpusPerNode * numNodes;
    }

    public double gpuMemoryGib() {
        return gpuMemoryBytes / (double) GIB;
    }

    /** A cluster of a catalog GPU type, at the memory the runtime reports for it. */
    public static Cluster of(String gpuName, int gpusPerNode, int numNodes) {
        Gpu g = GpuCatalog.require(gpuName, "gpu");
        return new Cluster(g, g.memoryBytes(), gpusPerNode, numNodes, false);
    }

    /**
     * A cluster of a catalog GPU type; {@code memoryGib}, when given, caps the memory per GPU the
     * runtime reports (a GPU with some memory taken, a partition).
     */
    public static Cluster of(String gpuName, Double memoryGib, int gpusPerNode, int numNodes) {
        Gpu g = GpuCatalog.require(gpuName, memoryGib, "gpu");
        long bytes = memoryGib == null ? g.memoryBytes() : Math.min(g.memoryBytes(), Math.round(memoryGib * GIB));
        return new Cluster(g, bytes, gpusPerNode, numNodes, false);
    }

    public Cluster withCrossNodeTp(boolean allow) {
        return new Cluster(gpu, gpuMemoryBytes, gpusPerNode, numNodes, allow);
    }

    /**
     * The seed's map form: {@code {gpu_memory_gb, gpus_per_node, num_nodes, gpu_architecture?}}.
     * {@code gpu_memory_gb} is GiB; either it or a known {@code gpu_architecture} is required.
     */
    public static Cluster fromMap(Map<String, ?> map) {
        for (String k : map.keySet()) {
            if (!MAP_KEYS.contains(k)) {
                throw new InvalidConfigurationException(k, "cluster key '" + k + "' is not known; allowed: "
                        + String.join(", ", List.copyOf(new TreeSet<>(MAP_KEYS))));
            }
        }
        Double memory = map.containsKey("gpu_memory_gb") ? number(map, "gpu_memory_gb") : null;
        if (memory != null && !(memory > 0 && memory <= MAX_GPU_MEMORY_GB)) {
            throw new InvalidConfigurationException("gpu_memory_gb", "gpu_memory_gb was " + memory
                    + "; allowed: more than 0 and at most " + (int) MAX_GPU_MEMORY_GB + " (GiB per GPU)");
        }
        int perNode = wholeNumber(map, "gpus_per_node", 1);
        int nodes = wholeNumber(map, "num_nodes", 1);
        boolean cross = Boolean.TRUE.equals(map.get("allow_cross_node_tp"));
        Object arch = map.get("gpu_architecture");
        if (arch != null) {
            Gpu g = GpuCatalog.require(String.valueOf(arch), memory, "gpu_architecture");
            long bytes = memory == null ? g.memoryBytes() : Math.min(g.memoryBytes(), Math.round(memory * GIB));
            return new Cluster(g, bytes, perNode, nodes, cross);
        }
        if (memory == null) {
            throw new InvalidConfigurationException("gpu_memory_gb",
                    "cluster needs gpu_memory_gb (GiB per GPU) or a known gpu_architecture");
        }
        return new Cluster(custom(memory), Math.round(memory * GIB), perNode, nodes, cross);
    }

    /** An unnamed NVIDIA GPU of the given memory, for clusters that give memory alone. */
    static Gpu custom(double memoryGib) {
        return new Gpu(String.format(Locale.ROOT, "GPU-%.0fGiB", memoryGib), List.of(), Vendor.NVIDIA, 0, memoryGib,
                Math.round(memoryGib * GIB), 0, 0, 0, 0, 0, "given by the user");
    }

    private static double number(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
            throw new InvalidConfigurationException(key, key + " was " + v + "; allowed: a finite number");
        }
        return n.doubleValue();
    }

    private static int wholeNumber(Map<String, ?> map, String key, int min) {
        if (!map.containsKey(key)) {
            throw new InvalidConfigurationException(key, "cluster needs " + key);
        }
        double v = number(map, key);
        if (v != Math.rint(v) || v < min || v > MAX_GPUS) {
            throw new InvalidConfigurationException(key, key + " was " + map.get(key)
                    + "; allowed: a whole number from " + min + " to " + MAX_GPUS);
        }
        return (int) v;
    }
}

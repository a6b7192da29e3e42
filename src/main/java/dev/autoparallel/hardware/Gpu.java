package dev.autoparallel.hardware;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One GPU model. Memory is what the runtime reports as total device memory (vLLM's
 * {@code total_gpu_memory}), not the marketing size: an H100 80GB is 79.18 GiB to vLLM.
 * Throughput fields are dense (no sparsity) peak numbers from the vendor's data sheet.
 *
 * @param computeCapability CUDA SM version times 10 (90 for Hopper), 0 for AMD
 * @param intraNodeBytesPerSecond GPU-to-GPU bandwidth inside a node, one direction
 * @param interNodeBytesPerSecond network bandwidth per GPU between nodes, one direction
 * @param nvlinkDomainGpus  GPUs joined by NVLink beyond one node (72 in a GB200 / GB300 NVL72 rack), so tensor
 *                          parallelism can span nodes within it; 0 where NVLink ends at the node
 */
public record Gpu(String name, List<String> aliases, Vendor vendor, int computeCapability, double nominalMemoryGb,
                  long memoryBytes, double bf16Tflops, double fp8Tflops, double hbmBytesPerSecond,
                  double intraNodeBytesPerSecond, double interNodeBytesPerSecond, String memorySource,
                  int nvlinkDomainGpus) implements Serializable {

    public Gpu {
        aliases = List.copyOf(aliases);
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("GPU " + name + " memoryBytes must be positive, was " + memoryBytes);
        }
        if (nvlinkDomainGpus < 0) {
            throw new IllegalArgumentException("GPU " + name + " nvlinkDomainGpus must not be negative, was " + nvlinkDomainGpus);
        }
    }

    /** A GPU whose NVLink ends at its node. */
    public Gpu(String name, List<String> aliases, Vendor vendor, int computeCapability, double nominalMemoryGb,
               long memoryBytes, double bf16Tflops, double fp8Tflops, double hbmBytesPerSecond,
               double intraNodeBytesPerSecond, double interNodeBytesPerSecond, String memorySource) {
        this(name, aliases, vendor, computeCapability, nominalMemoryGb, memoryBytes, bf16Tflops, fp8Tflops, hbmBytesPerSecond,
                intraNodeBytesPerSecond, interNodeBytesPerSecond, memorySource, 0);
    }

    /** The largest tensor-parallel group at NVLink speed on nodes of {@code gpusPerNode}: the node, or the NVLink domain. */
    public int nvlinkGpus(int gpusPerNode) {
        return Math.max(gpusPerNode, nvlinkDomainGpus);
    }

    /** The same GPU with another memory size (what-if searches). */
    public Gpu withMemoryBytes(long bytes) {
        return new Gpu(name, aliases, vendor, computeCapability, nominalMemoryGb, bytes, bf16Tflops, fp8Tflops,
                hbmBytesPerSecond, intraNodeBytesPerSecond, interNodeBytesPerSecond, memorySource, nvlinkDomainGpus);
    }

    public double memoryGib() {
        return memoryBytes / (double) (1L << 30);
    }

    /** vLLM raises its scheduler defaults on GPUs of at least 70 GiB that are not A100s (arg_utils.py, get_batch_defaults). */
    public boolean largeScheduleDefaults() {
        return memoryBytes >= 70L * (1L << 30) && !name.toLowerCase(Locale.ROOT).contains("a100");
    }
}

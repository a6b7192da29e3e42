package dev.autoparallel.hardware;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * GPUs AutoParallel knows. Memory: the runtime-reported total, from vLLM start-up logs
 * ("the current vLLM instance can use total_gpu_memory (X GiB)") as cited per entry.
 * Compute and bandwidth: vendor data sheets (dense bf16/fp8 tensor TFLOPS, HBM TB/s, NVLink or
 * Infinity Fabric per direction; 400 Gb/s InfiniBand or RoCE per GPU between nodes, 100 Gb/s
 * Ethernet for the PCIe cards).
 */
public final class GpuCatalog {
    private static final long GIB = 1L << 30;
    private static final double TB = 1e12;
    private static final double GB = 1e9;

    private static long gib(double v) {
        return Math.round(v * GIB);
    }

    /** GPUs in one NVLink domain of a GB200 / GB300 NVL72 rack (NVIDIA GB200 NVL72 and GB300 NVL72 product pages). */
    static final int NVL72 = 72;

    private static long mib(long v) {
        return v << 20;
    }

    private static final List<Gpu> GPUS = List.of(
            new Gpu("V100-16GB", List.of("V100-SXM2-16GB", "v100_16gb"), Vendor.NVIDIA, 70, 16, gib(15.77),
                    125, 0, 0.9 * TB, 150 * GB, 12.5 * GB,
                    "vLLM log '90% utilization of 15.77GB GPU memory' (reference set, facebook/opt-6.7b observation)"),
            new Gpu("V100-32GB", List.of("V100-SXM2-32GB", "v100_32gb"), Vendor.NVIDIA, 70, 32, gib(31.74),
                    125, 0, 0.9 * TB, 150 * GB, 12.5 * GB,
                    "vLLM log 'total_gpu_memory (31.74GiB)' on a 32 GB card"),
            new Gpu("A10G", List.of("A10", "a10g", "a10"), Vendor.NVIDIA, 86, 24, gib(22.07),
                    125, 0, 0.6 * TB, 32 * GB, 12.5 * GB,
                    "vLLM log 'total_gpu_memory (22.07GiB)' on an A10 (reference set, Llama-3.1-8B A10 observation)"),
            new Gpu("L4", List.of("l4", "NVIDIA-L4"), Vendor.NVIDIA, 89, 24, gib(22.06),
                    121, 242, 0.3 * TB, 32 * GB, 12.5 * GB,
                    "vLLM log 'total_gpu_memory (22.06GiB)' on a 24 GB GDDR6 card"),
            new Gpu("L40S", List.of("l40s", "NVIDIA-L40S"), Vendor.NVIDIA, 89, 48, gib(44.39),
                    362, 733, 0.864 * TB, 32 * GB, 12.5 * GB,
                    "vLLM logs 'total_gpu_memory (44.39GiB)' on L40S"),
            new Gpu("RTX-4090", List.of("RTX4090", "rtx_4090", "GeForce-RTX-4090"), Vendor.NVIDIA, 89, 24, gib(23.52),
                    165.2, 330.3, 1.008 * TB, 32 * GB, 12.5 * GB,
                    "vLLM 0.27.1 log 'Desired GPU memory utilization is (0.92, 21.64 GiB)' on an RTX 4090 (RunPod serverless "
                            + "captures of 2026-08-28); tensor TFLOPS with FP32 accumulate, dense: 165.2 FP16, 330.3 FP8, "
                            + "1,008 GB/s GDDR6X, PCIe Gen 4 x16 (NVIDIA Ada Lovelace architecture whitepaper, appendix A)"),
            new Gpu("RTX-5090", List.of("RTX5090", "rtx_5090", "GeForce-RTX-5090"), Vendor.NVIDIA, 120, 32, gib(31.37),
                    419.2, 838.4, 1.792 * TB, 64 * GB, 12.5 * GB,
                    "vLLM log 'total_gpu_memory (31.37GiB)' on an RTX 5090 (vllm-project/vllm#14452, 2025-04-23); "
                            + "tensor TFLOPS half the data sheet's sparse 838.4 (FP16) and 1,676.8 (FP8), 1,792 GB/s GDDR7, "
                            + "PCIe Gen 5 x16 (spheron.network RTX 5090 data sheet, 2026-05)"),
            new Gpu("A100-40GB", List.of("A100-SXM4-40GB", "a100_40gb", "a100_sxm_40gb"), Vendor.NVIDIA, 80, 40,
                    gib(39.39), 312, 0, 1.555 * TB, 300 * GB, 25 * GB,
                    "vLLM log 'total_gpu_memory (39.39GiB)' on A100-SXM4-40GB"),
            new Gpu("A100-80GB", List.of("A100-SXM4-80GB", "a100_80gb", "a100_sxm", "A100-80G"), Vendor.NVIDIA, 80, 80,
                    gib(79.15), 312, 0, 2.039 * TB, 300 * GB, 25 * GB,
                    "vLLM logs 'total_gpu_memory (79.15GiB)' on A100 80GB"),
            new Gpu("H100-SXM", List.of("H100", "H100-80GB", "h100_sxm", "H100-SXM5-80GB", "h100"), Vendor.NVIDIA, 90, 80,
                    gib(79.18), 989, 1979, 3.35 * TB, 450 * GB, 50 * GB,
                    "reference set: NVIDIA H100 80GB = 79.18 GiB as vLLM sees it"),
            new Gpu("H100-PCIe", List.of("h100_pcie", "H100-PCIE-80GB"), Vendor.NVIDIA, 90, 80, gib(79.18),
                    756, 1513, 2.0 * TB, 64 * GB, 12.5 * GB,
                    "same 80 GB HBM as H100-SXM (reference set: 79.18 GiB)"),
            new Gpu("H200", List.of("h200", "H200-SXM", "h200_sxm", "H200-141GB"), Vendor.NVIDIA, 90, 141, gib(139.81),
                    989, 1979, 4.8 * TB, 450 * GB, 50 * GB,
                    "vLLM log 'total_gpu_memory (139.81GiB)' on H200"),
            new Gpu("B200", List.of("b200", "B200-SXM", "b200_sxm"), Vendor.NVIDIA, 100, 180, gib(178.36),
                    2250, 4500, 8.0 * TB, 900 * GB, 50 * GB,
                    "vLLM PR #21489 log 'Free memory on device (177.66/178.36 GiB)' on a 180 GB B200"),
            // Blackwell parts without a vLLM log here: peaks, bandwidths and the nvidia-smi memory total from NVIDIA
            // aiconfigurator's system files (systems/*.yaml, Apache-2.0, snapshot 2026-08-21, citing NVIDIA's data
            // sheets). nvidia-smi's total can be up to 0.7 GiB above what vLLM reports (B200: 179.06 against 178.36 GiB).
            // GB200 / GB300: four GPUs per tray, the trays of an NVL72 rack joined by NVLink at the same 900 GB/s.
            new Gpu("B300", List.of("b300", "B300-SXM", "b300_sxm"), Vendor.NVIDIA, 103, 288, mib(275_040),
                    2250, 4500, 7.75 * TB, 900 * GB, 100 * GB,
                    "nvidia-smi 275,040 MiB (aiconfigurator systems/b300_sxm.yaml; Blackwell Ultra data sheet)"),
            new Gpu("GB200", List.of("gb200", "GB200-NVL72"), Vendor.NVIDIA, 100, 186, mib(189_471),
                    2500, 5000, 8.0 * TB, 900 * GB, 900 * GB,
                    "nvidia-smi 189,471 MiB (aiconfigurator systems/gb200.yaml; Blackwell data sheet)", NVL72),
            new Gpu("GB300", List.of("gb300", "GB300-NVL72"), Vendor.NVIDIA, 103, 288, mib(284_208),
                    2500, 5000, 8.0 * TB, 900 * GB, 900 * GB,
                    "nvidia-smi 284,208 MiB (aiconfigurator systems/gb300.yaml; Blackwell Ultra data sheet)", NVL72),
            new Gpu("RTX-PRO-6000", List.of("rtx_pro_6000_server", "RTX-PRO-6000-Blackwell-Server", "rtxpro6000"), Vendor.NVIDIA,
                    120, 96, mib(97_887), 467.8, 935.6, 1.792 * TB, 64 * GB, 50 * GB,
                    "nvidia-smi 97,887 MiB (aiconfigurator systems/rtx_pro_6000_server.yaml; dense peaks at 2,430 MHz; "
                            + "PCIe Gen5 x16 between GPUs)"),
            new Gpu("MI300X", List.of("mi300x", "MI300X-192GB", "AMD-MI300X"), Vendor.AMD, 0, 192, gib(191.98),
                    1307, 2615, 5.3 * TB, 448 * GB, 50 * GB,
                    "reference set: AMD Instinct MI300X = 191.98 GiB as vLLM sees it"));

    private GpuCatalog() {
    }

    public static List<Gpu> all() {
        return GPUS;
    }

    public static Optional<Gpu> find(String name) {
        String n = normalise(name);
        for (Gpu g : GPUS) {
            if (normalise(g.name()).equals(n)) {
                return Optional.of(g);
            }
            for (String a : g.aliases()) {
                if (normalise(a).equals(n)) {
                    return Optional.of(g);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The GPU called {@code name}; a family name shared by several memory sizes ({@code A100},
     * {@code V100}) picks the variant whose nominal size is closest to {@code memoryGbHint}
     * (the larger one when no hint is given).
     */
    public static Optional<Gpu> find(String name, Double memoryGbHint) {
        Optional<Gpu> exact = find(name);
        if (exact.isPresent()) {
            return exact;
        }
        String n = normalise(name);
        return GPUS.stream().filter(g -> normalise(g.name()).startsWith(n) && n.length() >= 3)
                .min(Comparator.comparingDouble(g -> memoryGbHint == null ? -g.nominalMemoryGb()
                        : Math.abs(g.nominalMemoryGb() - memoryGbHint)));
    }

    /** The GPU called {@code name}, or an error naming the field and listing the known GPUs. */
    public static Gpu require(String name, String field) {
        return require(name, null, field);
    }

    public static Gpu require(String name, Double memoryGbHint, String field) {
        return find(name, memoryGbHint).orElseThrow(() -> new InvalidConfigurationException(field, field + " was '" + name
                + "'; known GPUs: " + String.join(", ", GPUS.stream().map(Gpu::name).toList())
                + " (case, '-' and '_' do not matter)"));
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(" ", "").replace("nvidia", "");
    }
}

package dev.autoparallel.perf;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.hardware.Vendor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * Measured kernel speeds per GPU and engine: the tables {@code jobs/calibrate.sh} derives from NVIDIA
 * aiconfigurator's operator timings (resources {@code perf/*.csv}, Apache-2.0, snapshot 2026-08-21,
 * commit 095f58a; attribution in {@code perf/NOTICE}). Pure Java, loaded once from the classpath.
 */
public final class KernelTables {
    /**
     * The op-perf system each catalog GPU's measurements come from (op-perf README: H100 SXM, H200
     * SXM, B200 SXM, GB200, A100 SXM 80 GB, L40S, RTX PRO 6000 Server). Another NVIDIA GPU takes the
     * kernels of the nearest of these of its architecture, scaled ({@link #of(Gpu, ServingEngine)}).
     */
    static final Map<String, String> SYSTEM_OF_GPU = Map.of("H100-SXM", "h100_sxm", "H200", "h200_sxm",
            "B200", "b200_sxm", "GB200", "gb200", "A100-80GB", "a100_sxm", "L40S", "l40s", "RTX-PRO-6000", "rtx_pro_6000_server");
    /** The first log2(n x k) column of gemm.csv (CalibrateJob.NK_LOG2_MIN). */
    private static final int NK_LOG2_MIN = 10;
    /** moe.csv's key columns before its kernel column: system, engine, dtype, hidden, inter, topk, experts, moe_tp, moe_ep. */
    private static final int MOE_KEY_COLUMNS = 9;

    private final Map<String, Kernels> byKey;

    KernelTables(Map<String, Kernels> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    private static final class Holder {
        static final KernelTables BUILT_IN = load();
    }

    public static KernelTables builtIn() {
        return Holder.BUILT_IN;
    }

    /** Scaled kernels already made, by GPU and engine. */
    private final Map<String, Optional<Kernels>> scaled = new ConcurrentHashMap<>();

    /**
     * The kernels of {@code gpu} under {@code engine}: its own measurements; for an NVIDIA GPU without any, those of the
     * nearest measured GPU of the same compute capability (else the same major one: the architecture), scaled by the
     * data-sheet ratios of the two ({@link Kernels#scaledFrom()} names the source); empty for other GPUs (AMD) and engines
     * without measurements.
     */
    public Optional<Kernels> of(Gpu gpu, ServingEngine engine) {
        String system = SYSTEM_OF_GPU.get(gpu.name());
        if (system != null) {
            return Optional.ofNullable(byKey.get(system + "," + engine.key()));
        }
        return scaled.computeIfAbsent(gpu.name() + "," + engine.key(), k -> nearestMeasured(gpu)
                .flatMap(src -> Optional.ofNullable(byKey.get(SYSTEM_OF_GPU.get(src.name()) + "," + engine.key()))
                        .map(measured -> measured.scaledTo(src, gpu))));
    }

    /**
     * The measured GPU whose kernels stand in for {@code gpu}'s: NVIDIA, the same compute capability if one is measured,
     * else the same major version, the closest in bf16 peak and HBM bandwidth (the sum of the absolute log ratios).
     */
    static Optional<Gpu> nearestMeasured(Gpu gpu) {
        if (gpu.vendor() != Vendor.NVIDIA) {
            return Optional.empty();
        }
        Gpu best = null;
        double bestDistance = Double.MAX_VALUE;
        for (String name : new TreeMap<>(SYSTEM_OF_GPU).keySet()) {
            Gpu m = GpuCatalog.require(name, "gpu");
            boolean exact = m.computeCapability() == gpu.computeCapability();
            if (m.computeCapability() / 10 != gpu.computeCapability() / 10) {
                continue;
            }
            double distance = (exact ? 0 : 100) + Math.abs(Math.log(m.bf16Tflops() / gpu.bf16Tflops()))
                    + Math.abs(Math.log(m.hbmBytesPerSecond() / gpu.hbmBytesPerSecond()));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    /** As {@link #of(Gpu, ServingEngine)}, by op-perf system and engine key ({@code h100_sxm}, {@code vllm}). */
    Optional<Kernels> of(String system, String engine) {
        return Optional.ofNullable(byKey.get(system + "," + engine));
    }

    /**
     * One GPU's and engine's measured kernels. GEMM: achieved FLOP/s at the measured token counts
     * (powers of two, 1 to 32,768) by log2(n x k); attention: achieved bytes/s (decode, by log2 of
     * the KV bytes read) and FLOP/s (prefill, by log2 of the causal attention FLOPs).
     */
    public static final class Kernels {
        private final Map<String, double[][]> gemmFlops;
        private final Map<String, Curve> decodeBytesPerS;
        private Curve contextFlops;
        /** Routed-expert layer timings by {@link MoeShape}. */
        private final Map<MoeShape, MoeCurve> moe;
        /** The kernel (op-perf's kernel_source, several joined by "+") that gave each shape's timings. */
        private final Map<MoeShape, String> moeKernels = new HashMap<>();
        /** The GPU these were measured on when they are another GPU's kernels scaled to this one, else null. */
        private String scaledFrom;
        /** Generation MLA attention by "KV dtype,heads per rank": cached tokens per second by log2 of the tokens read. */
        private final Map<String, Curve> mlaDecode = new HashMap<>();
        /** The generation MLA module (DeepSeek-V3's attention block) by "KV dtype,GEMM dtype,heads per rank". */
        private final Map<String, MlaModule> mlaDecodeModule = new HashMap<>();
        /** The context MLA module (the same block in prefill) by "KV dtype,GEMM dtype,heads per rank". */
        private final Map<String, MlaModule> mlaContextModule = new HashMap<>();
        /**
         * The generation block of a DeepSeek sparse attention layer (projections, indexer and top-k, sparse attention) by
         * "model,KV dtype,GEMM dtype,heads per rank", the model the measured one (GLM-5, DeepSeek-V3.2).
         */
        private final Map<String, MlaModule> dsaDecodeModule = new HashMap<>();
        /** The same block in prefill, nothing cached before the prompt, by the same key. */
        private final Map<String, MlaModule> dsaContextModule = new HashMap<>();
        /**
         * One Gated DeltaNet layer's linear attention in prefill (causal convolution and chunked delta rule) by "key heads
         * per rank,value heads per rank,key head dim,value head dim": microseconds by prompts and prompt length.
         */
        private final Map<String, MlaModule> gdnContext = new HashMap<>();
        /** The same layer's decode (convolution update and recurrent delta rule) by the same key, by decoding sequences. */
        private final Map<String, MoeCurve> gdnDecode = new HashMap<>();
        /** Context MLA attention by heads per rank: causal token pairs per second by log2 of the pairs. */
        private final Map<Integer, Curve> mlaContext = new HashMap<>();
        /** The engine's tensor-parallel all-reduce by GPU count: message bytes per second by log2 of the bytes. */
        private final Map<Integer, Curve> allReduce = new HashMap<>();
        /** NCCL's collectives within a node by "op,GPU count" (all_gather, reduce_scatter, alltoall): bytes per second. */
        private final Map<String, Curve> collectives = new HashMap<>();

        Kernels() {
            this.gemmFlops = new HashMap<>();
            this.decodeBytesPerS = new HashMap<>();
            this.moe = new HashMap<>();
        }

        /**
         * Generation MLA attention with {@code heads} query heads per rank over a {@code kvDtype} latent cache
         * ({@code bfloat16}, {@code fp8}): a curve of cached tokens read per second; empty where not measured.
         */
        Optional<Curve> mlaDecode(String kvDtype, int heads) {
            return Optional.ofNullable(mlaDecode.get(kvDtype + "," + heads));
        }

        /**
         * The whole generation MLA block of a DeepSeek-V3 layer (its projections in {@code gemmDtype} and the absorbed
         * attention over a {@code kvDtype} latent cache) with {@code heads} query heads per rank; empty where not measured.
         */
        Optional<MlaModule> mlaDecodeModule(String kvDtype, String gemmDtype, int heads) {
            return Optional.ofNullable(mlaDecodeModule.get(kvDtype + "," + gemmDtype + "," + heads));
        }

        /**
         * The whole DeepSeek-V3 MLA block in prefill (its projections in {@code gemmDtype}, the latent expanded to keys and
         * values, causal attention, the latent written to a {@code kvDtype} cache) with {@code heads} query heads per rank,
         * by prompts and prompt length; empty where not measured.
         */
        Optional<MlaModule> mlaContextModule(String kvDtype, String gemmDtype, int heads) {
            return Optional.ofNullable(mlaContextModule.get(kvDtype + "," + gemmDtype + "," + heads));
        }

        /**
         * The whole generation block of a DSA layer of {@code model} (the measured model whose shape it is: {@code
         * zai-org/GLM-5}, {@code deepseek-ai/DeepSeek-V3.2}), its projections in {@code gemmDtype}, the lightning indexer
         * and its top-k, sparse attention over a {@code kvDtype} latent cache, with {@code heads} query heads per rank, by
         * decoding sequences and cached tokens; empty where not measured.
         */
        Optional<MlaModule> dsaDecodeModule(String model, String kvDtype, String gemmDtype, int heads) {
            return Optional.ofNullable(dsaDecodeModule.get(model + "," + kvDtype + "," + gemmDtype + "," + heads));
        }

        /**
         * The DSA block of {@code model} in prefill (projections, the indexer over the prompt, attention, dense or sparse
         * as the engine runs it), by prompts and prompt length; empty where not measured.
         */
        Optional<MlaModule> dsaContextModule(String model, String kvDtype, String gemmDtype, int heads) {
            return Optional.ofNullable(dsaContextModule.get(model + "," + kvDtype + "," + gemmDtype + "," + heads));
        }

        /**
         * One Gated DeltaNet layer's linear attention (not its projections) with {@code kHeads} key and {@code vHeads}
         * value heads per rank of {@code kDim} and {@code vDim}: in prefill by prompts and prompt length; empty where not
         * measured.
         */
        Optional<MlaModule> gdnContext(int kHeads, int vHeads, int kDim, int vDim) {
            return Optional.ofNullable(gdnContext.get(kHeads + "," + vHeads + "," + kDim + "," + vDim));
        }

        /** The same layer in decode, by decoding sequences (one token each); empty where not measured. */
        Optional<MoeCurve> gdnDecode(int kHeads, int vHeads, int kDim, int vDim) {
            return Optional.ofNullable(gdnDecode.get(kHeads + "," + vHeads + "," + kDim + "," + vDim));
        }

        /** Context MLA attention with {@code heads} query heads per rank: a curve of causal token pairs per second. */
        Optional<Curve> mlaContext(int heads) {
            return Optional.ofNullable(mlaContext.get(heads));
        }

        /** The engine's all-reduce over {@code gpus} GPUs (bytes per second by message size), or empty where not measured. */
        Optional<Curve> allReduce(int gpus) {
            return Optional.ofNullable(allReduce.get(gpus));
        }

        /**
         * NCCL's {@code op} ({@code all_gather}, {@code reduce_scatter}, {@code alltoall}) over {@code gpus} GPUs of one node,
         * bytes per second by the whole tensor's size; empty where not measured.
         */
        Optional<Curve> collective(String op, int gpus) {
            return Optional.ofNullable(collectives.get(op + "," + gpus));
        }

        /** The measured routed-expert layer of {@code shape}, or empty when this GPU and engine did not measure it. */
        public Optional<MoeCurve> moe(MoeShape shape) {
            return Optional.ofNullable(moe.get(shape));
        }

        /**
         * The routed-expert layer of {@code target} as {@code kernel} (a part of op-perf's kernel name, {@code marlin})
         * runs it, for a run told to use that kernel (vLLM's {@code VLLM_MXFP4_USE_MARLIN=1}): the measured layer where
         * that kernel gave it, else the same kernel measured at another shape of the dtype and split (the nearest in
         * hidden x intermediate size) at the same tokens per expert ({@code tokens x topk / experts}), scaled by all the
         * experts' weights ({@code experts x hidden x intermediate}): each expert's GEMMs at a given number of rows
         * cost in proportion to its weights, compute-bound or not. Never below the fastest kernel measured at the
         * target's own shape (the transfer scales away the per-expert fixed costs of the source's many small experts,
         * which are the target's too). Empty where the kernel was not measured for the dtype and split.
         */
        public Optional<MoeCurve> moe(MoeShape target, String kernel) {
            MoeCurve own = moe.get(target);
            if (own != null && moeKernels.getOrDefault(target, "").contains(kernel)) {
                return Optional.of(own);
            }
            MoeShape source = null;
            double nearest = Double.POSITIVE_INFINITY;
            for (Map.Entry<MoeShape, String> e : moeKernels.entrySet()) {
                MoeShape s = e.getKey();
                if (!e.getValue().contains(kernel) || e.getValue().contains("+") || !s.dtype().equals(target.dtype())
                        || s.moeTp() != target.moeTp() || s.moeEp() != target.moeEp()) {
                    continue;
                }
                double distance = Math.abs(Math.log((double) s.hidden() * s.inter() / ((double) target.hidden() * target.inter())));
                if (distance < nearest || distance == nearest && s.toString().compareTo(source.toString()) < 0) {
                    nearest = distance;
                    source = s;
                }
            }
            if (source == null) {
                return Optional.empty();
            }
            MoeCurve moved = transferred(moe.get(source), source, target);
            if (own == null) {
                return Optional.of(moved);
            }
            double[] seconds = new double[moved.tokens().length];
            for (int i = 0; i < seconds.length; i++) {
                seconds[i] = Math.max(moved.seconds()[i], own.seconds(moved.tokens()[i]));
            }
            return Optional.of(new MoeCurve(moved.tokens(), seconds));
        }

        /** The measured GPU these kernels are scaled from, or null when they were measured on this GPU. */
        public String scaledFrom() {
            return scaledFrom;
        }

        /**
         * These kernels (measured on {@code from}) as {@code to} would run them, by data-sheet ratios: GEMMs by the ratio of
         * the two GPUs' rooflines at each row's m ({@link #gemmRoofRatio}: HBM bandwidth where m rows are too few to keep
         * the tensor cores busy, the dtype's tensor peak beyond: bf16, or fp8, dropped where {@code to} has no FP8 tensor
         * cores); MoE layers likewise by the rooflines at each measured token count ({@link #moeIntensity}: memory-bound
         * at small batches, compute-bound at large; 4-bit math, whose peak the catalog lacks, by the smaller of the two
         * ratios); prefill attention by the tensor peak, decode attention by HBM bandwidth, MLA decode by the smaller of
         * the two ratios, so a GPU slower in either is never taken as faster; all-reduces by the GPU-to-GPU bandwidth
         * within a node.
         */
        Kernels scaledTo(Gpu from, Gpu to) {
            double bf16 = to.bf16Tflops() / from.bf16Tflops();
            double fp8 = from.fp8Tflops() > 0 && to.fp8Tflops() > 0 ? to.fp8Tflops() / from.fp8Tflops() : 0;
            double hbm = to.hbmBytesPerSecond() / from.hbmBytesPerSecond();
            Kernels k = new Kernels();
            k.scaledFrom = from.name();
            gemmFlops.forEach((dtype, table) -> {
                boolean fp8Gemm = dtype.equals("fp8");
                if ((fp8Gemm ? fp8 : bf16) > 0) {
                    double[][] t = new double[table.length][];
                    for (int i = 0; i < table.length; i++) {
                        t[i] = scale(table[i], gemmRoofRatio(from, to, fp8Gemm, 1L << i));
                    }
                    k.gemmFlops.put(dtype, t);
                }
            });
            decodeBytesPerS.forEach((kv, c) -> k.decodeBytesPerS.put(kv, c.scaled(hbm)));
            k.contextFlops = contextFlops == null ? null : contextFlops.scaled(bf16);
            mlaDecode.forEach((key, c) -> k.mlaDecode.put(key, c.scaled(Math.min(hbm, bf16))));
            mlaContext.forEach((heads, c) -> k.mlaContext.put(heads, c.scaled(bf16)));
            mlaDecodeModule.forEach((key, m) -> k.mlaDecodeModule.put(key, m.scaled(Math.min(hbm, bf16))));
            mlaContextModule.forEach((key, m) -> k.mlaContextModule.put(key, m.scaled(bf16)));
            dsaDecodeModule.forEach((key, m) -> k.dsaDecodeModule.put(key, m.scaled(Math.min(hbm, bf16))));
            dsaContextModule.forEach((key, m) -> k.dsaContextModule.put(key, m.scaled(bf16)));
            gdnContext.forEach((key, m) -> k.gdnContext.put(key, m.scaled(Math.min(hbm, bf16))));
            gdnDecode.forEach((key, c) -> k.gdnDecode.put(key, c.scaled(Math.min(hbm, bf16))));
            double link = to.intraNodeBytesPerSecond() / from.intraNodeBytesPerSecond();
            allReduce.forEach((gpus, c) -> k.allReduce.put(gpus, c.scaled(link)));
            collectives.forEach((key, c) -> k.collectives.put(key, c.scaled(link)));
            moe.forEach((shape, c) -> {
                boolean fp8Compute = shape.dtype().startsWith("fp8");
                double compute = fp8Compute ? fp8 : bf16;
                if (compute > 0) {
                    Double bytesPerWeight = moeBytesPerWeight(shape.dtype());
                    k.moe.put(shape, bytesPerWeight == null ? c.scaled(Math.min(hbm, compute))
                            : c.scaledBy(t -> roofRatio(from, to, fp8Compute, moeIntensity(shape, t, bytesPerWeight))));
                    k.moeKernels.put(shape, moeKernels.get(shape));
                }
            });
            return k;
        }

        /**
         * The ratio of {@code to}'s GEMM roofline to {@code from}'s at {@code m} rows: min(tensor peak, HBM bandwidth x
         * 2m / bytes per weight), the weights' read being what a GEMM of few rows waits on (2m FLOPs per weight element).
         * Where both GPUs are compute-bound this is the ratio of tensor peaks; where both are memory-bound, of bandwidths.
         */
        static double gemmRoofRatio(Gpu from, Gpu to, boolean fp8, long m) {
            return roofRatio(from, to, fp8, 2.0 * m / (fp8 ? 1 : 2));
        }

        /** Whether a GEMM of {@code m} rows reaches {@code gpu}'s tensor peak before its HBM bandwidth (see {@link #gemmRoofRatio}). */
        static boolean computeBound(Gpu gpu, boolean fp8, long m) {
            double peak = (fp8 ? gpu.fp8Tflops() : gpu.bf16Tflops()) * 1e12;
            return peak > 0 && gpu.hbmBytesPerSecond() * 2.0 * m / (fp8 ? 1 : 2) >= peak;
        }

        /** The ratio of {@code to}'s roofline to {@code from}'s at {@code intensity} FLOPs per byte of weights read. */
        static double roofRatio(Gpu from, Gpu to, boolean fp8, double intensity) {
            double fromPeak = (fp8 ? from.fp8Tflops() : from.bf16Tflops()) * 1e12;
            double toPeak = (fp8 ? to.fp8Tflops() : to.bf16Tflops()) * 1e12;
            return Math.min(toPeak, to.hbmBytesPerSecond() * intensity) / Math.min(fromPeak, from.hbmBytesPerSecond() * intensity);
        }

        /**
         * Bytes per expert weight of a MoE dtype whose tensor-core rate the catalog gives (bf16 and fp8 math: bfloat16, the
         * fp8 kinds, weight-only 4-bit with 16-bit activations), or null for the others (4-bit math), which keep the
         * smaller of the two ratios.
         */
        static Double moeBytesPerWeight(String dtype) {
            return dtype.equals("bfloat16") ? Double.valueOf(2) : dtype.startsWith("fp8") ? Double.valueOf(1)
                    : dtype.startsWith("w4a16") ? Double.valueOf(0.5) : null;
        }

        /**
         * FLOPs per byte of expert weights a MoE layer reads at {@code t} tokens: each routed row is 2 FLOPs per weight of
         * its expert, and the rows spread over the experts hit, E x (1 - (1 - topk / E)^t) of them, so an expert is read
         * for t x topk / hit rows (one at a time at small batches: memory-bound; thousands at large: compute-bound).
         */
        static double moeIntensity(MoeShape shape, double t, double bytesPerWeight) {
            double e = shape.experts();
            double hit = e * (1 - Math.pow(1 - shape.topk() / e, Math.max(t, 1)));
            return 2.0 * Math.max(t, 1) * shape.topk() / hit / bytesPerWeight;
        }

        private static double[] scale(double[] rates, double f) {
            double[] out = new double[rates.length];
            for (int i = 0; i < rates.length; i++) {
                out[i] = rates[i] * f;
            }
            return out;
        }

        /** Whether there are GEMM timings for {@code dtype} ({@code bfloat16}, {@code fp8}). */
        public boolean hasGemm(String dtype) {
            return gemmFlops.containsKey(dtype);
        }

        /** Whether there are decode attention timings for KV dtype {@code kvDtype} and prefill attention timings. */
        public boolean hasAttention(String kvDtype) {
            return decodeBytesPerS.containsKey(kvDtype) && contextFlops != null;
        }

        /**
         * Seconds of one m x n x k GEMM in {@code dtype} at a measured token count, {@code mLog2} = 0..15
         * (m = 1..32,768): the achieved FLOP/s interpolated linearly in log2(n x k) between its buckets,
         * the nearest bucket beyond the measured ones.
         */
        public double gemmSeconds(String dtype, int mLog2, long n, long k) {
            double[][] table = gemmFlops.get(dtype);
            double[] row = table[Math.min(mLog2, table.length - 1)];
            double x = Math.log(n * (double) k) / Math.log(2) - NK_LOG2_MIN;
            double flops = interpolate(row, x);
            return 2.0 * (1L << mLog2) * n * k / flops;
        }

        /** The largest log2(m) measured for {@code dtype}. */
        public int maxGemmLog2(String dtype) {
            return gemmFlops.get(dtype).length - 1;
        }

        /** Seconds of decode attention that reads {@code bytes} of KV cache ({@code kvDtype} {@code bfloat16} or {@code fp8}). */
        public double decodeAttentionSeconds(String kvDtype, double bytes) {
            return bytes <= 0 ? 0 : decodeBytesPerS.get(kvDtype).seconds(bytes);
        }

        /** The decode-attention curve of one KV dtype, for a caller that times many steps of it. */
        Curve decodeAttention(String kvDtype) {
            return decodeBytesPerS.get(kvDtype);
        }

        /** Seconds of causal prefill attention of {@code flops}. */
        public double contextAttentionSeconds(double flops) {
            return flops <= 0 ? 0 : contextFlops.seconds(flops);
        }
    }

    /**
     * The layer {@code from} (measured at {@code source}) moved to {@code target}'s shape, the same kernel and split: at
     * {@code t} tokens the source's time at the same rows per expert ({@code t x (topk / experts)} of the target over the
     * source's), scaled by the target's expert weights over the source's ({@code experts x hidden x intermediate}).
     */
    static MoeCurve transferred(MoeCurve from, MoeShape source, MoeShape target) {
        double rowsRatio = target.topk() / (double) target.experts() / (source.topk() / (double) source.experts());
        double weights = target.experts() * (double) target.hidden() * target.inter()
                / (source.experts() * (double) source.hidden() * source.inter());
        double[] seconds = new double[from.tokens().length];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = from.seconds(rowsRatio * from.tokens()[i]) * weights;
        }
        return new MoeCurve(from.tokens().clone(), seconds);
    }

    /**
     * A generation MLA block's seconds by decoding sequences and cached tokens, measured on a grid of both (powers of two):
     * bilinear in log2 of each between the measured points; below the first of either, its first (the launch-bound
     * floor); beyond a sequence count's last measured cached-token count, linear in the tokens along its last two;
     * beyond the last sequence count, proportional to the sequences.
     *
     * @param batches the measured sequence counts, ascending
     * @param steps   the measured cached-token counts, ascending
     * @param seconds {@code seconds[batch][step]}, each row a prefix of {@code steps} (at least two: large batches run
     *                out of memory at the longest contexts)
     */
    record MlaModule(double[] batches, double[] steps, double[][] seconds) {
        MlaModule scaled(double speed) {
            double[][] s = new double[seconds.length][];
            for (int i = 0; i < s.length; i++) {
                s[i] = new double[seconds[i].length];
                for (int j = 0; j < s[i].length; j++) {
                    s[i][j] = seconds[i][j] / speed;
                }
            }
            return new MlaModule(batches, steps, s);
        }

        /**
         * Seconds of the block in prefill for {@code prompts} prompts of {@code length} tokens each (a context module).
         * Less than one prompt is a chunk of one: its share of the whole prompt's time, never below the block over as
         * many tokens alone (the projections' and launches' floor). More prompts than the largest count measured at that
         * length (a row stops short where a batch of long prompts ran out of memory, or where the engine switches kernels
         * beyond the lengths measured for it: SGLang's DSA block runs dense attention up to 2,048 tokens and sparse
         * beyond, measured sparse for one and two prompts only) take that count's time in proportion: a prompt's
         * prefill costs its tokens, not another row's extrapolation.
         */
        double prefillSeconds(double prompts, double length) {
            if (prompts < batches[0]) {
                return Math.max(atBatch(0, prompts * length), prompts / batches[0] * atBatch(0, length));
            }
            int top = batches.length - 1;
            while (top > 0 && steps[seconds[top].length - 1] < length) {
                top--;
            }
            if (prompts > batches[top]) {
                return atBatch(top, length) * prompts / batches[top];
            }
            return top == 0 ? atBatch(0, length) : logLinear(batches, top + 1, prompts, i -> atBatch(i, length));
        }

        /** Seconds of the block for {@code batch} sequences with {@code cached} tokens of context each. */
        double seconds(double batch, double cached) {
            int last = batches.length - 1;
            if (batch > batches[last]) {
                return atBatch(last, cached) * batch / batches[last];
            }
            return last == 0 ? atBatch(0, cached) : logLinear(batches, batches.length, batch, i -> atBatch(i, cached));
        }

        private double atBatch(int i, double cached) {
            double[] row = seconds[i];
            int last = row.length - 1;
            if (cached >= steps[last]) {
                double slope = (row[last] - row[last - 1]) / (steps[last] - steps[last - 1]);
                return row[last] + Math.max(0, slope) * (cached - steps[last]);
            }
            return logLinear(steps, row.length, cached, j -> row[j]);
        }

        /**
         * The value at {@code x}, linear in log(x) between the two of the first {@code count} (at least two) ascending
         * {@code xs} around it; below the first, the first's value.
         */
        private static double logLinear(double[] xs, int count, double x, IntToDoubleFunction value) {
            double at = Math.max(x, xs[0]);
            int i = 0;
            while (i < count - 2 && xs[i + 1] < at) {
                i++;
            }
            double t = Math.min(1, Math.log(at / xs[i]) / Math.log(xs[i + 1] / xs[i]));
            double lo = value.applyAsDouble(i);
            return lo + t * (value.applyAsDouble(i + 1) - lo);
        }
    }

    /**
     * A routed-expert (MoE) layer as op-perf measures it: the dtype of its grouped GEMMs ({@code bfloat16}, {@code fp8},
     * {@code fp8_block}, {@code w4a16_mxfp4}, {@code int4_wo}), the model's hidden size, expert intermediate size, top-k
     * and expert count, and the split of the experts: {@code moeTp} shards every expert, {@code moeEp} spreads whole experts.
     */
    public record MoeShape(String dtype, long hidden, long inter, int topk, int experts, int moeTp, int moeEp) {
    }

    /**
     * One MoE layer's seconds at a batch's token count: linear between the measured counts (1 to 16,384), the first
     * count's time below it (the launch-bound floor), proportional to the tokens beyond the last.
     */
    public record MoeCurve(double[] tokens, double[] seconds) {
        /** The same layer on a GPU {@code speedAt(tokens)} times as fast at each measured token count. */
        MoeCurve scaledBy(DoubleUnaryOperator speedAt) {
            double[] s = new double[seconds.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = seconds[i] / speedAt.applyAsDouble(tokens[i]);
            }
            return new MoeCurve(tokens, s);
        }

        /** The same layer on a GPU {@code speed} times as fast. */
        MoeCurve scaled(double speed) {
            double[] s = new double[seconds.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = seconds[i] / speed;
            }
            return new MoeCurve(tokens, s);
        }

        public double seconds(double t) {
            int n = tokens.length;
            if (t <= tokens[0]) {
                return seconds[0];
            }
            if (t >= tokens[n - 1]) {
                return seconds[n - 1] * t / tokens[n - 1];
            }
            int i = Arrays.binarySearch(tokens, t);
            if (i >= 0) {
                return seconds[i];
            }
            int hi = -i - 1;
            int lo = hi - 1;
            return seconds[lo] + (t - tokens[lo]) / (tokens[hi] - tokens[lo]) * (seconds[hi] - seconds[lo]);
        }
    }

    /**
     * Achieved rate (work per second) by log2 of the work: between buckets the rate is linear in
     * log2(work); below the first the time of the first bucket (a launch-bound floor); above the
     * last the last rate.
     */
    record Curve(int firstLog2, double[] rate, int[] below, int[] above) {
        private static final double INV_LN2 = 1 / Math.log(2);

        /**
         * A curve with, for each bucket, its nearest measured bucket below and above (or -1), so a
         * step's lookup is two array reads instead of a scan: the simulation times thousands of
         * steps per plan.
         */
        static Curve of(int firstLog2, double[] rate) {
            int n = rate.length;
            int[] below = new int[n];
            int[] above = new int[n];
            int last = -1;
            for (int i = 0; i < n; i++) {
                last = Double.isNaN(rate[i]) ? last : i;
                below[i] = last;
            }
            int next = -1;
            for (int i = n - 1; i >= 0; i--) {
                next = Double.isNaN(rate[i]) ? next : i;
                above[i] = next;
            }
            return new Curve(firstLog2, rate, below, above);
        }

        /** The same curve with every rate {@code f} times as high (the same kernels on a faster GPU). */
        Curve scaled(double f) {
            return new Curve(firstLog2, Kernels.scale(rate, f), below, above);
        }

        /** {@link KernelTables#interpolate} of {@link #rate} at {@code x}, from the precomputed neighbours. */
        double rateAt(double x) {
            int n = rate.length;
            int lo = x < 0 ? -1 : below[(int) Math.min(Math.floor(x), n - 1)];
            double up = Math.ceil(x);
            int hi = up > n - 1 ? -1 : above[(int) Math.max(up, 0)];
            if (lo < 0) {
                return rate[hi];
            }
            if (hi < 0 || hi == lo) {
                return rate[lo];
            }
            return rate[lo] + (x - lo) / (hi - lo) * (rate[hi] - rate[lo]);
        }

        double seconds(double work) {
            double x = Math.log(work) * INV_LN2 - firstLog2;
            if (x <= 0) {
                return Math.scalb(1.0, firstLog2) / rate[0];
            }
            return work / rateAt(x);
        }
    }

    /** Linear interpolation of {@code v} (NaN = not measured) at fractional index {@code x}, clamped to the measured ends. */
    static double interpolate(double[] v, double x) {
        int lo = -1;
        int hi = -1;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                continue;
            }
            if (i <= x) {
                lo = i;
            }
            if (i >= x && hi < 0) {
                hi = i;
            }
        }
        if (lo < 0) {
            return v[hi];
        }
        if (hi < 0 || hi == lo) {
            return v[lo];
        }
        double t = (x - lo) / (hi - lo);
        return v[lo] + t * (v[hi] - v[lo]);
    }

    private static KernelTables load() {
        Map<String, Kernels> byKey = new TreeMap<>();
        for (String[] r : rows("/perf/gemm.csv")) {
            Kernels kernels = byKey.computeIfAbsent(r[0] + "," + r[1], k -> new Kernels());
            int mLog2 = Integer.numberOfTrailingZeros(Integer.parseInt(r[3]));
            double[][] table = kernels.gemmFlops.computeIfAbsent(r[2], d -> new double[0][]);
            if (table.length != mLog2) {
                throw new IllegalStateException("perf/gemm.csv: " + r[0] + " " + r[1] + " " + r[2] + " m " + r[3]
                        + " out of order; the table must list m = 1, 2, 4, ... without gaps");
            }
            double[] row = new double[r.length - 4];
            for (int i = 4; i < r.length; i++) {
                row[i - 4] = r[i].isEmpty() ? Double.NaN : Double.parseDouble(r[i]) * 1e12;
            }
            table = Arrays.copyOf(table, mLog2 + 1);
            table[mLog2] = row;
            kernels.gemmFlops.put(r[2], table);
        }
        shareComputeBoundGemms(byKey);
        perEngine(byKey, "/perf/decode_attention.csv", 3, 1e9, (kernels, k, c) -> kernels.decodeBytesPerS.put(k[2], c));
        curves("/perf/context_attention.csv", 2, 1e12).forEach((key, c) -> {
            Kernels kernels = byKey.get(key);
            if (kernels != null) {
                kernels.contextFlops = c;
            }
        });
        perEngine(byKey, "/perf/mla_decode.csv", 4, 1e6, (kernels, k, c) -> kernels.mlaDecode.put(k[2] + "," + k[3], c));
        perEngine(byKey, "/perf/allreduce.csv", 3, 1e9, (kernels, k, c) -> kernels.allReduce.put(Integer.parseInt(k[2]), c));
        // NCCL's collectives are the system's, whichever engine calls them.
        curves("/perf/collectives.csv", 4, 1e9).forEach((key, c) -> {
            String[] k = key.split(",");
            byKey.forEach((systemEngine, kernels) -> {
                if (systemEngine.startsWith(k[0] + ",")) {
                    kernels.collectives.put(k[2] + "," + k[3], c);
                }
            });
        });
        perEngine(byKey, "/perf/mla_context.csv", 3, 1e9, (kernels, k, c) -> kernels.mlaContext.put(Integer.parseInt(k[2]), c));
        loadMlaModule(byKey, "/perf/mla_decode_module.csv", 3, k -> k.mlaDecodeModule);
        loadMlaModule(byKey, "/perf/mla_context_module.csv", 3, k -> k.mlaContextModule);
        loadMlaModule(byKey, "/perf/dsa_decode_module.csv", 4, k -> k.dsaDecodeModule);
        loadMlaModule(byKey, "/perf/dsa_context_module.csv", 4, k -> k.dsaContextModule);
        loadMlaModule(byKey, "/perf/gdn_context.csv", 4, k -> k.gdnContext);
        loadGdnDecode(byKey);
        List<String[]> moe = lines("/perf/moe.csv");
        String[] header = moe.remove(0);
        // system, engine, dtype, hidden, inter, topk, experts, moe_tp, moe_ep, kernel, then one column per token count.
        int first = MOE_KEY_COLUMNS + 1;
        double[] counts = wideCounts(header, first);
        for (String[] r : moe) {
            Kernels kernels = byKey.get(r[0] + "," + r[1]);
            MoeCurve curve = kernels == null ? null : wideCurve(counts, r, first);
            if (curve == null) {
                continue;
            }
            MoeShape shape = new MoeShape(r[2], Long.parseLong(r[3]), Long.parseLong(r[4]), Integer.parseInt(r[5]),
                    Integer.parseInt(r[6]), Integer.parseInt(r[7]), Integer.parseInt(r[8]));
            kernels.moe.put(shape, curve);
            kernels.moeKernels.put(shape, r[MOE_KEY_COLUMNS]);
        }
        return new KernelTables(byKey);
    }

    /**
     * GEMMs where two measured GPUs are the same silicon: the same compute capability and data-sheet tensor peaks (H100
     * SXM and H200: one GH100 die at the same clocks and 700 W; the H200 differs in its memory only). Where a GEMM is
     * compute-bound on both ({@link Kernels#gemmRoofRatio}'s roofline: the tensor peak below HBM bandwidth x 2m / bytes
     * per weight, from m = 512 on these two), the same engine's same kernel runs at the same rate on both, and each
     * takes the faster of the two measurements: a run of a kernel is slowed by its conditions (clocks held down, a
     * busy node), never sped up. Of op-perf's compute-bound GEMMs (m 2,048 to 8,192, n x k 2^25 to 2^28, mean achieved
     * TFLOPS, H100 / H200) every table agrees within 4% (vLLM bf16 779 / 764 and DeepGEMM block FP8 1,104 / 1,093;
     * SGLang FP8 1,093 / 1,132, bf16 733 / 711; TensorRT-LLM FP8 1,116 / 1,148, bf16 768 / 773) but vLLM's CUTLASS FP8
     * (1,087 / 1,204), which the serving rows contradict: InferenceX's vLLM Llama-3.1-70B prefills an 8,192-token
     * prompt on H100 as fast as on H200 (4 clients, TP 2 / 4 / 8: 738 / 453 / 301 ms against 733 / 469 / 303).
     * Memory-bound rows stay each GPU's own.
     */
    static void shareComputeBoundGemms(Map<String, Kernels> byKey) {
        List<String> gpus = new ArrayList<>(new TreeMap<>(SYSTEM_OF_GPU).keySet());
        for (int a = 0; a < gpus.size(); a++) {
            Gpu ga = GpuCatalog.require(gpus.get(a), "gpu");
            for (String other : gpus.subList(a + 1, gpus.size())) {
                Gpu gb = GpuCatalog.require(other, "gpu");
                if (ga.computeCapability() != gb.computeCapability() || ga.bf16Tflops() != gb.bf16Tflops()
                        || ga.fp8Tflops() != gb.fp8Tflops()) {
                    continue;
                }
                for (ServingEngine engine : ServingEngine.values()) {
                    Kernels ka = byKey.get(SYSTEM_OF_GPU.get(ga.name()) + "," + engine.key());
                    Kernels kb = byKey.get(SYSTEM_OF_GPU.get(gb.name()) + "," + engine.key());
                    if (ka != null && kb != null) {
                        ka.gemmFlops.forEach((dtype, ta) -> takeFasterWhereComputeBound(ga, ta, gb, kb.gemmFlops.get(dtype),
                                dtype.startsWith("fp8")));
                    }
                }
            }
        }
    }

    /**
     * Both GEMM tables ({@code ta} of {@code ga}, {@code tb} of {@code gb}; rows by log2 m, null where {@code gb} lacks
     * the dtype) at the faster rate in the rows compute-bound on both GPUs, where both measured the cell.
     */
    private static void takeFasterWhereComputeBound(Gpu ga, double[][] ta, Gpu gb, double[][] tb, boolean fp8) {
        for (int i = 0; tb != null && i < Math.min(ta.length, tb.length); i++) {
            if (!Kernels.computeBound(ga, fp8, 1L << i) || !Kernels.computeBound(gb, fp8, 1L << i)) {
                continue;
            }
            for (int j = 0; j < Math.min(ta[i].length, tb[i].length); j++) {
                double faster = Math.max(ta[i][j], tb[i][j]); // NaN where either is unmeasured: both kept
                if (!Double.isNaN(faster)) {
                    ta[i][j] = faster;
                    tb[i][j] = faster;
                }
            }
        }
    }

    /**
     * mla_decode_module.csv and mla_context_module.csv (system, engine, KV dtype, GEMM dtype, heads, batch) and
     * dsa_decode_module.csv and dsa_context_module.csv (system, engine, model, KV dtype, GEMM dtype, heads, batch) and
     * gdn_context.csv (system, engine, key heads, value heads, key and value head dims, batch), then
     * microseconds per cached-token count or prompt length (header {@code us_N}); a grid per system, engine and the
     * {@code keys} columns after them, put in the map {@code into} gives under those columns joined by commas. A row may
     * stop short of the longest contexts (large batches run out of memory there) or skip a count between measured ones;
     * rows with fewer than two times are dropped.
     */
    private static void loadMlaModule(Map<String, Kernels> byKey, String resource, int keys,
                                      Function<Kernels, Map<String, MlaModule>> into) {
        List<String[]> lines = lines(resource);
        String[] header = lines.remove(0);
        int batch = 2 + keys;
        int first = batch + 1;
        double[] steps = new double[header.length - first];
        for (int i = first; i < header.length; i++) {
            steps[i - first] = Double.parseDouble(header[i].substring("us_".length()));
        }
        Map<String, TreeMap<Double, double[]>> grids = new TreeMap<>();
        for (String[] r : lines) {
            double[] cells = new double[r.length - first];
            int measured = 0;
            int lastMeasured = -1;
            for (int i = 0; i < cells.length; i++) {
                cells[i] = r[first + i].isEmpty() ? Double.NaN : Double.parseDouble(r[first + i]) * 1e-6;
                if (!Double.isNaN(cells[i])) {
                    measured++;
                    lastMeasured = i;
                }
            }
            if (measured < 2) {
                continue;
            }
            // A count op-perf skipped between measured ones is interpolated (the counts are powers of two: linear in the
            // index is linear in log2); before the first measured, that first.
            double[] row = new double[lastMeasured + 1];
            for (int i = 0; i <= lastMeasured; i++) {
                row[i] = interpolate(cells, i);
            }
            grids.computeIfAbsent(String.join(",", Arrays.copyOf(r, batch)), k -> new TreeMap<>()).put(Double.parseDouble(r[batch]), row);
        }
        grids.forEach((key, rows) -> {
            String[] k = key.split(",");
            Kernels kernels = byKey.get(k[0] + "," + k[1]);
            if (kernels != null) {
                double[] batches = rows.keySet().stream().mapToDouble(Double::doubleValue).toArray();
                into.apply(kernels).put(String.join(",", Arrays.copyOfRange(k, 2, batch)),
                        new MlaModule(batches, steps, rows.values().toArray(new double[0][])));
            }
        });
    }

    /**
     * gdn_decode.csv: system, engine, key heads, value heads, key and value head dims per rank, then microseconds per
     * decoding sequence count (header {@code us_N}); a row may stop short of the largest counts (not measured there).
     */
    private static void loadGdnDecode(Map<String, Kernels> byKey) {
        List<String[]> lines = lines("/perf/gdn_decode.csv");
        String[] header = lines.remove(0);
        int first = 6;
        double[] counts = wideCounts(header, first);
        for (String[] r : lines) {
            Kernels kernels = byKey.get(r[0] + "," + r[1]);
            MoeCurve curve = kernels == null ? null : wideCurve(counts, r, first);
            if (curve != null) {
                kernels.gdnDecode.put(String.join(",", Arrays.copyOfRange(r, 2, first)), curve);
            }
        }
    }

    /** The counts N of a wide table's header columns {@code us_N} from column {@code first}. */
    private static double[] wideCounts(String[] header, int first) {
        double[] counts = new double[header.length - first];
        for (int i = first; i < header.length; i++) {
            counts[i - first] = Double.parseDouble(header[i].substring("us_".length()));
        }
        return counts;
    }

    /**
     * The row {@code r} of a wide table of microseconds (at {@code counts} from column {@code first}) as seconds by count,
     * its empty cells left out; null when every cell is empty.
     */
    private static MoeCurve wideCurve(double[] counts, String[] r, int first) {
        List<Double> at = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (int i = first; i < r.length; i++) {
            if (!r[i].isEmpty()) {
                at.add(counts[i - first]);
                seconds.add(Double.parseDouble(r[i]) * 1e-6);
            }
        }
        return at.isEmpty() ? null : new MoeCurve(at.stream().mapToDouble(Double::doubleValue).toArray(),
                seconds.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Where a curve of a per-system, per-engine table goes: its kernels, its key columns, the curve. */
    @FunctionalInterface
    private interface CurveSink {
        void put(Kernels kernels, String[] key, Curve curve);
    }

    /**
     * Each curve of a long table whose first two key columns are the system and the engine, handed with its key columns to
     * the kernels of that system and engine (curves of a pair without GEMM data are dropped).
     */
    private static void perEngine(Map<String, Kernels> byKey, String resource, int keys, double unit, CurveSink sink) {
        curves(resource, keys, unit).forEach((key, c) -> {
            String[] k = key.split(",");
            Kernels kernels = byKey.get(k[0] + "," + k[1]);
            if (kernels != null) {
                sink.put(kernels, k, c);
            }
        });
    }

    /**
     * The curves of a long table: rows grouped by their first {@code keys} columns (joined by commas), column
     * {@code keys} the log2 bucket and the next the rate, in units of {@code unit}.
     */
    private static Map<String, Curve> curves(String resource, int keys, double unit) {
        Map<String, TreeMap<Integer, Double>> points = new TreeMap<>();
        for (String[] r : rows(resource)) {
            points.computeIfAbsent(String.join(",", Arrays.copyOf(r, keys)), k -> new TreeMap<>())
                    .put(Integer.parseInt(r[keys]), Double.parseDouble(r[keys + 1]) * unit);
        }
        Map<String, Curve> out = new TreeMap<>();
        points.forEach((key, p) -> out.put(key, curve(p)));
        return out;
    }

    private static Curve curve(TreeMap<Integer, Double> points) {
        int first = points.firstKey();
        double[] rate = new double[points.lastKey() - first + 1];
        Arrays.fill(rate, Double.NaN);
        points.forEach((b, v) -> rate[b - first] = v);
        return Curve.of(first, rate);
    }

    /** The data rows of a table: '#' comment lines and the header skipped. */
    private static List<String[]> rows(String resource) {
        List<String[]> lines = lines(resource);
        return lines.subList(1, lines.size());
    }

    /** The header and data rows of a table, '#' comment lines and blank lines skipped. */
    private static List<String[]> lines(String resource) {
        try (InputStream in = KernelTables.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing; run jobs/calibrate.sh");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> out = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    out.add(line.split(",", -1));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("resource " + resource + " has no header line");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the kernel table " + resource, e);
        }
    }
}

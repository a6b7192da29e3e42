package dev.autoparallel.perf;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.DType;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.model.Family;
import dev.autoparallel.model.LinearStateDims;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ModelSpec.AttentionKind;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Mixer;
import dev.autoparallel.perf.KernelTables.Kernels;
import dev.autoparallel.model.Quantization;
import dev.autoparallel.model.Sharding;
import dev.autoparallel.model.Tensor;
import dev.autoparallel.model.TensorKind;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An analytical (roofline) model of serving speed. A decode step reads every weight on the rank
 * (for a mixture of experts, only the experts the batch's tokens select) and the KV cache of
 * every sequence in flight, over HBM; its matrix multiplies run on the tensor cores; tensor
 * parallelism adds two all-reduces per layer over NVLink (or the network when TP spans nodes);
 * pipeline stages run one after another. In steady state at concurrency C, the requests past their
 * first token decode together while prompts arrive at decoding x input/output tokens per output
 * token: vLLM and TensorRT-LLM put a prompt into a step whole (or in chunks of the step's token
 * budget), so that share of the steps carry one and the rest decode alone; SGLang runs prefill
 * batches of their own in between. That mean is what time per output token measures. Time to first
 * token is the prefill of the prompt, a queue that grows with concurrency (requests arriving while
 * others prefill), one decode step, and the wait for a KV-cache slot when C exceeds what the cache
 * holds under the engine's admission rule.
 *
 * <p>Efficiency factors are named constants calibrated once for Hopper (H100, H200) on the
 * reference measurements (aiconfigurator's silicon_sample.csv: vLLM and SGLang, four models,
 * 472 points); other GPUs use the same factors with their own peak numbers.
 *
 * <p>Where the GPU and engine have measured kernels ({@link KernelTables}) and the model is a dense
 * decoder of full-attention layers with 16-bit or FP8 per-tensor weights, a step's matrix multiplies and attention come
 * from those measurements instead of the roofline ({@link StepSource#MEASURED_KERNELS}), with the
 * engine's calibration of that source ({@link ServingEngine#calibration(StepSource)}); the all-reduces, the
 * queue and the pipeline hand-offs are the roofline's in both. A mixture of experts takes its routed experts (and, for
 * MLA models, its attention) from measured MoE and MLA kernels where the tables hold its shapes
 * ({@link StepSource#MEASURED_EXPERTS}). A GPU without measurements takes the nearest measured GPU's kernels scaled by
 * data-sheet ratios ({@link StepSource#SCALED_KERNELS}, {@link StepSource#SCALED_EXPERTS}).
 */
public final class PerfModel {
    /** Share of peak HBM bandwidth a memory-bound decode step reaches (Hopper, fitted). */
    static final double ETA_HBM = 0.80;
    /** Share of peak tensor FLOPS for decode-sized matrix multiplies (Hopper, fitted). */
    static final double ETA_DECODE_COMPUTE = 0.45;
    /** Share of peak tensor FLOPS for prefill (Hopper, fitted). */
    static final double ETA_PREFILL_COMPUTE = 0.60;
    /** Latency of one all-reduce call (NCCL/custom all-reduce, small messages). */
    static final double ALLREDUCE_LATENCY_S = 12e-6;
    /** Share of the link's bandwidth an all-reduce reaches. */
    static final double LINK_EFFICIENCY = 0.7;
    /**
     * Latency each further rank adds to a collective across nodes: the network hop aiconfigurator's system files assume
     * for Hopper and Blackwell nodes ({@code p2p_latency: 10us}, op-perf systems/h100_sxm.yaml, read 2026-11-30).
     */
    static final double NETWORK_HOP_LATENCY_S = 10e-6;
    /** Rounds of the fixed point between the decode batch and the step time it sets (each a step evaluation or two). */
    static final int DECODE_BATCH_ROUNDS = 8;
    /** Latency of one activation hand-off between pipeline stages. */
    static final double P2P_LATENCY_S = 30e-6;

    private final MemoryModel memory;
    private final ModelSpec spec;
    private final Gpu gpu;
    private final double activeParams;
    /** The routed experts' share of {@link #activeParams}: what a measured MoE layer times in place of the roofline. */
    private final double activeRoutedParams;
    /**
     * The op-perf MoE dtype of the routed experts as served ({@code bfloat16}, {@code fp8}, {@code fp8_block},
     * {@code w4a16_mxfp4}, {@code int4_wo}), or null where the tables have no such kernels or the model has no experts.
     */
    private final String moeDtype;
    private final double expertByteShare;
    /** The attention blocks' share of the served bytes, and their parameters: what a measured MLA module times. */
    private final double attentionByteShare;
    private final double attentionParams;
    /**
     * The kernel-table GEMM dtype of a DeepSeek-V3-shaped MLA block as served ({@code fp8_block} for 128 x 128 FP8 blocks,
     * {@code bfloat16} for 16-bit weights), or null for any other model or storage: the one model whose whole attention
     * block the tables measure, in decode and in prefill ({@link KernelTables.Kernels#mlaDecodeModule},
     * {@link KernelTables.Kernels#mlaContextModule}).
     */
    private final String mlaModuleGemmDtype;
    /**
     * The measured model whose DSA block this one's is ({@link #dsaModuleModel}) and its GEMM dtype as served, or null:
     * the blocks of a DeepSeek sparse attention layer in generation and prefill ({@link KernelTables.Kernels#dsaDecodeModule},
     * {@link KernelTables.Kernels#dsaContextModule}).
     */
    private final String dsaModuleModel;
    private final String dsaModuleGemmDtype;
    /** Parameters and served bytes of the LM head (what a speculative drafter's every pass runs). */
    private final double headParams;
    private final double headBytes;
    /** Decoder layers one MTP drafter pass runs ({@link #draftShare}), counted once. */
    private final int mtpPassLayers;
    private final boolean fp8Checkpoint;
    private final double slidingLayerCount;
    /**
     * Layers that read a KV cache when they attend: those keeping one and the shared-KV layers reading an earlier
     * layer's; Mamba-2, Gated DeltaNet and KDA layers and mixer-less blocks read none.
     */
    private final double kvReaderLayerCount;
    /** Mamba-2, Gated DeltaNet and KDA layers: each decoding sequence reads and writes its state once a step. */
    private final double stateLayerCount;
    /** Gated DeltaNet layers: what the measured linear-attention tables time. */
    private final double gdnLayerCount;
    /** Plain MLA layers and MLA layers with a DSA indexer: what the measured attention tables time. */
    private final long mlaLayerCount;
    private final long dsaLayerCount;
    /** This GPU's measured kernels per engine (absent: none, or the roofline alone was asked for). */
    private final Map<ServingEngine, Kernels> kernels;
    /** The tables and whether they are read at all, kept so {@link #withExpertKernel} can build the same model again. */
    private final KernelTables tables;
    private final boolean useKernelTables;
    /** The MoE kernel a run forces per engine ({@link #withExpertKernel}); absent: the engine's fastest. */
    private final Map<ServingEngine, String> forcedExpertKernels;
    /** The expert dispatch a run sets per engine ({@link #withExpertDispatch}); absent: the engine's default. */
    private final Map<ServingEngine, ExpertDispatch> forcedDispatch;
    /** The TensorRT-LLM release a run used ({@link #withTrtllmRelease}); null: the newest. */
    private final TrtllmRelease trtllmRelease;
    /**
     * The kernel-table GEMM dtype of this model's matrix multiplies ({@code bfloat16}, {@code fp8}), or null
     * where the tables do not apply: anything but a dense decoder of full-attention layers, or of full-attention and
     * Gated DeltaNet layers (MoE, MLA, sliding windows, Mamba-2 and KDA layers keep the roofline), or weights neither
     * 16-bit nor FP8.
     */
    private final String gemmDtype;
    /** The dense MLP's intermediate size (the down projection's input), 0 where {@link #gemmDtype} is null. */
    private final long intermediateSize;
    /**
     * A dense decoder of full-attention and Gated DeltaNet layers (Qwen3.5-27B, Qwen3.6-27B): its GEMMs differ by layer
     * ({@link #hybridLayerGemms}) and its linear-attention layers need the GDN tables for the measured path.
     */
    private final boolean gdnHybrid;
    /**
     * The measured path's GEMM seconds per stage shape, computed once per kernels x TP x PP: an estimate then costs
     * about what the roofline's does instead of 80 table interpolations.
     */
    private final Map<GemmKey, double[][]> gemmTimes = new ConcurrentHashMap<>();

    private record GemmKey(Kernels kernels, int tp, int pp, Set<DenseLinear> selfQuantized) {
    }

    /** The speed model: measured kernels where the GPU, engine, dtype and architecture have them, else the roofline. */
    public PerfModel(MemoryModel memory) {
        this(memory, KernelTables.builtIn(), true, Map.of(), Map.of(), null);
    }

    /** The roofline alone, as before the kernel tables (jobs/compare-kernels.sh replays both). */
    static PerfModel rooflineOnly(MemoryModel memory) {
        return new PerfModel(memory, KernelTables.builtIn(), false, Map.of(), Map.of(), null);
    }

    /**
     * This speed model with {@code engine}'s routed experts run by {@code kernel} (a part of op-perf's kernel name) where
     * a run forces it, as InferenceX's gpt-oss recipes for vLLM on Hopper force Marlin ({@link
     * KernelTables.Kernels#moe(KernelTables.MoeShape, String)}); where that kernel was not measured the experts keep the
     * fastest kernel's times. A null {@code kernel} (no kernel forced) returns this model.
     */
    public PerfModel withExpertKernel(ServingEngine engine, String kernel) {
        if (kernel == null) {
            return this;
        }
        Map<ServingEngine, String> forced = new EnumMap<>(ServingEngine.class);
        forced.putAll(forcedExpertKernels);
        forced.put(engine, kernel);
        return new PerfModel(memory, tables, useKernelTables, forced, forcedDispatch, trtllmRelease);
    }

    /**
     * This speed model with {@code engine}'s expert parallelism over data-parallel ranks moving tokens by {@code dispatch}
     * where a run sets it instead of the engine's default ({@link ServingEngine#expertDispatch}), as InferenceX's H100
     * recipes for Dynamo's TensorRT-LLM prefill workers force DeepEP's all-to-all.
     */
    public PerfModel withExpertDispatch(ServingEngine engine, ExpertDispatch dispatch) {
        Map<ServingEngine, ExpertDispatch> forced = new EnumMap<>(ServingEngine.class);
        forced.putAll(forcedDispatch);
        forced.put(engine, Objects.requireNonNull(dispatch, "dispatch"));
        return new PerfModel(memory, tables, useKernelTables, forcedExpertKernels, forced, trtllmRelease);
    }

    /**
     * This speed model with TensorRT-LLM's steps as {@code release} runs them where that differs from the newest (which
     * FP8 linears quantize their own input: {@link ServingEngine#selfQuantizedFp8Inputs}); null: the newest.
     */
    public PerfModel withTrtllmRelease(TrtllmRelease release) {
        return Objects.equals(release, trtllmRelease) ? this
                : new PerfModel(memory, tables, useKernelTables, forcedExpertKernels, forcedDispatch, release);
    }

    private PerfModel(MemoryModel memory, KernelTables kernels, boolean useKernelTables,
                      Map<ServingEngine, String> forcedExpertKernels, Map<ServingEngine, ExpertDispatch> forcedDispatch,
                      TrtllmRelease trtllmRelease) {
        this.memory = memory;
        this.tables = kernels;
        this.useKernelTables = useKernelTables;
        this.forcedExpertKernels = forcedExpertKernels;
        this.forcedDispatch = forcedDispatch;
        this.trtllmRelease = trtllmRelease;
        Map<ServingEngine, Kernels> byEngine = new EnumMap<>(ServingEngine.class);
        if (useKernelTables) {
            for (ServingEngine e : ServingEngine.values()) {
                kernels.of(memory.gpu(), e).ifPresent(k -> byEngine.put(e, k));
            }
        }
        this.kernels = byEngine;
        this.spec = memory.spec();
        this.gpu = memory.gpu();
        long embedding = spec.paramBreakdown().getOrDefault(Component.EMBEDDING, 0L);
        this.activeParams = spec.activeParamCount() - embedding;
        double routed = 0;
        for (Tensor t : spec.servedTensors()) {
            if (t.component() == Component.ROUTED_EXPERTS) {
                routed += t.numel();
            }
        }
        this.activeRoutedParams = spec.moe() == null ? 0 : routed / spec.moe().numExperts() * spec.moe().expertsPerToken();
        this.moeDtype = spec.moe() == null ? null : moeDtype(spec.quantization());
        double expertBytes = 0;
        double attentionBytes = 0;
        double attention = 0;
        double total = 0;
        // The output head (the embedding where the two are tied), which every sampled position multiplies through.
        double head = 0;
        double headB = 0;
        for (Tensor t : spec.servedTensors()) {
            double b = spec.quantization().bytes(t, spec.servingDtype());
            total += b;
            if (t.component() == Component.ROUTED_EXPERTS) {
                expertBytes += b;
            } else if (t.component() == Component.ATTENTION) {
                attentionBytes += b;
                attention += t.numel();
            } else if (t.component() == Component.LM_HEAD) {
                head += t.numel();
                headB += b;
            }
        }
        this.expertByteShare = total == 0 ? 0 : expertBytes / total;
        this.attentionByteShare = total == 0 ? 0 : attentionBytes / total;
        this.attentionParams = attention;
        this.mlaModuleGemmDtype = mlaModuleGemmDtype(spec);
        this.dsaModuleModel = dsaModuleModel(spec);
        this.dsaModuleGemmDtype = dsaModuleModel == null ? null : moduleGemmDtype(spec.quantization());
        if (head == 0 && spec.tieWordEmbeddings()) {
            head = (double) spec.vocabSize() * spec.hiddenSize();
            headB = head * spec.servingDtype().bytes();
        }
        this.headParams = head;
        this.headBytes = headB;
        this.mtpPassLayers = spec.family() == Family.NEMOTRON_H ? spec.mtpDecoderLayers() : 1;
        Quantization q = spec.quantization();
        // Weights and activations both in 8 bits or fewer run on FP8 tensor cores: FP8 (per tensor, block, row-wise), the
        // microscaled formats, ModelOpt's FP8 and, on Blackwell (SM 10.0) where FP4 tensor cores exist, its W4A4 NVFP4
        // (counted at the FP8 peak: the FP4 peak is not in the catalog). Weight-only formats (W4A16 NVFP4, GPTQ, AWQ)
        // dequantize into 16-bit matrix multiplies. So do MXFP4 experts on Hopper (op-perf's only MXFP4 MoE kernels there
        // are w4a16_mxfp4), but the measured gpt-oss rows fit worse at the 16-bit peak (README, tried list, 2026-12-03).
        boolean blackwell = gpu.computeCapability() >= 100;
        this.fp8Checkpoint = q instanceof Quantization.Fp8 || q instanceof Quantization.DeepseekV4 || q instanceof Quantization.Mxfp4
                || q instanceof Quantization.CompressedMxfp4
                || q instanceof Quantization.Microscaled || q instanceof Quantization.FbgemmFp8
                || q instanceof Quantization.ModelOpt m && (m.algorithm().equals("FP8") || m.algorithm().equals("NVFP4") && blackwell)
                || q instanceof Quantization.CompressedNvfp4 n && n.activations() && blackwell
                || q instanceof Quantization.CompressedTensors c && c.floatWeights();
        this.slidingLayerCount = spec.layerAttention().stream().filter(a -> a == AttentionKind.SLIDING).count();
        this.kvReaderLayerCount = spec.layers().stream()
                .filter(x -> x.mixer().keepsKvCache() || x.mixer() == Mixer.SHARED_KV).count();
        this.stateLayerCount = spec.layers().stream().filter(x -> x.mixer() == Mixer.GATED_DELTANET
                || x.mixer() == Mixer.KDA || x.mixer() == Mixer.MAMBA2).count();
        this.gdnLayerCount = spec.layers().stream().filter(x -> x.mixer() == Mixer.GATED_DELTANET).count();
        this.mlaLayerCount = spec.layers().stream().filter(x -> x.mixer() == Mixer.MLA).count();
        this.dsaLayerCount = spec.layers().stream().filter(x -> x.mixer() == Mixer.MLA_DSA).count();
        long intermediate = denseIntermediateSize(spec);
        boolean plain = intermediate > 0 && spec.moe() == null && spec.mla() == null && slidingLayerCount == 0;
        boolean uniform = spec.linearState() == null
                && spec.layers().stream().allMatch(x -> x.mixer() == Mixer.FULL_ATTENTION && x.ffn() == Ffn.DENSE);
        this.gdnHybrid = plain && spec.linearState() != null && spec.linearState().mixer() == Mixer.GATED_DELTANET
                && spec.layers().stream().allMatch(x -> (x.mixer() == Mixer.FULL_ATTENTION || x.mixer() == Mixer.GATED_DELTANET)
                && x.ffn() == Ffn.DENSE);
        boolean dense = plain && (uniform || gdnHybrid);
        // 16-bit weights run the tables' bfloat16 GEMMs, FP8 per tensor (vLLM --quantization fp8, ModelOpt FP8) their
        // fp8 GEMMs less a per-call excess (Stage#gemmSeconds). The tables' fp8 GEMMs as measured took the median TPOT
        // error of Llama-3.1-70B FP8 on TensorRT-LLM from 17% to 49%; with the excess taken off, the 70B runs on vLLM go
        // from 7.8% (H100) and 8.9% (H200) on the roofline to 5.2% and 4.6%, on TensorRT-LLM (H200) from 12.7% to 4.0%:
        // the roofline misses the ridge between memory- and compute-bound GEMMs at 64 to 512 tokens, where a step's GEMMs
        // take up to three times its weight read (measured-latency.csv, jobs/compare-kernels.sh, 2026-11-30). Not
        // everywhere: Qwen3-32B FP8 on TensorRT-LLM is 19.1% on the tables against 14.5% on the roofline. Block-scaled
        // FP8 has no dense table and stays on the roofline.
        boolean fp8PerTensor = q instanceof Quantization.Fp8 f && f.blockOut() == 0
                || q instanceof Quantization.ModelOpt m && m.algorithm().equals("FP8");
        String dtype = q instanceof Quantization.None ? "bfloat16" : fp8PerTensor ? "fp8" : null;
        this.gemmDtype = dense ? dtype : null;
        this.intermediateSize = dense ? intermediate : 0;
    }

    /**
     * The op-perf MoE dtype that runs experts stored as {@code q}: 16-bit, FP8 per tensor or in 128 x 128 blocks, MXFP4
     * (gpt-oss: W4A16 on Hopper) or 4-bit integer groups (compressed-tensors pack-quantized, Kimi-K2's INT4); null for any
     * other storage, which keeps the roofline.
     */
    static String moeDtype(Quantization q) {
        if (q instanceof Quantization.None) {
            return "bfloat16";
        }
        if (q instanceof Quantization.Fp8 f) {
            return !f.blockScaled() ? "fp8" : f.blockOut() == 128 && f.blockIn() == 128 ? "fp8_block" : null;
        }
        if (q instanceof Quantization.Mxfp4 || q instanceof Quantization.CompressedMxfp4) {
            return "w4a16_mxfp4";
        }
        if (q instanceof Quantization.CompressedTensors c && !c.floatWeights() && c.bits() == 4) {
            return "int4_wo";
        }
        return null;
    }

    /**
     * {@link #mlaModuleGemmDtype} of {@code spec}: DeepSeek-V3's MLA shape (its config.json: hidden_size 7168, q_lora_rank
     * 1536, kv_lora_rank 512, qk_nope_head_dim 128, qk_rope_head_dim 64, v_head_dim 128; op-perf's module files measure that
     * model alone), plain MLA (no sparse indexer), stored in 128 x 128 FP8 blocks or 16-bit.
     */
    static String mlaModuleGemmDtype(ModelSpec spec) {
        ModelSpec.MlaDims m = spec.mla();
        boolean shape = m != null && spec.hiddenSize() == 7168 && m.qLoraRank() == 1536 && m.kvLoraRank() == 512
                && m.qkNopeHeadDim() == 128 && m.qkRopeHeadDim() == 64 && m.vHeadDim() == 128
                && spec.layers().stream().noneMatch(x -> x.mixer() == Mixer.MLA_DSA);
        return shape ? moduleGemmDtype(spec.quantization()) : null;
    }

    /** The module tables' GEMM dtype of weights stored as {@code q}: 16-bit, or FP8 in 128 x 128 blocks; null otherwise. */
    private static String moduleGemmDtype(Quantization q) {
        if (q instanceof Quantization.None) {
            return "bfloat16";
        }
        return q instanceof Quantization.Fp8 f && f.blockScaled() && f.blockOut() == 128 && f.blockIn() == 128 ? "fp8_block" : null;
    }

    /**
     * The model of the DSA module table ({@code dsa_decode_module.csv}) whose attention block {@code spec}'s is, or null:
     * a model of DeepSeek sparse attention layers with the MLA shape of one of the two op-perf measures, from their
     * config.json files (AutoParallel reference configs-2026): GLM-5 (and GLM-5.1, the same shape: hidden_size 6144,
     * q_lora_rank 2048, kv_lora_rank 512, qk_nope_head_dim 192, qk_rope_head_dim 64, v_head_dim 256, 64 heads) and
     * DeepSeek-V3.2 (7168, 1536, 512, 128, 64, 128, 128 heads); both index with 2,048 top-k tokens.
     */
    static String dsaModuleModel(ModelSpec spec) {
        ModelSpec.MlaDims m = spec.mla();
        if (m == null || spec.layers().stream().noneMatch(x -> x.mixer() == Mixer.MLA_DSA) || m.kvLoraRank() != 512
                || m.qkRopeHeadDim() != 64) {
            return null;
        }
        if (spec.hiddenSize() == 6144 && m.qLoraRank() == 2048 && m.qkNopeHeadDim() == 192 && m.vHeadDim() == 256
                && spec.numAttentionHeads() == 64) {
            return "zai-org/GLM-5";
        }
        if (spec.hiddenSize() == 7168 && m.qLoraRank() == 1536 && m.qkNopeHeadDim() == 128 && m.vHeadDim() == 128
                && spec.numAttentionHeads() == 128) {
            return "deepseek-ai/DeepSeek-V3.2";
        }
        return null;
    }

    /**
     * A hybrid's layer GEMMs on one rank at TP {@code tp}: (n, k) by the number of layers that run it. The linear weights
     * of a layer's attention (or Gated DeltaNet) and of its MLP that read the same input are one GEMM, as the engines fuse
     * them (q, k, v and the output gate; GDN's in_proj_qkv, z, b and a; gate and up), their outputs split by TP
     * (key/value heads replicated where TP exceeds them); the projections back to the hidden size split their input.
     */
    Map<List<Long>, Integer> hybridLayerGemms(int tp) {
        int kvHeads = spec.numKeyValueHeads();
        Map<String, long[]> fused = new LinkedHashMap<>();
        for (Tensor t : spec.tensors()) {
            // The model's layers only: an MTP drafter's (numbered after them) runs as a drafter (draftSeconds).
            if (t.kind() != TensorKind.LINEAR || t.layer() < 0 || t.layer() >= spec.numLayers()
                    || t.component() != Component.ATTENTION && t.component() != Component.DENSE_MLP) {
                continue;
            }
            long n;
            long k;
            switch (t.sharding()) {
                case COLUMN -> {
                    n = t.out() / tp;
                    k = t.in();
                }
                case KV_HEADS -> {
                    n = t.out() / kvHeads * ((kvHeads + tp - 1) / tp);
                    k = t.in();
                }
                case ROW -> {
                    n = t.out();
                    k = t.in() / tp;
                }
                default -> {
                    n = t.out();
                    k = t.in();
                }
            }
            String side = t.sharding() == Sharding.ROW ? "row" : t.sharding() == Sharding.REPLICATED ? "replicated" : "column";
            long[] g = fused.computeIfAbsent(t.layer() + "," + t.component() + "," + side + "," + k, key -> new long[2]);
            g[0] += n * t.copies();
            g[1] = k;
        }
        Map<List<Long>, Integer> byShape = new LinkedHashMap<>();
        fused.values().forEach(g -> byShape.merge(List.of(g[0], g[1]), 1, Integer::sum));
        return byShape;
    }

    /** The input size of the first layer's dense down projection (its output is the hidden size), or 0 when there is none. */
    private static long denseIntermediateSize(ModelSpec spec) {
        for (Tensor t : spec.tensors()) {
            if (t.component() == Component.DENSE_MLP && t.out() == spec.hiddenSize() && t.in() != spec.hiddenSize()
                    && t.in() > 1 && t.name().contains("down_proj")) {
                return t.in();
            }
        }
        return 0;
    }

    public MemoryModel memory() {
        return memory;
    }

    /**
     * Speed of {@code layout} for {@code w}, or empty when the layout does not fit (vLLM would not start).
     * Settings' null max_model_len and max_num_seqs follow the workload.
     */
    public Optional<PerfEstimate> estimate(Layout layout, int gpusPerNode, long gpuMemoryBytes, EngineSettings settings,
                                           Workload w, ServingEngine engine) {
        return estimate(layout, gpusPerNode, gpuMemoryBytes, settings, w, engine, ServingEngine::forPlanning);
    }

    /** What each engine adds to step times from each source: {@link ServingEngine#calibration}, or one being fitted. */
    @FunctionalInterface
    interface Calibrations {
        EngineCalibration of(ServingEngine engine, StepSource source);
    }

    /** As above, with the engines' calibrations given (fitting one). */
    Optional<PerfEstimate> estimate(Layout layout, int gpusPerNode, long gpuMemoryBytes, EngineSettings settings,
                                    Workload w, ServingEngine engine, Calibrations calibrations) {
        int replicaConcurrency = (w.concurrency() + layout.dp() - 1) / layout.dp();
        EngineSettings s = settings;
        if (s.maxModelLen() == null) {
            s = s.withMaxModelLen(w.sequenceLength());
        }
        if (s.maxNumSeqs() == null) {
            s = s.withMaxNumSeqs(replicaConcurrency);
        }
        MemoryEstimate mem = memory.evaluate(layout, s, gpuMemoryBytes);
        if (!mem.fits()) {
            return Optional.empty();
        }
        return Optional.of(estimate(layout, gpusPerNode, mem, w, engine, calibrations));
    }

    /** Speed of a layout whose engine view is already known ({@code mem}, sized for this workload). */
    public PerfEstimate estimate(Layout l, int gpusPerNode, MemoryEstimate mem, Workload w, ServingEngine engine) {
        return estimate(l, gpusPerNode, mem, w, engine, ServingEngine::forPlanning);
    }

    /** As {@link #estimate(Layout, int, MemoryEstimate, Workload, ServingEngine)}, with the calibrations given (fitting). */
    PerfEstimate estimate(Layout l, int gpusPerNode, MemoryEstimate mem, Workload w, ServingEngine servingEngine,
                          Calibrations calibrations) {
        return estimate(l, gpusPerNode, mem, w, servingEngine, calibrations, BatchWait.NONE);
    }

    /**
     * As above, with a rule that holds new prompts ({@link PromptHold}: TensorRT-LLM's batch waiting or attention
     * data-parallel balance): a new prompt is held its mean {@link PromptHold#meanHoldSeconds} before its prefill, at the
     * arrival rate the closed loop sets.
     */
    PerfEstimate estimate(Layout l, int gpusPerNode, MemoryEstimate mem, Workload w, ServingEngine servingEngine,
                          Calibrations calibrations, PromptHold promptHold) {
        int replicaConcurrency = (w.concurrency() + l.dp() - 1) / l.dp();
        int isl = w.inputTokens();
        int osl = w.outputTokens();
        // A prompt's cached prefix is context, not computation: the prefill computes its uncached tokens over the whole.
        int computed = w.uncachedTokens();
        double capacity = mem.kvCacheTokens() / servingEngine.heldTokensPerRequest(w);
        double c = Math.max(1, Math.min(replicaConcurrency, capacity));
        Stage stage = stage(l, gpusPerNode, mem, servingEngine, calibrations);
        EngineCalibration engine = calibrations.of(servingEngine, stage.source());

        double ctx = isl + osl / 2.0;
        int chunk = servingEngine.prefillChunkTokens(mem, gpu.memoryBytes());
        boolean mixes = servingEngine.mixesPrefillIntoDecode();
        double prefill = prefillStepSeconds(stage, l, isl, computed) + engine.prefillOverheadS();
        int batched = queuedPromptsPerStep(servingEngine, chunk, computed, c);
        // The prompts ahead of this one are served as the engine batches them (its own prefill above is one prompt's).
        double queueService = batched == 1 ? prefill
                : prefillStepSeconds(stage, l, isl, (double) batched * computed) / batched + engine.prefillOverheadS();
        double queue = engine.queueSeconds(queueService, c);
        // Of the c requests in flight, those not yet past their first token are not decoding: the decode batch is the
        // share of a request's life spent decoding, which depends on the step time it sets. A few rounds settle it.
        double decoding = c;
        Step decode = null;
        double tpot = 0;
        double hold = 0;
        for (int round = 0; round < DECODE_BATCH_ROUNDS; round++) {
            decode = stage.decodeStep(decoding, ctx, decoding * computed / (double) osl, chunk, computed, isl, mixes);
            tpot = l.pp() * decode.seconds() + (l.pp() - 1) * P2P_LATENCY_S;
            hold = promptHold.meanHoldSeconds(c / (prefill + queue + hold + osl * tpot), isl, decoding, tpot);
            double next = Math.max(1, c * osl * tpot / (prefill + queue + hold + osl * tpot));
            if (Math.abs(next - decoding) <= 1e-3 * decoding) {
                break;
            }
            decoding = next;
        }
        double ttft = prefill + queue + hold + tpot;
        double requestRate = c / (prefill + queue + hold + osl * tpot);
        if (replicaConcurrency > c) {
            ttft += (replicaConcurrency - c) / requestRate; // waiting for a KV-cache slot
        }
        double tokensPerSecond = requestRate * osl * l.dp();
        return new PerfEstimate(ttft * 1e3, tpot * 1e3, tokensPerSecond, tokensPerSecond / l.totalGpus(),
                requestRate * l.dp(), c, decoding, decode.memoryBound() ? "memory" : "compute");
    }

    private record Step(double seconds, boolean memoryBound) {
    }

    /**
     * How many prompts of {@code computed} tokens one step prefills for the calibrated queue: as many as the engine's
     * step budget {@code chunk} holds, at most the {@code concurrency} in flight, one where the engine's queue is
     * served a prompt at a time ({@link ServingEngine#batchesQueuedPrompts}).
     */
    static int queuedPromptsPerStep(ServingEngine engine, int chunk, int computed, double concurrency) {
        if (!engine.batchesQueuedPrompts()) {
            return 1;
        }
        return (int) Math.max(1, Math.min(Math.floor(concurrency), ServingEngine.promptsPerStep(chunk, computed)));
    }

    /** A prefill-only step of {@code tokens} prompt tokens at {@code ctx} tokens of context through every stage. */
    private static double prefillStepSeconds(Stage stage, Layout l, int ctx, double tokens) {
        return l.pp() * stage.step(0, ctx, tokens).seconds() + (l.pp() - 1) * P2P_LATENCY_S;
    }

    /**
     * An EAGLE-3 head on one rank of TP {@code tp}: seconds to read its weights and one context token's KV of its layers,
     * compute seconds per position through fc and its layers and per row through its LM head, its layers.
     */
    private record EagleRoofline(double readS, double kvReadS, double tokenS, double headTokenS, int layers) {
        static EagleRoofline of(Eagle3Draft d, int tp, int weightBytes, int kvBytes, double bandwidth, double flops) {
            double layerParams = d.layerParamsOnRank(tp);
            double headParams = d.headParamsOnRank(tp);
            double read = (weightBytes * (layerParams + headParams) + 8.0 * d.shares().int64Elements()) / bandwidth;
            double kv = d.layers() * 2.0 * Math.ceil(d.kvHeads() / (double) tp) * d.headDim() * kvBytes / bandwidth;
            return new EagleRoofline(read, kv, 2 * layerParams / flops, 2 * headParams / flops, d.layers());
        }
    }

    /**
     * The share of one pipeline stage's layers that one MTP drafter pass runs: one MTP layer per pass (vLLM's
     * deepseek_mtp.py, qwen3_next_mtp.py and mimo_mtp.py run layer {@code step % num_mtp_layers}), every block of the MTP
     * pattern for Nemotron-H (nemotron_h_mtp.py runs its one step's blocks in turn).
     */
    private double draftShare(Layout l) {
        return mtpPassLayers / (spec.numLayers() / (double) l.pp());
    }

    /**
     * One pipeline stage of {@code l}: the weights the engine view holds per rank (as served: an
     * online or checkpoint quantization is already in them), FP8 tensor cores for FP8 / FP4
     * weights where the GPU has them, NVLink or the network for TP.
     */
    private Stage stage(Layout l, int gpusPerNode, MemoryEstimate mem, ServingEngine engine, Calibrations calibrations) {
        double peak = (fp8Checkpoint && gpu.fp8Tflops() > 0 ? gpu.fp8Tflops() : gpu.bf16Tflops()) * 1e12;
        // TP within the NVLink domain (the node, or a rack such as GB200 NVL72) all-reduces over NVLink; beyond it over
        // the network, each all-reduce crossing between the domains it spans and back (a ring over them: 2 (N - 1) hops).
        int domain = gpu.nvlinkGpus(gpusPerNode);
        boolean acrossNodes = l.tp() > domain;
        double link = acrossNodes ? gpu.interNodeBytesPerSecond() : gpu.intraNodeBytesPerSecond();
        int domains = (l.tp() + domain - 1) / domain;
        double allReduceLatency = ALLREDUCE_LATENCY_S + 2.0 * (domains - 1) * NETWORK_HOP_LATENCY_S;
        Stage stage = new Stage(l, mem.weightsBytes(), mem.kvCacheDtype(), peak, link, allReduceLatency, mem.speculative());
        Kernels k = kernels.get(engine);
        if (k != null) {
            // Which linears quantize their own input matters to FP8 per-tensor GEMMs alone: other models skip the rule.
            Set<DenseLinear> selfQuantized = "fp8".equals(gemmDtype) ? engine.selfQuantizedFp8Inputs(spec.family(),
                    spec.hiddenSize(), l.tp(), mem.kvCacheDtype() == DType.FLOAT8, trtllmRelease) : Set.of();
            stage.measure(k, l, mem.kvCacheDtype(), selfQuantized);
            if (stage.source() == StepSource.ROOFLINE && engine.runsMeasuredMoe(moeDtype)) {
                stage.measureExperts(k, l, mem.kvCacheDtype(), forcedExpertKernels.get(engine));
            }
            if (stage.source() != StepSource.ROOFLINE) {
                stage.measureAllReduce(k, gpusPerNode);
            }
        }
        if (l.expertParallel() && l.dp() > 1 && spec.moe() != null) {
            ExpertDispatch forced = forcedDispatch.get(engine);
            stage.dispatchExperts(k, l, gpusPerNode, forced != null ? forced : engine.expertDispatch(l.expertParallelSize(),
                    spec.moe().expertsPerToken(), gpu.nvlinkGpus(gpusPerNode) > gpusPerNode));
        }
        EngineCalibration calibration = calibrations.of(engine, stage.source());
        stage.stepOverheadS = calibration.stepOverheadS()
                + (spec.moe() == null ? 0 : calibration.moeLayerOverheadS() * spec.moe().moeLayers() / (double) l.pp());
        return stage;
    }

    /** Where a step time comes from. */
    public enum StepSource {
        /** Interpolated measured kernel timings of this GPU and engine (KernelTables): GEMMs and attention. */
        MEASURED_KERNELS,
        /**
         * The routed experts from measured MoE layers of this GPU, engine, expert dtype, model shape and TP x EP split
         * (KernelTables' MoE table), and an MLA model's attention from measured MLA kernels where the engine has them for
         * its heads per rank (SGLang, TensorRT-LLM); everything else from the roofline.
         */
        MEASURED_EXPERTS,
        /**
         * As {@link #MEASURED_KERNELS}, from the kernels of the nearest measured GPU of the same architecture scaled by
         * data-sheet ratios (B300 from B200, GB300 from GB200, H100 PCIe from H100 SXM, ...): no measurements of this GPU.
         */
        SCALED_KERNELS,
        /** As {@link #MEASURED_EXPERTS}, from another GPU's measurements scaled (see {@link #SCALED_KERNELS}). */
        SCALED_EXPERTS,
        /** The analytical roofline: no kernel data for the GPU, engine, dtype or architecture (MoE, MLA, sliding window, ...). */
        ROOFLINE;

        /** The name outputs use: {@code measured_kernels} or {@code roofline}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The source whose measured serving rows calibrate this one: a scaled source its measured counterpart's (no GPU
         * without measurements has serving rows to fit on), any other itself.
         */
        public StepSource fittedOn() {
            return switch (this) {
                case SCALED_KERNELS -> MEASURED_KERNELS;
                case SCALED_EXPERTS -> MEASURED_EXPERTS;
                default -> this;
            };
        }

        /** What the source means, for people. */
        public String description() {
            return switch (this) {
                case MEASURED_KERNELS -> "step times from measured kernels of this GPU";
                case MEASURED_EXPERTS -> "routed experts (and MLA / DSA attention and Gated DeltaNet layers where measured)"
                        + " from measured kernels of this GPU, the rest roofline";
                case SCALED_KERNELS -> "step times from another GPU's measured kernels, scaled by data-sheet ratios";
                case SCALED_EXPERTS -> "routed experts (and MLA / DSA attention and Gated DeltaNet layers where measured)"
                        + " from another GPU's measured kernels, scaled; the rest roofline";
                case ROOFLINE -> "roofline step times: no kernel data for this GPU, dtype or architecture";
            };
        }
    }

    /** Where the step times of {@code l} under {@code engine} come from. */
    public StepSource stepSource(Layout l, MemoryEstimate mem, ServingEngine engine) {
        return stage(l, 8, mem, engine, ServingEngine::forPlanning).source();
    }

    /**
     * Engine-step times of one replica of {@code l} whose engine view is {@code mem}: what a
     * scheduler simulation advances its clock by. The same roofline as {@link #estimate}: every
     * pipeline stage in turn, plus the hand-offs between them.
     */
    public StepTimer stepTimer(Layout l, int gpusPerNode, MemoryEstimate mem, ServingEngine engine) {
        Steps steps = steps(l, gpusPerNode, mem, engine, ServingEngine::forPlanning);
        int chunk = engine.prefillChunkTokens(mem, gpu.memoryBytes());
        return new StepTimer() {
            @Override
            public double stepSeconds(int decodeSequences, double meanContextTokens, int prefillTokens) {
                return steps.seconds(decodeSequences, meanContextTokens, prefillTokens);
            }

            @Override
            public double requestOverheadSeconds() {
                return steps.calibration().prefillOverheadS();
            }

            @Override
            public double frontEndDelaySeconds(double concurrency, int promptTokens) {
                int batched = queuedPromptsPerStep(engine, chunk, promptTokens, concurrency);
                double prefill = steps.seconds(0, promptTokens, (double) batched * promptTokens) / batched;
                return steps.calibration().queueSeconds(prefill, concurrency);
            }
        };
    }

    /** The step times of one replica of {@code l} (every pipeline stage and the hand-offs) under {@code calibrations}. */
    Steps steps(Layout l, int gpusPerNode, MemoryEstimate mem, ServingEngine engine, Calibrations calibrations) {
        Stage stage = stage(l, gpusPerNode, mem, engine, calibrations);
        return new Steps(stage, l.pp(), calibrations.of(engine, stage.source()));
    }

    /** A replica's step times, in fractional sequence and token counts, and the engine calibration of their source. */
    final class Steps {
        private final Stage stage;
        private final int pp;
        private final EngineCalibration calibration;

        private Steps(Stage stage, int pp, EngineCalibration calibration) {
            this.stage = stage;
            this.pp = pp;
            this.calibration = calibration;
        }

        /** One step of {@code decode} sequences per rank at {@code ctx} tokens of context plus {@code prefill} prompt tokens. */
        double seconds(double decode, double ctx, double prefill) {
            return pp * stage.tokenSeconds(decode, Math.max(1, ctx), prefill) + (pp - 1) * P2P_LATENCY_S;
        }

        /**
         * One step of {@code prefill} prompt tokens per rank at {@code ctx} tokens of context in which {@code loadedRanks}
         * of the attention-DP group's ranks carry prompts and the rest idle, as a prefill pool's ranks do below full load:
         * its MoE layers and their all-gather carry those ranks' tokens, not every rank's ({@link #seconds} counts every
         * rank as loaded as this one).
         */
        double prefillSeconds(double ctx, double prefill, double loadedRanks) {
            return pp * stage.prefillSeconds(Math.max(1, ctx), prefill, loadedRanks) + (pp - 1) * P2P_LATENCY_S;
        }

        EngineCalibration calibration() {
            return calibration;
        }

        StepSource source() {
            return stage.source();
        }

        /**
         * Seconds one step spends in the measured linear-attention layers of the stage ({@code gdn_context.csv},
         * {@code gdn_decode.csv}), within {@link #seconds}; 0 where they keep the roofline.
         */
        double linearAttentionSeconds(double decode, double ctx, double prefill) {
            return stage.linearAttentionSeconds(decode, Math.max(1, ctx), prefill);
        }

        /** Seconds one step spends reading the rank's weights other than its routed experts, which every step reads. */
        double denseReadSeconds() {
            return stage.denseReadS;
        }
    }

    /**
     * One pipeline stage on one rank: its share of layers and weights, the GPU's peaks. Every
     * factor that does not depend on the step is folded into a constant once, so a step costs a
     * few multiplications (the scheduler simulation times tens of thousands of steps per plan).
     */
    private final class Stage {
        private final int tp;
        private final double fullLayers;
        private final double slidingLayers;
        private final double window;
        /** Seconds to read the dense weights, and the expert weights when every expert is touched. */
        private final double denseReadS;
        private final double expertReadS;
        /** log(1 - top_k / experts): the share of experts no token of a step touches is exp(tokens x this). */
        private final double logUntouched;
        private final boolean moe;
        /** Seconds to read one token's KV of one layer. */
        private final double kvReadS;
        /** Seconds to read and write one decoding sequence's Mamba / linear-attention state in this stage's layers. */
        private final double stateReadS;
        /** The LM head on a rank: seconds to read its shard, and its compute seconds per sampled row (roofline). */
        private final double headReadS;
        private final double headTokenS;
        /** Seconds of compute per decode token, per prefill token, and per unit of attention work. */
        private final double decodeTokenS;
        private final double prefillTokenS;
        private final double attentionUnitS;
        /** The speculative decoding the engine view holds ({@link SpeculativeDecoding#NONE}: off). */
        private final SpeculativeDecoding speculative;
        /** The share of this stage's layers one MTP drafter pass runs ({@link PerfModel#draftShare}); 0 without one. */
        private final double draftShare;
        /** An EAGLE-3 drafter's roofline on this rank, null without one. */
        private final EagleRoofline eagle;
        private final double layersOnStage;
        /** The engine's fixed cost of a step: the calibration of this stage's {@link #source()}. */
        private double stepOverheadS;
        /**
         * {@link StepSource#MEASURED_EXPERTS}, set by {@link #measureExperts}: one measured MoE layer by the step's tokens, the
         * stage's MoE layers, and the roofline's seconds per token of what the measured layer replaces.
         */
        private KernelTables.MoeCurve moeLayer;
        private Kernels expertKernels;
        private double moeLayers;
        /**
         * Tokens a MoE layer sees per token of this rank: with expert parallelism over data-parallel ranks (vLLM's
         * {@code --data-parallel-size} with {@code --enable-expert-parallel}, attention data parallelism) the experts of
         * the EP group serve every DP rank's tokens, as op-perf's EP timings count them, every rank as loaded as this one
         * (a prefill step below full load counts only its loaded ranks, {@link Steps#prefillSeconds}); 1 otherwise.
         */
        private double moeTokenScale = 1;
        /**
         * With measured experts, an MLA model's attention where the tables hold its heads per rank: the stage's MLA layers,
         * generation MLA by cached tokens read, context MLA by causal token pairs; null curves where not measured.
         */
        private double mlaLayers;
        private KernelTables.Curve mlaDecode;
        private KernelTables.Curve mlaContext;
        /**
         * Where the tables hold this model's whole generation MLA block (DeepSeek-V3's shape) at its dtypes and heads per
         * rank, that block by decoding sequences and cached tokens, in place of the generation MLA kernel and of the
         * roofline's read ({@link #attentionReadS}) and compute ({@link #attentionDecodeTokenS}) of the blocks'
         * projections in a step that decodes; else null.
         */
        private KernelTables.MlaModule mlaModule;
        /**
         * Where the tables hold the same block in prefill ({@code mla_context_module.csv}), that block by prompts and prompt
         * length, in place of the context MLA kernel and of the roofline's read and compute ({@link #attentionPrefillTokenS})
         * of the blocks' projections in a step that prefills; else null. A step that does both runs both blocks, its prompt
         * tokens taken as a share of prompts at the decoding context's length (as the context kernel takes them): the
         * projections' weight read and the launches of the kernels the phases share are paid twice where the engine pays
         * them once (at 16 heads per rank on H200, about 8 us of FP8 weights and a few launches a layer).
         */
        private KernelTables.MlaModule mlaContextModule;
        /**
         * Where the tables hold this model's whole DSA block ({@link #dsaModuleModel}) at its dtypes and heads per rank, in
         * generation and in prefill: the stage's DSA layers and the two blocks (by decoding sequences and cached tokens, by
         * prompts and prompt length), in place of the roofline's KV read and attention of those layers and of the attention
         * blocks' read ({@link #attentionReadS}) and compute in the phases they time; else 0 and null. A step that does both
         * runs both blocks, as with {@link #mlaContextModule}.
         */
        private double dsaLayers;
        private KernelTables.MlaModule dsaModule;
        private KernelTables.MlaModule dsaContextModule;
        /**
         * A Gated DeltaNet hybrid's linear attention where the tables hold its heads per rank ({@code gdn_context.csv},
         * {@code gdn_decode.csv}), on measured kernels or measured experts: the stage's GDN layers, the layer in prefill by
         * prompts and prompt length, in decode by decoding sequences (on measured experts in place of the roofline's
         * state read, {@link #stateReadS}, which counts no prefill at all); the layers' projections are GEMMs of the path.
         * Else 0 and null.
         */
        private double gdnLayers;
        private KernelTables.MlaModule gdnContext;
        private KernelTables.MoeCurve gdnDecode;
        private final double attentionReadS;
        private final double attentionDecodeTokenS;
        private final double attentionPrefillTokenS;
        /** The roofline's compute seconds per decode and per prefill token of the routed experts the measured layer replaces. */
        private double routedDecodeTokenS;
        private double routedPrefillTokenS;
        /** All-reduce seconds per step and per token (the roofline's). */
        private final double commStepS;
        private final double commTokenS;
        /**
         * On the measured paths, the engine's measured all-reduce over this stage's TP ranks (bytes per second by message
         * size; null: the roofline's), and the all-reduces of a step and the bytes of one token's hidden state.
         */
        private KernelTables.Curve allReduce;
        private double allReducesPerStep;
        private double hiddenBytes;
        /**
         * Expert parallelism over DP ranks ({@link #dispatchExperts}): how tokens move, the ranks of the DP group (0: none),
         * the stage's MoE layers, NCCL's measured all-gather and reduce-scatter for the group (null: across nodes or not
         * measured), the roofline's seconds per received byte, per call, and (all-to-all) per token this rank sends out
         * and back on its slower link.
         */
        private ExpertDispatch dispatch;
        private int dispatchRanks;
        private double dispatchLayers;
        private KernelTables.Curve dispatchGather;
        private KernelTables.Curve dispatchScatter;
        private double dispatchLinkS;
        private double dispatchCallS;
        private double allToAllTokenS;
        /**
         * Measured path ({@link StepSource#MEASURED_KERNELS}), set by {@link #measure}: the summed seconds of
         * every layer's GEMMs of this stage at m = 2^i tokens, and of the LM head (a 1/pp share per stage) at
         * m = 2^i sampled sequences; null on the roofline path.
         */
        private double[] layerGemmS;
        private double[] lmHeadS;
        private Kernels measured;
        private String kvTable;
        /** The decode-attention curve of {@link #kvTable}, looked up once. */
        private KernelTables.Curve decodeCurve;
        /** Causal prefill attention FLOPs per prefill token per token of context, per layer on a rank. */
        private double attentionFlopsPerTokenPair;
        /** KV-cache bytes one token of context holds per layer on a rank. */
        private double kvBytesPerToken;

        Stage(Layout l, double rankWeights, DType kvDtype, double peak, double link, double allReduceLatency,
              SpeculativeDecoding speculative) {
            this.tp = l.tp();
            this.speculative = speculative;
            this.draftShare = speculative.method() == SpeculativeDecoding.Method.MTP ? draftShare(l) : 0;
            this.layersOnStage = spec.numLayers() / (double) l.pp();
            this.eagle = speculative.method() == SpeculativeDecoding.Method.EAGLE3
                    ? EagleRoofline.of(speculative.draft(), l.tp(), spec.servingDtype().bytes(), kvDtype.bytes(),
                    gpu.hbmBytesPerSecond() * ETA_HBM, peak * ETA_DECODE_COMPUTE) : null;
            double layers = spec.numLayers() / (double) l.pp();
            this.slidingLayers = slidingLayerCount / l.pp();
            // Only layers that attend read KV: a hybrid's linear-attention, Mamba and mixer-less layers read their
            // fixed state instead (stateReadS), so Qwen3.5-27B at 128K reads the KV of 16 layers, not 64.
            this.fullLayers = (kvReaderLayerCount - slidingLayerCount) / l.pp();
            this.stateReadS = spec.linearState() == null ? 0
                    : stateLayerCount / l.pp() * 2.0 * spec.linearState().bytes(tp) / (gpu.hbmBytesPerSecond() * ETA_HBM);
            this.window = spec.slidingWindow();
            double bandwidth = gpu.hbmBytesPerSecond() * ETA_HBM;
            this.moe = spec.moe() != null;
            // The rank's weights by kind, from the model's byte shares: its dense weights are 1 / TP of the model's, its
            // experts 1 / TP of every expert or, under expert parallelism, the whole experts it holds of the TP x DP group.
            // With attention data parallelism (DP > 1) the two differ: DeepSeek-V3 at DP 8 x EP 8 on H200 keeps all its
            // 19.1 GB of weights outside the routed experts (under 3% of the model) beside an eighth of its experts;
            // applying the model's shares to the rank, until 2026-12-02, read about 3 GB of them.
            double expertsPerRank = !moe ? 0 : l.expertParallel()
                    ? Math.ceil(spec.moe().numExperts() / (double) l.expertParallelSize()) / spec.moe().numExperts() : 1.0 / tp;
            double rankUnits = (1 - expertByteShare) / tp + expertByteShare * expertsPerRank;
            double expertShareOfRank = rankUnits == 0 ? 0 : expertByteShare * expertsPerRank / rankUnits;
            double attentionShareOfRank = rankUnits == 0 ? 0 : attentionByteShare / tp / rankUnits;
            this.denseReadS = rankWeights * (1 - expertShareOfRank) / bandwidth;
            this.expertReadS = moe ? rankWeights * expertShareOfRank / bandwidth : 0;
            this.attentionReadS = rankWeights * attentionShareOfRank / bandwidth;
            this.logUntouched = moe ? Math.log1p(-spec.moe().expertsPerToken() / (double) spec.moe().numExperts()) : 0;
            this.kvReadS = memory.kvBytesPerTokenPerLayer(tp, kvDtype) / bandwidth;
            double share = 1.0 / (tp * (spec.numLayers() / layers));
            this.decodeTokenS = 2 * activeParams * share / (peak * ETA_DECODE_COMPUTE);
            this.prefillTokenS = 2 * activeParams * share / (peak * ETA_PREFILL_COMPUTE);
            this.routedDecodeTokenS = 2 * activeRoutedParams * share / (peak * ETA_DECODE_COMPUTE);
            this.routedPrefillTokenS = 2 * activeRoutedParams * share / (peak * ETA_PREFILL_COMPUTE);
            this.attentionDecodeTokenS = 2 * attentionParams * share / (peak * ETA_DECODE_COMPUTE);
            this.attentionPrefillTokenS = 2 * attentionParams * share / (peak * ETA_PREFILL_COMPUTE);
            this.attentionUnitS = 4.0 * spec.numAttentionHeads() * spec.headDim() / tp / (peak * ETA_PREFILL_COMPUTE);
            this.headReadS = headBytes / tp / bandwidth;
            this.headTokenS = 2 * headParams / tp / (peak * ETA_DECODE_COMPUTE);
            this.commStepS = tp == 1 ? 0 : layers * 2 * allReduceLatency;
            this.commTokenS = tp == 1 ? 0 : layers * 2 * 2.0 * (tp - 1) / tp * spec.hiddenSize() * 2 / (link * LINK_EFFICIENCY);
            this.allReducesPerStep = layers * 2;
            this.hiddenBytes = spec.hiddenSize() * 2.0;
            this.normAllReducesPerStep = tp > 1 && spec.family() == Family.MINIMAX_M2 ? layers : 0;
            this.normCallS = allReduceLatency;
            this.normByteS = 2.0 * (tp - 1) / tp / (link * LINK_EFFICIENCY);
        }

        /**
         * MiniMax-M2's q and k RMSNorms run over all heads, so under TP every layer all-reduces each token's two float32
         * variances before normalising (vLLM minimax_m2.py: MiniMaxText01RMSNormTP.forward_qk, one all-reduce of
         * cat(q_var, k_var) per layer; read 2026-12-01): a small message, its latency paid once a layer.
         */
        private final double normAllReducesPerStep;
        private final double normCallS;
        private final double normByteS;
        private static final double NORM_VARIANCE_BYTES_PER_TOKEN = 2 * 4;

        /**
         * Times this stage's all-reduces (two per layer: after attention and after the MLP or MoE) with the engine's
         * measured all-reduce where it is measured for the TP degree, within the NVLink domain (the node, or the rack).
         */
        void measureAllReduce(Kernels k, int gpusPerNode) {
            if (tp > 1 && tp <= gpu.nvlinkGpus(gpusPerNode)) {
                this.allReduce = k.allReduce(tp).orElse(null);
            }
        }

        /**
         * Expert parallelism over data-parallel ranks moving each MoE layer's tokens by {@code dispatch}. An all-gather
         * and a reduce-scatter ({@link ExpertDispatch#ALL_GATHER}): before every MoE layer the DP group all-gathers its
         * ranks' hidden states and after it reduce-scatters the outputs, each a tensor of every rank's tokens x hidden in
         * 16 bits, timed by NCCL's measured all-gather and reduce-scatter where the group sits within a node; across
         * nodes (or without measurements) on the roofline of the link: a call's latency plus a hop per further rank
         * across the network, and the bytes each rank receives over its share of the link. An all-to-all ({@link
         * ExpertDispatch#ALL_TO_ALL}): this rank's tokens, each sent (and combined back) to the expected number of other
         * ranks of its NVLink domain and of other domains that hold its experts, over NVLink and the network at once,
         * the slower setting the time, plus a call's latency each way (and a network hop where the group spans domains).
         */
        void dispatchExperts(Kernels k, Layout l, int gpusPerNode, ExpertDispatch dispatch) {
            int ranks = l.dp();
            this.dispatch = dispatch;
            this.dispatchRanks = ranks;
            this.dispatchLayers = spec.moe().moeLayers() / (double) l.pp();
            if (dispatch == ExpertDispatch.ALL_TO_ALL) {
                int group = l.expertParallelSize();
                int domain = Math.min(group, gpu.nvlinkGpus(gpusPerNode));
                int domains = (group + domain - 1) / domain;
                int experts = spec.moe().numExperts();
                int topk = spec.moe().expertsPerToken();
                // Each token's 16-bit hidden state out (dispatch) and its experts' 16-bit sum back (combine).
                double perDestination = 2 * hiddenBytes;
                double withinDomain = (domain - 1) * ExpertDispatch.reachShare(experts, topk, group) * perDestination;
                double acrossDomains = domains > 1
                        ? (domains - 1) * ExpertDispatch.reachShare(experts, topk, domains) * perDestination : 0;
                this.allToAllTokenS = Math.max(withinDomain / (gpu.intraNodeBytesPerSecond() * LINK_EFFICIENCY),
                        acrossDomains / (gpu.interNodeBytesPerSecond() * LINK_EFFICIENCY));
                this.dispatchCallS = ALLREDUCE_LATENCY_S + (domains > 1 ? NETWORK_HOP_LATENCY_S : 0);
                return;
            }
            boolean acrossNodes = l.tp() * ranks > gpu.nvlinkGpus(gpusPerNode);
            if (!acrossNodes && k != null) {
                this.dispatchGather = k.collective("all_gather", ranks).orElse(null);
                this.dispatchScatter = k.collective("reduce_scatter", ranks).orElse(null);
            }
            double link = acrossNodes ? gpu.interNodeBytesPerSecond() : gpu.intraNodeBytesPerSecond();
            this.dispatchLinkS = 1 / (link * LINK_EFFICIENCY);
            this.dispatchCallS = ALLREDUCE_LATENCY_S + (acrossNodes ? (ranks - 1) * NETWORK_HOP_LATENCY_S : 0);
        }

        /**
         * The dispatch around every MoE layer of a step ({@link #dispatchExperts}), {@code loadedRanks} (at least 1) of the
         * group carrying as many tokens as this one (infinite: all of them).
         */
        private double dispatchSeconds(double decode, double prefill, double verify, double loadedRanks) {
            if (dispatchRanks == 0) {
                return 0;
            }
            double tokens = Math.max(1, decode + prefill + verify);
            if (dispatch == ExpertDispatch.ALL_TO_ALL) {
                return dispatchLayers * (2 * dispatchCallS + tokens * allToAllTokenS);
            }
            double bytes = tokens * Math.min(dispatchRanks, loadedRanks) * hiddenBytes;
            if (dispatchGather != null && dispatchScatter != null) {
                return dispatchLayers * (dispatchGather.seconds(bytes) + dispatchScatter.seconds(bytes));
            }
            double received = bytes * (dispatchRanks - 1) / dispatchRanks;
            return dispatchLayers * 2 * (dispatchCallS + received * dispatchLinkS);
        }

        StepSource source() {
            if (measured != null) {
                return measured.scaledFrom() == null ? StepSource.MEASURED_KERNELS : StepSource.SCALED_KERNELS;
            }
            if (moeLayer != null) {
                return expertKernels.scaledFrom() == null ? StepSource.MEASURED_EXPERTS : StepSource.SCALED_EXPERTS;
            }
            return StepSource.ROOFLINE;
        }

        /**
         * Switches the routed experts to measured MoE layers where the tables hold this model's expert shape, dtype and
         * split: TP shards every expert ({@code moe_tp} = TP), expert parallelism spreads whole experts over the TP x DP
         * ranks ({@code moe_ep}); the tokens a layer sees are the step's. The roofline keeps the rest of the step.
         * {@code kernel}, where not null, is the MoE kernel the run forces ({@link #withExpertKernel}).
         */
        void measureExperts(Kernels k, Layout l, DType kvDtype, String kernel) {
            if (moeDtype == null) {
                return;
            }
            ModelSpec.MoeDims m = spec.moe();
            int ep = l.expertParallelSize();
            KernelTables.MoeShape shape = new KernelTables.MoeShape(moeDtype, spec.hiddenSize(), m.expertIntermediateSize(),
                    m.expertsPerToken(), m.numExperts(), ep > 1 ? 1 : l.tp(), ep);
            (kernel == null ? k.moe(shape) : k.moe(shape, kernel).or(() -> k.moe(shape))).ifPresent(curve -> {
                this.moeLayer = curve;
                this.expertKernels = k;
                this.moeLayers = m.moeLayers() / (double) l.pp();
                this.moeTokenScale = ep > 1 ? l.dp() : 1;
            });
            if (moeLayer != null) {
                measureLinearAttention(k, l);
            }
            String kv = kvDtype == DType.FLOAT8 ? "fp8" : kvDtype == DType.BFLOAT16 || kvDtype == DType.FLOAT16 ? "bfloat16" : null;
            if (moeLayer == null || kv == null || spec.numAttentionHeads() % l.tp() != 0) {
                return;
            }
            int heads = spec.numAttentionHeads() / l.tp();
            if (dsaLayerCount > 0 && dsaModuleGemmDtype != null) {
                KernelTables.MlaModule generation = k.dsaDecodeModule(dsaModuleModel, kv, dsaModuleGemmDtype, heads).orElse(null);
                KernelTables.MlaModule context = k.dsaContextModule(dsaModuleModel, kv, dsaModuleGemmDtype, heads).orElse(null);
                if (generation != null && context != null) {
                    this.dsaModule = generation;
                    this.dsaContextModule = context;
                    this.dsaLayers = dsaLayerCount / (double) l.pp();
                }
            }
            if (mlaLayerCount > 0) {
                KernelTables.Curve decode = k.mlaDecode(kv, heads).orElse(null);
                KernelTables.Curve context = k.mlaContext(heads).orElse(null);
                if (decode != null && context != null) {
                    this.mlaDecode = decode;
                    this.mlaContext = context;
                    this.mlaLayers = mlaLayerCount / (double) l.pp();
                    this.mlaModule = mlaModuleGemmDtype == null ? null
                            : k.mlaDecodeModule(kv, mlaModuleGemmDtype, heads).orElse(null);
                    this.mlaContextModule = mlaModuleGemmDtype == null ? null
                            : k.mlaContextModule(kv, mlaModuleGemmDtype, heads).orElse(null);
                }
            }
        }

        /**
         * The measured linear-attention layers of a step ({@link #gdnLayers}): {@code decoding} sequences advancing their
         * state one token each (a draft token to verify advances it as a decoded one does) and {@code prefill} prompt tokens
         * taken as prompts of {@code ctx} tokens (a share of one where fewer, as the MLA context blocks take them); 0 where
         * the layers keep the roofline.
         */
        double linearAttentionSeconds(double decoding, double ctx, double prefill) {
            if (gdnDecode == null) {
                return 0;
            }
            return gdnLayers * ((decoding <= 0 ? 0 : gdnDecode.seconds(decoding))
                    + (prefill <= 0 ? 0 : gdnContext.prefillSeconds(prefill / ctx, ctx)));
        }

        /**
         * A Gated DeltaNet hybrid's linear-attention layers from the tables where they hold its key and value heads per rank
         * (TP dividing both) and head dims, in prefill and in decode; a model with other state layers (Mamba-2, KDA: op-perf
         * times Mamba-2 for TensorRT-LLM only) keeps the roofline's state read.
         */
        private void measureLinearAttention(Kernels k, Layout l) {
            LinearStateDims state = spec.linearState();
            if (state == null || state.mixer() != Mixer.GATED_DELTANET || gdnLayerCount != stateLayerCount
                    || state.keyHeads() % l.tp() != 0 || state.heads() % l.tp() != 0) {
                return;
            }
            int kHeads = state.keyHeads() / l.tp();
            int vHeads = state.heads() / l.tp();
            KernelTables.MlaModule context = k.gdnContext(kHeads, vHeads, state.keyHeadDim(), state.headDim()).orElse(null);
            KernelTables.MoeCurve decode = k.gdnDecode(kHeads, vHeads, state.keyHeadDim(), state.headDim()).orElse(null);
            if (context != null && decode != null) {
                this.gdnContext = context;
                this.gdnDecode = decode;
                this.gdnLayers = gdnLayerCount / l.pp();
            }
        }

        /**
         * Switches this stage to measured kernels where they cover the model: a dense decoder whose
         * GEMM dtype and KV dtype the tables hold. The GEMMs of a layer at TP-sharded shapes, as vLLM,
         * SGLang and TensorRT-LLM fuse them: QKV (n = (heads + 2 x KV heads) x head_dim / TP, KV heads
         * replicated when TP exceeds them), O (k = heads x head_dim / TP), gate and up (n = 2 x
         * intermediate / TP), down (k = intermediate / TP); the LM head (n = vocabulary / TP). A Gated DeltaNet hybrid
         * takes each layer's GEMMs from its tensors ({@link #hybridLayerGemms}) and needs its GDN layers in the tables.
         */
        void measure(Kernels k, Layout l, DType kvDtype, Set<DenseLinear> selfQuantized) {
            String kv = kvDtype == DType.FLOAT8 ? "fp8" : kvDtype == DType.BFLOAT16 || kvDtype == DType.FLOAT16 ? "bfloat16" : null;
            if (gemmDtype == null || kv == null || !k.hasGemm(gemmDtype) || !k.hasAttention(kv)) {
                return;
            }
            if (gdnHybrid) {
                // Its linear-attention layers too, or the whole step stays on the roofline.
                measureLinearAttention(k, l);
                if (gdnDecode == null) {
                    return;
                }
            }
            long hd = spec.headDim();
            long heads = spec.numAttentionHeads() / tp;
            double[][] times = gemmTimes.computeIfAbsent(new GemmKey(k, tp, l.pp(), selfQuantized),
                    key -> gemmTimes(k, tp, l.pp(), selfQuantized));
            this.layerGemmS = times[0];
            this.lmHeadS = times[1];
            this.kvTable = kv;
            this.decodeCurve = k.decodeAttention(kv);
            this.attentionFlopsPerTokenPair = 4.0 * heads * hd / 2;
            this.kvBytesPerToken = memory.kvBytesPerTokenPerLayer(tp, kvDtype);
            this.measured = k;
        }

        /** This stage's GEMM seconds at m = 2^i: the layers' ({@code [0]}) and the LM head's share ({@code [1]}). */
        private double[][] gemmTimes(Kernels k, int tp, int pp, Set<DenseLinear> selfQuantized) {
            long hidden = spec.hiddenSize();
            long hd = spec.headDim();
            long heads = spec.numAttentionHeads() / tp;
            long kvHeads = Math.max(1, spec.numKeyValueHeads() / tp);
            long inter = intermediateSize / tp;
            double layers = spec.numLayers() / (double) pp;
            int max = k.maxGemmLog2(gemmDtype);
            double[] layer = new double[max + 1];
            double[] lmHead = new double[max + 1];
            Map<List<Long>, Integer> hybrid = gdnHybrid ? hybridLayerGemms(tp) : Map.of();
            for (int i = 0; i <= max; i++) {
                if (gdnHybrid) {
                    for (Map.Entry<List<Long>, Integer> g : hybrid.entrySet()) {
                        // Its layers differ in their linears (GDN and attention); each counted with its input quantized.
                        layer[i] += g.getValue() / (double) pp * gemmSeconds(k, i, g.getKey().get(0), g.getKey().get(1),
                                false);
                    }
                } else {
                    layer[i] = layers * (gemmSeconds(k, i, (heads + 2 * kvHeads) * hd, hidden,
                                    selfQuantized.contains(DenseLinear.QKV))
                            + gemmSeconds(k, i, hidden, heads * hd, selfQuantized.contains(DenseLinear.O))
                            + gemmSeconds(k, i, 2 * inter, hidden, selfQuantized.contains(DenseLinear.GATE_UP))
                            + gemmSeconds(k, i, hidden, inter, selfQuantized.contains(DenseLinear.DOWN)));
                }
                lmHead[i] = k.gemmSeconds("bfloat16", Math.min(i, k.maxGemmLog2("bfloat16")), (spec.vocabSize() + tp - 1) / tp, hidden) / pp;
            }
            return new double[][] {layer, lmHead};
        }

        /**
         * One layer GEMM at m = 2^i from the tables. An FP8 GEMM's table time at m = 1 exceeds its weight read by more
         * than a bfloat16 GEMM's does (a 4096 x 4096 GEMM on H100 under TensorRT-LLM: 19.5 us against a 5 us read, where
         * bfloat16 takes 15.9 us against 10 us), a per-call cost that served steps do not show: Llama-3.1-70B FP8 at TP 8
         * on H200 under TensorRT-LLM decodes 4 sequences in 6.3 to 6.5 ms, attention and all-reduces included
         * (measured-latency.csv), where the tables' layer GEMMs alone sum to 6.4 ms over a 2.3 ms weight read. That excess
         * is taken off at every m, never below the weight read at the roofline's share of the HBM bandwidth, but for a
         * linear that quantizes its own input ({@code selfQuantized}, {@link ServingEngine#selfQuantizedFp8Inputs}), which
         * runs what the table times: Qwen3-32B FP8 under TensorRT-LLM 1.0.0rc3 (every linear but the output projection)
         * measures 6.2 to 7.0 ms a step at TP 8, 8 clients and 1,024-token prompts (measured-latency.csv lines 461-463)
         * where the excess taken off every linear gave 4.0 to 4.7 ms.
         */
        private double gemmSeconds(Kernels k, int i, long n, long kDim, boolean selfQuantized) {
            double t = k.gemmSeconds(gemmDtype, i, n, kDim);
            if (!gemmDtype.equals("fp8") || selfQuantized) {
                return t;
            }
            double read = n * (double) kDim / (gpu.hbmBytesPerSecond() * ETA_HBM);
            double excess = Math.max(0, k.gemmSeconds(gemmDtype, 0, n, kDim) - read);
            return Math.max(read, t - excess);
        }

        /** Seconds of a table of times at m = 2^i, at {@code m} tokens: linear in m between powers of two, proportional beyond the last. */
        private double atTokens(double[] byLog2, double m) {
            if (m <= 1) {
                return byLog2[0];
            }
            int last = byLog2.length - 1;
            int lo = Math.min(63 - Long.numberOfLeadingZeros((long) m), last);
            if (lo == last) {
                return byLog2[last] * m / (1L << last);
            }
            double from = 1L << lo;
            return byLog2[lo] + (m - from) / from * (byLog2[lo + 1] - byLog2[lo]);
        }

        /** A step from measured kernels: the GEMMs at the step's tokens, attention by the KV read and the prefill FLOPs. */
        private double measuredSeconds(double decode, double ctx, double prefill, double verify) {
            double tokens = decode + prefill + verify;
            double sampled = decode + verify + (prefill > 0 ? 1 : 0);
            double kvRead = decode * ctx * kvBytesPerToken;
            double attention = fullLayers * ((kvRead <= 0 ? 0 : decodeCurve.seconds(kvRead))
                    + measured.contextAttentionSeconds(attentionFlopsPerTokenPair * prefill * ctx));
            return atTokens(layerGemmS, tokens) + atTokens(lmHeadS, sampled) + attention
                    + linearAttentionSeconds(decode + verify, ctx, prefill);
        }

        /**
         * The mean step, per token each decoding sequence gains, over {@code decode} sequences at {@code ctx} tokens of
         * context while prompts arrive at {@code prefillPerToken} tokens per such token (decoding x ISL / OSL in a closed
         * loop).
         * The engines do not spread a prompt thinly over every step: it enters whole, or in chunks of the step's token
         * budget ({@code chunkTokens}, less the decoding sequences), so that share of the steps carry a chunk and the
         * rest decode alone. Where the prompts fill every step (a chunk per step or more) every step carries the arrival
         * rate. This matters where a step's cost is not linear in its tokens: a mixture of experts reads the experts the
         * step's tokens touch, a memory-bound step hides a few prompt tokens under its weight read. {@code promptTokens}
         * of each prompt are computed (those its prefix cache does not hold) over {@code promptContext} of context.
         */
        Step decodeStep(double decode, double ctx, double prefillPerToken, int chunkTokens, int promptTokens, int promptContext,
                        boolean mixes) {
            double perStep = speculative.meanTokensPerStep();
            double chunk = Math.max(1, Math.min(promptTokens, mixes ? chunkTokens - decode * (1 + speculative.numSpeculativeTokens())
                    : chunkTokens));
            double mixedShare = prefillPerToken * perStep / chunk;
            if (mixes && (mixedShare >= 1 || prefillPerToken <= 0)) {
                return step(decode, ctx, prefillPerToken);
            }
            Step pure = step(decode, ctx, 0);
            if (!mixes) {
                // Prefill batches of their own between decode steps: a decoding sequence waits through them.
                Step batch = step(0, promptContext, chunk);
                double prefillPart = mixedShare * batch.seconds() / perStep;
                return new Step(pure.seconds() + prefillPart, pure.seconds() >= prefillPart ? pure.memoryBound() : batch.memoryBound());
            }
            Step mixed = step(decode, ctx, chunk / perStep);
            double mixedPart = mixedShare * mixed.seconds();
            double purePart = (1 - mixedShare) * pure.seconds();
            return new Step(purePart + mixedPart, purePart >= mixedPart ? pure.memoryBound() : mixed.memoryBound());
        }

        /** One engine step over {@code decode} sequences at {@code ctx} tokens of context plus {@code prefill} prompt tokens. */
        Step step(double decode, double ctx, double prefill) {
            double perStep = speculative.meanTokensPerStep();
            double scaled = decode > 0 ? prefill * perStep : prefill;
            double verify = decode * speculative.numSpeculativeTokens();
            boolean memoryBound = memorySeconds(decode, ctx, scaled, verify) >= computeSeconds(decode, ctx, scaled, verify);
            return new Step(tokenSeconds(decode, ctx, prefill), memoryBound);
        }

        /**
         * The time of one step per token each decoding sequence gains. Without speculative decoding, one step. With it,
         * a step verifies k draft tokens per sequence (and runs the drafter) and yields {@link
         * SpeculativeDecoding#meanTokensPerStep} tokens, so its time is spread over them; a step carries that many
         * tokens' worth of chunked prefill. A prefill-only step verifies nothing but runs the drafter over the prompt.
         */
        double tokenSeconds(double decode, double ctx, double prefill) {
            if (!speculative.enabled()) {
                return seconds(decode, ctx, prefill);
            }
            if (decode <= 0) {
                return speculativeSeconds(0, ctx, prefill);
            }
            double perStep = speculative.meanTokensPerStep();
            return speculativeSeconds(decode, ctx, prefill * perStep) / perStep;
        }

        /**
         * One speculative step: {@code decode} sequences each verifying k draft tokens, plus {@code prefill} prompt
         * tokens, and for an MTP drafter vLLM's proposer: one pass over every position the step computed, then one pass
         * of one token per sequence for each further draft token (SpecDecodeBaseProposer.propose).
         */
        private double speculativeSeconds(double decode, double ctx, double prefill) {
            int k = speculative.numSpeculativeTokens();
            double t = seconds(decode, ctx, prefill, decode * k);
            if (speculative.method().gpuDrafter()) {
                t += draftSeconds(decode, ctx, prefill, decode * k) + (decode > 0 ? (k - 1) * draftSeconds(decode, ctx, 0, 0) : 0);
            }
            return t;
        }

        /** As {@link #step}, the seconds alone. */
        double seconds(double decode, double ctx, double prefill) {
            return seconds(decode, ctx, prefill, 0);
        }

        /**
         * One engine step that also verifies {@code verify} draft tokens of the decoding sequences (speculative decoding):
         * each is one more query token through every layer and the LM head, reading its sequence's KV cache, which the
         * step reads once per sequence.
         */
        double seconds(double decode, double ctx, double prefill, double verify) {
            return seconds(decode, ctx, prefill, verify, Double.POSITIVE_INFINITY);
        }

        /**
         * As {@link #seconds(double, double, double, double)} with {@code loadedRanks} of the attention-DP group carrying
         * tokens in the step (at least 1, at most the group; infinite: every rank as loaded as this one): the MoE layers
         * under expert parallelism and their all-gather see those ranks' tokens.
         */
        double seconds(double decode, double ctx, double prefill, double verify, double loadedRanks) {
            double tokens = decode + prefill + verify;
            double loaded = Math.max(1, loadedRanks);
            return kernelSeconds(decode, ctx, prefill, verify, loaded) + commSeconds(tokens)
                    + dispatchSeconds(decode, prefill, verify, loaded) + stepOverheadS;
        }

        /** A prefill-only step with {@code loadedRanks} of the DP group prefilling ({@link Steps#prefillSeconds}). */
        double prefillSeconds(double ctx, double prefill, double loadedRanks) {
            double t = seconds(0, ctx, prefill, 0, loadedRanks);
            if (speculative.enabled() && speculative.method().gpuDrafter()) {
                t += draftSeconds(0, ctx, prefill, 0);
            }
            return t;
        }

        private double kernelSeconds(double decode, double ctx, double prefill, double verify, double loadedRanks) {
            if (measured != null) {
                return measuredSeconds(decode, ctx, prefill, verify);
            }
            if (moeLayer != null) {
                // The roofline without the routed experts (nor the attention blocks of the phases whose whole MLA block is
                // measured: generation in a step that decodes, context in one that prefills), plus the measured MoE layers
                // at the step's tokens.
                boolean module = (mlaModule != null || dsaModule != null) && decode > 0;
                boolean contextModule = (mlaContextModule != null || dsaContextModule != null) && prefill > 0;
                double state = gdnDecode != null ? decode * stateReadS : 0;
                double rest = Math.max(memorySeconds(decode, ctx, prefill, verify) - state
                                - (module || contextModule ? attentionReadS : 0),
                        computeSeconds(decode, ctx, prefill, verify) - routedDecodeTokenS * (decode + verify)
                                - routedPrefillTokenS * prefill - (module ? attentionDecodeTokenS * (decode + verify) : 0)
                                - (contextModule ? attentionPrefillTokenS * prefill : 0));
                double scale = Math.min(moeTokenScale, loadedRanks);
                double kernels = rest + moeLayers * moeLayer.seconds(Math.max(1, decode + prefill + verify) * scale);
                if (mlaDecode != null) {
                    double generation = decode <= 0 ? 0
                            : module ? mlaModule.seconds(decode + verify, ctx) : mlaDecode.seconds((decode + verify) * ctx);
                    double context = prefill <= 0 ? 0
                            : contextModule ? mlaContextModule.prefillSeconds(prefill / ctx, ctx) : mlaContext.seconds(prefill * ctx / 2);
                    kernels += mlaLayers * (generation + context);
                }
                if (dsaModule != null) {
                    kernels += dsaLayers * ((decode <= 0 ? 0 : dsaModule.seconds(decode + verify, ctx))
                            + (prefill <= 0 ? 0 : dsaContextModule.prefillSeconds(prefill / ctx, ctx)));
                }
                return kernels + linearAttentionSeconds(decode + verify, ctx, prefill);
            }
            return Math.max(memorySeconds(decode, ctx, prefill, verify), computeSeconds(decode, ctx, prefill, verify));
        }

        /**
         * One forward pass of a speculative MTP drafter over {@code decode} sequences at {@code ctx} tokens of context
         * (with {@code verify} more positions of theirs) and {@code prefill} prompt tokens: its {@link #draftShare} of this
         * stage's layer kernels and all-reduces, and the LM head over one row per sequence (the drafter shares the
         * model's head and proposes from each sequence's last position).
         */
        private double draftSeconds(double decode, double ctx, double prefill, double verify) {
            if (eagle != null) {
                return eagleSeconds(decode, ctx, prefill, verify);
            }
            double head = headSeconds(decode + (prefill > 0 ? 1 : 0));
            double layers = Math.max(0, kernelSeconds(decode, ctx, prefill, verify, Double.POSITIVE_INFINITY)
                    - headSeconds(decode + verify + (prefill > 0 ? 1 : 0)));
            return draftShare * (layers + commSeconds(decode + prefill + verify)) + head;
        }

        /**
         * One pass of an EAGLE-3 head on the roofline (no kernel tables hold its shapes): its weights and its layers' KV
         * cache read from HBM against its FLOPs over every position (fc, the layers, and the draft LM head over one row
         * per sequence), plus its layers' share of the stage's all-reduces.
         */
        private double eagleSeconds(double decode, double ctx, double prefill, double verify) {
            double tokens = decode + prefill + verify;
            double rows = decode + (prefill > 0 ? 1 : 0);
            double memory = eagle.readS() + decode * ctx * eagle.kvReadS();
            double compute = eagle.tokenS() * tokens + eagle.headTokenS() * rows;
            return Math.max(memory, compute) + eagle.layers() / layersOnStage * commSeconds(tokens);
        }

        /** The LM head over {@code rows} sampled positions: the measured GEMM, or the roofline's read or FLOPs. */
        private double headSeconds(double rows) {
            if (measured != null) {
                return atTokens(lmHeadS, rows);
            }
            return Math.max(headReadS, headTokenS * rows);
        }

        private double memorySeconds(double decode, double ctx, double prefill, double verify) {
            double read = denseReadS;
            if (moe && moeLayer == null) {
                double touched = 1 - Math.exp(Math.max(decode + prefill + verify, 1) * logUntouched);
                read += expertReadS * touched;
            }
            return read + decode * kvReadS * ((fullLayers - mlaLayers - dsaLayers) * ctx + slidingLayers * Math.min(ctx, window))
                    + decode * stateReadS;
        }

        private double computeSeconds(double decode, double ctx, double prefill, double verify) {
            double queries = decode + verify;
            double attention = (fullLayers - mlaLayers - dsaLayers) * (queries * ctx + prefill * ctx / 2)
                    + slidingLayers * (queries + prefill) * Math.min(ctx, window);
            return decodeTokenS * queries + prefillTokenS * prefill + attentionUnitS * attention;
        }

        private double commSeconds(double tokens) {
            double seconds = allReduce != null ? allReducesPerStep * allReduce.seconds(Math.max(1, tokens) * hiddenBytes)
                    : commStepS + commTokenS * tokens;
            if (normAllReducesPerStep > 0) {
                double variances = Math.max(1, tokens) * NORM_VARIANCE_BYTES_PER_TOKEN;
                seconds += normAllReducesPerStep * (allReduce != null ? allReduce.seconds(variances) : normCallS + normByteS * variances);
            }
            return seconds;
        }
    }
}

package dev.autoparallel.memory;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.Vendor;
import dev.autoparallel.memory.MemoryEstimate.Rejection;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.DType;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.model.Family;
import dev.autoparallel.model.ModelSpec.AttentionKind;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.LayerCache;
import dev.autoparallel.model.ModelSpec.Mixer;
import dev.autoparallel.model.Quantization;
import dev.autoparallel.model.Sharding;
import dev.autoparallel.model.Tensor;
import dev.autoparallel.model.TensorKind;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What vLLM allocates per GPU for one model on one GPU type, for any layout: weights as vLLM
 * shards them, the activation peak of its profile run, memory outside PyTorch, CUDA graphs,
 * and the KV cache that is left. Pure arithmetic over a per-layer summary of the model
 * computed once in the constructor, so evaluating a layout costs O(layers).
 */
public final class MemoryModel {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    /** Non-torch memory of one NVIDIA rank: CUDA context and cuBLAS workspaces (reference set: 0.13 GiB in all three V1 H100 logs). */
    static final long NON_TORCH_NVIDIA_BYTES = Math.round(0.13 * GIB);
    /** Non-torch memory of one AMD rank (reference set: 0.66 GiB in both MI300X vLLM 0.9.2 logs). */
    static final long NON_TORCH_AMD_BYTES = Math.round(0.66 * GIB);
    /**
     * NCCL buffers of a rank in a tensor-parallel ring. Estimate from NCCL's defaults, not a
     * measurement: 32 channels x 2 ring peers x (4 MiB Simple + 4.5 MiB LL128 + 0.25 MiB LL).
     */
    static final long NCCL_RING_BYTES = 32L * 2 * (4 * MIB + 4 * MIB + MIB / 2 + MIB / 4);
    /** NCCL send/receive buffers between pipeline stages (one peer each way; same per-channel sizes, 8 channels). */
    static final long NCCL_P2P_BYTES = 8L * 2 * (4 * MIB + 4 * MIB + MIB / 2 + MIB / 4);
    /**
     * Bytes per logit of V1's sampler warm-up over {@code max_num_seqs} requests while top-k / top-p
     * sort the vocabulary (before 0.19, and below 8 requests after: {@link VllmReleases#TRITON_TOP_K_TOP_P}):
     * fp32 logits, probabilities, sorted values and logprobs (4 B each) plus int64 sort indices and a
     * temporary (8 B each). Checked against the reference set's V1 activation peaks:
     * Llama-3.1-8B 4.76 GiB and gpt-oss-20b 7.38 GiB (H100, max_num_seqs 1024).
     */
    static final double SAMPLER_BYTES_PER_LOGIT = 32;
    /** Hidden-size buffers alive at the peak of a layer: residual, normed input, layer output, all-reduce buffer. */
    static final int HIDDEN_BUFFERS = 4;
    /**
     * CUDA-graph memory per decoder layer and captured graph ({@link CaptureLadder}), the estimate vLLM subtracts from
     * the KV budget from 0.20 on (PR #38284). Published start-up logs of 0.19 to 0.24 (2026-04 to 2026-09) print the
     * graphs profiled and "Estimated CUDA graph memory"; per layer and graph (MiB): Qwen2.5-7B 0.37 GiB / (28 x 54)
     * = 0.25, Qwen3.5-4B 0.64 / (32 x 86) = 0.24, Qwen3.5-9B 0.78 / (32 x 86) = 0.29, Qwen3.5-0.8B 0.04 / (24 x 7)
     * = 0.24, gemma-4-31b 0.13 / (60 x 13) = 0.17, Qwen3.6-27B with MTP 0.22 / (64 x 15) = 0.23, Qwen3-8B 0.52 /
     * (36 x 86) = 0.17, Qwen2.5-72B at TP 4 2.73 / (80 x 86) = 0.41, Qwen3.6-27B at TP 2 and 4 0.13 / (64 x 5) = 0.42
     * and 0.17 / (64 x 7) = 0.39, Qwen3-8B on an A100 2.35 / (36 x 86) = 0.78: median 0.25. The reference set's
     * captured graphs (V1 0.15, H100, max_num_seqs 1,024, so 102 graphs) give 0.16 (gpt-oss-20b, 0.39 GiB / 24 layers)
     * and 0.29 (gpt-oss-120b, 1.03 / 36). Not modelled: Qwen3.5 / 3.6 Gated DeltaNet hybrids whose first FULL sample
     * holds a transient of the batched tokens (vLLM issue #50780: 0.36 GiB for a ladder of two graphs).
     */
    static final long CUDA_GRAPH_BYTES_PER_LAYER_GRAPH = 256 * 1024;
    /**
     * The same per layer and graph for the new model runner (MRV2), whose estimate is its own (PR #53306): its logs print
     * it as "CUDA graph pool memory: X GiB (actual), Y GiB (estimated)". Per layer and graph (KiB): Qwen3-14B 0.51 GiB /
     * (40 x 86) = 155, Qwen3-14B-AWQ 0.54 / (40 x 86) = 165 and at 512 sequences 0.60 / (40 x 102) = 154 (vLLM 0.29.0, one
     * L40S, samilazrak/vllm-optimization-lab results/raw/*.startup.log, 2026-09-12); typhoon2.5-qwen3-4b 0.38 / (36 x 86)
     * = 129 under 0.29.0 and 0.30.0 (one RTX 5060 Ti, Freshair129/Private-Runtime-Platform, 2026-09-20 and 09-24):
     * median 154.
     */
    static final long NEW_RUNNER_CUDA_GRAPH_BYTES_PER_LAYER_GRAPH = 154 * 1024;
    /**
     * How vLLM's Mxfp4MoEMethod pads expert shards (create_weights), by kernel:
     * Marlin on Ampere/Ada rounds the intermediate size per partition up to 128 and the hidden
     * size to 256; Hopper's Triton kernels, Blackwell's FlashInfer and ROCm round both to 256
     * (on Hopper only the intermediate size). Checked on the reference set: gpt-oss-20b loads
     * 13.46 GiB predicted vs 13.47 observed on H100, 13.69 vs 13.72 on A100.
     */
    static final int MXFP4_MARLIN_INTERMEDIATE_ALIGN = 128;
    static final int MXFP4_WIDE_ALIGN = 256;
    /** VocabParallelEmbedding and ParallelLMHead pad the vocabulary to a multiple of 64 (DEFAULT_VOCAB_PADDING_SIZE). */
    static final int VOCAB_PADDING = 64;
    /** V0 turns chunked prefill on by default above 32K tokens of context on CUDA, with 2048-token batches. */
    static final int V0_CHUNKED_PREFILL_ABOVE = 32_768;
    static final int V0_CHUNKED_BATCH_TOKENS = 2048;
    /** V0's max_num_batched_tokens floor without chunked prefill (_DEFAULT_MAX_NUM_BATCHED_TOKENS). */
    static final int V0_MIN_BATCH_TOKENS = 2048;

    private final ModelSpec spec;
    private final Gpu gpu;
    private final int layers;
    private final DType dtype;
    private final boolean largeScheduleDefaults;
    // Per decoder layer, bytes of the full (unsharded) tensors, grouped by how TP splits them.
    private final double[] replicated;
    private final double[] tpSplit;
    private final double[] kvHeadSplit;
    private final double[] experts;
    // Prefix sums over layers of the arrays above and of sliding-window layers, so a pipeline stage costs O(1).
    private final double[] prefixReplicated;
    private final double[] prefixTpSplit;
    private final double[] prefixKvHeadSplit;
    private final double[] prefixExperts;
    private final int[] prefixSliding;
    private final double firstStageReplicated;
    private final double firstStageVocabRowBytes;
    private final double lastStageReplicated;
    private final double lastStageVocabRowBytes;
    private final double ropeCacheBytes;
    // Widest per-token intermediate (in elements) of any layer, split by TP where it is.
    private final double attentionWidth;
    private final double denseMlpColumnOut;
    private final double expertColumnOut;
    private final double sharedColumnOut;
    private final boolean gatedMlp;
    private final int quantAlignmentIn;
    private final int quantAlignmentOut;
    private final KvCachePlan kvPlan;
    /**
     * The checkpoint's multi-token-prediction layers, which vLLM loads only as a speculative drafter: their bytes by
     * how TP shards them (the routed experts apart, each layout taking its share), and how many of them attend (each
     * one more layer of KV cache).
     */
    private final double mtpReplicated;
    private final double mtpTpSplit;
    private final double mtpKvHeadSplit;
    private final double mtpExperts;
    private final int mtpAttentionLayers;
    /** Whether an MTP layer mixes tokens by other means than attention (a state the drafter would keep): not modelled. */
    private final boolean mtpStatefulMixers;
    /** The layer whose cache each MTP attention layer takes: the model's first full-attention layer (null: none). */
    private final Layer mtpDraftLayer;
    /** vLLM's n_predict for the drafter: {@link ModelSpec#mtpModules}. */
    private final int mtpModules;
    /** {@link #kvPlan} with the MTP drafter's attention layers after the model's, built on first use. */
    private volatile KvCachePlan draftKvPlan;
    /** {@link #kvPlan} with the last EAGLE-3 head's layers after the model's: a sweep evaluates many layouts per head. */
    private volatile EagleKvPlan eagleKvPlan;

    private record EagleKvPlan(Eagle3Draft draft, KvCachePlan plan) {
    }

    public MemoryModel(ModelSpec spec, Gpu gpu) {
        this.spec = spec;
        this.gpu = gpu;
        this.layers = spec.numLayers();
        this.dtype = spec.servingDtype();
        this.largeScheduleDefaults = gpu.largeScheduleDefaults();
        this.denseShapes = new AtomicReferenceArray<>((DENSE_TP + 1) * (layers + 1));
        replicated = new double[layers];
        tpSplit = new double[layers];
        kvHeadSplit = new double[layers];
        experts = new double[layers];
        double firstRep = 0, firstVocab = 0, lastRep = 0, lastVocab = 0;
        double denseOut = 0, expertOut = 0, sharedOut = 0;
        double mtpRep = 0, mtpTp = 0, mtpKv = 0, mtpExp = 0;
        Set<Integer> mtpAttention = new TreeSet<>();
        Set<Integer> mtpMixers = new TreeSet<>();
        Quantization q = spec.quantization();
        for (Tensor t : spec.tensors()) {
            double bytes = q.bytes(t, dtype);
            if (t.layer() >= layers || t.component() == Component.MTP) {
                // Multi-token-prediction layers are loaded only as a speculative drafter (on the last pipeline stage).
                if (t.component() == Component.ROUTED_EXPERTS) {
                    mtpExp += bytes;
                } else {
                    switch (t.sharding()) {
                        case COLUMN, ROW -> mtpTp += bytes;
                        case KV_HEADS -> mtpKv += bytes;
                        case VOCAB -> { } // its own embedding and head copies: the drafter shares the model's (mtpWeights)
                        default -> mtpRep += bytes;
                    }
                }
                if (t.layer() >= layers && t.component() == Component.ATTENTION) {
                    mtpMixers.add(t.layer());
                    // Softmax attention shards K and V by KV heads; MLA compresses them through kv_a_proj.
                    // DeepSeek-V4's MTP layer attends over its one latent, projected by attn.wkv.
                    if (t.sharding() == Sharding.KV_HEADS || t.name().contains("kv_a_proj")
                            || t.name().endsWith(".attn.wkv.weight")) {
                        mtpAttention.add(t.layer());
                    }
                }
                continue;
            }
            if (t.layer() < 0) {
                boolean first = t.component() == Component.EMBEDDING || t.component() == Component.VISION;
                if (t.sharding() == Sharding.VOCAB) {
                    double perRow = bytes / spec.vocabSize();
                    if (first) {
                        firstVocab += perRow;
                    } else {
                        lastVocab += perRow;
                    }
                } else if (first) {
                    firstRep += bytes;
                } else {
                    lastRep += bytes;
                }
                continue;
            }
            int l = t.layer();
            if (t.component() == Component.ROUTED_EXPERTS) {
                experts[l] += bytes;
                if (t.kind() == TensorKind.LINEAR && t.sharding() == Sharding.COLUMN) {
                    expertOut = Math.max(expertOut, t.out());
                }
                continue;
            }
            switch (t.sharding()) {
                case COLUMN, ROW -> tpSplit[l] += bytes;
                case KV_HEADS -> kvHeadSplit[l] += bytes;
                default -> replicated[l] += bytes;
            }
            if (t.kind() == TensorKind.LINEAR && t.sharding() == Sharding.COLUMN) {
                if (t.component() == Component.DENSE_MLP) {
                    denseOut = Math.max(denseOut, t.out());
                } else if (t.component() == Component.SHARED_EXPERTS) {
                    sharedOut = Math.max(sharedOut, t.out());
                }
            }
        }
        prefixReplicated = prefix(replicated);
        prefixTpSplit = prefix(tpSplit);
        prefixKvHeadSplit = prefix(kvHeadSplit);
        prefixExperts = prefix(experts);
        prefixSliding = new int[layers + 1];
        for (int l = 0; l < layers; l++) {
            prefixSliding[l + 1] = prefixSliding[l] + (spec.layerAttention().get(l) == AttentionKind.SLIDING ? 1 : 0);
        }
        firstStageReplicated = firstRep;
        firstStageVocabRowBytes = firstVocab;
        lastStageReplicated = lastRep;
        lastStageVocabRowBytes = lastVocab;
        gatedMlp = switch (spec.family()) {
            case PHI, FALCON, GPT_NEOX, OPT, GPT2, GPT_BIGCODE -> false;
            default -> true;
        };
        // gate_proj and up_proj are separate column tensors of the same width; the fused output is both.
        denseMlpColumnOut = gatedMlp ? 2 * denseOut : denseOut;
        expertColumnOut = spec.family() == Family.GPT_OSS || !gatedMlp ? expertOut : 2 * expertOut;
        sharedColumnOut = 2 * sharedOut;
        attentionWidth = attentionWidth(spec);
        ropeCacheBytes = ropeCacheBytes(spec, dtype);
        int[] align = quantAlignment(q);
        quantAlignmentIn = align[0];
        quantAlignmentOut = align[1];
        kvPlan = new KvCachePlan(spec);
        mtpReplicated = mtpRep;
        mtpTpSplit = mtpTp;
        mtpKvHeadSplit = mtpKv;
        mtpExperts = mtpExp;
        mtpAttentionLayers = mtpAttention.size();
        mtpStatefulMixers = mtpMixers.size() > mtpAttention.size();
        mtpModules = spec.mtpModules();
        // The MTP layers attend as the model's full-attention layers do (DeepSeek's and GLM-5's MTP layer is an MLA
        // decoder layer, with the DSA indexer where the model has one; Qwen3-Next's, MiMo's and Nemotron-H's are
        // full-attention layers of the model's shape). DeepSeek-V4's keeps only the window of latents: vLLM forces its
        // compress ratio to 1 (deepseek_v4 attention.py, read 2026-12-01), so it joins the sliding-window latent caches.
        mtpDraftLayer = spec.layers().stream().filter(x -> switch (x.mixer()) {
            case FULL_ATTENTION, NO_ROPE, MLA, MLA_DSA, SWA_LATENT, CSA, HCA -> true;
            default -> false;
        }).findFirst().map(x -> x.mixer().compressRatio() > 1 || x.mixer() == Mixer.SWA_LATENT
                ? new Layer(Mixer.SWA_LATENT, x.window(), -1, x.ffn(), LayerCache.compressed(x.cache().headDim(), 0)) : x)
                .orElse(null);
    }

    private static double[] prefix(double[] v) {
        double[] out = new double[v.length + 1];
        for (int i = 0; i < v.length; i++) {
            out[i + 1] = out[i] + v[i];
        }
        return out;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Gpu gpu() {
        return gpu;
    }

    /** Growth of MXFP4 expert bytes from vLLM's padding of each shard ({@link #MXFP4_WIDE_ALIGN}). */
    private double mxfp4PadFactor(int expertTp) {
        if (!(spec.quantization() instanceof Quantization.Mxfp4) || spec.moe() == null) {
            return 1;
        }
        int interAlign;
        int hiddenAlign;
        if (gpu.vendor() == Vendor.AMD || gpu.computeCapability() >= 100) {
            interAlign = MXFP4_WIDE_ALIGN;
            hiddenAlign = MXFP4_WIDE_ALIGN;
        } else if (gpu.computeCapability() >= 90) {
            interAlign = MXFP4_WIDE_ALIGN;
            hiddenAlign = 1;
        } else {
            interAlign = MXFP4_MARLIN_INTERMEDIATE_ALIGN;
            hiddenAlign = MXFP4_WIDE_ALIGN;
        }
        double inter = spec.moe().expertIntermediateSize() / (double) expertTp;
        double h = spec.hiddenSize();
        return Math.ceil(inter / interAlign) * interAlign / inter * (Math.ceil(h / hiddenAlign) * hiddenAlign / h);
    }

    private static double attentionWidth(ModelSpec s) {
        if (s.mla() != null) {
            var m = s.mla();
            return s.numAttentionHeads() * (double) (m.qkNopeHeadDim() + m.qkRopeHeadDim() + m.qkNopeHeadDim()
                    + m.vHeadDim() + m.vHeadDim());
        }
        return s.numAttentionHeads() * (double) s.headDim() * 2 + 2.0 * s.numKeyValueHeads() * s.headDim();
    }

    /** RotaryEmbedding's cos/sin cache: max_position_embeddings x rotary dim, in the model dtype. */
    private static double ropeCacheBytes(ModelSpec s, DType dtype) {
        return switch (s.family()) {
            case GPT2, GPT_BIGCODE, OPT -> 0; // learned position embeddings
            default -> (double) s.maxPositionEmbeddings()
                    * (s.mla() != null ? s.mla().qkRopeHeadDim() : s.headDim()) * dtype.bytes();
        };
    }

    /** The input and output alignment a quantized shard needs (group size, FP8 block), 1 when none. */
    private static int[] quantAlignment(Quantization q) {
        if (q instanceof Quantization.IntGroup g && g.groupSize() > 0) {
            return new int[] {g.groupSize(), 1};
        }
        if (q instanceof Quantization.Fp8 f && f.blockScaled()) {
            return new int[] {f.blockIn(), f.blockOut()};
        }
        if (q instanceof Quantization.DeepseekV4 v) {
            return new int[] {v.blockIn(), v.blockOut()};
        }
        return new int[] {1, 1};
    }

    // ---------------------------------------------------------------- engine defaults

    public int maxModelLen(EngineSettings s) {
        return s.maxModelLen() != null ? s.maxModelLen() : spec.maxPositionEmbeddings();
    }

    public int maxNumSeqs(EngineSettings s) {
        if (s.maxNumSeqs() != null) {
            return s.maxNumSeqs();
        }
        return s.engine() == Engine.V1 && largeScheduleDefaults ? 1024 : 256;
    }

    /** vLLM's max_num_batched_tokens for `vllm serve` (arg_utils.py; V0: scheduler defaults). */
    public int maxNumBatchedTokens(EngineSettings s) {
        if (s.maxNumBatchedTokens() != null) {
            return s.maxNumBatchedTokens();
        }
        int maxLen = maxModelLen(s);
        if (s.engine() == Engine.V1) {
            if (s.version().atLeast(VllmReleases.LARGE_GPU_BATCH_TOKENS) && gpu.memoryBytes() >= VllmReleases.LARGE_GPU_BYTES) {
                return VllmReleases.LARGE_GPU_MAX_NUM_BATCHED_TOKENS;
            }
            return largeScheduleDefaults ? 8192 : 2048;
        }
        boolean chunked = gpu.vendor() == Vendor.NVIDIA && maxLen > V0_CHUNKED_PREFILL_ABOVE;
        return chunked ? V0_CHUNKED_BATCH_TOKENS : Math.max(maxLen, V0_MIN_BATCH_TOKENS);
    }

    public int blockSize(EngineSettings s) {
        if (kvPlan.dsv4()) {
            return KvCachePlan.DSV4_BLOCK; // vLLM sets it for DeepSeek-V4 whatever --block-size says
        }
        Integer required = kvPlan.requiredBlockSize();
        if (required != null && s.blockSize() == null) {
            return required;
        }
        return s.blockSize() != null ? s.blockSize() : spec.mla() != null ? 64 : 16;
    }

    public DType kvDtype(EngineSettings s) {
        return s.kvCacheDtype() == KvCacheDtype.FP8 ? DType.FLOAT8 : dtype;
    }

    // ---------------------------------------------------------------- layouts

    private static final String ALIGNED = "";
    /** Quantization alignment per (TP, EP): the check walks the tensors, so it is done once. */
    private final Map<Integer, String> alignment = new ConcurrentHashMap<>();

    /**
     * Why this model's KV cache cannot be sized for any layout (a cache vLLM keeps that is not modelled,
     * such as DeepSeek-V4's compressed cache or MiniMax-M3's sparse attention), or null.
     */
    public String unsupportedCache() {
        return kvPlan.unsupported() == null ? null : spec.modelId() + ": " + kvPlan.unsupported();
    }

    /** Why vLLM would refuse this layout for this model, or null. */
    public String invalidLayout(Layout l) {
        int tp = l.tp();
        if (spec.numAttentionHeads() % tp != 0) {
            return "tensor parallel size " + tp + " does not divide the " + spec.numAttentionHeads() + " attention heads";
        }
        int kv = spec.numKeyValueHeads();
        if (spec.mla() == null && kv % tp != 0 && tp % kv != 0) {
            return "tensor parallel size " + tp + " neither divides nor is a multiple of the " + kv + " KV heads";
        }
        if (l.pp() > layers) {
            return "pipeline parallel size " + l.pp() + " exceeds the " + layers + " layers";
        }
        if (l.expertParallel() && spec.moe() == null) {
            return "expert parallelism needs a mixture-of-experts model";
        }
        if (quantAlignmentIn > 1) {
            String bad = alignment.computeIfAbsent(tp * 2 + (l.expertParallel() ? 1 : 0), k -> {
                String why = misaligned(tp, l.expertParallel());
                return why == null ? ALIGNED : why;
            });
            return bad.isEmpty() ? null : bad;
        }
        return null;
    }

    private String misaligned(int tp, boolean ep) {
        for (Tensor t : spec.servedTensors()) {
            if (t.kind() != TensorKind.LINEAR || !spec.quantization().packs(t) || t.layer() != 0 && t.layer() != layers - 1) {
                continue;
            }
            if (t.component() == Component.ROUTED_EXPERTS && ep) {
                continue;
            }
            if (spec.family() == Family.MIMO_V2 && t.name().endsWith(".self_attn.qkv_proj.weight")) {
                // MiMo-V2.5's fused qkv_proj is block-quantized per TP-8 shard (216 scale rows where 27,136 / 128 gives
                // 212 for V2.5-Pro) and vLLM's mimo_v2.py loads it at TP 4 and 8, as published deployments run it
                // (vLLM 0.21 at --tensor-parallel-size 8 or 4, read 2026-12-01): it is not held to the block check.
                continue;
            }
            if (t.sharding() == Sharding.ROW && t.in() % tp == 0 && (t.in() / tp) % quantAlignmentIn != 0) {
                return String.format(Locale.ROOT, "%s: %d input features / TP %d = %d is not a multiple of the "
                        + "quantization group of %d, which vLLM requires", t.name(), t.in(), tp, t.in() / tp, quantAlignmentIn);
            }
            if (t.sharding() == Sharding.COLUMN && quantAlignmentOut > 1 && (t.out() / tp) % quantAlignmentOut != 0) {
                return String.format(Locale.ROOT, "%s: %d output features / TP %d is not a multiple of the FP8 block of %d",
                        t.name(), t.out(), tp, quantAlignmentOut);
            }
        }
        return null;
    }

    /** vLLM's get_pp_indices: even split, the remainder going one each to the stages before the last, from the back. */
    public static int[] stageLayers(int numLayers, int pp) {
        int[] parts = new int[pp];
        Arrays.fill(parts, numLayers / pp);
        int remaining = numLayers % pp;
        for (int i = 2; i < remaining + 2; i++) {
            parts[pp - i] += 1;
        }
        return parts;
    }

    private long paddedVocab() {
        return (spec.vocabSize() + VOCAB_PADDING - 1L) / VOCAB_PADDING * VOCAB_PADDING;
    }

    private double kvHeadFraction(int tp) {
        int kv = spec.numKeyValueHeads();
        return Math.ceil(kv / (double) tp) / kv;
    }

    /** Weights of layers [from, to) on one rank, routed experts left out (each layout takes its share of those). */
    private double layerWeights(int from, int to, int tp) {
        return (prefixReplicated[to] - prefixReplicated[from]) + (prefixTpSplit[to] - prefixTpSplit[from]) / tp
                + (prefixKvHeadSplit[to] - prefixKvHeadSplit[from]) * kvHeadFraction(tp);
    }

    /** The fraction of a layer's routed-expert bytes one rank holds, padding included. */
    private double expertShare(int tp, int epSize) {
        if (spec.moe() == null) {
            return 0;
        }
        if (epSize > 1) {
            int e = spec.moe().numExperts();
            return Math.ceil(e / (double) epSize) / e * mxfp4PadFactor(1);
        }
        return mxfp4PadFactor(tp) / tp;
    }

    /** KV-cache bytes one token takes in one layer on a rank at TP {@code tp}, at the model's dtype. */
    public double kvBytesPerTokenPerLayer(int tp) {
        return kvPerTokenPerLayer(tp, dtype);
    }

    /** KV-cache bytes one token takes in one layer on a rank at TP {@code tp}, in the cache's {@code kvDtype}. */
    public double kvBytesPerTokenPerLayer(int tp, DType kvDtype) {
        return kvPerTokenPerLayer(tp, kvDtype);
    }

    private double kvPerTokenPerLayer(int tp, DType kvDtype) {
        if (spec.mla() != null) {
            return (spec.mla().kvLoraRank() + spec.mla().qkRopeHeadDim()) * (double) kvDtype.bytes();
        }
        return 2.0 * Math.ceil(spec.numKeyValueHeads() / (double) tp) * spec.headDim() * kvDtype.bytes();
    }

    /** Per-token bytes of the widest layer's intermediates on one rank (elements x dtype). */
    private double forwardBytesPerToken(int tp, int epSize) {
        double h = spec.hiddenSize();
        double mlp = denseMlpColumnOut * (gatedMlp ? 1.5 : 2) / tp;
        if (spec.moe() != null) {
            int expertTp = epSize > 1 ? 1 : tp;
            // Each token's hidden state is gathered once per chosen expert, and each expert writes an output.
            double perExpert = expertColumnOut * 1.5 / expertTp + 2 * h;
            double moe = spec.moe().expertsPerToken() * perExpert + spec.moe().numExperts() * 2.0
                    + sharedColumnOut * 1.5 / tp;
            mlp = Math.max(mlp, moe);
        }
        return (Math.max(mlp, attentionWidth / tp) + HIDDEN_BUFFERS * h) * dtype.bytes();
    }

    /**
     * One pipeline stage of a (TP, PP) shape on one rank: weights without the routed experts,
     * the routed experts' full bytes (each layout takes its share), and its layers by attention kind.
     */
    private record Stage(double baseWeights, double expertBytes, int fullLayers, int slidingLayers) {
    }

    /** TP sizes whose shapes live in the flat array; larger ones go to the map. */
    private static final int DENSE_TP = 64;
    private final AtomicReferenceArray<Stage[]> denseShapes;
    private final Map<Integer, Stage[]> sparseShapes = new ConcurrentHashMap<>();

    /** The stages of a (TP, PP) shape, computed once per model and GPU. */
    private Stage[] shape(int tp, int pp) {
        if (tp <= DENSE_TP) {
            int index = tp * (layers + 1) + pp;
            Stage[] s = denseShapes.get(index);
            if (s == null) {
                s = computeShape(tp, pp);
                denseShapes.set(index, s);
            }
            return s;
        }
        return sparseShapes.computeIfAbsent(tp * 4096 + pp, k -> computeShape(tp, pp));
    }

    private Stage[] computeShape(int tp, int pp) {
        {
            int[] parts = stageLayers(layers, pp);
            Stage[] out = new Stage[pp];
            double vocabRows = Math.ceil(paddedVocab() / (double) tp);
            int start = 0;
            for (int stage = 0; stage < pp; stage++) {
                int end = start + parts[stage];
                double w = ropeCacheBytes + layerWeights(start, end, tp);
                if (stage == 0) {
                    w += firstStageReplicated + firstStageVocabRowBytes * vocabRows;
                }
                if (stage == pp - 1) {
                    w += lastStageReplicated + lastStageVocabRowBytes * vocabRows;
                    if (spec.tieWordEmbeddings() && pp > 1) {
                        w += firstStageVocabRowBytes * vocabRows; // the last stage holds its own copy of the tied head
                    }
                }
                int sliding = prefixSliding[end] - prefixSliding[start];
                out[stage] = new Stage(w, prefixExperts[end] - prefixExperts[start], parts[stage] - sliding, sliding);
                start = end;
            }
            return out;
        }
    }

    /** Evaluates one layout on GPUs of {@code gpuMemoryBytes} (the runtime-reported total). */
    public MemoryEstimate evaluate(Layout layout, EngineSettings s, long gpuMemoryBytes) {
        if (s.speculative().enabled()) {
            s = s.forModel(spec, mtpModules);
        }
        int tp = layout.tp();
        int pp = layout.pp();
        int epSize = layout.expertParallelSize();
        int maxLen = maxModelLen(s);
        int maxSeqs = maxNumSeqs(s);
        int batchTokens = Math.max(maxNumBatchedTokens(s), 1);
        int block = blockSize(s);
        VllmVersion v = s.version();
        long budget = (long) Math.floor(gpuMemoryBytes * s.gpuMemoryUtilization());
        boolean nccl = s.engine() == Engine.V0 || VllmReleases.ncclSubtracted(v);
        long nonTorch = (gpu.vendor() == Vendor.AMD ? NON_TORCH_AMD_BYTES : NON_TORCH_NVIDIA_BYTES)
                + (nccl && tp > 1 ? NCCL_RING_BYTES : 0) + (nccl && pp > 1 ? NCCL_P2P_BYTES : 0);
        // The new runner's penalty state stays allocated beside the weights on every rank (each builds its sampler); vLLM's
        // log counts it with them as consumed memory, and --kv-cache-memory does not free it.
        boolean newRunner = VllmReleases.newRunner(s, spec.moe() != null, pp);
        long runnerState = VllmReleases.persistentStateCharged(v, newRunner)
                ? VllmReleases.newRunnerPenaltyBytes(maxSeqs, spec.vocabSize()) : 0;
        long kept = nonTorch + runnerState;
        String invalid = invalidLayout(layout);
        SpeculativeDecoding sd = s.speculative();
        boolean drafter = sd.method().gpuDrafter();
        KvCachePlan kvPlan = drafter ? draftKvPlan(sd) : this.kvPlan;
        int draftLayers = drafter ? draftAttentionLayers(sd) : 0;
        if (invalid == null && sd.method() == SpeculativeDecoding.Method.MTP && mtpStatefulMixers) {
            invalid = spec.modelId() + ": its MTP layers hold Mamba or linear-attention state, which the drafter's cache"
                    + " is not modelled for";
        }
        if (invalid == null && sd.method() == SpeculativeDecoding.Method.MTP && spec.family() == Family.STEP3P5) {
            invalid = spec.modelId() + ": Step-3.5's MTP layers attend through a sliding window and carry LM heads of their"
                    + " own (vLLM step3p5_mtp.py); that drafter's weights and cache are not modelled";
        }
        if (invalid == null && sd.method() == SpeculativeDecoding.Method.MTP && mtpAttentionLayers > 0 && mtpDraftLayer == null) {
            invalid = spec.modelId() + ": its MTP layers attend but the model has no full-attention layer whose cache they"
                    + " would take";
        }
        if (invalid == null && kvPlan.unsupported() != null) {
            invalid = spec.modelId() + ": " + kvPlan.unsupported();
        }
        Integer requiredBlock = kvPlan.requiredBlockSize();
        if (invalid == null && requiredBlock != null && s.blockSize() != null && !requiredBlock.equals(s.blockSize())) {
            invalid = spec.modelId() + ": its sparse attention backends take --block-size " + requiredBlock + " only, not "
                    + s.blockSize();
        }
        String cacheUnderSettings = invalid == null ? kvPlan.unsupportedUnder(kvSettings(tp, pp, s, newRunner)) : null;
        if (cacheUnderSettings != null) {
            invalid = spec.modelId() + ": " + cacheUnderSettings;
        }
        int dcp = s.decodeContextParallelSize();
        if (invalid == null && dcp > 1 && tp % dcp != 0) {
            invalid = "decode context parallel size " + dcp + " does not divide tensor parallel size " + tp + ", as vLLM requires";
        }
        if (invalid == null && dcp > 1 && kvPlan.hasSlidingLayers()) {
            invalid = "vLLM does not support decode context parallelism with sliding-window or chunked layers (\"DCP not support sliding window\")";
        }
        if (invalid != null) {
            return new MemoryEstimate(layout, budget, 0, 0, nonTorch, runnerState, 0, 0, 0, 0, maxLen, maxSeqs, batchTokens, block, 0,
                    new Rejection(RejectionReason.INVALID_LAYOUT, invalid), 0, List.of(), 0, null, kvDtype(s), s.speculative(),
                    requiredBlock != null, MemoryEstimate.Once.of(EnginePools.unmodelled(invalid)));
        }
        boolean graphsSubtracted = !s.enforceEager() && VllmReleases.cudaGraphSubtracted(v, s.engine(), newRunner);
        int graphs = graphsSubtracted
                ? CaptureLadder.of(maxSeqs, batchTokens, sd).graphs() : 0;
        double forward = (double) batchTokens * forwardBytesPerToken(tp, epSize);
        double samplerPerLogit = VllmReleases.samplerBytesPerLogit(v, newRunner, maxSeqs);
        double sampler = s.engine() == Engine.V1 ? samplerPerLogit * maxSeqs * spec.vocabSize() : 0;
        double expertShare = expertShare(tp, epSize);
        KvCachePlan.Settings ks = kvSettings(tp, pp, s, newRunner);

        Stage[] stages = shape(tp, pp);
        int[] parts = stageLayers(layers, pp);
        long worstWeights = 0, worstAct = 0, worstGraph = 0;
        KvCachePlan.Stage limiting = null;
        long limitingAvail = 0, minBlocks = Long.MAX_VALUE, limitingNeeded = 0;
        int limitingFrom = 0, limitingTo = 0;
        Long estimated = null;
        Rejection rejection = null;
        int from = 0;
        for (int stage = 0; stage < pp; stage++) {
            Stage st = stages[stage];
            int to = from + parts[stage];
            boolean last = stage == pp - 1;
            // The drafter runs on the last stage, beside the head it shares.
            int drafted = last ? draftLayers : 0;
            double draft = last && drafter ? drafterWeights(sd, tp, expertShare) : 0;
            long weights = Math.round(st.baseWeights() + st.expertBytes() * expertShare + draft);
            long act = Math.round(forward + (last ? sampler : 0));
            long graph = (newRunner ? NEW_RUNNER_CUDA_GRAPH_BYTES_PER_LAYER_GRAPH : CUDA_GRAPH_BYTES_PER_LAYER_GRAPH) * graphs
                    * (st.fullLayers() + st.slidingLayers() + drafted);
            long avail = s.kvCacheMemoryBytes() != null ? s.kvCacheMemoryBytes() : budget - weights - act - kept - graph;
            KvCachePlan.Stage kv;
            int kvTo = to + drafted;
            try {
                kv = kvPlan.stage(from, kvTo, ks);
            } catch (IllegalStateException e) {
                return new MemoryEstimate(layout, budget, weights, act, nonTorch, runnerState, graph, 0, 0, 0, maxLen, maxSeqs, batchTokens,
                        block, 0, new Rejection(RejectionReason.INVALID_LAYOUT, e.getMessage()), 0, List.of(), 0, null,
                        kvDtype(s), s.speculative(), requiredBlock != null, MemoryEstimate.Once.of(EnginePools.unmodelled(e.getMessage())));
            }
            long blocks = kv.numBlocks(avail);
            if (stage == 0 || weights + act > worstWeights + worstAct) {
                worstWeights = weights;
                worstAct = act;
                worstGraph = graph;
            }
            // A stage without cache layers (vLLM skips workers with empty groups) never limits the cache.
            boolean holdsCache = kv.layersPerBlock() > 0;
            if (limiting == null || holdsCache && (limiting.layersPerBlock() == 0 || blocks < minBlocks)) {
                minBlocks = blocks;
                limiting = kv;
                limitingAvail = avail;
                limitingNeeded = kv.neededBytes();
                limitingFrom = from;
                limitingTo = kvTo;
            }
            if (rejection == null) {
                // With --kv-cache-memory-bytes the profile's activations are freed before the cache is allocated:
                // what stays is weights, memory outside PyTorch, CUDA graphs and the cache itself.
                if (s.kvCacheMemoryBytes() != null && weights + kept + graph + avail > gpuMemoryBytes) {
                    rejection = tooLargeWithKvMemory(stage, pp, weights, kept + graph, avail, gpuMemoryBytes);
                } else {
                    // gpu_memory_utilization does not bound weights when the KV memory is given.
                    long bound = s.kvCacheMemoryBytes() != null ? gpuMemoryBytes : budget;
                    rejection = refusal(stage, pp, weights, act, kept + graph, bound, avail, kv.neededBytes(), maxLen);
                }
                if (rejection != null && rejection.reason() == RejectionReason.KV_CACHE_TOO_SMALL && avail > 0) {
                    estimated = kvPlan.estimatedMaxModelLen(from, kvTo, ks, avail);
                }
            }
            from = to;
        }
        long tokens = limiting.loggedTokens(minBlocks, ks);
        double concurrency = limiting.concurrency(minBlocks);
        if (limitingAvail <= 0) {
            tokens = 0;
            concurrency = 0;
        }
        if (rejection != null && rejection.reason() == RejectionReason.KV_CACHE_TOO_SMALL && estimated == null) {
            estimated = 0L;
        }
        if (rejection == null || rejection.reason() != RejectionReason.KV_CACHE_TOO_SMALL) {
            estimated = null;
        }
        int poolsFrom = limitingFrom;
        int poolsTo = limitingTo;
        return new MemoryEstimate(layout, budget, worstWeights, worstAct, nonTorch, runnerState, worstGraph,
                Math.max(limitingAvail, 0), tokens, concurrency, maxLen, maxSeqs, batchTokens, block,
                limiting.kvBytesPerToken(), rejection, minBlocks, limiting.groups(), limitingNeeded, estimated, kvDtype(s), s.speculative(),
                requiredBlock != null, new MemoryEstimate.Once<>(() -> kvPlan.enginePools(poolsFrom, poolsTo, ks, gpu.computeCapability())));
    }

    /**
     * Bytes of the MTP drafter on one rank of the last stage: its decoder layers sharded as the model's are (the
     * routed experts at this layout's {@code expertShare}), its extra projections and norms whole. vLLM gives the
     * drafter the model's embedding and LM head instead of loading its own copies (EagleProposer.load_model shares
     * embed_tokens and lm_head with the target when their shapes match), so those copies are not counted.
     */
    private double mtpWeights(int tp, double expertShare) {
        return mtpReplicated + mtpTpSplit / tp + mtpKvHeadSplit * kvHeadFraction(tp) + mtpExperts * expertShare;
    }

    /**
     * The drafter's bytes on one rank of the last stage: the MTP layers ({@link #mtpWeights}), or an EAGLE-3 head in the
     * model's dtype (vLLM loads the draft at the target's dtype) sharded as the model's TP shards its layers (vLLM's
     * draft_tensor_parallel_size defaults to the target's): fc and norms whole, attention and MLP split, key and value
     * by KV heads, the draft LM head by vocabulary rows, the int64 d2t map whole.
     */
    private double drafterWeights(SpeculativeDecoding sd, int tp, double expertShare) {
        if (sd.method() == SpeculativeDecoding.Method.MTP) {
            return mtpWeights(tp, expertShare);
        }
        Eagle3Draft d = sd.draft();
        return dtype.bytes() * (d.layerParamsOnRank(tp) + d.headParamsOnRank(tp)) + 8.0 * d.shares().int64Elements();
    }

    /** The attention layers a GPU drafter adds to the last stage's KV cache. */
    private int draftAttentionLayers(SpeculativeDecoding sd) {
        return sd.method() == SpeculativeDecoding.Method.MTP ? mtpAttentionLayers : sd.draft().layers();
    }

    /** {@link #kvPlan} with the drafter's attention layers after the model's, each kept for the next layout. */
    private KvCachePlan draftKvPlan(SpeculativeDecoding sd) {
        if (sd.method() == SpeculativeDecoding.Method.EAGLE3) {
            Eagle3Draft d = sd.draft();
            EagleKvPlan kept = eagleKvPlan;
            if (kept == null || !kept.draft().equals(d)) {
                kept = new EagleKvPlan(d, new KvCachePlan(spec, Collections.nCopies(d.layers(),
                        Layer.of(Mixer.FULL_ATTENTION, Ffn.DENSE).withCache(LayerCache.kv(d.kvHeads(), d.headDim())))));
                eagleKvPlan = kept;
            }
            return kept.plan();
        }
        KvCachePlan p = draftKvPlan;
        if (p == null) {
            p = new KvCachePlan(spec, mtpDraftLayer == null ? List.of() : Collections.nCopies(mtpAttentionLayers, mtpDraftLayer));
            draftKvPlan = p;
        }
        return p;
    }

    /** The cache plan's settings for {@code s} at TP {@code tp} and PP {@code pp}, on the runner {@code newRunner} says. */
    private KvCachePlan.Settings kvSettings(int tp, int pp, EngineSettings s, boolean newRunner) {
        int batchTokens = Math.max(maxNumBatchedTokens(s), 1);
        VllmVersion v = s.version();
        return new KvCachePlan.Settings(tp, s.decodeContextParallelSize(), kvDtype(s), s.kvCacheDtype() == KvCacheDtype.FP8,
                blockSize(s), maxModelLen(s), (long) batchTokens * VllmReleases.inFlightBatches(v, pp, newRunner), batchTokens,
                VllmReleases.hybridManager(v, s.engine()), VllmReleases.tokensFromConcurrency(v), s.mambaCacheAlign(),
                VllmReleases.dsv4Layout(v));
    }

    private static Rejection tooLargeWithKvMemory(int stage, int pp, long weights, long other, long kv, long memory) {
        String where = pp > 1 ? " on pipeline stage " + stage : "";
        return new Rejection(RejectionReason.WEIGHTS_DO_NOT_FIT, () -> String.format(Locale.ROOT,
                "weights %.2f GiB, overhead %.2f GiB and the %.2f GiB of --kv-cache-memory%s exceed the "
                        + "GPU's %.2f GiB", weights / (double) GIB, other / (double) GIB, kv / (double) GIB, where,
                memory / (double) GIB));
    }

    private static Rejection refusal(int stage, int pp, long weights, long act, long overhead, long budget, long avail,
                                     long needed, int maxLen) {
        String where = pp > 1 ? " on pipeline stage " + stage : "";
        if (weights > budget) {
            return new Rejection(RejectionReason.WEIGHTS_DO_NOT_FIT, () -> String.format(Locale.ROOT,
                    "weights take %.2f GiB per GPU%s, more than the %.2f GiB budget", weights / (double) GIB, where,
                    budget / (double) GIB));
        }
        if (avail <= 0 || avail < needed) {
            // vLLM's check_enough_kv_cache_memory: "To serve at least one request with the models's max seq len
            // (N), (X GiB KV cache is needed, which is larger than the available KV cache memory (Y GiB)."
            return new Rejection(RejectionReason.KV_CACHE_TOO_SMALL, () -> String.format(Locale.ROOT,
                    "one request of %d tokens needs %.2f GiB of KV cache%s but only %.2f GiB is left after "
                            + "%.2f GiB weights, %.2f GiB activations and %.2f GiB overhead; vLLM would refuse to start",
                    maxLen, needed / (double) GIB, where, Math.max(avail, 0) / (double) GIB, weights / (double) GIB,
                    act / (double) GIB, overhead / (double) GIB));
        }
        return null;
    }

    /**
     * KV bytes per GPU for {@code sequences} requests of {@code tokens} tokens each (the seed's
     * workload view), on the stage with the most layers; sliding layers hold at most their window.
     */
    public long workloadKvBytes(Layout layout, EngineSettings s, long sequences, int tokens) {
        boolean drafter = s.speculative().method().gpuDrafter();
        KvCachePlan plan = drafter ? draftKvPlan(s.speculative()) : kvPlan;
        if (plan.unsupported() == null) {
            KvCachePlan.Settings ks = kvSettings(layout.tp(), layout.pp(), s,
                    VllmReleases.newRunner(s, spec.moe() != null, layout.pp()));
            int[] parts = stageLayers(layers, layout.pp());
            double worst = 0;
            int from = 0;
            for (int i = 0; i < parts.length; i++) {
                int to = from + parts[i] + (drafter && i == parts.length - 1 ? draftAttentionLayers(s.speculative()) : 0);
                worst = Math.max(worst, plan.sequenceBytes(from, to, ks, tokens));
                from += parts[i];
            }
            return Math.round(worst * sequences);
        }
        double perLayer = kvPerTokenPerLayer(layout.tp(), kvDtype(s));
        double slidingTokens = Math.min(tokens, (long) spec.slidingWindow() + blockSize(s));
        double worst = 0;
        for (Stage st : shape(layout.tp(), layout.pp())) {
            worst = Math.max(worst, perLayer * (st.fullLayers() * (double) tokens + st.slidingLayers() * slidingTokens));
        }
        return Math.round(worst * sequences);
    }
}

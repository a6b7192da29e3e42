package dev.autoparallel.memory;

import dev.autoparallel.memory.MemoryEstimate.KvCacheGroup;
import dev.autoparallel.model.DType;
import dev.autoparallel.model.Family;
import dev.autoparallel.model.LinearStateDims;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ModelSpec.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * How vLLM V1 lays out the KV cache and the per-request state of a model: one cache spec per
 * layer (vllm/v1/kv_cache_interface.py: FullAttentionSpec, SlidingWindowSpec,
 * ChunkedLocalAttentionSpec, MLAAttentionSpec, MambaSpec), grouped as
 * vllm/v1/core/kv_cache_utils.py {@code get_kv_cache_groups} does, then counted per worker:
 * {@code num_blocks = available // page_size // group_size}, blocks per request per group, the
 * maximum concurrency, the logged "GPU KV cache size", and the memory one request at
 * {@code max_model_len} needs. Source read 2026-11 (vllm-project/vllm commit 001cabc1).
 *
 * <p>The grouping is a property of the model's layer kinds; the page sizes depend on TP, the KV
 * dtype and the block size, so they are computed per evaluation ({@link #stage}).
 */
final class KvCachePlan {
    /** What a layer keeps per request, told apart as vLLM's spec classes are (equal keys share a group). */
    enum Kind { FULL, SLIDING, CHUNKED, MLA, INDEXER, INDEX_KEYS, STATE }

    static final String FULL_LABEL = "full attention";
    static final String MLA_LABEL = "MLA latent";

    /**
     * One layer's cache spec before sizing: its kind, window (0 when none), and for attention its KV
     * heads and head size (0 otherwise). Equal keys share a group.
     */
    record Key(Kind kind, int window, int kvHeads, int headDim) {
        Key(Kind kind, int window) {
            this(kind, window, 0, 0);
        }

        String label() {
            return switch (kind) {
                case FULL -> FULL_LABEL;
                case SLIDING -> "sliding window " + window;
                case CHUNKED -> "chunked local attention " + window;
                case MLA -> MLA_LABEL;
                case INDEXER -> "DSA indexer keys";
                case INDEX_KEYS -> "sparse index keys";
                case STATE -> "Mamba/linear-attention state";
            };
        }

        /** FullAttentionSpec and its MLA subclass: one UniformTypeKVCacheSpecs group when their pages differ. */
        boolean fullType() {
            return kind == Kind.FULL || kind == Kind.MLA || kind == Kind.INDEXER || kind == Kind.INDEX_KEYS;
        }
    }

    /**
     * vLLM's page-size alignment for hybrid attention + Mamba models (HybridAttentionMambaModelConfig,
     * vllm/model_executor/models/config.py, read 2026-11): the attention block size is rounded up to a
     * multiple of the FlashAttention kernel's 16-token block so that a page holds one Mamba state.
     */
    static final int MAMBA_KERNEL_BLOCK_ALIGNMENT = 16;
    /**
     * The same alignment when the attention layers are MLA (Kimi-Linear): MLA kernels take blocks of 64
     * tokens ({@code kernel_block_alignment_size} 64, or 128 when CUTLASS_MLA is chosen by hand; vLLM
     * HybridAttentionMambaModelConfig, read 2026-12), and the page of one token is the latent's.
     */
    static final int MLA_MAMBA_KERNEL_BLOCK_ALIGNMENT = 64;
    /**
     * The group-size rule of {@code _get_kv_cache_groups_uniform_page_size}: the largest layer count
     * becomes the group size when it is below 1.5 x the smallest (vLLM commit 001cabc1, read 2026-11).
     */
    static final double GROUP_SIZE_RATIO = 1.5;
    /**
     * fp8_ds_mla, the FP8 MLA cache of DeepSeek sparse attention: 512 FP8 latent values, 4 FP32
     * scales and 64 BF16 rotary values per token (MLAAttentionSpec.real_page_size_bytes, vLLM
     * flashmla_sparse.py, read 2026-11).
     */
    static final int FP8_DS_MLA_BYTES_PER_TOKEN = 656;
    /** The DSA indexer's key cache quantizes its keys in blocks of 128 with one FP32 scale each (DeepseekV32IndexerCache). */
    static final int INDEXER_QUANT_BLOCK = 128;
    /**
     * DeepSeek-V4's fp8_ds_mla latent (vLLM sparse_swa.py DeepseekV4SWACache and MLAAttentionSpec, read 2026-12-01): 448
     * FP8 NoPE values, 64 BF16 RoPE values and 8 bytes of UE8M0 scales per token slot, for the 512-wide latent of
     * head_dim 512 (the only shape FlashMLA's V4 kernels take); {@code --kv-cache-dtype fp8} selects it.
     */
    static final int DSV4_FP8_LATENT_BYTES = 584;
    /** The latent head size the fp8_ds_mla slot above is laid out for. */
    static final int DSV4_LATENT_DIM = 512;
    /** V4 pages are padded to a multiple of 576 bytes with fp8_ds_mla (alignment=576 in sparse_swa.py and compressor.py). */
    static final int DSV4_PAGE_ALIGNMENT = 576;
    /**
     * MiniMax-M3's index keys are cached in bf16 unless {@code --attention-config indexer_kv_dtype} says otherwise (vLLM
     * minimax_m3 indexer.py, read 2026-12-01; that option is not modelled), whatever {@code --kv-cache-dtype} is.
     */
    static final int INDEX_KEY_BYTES = 2;
    /**
     * The only block size MiniMax-M3's sparse attention backends take ("No common block size for 16" otherwise; vLLM's
     * recipe passes --block-size 128, read 2026-12-01).
     */
    static final int SPARSE_INDEXED_BLOCK = 128;
    /** The block size vLLM forces for V4's compressed and indexer caches (DeepseekSparseSWABackend.get_preferred_block_size). */
    static final int DSV4_BLOCK = 256;
    /** Tokens per block of the sliding-window latent cache (DeepseekV4SWACache.block_size). */
    static final int DSV4_SWA_BLOCK = 64;
    /** Blocks of the ratio-4 and ratio-128 compressor states (CompressorStateCache: block_size 4 and 8), in float32. */
    static final int DSV4_C4_STATE_BLOCK = 4;
    static final int DSV4_C128_STATE_BLOCK = 8;

    private final ModelSpec spec;
    /** Per decoder layer, the cache specs it holds (none, one, or two for MLA + indexer). */
    private final List<List<Key>> layerKeys;
    /** Distinct keys in order of first appearance, and each key's layers (as vLLM's same_type_layers). */
    private final Map<Key, List<Integer>> byKey;
    private final String unsupported;
    private final int indexerDim;
    /** The plan's layers (the model's and any drafter's), for DeepSeek-V4's per-layer caches. */
    private final List<Layer> planLayers;
    /** Whether the layers are DeepSeek-V4's (sliding-window latents, compressed latents, indexer, compressor state). */
    private final boolean dsv4;

    KvCachePlan(ModelSpec spec) {
        this(spec, List.of());
    }

    /**
     * The plan with a speculative drafter's attention layers after the model's, which vLLM registers beside the
     * model's layers so that they join its KV cache groups (an MTP drafter's layers attend as the model's do; an
     * EAGLE-3 head's with its own heads and head size).
     */
    KvCachePlan(ModelSpec spec, List<Layer> draftLayers) {
        this.spec = spec;
        List<Layer> plan = new ArrayList<>(spec.layers());
        plan.addAll(draftLayers);
        planLayers = List.copyOf(plan);
        String why = null;
        boolean v4 = false;
        List<List<Key>> keys = new ArrayList<>();
        int[][] dims = attentionDims(spec, plan);
        for (int i = 0; i < plan.size(); i++) {
            Layer l = plan.get(i);
            int kv = dims[i][0];
            int hd = dims[i][1];
            List<Key> k = switch (l.mixer()) {
                case FULL_ATTENTION, NO_ROPE -> List.of(new Key(Kind.FULL, 0, kv, hd));
                case SLIDING_WINDOW -> List.of(new Key(Kind.SLIDING, l.window(), kv, hd));
                case CHUNKED_LOCAL -> List.of(new Key(Kind.CHUNKED, l.window(), kv, hd));
                case MLA -> List.of(new Key(Kind.MLA, 0));
                case MLA_DSA -> List.of(new Key(Kind.MLA, 0), new Key(Kind.INDEXER, 0));
                case GATED_DELTANET, KDA, MAMBA2 -> List.of(new Key(Kind.STATE, 0));
                case SHARED_KV, NONE -> List.of();
                case SWA_LATENT, CSA, HCA -> List.of();
                // MiniMax-M3's sparse layers: full keys and values (FullAttentionSpec) and one index key per token
                // (an MLAAttentionSpec of sparse_index_dim, replicated; vLLM minimax_m3 model.py and indexer.py).
                case SPARSE_INDEXED -> List.of(new Key(Kind.FULL, 0, kv, hd),
                        new Key(Kind.INDEX_KEYS, 0, 1, l.cache().indexerHeadDim()));
            };
            if (l.mixer().compressRatio() > 1 || l.mixer() == ModelSpec.Mixer.SWA_LATENT) {
                v4 = true;
                if (l.cache().headDim() != DSV4_LATENT_DIM) {
                    why = "DeepSeek-V4's cache is modelled for the " + DSV4_LATENT_DIM + "-wide latent vLLM's fp8_ds_mla layout"
                            + " holds, not " + l.cache().headDim();
                }
            }
            keys.add(k);
        }
        layerKeys = List.copyOf(keys);
        Map<Key, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            for (Key k : keys.get(i)) {
                groups.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            }
        }
        byKey = groups;
        if (groups.containsKey(new Key(Kind.STATE, 0)) && spec.linearState() == null) {
            why = "the model has Mamba or linear-attention layers but no state dimensions";
        }
        if (groups.keySet().stream().anyMatch(k -> k.kind() == Kind.STATE)
                && groups.keySet().stream().anyMatch(k -> k.kind() == Kind.INDEXER)) {
            why = "a DSA indexer together with Mamba or linear-attention state is not a layout vLLM's hybrid allocator"
                    + " is modelled for";
        }
        int dim = 0;
        if (groups.keySet().stream().anyMatch(k -> k.kind() == Kind.INDEXER)) {
            dim = spec.tensors().stream().filter(t -> t.name().contains(".indexer.wk")).mapToInt(t -> (int) t.out())
                    .findFirst().orElse(0);
            if (dim == 0) {
                why = "the DSA indexer's key width (indexer.wk) is missing from the model";
            }
        }
        indexerDim = dim;
        unsupported = why;
        dsv4 = v4;
    }

    /** Why vLLM's cache for this model is not modelled under {@code s} (a release or cache dtype), or null. */
    String unsupportedUnder(Settings s) {
        if (!dsv4) {
            return null;
        }
        if (!s.fp8()) {
            return "DeepSeek-V4's cache is modelled as vLLM stores it with --kv-cache-dtype fp8 (fp8_ds_mla, 584 bytes a"
                    + " latent), as its recipes serve it; its 16-bit layout is not modelled";
        }
        return switch (s.dsv4Layout()) {
            case NONE -> "vLLM serves DeepSeek-V4 from " + VllmReleases.DSV4_BUCKETED_LAYOUT;
            case UNSETTLED -> "vLLM's DeepSeek-V4 cache changed between " + VllmReleases.DSV4_UNSETTLED_FROM + " and "
                    + VllmReleases.DSV4_PACKED_LAYOUT + " (page buckets to one packed slab, concurrency per group: PR"
                    + " #48317), and which release brought which is not established; pick a release before or after";
            case BUCKETED, PACKED -> null;
        };
    }

    /**
     * KV heads and head size of each layer, from the layer plan's cache description (ModelSpec.LayerCache):
     * Gemma 4's full layers use global_head_dim and, with attention_k_eq_v, num_global_key_value_heads,
     * and vLLM caches both K and V for them (gemma4.py, head_size_v = head_size; vLLM 0.29.0 traced at
     * 98dff2a, 2026-09-27); every other family has the model's. A layer the plan gives none falls back
     * to the model's.
     */
    private static int[][] attentionDims(ModelSpec spec, List<Layer> plan) {
        int[][] dims = new int[plan.size()][];
        for (int i = 0; i < dims.length; i++) {
            ModelSpec.LayerCache c = plan.get(i).cache();
            dims[i] = c.kvHeads() > 0 ? new int[] {c.kvHeads(), c.headDim()} : new int[] {spec.numKeyValueHeads(), spec.headDim()};
        }
        return dims;
    }

    /** Why vLLM's cache for this model is not modelled, or null. */
    String unsupported() {
        return unsupported;
    }

    /** The block size the model's attention backends require to be passed (MiniMax-M3's 128), or null. */
    Integer requiredBlockSize() {
        return byKey.keySet().stream().anyMatch(k -> k.kind() == Kind.INDEX_KEYS) ? SPARSE_INDEXED_BLOCK : null;
    }

    /** Whether the model's caches are DeepSeek-V4's (block size 256 whatever --block-size says). */
    boolean dsv4() {
        return dsv4;
    }

    /**
     * SGLang's hybrid SWA allowlist among the families modelled here ({@code is_hybrid_swa_model}, sglang
     * model_config.py, and the server_args defaults of 2026, read 2026-12): gpt-oss, MiMo-V2, Step-3.5 / 3.7, Llama 4
     * (its chunked layers, every layer but each fourth, in the SWA pool with attention_chunk_size as the window; the
     * generic ratio since PR #16399, 2026-01) and Gemma 4 (full layers at global_head_dim with K and V both stored, as
     * vLLM does) give their windowed layers a pool of their own. Gemma 2 / 3 and other sliding
     * models are not on it (server_args forced {@code disable_hybrid_swa_memory} for them, "not yet supported"): every
     * layer is a full-attention layer there.
     */
    private static final Set<Family> SGLANG_HYBRID_SWA = EnumSet.of(Family.GPT_OSS, Family.MIMO_V2, Family.STEP3P5,
            Family.LLAMA4, Family.GEMMA4);

    /**
     * What SGLang's and TensorRT-LLM's pools see of the layers {@code [from, to)} on one rank under {@code s}, on a GPU
     * of compute capability {@code computeCapability} (SGLang's default cache dtype for DSA layers depends on it).
     */
    EnginePools enginePools(int from, int to, Settings s, int computeCapability) {
        if (unsupported != null) {
            return EnginePools.unmodelled(unsupported);
        }
        if (dsv4) {
            return EnginePools.unmodelled("DeepSeek-V4's compressed, indexer and window caches");
        }
        long full = 0, sliding = 0, state = 0, indexed = 0;
        int fullLayers = 0, slidingLayers = 0, stateLayers = 0, indexedLayers = 0;
        boolean fp8Latent = s.fp8() || computeCapability >= SGLANG_DSA_FP8_FROM_CC;
        for (int l = from; l < to; l++) {
            if (planLayers.get(l).mixer() == ModelSpec.Mixer.SHARED_KV) {
                return EnginePools.unmodelled("layers that read another layer's KV (shared-KV layers)");
            }
            if (planLayers.get(l).mixer() == ModelSpec.Mixer.MLA_DSA) {
                // SGLang's NSA pool: the latent (fp8 with scales, or bf16) and the indexer's fp8 key with its scale.
                indexed += (fp8Latent ? FP8_DS_MLA_BYTES_PER_TOKEN
                        : (long) (spec.mla().kvLoraRank() + spec.mla().qkRopeHeadDim()) * SGLANG_BF16_BYTES)
                        + bytesPerToken(new Key(Kind.INDEXER, 0), s);
                indexedLayers++;
                continue;
            }
            for (Key k : layerKeys.get(l)) {
                switch (k.kind()) {
                    case FULL, MLA -> {
                        full += bytesPerToken(k, s);
                        fullLayers++;
                    }
                    case SLIDING, CHUNKED -> {
                        // Both engines treat Llama 4's chunked layers as windowed ones: SGLang's SWA pool (window
                        // attention_chunk_size), TensorRT-LLM's full-length pool.
                        sliding += bytesPerToken(k, s);
                        slidingLayers++;
                    }
                    case STATE -> {
                        LinearStateDims d = spec.linearState();
                        state += d.convElements(s.tp()) * SGLANG_CONV_STATE_BYTES + d.ssmElements(s.tp()) * SGLANG_SSM_STATE_BYTES;
                        stateLayers++;
                    }
                    case INDEXER, INDEX_KEYS -> {
                        return EnginePools.unmodelled(k.label() + " layers");
                    }
                }
            }
        }
        if (stateLayers > 0 && slidingLayers > 0) {
            return EnginePools.unmodelled("sliding-window layers beside Mamba or linear-attention state");
        }
        // TensorRT-LLM's MambaHybridCacheManager (1.1 / 1.2): per layer and batch slot a conv state of conv_dim / TP x
        // (d_conv - 1) and an SSM state of heads / TP x head_dim x d_state, both in the model dtype
        // (kv_cache_config.mamba_ssm_cache_dtype "auto"): vLLM's shapes where TP divides the groups. Mamba-2 (Nemotron-H)
        // and Qwen3-Next's Gated DeltaNet go through it; Qwen3.5 arrives in 1.3.0rc9 with a manager that charges the
        // state inside the KV budget, and KDA has none.
        LinearStateDims d = spec.linearState();
        boolean trtllmManaged = stateLayers > 0 && (d.mixer() == ModelSpec.Mixer.MAMBA2 && d.groups() % s.tp() == 0
                || d.mixer() == ModelSpec.Mixer.GATED_DELTANET && spec.family() == Family.QWEN3_NEXT);
        long trtllmState = trtllmManaged
                ? stateLayers * (d.convElements(s.tp()) + d.ssmElements(s.tp())) * (long) d.convDtype().bytes() : 0;
        return new EnginePools(full, fullLayers, sliding, slidingLayers, state, stateLayers, indexed, indexedLayers,
                trtllmState, SGLANG_HYBRID_SWA.contains(spec.family()), null);
    }

    /**
     * SGLang's default cache dtype for DSA models (DeepSeek-V3.2, GLM-5; server_args.py, read 2026-12): fp8_e4m3 on
     * compute capability 10 and above ({@code "fp8_e4m3" if major >= 10 else "bfloat16"}), bf16 on Hopper; the fp8
     * latent is stored as vLLM's fp8_ds_mla is (512 fp8 values, four float32 scales, the 64 rope values in bf16: 656 B).
     */
    static final int SGLANG_DSA_FP8_FROM_CC = 100;
    private static final int SGLANG_BF16_BYTES = 2;

    /**
     * SGLang's state dtypes (sglang configs/mamba_utils.py, read 2026-12): the convolution state in bfloat16
     * ({@code SGLANG_MAMBA_CONV_DTYPE}), the recurrent state in float32 unless the config's {@code mamba_ssm_dtype} or
     * {@code --mamba-ssm-dtype} says otherwise; every config in the catalog that names one says float32.
     */
    static final int SGLANG_CONV_STATE_BYTES = 2;
    static final int SGLANG_SSM_STATE_BYTES = 4;

    boolean hasSlidingLayers() {
        return dsv4 || byKey.keySet().stream().anyMatch(k -> k.kind() == Kind.SLIDING || k.kind() == Kind.CHUNKED);
    }

    /**
     * The settings one evaluation sizes the cache under.
     *
     * @param tp                tensor-parallel size (divides KV heads; MLA and the indexer are replicated)
     * @param dcp               decode context parallel size: each rank keeps {@code cdiv(max_model_len, dcp)} tokens
     * @param kvDtype           the attention cache dtype
     * @param fp8               {@code --kv-cache-dtype fp8} (DSA models then store fp8_ds_mla)
     * @param blockSize         the attention block size before any alignment
     * @param maxModelLen       max_model_len
     * @param windowTokens      the tokens in flight that a sliding layer holds beside its window
     * @param chunkTokens       the tokens scheduled per step that a chunked layer holds beside its chunk
     * @param hybrid            whether the hybrid KV cache manager is on (else sliding and chunked layers count as full)
     * @param tokensFromConcurrency the release logs "GPU KV cache size" as int(concurrency x max_model_len)
     * @param mambaAlign        mamba_cache_mode align: a state takes 2 blocks per request (MambaSpec.max_memory_usage_bytes)
     *                          and its block size is the attention block; none: 1 block, block size max_model_len
     * @param dsv4Layout        how the release lays out DeepSeek-V4's caches ({@link VllmReleases#dsv4Layout})
     */
    record Settings(int tp, int dcp, DType kvDtype, boolean fp8, int blockSize, int maxModelLen, long windowTokens,
                    long chunkTokens, boolean hybrid, boolean tokensFromConcurrency, boolean mambaAlign,
                    VllmReleases.Dsv4Layout dsv4Layout) {
    }

    /**
     * The cache of one worker (one pipeline stage, one TP rank).
     *
     * @param pageBytes          bytes of one block of one layer, the same for every group (or, for one
     *                           group of layers with different pages, of all the stage's layers together)
     * @param layersPerBlock     the divisor of num_blocks: the group size (1 for a UniformTypeKVCacheSpecs group)
     * @param groups             the groups, with their layers on this worker
     * @param neededBytes        what one request at max_model_len needs (vLLM's "X GiB KV cache is needed")
     * @param kvBytesPerToken    cache bytes one token takes in the worker's attention layers (states left out)
     * @param requestBlocks      the blocks one request counts when the release does not sum the groups' (0: their sum)
     */
    record Stage(long pageBytes, int layersPerBlock, List<KvCacheGroup> groups, long neededBytes, long kvBytesPerToken,
                 long requestBlocks) {
        Stage(long pageBytes, int layersPerBlock, List<KvCacheGroup> groups, long neededBytes, long kvBytesPerToken) {
            this(pageBytes, layersPerBlock, groups, neededBytes, kvBytesPerToken, 0);
        }

        long numBlocks(long available) {
            if (layersPerBlock == 0 || available <= 0) {
                return 0;
            }
            return available / pageBytes / layersPerBlock;
        }

        /** The blocks one request counts for the concurrency: the groups' sum, or the release's own count where it differs. */
        long blocksPerRequest() {
            return requestBlocks > 0 ? requestBlocks : groups.stream().mapToLong(KvCacheGroup::blocksPerRequest).sum();
        }

        double concurrency(long numBlocks) {
            long per = blocksPerRequest();
            return per == 0 ? 0 : numBlocks / (double) per;
        }

        /** The logged "GPU KV cache size" (kv_cache_utils _report_kv_cache_config) under the release's formula. */
        long loggedTokens(long numBlocks, Settings s) {
            if (groups.isEmpty()) {
                return 0;
            }
            if (s.tokensFromConcurrency()) {
                return (long) (concurrency(numBlocks) * s.maxModelLen());
            }
            int minBlock = groups.stream().mapToInt(KvCacheGroup::blockSize).min().orElse(s.blockSize());
            return numBlocks / groups.size() * minBlock * s.dcp();
        }
    }

    /** Per-token bytes of one layer of {@code k} on a rank (0 for a state). */
    private long bytesPerToken(Key k, Settings s) {
        return switch (k.kind()) {
            case FULL, SLIDING, CHUNKED -> 2L * ceilDiv(k.kvHeads(), s.tp()) * k.headDim() * s.kvDtype().bytes();
            case MLA -> s.fp8() && indexerDim > 0 ? FP8_DS_MLA_BYTES_PER_TOKEN
                    : (long) (spec.mla().kvLoraRank() + spec.mla().qkRopeHeadDim()) * s.kvDtype().bytes();
            case INDEXER -> indexerDim + indexerDim / INDEXER_QUANT_BLOCK * 4L;
            case INDEX_KEYS -> (long) k.headDim() * INDEX_KEY_BYTES;
            case STATE -> 0;
        };
    }

    /** Blocks of {@code blockSize} tokens one request needs in a layer of {@code k} at {@code len} tokens (max_memory_usage_bytes / page). */
    private static long blocksFor(Key k, int blockSize, long len, Settings s) {
        return switch (k.kind()) {
            case FULL, MLA, INDEXER, INDEX_KEYS -> ceilDiv(ceilDiv(len, s.dcp()), blockSize);
            case SLIDING -> s.hybrid() ? ceilDiv(Math.min(k.window() - 1L + s.windowTokens(), len), blockSize) + 1
                    : ceilDiv(ceilDiv(len, s.dcp()), blockSize);
            case CHUNKED -> s.hybrid() ? ceilDiv(Math.min((long) k.window() + s.chunkTokens(), len), blockSize)
                    : ceilDiv(ceilDiv(len, s.dcp()), blockSize);
            case STATE -> s.mambaAlign() ? 2 : 1;
        };
    }

    /** The layers of each cache type, with and without the hybrid manager: the same for every layout, so built once. */
    private volatile Map<Key, List<Integer>> hybridTypes;
    private volatile Map<Key, List<Integer>> unifiedTypes;

    private Map<Key, List<Integer>> types(boolean hybrid) {
        Map<Key, List<Integer>> t = hybrid ? hybridTypes : unifiedTypes;
        if (t == null) {
            // Without the hybrid manager sliding and chunked layers are full attention (unify_hybrid_kv_cache_specs).
            Map<Key, List<Integer>> built = new LinkedHashMap<>();
            byKey.forEach((k, v) -> built.computeIfAbsent(hybrid || !(k.kind() == Kind.SLIDING || k.kind() == Kind.CHUNKED)
                    ? k : new Key(Kind.FULL, 0, k.kvHeads(), k.headDim()), x -> new ArrayList<>()).addAll(v));
            built.replaceAll((k, v) -> List.copyOf(v));
            t = Collections.unmodifiableMap(built);
            if (hybrid) {
                hybridTypes = t;
            } else {
                unifiedTypes = t;
            }
        }
        return t;
    }

    /** The cache of the worker holding decoder layers [from, to). */
    Stage stage(int from, int to, Settings s) {
        if (dsv4) {
            return dsv4Stage(from, to, s);
        }
        if (byKey.isEmpty()) {
            return new Stage(1, 0, List.of(), 0, 0);
        }
        Map<Key, List<Integer>> types = types(s.hybrid());
        long kvPerToken = 0;
        for (int l = from; l < to; l++) {
            for (Key k : layerKeys.get(l)) {
                kvPerToken += bytesPerToken(k, s);
            }
        }
        boolean uniformType = types.size() > 1 && types.keySet().stream().allMatch(Key::fullType);
        if (types.size() == 1 || uniformType) {
            // One group: _get_kv_cache_groups_uniform_spec, or UniformTypeKVCacheSpecs (pages summed over layers).
            long page = 0;
            int layersHere = 0;
            for (Map.Entry<Key, List<Integer>> e : types.entrySet()) {
                int n = count(e.getValue(), from, to);
                layersHere += n;
                page += uniformType ? n * pageBytes(e.getKey(), s.blockSize(), s) : 0;
            }
            Key only = types.keySet().iterator().next();
            int divisor = uniformType ? (layersHere == 0 ? 0 : 1) : layersHere;
            if (!uniformType) {
                page = pageBytes(only, s.blockSize(), s);
            }
            long perRequest = blocksFor(only, s.blockSize(), s.maxModelLen(), s);
            String label = uniformType ? "full attention (" + String.join(" + ", types.keySet().stream().map(Key::label).toList()) + ")"
                    : only.label();
            List<KvCacheGroup> g = layersHere == 0 ? List.of() : List.of(new KvCacheGroup(label, layersHere, s.blockSize(), perRequest));
            long needed = page * (long) divisor * perRequest;
            return new Stage(Math.max(page, 1), divisor, g, needed, kvPerToken);
        }
        // Hybrid: align attention and Mamba pages, unify page sizes, then split into groups of equal size.
        Map<Key, Integer> blockSizes = new LinkedHashMap<>();
        int attnBlock = s.blockSize();
        long statePage = 0;
        Key stateKey = new Key(Kind.STATE, 0);
        if (types.containsKey(stateKey)) {
            LinearStateDims d = spec.linearState();
            statePage = d.bytes(s.tp());
            long attnPerToken = types.keySet().stream().filter(k -> k.kind() != Kind.STATE)
                    .mapToLong(k -> bytesPerToken(k, s)).max().orElse(0);
            if (attnPerToken > 0) {
                int align = types.keySet().stream().anyMatch(k -> k.kind() == Kind.MLA)
                        ? MLA_MAMBA_KERNEL_BLOCK_ALIGNMENT : MAMBA_KERNEL_BLOCK_ALIGNMENT;
                long aligned = align * ceilDiv(statePage, align * attnPerToken);
                attnBlock = (int) Math.max(attnBlock, aligned);
            }
        }
        long maxPage = 0;
        for (Key k : types.keySet()) {
            if (k.kind() != Kind.STATE) {
                maxPage = Math.max(maxPage, bytesPerToken(k, s) * attnBlock);
            }
        }
        if (maxPage == 0) {
            maxPage = statePage; // attention-free hybrid of states only
        }
        for (Key k : types.keySet()) {
            if (k.kind() == Kind.STATE) {
                // mamba_block_size: max_model_len in mode none, the attention block in mode align
                blockSizes.put(k, s.mambaAlign() ? attnBlock : s.maxModelLen());
                continue;
            }
            long page = bytesPerToken(k, s) * attnBlock;
            if (maxPage % page != 0) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "vLLM cannot unify the KV page sizes of %s: %d bytes does not divide %d", k.label(), page, maxPage));
            }
            blockSizes.put(k, (int) (attnBlock * (maxPage / page)));
        }
        int min = types.values().stream().mapToInt(List::size).min().orElseThrow();
        int max = types.values().stream().mapToInt(List::size).max().orElseThrow();
        int groupSize = max < min * GROUP_SIZE_RATIO ? max : min;
        List<KvCacheGroup> groups = new ArrayList<>();
        int stageGroupSize = 0;
        long blocksNeeded = 0;
        for (Map.Entry<Key, List<Integer>> e : types.entrySet()) {
            List<Integer> layers = e.getValue();
            int numGroups = (int) ceilDiv(layers.size(), groupSize);
            long perRequest = blocksFor(e.getKey(), blockSizes.get(e.getKey()), s.maxModelLen(), s);
            for (int g = 0; g < numGroups; g++) {
                int here = 0;
                for (int i = g; i < layers.size(); i += numGroups) {
                    int l = layers.get(i);
                    here += l >= from && l < to ? 1 : 0;
                }
                stageGroupSize = Math.max(stageGroupSize, here);
                groups.add(new KvCacheGroup(e.getKey().label(), here, blockSizes.get(e.getKey()), perRequest));
                blocksNeeded += perRequest;
            }
        }
        long needed = (long) stageGroupSize * maxPage * blocksNeeded;
        return new Stage(maxPage, stageGroupSize, List.copyOf(groups), needed, kvPerToken);
    }

    /**
     * The seed's workload view: bytes one sequence of {@code tokens} tokens keeps in layers [from, to)
     * on a rank: every token in full-attention, MLA and indexer layers (1 / dcp of them per rank), at
     * most window + one block in sliding and chunked layers (with the hybrid manager), one state in
     * Mamba and GDN layers, nothing in shared-KV layers.
     */
    double sequenceBytes(int from, int to, Settings s, long tokens) {
        if (dsv4) {
            // The compressed latents and indexer keys grow with the sequence (the stage's pages per DSV4_BLOCK tokens);
            // the window and the compressor states hold at most their windows.
            Stage one = dsv4Stage(from, to, withLen(s, (int) Math.min(Integer.MAX_VALUE, Math.max(1, tokens))));
            return one.kvBytesPerToken() * (double) tokens + dsv4WindowBytes(from, to);
        }
        double sum = 0;
        for (int l = from; l < to; l++) {
            for (Key k : layerKeys.get(l)) {
                sum += switch (k.kind()) {
                    case FULL, MLA, INDEXER, INDEX_KEYS -> bytesPerToken(k, s) * (double) ceilDiv(tokens, s.dcp());
                    case SLIDING, CHUNKED -> bytesPerToken(k, s)
                            * (double) (s.hybrid() ? Math.min(tokens, (long) k.window() + s.blockSize()) : tokens);
                    case STATE -> spec.linearState().bytes(s.tp());
                };
            }
        }
        return sum;
    }

    /** One of DeepSeek-V4's sliding-type caches, grouped as vLLM groups them: its block size and window. */
    private record V4Bucket(String label, int block, int window) {
    }

    private static long dsv4Page(long slots, long bytesPerSlot) {
        return ceilDiv(slots * bytesPerSlot, DSV4_PAGE_ALIGNMENT) * DSV4_PAGE_ALIGNMENT;
    }

    /**
     * DeepSeek-V4's cache on the worker holding layers [from, to), as vLLM lays it out from
     * {@link VllmReleases#DSV4_PACKED_LAYOUT} (kv_cache_utils {@code _get_kv_cache_config_packed} and
     * {@code _get_kv_cache_groups_uniform_groups}, read 2026-12-01 in copies of vLLM's source): every layer keeps a
     * sliding window of fp8_ds_mla latents in blocks of 64; a ratio-4 layer adds its compressed latents, its indexer keys
     * (index_head_dim FP8 values and an FP32 scale) and two float32 compressor states ({@code 2 x 2 x head_dim} and
     * {@code 2 x 2 x index_head_dim}, window 8, blocks of 4); a ratio-128 layer its compressed latents and one state
     * ({@code 2 x head_dim}, window 128, blocks of 8); pages padded to 576 bytes; TP does not shard them (one latent head).
     * The latents and indexer keys form one group; the sliding-type caches are bucketed by block and window, and each bucket
     * is cut into {@code cdiv(layers, d)} groups, d the layer-tuple count (the most common page's count per group) that
     * pads least, at least the latent group's. One slab serves every group: {@code num_blocks = available // stride}, the
     * stride being the largest group's summed pages; a request takes {@code cdiv(max_model_len, 256)} latent blocks and
     * {@code cdiv(min(window - 1 + in-flight tokens, max_model_len), block) + 1} in every sliding-type group, and the
     * start-up check charges {@code d_max x (the latent group's distinct pages) x} those blocks. The launch releases
     * ({@link VllmReleases#DSV4_BUCKETED_LAYOUT}) pad each sliding-type page up to the nearest latent page size and lay the
     * groups out in tuples: {@code num_blocks = available // (d_max x the latent group's distinct pages)}, and a request
     * counts {@code cdiv(sum over groups of its blocks x the group's pages, the latent group's pages)} blocks.
     */
    private Stage dsv4Stage(int from, int to, Settings s) {
        List<Long> latent = new ArrayList<>();
        Map<V4Bucket, Map<Long, List<Long>>> buckets = new LinkedHashMap<>();
        for (int l = from; l < to; l++) {
            Layer layer = planLayers.get(l);
            if (!(layer.mixer().compressRatio() > 1 || layer.mixer() == ModelSpec.Mixer.SWA_LATENT)) {
                continue;
            }
            long head = layer.cache().headDim();
            long swaPage = dsv4Page(DSV4_SWA_BLOCK, DSV4_FP8_LATENT_BYTES);
            addTo(buckets, new V4Bucket("sliding-window latent " + layer.window(), DSV4_SWA_BLOCK, layer.window()), swaPage);
            int ratio = layer.mixer().compressRatio();
            if (ratio <= 1) {
                continue;
            }
            latent.add(dsv4Page(DSV4_BLOCK / ratio, DSV4_FP8_LATENT_BYTES));
            int coff = ratio == 4 ? 2 : 1;
            int block = ratio == 4 ? DSV4_C4_STATE_BLOCK : DSV4_C128_STATE_BLOCK;
            V4Bucket state = new V4Bucket("compressor state (ratio " + ratio + ")", block, coff * ratio);
            addTo(buckets, state, dsv4Page(block, 2L * coff * head * 4));
            if (ratio == 4) {
                long idx = layer.cache().indexerHeadDim();
                // The indexer's keys: index_head_dim FP8 values and one FP32 scale per 128 (DeepseekV4IndexerCache).
                latent.add(dsv4Page(DSV4_BLOCK / ratio, idx + ceilDiv(idx, INDEXER_QUANT_BLOCK) * 4));
                addTo(buckets, state, dsv4Page(block, 2L * coff * idx * 4));
            }
        }
        boolean bucketed = s.dsv4Layout() == VllmReleases.Dsv4Layout.BUCKETED;
        if (bucketed) {
            List<Long> sizes = latent.stream().distinct().sorted().toList();
            for (Map.Entry<V4Bucket, Map<Long, List<Long>>> e : buckets.entrySet()) {
                Map<Long, List<Long>> padded = new LinkedHashMap<>();
                e.getValue().forEach((page, pages) -> {
                    long up = sizes.stream().filter(x -> x >= page).findFirst().orElse(page);
                    padded.computeIfAbsent(up, x -> new ArrayList<>()).addAll(Collections.nCopies(pages.size(), up));
                });
                e.setValue(padded);
            }
        }
        List<Integer> tuples = new ArrayList<>();
        int latentTuples = mostCommon(latent);
        tuples.add(latentTuples);
        for (Map<Long, List<Long>> b : buckets.values()) {
            tuples.add(b.values().stream().mapToInt(List::size).max().orElse(0));
        }
        int d = approximateGcd(tuples, Math.max(1, latentTuples));
        List<KvCacheGroup> groups = new ArrayList<>();
        long stride = 0;
        int tuplesMax = latentTuples;
        long perRequestSum = 0;
        long latentPage = latent.stream().mapToLong(Long::longValue).sum();
        long weighted = 0; // sum over groups of blocks per request x group pages: the launch releases' concurrency
        if (!latent.isEmpty()) {
            long blocks = ceilDiv(s.maxModelLen(), DSV4_BLOCK);
            groups.add(new KvCacheGroup("compressed latents + indexer keys", latent.size(), DSV4_BLOCK, blocks));
            stride = latentPage;
            perRequestSum += blocks;
            weighted += blocks * latentPage;
        }
        for (Map.Entry<V4Bucket, Map<Long, List<Long>>> e : buckets.entrySet()) {
            V4Bucket b = e.getKey();
            List<List<Long>> perPage = new ArrayList<>(e.getValue().values());
            int n = perPage.get(0).size();
            if (perPage.stream().anyMatch(x -> x.size() != n)) {
                throw new IllegalStateException("DeepSeek-V4 bucket " + b.label() + " mixes page sizes in unequal numbers");
            }
            int numGroups = (int) ceilDiv(n, d);
            long blocks = ceilDiv(Math.min(b.window() - 1L + s.windowTokens(), s.maxModelLen()), b.block()) + 1;
            for (int g = 0; g < numGroups; g++) {
                long page = 0;
                int specs = 0;
                int tuplesHere = 0;
                for (int i = g; i < n; i += numGroups) {
                    tuplesHere++;
                    for (List<Long> pages : perPage) {
                        page += pages.get(i);
                        specs++;
                    }
                }
                tuplesMax = Math.max(tuplesMax, tuplesHere);
                stride = Math.max(stride, page);
                groups.add(new KvCacheGroup(b.label(), specs, b.block(), blocks));
                perRequestSum += blocks;
                weighted += blocks * page;
            }
        }
        long tupleBytes = latent.stream().distinct().mapToLong(Long::longValue).sum();
        long needed = (long) tuplesMax * tupleBytes * perRequestSum;
        long kvPerToken = latentPage / DSV4_BLOCK;
        if (bucketed) {
            long requestBlocks = latentPage == 0 ? perRequestSum : ceilDiv(weighted, latentPage);
            return new Stage(Math.max((long) tuplesMax * tupleBytes, 1), groups.isEmpty() ? 0 : 1, List.copyOf(groups), needed,
                    kvPerToken, requestBlocks);
        }
        return new Stage(Math.max(stride, 1), groups.isEmpty() ? 0 : 1, List.copyOf(groups), needed, kvPerToken);
    }

    /** Bytes the windows and compressor states of layers [from, to) hold for one sequence, at most. */
    private double dsv4WindowBytes(int from, int to) {
        double sum = 0;
        for (int l = from; l < to; l++) {
            Layer layer = planLayers.get(l);
            int ratio = layer.mixer().compressRatio();
            if (!(ratio > 1 || layer.mixer() == ModelSpec.Mixer.SWA_LATENT)) {
                continue;
            }
            sum += (double) layer.window() * DSV4_FP8_LATENT_BYTES;
            if (ratio > 1) {
                int coff = ratio == 4 ? 2 : 1;
                sum += (double) coff * ratio * 2 * coff * (layer.cache().headDim() + layer.cache().indexerHeadDim()) * 4;
            }
        }
        return sum;
    }

    private static void addTo(Map<V4Bucket, Map<Long, List<Long>>> buckets, V4Bucket b, long page) {
        buckets.computeIfAbsent(b, x -> new LinkedHashMap<>()).computeIfAbsent(page, x -> new ArrayList<>()).add(page);
    }

    /** How many pages share the most common size (vLLM's get_num_layer_tuples). */
    private static int mostCommon(List<Long> pages) {
        Map<Long, Integer> n = new LinkedHashMap<>();
        pages.forEach(p -> n.merge(p, 1, Integer::sum));
        return n.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /**
     * vLLM's _approximate_gcd: the divisor from {@code lowerBound} to the largest value that rounds the values up by the
     * fewest units in all, the larger on a tie.
     */
    static int approximateGcd(List<Integer> values, int lowerBound) {
        int max = values.stream().mapToInt(Integer::intValue).max().orElse(lowerBound);
        int best = lowerBound;
        long bestPad = Long.MAX_VALUE;
        for (int d = lowerBound; d <= Math.max(lowerBound, max); d++) {
            long pad = 0;
            for (int v : values) {
                pad += (d - v % d) % d;
            }
            if (pad < bestPad || pad == bestPad && d > best) {
                best = d;
                bestPad = pad;
            }
        }
        return best;
    }

    /** Bytes of one block of one layer of kind {@code k} (a state's page unpadded). */
    private long pageBytes(Key k, int blockSize, Settings s) {
        return k.kind() == Kind.STATE ? spec.linearState().bytes(s.tp()) : bytesPerToken(k, s) * blockSize;
    }

    /**
     * vLLM's estimated maximum model length for {@code available} bytes (estimate_max_model_len:
     * binary search over 1..max_model_len of the memory one request needs), 0 when not even one token fits.
     */
    long estimatedMaxModelLen(int from, int to, Settings s, long available) {
        LongPredicate fits = len -> stage(from, to, withLen(s, (int) len)).neededBytes() <= available;
        if (!fits.test(1)) {
            return 0;
        }
        long left = 1, right = s.maxModelLen(), result = 1;
        while (left <= right) {
            long mid = (left + right) / 2;
            if (fits.test(mid)) {
                result = mid;
                left = mid + 1;
            } else {
                right = mid - 1;
            }
        }
        return result;
    }

    private static Settings withLen(Settings s, int len) {
        return new Settings(s.tp(), s.dcp(), s.kvDtype(), s.fp8(), s.blockSize(), len, s.windowTokens(), s.chunkTokens(),
                s.hybrid(), s.tokensFromConcurrency(), s.mambaAlign(), s.dsv4Layout());
    }

    private static int count(List<Integer> layers, int from, int to) {
        int n = 0;
        for (int l : layers) {
            n += l >= from && l < to ? 1 : 0;
        }
        return n;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

package dev.autoparallel.memory;

/**
 * SGLang's and TensorRT-LLM's own memory budgets for a layout that {@link MemoryModel} sized for
 * vLLM: what each engine's memory flag means, its default, the KV cache it leaves, and the value
 * of its flag that gives the same KV cache as vLLM (so the commands we print agree with the plan).
 *
 * <ul>
 *   <li>SGLang {@code --mem-fraction-static}: weights plus the KV pool as a fraction of the GPU's
 *       total memory (sglang/srt/server_args.py {@code _handle_gpu_memory_settings}; model_runner
 *       {@code profile_max_num_token}: the pool is {@code fraction x total - (total - free after
 *       weights)}, in tokens {@code pool // cell_size}, cell_size the KV bytes of one token over the
 *       rank's layers). Read 2026-11.</li>
 *   <li>TensorRT-LLM {@code kv_cache_free_gpu_memory_fraction} (KvCacheConfig.free_gpu_memory_fraction,
 *       default 0.9): a fraction of the memory still free after the weights and the activations of
 *       the warm-up, not of the total. Read 2026-11.</li>
 * </ul>
 *
 * <p>Models with more than one kind of cache layer ({@link EnginePools}):
 * <ul>
 *   <li>SGLang, sliding-window layers: on its hybrid SWA allowlist (gpt-oss, MiMo-V2, Step-3.5 / 3.7, Llama 4 with its
 *       chunked layers) the full and the windowed layers get pools of their own, {@code swa_tokens = swa_full_tokens_ratio x full_tokens}, so
 *       {@code full_tokens = pool // (F + ratio x S)} with F and S the full and the sliding layers' bytes per token
 *       (pool_configurator.py {@code HybridSWAPoolConfigurator}, PR #22389, 2026-04); other sliding models size every
 *       layer as a full-attention layer.</li>
 *   <li>SGLang, Mamba / linear-attention layers: the state pool takes {@code ratio / (1 + ratio)} of the pool,
 *       {@code max_mamba_cache_size = floor(that / state per request) - 1} slots (plus one padding slot), and the KV pool
 *       of the full-attention layers the rest (mem_cache/kv_cache_configurator.py); a running request holds
 *       {@link #SGLANG_STATE_SLOTS_PER_REQUEST} slots, which caps max_running_requests.</li>
 *   <li>SGLang, DSA layers (DeepSeek-V3.2, GLM-5): the NSA pool holds each layer's latent (bf16 on Hopper, fp8 with
 *       scales from compute capability 10 or with an fp8 cache) and the indexer's fp8 key with its scale (132 B), on every
 *       TP rank, in pages of 64 tokens (memory_pool.py {@code NSATokenToKVPool}; the budget's cell size counts both since
 *       PR #11309).</li>
 *   <li>TensorRT-LLM 1.0 to 1.2: one pool in which every attention layer, sliding or chunked, holds the whole context
 *       ({@code max_attention_window} defaults to {@code [max_seq_len]}: resource_manager.py at 1.2.0rc2; sliding pools
 *       only when the user passes the windows, and PR #18767 of 2026-09, which reads them from the HF config, is not
 *       modelled). Mamba-2 and Qwen3-Next hybrids: its MambaHybridCacheManager holds {@code max_batch_size} requests'
 *       state in the model dtype, allocated before the KV pool of the attention layers (mamba_cache_manager.py at
 *       1.2.0rc2).</li>
 * </ul>
 */
public final class EngineViews {
    private EngineViews() {
    }

    /** SGLang's reserve when it picks mem_fraction_static: 512 MiB of constant metadata (server_args.py). */
    static final double SGLANG_METADATA_MIB = 512;
    /** MiB reserved per prefill token (max(chunked_prefill_size, 2048) x 1.5) and per CUDA-graph batch slot (x 2). */
    static final double SGLANG_MIB_PER_PREFILL_TOKEN = 1.5;
    static final double SGLANG_MIB_PER_GRAPH_BATCH = 2;
    /** The reserve grows by TP x PP / 8 GiB, and is at least 10 GiB on GPUs above 60 GiB. */
    static final double SGLANG_MIB_PER_EIGHTH_RANK = 1024;
    static final double SGLANG_MIN_RESERVE_MIB = 10 * 1024;
    /**
     * SGLang's {@code --swa-full-tokens-ratio} default: sliding-layer tokens per full-layer token (server_args.py, since PR
     * #7367, 2025-07).
     */
    public static final double SGLANG_SWA_FULL_TOKENS_RATIO = 0.8;
    /** SGLang's {@code --mamba-full-memory-ratio} default: state pool to KV pool (server_args.py; hybrid_model_memory docs). */
    public static final double SGLANG_MAMBA_FULL_MEMORY_RATIO = 0.9;
    /**
     * State slots a running request holds in SGLang's default {@code extra_buffer} radix-cache strategy with the overlap
     * scheduler: 3 + 2 (PR #30127, 2026-07, made {@code auto} resolve to {@code extra_buffer}; the docs: "5 with the
     * default extra_buffer strategy and the overlap scheduler").
     */
    public static final int SGLANG_STATE_SLOTS_PER_REQUEST = 5;
    /** The page SGLang forces for DeepSeek DSA models on CUDA ("Setting page size to 64 for DeepSeek DSA."). */
    static final int SGLANG_DSA_PAGE = 64;
    /** TensorRT-LLM's KvCacheConfig.free_gpu_memory_fraction default (llmapi/llm_args.py). */
    public static final double TRTLLM_DEFAULT_FREE_FRACTION = 0.9;

    /**
     * SGLang's figures for one layout.
     *
     * @param chunkedPrefillSize       its default chunked_prefill_size for this GPU size
     * @param cudaGraphMaxBs           its default cuda_graph_max_bs for this GPU size and TP
     * @param defaultMemFractionStatic the mem_fraction_static SGLang picks by itself
     * @param kvPoolBytes              the KV pool per GPU at that default
     * @param maxTotalNumTokens        "max_total_num_tokens" at that default
     * @param matchingMemFractionStatic the fraction that gives vLLM's KV cache (for hybrid pools: room for the requests it
     *                                 holds, {@link #sglangPoolFor}), rounded down to 3 decimals
     * @param swaTokens                tokens of the sliding layers' own pool (0: none; max_total_num_tokens is the full
     *                                 layers')
     * @param stateSlots               max_mamba_cache_size, the state pool's slots (0: no state layers)
     * @param stateBytes               the state pool with its padding slot
     * @param stateRunningRequests     the max_running_requests the state pool allows (0: no state layers)
     * @param matchesRequests          whether the matching fraction makes room for vLLM's requests rather than its bytes
     *                                 (its pools do not hold tokens as vLLM's cache does)
     * @param cappedAtVllmShare        whether the matching fraction is vLLM's own share of the GPU, too little for them
     */
    public record Sglang(int chunkedPrefillSize, int cudaGraphMaxBs, double defaultMemFractionStatic, long kvPoolBytes,
                         long maxTotalNumTokens, double matchingMemFractionStatic, long swaTokens, long stateSlots,
                         long stateBytes, long stateRunningRequests, boolean matchesRequests, boolean cappedAtVllmShare) {
    }

    /**
     * TensorRT-LLM's figures for one layout.
     *
     * @param freeBytes          memory free after weights, activations and overhead (what the fraction is of)
     * @param defaultKvBytes     the KV cache at the default fraction 0.9
     * @param defaultMaxTokens   its tokens
     * @param matchingFraction   the fraction that gives vLLM's KV cache, rounded down to 3 decimals
     * @param stateBytes         the Mamba-2 state of max_batch_size requests, allocated before the KV pool (0: none)
     * @param matchesRequests    whether the matching fraction makes room for vLLM's requests rather than its bytes
     *                           (sliding or state layers)
     */
    public record Trtllm(long freeBytes, long defaultKvBytes, long defaultMaxTokens, double matchingFraction, long stateBytes,
                         boolean matchesRequests) {
    }

    /** Why SGLang's pools for this layout are not modelled, or null. */
    public static String sglangUnmodelled(MemoryEstimate e) {
        String why = e.enginePools().unmodelled();
        return why == null ? null : "SGLang's pools for " + why + " are not modelled";
    }

    /** Why TensorRT-LLM's pool for this layout is not modelled, or null. */
    public static String trtllmUnmodelled(MemoryEstimate e) {
        EnginePools p = e.enginePools();
        if (p.unmodelled() != null) {
            return "TensorRT-LLM's pools for " + p.unmodelled() + " are not modelled";
        }
        if (p.indexedLayers() > 0) {
            return "TensorRT-LLM's pools for DSA indexer keys are not modelled";
        }
        return p.stateLayers() > 0 && p.trtllmStateBytesPerRequest() == 0 ? "TensorRT-LLM's state for this model (Qwen3.5's"
                + " hybrid manager of 1.3, KDA layers, Mamba-2 groups that TP does not divide) is not modelled" : null;
    }

    /**
     * Whether the engines' KV pools hold tokens as vLLM's cache does: one group of full-attention or MLA layers. Where they
     * do, a measured run's pool in either engine is vLLM's cache of that many bytes.
     */
    public static boolean poolsHoldVllmTokens(MemoryEstimate e) {
        return e.kvCacheGroups().size() == 1 && (e.kvCacheGroups().get(0).kind().equals(KvCachePlan.FULL_LABEL)
                || e.kvCacheGroups().get(0).kind().equals(KvCachePlan.MLA_LABEL));
    }

    /**
     * Whether SGLang's pool holds tokens as vLLM's cache does: {@link #poolsHoldVllmTokens}, or DSA layers that both
     * engines store alike (one group of latents and indexer keys at the same bytes per token: bf16 latents on Hopper).
     */
    public static boolean sglangHoldsVllmTokens(MemoryEstimate e) {
        EnginePools p = e.enginePools();
        return poolsHoldVllmTokens(e) || e.kvCacheGroups().size() == 1 && p.unmodelled() == null && p.indexedLayers() > 0
                && p.fullBytesPerToken() + p.sglangIndexedBytesPerToken() == e.kvBytesPerToken();
    }

    /** SGLang's default {@code chunked_prefill_size} for a GPU of this memory (server_args.py, by GPU memory in MiB). */
    public static int sglangChunkedPrefillSize(long gpuMemoryBytes) {
        double mib = gpuMemoryBytes / (double) MemoryModel.MIB;
        return mib < 35 * 1024 ? 2048 : mib < 60 * 1024 ? 4096 : mib < 160 * 1024 ? 8192 : 16384;
    }

    /** SGLang's defaults (server_args.py, by GPU memory in MiB) and the pool they leave. */
    public static Sglang sglang(MemoryEstimate e, long gpuMemoryBytes) {
        double mib = gpuMemoryBytes / (double) MemoryModel.MIB;
        int tp = e.layout().tp();
        int chunk = sglangChunkedPrefillSize(gpuMemoryBytes);
        int graphBs;
        if (mib < 20 * 1024) {
            graphBs = 8;
        } else if (mib < 35 * 1024) {
            graphBs = tp < 4 ? 24 : 80;
        } else if (mib < 60 * 1024) {
            graphBs = tp < 4 ? 32 : 160;
        } else if (mib < 160 * 1024) {
            graphBs = tp < 4 ? 256 : 512;
        } else {
            graphBs = 512;
        }
        double reserve = SGLANG_METADATA_MIB + Math.max(chunk, 2048) * SGLANG_MIB_PER_PREFILL_TOKEN
                + graphBs * SGLANG_MIB_PER_GRAPH_BATCH + tp * e.layout().pp() / 8.0 * SGLANG_MIB_PER_EIGHTH_RANK;
        if (mib > 60 * 1024) {
            reserve = Math.max(reserve, SGLANG_MIN_RESERVE_MIB);
        }
        double fraction = Math.round((mib - reserve) / mib * 1000) / 1000.0;
        long pool = sglangPoolBytes(e, gpuMemoryBytes, fraction);
        // Never more than vLLM's own share of the GPU: where SGLang's pools cannot hold vLLM's requests within it, the
        // command gives SGLang that share and it holds fewer.
        double share = floor3(e.budgetBytes() / (double) gpuMemoryBytes);
        double matching = Math.min(share, floor3((e.weightsBytes() + e.nonTorchBytes() + sglangPoolFor(e)) / (double) gpuMemoryBytes));
        SglangPools pools = sglangPools(e.enginePools(), pool);
        return new Sglang(chunk, graphBs, fraction, pool, pools.maxTotalNumTokens(), matching, pools.swaTokens(),
                pools.stateSlots(), pools.stateBytes(), pools.stateRunningRequests(), !poolsHoldVllmTokens(e), matching >= share);
    }

    /** SGLang's KV pool per GPU at {@code --mem-fraction-static memFractionStatic}: what that share leaves after the weights. */
    public static long sglangPoolBytes(MemoryEstimate e, long gpuMemoryBytes, double memFractionStatic) {
        return Math.max(0, (long) Math.floor(memFractionStatic * gpuMemoryBytes) - e.weightsBytes() - e.nonTorchBytes());
    }

    /**
     * SGLang's pools in {@code pool} bytes (what is left of mem_fraction_static x total after the weights): the full-layer
     * tokens (max_total_num_tokens), the sliding layers' own tokens, and the state pool's slots, bytes and the running
     * requests it allows (zeros where the model has no such layers).
     */
    public record SglangPools(long maxTotalNumTokens, long swaTokens, long stateSlots, long stateBytes, long stateRunningRequests) {
    }

    /**
     * The pool SGLang needs for what vLLM's cache holds. One pool of full-length layers: vLLM's bytes. Otherwise room for
     * vLLM's requests of max_model_len: their tokens in the full-attention (or DSA) pool with the sliding pool's 0.8 beside
     * it, or, with state layers, their tokens in the KV pool's 1 / 1.9 share and five state slots each (and the padding
     * slot) in the state pool's 0.9 / 1.9.
     */
    static double sglangPoolFor(MemoryEstimate e) {
        EnginePools p = e.enginePools();
        if (poolsHoldVllmTokens(e)) {
            return e.kvCacheBytes();
        }
        double requests = heldRequests(e);
        double tokens = requests * e.maxModelLen();
        double r = SGLANG_MAMBA_FULL_MEMORY_RATIO;
        if (p.stateLayers() > 0) {
            return Math.max(tokens * p.fullBytesPerToken() * (1 + r),
                    (Math.ceil(requests) * SGLANG_STATE_SLOTS_PER_REQUEST + 2) * p.stateBytesPerRequest() * (1 + r) / r);
        }
        if (p.indexedLayers() > 0) {
            return tokens * (p.fullBytesPerToken() + p.sglangIndexedBytesPerToken());
        }
        if (p.sglangSplitsSliding()) {
            return tokens * (p.fullBytesPerToken() + SGLANG_SWA_FULL_TOKENS_RATIO * p.slidingBytesPerToken());
        }
        return tokens * p.allLayersFullBytesPerToken();
    }

    /** The requests of max_model_len vLLM holds at once: what its cache holds, at most max_num_seqs. */
    public static double heldRequests(MemoryEstimate e) {
        return Math.min(e.maxConcurrency(), e.maxNumSeqs());
    }

    /** How SGLang divides {@code pool} bytes among the pools of a model whose cache layers are {@code p}. */
    public static SglangPools sglangPools(EnginePools p, long pool) {
        if (p.stateLayers() > 0) {
            long perRequest = p.stateBytesPerRequest();
            long budget = (long) Math.floor(pool * SGLANG_MAMBA_FULL_MEMORY_RATIO / (1 + SGLANG_MAMBA_FULL_MEMORY_RATIO));
            long slots = Math.max(0, budget / perRequest - 1);
            if (slots == 0) {
                return new SglangPools(0, 0, 0, 0, 0); // SGLang: "Not enough GPU memory for hybrid ... state cache"
            }
            long stateBytes = (slots + 1) * perRequest;
            long tokens = p.fullBytesPerToken() == 0 ? 0 : (pool - stateBytes) / p.fullBytesPerToken();
            return new SglangPools(tokens, 0, slots, stateBytes, slots / SGLANG_STATE_SLOTS_PER_REQUEST);
        }
        if (p.indexedLayers() > 0) {
            long cell = p.fullBytesPerToken() + p.sglangIndexedBytesPerToken();
            return new SglangPools(pool / cell / SGLANG_DSA_PAGE * SGLANG_DSA_PAGE, 0, 0, 0, 0);
        }
        if (p.slidingLayers() > 0 && p.sglangSplitsSliding()) {
            double cell = p.fullBytesPerToken() + SGLANG_SWA_FULL_TOKENS_RATIO * p.slidingBytesPerToken();
            long full = (long) Math.floor(pool / cell);
            return new SglangPools(full, (long) Math.floor(full * SGLANG_SWA_FULL_TOKENS_RATIO), 0, 0, 0);
        }
        long cell = p.allLayersFullBytesPerToken();
        return new SglangPools(cell == 0 ? 0 : pool / cell, 0, 0, 0, 0);
    }

    /** TensorRT-LLM's default pool and the fraction that matches vLLM's KV cache. */
    public static Trtllm trtllm(MemoryEstimate e, long gpuMemoryBytes) {
        return trtllm(e, gpuMemoryBytes, e.maxNumSeqs());
    }

    /**
     * As {@link #trtllm(MemoryEstimate, long)} with {@code --max_batch_size maxBatchSize}. Mamba-2 hybrids: the
     * MambaHybridCacheManager allocates that many requests' state before the KV pool, inside the profiled peak, so it
     * comes off the free memory. Where vLLM's cache is not one pool of full-length layers (sliding or state layers), the
     * matching fraction gives TensorRT-LLM room for the requests of max_model_len vLLM holds ({@link #heldRequests}), not
     * vLLM's bytes.
     */
    public static Trtllm trtllm(MemoryEstimate e, long gpuMemoryBytes, int maxBatchSize) {
        EnginePools p = e.enginePools();
        long state = p.trtllmStateBytesPerRequest() * maxBatchSize;
        // vLLM's runner state is vLLM's own: TensorRT-LLM keeps its context and graphs, not that.
        long free = Math.max(0, gpuMemoryBytes - e.weightsBytes() - e.activationBytes() - e.nonTorchBytes() - e.cudaGraphBytes()
                - state);
        long kv = (long) Math.floor(free * TRTLLM_DEFAULT_FREE_FRACTION);
        long cell = p.allLayersFullBytesPerToken();
        long tokens = cell == 0 ? 0 : kv / cell;
        boolean byRequests = p.slidingLayers() > 0 || p.stateLayers() > 0;
        double wanted = byRequests ? heldRequests(e) * e.maxModelLen() * (double) cell : e.kvCacheBytes();
        double matching = free == 0 ? 0 : Math.min(1, floor3(wanted / free));
        return new Trtllm(free, kv, tokens, matching, state, byRequests);
    }

    private static double floor3(double v) {
        return Math.floor(v * 1000) / 1000.0;
    }
}

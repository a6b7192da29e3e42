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
     * @param matchingMemFractionStatic the fraction that gives vLLM's KV cache, rounded down to 3 decimals
     */
    public record Sglang(int chunkedPrefillSize, int cudaGraphMaxBs, double defaultMemFractionStatic, long kvPoolBytes,
                         long maxTotalNumTokens, double matchingMemFractionStatic) {
    }

    /**
     * TensorRT-LLM's figures for one layout.
     *
     * @param freeBytes          memory free after weights, activations and overhead (what the fraction is of)
     * @param defaultKvBytes     the KV cache at the default fraction 0.9
     * @param defaultMaxTokens   its tokens
     * @param matchingFraction   the fraction that gives vLLM's KV cache, rounded down to 3 decimals
     */
    public record Trtllm(long freeBytes, long defaultKvBytes, long defaultMaxTokens, double matchingFraction) {
    }

    /** Why SGLang's or TensorRT-LLM's pool for this layout is not modelled, or null: one group of full-attention or MLA layers. */
    public static String unsupported(MemoryEstimate e) {
        if (e.kvCacheGroups().size() != 1 || !(e.kvCacheGroups().get(0).kind().equals(KvCachePlan.FULL_LABEL)
                || e.kvCacheGroups().get(0).kind().equals(KvCachePlan.MLA_LABEL))) {
            return "their KV pools for sliding-window, chunked, Mamba or indexer layers are not modelled";
        }
        return null;
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
        long pool = Math.max(0, (long) Math.floor(fraction * gpuMemoryBytes) - e.weightsBytes() - e.nonTorchBytes());
        long tokens = e.kvBytesPerToken() == 0 ? 0 : pool / e.kvBytesPerToken();
        double matching = floor3((e.weightsBytes() + e.nonTorchBytes() + e.kvCacheBytes()) / (double) gpuMemoryBytes);
        return new Sglang(chunk, graphBs, fraction, pool, tokens, matching);
    }

    /** TensorRT-LLM's default pool and the fraction that matches vLLM's KV cache. */
    public static Trtllm trtllm(MemoryEstimate e, long gpuMemoryBytes) {
        long free = Math.max(0, gpuMemoryBytes - e.weightsBytes() - e.activationBytes() - e.overheadBytes());
        long kv = (long) Math.floor(free * TRTLLM_DEFAULT_FREE_FRACTION);
        long tokens = e.kvBytesPerToken() == 0 ? 0 : kv / e.kvBytesPerToken();
        double matching = free == 0 ? 0 : Math.min(1, floor3(e.kvCacheBytes() / (double) free));
        return new Trtllm(free, kv, tokens, matching);
    }

    private static double floor3(double v) {
        return Math.floor(v * 1000) / 1000.0;
    }
}

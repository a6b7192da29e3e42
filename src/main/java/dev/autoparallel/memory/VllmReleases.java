package dev.autoparallel.memory;

import java.util.List;

/**
 * What changed in vLLM's memory accounting from 0.6 to 0.33, one row per change with the pull
 * request and the first release that has it. {@link MemoryModel} asks the questions below of the
 * release being modelled ({@code --vllm-version}); every release between two rows behaves as the
 * earlier one. Where a first release is inferred from the merge date rather than read from a
 * release note, the row says so.
 */
public final class VllmReleases {
    private VllmReleases() {
    }

    /** One behaviour change. */
    public record Change(VllmVersion from, String pr, String date, String what) {
    }

    /** V1 becomes the default engine (0.8.0 release notes, 2025-03). */
    public static final VllmVersion V1_DEFAULT = new VllmVersion(0, 8, 0);
    /**
     * The hybrid KV cache manager: sliding-window and chunked layers keep their window, layers are
     * split into KV cache groups of equal size (kv_cache_utils {@code _get_kv_cache_groups_uniform_page_size},
     * written 2025-06-02 per its FIXME); first in 0.10.0. Before, V1 treated every attention layer as full.
     */
    public static final VllmVersion HYBRID_KV_CACHE_MANAGER = new VllmVersion(0, 10, 0);
    /**
     * NCCL and custom all-reduce buffers are allocated before the start-of-profile snapshot (PR #25359,
     * 2025-09, about 0.11), so their bytes are already outside what vLLM subtracts.
     */
    public static final VllmVersion NCCL_BEFORE_SNAPSHOT = new VllmVersion(0, 11, 0);
    /** The logged "GPU KV cache size" becomes int(concurrency x max_model_len) (PR #41069, merged 2026-04-28; the next release, 0.20). */
    public static final VllmVersion TOKENS_FROM_CONCURRENCY = new VllmVersion(0, 20, 0);
    /**
     * CUDA-graph memory is estimated and subtracted before sizing the KV cache (PR #30515, "Account for
     * CUDA graphs during memory profiling"; VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS on by default:
     * vLLM logs "CUDA graph memory profiling is enabled (default since v0.21.0)", club-3090 issue #104, 2026-05).
     */
    public static final VllmVersion CUDA_GRAPH_ESTIMATE = new VllmVersion(0, 21, 0);
    /**
     * The sampler warm-up masks top-k / top-p in place with a Triton kernel instead of sorting the
     * vocabulary (PR #33538, "[Kernel] Triton-based Top-k and Top-p sampler kernels", opened 2026-02-02;
     * {@code apply_top_k_top_p} takes it for batches of 8 or more). The first release with it is not read
     * from a release note: 0.19.0 is the first seen, in both A100 logs of 2026-04 (gpt-oss-20b and
     * Gemma-4-26B-A4B, myoceane.fr), whose activations the sorting warm-up overstates by 0.7 and 0.9 GiB;
     * the "latest" image of 2026-01/02 (reference set) still sorts.
     */
    public static final VllmVersion TRITON_TOP_K_TOP_P = new VllmVersion(0, 19, 0);
    /** The smallest batch apply_top_k_top_p hands to the Triton kernel ({@code logits.shape[0] >= 8}). */
    public static final int TRITON_TOP_K_TOP_P_MIN_BATCH = 8;
    /**
     * Sampler warm-up bytes per logit of the old runner with the Triton masking (vllm/v1/sample, read
     * 2026-11): the bf16 logits of compute_logits (2 B), held by {@code _dummy_sampler_run}; the sampler's
     * fp32 copy (4 B), masked in place; the softmax probabilities (4 B); random_sample's exponential
     * noise (4 B), divided into the probabilities in place. No sorted copy and no int64 indices. The
     * kernel's scratch rows (NUM_PROGRAMS x vocab, about 80 MiB per the PR) are left out.
     */
    public static final double TRITON_SAMPLER_BYTES_PER_LOGIT = 14;

    /**
     * The new model runner is the default for dense (non-MoE) models; its sampler warm-up skips
     * top-k / top-p and the fp32 copy (issue 9, about 0.25; the release is taken from the issue).
     */
    public static final VllmVersion NEW_RUNNER_DENSE = new VllmVersion(0, 25, 0);
    /**
     * The new runner's CUDA-graph estimate returned 0 until PRs #53306 / #53682 / #53955 (about 0.28);
     * {@code max_num_batched_tokens} defaults to 16,384 on GPUs of at least 160 GiB since PR #51726 (about 0.28).
     */
    public static final VllmVersion NEW_RUNNER_GRAPH_ESTIMATE = new VllmVersion(0, 28, 0);
    public static final VllmVersion LARGE_GPU_BATCH_TOKENS = new VllmVersion(0, 28, 0);
    /**
     * Sliding-window layers hold {@code window - 1 + max_concurrent_batches x max_num_batched_tokens}
     * tokens, {@code max_concurrent_batches} being 2 with async scheduling (vllm/config/vllm.py; traced
     * in vLLM 0.29.0 at commit 98dff2a, 2026-09-27, where a Gemma 4 request's sliding blocks use
     * F = 2 x max_num_batched_tokens). The first release with it is not known here: 0.29 is the
     * first seen; the releases before it are modelled with one batch, as the 0.11 gpt-oss refusal
     * (vLLM issue #27508: 4.54 GiB needed, one batch) shows for that release.
     */
    public static final VllmVersion IN_FLIGHT_WINDOW = new VllmVersion(0, 29, 0);
    /** The newest release this project has seen published (2026-11). */
    public static final VllmVersion NEWEST = new VllmVersion(0, 33, 0);

    /** Sampler warm-up bytes per logit of the new model runner: bf16 logits only, no sorting copies (issue 9). */
    public static final double NEW_RUNNER_SAMPLER_BYTES_PER_LOGIT = 2;
    /** GPUs of at least this much memory get the larger batch default of PR #51726. */
    public static final long LARGE_GPU_BYTES = 160L << 30;
    /** PR #51726's default max_num_batched_tokens on such GPUs. */
    public static final int LARGE_GPU_MAX_NUM_BATCHED_TOKENS = 16_384;

    /** The table, oldest first (README "Accuracy against vLLM" prints it). */
    public static final List<Change> CHANGES = List.of(
            new Change(new VllmVersion(0, 6, 0), "-", "2024-09", "V0 engine: profile run of max_num_batched_tokens, no sampler "
                    + "warm-up, every attention layer holds max_model_len; NCCL buffers subtracted"),
            new Change(V1_DEFAULT, "-", "2025-03", "V1 default: sampler warm-up over max_num_seqs (32 B per logit), "
                    + "max_num_batched_tokens 8,192 / max_num_seqs 1,024 on GPUs of 70 GiB or more"),
            new Change(HYBRID_KV_CACHE_MANAGER, "hybrid allocator", "2025-06", "KV cache groups: sliding layers hold "
                    + "window - 1 + max_num_batched_tokens, chunked layers chunk + max_num_batched_tokens, Mamba one state"),
            new Change(NCCL_BEFORE_SNAPSHOT, "#25359", "2025-09", "NCCL and custom all-reduce buffers before the snapshot: not subtracted"),
            new Change(TRITON_TOP_K_TOP_P, "#33538", "2026-02", "sampler warm-up masks top-k / top-p with a Triton kernel "
                    + "(batches of 8 or more): 14 B per logit instead of 32 (first seen in 0.19.0)"),
            new Change(TOKENS_FROM_CONCURRENCY, "#41069", "2026-04", "GPU KV cache size logged as int(concurrency x max_model_len); "
                    + "before: num_blocks // groups x block_size"),
            new Change(CUDA_GRAPH_ESTIMATE, "#30515", "not stated", "CUDA-graph memory estimated and subtracted before sizing the KV cache"),
            new Change(NEW_RUNNER_DENSE, "-", "not stated", "new model runner for dense models: sampler warm-up 2 B per logit, "
                    + "CUDA-graph estimate 0"),
            new Change(NEW_RUNNER_GRAPH_ESTIMATE, "#53306 #53682 #53955 #51726", "not stated", "new runner's CUDA-graph estimate "
                    + "restored; max_num_batched_tokens 16,384 on GPUs of 160 GiB or more"),
            new Change(IN_FLIGHT_WINDOW, "-", "2026-09", "sliding layers hold window - 1 + 2 x max_num_batched_tokens "
                    + "(two batches in flight with async scheduling; first seen in 0.29.0)"),
            new Change(NEWEST, "-", "2026-11", "newest release modelled (default)"));

    /** The batches in flight that a sliding layer's reservation counts (max_concurrent_batches). */
    static int inFlightBatches(VllmVersion v) {
        return v.atLeast(IN_FLIGHT_WINDOW) ? 2 : 1;
    }

    static boolean hybridManager(VllmVersion v, Engine e) {
        return e == Engine.V1 && v.atLeast(HYBRID_KV_CACHE_MANAGER);
    }

    static boolean ncclSubtracted(VllmVersion v) {
        return !v.atLeast(NCCL_BEFORE_SNAPSHOT);
    }

    static boolean tokensFromConcurrency(VllmVersion v) {
        return v.atLeast(TOKENS_FROM_CONCURRENCY);
    }

    /**
     * Bytes per logit of the V1 sampler warm-up over {@code numReqs} dummy requests: the new runner's
     * bf16 logits, the Triton masking from 0.19 at 8 requests or more, else the sorting warm-up.
     */
    static double samplerBytesPerLogit(VllmVersion v, boolean newRunner, int numReqs) {
        if (newRunner) {
            return NEW_RUNNER_SAMPLER_BYTES_PER_LOGIT;
        }
        if (v.atLeast(TRITON_TOP_K_TOP_P) && numReqs >= TRITON_TOP_K_TOP_P_MIN_BATCH) {
            return TRITON_SAMPLER_BYTES_PER_LOGIT;
        }
        return MemoryModel.SAMPLER_BYTES_PER_LOGIT;
    }

    /** Whether the model runs on the new model runner in this release (dense models from 0.25). */
    static boolean newRunner(VllmVersion v, Engine e, boolean moe) {
        return e == Engine.V1 && !moe && v.atLeast(NEW_RUNNER_DENSE);
    }

    /** Whether the CUDA-graph estimate is subtracted (and is not the new runner's 0 of 0.25 to 0.27). */
    static boolean cudaGraphSubtracted(VllmVersion v, Engine e, boolean newRunner) {
        return e == Engine.V1 && v.atLeast(CUDA_GRAPH_ESTIMATE) && (!newRunner || v.atLeast(NEW_RUNNER_GRAPH_ESTIMATE));
    }
}

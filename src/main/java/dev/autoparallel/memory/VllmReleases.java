package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
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
    /**
     * The logged "GPU KV cache size" becomes int(concurrency x max_model_len) (PR #41069, merged 2026-04-28). Not in
     * 0.20.0: a 0.20.0 log of 2026-05-01 (Qwen3.6-35B-A3B NVFP4, HybridObservationsTest) still prints num_blocks //
     * groups x block, and vLLM issue #43308 reports Gemma-4-31B's logged KV tokens rising about tenfold from 0.20.0 to
     * 0.21.0 with the KV memory unchanged: first in 0.21.0.
     */
    public static final VllmVersion TOKENS_FROM_CONCURRENCY = new VllmVersion(0, 21, 0);
    /**
     * PR #38284 ("Enable CUDAGraph memory profiling by default", merged 2026-04-21, in v0.20.0's release notes): raises the
     * default --gpu-memory-utilization from 0.9 to 0.92 (CacheConfig and the LLM class) to offset the graph estimate now
     * subtracted. A stock v0.20.0 log no longer lists 0.9 as a default, and vLLM 0.26.0 logs "Desired GPU memory
     * utilization is (0.92, ...)" with the flag unset.
     */
    public static final VllmVersion UTILIZATION_092 = new VllmVersion(0, 20, 0);
    /** The default --gpu-memory-utilization before {@link #UTILIZATION_092}, and from it. */
    public static final double DEFAULT_UTILIZATION_BEFORE = 0.9;
    public static final double DEFAULT_UTILIZATION_FROM = 0.92;

    /** vLLM's default --gpu-memory-utilization in release {@code v}. */
    public static double defaultUtilization(VllmVersion v) {
        return v.atLeast(UTILIZATION_092) ? DEFAULT_UTILIZATION_FROM : DEFAULT_UTILIZATION_BEFORE;
    }
    /**
     * CUDA-graph memory is estimated and subtracted before sizing the KV cache (PR #30515, "Account for CUDA graphs during
     * memory profiling", opt-in; made the default by PR #38284, merged 2026-04-21, in v0.20.0's release notes). A stock
     * v0.20.0 image (a Docker Compose note of 2026-05-03, Qwen3.6-35B-A3B-NVFP4, no VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS
     * set) logs "Profiling CUDA graph memory", "Estimated CUDA graph memory: 0.43 GiB total" and "CUDA graph memory
     * profiling is enabled (default since v0.21.0)": the message names the release the PR was planned for, not the one
     * it shipped in.
     */
    public static final VllmVersion CUDA_GRAPH_ESTIMATE = new VllmVersion(0, 20, 0);
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
     * Model Runner V2 (the new model runner) becomes the default for all dense (non-MoE) models: vLLM
     * v0.25.0 release notes (released 2026-07-11), "Model Runner V2 is now the default for all dense
     * models (#44443)"; PR #44443 opened 2026-06-03, CI green 2026-07-02. Earlier releases made it the
     * default for single families only, which is not modelled: Qwen3 dense from 0.22.0 (#39337) and
     * Llama and Mistral dense from 0.23.0 (#43458), per those releases' notes. Its sampler warm-up of
     * {@link #NEW_RUNNER_SAMPLER_BYTES_PER_LOGIT} is still taken from issue 9, not read from vLLM's source.
     */
    public static final VllmVersion NEW_RUNNER_DENSE = new VllmVersion(0, 25, 0);
    /**
     * Model Runner V2 becomes the default for every model, MoE and hybrid included (PR #53183, "[Model
     * Runner V2] Use MRV2 for all models by default", opened 2026-08-21, approved 2026-08-26; it supersedes
     * #46646). It merged after v0.28.0's tag commit (2cf0a69, 2026-08-24), and PR #54788 (2026-09-01) sees
     * it on main at v0.28.1rc1.dev199, so 0.29.0 is the first release known to have it (whether the 0.28.1
     * patch release does is not established). vLLM keeps MRV1 for some ROCm models and for features MRV2
     * lacks; neither is modelled.
     */
    public static final VllmVersion NEW_RUNNER_ALL = new VllmVersion(0, 29, 0);
    /**
     * The new runner's CUDA-graph estimate: {@code profile_cudagraph_memory()} returned 0 on MRV2 (PR #36520, "Add dummy
     * profile_cudagraph_memory API"; vLLM issue #49224, 2026-07, reports the resulting capture OOMs on 0.25.1 dense models)
     * until PR #53306 ("[Model Runner V2] Reserve CUDA graph memory", merged 2026-08-23/24, as v0.28.0 was tagged on
     * 2026-08-24) with its forward fixes #53682 and #53955. Taken from 0.29.0, the first release whose logs print it
     * ("CUDA graph pool memory: 0.27 GiB (actual), 0.51 GiB (estimated)" and "The current --gpu-memory-utilization=0.9200
     * is equivalent to --gpu-memory-utilization=0.9086 without CUDA graph memory profiling": samilazrak/vllm-optimization-lab
     * results/raw/*.startup.log, 2026-09-12, Qwen3-14B and its AWQ on one L40S). 0.28.0 did not subtract it: the same
     * two starts under 0.28.0 (a blog post of 2026-09, jinwoong, the same L40S, model and defaults, both with a cold
     * compile cache) leave 1.48 GiB beside the consumed memory where 0.29.0 leaves 1.99 and 2.02, that is 1.48 and 1.48
     * plus 0.29.0's logged estimates of 0.51 and 0.54 GiB; and that post's one warm start (a second server on one L4,
     * 10.33 GiB) is within 0.3% of the KV cache without an estimate, 7.8% under it with one.
     */
    public static final VllmVersion NEW_RUNNER_GRAPH_ESTIMATE = new VllmVersion(0, 29, 0);
    /**
     * What a first start with an empty torch.compile cache holds less than a warm one, per GPU, in the published new-runner
     * starts of vLLM 0.27.1 to 0.29.0 (PublishedStartupsTest: Qwen3-8B, -14B, -14B-AWQ and -32B on L4, L40S, RTX 4090
     * and RTX PRO 6000): 0.4 to 1.4 GiB. vLLM counts the compile's scratch as peak activation (issues #54122 and #54383,
     * 2026-08; fixes #54209 and #54479 open as read on 2026-12-03). Not modelled: the figures are a warm start's; this
     * range is printed beside them.
     */
    public static final double COLD_COMPILE_MIN_GIB = 0.4;
    public static final double COLD_COMPILE_MAX_GIB = 1.4;

    /**
     * The new runner's penalty state ({@link #newRunnerPenaltyBytes}) counts against the KV budget with the weights.
     * vLLM 0.31.0's ledger says where: "Actual usage is 15.26 GiB for consumed memory (weights + non-torch), 1.44 GiB
     * for peak activation, and 0.23 GiB for CUDAGraph memory" after "Model loading took 15.0 GiB" (notes of
     * 2026-10-06, Llama-3.1-8B-Instruct on one A100 80GB, PublishedStartupsTest): 0.26 GiB beside the weights, the
     * CUDA context's 0.13 ({@link MemoryModel#NON_TORCH_NVIDIA_BYTES}) and the state's 0.13 (256 slots x 128,256
     * logits), as in 0.29.0's ("27.79 GiB for consumed memory" after 27.52 of weights: Qwen3-14B on one L40S,
     * samilazrak/vllm-optimization-lab). The first release is not read from a release note or the source: 0.28.0 is
     * the first new-runner release seen with a warm start (a blog post of 2026-09, Qwen3-14B-AWQ on one L4: 10.33 GiB,
     * 10.36 with the state, 10.51 without); which release between 0.25 and 0.28 began counting it is not established.
     * (PR #49208, which issue 9 names for persistent buffers, is the sleep mode's allocator accounting: README.)
     */
    public static final VllmVersion NEW_RUNNER_PENALTY_STATE = new VllmVersion(0, 28, 0);

    /**
     * The new runner's penalty state, allocated with its sampler for every request slot whether or not a request asks
     * for penalties (vllm/v1/worker/gpu/sample/penalties.py {@code PenaltiesState}, read 2026-12-01):
     * {@code output_bin_counts}, int32 [max_num_reqs, vocab_size] ("can be very large, taking up GBs of GPU memory",
     * its TODO says), and {@code prompt_bin_mask}, int32 [max_num_reqs, cdiv(vocab_size, 32)]. Qwen3-14B at 256
     * sequences: 153 MiB. The runner's smaller per-request buffers (logit bias, bad words, grammar bitmask: about
     * 9 MiB at 256 sequences) are left out.
     */
    static long newRunnerPenaltyBytes(int maxNumReqs, int vocabSize) {
        return (long) maxNumReqs * Integer.BYTES * (vocabSize + (vocabSize + 31L) / 32);
    }

    /** Whether the new runner's persistent state is charged in release {@code v}. */
    static boolean persistentStateCharged(VllmVersion v, boolean newRunner) {
        return newRunner && v.atLeast(NEW_RUNNER_PENALTY_STATE);
    }

    /**
     * {@code max_num_batched_tokens} defaults to 16,384 for the API server on GPUs of at least 160 GiB
     * (PR #51726, "[Config] Update default _max_num_batched_tokens from 8192 to 16384", opened 2026-08-10):
     * vllm/engine/arg_utils.py {@code get_batch_defaults} at tag v0.28.0 (commit 2cf0a69, 2026-08-24) has the
     * {@code device_memory >= 160 * GiB_bytes} tier with {@code OPENAI_API_SERVER: 16384}; at v0.27.0
     * (commit 4bdc8a7, 2026-08-10) the top tier is {@code >= 70 GiB and not A100} with 8,192. Read from a
     * public note that cites both tags line by line (verified 2026-09-07), not from the tags themselves.
     */
    public static final VllmVersion LARGE_GPU_BATCH_TOKENS = new VllmVersion(0, 28, 0);
    /**
     * Sliding-window layers hold {@code window - 1 + max_concurrent_batches x max_num_batched_tokens}
     * tokens, {@code max_concurrent_batches} being 2 with async scheduling (vllm/config/vllm.py; traced
     * in vLLM 0.29.0 at commit 98dff2a, 2026-09-27, where a Gemma 4 request's sliding blocks use
     * F = 2 x max_num_batched_tokens). First seen in 0.26.0: google/gemma-4-31B-it on one B300 at max_model_len 16,384
     * and 8,192 batched tokens logs "GPU KV cache size: 217,116 tokens", "Maximum concurrency for 16,384 tokens per
     * request: 13.25x" from 182.37 GiB (blog.john-pfeiffer.com, "Getting stable with DeepSeek-V4-Flash-0731 on a single
     * Nvidia B300", 2026-08-06): five sliding groups of min(1,023 + 2 x 8,192, 16,384) / 16 + 1 = 1,025 blocks a request
     * beside the full group's 512, where one batch would give 577 and 22.4x. The releases before 0.26 are modelled with
     * one batch, as the 0.11 gpt-oss refusal (vLLM issue #27508: 4.54 GiB needed, one batch) shows for that release;
     * which release between them first counted two is not established.
     */
    public static final VllmVersion IN_FLIGHT_WINDOW = new VllmVersion(0, 26, 0);
    /**
     * DeepSeek-V4's caches packed into one slab ({@code _get_kv_cache_config_packed}: num_blocks = available // the largest
     * group's summed pages) and counted per group ({@code max_concurrency = num_blocks / blocks per request}, PR #48317),
     * with the window reservation of two batches in flight. A line-by-line walkthrough of v0.27.1 and a v0.28.1 issue
     * (#54703) show the packed layout; releases before 0.29 are not modelled for V4 here: the launch releases bucketed
     * pages instead, and which release between them packed the slab is not established.
     */
    public static final VllmVersion DSV4_PACKED_LAYOUT = new VllmVersion(0, 29, 0);
    /**
     * DeepSeek-V4's launch in vLLM (0.20, 2026-04): its caches laid out in tuples of layers, sliding-type pages padded to
     * the latent page sizes ("page-size bucketing into three pools"), and the old concurrency count; vLLM issue #44376
     * (0.22) prints the start-up check this layout gives.
     */
    public static final VllmVersion DSV4_BUCKETED_LAYOUT = new VllmVersion(0, 20, 0);
    /**
     * From here to {@link #DSV4_PACKED_LAYOUT} DeepSeek-V4's cache changed (PR #48317's per-group concurrency, 2026-07;
     * the packed layout, seen in 0.27.1) in releases not established here; V4 is refused under them.
     */
    public static final VllmVersion DSV4_UNSETTLED_FROM = new VllmVersion(0, 25, 0);

    /** How a release lays out DeepSeek-V4's caches. */
    enum Dsv4Layout { NONE, BUCKETED, UNSETTLED, PACKED }

    static Dsv4Layout dsv4Layout(VllmVersion v) {
        if (v.atLeast(DSV4_PACKED_LAYOUT)) {
            return Dsv4Layout.PACKED;
        }
        if (v.atLeast(DSV4_UNSETTLED_FROM)) {
            return Dsv4Layout.UNSETTLED;
        }
        return v.atLeast(DSV4_BUCKETED_LAYOUT) ? Dsv4Layout.BUCKETED : Dsv4Layout.NONE;
    }
    /** The newest release this project has seen published (2026-11). */
    public static final VllmVersion NEWEST = new VllmVersion(0, 33, 0);
    /** The oldest release the table describes: the first row of {@link #CHANGES}. */
    public static final VllmVersion OLDEST = new VllmVersion(0, 6, 0);

    /**
     * {@code v} where the table describes it: from {@link #OLDEST} to any patch of {@link #NEWEST}. A release outside
     * that range is refused, not modelled as its nearest row: what an unseen release allocates is not known.
     */
    public static VllmVersion require(VllmVersion v) {
        boolean tooNew = v.major() != NEWEST.major() ? v.major() > NEWEST.major() : v.minor() > NEWEST.minor();
        if (!v.atLeast(OLDEST) || tooNew) {
            throw new InvalidConfigurationException("vllm_version", "vllm_version was " + v + "; allowed: the releases modelled, "
                    + OLDEST + " to " + NEWEST.major() + "." + NEWEST.minor() + ".x (what an unseen release allocates is not known)");
        }
        return v;
    }

    /** Sampler warm-up bytes per logit of the new model runner: bf16 logits only, no sorting copies (issue 9). */
    public static final double NEW_RUNNER_SAMPLER_BYTES_PER_LOGIT = 2;
    /** GPUs of at least this much memory get the larger batch default of PR #51726. */
    public static final long LARGE_GPU_BYTES = 160L << 30;
    /** PR #51726's default max_num_batched_tokens on such GPUs. */
    public static final int LARGE_GPU_MAX_NUM_BATCHED_TOKENS = 16_384;

    /** The table, oldest first (README "Accuracy against vLLM" prints it). */
    public static final List<Change> CHANGES = List.of(
            new Change(OLDEST, "-", "2024-09", "V0 engine: profile run of max_num_batched_tokens, no sampler "
                    + "warm-up, every attention layer holds max_model_len; NCCL buffers subtracted"),
            new Change(V1_DEFAULT, "-", "2025-03", "V1 default: sampler warm-up over max_num_seqs (32 B per logit), "
                    + "max_num_batched_tokens 8,192 / max_num_seqs 1,024 on GPUs of 70 GiB or more"),
            new Change(HYBRID_KV_CACHE_MANAGER, "hybrid allocator", "2025-06", "KV cache groups: sliding layers hold "
                    + "window - 1 + max_num_batched_tokens, chunked layers chunk + max_num_batched_tokens, Mamba one state"),
            new Change(NCCL_BEFORE_SNAPSHOT, "#25359", "2025-09", "NCCL and custom all-reduce buffers before the snapshot: not subtracted"),
            new Change(TRITON_TOP_K_TOP_P, "#33538", "2026-02", "sampler warm-up masks top-k / top-p with a Triton kernel "
                    + "(batches of 8 or more): 14 B per logit instead of 32 (first seen in 0.19.0)"),
            new Change(UTILIZATION_092, "#38284", "2026-04", "default --gpu-memory-utilization 0.92, not 0.9 (CacheConfig and "
                    + "the LLM class; in 0.20.0's release notes)"),
            new Change(CUDA_GRAPH_ESTIMATE, "#38284", "2026-04", "CUDA-graph memory (#30515's estimate) subtracted before sizing "
                    + "the KV cache by default (a stock 0.20.0 log estimates it)"),
            new Change(DSV4_BUCKETED_LAYOUT, "-", "2026-04", "DeepSeek-V4: caches laid out in tuples of layers, sliding-type "
                    + "pages padded to the latent page sizes, requests counted by the latent group's pages"),
            new Change(TOKENS_FROM_CONCURRENCY, "#41069", "2026-04", "GPU KV cache size logged as int(concurrency x max_model_len); "
                    + "before: num_blocks // groups x block_size"),
            new Change(NEW_RUNNER_DENSE, "#44443", "2026-07", "new model runner (MRV2) default for dense models: sampler "
                    + "warm-up 2 B per logit, CUDA-graph estimate 0 (dummy profile_cudagraph_memory, #36520)"),
            new Change(DSV4_UNSETTLED_FROM, "#48317", "2026-07", "DeepSeek-V4's per-group concurrency and packed slab arrive "
                    + "by 0.27.1, in releases not established here: V4 refused from 0.25 to 0.28"),
            new Change(IN_FLIGHT_WINDOW, "-", "2026-07", "sliding layers hold window - 1 + max_concurrent_batches x "
                    + "max_num_batched_tokens: 2 with async scheduling, with PP the PP size (old runner) or PP + 1 (new runner); "
                    + "first seen in 0.26.0"),
            new Change(LARGE_GPU_BATCH_TOKENS, "#51726", "2026-08", "max_num_batched_tokens 16,384 on GPUs of 160 GiB or more"),
            new Change(NEW_RUNNER_PENALTY_STATE, "-", "2026-08", "the new runner's penalty state counted with the weights: "
                    + "4 x (vocab + vocab / 32) B per max_num_seqs slot on every rank (first seen in 0.28.0)"),
            new Change(NEW_RUNNER_ALL, "#53183", "2026-08", "new model runner default for every model (MoE and hybrid too)"),
            new Change(NEW_RUNNER_GRAPH_ESTIMATE, "#53306 #53682 #53955", "2026-08", "new runner's CUDA-graph estimate "
                    + "measured and subtracted as the old runner's, at its own 154 KiB a layer and graph (first seen in "
                    + "0.29.0; 0.28.0 logs leave it out)"),
            new Change(DSV4_PACKED_LAYOUT, "-", "2026-09", "DeepSeek-V4's caches packed into one slab (block stride the "
                    + "largest group's pages), concurrency summed per group; modelled from 0.29 (packed in 0.27.1 already)"),
            new Change(NEWEST, "-", "2026-11", "newest release modelled (default)"));

    /**
     * The batches in flight that a sliding layer's reservation counts: vLLM's {@code VllmConfig.max_concurrent_batches}
     * ("PP requires PP-size concurrent batches to fill the pipeline. Async scheduling requires 2 concurrent batches to
     * overlap."): with async scheduling PP + 1 on the new runner and 2 on the old one without PP, else the PP size
     * (vllm/config/vllm.py, as quoted line by line in a published walkthrough of its source, read 2026-12-03). One batch
     * before {@link #IN_FLIGHT_WINDOW}.
     */
    static int inFlightBatches(VllmVersion v, int pp, boolean newRunner) {
        if (!v.atLeast(IN_FLIGHT_WINDOW)) {
            return 1;
        }
        return newRunner ? pp + 1 : pp > 1 ? pp : 2;
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

    /**
     * Whether the model runs on the new model runner under these settings: the one {@code VLLM_USE_V2_MODEL_RUNNER}
     * forces ({@link EngineSettings#modelRunner}), else the release's default (dense models from 0.25, all from 0.29)
     * unless a feature it lacks sends vLLM back to the old one. vLLM's {@code VllmConfig.use_v2_model_runner} falls back
     * ("Model Runner V2 does not yet support %s; using the V1 model runner instead") for each entry of
     * {@code _get_v2_model_runner_unsupported_features} (vllm/config/vllm.py at commit 000fc94b, after PR #53183, read
     * 2026-12-03), and refuses a forced V2 with any ({@code _validate_v2_model_runner}); of those entries, the settings
     * modelled here reach n-gram drafting and EAGLE-3 with pipeline parallelism ("EAGLE3 with pipeline parallelism").
     * Taken from 0.25 on: the new runner's drafters were EAGLE / EAGLE-3 / MTP from the start. A forced V2 is modelled
     * from 0.25, the first release that makes it a default; a forced runner under the V0 engine is refused.
     */
    public static boolean newRunner(EngineSettings s, boolean moe, int pp) {
        SpeculativeDecoding.Method drafter = s.speculative().method();
        String unsupported = drafter == SpeculativeDecoding.Method.NGRAM ? "n-gram speculative decoding"
                : drafter == SpeculativeDecoding.Method.EAGLE3 && pp > 1 ? "EAGLE-3 with pipeline parallelism" : null;
        VllmVersion v = s.version();
        if (s.modelRunner() != ModelRunner.AUTO && s.engine() != Engine.V1) {
            throw new InvalidConfigurationException("model_runner", "model_runner was " + s.modelRunner().key()
                    + " with the " + s.engine().key() + " engine; VLLM_USE_V2_MODEL_RUNNER chooses between the V1 engine's"
                    + " runners: allowed with --vllm-engine v1 only (or auto)");
        }
        switch (s.modelRunner()) {
            case V1 -> {
                return false;
            }
            case V2 -> {
                if (!v.atLeast(NEW_RUNNER_DENSE)) {
                    throw new InvalidConfigurationException("model_runner", "model_runner v2 under vLLM " + v + " is not"
                            + " modelled: the new runner's memory is read from " + NEW_RUNNER_DENSE + " on, the first release"
                            + " that makes it a default; allowed: auto or v1");
                }
                if (unsupported != null) {
                    throw new InvalidConfigurationException("model_runner", "model_runner v2 with " + unsupported + ": vLLM"
                            + " refuses it (Model Runner V2 does not support it); allowed: auto or v1");
                }
                return true;
            }
            default -> {
                return s.engine() == Engine.V1 && unsupported == null
                        && (v.atLeast(NEW_RUNNER_ALL) || !moe && v.atLeast(NEW_RUNNER_DENSE));
            }
        }
    }

    /** Whether the CUDA-graph estimate is subtracted (and is not the new runner's 0 of 0.25 to 0.28). */
    static boolean cudaGraphSubtracted(VllmVersion v, Engine e, boolean newRunner) {
        return e == Engine.V1 && v.atLeast(CUDA_GRAPH_ESTIMATE) && (!newRunner || v.atLeast(NEW_RUNNER_GRAPH_ESTIMATE));
    }
}

package dev.autoparallel.perf;

/**
 * How expert parallelism over data-parallel ranks moves a MoE layer's tokens to the ranks that hold their experts and
 * the experts' outputs back: the engine's default ({@link ServingEngine#expertDispatch}) or what a run sets
 * ({@link PerfModel#withExpertDispatch}).
 */
public enum ExpertDispatch {
    /**
     * An all-gather of every rank's 16-bit hidden states before each MoE layer and a reduce-scatter of its outputs after:
     * every rank receives every other rank's tokens, whichever experts they chose. vLLM's default ({@code --all2all-backend
     * allgather_reducescatter}, docs/serving/expert_parallel_deployment.md), SGLang's under DP attention without DeepEP
     * (dp_gather and dp_reduce_scatter_tensor, python/sglang/srt/layers/dp_attention.py) and TensorRT-LLM's CUTLASS MoE
     * under attention data parallelism where no all-to-all is enabled
     * (tensorrt_llm/_torch/modules/fused_moe/fused_moe_cutlass.py, read 2026-11-30).
     */
    ALL_GATHER,

    /**
     * An all-to-all, as DeepEP's normal kernels and TensorRT-LLM's multi-node NVLink MoE all-to-all run it: each token's
     * hidden state goes once to every rank that holds at least one of its top-k experts, and their outputs come back the
     * same way (combine), both 16-bit. Across NVLink domains a token crosses the network once per domain it needs, the
     * domain forwarding it to its ranks over NVLink (DeepEP's internode dispatch: RDMA to the same-index GPU of each
     * target node, then NVLink). Costed by message size: the tokens this rank sends times the expected ranks within its
     * domain and domains beyond it that they reach ({@link #reachShare}); the rank receives as much under balanced
     * routing, over the same links at the same time. No all-to-all is timed in op-perf, so this is the links' roofline
     * with a call's latency each way: InferenceX's H100 decode workers running DeepEP across two nodes (DEP16, 16 to 32
     * sequences a rank) measure 26-40% more TPOT than it gives, its low-latency kernels being bound by per-message
     * latency (README, "Read on 2026-12-02 and not adopted").
     */
    ALL_TO_ALL;

    /**
     * The chance that one of {@code groups} equal groups of experts (ranks, or NVLink domains) holds at least one of a
     * token's {@code topk} distinct experts, the experts spread evenly over the groups and routing uniform over them:
     * {@code 1 - C(E - E/g, k) / C(E, k)} (E/g need not be whole: a domain of 8 ranks in a group of 24). One group holds
     * all of them (1); {@code topk} = 0 reaches none.
     */
    static double reachShare(int experts, int topk, int groups) {
        if (experts <= 0 || topk < 0 || topk > experts || groups <= 0) {
            throw new IllegalArgumentException("experts " + experts + " over " + groups + " groups with top-" + topk
                    + ": experts and groups must be positive and top-k lie between 0 and the experts");
        }
        double outside = experts - experts / (double) groups;
        double missed = 1;
        for (int i = 0; i < topk; i++) {
            missed *= Math.max(0, outside - i) / (double) (experts - i);
        }
        return 1 - missed;
    }
}

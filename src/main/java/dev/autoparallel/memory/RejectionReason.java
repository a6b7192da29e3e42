package dev.autoparallel.memory;

/** Why a layout cannot serve: a result, not an exception, so sweeps never die over one layout. */
public enum RejectionReason {
    /** vLLM refuses the layout itself (TP does not divide the heads, a quantized shard is misaligned, ...). */
    INVALID_LAYOUT,
    /** Tensor parallelism would span nodes and the cluster does not allow it. */
    TP_CROSSES_NODES,
    /** The weights alone exceed the memory budget. */
    WEIGHTS_DO_NOT_FIT,
    /** After weights, activations and overhead, the KV cache cannot hold one request at max_model_len; vLLM refuses to start. */
    KV_CACHE_TOO_SMALL,
    /** vLLM would start, but not with batch_size sequences of sequence_length tokens resident at once. */
    WORKLOAD_DOES_NOT_FIT
}

package dev.autoparallel.model;

/**
 * How vLLM splits a tensor across tensor-parallel ranks. The memory model reads it; the
 * parameter counter does not care.
 */
public enum Sharding {
    /** ColumnParallelLinear: output features split across TP ranks (q/k/v, gate/up). */
    COLUMN,
    /** RowParallelLinear: input features split across TP ranks (o_proj, down_proj). */
    ROW,
    /** Bias of a row-parallel layer, or anything held whole on every rank (norms, routers). */
    REPLICATED,
    /** VocabParallelEmbedding / ParallelLMHead: vocabulary rows split, padded to 64 per rank. */
    VOCAB,
    /** Key/value projection: split by KV head, replicated when TP exceeds the KV heads. */
    KV_HEADS
}

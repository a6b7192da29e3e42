package dev.autoparallel.model;

/** The role of a tensor, which decides whether a quantization method packs it. */
public enum TensorKind {
    /** The weight of a linear layer: the thing quantization methods pack. */
    LINEAR,
    /** A bias vector: kept at the checkpoint's 16-bit dtype by every method here. */
    BIAS,
    /** An embedding table (token or position). */
    EMBEDDING,
    /** A normalisation weight or bias. */
    NORM,
    /** Anything else held in 16 bits (attention sinks, score-correction biases, conv kernels). */
    OTHER
}

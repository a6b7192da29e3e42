package dev.autoparallel.perf;

/** The four matrix multiplies of a dense decoder layer, as the measured path times them one by one. */
public enum DenseLinear {
    /** The fused query, key and value projection, fed by the layer's input RMSNorm. */
    QKV,
    /** The attention output projection, fed by the attention kernel. */
    O,
    /** The fused gate and up projection, fed by the post-attention RMSNorm. */
    GATE_UP,
    /** The down projection, fed by the SwiGLU activation. */
    DOWN
}

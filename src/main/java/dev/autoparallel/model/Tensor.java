package dev.autoparallel.model;

import java.io.Serializable;

/**
 * One named parameter (or {@code copies} identical ones, as the experts of one layer) of a
 * checkpoint. A linear weight is {@code out x in}; a vector has {@code in == 1}.
 *
 * @param name    Hugging Face style module path, e.g. {@code model.layers.3.self_attn.q_proj.weight}
 * @param layer   decoder layer index, or -1 outside the decoder stack
 * @param copies  how many tensors of this shape (routed experts), at least 1
 * @param storedAs the dtype this tensor is kept in regardless of the model's (FP32 router biases and
 *                 linear-attention decay parameters), or null for the model's dtype
 */
public record Tensor(String name, Component component, TensorKind kind, Sharding sharding,
                     int layer, long out, long in, long copies, DType storedAs) implements Serializable {

    public Tensor {
        if (out <= 0 || in <= 0 || copies <= 0) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + copies + " x "
                    + out + " x " + in + "; every dimension must be positive");
        }
    }

    /** A tensor held at the checkpoint's dtype. */
    public Tensor(String name, Component component, TensorKind kind, Sharding sharding,
                  int layer, long out, long in, long copies) {
        this(name, component, kind, sharding, layer, out, in, copies, null);
    }

    /** The dtype this tensor is held in whatever the checkpoint's dtype ({@code storedAs}), else {@code modelDtype}. */
    public DType dtypeOr(DType modelDtype) {
        return storedAs != null ? storedAs : modelDtype;
    }

    /** Number of logical parameters (elements before any packing). */
    public long numel() {
        return Math.multiplyExact(Math.multiplyExact(out, in), copies);
    }
}

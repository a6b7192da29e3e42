package dev.autoparallel.model;

import java.util.ArrayList;
import java.util.List;

/** Collects the tensors of a model while a family's builder walks its modules. */
final class Tensors {
    private final List<Tensor> list = new ArrayList<>();

    List<Tensor> list() {
        return List.copyOf(list);
    }

    /** A linear layer's weight ({@code out x in}) and, when {@code bias}, its bias. */
    void linear(String module, Component c, Sharding s, int layer, long out, long in, boolean bias, long copies) {
        list.add(new Tensor(module + ".weight", c, TensorKind.LINEAR, s, layer, out, in, copies));
        if (bias) {
            // A column-parallel bias is split like its outputs; a row-parallel one is added once, on every rank.
            Sharding biasSharding = s == Sharding.ROW ? Sharding.REPLICATED : s;
            list.add(new Tensor(module + ".bias", c, TensorKind.BIAS, biasSharding, layer, out, 1, copies));
        }
    }

    void linear(String module, Component c, Sharding s, int layer, long out, long in, boolean bias) {
        linear(module, c, s, layer, out, in, bias, 1);
    }

    /** A normalisation layer: weight, and bias for LayerNorm. */
    void norm(String module, Component c, int layer, long dim, boolean bias) {
        list.add(new Tensor(module + ".weight", c, TensorKind.NORM, Sharding.REPLICATED, layer, dim, 1, 1));
        if (bias) {
            list.add(new Tensor(module + ".bias", c, TensorKind.NORM, Sharding.REPLICATED, layer, dim, 1, 1));
        }
    }

    void norm(String module, int layer, long dim, boolean bias) {
        norm(module, Component.NORM, layer, dim, bias);
    }

    void embedding(String name, Component c, Sharding s, long rows, long dim) {
        list.add(new Tensor(name, c, TensorKind.EMBEDDING, s, -1, rows, dim, 1));
    }

    /** A vector vLLM allocates in float32 whatever the model's dtype (router score biases, decay parameters). */
    void fp32(String name, Component c, Sharding s, int layer, long n) {
        list.add(new Tensor(name, c, TensorKind.OTHER, s, layer, n, 1, 1, DType.FLOAT32));
    }

    /** A two-dimensional tensor that no quantization packs, in {@code storedAs} (null: the model's dtype). */
    void other2d(String name, Component c, Sharding s, int layer, long out, long in, DType storedAs) {
        list.add(new Tensor(name, c, TensorKind.OTHER, s, layer, out, in, 1, storedAs));
    }

    void other(String name, Component c, Sharding s, int layer, long n) {
        list.add(new Tensor(name, c, TensorKind.OTHER, s, layer, n, 1, 1));
    }

    /** The projections of a gated (SwiGLU/GeGLU) MLP: gate and up column-parallel, down row-parallel. */
    void gatedMlp(String prefix, Component c, int layer, long hidden, long inter, boolean bias, long copies,
                  String gate, String up, String down) {
        linear(prefix + "." + gate, c, Sharding.COLUMN, layer, inter, hidden, bias, copies);
        linear(prefix + "." + up, c, Sharding.COLUMN, layer, inter, hidden, bias, copies);
        linear(prefix + "." + down, c, Sharding.ROW, layer, hidden, inter, bias, copies);
    }

    void gatedMlp(String prefix, Component c, int layer, long hidden, long inter, long copies) {
        gatedMlp(prefix, c, layer, hidden, inter, false, copies, "gate_proj", "up_proj", "down_proj");
    }
}

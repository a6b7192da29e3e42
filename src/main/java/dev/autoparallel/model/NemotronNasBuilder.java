package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama-Nemotron NAS models (DeciLM, {@code model_type nemotron-nas}; vLLM nemotron_nas.py): a
 * Llama decoder whose layers were searched one by one. {@code block_configs} gives each layer's
 * attention (grouped by {@code n_heads_in_group}, or a no-op without weights or input norm) and
 * its MLP width {@code ffn_mult} (or a no-op without weights or post-attention norm).
 */
final class NemotronNasBuilder {
    /** DeciLM rounds each MLP width up to a multiple of 256 ({@code _find_multiple(..., 256)} in nemotron_nas.py). */
    static final int FFN_ROUNDING = 256;

    private NemotronNasBuilder() {
    }

    /** vLLM's {@code _ffn_mult_to_intermediate_size}: int(2 x ffn_mult x hidden / 3), rounded up to 256. */
    static int intermediateSize(double ffnMult, int hidden) {
        int size = (int) (2 * ffnMult * hidden / 3);
        return size % FFN_ROUNDING == 0 ? size : size + FFN_ROUNDING - size % FFN_ROUNDING;
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        var blocks = f.node().get("block_configs");
        if (blocks == null || !blocks.isArray() || blocks.size() != d.layers()) {
            throw f.invalid("block_configs", blocks, "one block config per layer (" + d.layers() + ")");
        }
        long h = d.hidden();
        int headDim = Builders.headDim(d, f);
        boolean bias = f.optBool("attention_bias").orElse(false);
        boolean mlpBias = f.optBool("mlp_bias").orElse(false);
        int kvHeads = 0;
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i;
            ConfigFields attn = new ConfigFields(blocks.get(i).path("attention"), f.source() + " block_configs[" + i + "].attention");
            ConfigFields ffn = new ConfigFields(blocks.get(i).path("ffn"), f.source() + " block_configs[" + i + "].ffn");
            refuse(attn, "replace_with_linear");
            refuse(ffn, "replace_with_linear");
            refuseSet(attn, "window_length");
            refuseSet(attn, "num_sink_tokens");
            boolean attnNoOp = attn.optBool("no_op").orElse(false);
            boolean ffnNoOp = ffn.optBool("no_op").orElse(false);
            if (!attnNoOp) {
                int group = attn.requirePositive("n_heads_in_group");
                if (d.heads() % group != 0) {
                    throw attn.invalid("n_heads_in_group", attn.node().get("n_heads_in_group"),
                            "a divisor of num_attention_heads (" + d.heads() + ")");
                }
                int kv = d.heads() / group;
                if (kvHeads != 0 && kv != kvHeads) {
                    throw new InvalidConfigurationException("n_heads_in_group", attn.source()
                            + ": attention layers with different KV-head counts (" + kvHeads + " and " + kv
                            + ") are not supported; the KV cache is sized with one count");
                }
                kvHeads = kv;
                long q = (long) d.heads() * headDim;
                Component a = Component.ATTENTION;
                t.norm(p + ".input_layernorm", i, h, false);
                t.linear(p + ".self_attn.q_proj", a, Sharding.COLUMN, i, q, h, bias);
                t.linear(p + ".self_attn.k_proj", a, Sharding.KV_HEADS, i, (long) kv * headDim, h, bias);
                t.linear(p + ".self_attn.v_proj", a, Sharding.KV_HEADS, i, (long) kv * headDim, h, bias);
                t.linear(p + ".self_attn.o_proj", a, Sharding.ROW, i, h, q, bias);
            }
            if (!ffnNoOp) {
                var mult = ffn.node().get("ffn_mult");
                if (mult == null || !mult.isNumber() || !Double.isFinite(mult.asDouble()) || mult.asDouble() <= 0
                        || 2 * mult.asDouble() * d.hidden() / 3 > ConfigFields.MAX_DIMENSION) {
                    throw ffn.invalid("ffn_mult", mult, "a positive number giving an MLP width of at most "
                            + ConfigFields.MAX_DIMENSION);
                }
                t.norm(p + ".post_attention_layernorm", i, h, false);
                t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, intermediateSize(mult.asDouble(), d.hidden()), mlpBias, 1,
                        "gate_proj", "up_proj", "down_proj");
            }
            layers.add(Layer.of(attnNoOp ? Mixer.NONE : Mixer.FULL_ATTENTION, ffnNoOp ? Ffn.NONE : Ffn.DENSE));
        }
        if (kvHeads == 0) {
            throw f.invalid("block_configs", blocks, "at least one attention layer that is not a no-op");
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        return new Family.Built(t.list(), null, null, layers, kvHeads, headDim);
    }

    private static void refuse(ConfigFields f, String field) {
        if (f.optBool(field).orElse(false)) {
            throw f.invalid(field, f.node().get(field), "false (layers replaced by a linear map are not supported)");
        }
    }

    private static void refuseSet(ConfigFields f, String field) {
        if (f.has(field)) {
            throw f.invalid(field, f.node().get(field), "null (windowed and sink attention are not supported)");
        }
    }
}

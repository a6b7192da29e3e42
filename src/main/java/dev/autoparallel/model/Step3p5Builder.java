package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * StepFun's Step-3.5 decoder ({@code step3p5}; Step-3.5-Flash, and the text model of Step-3.7-Flash's
 * {@code step3p7} wrapper), as vLLM's step3p5.py and step3p5_mtp.py build it (read 2026-12-01):
 * <ul>
 *   <li>grouped-query attention ({@code att_impl_type GQA}) with {@code num_attention_groups} KV heads,
 *       per-head zero-centred RMSNorms on q and k, and, with {@code use_head_wise_attn_gate}, a
 *       column-parallel {@code g_proj} of one sigmoid gate per query head; layers whose
 *       {@code layer_types} entry is {@code attention_other_setting.attention_type} take that block's
 *       heads, groups and head size; {@code sliding_attention} layers see {@code sliding_window} tokens;</li>
 *   <li>the layers {@code moe_layers_enum} lists (a comma-separated string) are MoE blocks of
 *       {@code moe_num_experts} routed experts of {@code moe_intermediate_size} (checkpoint: one packed
 *       {@code moe.gate_proj} / {@code up_proj} / {@code down_proj} per layer), a float32 router
 *       ({@code moe.gate}) with a float32 score-correction bias ({@code moe.router_bias}) and one
 *       always-on shared expert of {@code share_expert_dim} ({@code share_expert}); the others are dense
 *       MLPs of {@code intermediate_size};</li>
 *   <li>{@code num_nextn_predict_layers} MTP layers after the decoder (per-layer lists cover them too):
 *       each a decoder layer of its own {@code layer_types} kind, {@code enorm} / {@code hnorm}, an
 *       {@code eh_proj} from twice the hidden size, and a {@code transformer.shared_head} of a norm and
 *       an LM head of its own. vLLM's main model skips them.</li>
 * </ul>
 */
final class Step3p5Builder {
    private Step3p5Builder() {
    }

    /** One kind of attention layer: query heads, KV heads, head size. */
    private record Attn(int heads, int kvHeads, int headDim) {
    }

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        f.requireValue("att_impl_type", "GQA", false);
        int mtp = f.optInt("num_nextn_predict_layers").orElse(0);
        if (mtp < 0) {
            throw f.invalid("num_nextn_predict_layers", f.node().get("num_nextn_predict_layers"), "0 or more");
        }
        int planned = d.layers() + mtp;
        List<String> types = f.stringList("layer_types");
        if (types.size() != d.layers() && types.size() != planned) {
            throw f.invalid("layer_types", f.node().get("layer_types"), "one entry per layer: " + d.layers()
                    + " (num_hidden_layers), or " + planned + " with the num_nextn_predict_layers MTP layers");
        }
        if (mtp > 0 && types.size() != planned) {
            throw f.invalid("layer_types", f.node().get("layer_types"), planned + " entries: the MTP layers take their"
                    + " attention kind from the entries after num_hidden_layers");
        }
        for (int i = 0; i < types.size(); i++) {
            if (!types.get(i).equals("full_attention") && !types.get(i).equals("sliding_attention")) {
                throw new InvalidConfigurationException("layer_types", f.source() + ": layer_types[" + i + "] was '"
                        + types.get(i) + "'; model_type 'step3p5' allows full_attention, sliding_attention");
            }
        }
        Attn base = new Attn(d.heads(), f.requirePositive("num_attention_groups"), Builders.headDim(d, f));
        JsonNode otherNode = f.node().get("attention_other_setting");
        String otherType = null;
        Attn other = null;
        if (otherNode != null && !otherNode.isNull()) {
            if (!otherNode.isObject()) {
                throw f.invalid("attention_other_setting", otherNode, "an object of attention_type, num_attention_heads,"
                        + " num_attention_groups and head_dim");
            }
            ConfigFields o = new ConfigFields(otherNode, f.source() + " attention_other_setting");
            otherType = o.optString("attention_type").orElseThrow(() -> o.missing("attention_type"));
            other = new Attn(o.requirePositive("num_attention_heads"), o.requirePositive("num_attention_groups"),
                    o.requirePositive("head_dim"));
        }
        for (Attn a : other == null ? List.of(base) : List.of(base, other)) {
            if (a.heads() % a.kvHeads() != 0) {
                throw new InvalidConfigurationException("num_attention_groups", f.source() + ": " + a.kvHeads()
                        + " KV groups do not divide " + a.heads() + " attention heads");
            }
        }
        int window = types.contains("sliding_attention") ? f.requirePositive("sliding_window") : 0;
        Set<Integer> moeLayers = moeLayers(f, d.layers(), planned);
        boolean gate = f.optBool("use_head_wise_attn_gate").orElse(false);
        boolean qkvBias = f.optBool("attention_bias").orElse(false);
        f.requireValue("hidden_act", "silu", true);
        Moe moe = moeLayers.isEmpty() ? null : new Moe(f.requirePositive("moe_num_experts"), f.requirePositive("moe_top_k"),
                f.requirePositive("moe_intermediate_size"), f.requirePositive("share_expert_dim"));
        if (moe != null) {
            // vLLM's FusedMoEBlock asserts both: the router runs in float32 and corrects its scores by router_bias.
            if (!f.optBool("use_moe_router_bias").orElse(false)) {
                throw f.invalid("use_moe_router_bias", f.node().get("use_moe_router_bias"), "true (vLLM's step3p5 requires it)");
            }
            if (!f.optBool("need_fp32_gate").orElse(false)) {
                throw f.invalid("need_fp32_gate", f.node().get("need_fp32_gate"), "true (vLLM's step3p5 requires it)");
            }
            if (moe.topK() > moe.experts()) {
                throw f.invalid("moe_top_k", f.node().get("moe_top_k"), "at most moe_num_experts (" + moe.experts() + ")");
            }
        }
        long h = d.hidden();
        Tensors t = new Tensors();
        t.embedding("model.embed_tokens.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), h);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < planned; i++) {
            String p = "model.layers." + i;
            String type = types.get(i);
            Attn a = type.equals(otherType) ? other : base;
            boolean sliding = type.equals("sliding_attention");
            boolean moeLayer = moeLayers.contains(i);
            decoderLayer(t, p, i, h, a, gate, qkvBias, moeLayer ? moe : null, f);
            if (i < d.layers()) {
                layers.add(new Layer(sliding ? Mixer.SLIDING_WINDOW : Mixer.FULL_ATTENTION, sliding ? window : 0, -1,
                        moeLayer ? Ffn.MOE : Ffn.DENSE, ModelSpec.LayerCache.kv(a.kvHeads(), a.headDim())));
            } else {
                t.norm(p + ".enorm", Component.MTP, i, h, false);
                t.norm(p + ".hnorm", Component.MTP, i, h, false);
                t.linear(p + ".eh_proj", Component.MTP, Sharding.REPLICATED, i, h, 2 * h, false);
                t.norm(p + ".transformer.shared_head.norm", Component.MTP, i, h, false);
                t.other(p + ".transformer.shared_head.output.weight", Component.MTP, Sharding.VOCAB, i, (long) d.vocab() * h);
            }
        }
        t.norm("model.norm", -1, h, false);
        if (!d.tied()) {
            t.embedding("lm_head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), h);
        }
        int servedMoe = (int) moeLayers.stream().filter(i -> i < d.layers()).count();
        ModelSpec.MoeDims dims = moe == null || servedMoe == 0 ? null
                : new ModelSpec.MoeDims(moe.experts(), moe.topK(), moe.inter(), moe.shared(), servedMoe);
        return new Family.Built(t.list(), null, dims, layers, base.kvHeads(), base.headDim());
    }

    private record Moe(int experts, int topK, int inter, int shared) {
    }

    private static void decoderLayer(Tensors t, String p, int i, long h, Attn a, boolean gate, boolean qkvBias, Moe moe,
                                     ConfigFields f) {
        Component c = Component.ATTENTION;
        t.linear(p + ".self_attn.q_proj", c, Sharding.COLUMN, i, (long) a.heads() * a.headDim(), h, qkvBias);
        t.linear(p + ".self_attn.k_proj", c, Sharding.KV_HEADS, i, (long) a.kvHeads() * a.headDim(), h, qkvBias);
        t.linear(p + ".self_attn.v_proj", c, Sharding.KV_HEADS, i, (long) a.kvHeads() * a.headDim(), h, qkvBias);
        t.linear(p + ".self_attn.o_proj", c, Sharding.ROW, i, h, (long) a.heads() * a.headDim(), false);
        if (gate) {
            t.linear(p + ".self_attn.g_proj", c, Sharding.COLUMN, i, a.heads(), h, false);
        }
        t.norm(p + ".self_attn.q_norm", Component.NORM, i, a.headDim(), false);
        t.norm(p + ".self_attn.k_norm", Component.NORM, i, a.headDim(), false);
        t.norm(p + ".input_layernorm", i, h, false);
        t.norm(p + ".post_attention_layernorm", i, h, false);
        if (moe == null) {
            t.gatedMlp(p + ".mlp", Component.DENSE_MLP, i, h, f.requirePositive("intermediate_size"), 1);
            return;
        }
        t.other2d(p + ".moe.gate.weight", Component.ROUTER, Sharding.REPLICATED, i, moe.experts(), h, DType.FLOAT32);
        t.fp32(p + ".moe.router_bias", Component.ROUTER, Sharding.REPLICATED, i, moe.experts());
        t.gatedMlp(p + ".moe", Component.ROUTED_EXPERTS, i, h, moe.inter(), moe.experts());
        t.gatedMlp(p + ".share_expert", Component.SHARED_EXPERTS, i, h, moe.shared(), 1);
    }

    /**
     * The MoE layers: {@code moe_layers_enum} as vLLM's step3p5.py and step3_text.py read it (a comma-separated string of
     * layer indices; a JSON list of them is read alike), or, absent, every layer from 1 on. Indices run over the decoder
     * and MTP layers ({@code planned} of them).
     */
    static Set<Integer> moeLayers(ConfigFields f, int layers, int planned) {
        JsonNode v = f.node().get("moe_layers_enum");
        Set<Integer> out = new TreeSet<>();
        if (v == null || v.isNull()) {
            for (int i = 1; i < layers; i++) {
                out.add(i);
            }
            return out;
        }
        String allowed = "layer indices from 0 to " + (planned - 1) + ", as a comma-separated string or a list";
        List<String> entries = new ArrayList<>();
        if (v.isTextual()) {
            for (String s : v.asText().strip().split(",")) {
                entries.add(s.strip());
            }
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw f.invalid("moe_layers_enum", v, allowed);
                }
                entries.add(e.asText());
            }
        } else {
            throw f.invalid("moe_layers_enum", v, allowed);
        }
        for (String s : entries) {
            int i;
            try {
                i = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw f.invalid("moe_layers_enum", v, allowed);
            }
            if (i < 0 || i >= planned) {
                throw f.invalid("moe_layers_enum", v, allowed);
            }
            out.add(i);
        }
        return out;
    }
}

package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.ModelSpec.Ffn;
import dev.autoparallel.model.ModelSpec.Layer;
import dev.autoparallel.model.ModelSpec.LayerCache;
import dev.autoparallel.model.ModelSpec.Mixer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DeepSeek-V4 ({@code model_type deepseek_v4}), built as vLLM builds it (vllm/model_executor/models/
 * deepseek_v4.py, deepseek_v4_mtp.py, layers/deepseek_v4_attention.py, layers/deepseek_compressor.py;
 * vllm-project/vllm read 2026-11-30) and named as the checkpoint names it ({@code layers.N.attn.wq_a},
 * {@code embed.weight}, {@code mtp.0.*}; the tensor inventory of deepseek-ai/DeepSeek-V4-Flash as
 * listed by public loaders of it, read 2026-11-30).
 *
 * <p>Every layer: latent attention with one KV head of {@code head_dim} (keys and values alike):
 * {@code wq_a} [q_lora_rank x hidden], {@code wkv} [head_dim x hidden], {@code q_norm}, {@code kv_norm},
 * {@code wq_b} [heads x head_dim x q_lora_rank], a grouped output projection {@code wo_a}
 * [o_groups x o_lora_rank x heads x head_dim / o_groups] and {@code wo_b} [hidden x o_groups x o_lora_rank],
 * and an FP32 attention sink per head. {@code compress_ratios[i]} picks the layer's cache: 0 a sliding
 * window only; 4 (CSA) adds a compressor with overlapping windows ({@code wkv}, {@code wgate}
 * [2 x head_dim x hidden], FP32 {@code ape} [4 x 2 x head_dim], a norm) and a lightning indexer
 * ({@code wq_b} [index heads x index_head_dim x q_lora_rank], {@code weights_proj} [index heads x hidden]
 * and a compressor of its own at index_head_dim); 128 (HCA) a compressor without overlap. Two
 * hyper-connection mixers per layer ({@code hc_attn_*}, {@code hc_ffn_*}: fn [(2 + hc_mult) x hc_mult,
 * hc_mult x hidden], base, scale [3], FP32), the attention and FFN norms, and a MoE block: router
 * {@code gate} [experts x hidden], the routed experts (w1, w3, w2) and {@code n_shared_experts} shared
 * ones; the first {@code num_hash_layers} layers route by token id ({@code tid2eid} [vocab x top-k],
 * int32), the rest carry an FP32 score-correction bias. Around them: embedding, head, final norm and
 * the head's hyper-connection mixer. The MTP layer is a full layer without compressor (vLLM gives
 * layers past num_hidden_layers ratio 1) plus {@code e_proj}, {@code h_proj}, enorm, hnorm, norm and
 * its own hc_head; it shares the model's embedding and head.
 */
final class DeepseekV4Builder {
    private DeepseekV4Builder() {
    }

    /** The compress ratios vLLM's DeepSeek-V4 attention runs (1 or 0: window only; 4: CSA; 128: HCA). */
    static final List<Integer> RATIOS = List.of(0, 1, 4, 128);

    static Family.Built build(ParsedDims d, ConfigFields f, Family family) {
        Dims x = new Dims(d, f);
        List<Integer> ratios = f.intList("compress_ratios");
        if (ratios.isEmpty()) {
            throw f.missing("compress_ratios");
        }
        // vLLM reads compress_ratios[layer] for the decoder layers; the published list has one more entry
        // (43 layers, 44 ratios: the MTP layer's 0), which vLLM ignores.
        if (ratios.size() < d.layers()) {
            throw f.invalid("compress_ratios", f.node().get("compress_ratios"),
                    "one ratio per decoder layer (" + d.layers() + "), each one of " + RATIOS);
        }
        for (int r : ratios) {
            if (!RATIOS.contains(r)) {
                throw f.invalid("compress_ratios", f.node().get("compress_ratios"), "ratios from " + RATIOS);
            }
        }
        int hashLayers = f.optInt("num_hash_layers").orElse(0);
        if (hashLayers > d.layers()) {
            throw f.invalid("num_hash_layers", f.node().get("num_hash_layers"), "at most num_hidden_layers (" + d.layers() + ")");
        }
        Tensors t = new Tensors();
        t.embedding("embed.weight", Component.EMBEDDING, Sharding.VOCAB, d.vocab(), d.hidden());
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < d.layers(); i++) {
            int ratio = Math.max(1, ratios.get(i));
            layer(t, "layers." + i, i, x, ratio, i < hashLayers);
            Mixer mixer = ratio == 4 ? Mixer.CSA : ratio == 128 ? Mixer.HCA : Mixer.SWA_LATENT;
            layers.add(new Layer(mixer, x.window, -1, Ffn.MOE,
                    LayerCache.compressed(x.headDim, mixer == Mixer.CSA ? x.indexDim : 0)));
        }
        t.norm("norm", -1, d.hidden(), false);
        hcHead(t, "", -1, x, Component.NORM);
        if (d.tied()) {
            throw f.invalid("tie_word_embeddings", f.node().get("tie_word_embeddings"),
                    "false (DeepSeek-V4 stores embed and head apart)");
        }
        t.embedding("head.weight", Component.LM_HEAD, Sharding.VOCAB, d.vocab(), d.hidden());
        int mtp = f.optInt("num_nextn_predict_layers").orElse(0);
        for (int k = 0; k < mtp; k++) {
            int index = d.layers() + k;
            String p = "mtp." + k;
            layer(t, p, index, x, 1, false);
            t.linear(p + ".e_proj", Component.MTP, Sharding.REPLICATED, index, d.hidden(), d.hidden(), false);
            t.linear(p + ".h_proj", Component.MTP, Sharding.REPLICATED, index, d.hidden(), d.hidden(), false);
            t.norm(p + ".enorm", Component.MTP, index, d.hidden(), false);
            t.norm(p + ".hnorm", Component.MTP, index, d.hidden(), false);
            t.norm(p + ".norm", Component.MTP, index, d.hidden(), false);
            hcHead(t, p + ".", index, x, Component.MTP);
        }
        ModelSpec.MoeDims moe = new ModelSpec.MoeDims(x.experts, x.topK, x.expertInter, x.sharedInter, d.layers());
        return new Family.Built(t.list(), null, moe, layers, 1, x.headDim);
    }

    /** The dimensions one layer reads, each from its config field (nothing defaulted that sizes the model). */
    private static final class Dims {
        final long hidden;
        final int heads;
        final int headDim;
        final int qLora;
        final int oLora;
        final int oGroups;
        final int indexHeads;
        final int indexDim;
        final int hcMult;
        final int experts;
        final int topK;
        final int expertInter;
        final int sharedInter;
        final int window;
        final long vocab;
        final boolean scoreBias;

        Dims(ParsedDims d, ConfigFields f) {
            hidden = d.hidden();
            heads = d.heads();
            vocab = d.vocab();
            headDim = f.requirePositive("head_dim");
            int rope = f.requirePositive("qk_rope_head_dim");
            if (rope >= headDim) {
                throw f.invalid("qk_rope_head_dim", f.node().get("qk_rope_head_dim"), "less than head_dim (" + headDim + ")");
            }
            int kv = f.optInt("num_key_value_heads").orElse(1);
            if (kv != 1) {
                throw f.invalid("num_key_value_heads", f.node().get("num_key_value_heads"), "1 (one shared latent per token)");
            }
            qLora = f.requirePositive("q_lora_rank");
            oLora = f.requirePositive("o_lora_rank");
            oGroups = f.requirePositive("o_groups");
            if ((long) heads * headDim % oGroups != 0) {
                throw f.invalid("o_groups", f.node().get("o_groups"),
                        "a divisor of num_attention_heads x head_dim (" + (long) heads * headDim + ")");
            }
            indexHeads = f.requirePositive("index_n_heads");
            indexDim = f.requirePositive("index_head_dim");
            hcMult = f.requirePositive("hc_mult");
            experts = f.requirePositive("n_routed_experts");
            topK = f.requirePositive("num_experts_per_tok");
            if (topK > experts) {
                throw f.invalid("num_experts_per_tok", f.node().get("num_experts_per_tok"),
                        "at most n_routed_experts (" + experts + ")");
            }
            expertInter = f.requirePositive("moe_intermediate_size");
            sharedInter = f.optInt("n_shared_experts").orElse(0) * expertInter;
            window = f.requirePositive("sliding_window");
            String hiddenAct = f.optString("hidden_act").orElse("silu");
            if (!hiddenAct.equals("silu")) {
                throw f.invalid("hidden_act", f.node().get("hidden_act"), "silu (vLLM DeepseekV4MLP supports no other)");
            }
            // vLLM attaches e_score_correction_bias to non-hash layers only with topk_method noaux_tc.
            scoreBias = "noaux_tc".equals(f.optString("topk_method").orElse(""));
        }
    }

    private static void layer(Tensors t, String p, int i, Dims x, int ratio, boolean hash) {
        attention(t, p + ".attn", i, x, ratio);
        t.norm(p + ".attn_norm", i, x.hidden, false);
        t.norm(p + ".ffn_norm", i, x.hidden, false);
        hyperConnection(t, p + ".hc_attn", i, x);
        hyperConnection(t, p + ".hc_ffn", i, x);
        String ffn = p + ".ffn";
        t.linear(ffn + ".gate", Component.ROUTER, Sharding.REPLICATED, i, x.experts, x.hidden, false);
        if (hash) {
            // An int32 table of expert ids per token; 4 bytes an entry, as FP32 is.
            t.other2d(ffn + ".gate.tid2eid", Component.ROUTER, Sharding.REPLICATED, i, x.vocab, x.topK, DType.FLOAT32);
        } else if (x.scoreBias) {
            t.fp32(ffn + ".gate.bias", Component.ROUTER, Sharding.REPLICATED, i, x.experts);
        }
        t.gatedMlp(ffn + ".experts.*", Component.ROUTED_EXPERTS, i, x.hidden, x.expertInter, false, x.experts,
                "w1", "w3", "w2");
        if (x.sharedInter > 0) {
            t.gatedMlp(ffn + ".shared_experts", Component.SHARED_EXPERTS, i, x.hidden, x.sharedInter, false, 1,
                    "w1", "w3", "w2");
        }
    }

    private static void attention(Tensors t, String p, int i, Dims x, int ratio) {
        Component c = Component.ATTENTION;
        long qOut = (long) x.heads * x.headDim;
        // wq_a and wkv are fused into one replicated linear in vLLM (fused_wqa_wkv).
        t.linear(p + ".wq_a", c, Sharding.REPLICATED, i, x.qLora, x.hidden, false);
        t.linear(p + ".wkv", c, Sharding.REPLICATED, i, x.headDim, x.hidden, false);
        t.norm(p + ".q_norm", i, x.qLora, false);
        t.norm(p + ".kv_norm", i, x.headDim, false);
        t.linear(p + ".wq_b", c, Sharding.COLUMN, i, qOut, x.qLora, false);
        t.linear(p + ".wo_a", c, Sharding.COLUMN, i, (long) x.oGroups * x.oLora, qOut / x.oGroups, false);
        t.linear(p + ".wo_b", c, Sharding.ROW, i, x.hidden, (long) x.oGroups * x.oLora, false);
        t.fp32(p + ".attn_sink", c, Sharding.COLUMN, i, x.heads);
        if (ratio > 1) {
            compressor(t, p + ".compressor", i, x, ratio, x.headDim);
        }
        if (ratio == 4) {
            String q = p + ".indexer";
            t.linear(q + ".wq_b", c, Sharding.REPLICATED, i, (long) x.indexHeads * x.indexDim, x.qLora, false);
            // Built without quantization (ReplicatedLinear quant_config=None): held in 16 bits.
            t.other2d(q + ".weights_proj.weight", c, Sharding.REPLICATED, i, x.indexHeads, x.hidden, null);
            compressor(t, q + ".compressor", i, x, ratio, x.indexDim);
        }
    }

    /**
     * DeepseekCompressor: overlapping windows at ratio 4 double the width ({@code coff} 2). Its
     * projections are built without quantization (16-bit), its positional bias in FP32.
     */
    private static void compressor(Tensors t, String p, int i, Dims x, int ratio, int dim) {
        long width = (ratio == 4 ? 2L : 1L) * dim;
        Component c = Component.ATTENTION;
        t.other2d(p + ".wkv.weight", c, Sharding.REPLICATED, i, width, x.hidden, null);
        t.other2d(p + ".wgate.weight", c, Sharding.REPLICATED, i, width, x.hidden, null);
        t.other2d(p + ".ape", c, Sharding.REPLICATED, i, ratio, width, DType.FLOAT32);
        t.norm(p + ".norm", i, dim, false);
    }

    /** One manifold-constrained hyper-connection mixer: fn, base and a 3-value scale, FP32. */
    private static void hyperConnection(Tensors t, String p, int i, Dims x) {
        long mix = (2L + x.hcMult) * x.hcMult;
        t.other2d(p + "_fn", Component.NORM, Sharding.REPLICATED, i, mix, x.hcMult * x.hidden, DType.FLOAT32);
        t.fp32(p + "_base", Component.NORM, Sharding.REPLICATED, i, mix);
        t.fp32(p + "_scale", Component.NORM, Sharding.REPLICATED, i, 3);
    }

    /** The head's hyper-connection reduction: fn [hc_mult x hc_mult x hidden], base [hc_mult], scale [1], FP32. */
    private static void hcHead(Tensors t, String prefix, int i, Dims x, Component c) {
        t.other2d(prefix + "hc_head_fn", c, Sharding.REPLICATED, i, x.hcMult, x.hcMult * x.hidden, DType.FLOAT32);
        t.fp32(prefix + "hc_head_base", c, Sharding.REPLICATED, i, x.hcMult);
        t.fp32(prefix + "hc_head_scale", c, Sharding.REPLICATED, i, 1);
    }

    /**
     * The checkpoint's storage, from its quantization_config and {@code expert_dtype} (vLLM
     * DeepseekV4FP8Config overrides quant_method fp8 for this model type): FP8 block-scaled linear
     * weights, experts in {@code expert_dtype}, or NVFP4 where a ModelOpt re-quantization lists them in
     * {@code quantized_layers}. Anything else is refused by field.
     */
    static Quantization quantization(ConfigFields f, JsonNode qc, Quantization parsed, String source) {
        if (qc == null || qc.isNull()) {
            return parsed;
        }
        if (!(parsed instanceof Quantization.Fp8 fp8) || !fp8.blockScaled()) {
            throw new InvalidConfigurationException("quantization_config", source
                    + ": quantization_config of a deepseek_v4 checkpoint is read as vLLM's deepseek_v4_fp8"
                    + " (quant_method fp8 with weight_block_size); this one is '" + parsed.method() + "'");
        }
        String expertDtype = f.optString("expert_dtype").orElse("fp4").toLowerCase(Locale.ROOT);
        if (!List.of("fp4", "fp8").contains(expertDtype)) {
            throw f.invalid("expert_dtype", f.node().get("expert_dtype"), "fp4 or fp8 (vLLM _DEEPSEEK_V4_EXPERT_DTYPES)");
        }
        String experts = expertDtype.equals("fp4") ? "mxfp4" : "fp8";
        List<String> ignore = new ArrayList<>();
        JsonNode layers = qc.get("quantized_layers");
        if (layers != null && layers.isObject() && !layers.isEmpty()) {
            for (Map.Entry<String, JsonNode> e : layers.properties()) {
                String algo = e.getValue().path("quant_algo").asText("");
                if (!e.getKey().endsWith(".ffn.experts") || !algo.equalsIgnoreCase("NVFP4")) {
                    throw new InvalidConfigurationException("quantized_layers", source
                            + ": quantization_config.quantized_layers." + e.getKey() + " is " + algo
                            + "; a deepseek_v4 checkpoint is read with NVFP4 routed experts (layers.N.ffn.experts) only");
                }
            }
            if (layers.size() < f.requirePositive("num_hidden_layers")) {
                throw new InvalidConfigurationException("quantized_layers", source
                        + ": quantization_config.quantized_layers names " + layers.size()
                        + " expert blocks; a deepseek_v4 checkpoint is read with NVFP4 experts in every decoder layer");
            }
            experts = "nvfp4";
            ignore.addAll(new ConfigFields(qc, source).stringList("ignore"));
        }
        int scaleBytes = expertDtype.equals("fp4") ? 1 : 4;
        return new Quantization.DeepseekV4(fp8.blockOut(), fp8.blockIn(), scaleBytes, experts, expertDtype, ignore);
    }
}

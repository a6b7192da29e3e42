package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The vision encoder and projector of a multimodal checkpoint, counted so that its memory is
 * not missed. SigLIP (Gemma 3, PaliGemma) and CLIP (LLaVA) encoders are standard ViTs; other
 * encoders are reported as a warning rather than guessed.
 */
final class VisionTower {
    private VisionTower() {
    }

    /** Wrapper model_types whose vision tower is Qwen3-VL's ViT (Qwen3-VL, Qwen3.5 / Qwen3.6). */
    static final List<String> QWEN3_VL_WRAPPERS = List.of("qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe");

    static void add(List<Tensor> out, ObjectNode vision, JsonNode root, int textHidden, String source, List<String> warnings) {
        ConfigFields f = new ConfigFields(vision, source + " vision_config");
        String type = f.optString("model_type").orElse("");
        if (QWEN3_VL_WRAPPERS.contains(root.path("model_type").asText(""))) {
            qwen3Vl(out, f);
            return;
        }
        if (root.path("model_type").asText("").equals("kimi_k25")) {
            moonVit(out, f, textHidden);
            return;
        }
        if (root.path("model_type").asText("").equals("kimi_k3")) {
            moonVit2(out, f, textHidden);
            return;
        }
        if (root.path("model_type").asText("").equals("minimax_m3_vl")) {
            miniMaxM3(out, f, root, textHidden);
            return;
        }
        if (root.path("model_type").asText("").equals("step3_vl")) {
            step3Vit(out, f, root, textHidden);
            return;
        }
        if (root.path("model_type").asText("").equals("step3p7")) {
            perceptionEncoder(out, f, root, textHidden);
            return;
        }
        if (type.equals("gemma4_vision")) {
            gemma4(out, f, textHidden);
            return;
        }
        if (type.equals("llama4_vision_model")) {
            llama4(out, f, textHidden);
            return;
        }
        boolean siglip = type.equals("siglip_vision_model");
        boolean clip = type.equals("clip_vision_model");
        if (!siglip && !clip) {
            warnings.add("vision_config of type '" + type + "' is not counted (known: siglip_vision_model, clip_vision_model)");
            return;
        }
        ViT vit = ViT.read(f);
        long h = vit.hidden();
        long inter = vit.inter();
        int layers = vit.layers();
        long patch = vit.patch();
        long channels = vit.channels();
        long patches = vit.grid() * vit.grid();
        Tensors t = new Tensors();
        String p = "vision_tower.vision_model";
        t.linear(p + ".embeddings.patch_embedding", Component.VISION, Sharding.REPLICATED, -1, h, channels * patch * patch, siglip);
        if (clip) {
            t.other(p + ".embeddings.class_embedding", Component.VISION, Sharding.REPLICATED, -1, h);
            t.embedding(p + ".embeddings.position_embedding.weight", Component.VISION, Sharding.REPLICATED, patches + 1, h);
            t.norm(p + ".pre_layrnorm", Component.VISION, -1, h, true);
        } else {
            t.embedding(p + ".embeddings.position_embedding.weight", Component.VISION, Sharding.REPLICATED, patches, h);
        }
        clipEncoder(t, p, layers, h, inter);
        t.norm(p + ".post_layernorm", Component.VISION, -1, h, true);
        String wrapper = root.path("model_type").asText("");
        if (wrapper.equals("gemma3")) {
            t.other("multi_modal_projector.mm_input_projection_weight", Component.VISION, Sharding.REPLICATED, -1, h * textHidden);
            t.norm("multi_modal_projector.mm_soft_emb_norm", Component.VISION, -1, h, false);
        } else if (wrapper.startsWith("llava")) {
            t.linear("multi_modal_projector.linear_1", Component.VISION, Sharding.REPLICATED, -1, textHidden, h, true);
            t.linear("multi_modal_projector.linear_2", Component.VISION, Sharding.REPLICATED, -1, textHidden, textHidden, true);
        } else {
            warnings.add("the multimodal projector of '" + wrapper + "' is not counted");
        }
        out.addAll(t.list());
    }

    /**
     * Qwen3-VL's vision transformer (vLLM qwen3_vl.py Qwen3_VisionTransformer, also Qwen3.5's):
     * a Conv3d patch embedding with bias over {@code in_channels x temporal_patch_size x
     * patch_size^2}, learned position embeddings, {@code depth} pre-LayerNorm blocks (fused qkv,
     * proj, fc1, fc2, all with biases), a patch merger (LayerNorm over the hidden size, then
     * {@code hidden x spatial_merge_size^2} to itself and to {@code out_hidden_size}) and one
     * DeepStack merger per {@code deepstack_visual_indexes} entry (its LayerNorm after the shuffle).
     * Linear layers are tensor-parallel in vLLM (QKVParallelLinear, RowParallelLinear).
     */
    private static void qwen3Vl(List<Tensor> out, ConfigFields f) {
        long h = f.requirePositive("hidden_size");
        long inter = f.requirePositive("intermediate_size");
        int depth = f.requirePositive("depth");
        long patch = f.requirePositive("patch_size");
        long temporal = f.requirePositive("temporal_patch_size");
        long channels = f.requirePositive("in_channels");
        long merge = f.requirePositive("spatial_merge_size");
        long outHidden = f.requirePositive("out_hidden_size");
        long positions = f.requirePositive("num_position_embeddings");
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "model.visual";
        t.linear(p + ".patch_embed.proj", v, Sharding.REPLICATED, -1, h, channels * temporal * patch * patch, true);
        t.embedding(p + ".pos_embed.weight", v, Sharding.REPLICATED, positions, h);
        for (int i = 0; i < depth; i++) {
            fusedQkvBlock(t, p + ".blocks." + i, h, inter, QWEN3_VL_BLOCK);
        }
        long merged = h * merge * merge;
        merger(t, p + ".merger", h, merged, outHidden);
        List<Integer> deepstack = f.intList("deepstack_visual_indexes");
        for (int k = 0; k < deepstack.size(); k++) {
            merger(t, p + ".deepstack_merger_list." + k, merged, merged, outHidden);
        }
        out.addAll(t.list());
    }

    /**
     * Llama 4's vision encoder (transformers Llama4VisionModel, vLLM mllama4.py): an unfolded
     * patch convolution without bias, a class embedding, learned positions for the patches plus
     * the class token, LayerNorms before and after, pre-LayerNorm blocks with biased attention and
     * GELU MLP, the pixel-shuffle adapter MLP ({@code intermediate_size -> projector_input_dim ->
     * projector_output_dim}, no biases) and the projector to the text width.
     */
    private static void llama4(List<Tensor> out, ConfigFields f, int textHidden) {
        long h = f.requirePositive("hidden_size");
        long inter = f.requirePositive("intermediate_size");
        int layers = f.requirePositive("num_hidden_layers");
        long patch = f.requirePositive("patch_size");
        long image = f.requirePositive("image_size");
        long channels = f.requirePositive("num_channels");
        long projIn = f.requirePositive("projector_input_dim");
        long projOut = f.requirePositive("projector_output_dim");
        long visionOut = f.requirePositive("vision_output_dim");
        boolean projectorBias = f.optBool("multi_modal_projector_bias").orElse(false);
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "vision_model";
        long patches = (image / patch) * (image / patch);
        t.linear(p + ".patch_embedding.linear", v, Sharding.REPLICATED, -1, h, channels * patch * patch, false);
        t.other(p + ".class_embedding", v, Sharding.REPLICATED, -1, h);
        t.embedding(p + ".positional_embedding_vlm", v, Sharding.REPLICATED, patches + 1, h);
        t.norm(p + ".layernorm_pre", v, -1, h, true);
        t.norm(p + ".layernorm_post", v, -1, h, true);
        for (int i = 0; i < layers; i++) {
            String l = p + ".model.layers." + i;
            t.linear(l + ".self_attn.q_proj", v, Sharding.COLUMN, -1, h, h, true);
            t.linear(l + ".self_attn.k_proj", v, Sharding.COLUMN, -1, h, h, true);
            t.linear(l + ".self_attn.v_proj", v, Sharding.COLUMN, -1, h, h, true);
            t.linear(l + ".self_attn.o_proj", v, Sharding.ROW, -1, h, h, true);
            t.linear(l + ".mlp.fc1", v, Sharding.COLUMN, -1, inter, h, true);
            t.linear(l + ".mlp.fc2", v, Sharding.ROW, -1, h, inter, true);
            t.norm(l + ".input_layernorm", v, -1, h, true);
            t.norm(l + ".post_attention_layernorm", v, -1, h, true);
        }
        t.linear(p + ".vision_adapter.mlp.fc1", v, Sharding.COLUMN, -1, projIn, inter, false);
        t.linear(p + ".vision_adapter.mlp.fc2", v, Sharding.ROW, -1, projOut, projOut, false);
        t.linear("multi_modal_projector.linear_1", v, Sharding.REPLICATED, -1, textHidden, visionOut, projectorBias);
        out.addAll(t.list());
    }

    /**
     * Gemma 4's vision encoder (transformers Gemma4VisionModel): a patch projection without bias,
     * a learned 2 x {@code position_embedding_size} table of x and y positions, pre/post-normed
     * blocks with q/k norms and a gated MLP (no biases), the standardisation bias and scale, and
     * the multimodal embedder's projection to the text width (its norm has no weights).
     */
    private static void gemma4(List<Tensor> out, ConfigFields f, int textHidden) {
        long h = f.requirePositive("hidden_size");
        long inter = f.requirePositive("intermediate_size");
        int layers = f.requirePositive("num_hidden_layers");
        long heads = f.requirePositive("num_attention_heads");
        long kvHeads = f.requirePositive("num_key_value_heads");
        long headDim = f.requirePositive("head_dim");
        long patch = f.requirePositive("patch_size");
        long positions = f.requirePositive("position_embedding_size");
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "model.vision_tower";
        t.linear(p + ".patch_embedder.input_proj", v, Sharding.REPLICATED, -1, h, 3 * patch * patch, false);
        t.other(p + ".patch_embedder.position_embedding_table", v, Sharding.REPLICATED, -1, 2 * positions * h);
        for (int i = 0; i < layers; i++) {
            String l = p + ".encoder.layers." + i;
            t.linear(l + ".self_attn.q_proj.linear", v, Sharding.REPLICATED, -1, heads * headDim, h, false);
            t.linear(l + ".self_attn.k_proj.linear", v, Sharding.REPLICATED, -1, kvHeads * headDim, h, false);
            t.linear(l + ".self_attn.v_proj.linear", v, Sharding.REPLICATED, -1, kvHeads * headDim, h, false);
            t.linear(l + ".self_attn.o_proj.linear", v, Sharding.REPLICATED, -1, h, heads * headDim, false);
            t.norm(l + ".self_attn.q_norm", v, -1, headDim, false);
            t.norm(l + ".self_attn.k_norm", v, -1, headDim, false);
            t.linear(l + ".mlp.gate_proj.linear", v, Sharding.REPLICATED, -1, inter, h, false);
            t.linear(l + ".mlp.up_proj.linear", v, Sharding.REPLICATED, -1, inter, h, false);
            t.linear(l + ".mlp.down_proj.linear", v, Sharding.REPLICATED, -1, h, inter, false);
            for (String n : List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                    "post_feedforward_layernorm")) {
                t.norm(l + "." + n, v, -1, h, false);
            }
        }
        if (f.optBool("standardize").orElse(false)) {
            t.other(p + ".std_bias", v, Sharding.REPLICATED, -1, h);
            t.other(p + ".std_scale", v, Sharding.REPLICATED, -1, h);
        }
        t.linear("model.embed_vision.embedding_projection", v, Sharding.REPLICATED, -1, textHidden, h, false);
        out.addAll(t.list());
    }

    /**
     * Kimi-K2.5's MoonViT (vLLM kimi_k25_vit.py): a biased patch convolution, a learned
     * {@code init_pos_emb_height x init_pos_emb_width} position table (the temporal part is a fixed
     * buffer), pre-LayerNorm blocks with fused biased qkv, wo and a two-layer GELU MLP, a final
     * LayerNorm, and the patch-merger projector (LayerNorm, then {@code hidden x merge^2} to itself
     * and to the text width: vLLM's KimiK25Config sets mm_hidden_size to the text hidden size when
     * the config gives the vision width there).
     */
    private static void moonVit(List<Tensor> out, ConfigFields f, int textHidden) {
        f.requireValue("mm_projector_type", "patchmerger", true);
        f.requireValue("pos_emb_type", "divided_fixed", true);
        long h = f.requirePositive("vt_hidden_size", "hidden_size");
        long inter = f.requirePositive("vt_intermediate_size", "intermediate_size");
        int layers = f.requirePositive("vt_num_hidden_layers", "num_hidden_layers");
        long patch = f.requirePositive("patch_size");
        long posH = f.requirePositive("init_pos_emb_height");
        long posW = f.requirePositive("init_pos_emb_width");
        List<Integer> merge = f.intList("merge_kernel_size");
        if (merge.size() != 2 || merge.get(0) < 1 || merge.get(1) < 1) {
            throw f.invalid("merge_kernel_size", f.node().get("merge_kernel_size"), "two positive whole numbers");
        }
        long mmHidden = f.optPositive("mm_hidden_size").orElse((int) h);
        long projOut = mmHidden == h ? textHidden : mmHidden;
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "vision_tower";
        t.linear(p + ".patch_embed.proj", v, Sharding.REPLICATED, -1, h, 3 * patch * patch, true);
        t.other(p + ".patch_embed.pos_emb.weight", v, Sharding.REPLICATED, -1, posH * posW * h);
        moonVitEncoder(t, p, layers, h, h, inter, true, true, true);
        long merged = h * merge.get(0) * merge.get(1);
        t.norm("mm_projector.pre_norm", v, -1, h, true);
        t.linear("mm_projector.linear_1", v, Sharding.REPLICATED, -1, merged, merged, true);
        t.linear("mm_projector.linear_2", v, Sharding.REPLICATED, -1, projOut, merged, true);
        out.addAll(t.list());
    }

    /**
     * MiniMax-M3's vision tower as its checkpoint lists it (read 2026-12): a CLIP encoder with rotary
     * positions (no position table, no class embedding, no post-LayerNorm) whose patch embedding is a
     * bias-free float32 Conv3d over {@code num_channels x temporal_patch_size x patch_size^2}; a
     * {@code multi_modal_projector} (vision width to {@code projector_hidden_size}, then to the text
     * width) and a {@code patch_merge_mlp} over {@code spatial_merge_size^2} merged text-width tokens,
     * all with biases.
     */
    private static void miniMaxM3(List<Tensor> out, ConfigFields f, JsonNode root, int textHidden) {
        f.requireValue("position_embedding_type", "rope", false);
        ConfigFields top = new ConfigFields(root, f.source().replace(" vision_config", ""));
        JsonNode compression = root.get("img_token_compression_config");
        if (compression == null || !compression.isObject()) {
            throw top.missing("img_token_compression_config");
        }
        ConfigFields merge = new ConfigFields(compression, top.source() + " img_token_compression_config");
        if (!merge.optString("image_token_compression_method").orElse("").equals("patch_merge")) {
            throw merge.invalid("image_token_compression_method", compression.get("image_token_compression_method"),
                    "patch_merge");
        }
        long h = f.requirePositive("hidden_size");
        long inter = f.requirePositive("intermediate_size");
        int layers = f.requirePositive("num_hidden_layers");
        long patch = f.requirePositive("patch_size");
        long channels = f.optPositive("num_channels").orElse(3);
        long temporal = merge.requirePositive("temporal_patch_size");
        long spatial = merge.requirePositive("spatial_merge_size");
        long projector = top.requirePositive("projector_hidden_size");
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "vision_tower.vision_model";
        t.other2d(p + ".embeddings.patch_embedding.weight", v, Sharding.REPLICATED, -1, h,
                channels * temporal * patch * patch, DType.FLOAT32);
        t.norm(p + ".pre_layrnorm", v, -1, h, true);
        clipEncoder(t, p, layers, h, inter);
        t.linear("multi_modal_projector.linear_1", v, Sharding.REPLICATED, -1, projector, h, true);
        t.linear("multi_modal_projector.linear_2", v, Sharding.REPLICATED, -1, textHidden, projector, true);
        t.linear("patch_merge_mlp.linear_1", v, Sharding.REPLICATED, -1, textHidden, textHidden * spatial * spatial, true);
        t.linear("patch_merge_mlp.linear_2", v, Sharding.REPLICATED, -1, textHidden, textHidden, true);
        out.addAll(t.list());
    }

    /**
     * MoonViT's encoder (MoonViT and MoonViT-2 alike): {@code layers} blocks of {@code norm0} / {@code norm1}, a fused
     * {@code wqkv} of {@code 3 x qkv} and {@code wo} back, the {@code fc0} / {@code fc1} MLP, then
     * {@code final_layernorm}; LayerNorms carry a bias, RMSNorms ({@code layerNorm} false) do not.
     */
    private static void moonVitEncoder(Tensors t, String p, int layers, long h, long qkv, long inter, boolean layerNorm,
                                       boolean attnBias, boolean linearBias) {
        Component v = Component.VISION;
        for (int i = 0; i < layers; i++) {
            String b = p + ".encoder.blocks." + i;
            t.norm(b + ".norm0", v, -1, h, layerNorm);
            t.norm(b + ".norm1", v, -1, h, layerNorm);
            t.linear(b + ".wqkv", v, Sharding.COLUMN, -1, 3 * qkv, h, attnBias);
            t.linear(b + ".wo", v, Sharding.ROW, -1, h, qkv, attnBias);
            t.linear(b + ".mlp.fc0", v, Sharding.COLUMN, -1, inter, h, linearBias);
            t.linear(b + ".mlp.fc1", v, Sharding.ROW, -1, h, inter, linearBias);
        }
        t.norm(p + ".encoder.final_layernorm", v, -1, h, layerNorm);
    }

    /**
     * Kimi-K3's MoonViT as its checkpoint lists it (read 2026-12): a bias-free patch projection, a
     * {@code init_pos_emb_height x init_pos_emb_width} position table, blocks of RMSNorms
     * ({@code norm_type rmsnorm}), a fused {@code wqkv} of {@code 3 x qkv_hidden_size} and {@code wo}
     * back, a two-layer MLP, biases by {@code attn_bias} / {@code linear_bias}; and the
     * {@code patchmergerv2} projector: the {@code merge_kernel_size}-merged tokens through
     * {@code proj.0} (to the same width) and {@code proj.2} (to the text width), then {@code post_norm}.
     */
    private static void moonVit2(List<Tensor> out, ConfigFields f, int textHidden) {
        f.requireValue("mm_projector_type", "patchmergerv2", false);
        f.requireValue("norm_type", "rmsnorm", false);
        long h = f.requirePositive("vt_hidden_size");
        long inter = f.requirePositive("vt_intermediate_size");
        int layers = f.requirePositive("vt_num_hidden_layers");
        long qkv = f.optPositive("qkv_hidden_size").orElse((int) h);
        long patch = f.requirePositive("patch_size");
        List<Integer> merge = f.intList("merge_kernel_size");
        if (merge.size() != 2 || merge.get(0) < 1 || merge.get(1) < 1) {
            throw f.invalid("merge_kernel_size", f.node().get("merge_kernel_size"), "two positive whole numbers");
        }
        boolean attnBias = f.optBool("attn_bias").orElse(false);
        boolean linearBias = f.optBool("linear_bias").orElse(false);
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "vision_tower";
        t.linear(p + ".patch_embed.proj", v, Sharding.REPLICATED, -1, h, 3 * patch * patch,
                f.optBool("patch_embed_proj_bias").orElse(false));
        t.other(p + ".patch_embed.pos_emb.weight", v, Sharding.REPLICATED, -1,
                (long) f.requirePositive("init_pos_emb_height") * f.requirePositive("init_pos_emb_width") * h);
        moonVitEncoder(t, p, layers, h, qkv, inter, false, attnBias, linearBias);
        long merged = h * merge.get(0) * merge.get(1);
        t.linear("mm_projector.proj.0", v, Sharding.REPLICATED, -1, merged, merged, false);
        t.linear("mm_projector.proj.2", v, Sharding.REPLICATED, -1, textHidden, merged, false);
        t.norm("mm_projector.post_norm", v, -1, textHidden, false);
        out.addAll(t.list());
    }

    /**
     * Step-3.7's Perception Encoder and projector (vLLM step_vl.py PerceptionEncoder and step3p7.py, read 2026-12-01):
     * a bias-free {@code patch_size} convolution to {@code width}, a learned position table of the
     * {@code (image_size / patch_size)^2} grid ({@code use_abs_posemb}, plus one row with {@code use_cls_token}, which
     * also adds a class embedding), LayerNorms before ({@code use_ln_pre}) and after ({@code use_ln_post}) the
     * {@code layers} blocks; a block is two LayerNorms, a fused biased {@code in_proj} of 3 x width and
     * {@code out_proj}, layer-scale vectors {@code ls_1} / {@code ls_2} when {@code ls_init_value} is set, and a biased
     * MLP of {@code int(width x mlp_ratio)}. Two biased 3 x 3 convolutions then double the width twice
     * ({@code vit_downsampler1}, {@code vit_downsampler2}), and {@code vit_large_projector} (column-parallel, biased by
     * {@code projector_bias}) maps 4 x width to the text width. The blocks' linear layers are tensor-parallel; the
     * convolutions replicated. Defaults are those of SGLang's Step3p7VisionEncoderConfig.
     */
    private static void perceptionEncoder(List<Tensor> out, ConfigFields f, JsonNode root, int textHidden) {
        f.requireValue("model_type", "perception_encoder", false);
        f.requireValue("pool_type", "none", true);
        if (f.has("output_dim") && !f.node().get("output_dim").isNull()) {
            throw f.invalid("output_dim", f.node().get("output_dim"), "null (the tower's output stays at its width)");
        }
        ConfigFields top = new ConfigFields(root, f.source().replace(" vision_config", ""));
        long w = f.requirePositive("width");
        int layers = f.requirePositive("layers");
        long patch = f.requirePositive("patch_size");
        long image = f.requirePositive("image_size");
        if (image < patch) {
            throw f.invalid("image_size", f.node().get("image_size"), "at least patch_size (" + patch + ")");
        }
        JsonNode ratioNode = f.node().get("mlp_ratio");
        if (ratioNode != null && !ratioNode.isNumber()) {
            throw f.invalid("mlp_ratio", ratioNode, "a number");
        }
        double ratio = ratioNode == null ? 8960.0 / 1536 : ratioNode.asDouble();
        long inter = (long) (w * ratio); // Python's int(): toward zero
        if (!(ratio > 0) || inter < 1) {
            throw f.invalid("mlp_ratio", ratioNode, "a positive number");
        }
        boolean cls = f.optBool("use_cls_token").orElse(false);
        boolean layerScale = !f.has("ls_init_value") || !f.node().get("ls_init_value").isNull();
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "model.vision_model";
        t.linear(p + ".conv1", v, Sharding.REPLICATED, -1, w, 3 * patch * patch, false);
        if (cls) {
            t.other(p + ".class_embedding", v, Sharding.REPLICATED, -1, w);
        }
        if (f.optBool("use_abs_posemb").orElse(true)) {
            long grid = image / patch;
            t.embedding(p + ".positional_embedding", v, Sharding.REPLICATED, grid * grid + (cls ? 1 : 0), w);
        }
        if (f.optBool("use_ln_pre").orElse(true)) {
            t.norm(p + ".ln_pre", v, -1, w, true);
        }
        for (int i = 0; i < layers; i++) {
            String b = p + ".transformer.resblocks." + i;
            fusedQkvBlock(t, b, w, inter, PERCEPTION_ENCODER_BLOCK);
            if (layerScale) {
                t.other(b + ".ls_1.gamma", v, Sharding.REPLICATED, -1, w);
                t.other(b + ".ls_2.gamma", v, Sharding.REPLICATED, -1, w);
            }
        }
        if (f.optBool("use_ln_post").orElse(false)) {
            t.norm(p + ".ln_post", v, -1, w, true);
        }
        t.linear("model.vit_downsampler1", v, Sharding.REPLICATED, -1, 2 * w, w * 9, true);
        t.linear("model.vit_downsampler2", v, Sharding.REPLICATED, -1, 4 * w, 2 * w * 9, true);
        t.linear("model.vit_large_projector", v, Sharding.COLUMN, -1, textHidden, 4 * w,
                top.optBool("projector_bias").orElse(false));
        out.addAll(t.list());
    }

    /**
     * Step3's vision transformer and projector (vLLM step3_vl.py, read 2026-12-01): a class embedding, a biased patch
     * convolution, learned positions for the {@code (image_size / patch_size)^2} patches and the class token, and
     * {@code num_hidden_layers} blocks of a fused biased qkv, a biased out projection, a biased two-layer MLP of
     * {@code intermediate_size} and two LayerNorms (applied to each branch's output), no LayerNorm before or after the
     * blocks; then {@code vit_downsampler} (a biased 2 x 2 convolution to {@code output_hidden_size}),
     * {@code vit_downsampler2} (a biased 3 x 3 convolution doubling it) and {@code vit_large_projector} to the text width
     * (biased by {@code projector_bias}, default true). The blocks are tensor-parallel; the rest replicated.
     */
    private static void step3Vit(List<Tensor> out, ConfigFields f, JsonNode root, int textHidden) {
        ConfigFields top = new ConfigFields(root, f.source().replace(" vision_config", ""));
        ViT vit = ViT.read(f);
        long h = vit.hidden();
        long outHidden = f.requirePositive("output_hidden_size");
        Component v = Component.VISION;
        Tensors t = new Tensors();
        String p = "vision_model";
        t.other(p + ".embeddings.class_embedding", v, Sharding.REPLICATED, -1, h);
        t.linear(p + ".embeddings.patch_embedding", v, Sharding.REPLICATED, -1, h, vit.channels() * vit.patch() * vit.patch(), true);
        t.embedding(p + ".embeddings.position_embedding.weight", v, Sharding.REPLICATED, vit.grid() * vit.grid() + 1, h);
        for (int i = 0; i < vit.layers(); i++) {
            fusedQkvBlock(t, p + ".transformer.layers." + i, h, vit.inter(), STEP3_VIT_BLOCK);
        }
        t.linear("vit_downsampler", v, Sharding.REPLICATED, -1, outHidden, h * 2 * 2, true);
        t.linear("vit_downsampler2", v, Sharding.REPLICATED, -1, 2 * outHidden, outHidden * 3 * 3, true);
        t.linear("vit_large_projector", v, Sharding.REPLICATED, -1, textHidden, 2 * outHidden,
                top.optBool("projector_bias").orElse(true));
        out.addAll(t.list());
    }

    /** A ViT's sizes as CLIP-style vision configs state them: width, MLP width, depth, patch, image and channels. */
    private record ViT(long hidden, long inter, int layers, long patch, long image, long channels) {
        static ViT read(ConfigFields f) {
            long patch = f.requirePositive("patch_size");
            long image = f.requirePositive("image_size");
            if (image < patch) {
                throw f.invalid("image_size", f.node().get("image_size"), "at least patch_size (" + patch + ")");
            }
            return new ViT(f.requirePositive("hidden_size"), f.requirePositive("intermediate_size"),
                    f.requirePositive("num_hidden_layers"), patch, image, f.optPositive("num_channels").orElse(3));
        }

        /** Patches along one side of the image. */
        long grid() {
            return image / patch;
        }
    }

    /** The module names of a {@link #fusedQkvBlock}: its two LayerNorms, fused qkv, output projection and MLP. */
    private record BlockNames(String norm1, String norm2, String qkv, String out, String fc1, String fc2) {
    }

    private static final BlockNames QWEN3_VL_BLOCK = new BlockNames("norm1", "norm2", "attn.qkv", "attn.proj",
            "mlp.linear_fc1", "mlp.linear_fc2");
    private static final BlockNames PERCEPTION_ENCODER_BLOCK = new BlockNames("ln_1", "ln_2", "attn.in_proj", "attn.out_proj",
            "mlp.c_fc", "mlp.c_proj");
    private static final BlockNames STEP3_VIT_BLOCK = new BlockNames("layer_norm1", "layer_norm2", "self_attn.qkv_proj",
            "self_attn.out_proj", "mlp.fc1", "mlp.fc2");

    /**
     * One ViT block of {@code h} wide with a fused qkv (Qwen3-VL's, Step-3.7's Perception Encoder, Step3's): two biased
     * LayerNorms, a biased column-parallel qkv of {@code 3 x h}, a biased row-parallel output projection, and a biased
     * two-layer MLP of {@code inter} split as vLLM splits it.
     */
    private static void fusedQkvBlock(Tensors t, String b, long h, long inter, BlockNames n) {
        Component v = Component.VISION;
        t.norm(b + "." + n.norm1(), v, -1, h, true);
        t.norm(b + "." + n.norm2(), v, -1, h, true);
        t.linear(b + "." + n.qkv(), v, Sharding.COLUMN, -1, 3 * h, h, true);
        t.linear(b + "." + n.out(), v, Sharding.ROW, -1, h, h, true);
        t.linear(b + "." + n.fc1(), v, Sharding.COLUMN, -1, inter, h, true);
        t.linear(b + "." + n.fc2(), v, Sharding.ROW, -1, h, inter, true);
    }

    /** CLIP's encoder layers: biased q, k, v and out projections, two biased LayerNorms, a biased two-layer MLP. */
    private static void clipEncoder(Tensors t, String p, int layers, long h, long inter) {
        Component v = Component.VISION;
        for (int i = 0; i < layers; i++) {
            String l = p + ".encoder.layers." + i;
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                t.linear(l + ".self_attn." + proj, v, Sharding.REPLICATED, -1, h, h, true);
            }
            t.norm(l + ".layer_norm1", v, -1, h, true);
            t.norm(l + ".layer_norm2", v, -1, h, true);
            t.linear(l + ".mlp.fc1", v, Sharding.REPLICATED, -1, inter, h, true);
            t.linear(l + ".mlp.fc2", v, Sharding.REPLICATED, -1, h, inter, true);
        }
    }

    private static void merger(Tensors t, String p, long normDim, long merged, long outHidden) {
        t.norm(p + ".norm", Component.VISION, -1, normDim, true);
        t.linear(p + ".linear_fc1", Component.VISION, Sharding.COLUMN, -1, merged, merged, true);
        t.linear(p + ".linear_fc2", Component.VISION, Sharding.ROW, -1, outHidden, merged, true);
    }
}

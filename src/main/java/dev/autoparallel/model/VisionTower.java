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

    static void add(List<Tensor> out, ObjectNode vision, JsonNode root, int textHidden, String source, List<String> warnings) {
        ConfigFields f = new ConfigFields(vision, source + " vision_config");
        String type = f.optString("model_type").orElse("");
        boolean siglip = type.equals("siglip_vision_model");
        boolean clip = type.equals("clip_vision_model");
        if (!siglip && !clip) {
            warnings.add("vision_config of type '" + type + "' is not counted (known: siglip_vision_model, clip_vision_model)");
            return;
        }
        long h = f.requirePositive("hidden_size");
        long inter = f.requirePositive("intermediate_size");
        int layers = f.requirePositive("num_hidden_layers");
        long patch = f.requirePositive("patch_size");
        long image = f.requirePositive("image_size");
        long channels = f.optPositive("num_channels").orElse(3);
        if (image < patch) {
            throw f.invalid("image_size", f.node().get("image_size"), "at least patch_size (" + patch + ")");
        }
        long patches = (image / patch) * (image / patch);
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
        for (int i = 0; i < layers; i++) {
            String l = p + ".encoder.layers." + i;
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                t.linear(l + ".self_attn." + proj, Component.VISION, Sharding.REPLICATED, -1, h, h, true);
            }
            t.norm(l + ".layer_norm1", Component.VISION, -1, h, true);
            t.norm(l + ".layer_norm2", Component.VISION, -1, h, true);
            t.linear(l + ".mlp.fc1", Component.VISION, Sharding.REPLICATED, -1, inter, h, true);
            t.linear(l + ".mlp.fc2", Component.VISION, Sharding.REPLICATED, -1, h, inter, true);
        }
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
}

package dev.autoparallel.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoparallel.error.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads {@code quantization_config} into a {@link Quantization}. Unknown methods are refused. */
final class QuantizationParser {
    static final List<String> METHODS = List.of("fp8", "awq", "gptq", "bitsandbytes", "mxfp4", "mxfp8",
            "compressed-tensors", "modelopt", "fbgemm_fp8");

    private QuantizationParser() {
    }

    static Quantization parse(JsonNode q, String source) {
        if (q == null || q.isNull()) {
            return new Quantization.None();
        }
        ConfigFields f = new ConfigFields(q, source + " quantization_config");
        String method = f.optString("quant_method").orElseGet(() -> implicitMethod(f))
                .toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> excluded = new ArrayList<>();
        for (String key : List.of("modules_to_not_convert", "ignored_layers", "ignore", "llm_int8_skip_modules")) {
            excluded.addAll(f.stringList(key));
        }
        return switch (method) {
            case "fp8" -> fp8(f, excluded);
            case "fbgemm-fp8" -> new Quantization.FbgemmFp8(excluded);
            case "awq", "gptq" -> {
                int bits = f.optInt("bits", "w_bit").orElseThrow(() -> f.missing("bits", "w_bit"));
                if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
                    throw f.invalid("bits", q.get("bits"), "2, 3, 4 or 8");
                }
                String field = q.hasNonNull("group_size") ? "group_size" : "q_group_size";
                JsonNode g = q.get(field);
                if (g == null || g.isNull()) {
                    throw f.missing("group_size", "q_group_size");
                }
                // -1: one group per column (GPTQ's per-channel scheme); otherwise a positive group width.
                if (!g.isIntegralNumber() || !g.canConvertToInt() || g.asInt() == 0 || g.asInt() < -1
                        || g.asInt() > ConfigFields.MAX_DIMENSION) {
                    throw f.invalid(field, g, "a positive whole number of input features per group, or -1 for whole columns");
                }
                yield new Quantization.IntGroup(method, bits, g.asInt(), excluded);
            }
            case "bitsandbytes" -> {
                boolean four = f.optBool("load_in_4bit").orElse(false);
                boolean eight = f.optBool("load_in_8bit").orElse(false);
                if (four == eight) {
                    throw new InvalidConfigurationException("load_in_4bit", source
                            + ": quantization_config of bitsandbytes must set exactly one of load_in_4bit, load_in_8bit to true");
                }
                yield new Quantization.BitsAndBytes(four ? 4 : 8,
                        f.optBool("bnb_4bit_use_double_quant").orElse(false), excluded);
            }
            case "mxfp4" -> new Quantization.Mxfp4(excluded);
            case "mxfp8" -> {
                // FP8 values with one E8M0 byte per 32 along the input (MiniMax-M3-MXFP8: weight_block_size [1, 32]).
                List<Integer> block = f.intList("weight_block_size");
                if (!block.isEmpty() && !block.equals(List.of(1, 32))) {
                    throw f.invalid("weight_block_size", f.node().get("weight_block_size"), "[1, 32] (one scale per 32 values)");
                }
                yield new Quantization.Microscaled("mxfp8", 8, excluded);
            }
            case "compressed-tensors" -> compressed(f, excluded, source);
            case "modelopt" -> modelOpt(f, excluded);
            default -> throw new InvalidConfigurationException("quant_method", source
                    + ": quantization_config.quant_method was '" + method + "'; supported: " + String.join(", ", METHODS));
        };
    }

    /**
     * A {@code quantization_config} without {@code quant_method}: ModelOpt's (it names its
     * producer or a {@code quant_algo}), or an FP8 one described by {@code fmt},
     * {@code activation_scheme} or {@code weight_block_size}; anything else is refused.
     */
    private static String implicitMethod(ConfigFields f) {
        if ("modelopt".equals(f.node().path("producer").path("name").asText("")) || f.has("quant_algo")) {
            return "modelopt";
        }
        String fmt = f.has("fmt") ? f.node().get("fmt").asText("") : "";
        if (fmt.startsWith("e4m3") || fmt.startsWith("float8") || fmt.startsWith("e5m2")
                || f.has("activation_scheme") || f.has("weight_block_size")) {
            return "fp8";
        }
        throw new InvalidConfigurationException("quant_method", f.source() + ": quantization_config has no quant_method"
                + " and nothing that identifies its format (fmt e4m3, activation_scheme, weight_block_size, quant_algo);"
                + " supported: " + String.join(", ", METHODS));
    }

    /**
     * Reads ModelOpt's {@code hf_quant_config.json} (NVIDIA checkpoints ship it beside config.json,
     * and vLLM reads it for {@code --quantization modelopt}): its {@code quantization} object has
     * the same fields as a {@code quant_method: modelopt} quantization_config.
     */
    static Quantization parseHfQuantConfig(JsonNode hf, String source) {
        JsonNode q = hf == null ? null : hf.get("quantization");
        if (q == null || !q.isObject()) {
            throw new InvalidConfigurationException("quantization", source + ": hf_quant_config.json has no 'quantization' object");
        }
        ConfigFields f = new ConfigFields(q, source + " quantization");
        return modelOpt(f, List.of());
    }

    private static Quantization modelOpt(ConfigFields f, List<String> excluded) {
        List<String> all = new ArrayList<>(excluded);
        for (String e : f.stringList("exclude_modules")) {
            if (!all.contains(e)) {
                all.add(e);
            }
        }
        String algo = f.optString("quant_algo").orElseThrow(() -> f.missing("quant_algo")).toUpperCase(Locale.ROOT);
        Map<String, String> layers = new LinkedHashMap<>();
        if (algo.equals("MIXED_PRECISION")) {
            JsonNode listed = f.node().get("quantized_layers");
            if (listed == null || !listed.isObject() || listed.isEmpty()) {
                throw f.missing("quantized_layers");
            }
            for (Map.Entry<String, JsonNode> e : listed.properties()) {
                String layerAlgo = e.getValue().path("quant_algo").asText("").toUpperCase(Locale.ROOT);
                checkAlgorithm(f, "quantized_layers." + e.getKey() + ".quant_algo", layerAlgo, e.getValue());
                // ModelOpt lists experts one by one (experts.0.up_proj); the inventory holds them as experts.*.
                layers.put(e.getKey().replaceAll("\\.experts\\.\\d+\\.", ".experts.*."), layerAlgo);
            }
        } else {
            checkAlgorithm(f, "quant_algo", algo, f.node().get("quant_algo"));
        }
        JsonNode group = f.node().get("group_size");
        if (group != null && !group.isNull() && group.asInt() != Quantization.ModelOpt.NVFP4_BLOCK && algo.contains("NVFP4")) {
            throw f.invalid("group_size", group, String.valueOf(Quantization.ModelOpt.NVFP4_BLOCK) + " (NVFP4's block)");
        }
        return new Quantization.ModelOpt(algo, all, layers);
    }

    private static void checkAlgorithm(ConfigFields f, String field, String algo, JsonNode value) {
        if (!Quantization.ModelOpt.ALGORITHMS.contains(algo)) {
            throw new InvalidConfigurationException(field, f.source() + ": " + field + " was " + value
                    + "; supported ModelOpt algorithms: " + String.join(", ", Quantization.ModelOpt.ALGORITHMS)
                    + ", MIXED_PRECISION");
        }
    }

    private static Quantization fp8(ConfigFields f, List<String> excluded) {
        List<Integer> block = f.intList("weight_block_size");
        boolean isStatic = "static".equals(f.optString("activation_scheme").orElse("dynamic"));
        if (block.isEmpty()) {
            return new Quantization.Fp8(0, 0, isStatic, excluded);
        }
        if (block.size() != 2 || block.get(0) < 1 || block.get(1) < 1) {
            throw f.invalid("weight_block_size", f.node().get("weight_block_size"), "two positive whole numbers");
        }
        return new Quantization.Fp8(block.get(0), block.get(1), isStatic, excluded);
    }

    private static Quantization compressed(ConfigFields f, List<String> excluded, String source) {
        JsonNode groups = f.node().get("config_groups");
        if (groups == null || !groups.isObject() || groups.isEmpty()) {
            throw f.missing("config_groups");
        }
        // Several groups usually share one weight scheme; the first one that quantizes weights is used.
        for (Map.Entry<String, JsonNode> g : groups.properties()) {
            JsonNode w = g.getValue().get("weights");
            if (w == null || w.isNull()) {
                continue;
            }
            ConfigFields wf = new ConfigFields(w, source + " quantization_config.config_groups." + g.getKey() + ".weights");
            int bits = wf.requirePositive("num_bits");
            String type = wf.optString("type").orElse("int");
            String strategy = wf.optString("strategy").orElseThrow(() -> wf.missing("strategy"));
            int groupSize = wf.optInt("group_size").orElse(0);
            if ("tensor_group".equals(strategy)) {
                // NVFP4 (format nvfp4-pack-quantized): 4-bit floats in groups of 16 with FP8 scales.
                if (bits != 4 || !"float".equals(type) || groupSize != Quantization.ModelOpt.NVFP4_BLOCK) {
                    throw wf.invalid("strategy", w.get("strategy"), "tensor_group only with 4-bit float weights in groups of "
                            + Quantization.ModelOpt.NVFP4_BLOCK + " (NVFP4)");
                }
                JsonNode acts = g.getValue().get("input_activations");
                return new Quantization.CompressedNvfp4(acts != null && !acts.isNull(), excluded);
            }
            if (bits == 4 && "float".equals(type)) {
                // 4-bit floats in groups: MXFP4 (E8M0 byte scales per 32) is the only such format modelled.
                String format = g.getValue().path("format").asText(f.optString("format").orElse(""));
                if (!"mxfp4-pack-quantized".equals(format) || !"group".equals(strategy)
                        || groupSize != Quantization.CompressedMxfp4.GROUP) {
                    throw wf.invalid("strategy", w.get("strategy"), "4-bit float weights as format mxfp4-pack-quantized,"
                            + " strategy group, group_size " + Quantization.CompressedMxfp4.GROUP + ", or as NVFP4"
                            + " (tensor_group of " + Quantization.ModelOpt.NVFP4_BLOCK + ")");
                }
                return new Quantization.CompressedMxfp4(excluded);
            }
            List<Integer> block = wf.intList("block_structure");
            if ("group".equals(strategy) && !wf.has("group_size")) {
                throw wf.missing("group_size");
            }
            if ("group".equals(strategy) && groupSize < 1) {
                throw wf.invalid("group_size", w.get("group_size"), "a positive whole number for the group strategy");
            }
            if ("block".equals(strategy) && (block.size() != 2 || block.get(0) < 1 || block.get(1) < 1)) {
                throw wf.invalid("block_structure", w.get("block_structure"), "two positive whole numbers [rows, columns]");
            }
            if (!List.of("tensor", "channel", "group", "block").contains(strategy)) {
                throw wf.invalid("strategy", w.get("strategy"), "tensor, channel, group, block, tensor_group");
            }
            return new Quantization.CompressedTensors(bits, "float".equals(type), strategy, groupSize,
                    block.isEmpty() ? 0 : block.get(0), block.isEmpty() ? 0 : block.get(1),
                    wf.optBool("symmetric").orElse(true), excluded);
        }
        throw new InvalidConfigurationException("config_groups", source
                + ": compressed-tensors config_groups quantize no weights (activation-only schemes are not supported)");
    }
}

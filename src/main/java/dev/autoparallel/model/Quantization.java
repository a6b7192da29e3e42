package dev.autoparallel.model;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a checkpoint stores its linear weights. Each method says which tensors it packs, how many
 * bytes they take (packed values plus scales and zero points), and how many elements the
 * checkpoint's safetensors hold (what the Hub's "total" counts: a packed byte is one element).
 * Tensors a method does not pack stay at the checkpoint's 16-bit dtype.
 */
public sealed interface Quantization extends Serializable {

    /** The {@code quant_method} as Hugging Face writes it, or {@code none}. */
    String method();

    /** Module-path patterns the checkpoint keeps unquantized (modules_to_not_convert, ignore, ...). */
    List<String> excluded();

    /** Bytes of one packed tensor (values, scales, zero points). */
    long packedBytes(Tensor t, DType dtype);

    /** Safetensors elements of one packed tensor, scale tensors included. */
    long packedElements(Tensor t);

    /** Whether this method's default targets include the tensor (before the exclusion list). */
    default boolean targets(Tensor t) {
        return t.kind() == TensorKind.LINEAR && switch (t.component()) {
            case EMBEDDING, LM_HEAD, ROUTER, VISION -> false;
            default -> true;
        };
    }

    /** Whether the tensor is stored packed by this method. */
    default boolean packs(Tensor t) {
        if (!targets(t)) {
            return false;
        }
        if (excluded().isEmpty()) {
            return true;
        }
        return DecisionCache.of(this).computeIfAbsent(t.name(), name -> {
            String module = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : name;
            for (String pattern : excluded()) {
                if (matches(pattern, module)) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Bytes of a tensor's scales, zero points and index tensors alone (what the packed storage adds
     * beyond its values); 0 for tensors kept unpacked.
     */
    default long scaleBytes(Tensor t, DType dtype) {
        return 0;
    }

    default long bytes(Tensor t, DType dtype) {
        return packs(t) ? packedBytes(t, dtype) : t.numel() * t.dtypeOr(dtype).bytes();
    }

    default long elements(Tensor t) {
        return packs(t) ? packedElements(t) : t.numel();
    }

    /**
     * Hugging Face's exclusion semantics: {@code re:} patterns are regular expressions over the
     * module path; other patterns match whole dot-separated parts of it, {@code *} matching one part.
     */
    static boolean matches(String pattern, String module) {
        return ModulePatterns.hfMatches(pattern, module);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Unquantized checkpoint: every tensor at the config's dtype. */
    record None() implements Quantization {
        @Override public String method() { return "none"; }
        @Override public List<String> excluded() { return List.of(); }
        @Override public boolean targets(Tensor t) { return false; }
        @Override public long packedBytes(Tensor t, DType dtype) { return t.numel() * dtype.bytes(); }
        @Override public long packedElements(Tensor t) { return t.numel(); }
    }

    /**
     * FP8 (e4m3) weights. With {@code weight_block_size} [bo, bi] (DeepSeek-V3 style) each
     * bo x bi block has an fp32 scale; otherwise one fp32 scale per tensor, plus an fp32 input
     * scale when activations are quantized statically.
     */
    record Fp8(int blockOut, int blockIn, boolean staticActivations, List<String> excluded) implements Quantization {
        public Fp8 {
            excluded = List.copyOf(excluded);
        }

        public boolean blockScaled() {
            return blockOut > 0;
        }

        private long scales(Tensor t) {
            long perTensor = blockScaled() ? ceilDiv(t.out(), blockOut) * ceilDiv(t.in(), blockIn)
                    : 1 + (staticActivations ? 1 : 0);
            return perTensor * t.copies();
        }

        @Override public String method() { return "fp8"; }
        @Override public long scaleBytes(Tensor t, DType dtype) { return packs(t) ? 4 * scales(t) : 0; }
        @Override public long packedBytes(Tensor t, DType dtype) { return t.numel() + 4 * scales(t); }
        @Override public long packedElements(Tensor t) { return t.numel() + scales(t); }
    }

    /**
     * FBGEMM FP8 ({@code quant_method: fbgemm_fp8}, the Llama 4 Maverick FP8 checkpoint; vLLM
     * fbgemm_fp8.py): e4m3 weights with one FP32 scale per output channel ({@code weight_scale}
     * [out, 1]); activations are quantized dynamically per token, so nothing more is stored.
     */
    record FbgemmFp8(List<String> excluded) implements Quantization {
        public FbgemmFp8 {
            excluded = List.copyOf(excluded);
        }

        @Override public String method() { return "fbgemm_fp8"; }
        @Override public long packedBytes(Tensor t, DType dtype) { return (t.out() * t.in() + 4 * t.out()) * t.copies(); }
        @Override public long packedElements(Tensor t) { return (t.out() * t.in() + t.out()) * t.copies(); }
        @Override public long scaleBytes(Tensor t, DType dtype) { return packs(t) ? 4 * t.out() * t.copies() : 0; }
    }

    /**
     * AWQ / GPTQ integer weights: values packed {@code 32 / bits} to an int32, one 16-bit scale
     * and one packed zero point per group of {@code groupSize} input features (group -1 = whole
     * row); GPTQ also stores an int32 {@code g_idx} per input feature.
     */
    record IntGroup(String method, int bits, int groupSize, List<String> excluded) implements Quantization {
        public IntGroup {
            excluded = List.copyOf(excluded);
        }

        private long groups(Tensor t) {
            return groupSize <= 0 ? 1 : ceilDiv(t.in(), groupSize);
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            long perCopy = t.out() * t.in() * bits / 8
                    + groups(t) * t.out() * 2
                    + groups(t) * ceilDiv(t.out() * bits, 32) * 4
                    + ("gptq".equals(method) ? t.in() * 4 : 0);
            return perCopy * t.copies();
        }

        @Override public long scaleBytes(Tensor t, DType dtype) {
            return packs(t) ? packedBytes(t, dtype) - t.out() * t.in() * bits / 8 * t.copies() : 0;
        }

        @Override public long packedElements(Tensor t) {
            long perCopy = t.out() * t.in() * bits / 32
                    + groups(t) * t.out()
                    + groups(t) * ceilDiv(t.out() * bits, 32)
                    + ("gptq".equals(method) ? t.in() : 0);
            return perCopy * t.copies();
        }
    }

    /**
     * bitsandbytes. 8-bit: int8 values and an fp32 row scale. 4-bit (nf4/fp4): two values per
     * byte and an absmax per block of 64 (fp32, or int8 plus an fp32 per 256 blocks with double
     * quantization), and a 16-entry fp32 code book per tensor.
     */
    record BitsAndBytes(int bits, boolean doubleQuant, List<String> excluded) implements Quantization {
        public BitsAndBytes {
            excluded = List.copyOf(excluded);
        }

        private static final long BLOCK = 64;

        @Override public String method() { return "bitsandbytes"; }

        @Override public long scaleBytes(Tensor t, DType dtype) {
            if (!packs(t)) {
                return 0;
            }
            long values = bits == 8 ? t.out() * t.in() : ceilDiv(t.out() * t.in(), 2);
            return packedBytes(t, dtype) - values * t.copies();
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            if (bits == 8) {
                return (t.out() * t.in() + t.out() * 4) * t.copies();
            }
            long blocks = ceilDiv(t.out() * t.in(), BLOCK);
            long absmax = doubleQuant ? blocks + ceilDiv(blocks, 256) * 4 + 256 * 4 : blocks * 4;
            return (ceilDiv(t.out() * t.in(), 2) + absmax + 16 * 4) * t.copies();
        }

        @Override public long packedElements(Tensor t) {
            if (bits == 8) {
                return (t.out() * t.in() + t.out()) * t.copies();
            }
            long blocks = ceilDiv(t.out() * t.in(), BLOCK);
            long absmax = doubleQuant ? blocks + ceilDiv(blocks, 256) + 256 : blocks;
            return (ceilDiv(t.out() * t.in(), 2) + absmax + 16) * t.copies();
        }
    }

    /**
     * MXFP4 (gpt-oss): the routed experts only, two e2m1 values per byte and one e8m0 scale byte
     * per 32 values; everything else stays 16-bit.
     */
    record Mxfp4(List<String> excluded) implements Quantization {
        public Mxfp4 {
            excluded = List.copyOf(excluded);
        }

        @Override public String method() { return "mxfp4"; }
        @Override public boolean targets(Tensor t) {
            return t.kind() == TensorKind.LINEAR && t.component() == Component.ROUTED_EXPERTS;
        }
        @Override public long packedBytes(Tensor t, DType dtype) { return packedElements(t); }
        @Override public long packedElements(Tensor t) {
            return (ceilDiv(t.numel(), 2) + ceilDiv(t.numel(), 32));
        }
        @Override public long scaleBytes(Tensor t, DType dtype) { return packs(t) ? ceilDiv(t.numel(), 32) : 0; }
    }

    /**
     * compressed-tensors MXFP4 ({@code format: mxfp4-pack-quantized}, weights {@code type float}, 4 bits,
     * {@code strategy group} of 32, {@code scale_dtype torch.uint8}): {@code weight_packed} two e2m1 values
     * per byte and {@code weight_scale} one E8M0 byte per 32 values (Kimi-K3's experts, as its tensor
     * listing stores them). Exclusions ({@code ignore}) use Hugging Face's module-path semantics.
     */
    record CompressedMxfp4(List<String> excluded) implements Quantization {
        /** Values per E8M0 scale. */
        public static final int GROUP = 32;

        public CompressedMxfp4 {
            excluded = List.copyOf(excluded);
        }

        @Override public String method() { return "compressed-tensors"; }
        @Override public long packedBytes(Tensor t, DType dtype) { return packedElements(t); }
        @Override public long packedElements(Tensor t) {
            return (t.out() * ceilDiv(t.in(), 2) + t.out() * ceilDiv(t.in(), GROUP)) * t.copies();
        }
        @Override public long scaleBytes(Tensor t, DType dtype) {
            return packs(t) ? t.out() * ceilDiv(t.in(), GROUP) * t.copies() : 0;
        }
    }

    /**
     * compressed-tensors (llm-compressor): integer weights packed in int32 ({@code pack-quantized})
     * or fp8 weights ({@code float-quantized}); scales in the model dtype per tensor, channel,
     * group or block; packed zero points when asymmetric.
     */
    record CompressedTensors(int bits, boolean floatWeights, String strategy, int groupSize,
                             int blockOut, int blockIn, boolean symmetric, List<String> excluded)
            implements Quantization {
        public CompressedTensors {
            excluded = List.copyOf(excluded);
        }

        private long scalesPerCopy(Tensor t) {
            return switch (strategy) {
                case "tensor" -> 1;
                case "channel" -> t.out();
                case "group" -> t.out() * ceilDiv(t.in(), groupSize);
                case "block" -> ceilDiv(t.out(), blockOut) * ceilDiv(t.in(), blockIn);
                default -> throw new IllegalStateException("strategy " + strategy);
            };
        }

        @Override public String method() { return "compressed-tensors"; }

        @Override public long scaleBytes(Tensor t, DType dtype) {
            if (!packs(t)) {
                return 0;
            }
            long values = floatWeights ? t.out() * t.in() : t.out() * t.in() * bits / 8;
            return packedBytes(t, dtype) - values * t.copies();
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            long values = floatWeights ? t.out() * t.in() : t.out() * t.in() * bits / 8;
            long scales = scalesPerCopy(t) * dtype.bytes();
            long zeros = symmetric ? 0 : ceilDiv(scalesPerCopy(t) * bits, 32) * 4;
            // weight_shape: an int32 [2] per packed tensor (Kimi-K2.5's index total_size counts it as I32).
            long shape = floatWeights ? 0 : 8;
            return (values + scales + zeros + shape) * t.copies();
        }

        @Override public long packedElements(Tensor t) {
            long values = floatWeights ? t.out() * t.in() : t.out() * t.in() * bits / 32;
            long zeros = symmetric ? 0 : ceilDiv(scalesPerCopy(t) * bits, 32);
            long shape = floatWeights ? 0 : 2;
            return (values + scalesPerCopy(t) + zeros + shape) * t.copies();
        }
    }

    /**
     * compressed-tensors NVFP4 ({@code format: nvfp4-pack-quantized}, weights {@code type float},
     * 4 bits, {@code strategy tensor_group}, group 16): {@code weight_packed} two e2m1 values per
     * byte, {@code weight_scale} one FP8 E4M3 per 16 values, an FP32 {@code weight_global_scale}
     * per tensor, and an FP32 {@code input_global_scale} when activations are quantized too.
     * Exclusions ({@code ignore}) use Hugging Face's module-path semantics ({@code re:} regexes).
     */
    record CompressedNvfp4(boolean activations, List<String> excluded) implements Quantization {
        public CompressedNvfp4 {
            excluded = List.copyOf(excluded);
        }

        @Override public String method() { return "compressed-tensors"; }

        private long perCopy(Tensor t) {
            return ceilDiv(t.out() * t.in(), 2) + t.out() * ceilDiv(t.in(), ModelOpt.NVFP4_BLOCK);
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            return (perCopy(t) + 4 + (activations ? 4 : 0)) * t.copies();
        }

        @Override public long packedElements(Tensor t) {
            return (perCopy(t) + 1 + (activations ? 1 : 0)) * t.copies();
        }

        @Override public long scaleBytes(Tensor t, DType dtype) {
            return packs(t) ? packedBytes(t, dtype) - ceilDiv(t.out() * t.in(), 2) * t.copies() : 0;
        }
    }

    /**
     * NVIDIA ModelOpt checkpoints ({@code quant_method: modelopt}, or {@code hf_quant_config.json}).
     * NVFP4: two e2m1 values per byte, one FP8 (E4M3) scale per block of {@link #NVFP4_BLOCK}
     * values, and per tensor (per expert) an FP32 {@code weight_scale_2} and an FP32
     * {@code input_scale}; W4A16_NVFP4 has no input scale. FP8: e4m3 values with an FP32 weight
     * scale and an FP32 input scale per tensor. With {@code MIXED_PRECISION} each quantized module
     * is listed with its algorithm in {@code layerAlgorithms} and the rest stay 16-bit; otherwise
     * {@code algorithm} applies to every linear layer not matched by the {@code exclude_modules} /
     * {@code ignore} patterns (fnmatch semantics, as ModelOpt writes them).
     */
    final class ModelOpt implements Quantization {
        private static final long serialVersionUID = 1L;
        /** NVFP4's block: 16 values share one E4M3 scale (NVIDIA, "Introducing NVFP4", 2025; ModelOpt group_size 16). */
        public static final int NVFP4_BLOCK = 16;
        /** The algorithms whose storage is modelled here. */
        public static final List<String> ALGORITHMS = List.of("NVFP4", "W4A16_NVFP4", "FP8");
        /** Marks a module kept 16-bit in the memo (a map cannot hold null). */
        private static final String UNPACKED = "";

        private final String algorithm;
        private final List<String> excluded;
        private final Map<String, String> layerAlgorithms;
        /**
         * Each tensor's decision, computed once: exclusion lists run to hundreds of patterns and
         * every byte count asks again.
         */
        private transient volatile Map<String, String> memo;

        public ModelOpt(String algorithm, List<String> excluded, Map<String, String> layerAlgorithms) {
            this.algorithm = algorithm;
            this.excluded = List.copyOf(excluded);
            this.layerAlgorithms = Map.copyOf(layerAlgorithms);
        }

        public String algorithm() {
            return algorithm;
        }

        @Override public List<String> excluded() {
            return excluded;
        }

        public Map<String, String> layerAlgorithms() {
            return layerAlgorithms;
        }

        @Override public boolean equals(Object o) {
            return o instanceof ModelOpt m && m.algorithm.equals(algorithm) && m.excluded.equals(excluded)
                    && m.layerAlgorithms.equals(layerAlgorithms);
        }

        @Override public int hashCode() {
            return Objects.hash(algorithm, excluded, layerAlgorithms);
        }

        @Override public String toString() {
            return "ModelOpt[" + algorithm + ", " + excluded.size() + " exclusions, " + layerAlgorithms.size() + " listed layers]";
        }

        @Override public String method() { return "modelopt"; }

        /** The algorithm a tensor is stored with, or null when it stays 16-bit. */
        public String algorithmOf(Tensor t) {
            Map<String, String> m = memo;
            if (m == null) {
                m = new ConcurrentHashMap<>();
                memo = m;
            }
            String known = m.get(t.name());
            if (known == null) {
                String computed = decide(t);
                known = computed == null ? UNPACKED : computed;
                m.put(t.name(), known);
            }
            return known.isEmpty() ? null : known;
        }

        private String decide(Tensor t) {
            if (!targets(t)) {
                return null;
            }
            String module = t.name().endsWith(".weight") ? t.name().substring(0, t.name().length() - 7) : t.name();
            if (!layerAlgorithms.isEmpty()) {
                for (Map.Entry<String, String> e : layerAlgorithms.entrySet()) {
                    if (module.equals(e.getKey()) || module.startsWith(e.getKey() + ".")) {
                        return e.getValue();
                    }
                }
                return null;
            }
            for (String pattern : excluded) {
                if (fnmatch(pattern, module)) {
                    return null;
                }
            }
            return algorithm;
        }

        @Override public boolean packs(Tensor t) {
            return algorithmOf(t) != null;
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            long values = t.out() * t.in();
            long perCopy = switch (algorithmOf(t)) {
                case "NVFP4" -> ceilDiv(values, 2) + t.out() * ceilDiv(t.in(), NVFP4_BLOCK) + 4 + 4;
                case "W4A16_NVFP4" -> ceilDiv(values, 2) + t.out() * ceilDiv(t.in(), NVFP4_BLOCK) + 4;
                case "FP8" -> values + 4 + 4;
                default -> throw new IllegalStateException(algorithmOf(t));
            };
            return perCopy * t.copies();
        }

        @Override public long packedElements(Tensor t) {
            long values = t.out() * t.in();
            long perCopy = switch (algorithmOf(t)) {
                case "NVFP4" -> ceilDiv(values, 2) + t.out() * ceilDiv(t.in(), NVFP4_BLOCK) + 2;
                case "W4A16_NVFP4" -> ceilDiv(values, 2) + t.out() * ceilDiv(t.in(), NVFP4_BLOCK) + 1;
                case "FP8" -> values + 2;
                default -> throw new IllegalStateException(algorithmOf(t));
            };
            return perCopy * t.copies();
        }

        /** The FP32 per-tensor scales (weight_scale_2, input_scale: 0-dimensional tensors) stored for a tensor. */
        public long scalarScales(Tensor t) {
            if (!packs(t)) {
                return 0;
            }
            return ("W4A16_NVFP4".equals(algorithmOf(t)) ? 1 : 2) * t.copies();
        }

        /** Bytes of the scales alone (block scales and FP32 per-tensor scales) of one tensor. */
        @Override public long scaleBytes(Tensor t, DType dtype) {
            if (!packs(t)) {
                return 0;
            }
            long values = t.out() * t.in();
            long payload = "FP8".equals(algorithmOf(t)) ? values : ceilDiv(values, 2);
            return packedBytes(t, DType.BFLOAT16) - payload * t.copies();
        }

        /** Python's fnmatch: {@code *} any run of characters (dots included), {@code ?} one character. */
        static boolean fnmatch(String pattern, String module) {
            return ModulePatterns.fnmatch(pattern, module);
        }
    }

    /**
     * DeepSeek-V4's checkpoint format (vLLM deepseek_v4.py {@code DeepseekV4FP8Config}, read 2026-11-30):
     * linear weights in FP8 with one scale per {@code blockOut x blockIn} block, the scale an e8m0 byte
     * when the experts are FP4 (config {@code expert_dtype: fp4}, DeepSeek-V4-Flash) and FP32 when they
     * are FP8 ({@code expert_dtype: fp8}, the -Base checkpoint); routed experts as {@code experts} says:
     * {@code mxfp4} (two e2m1 values a byte, one e8m0 scale per 32 inputs: the checkpoint's
     * {@code experts.N.wK.scale} [out, in / 32]), {@code nvfp4} (ModelOpt re-quantization: an FP8 scale
     * per 16 inputs and two FP32 per-tensor scales) or {@code fp8} (block-scaled like the rest).
     * {@code nvfp4Excluded} are the ModelOpt ignore patterns (fnmatch) whose experts keep {@code expert_dtype}.
     */
    record DeepseekV4(int blockOut, int blockIn, int linearScaleBytes, String experts, String expertDtype,
                      List<String> nvfp4Excluded) implements Quantization {
        public DeepseekV4 {
            nvfp4Excluded = List.copyOf(nvfp4Excluded);
            if (!List.of("mxfp4", "nvfp4", "fp8").contains(experts) || !List.of("fp4", "fp8").contains(expertDtype)) {
                throw new IllegalArgumentException("experts " + experts + ", expert_dtype " + expertDtype);
            }
        }

        @Override public String method() { return "fp8"; }
        @Override public List<String> excluded() { return List.of(); }

        /** How one routed-expert tensor is stored: nvfp4 unless an ignore pattern names it, else the expert dtype. */
        String expertFormat(Tensor t) {
            if (experts.equals("nvfp4")) {
                String module = t.name().endsWith(".weight") ? t.name().substring(0, t.name().length() - 7) : t.name();
                boolean ignored = nvfp4Excluded.stream().anyMatch(p -> ModulePatterns.fnmatch(p, module));
                if (!ignored) {
                    return "nvfp4";
                }
            }
            return expertDtype.equals("fp4") ? "mxfp4" : "fp8";
        }

        private long blocks(Tensor t) {
            return ceilDiv(t.out(), blockOut) * ceilDiv(t.in(), blockIn);
        }

        private long payload(Tensor t) {
            String format = t.component() == Component.ROUTED_EXPERTS ? expertFormat(t) : "fp8";
            return (format.equals("fp8") ? t.out() * t.in() : ceilDiv(t.out() * t.in(), 2)) * t.copies();
        }

        @Override public long packedBytes(Tensor t, DType dtype) {
            String format = t.component() == Component.ROUTED_EXPERTS ? expertFormat(t) : "fp8";
            long perCopy = switch (format) {
                case "mxfp4" -> ceilDiv(t.out() * t.in(), 2) + t.out() * ceilDiv(t.in(), 32);
                case "nvfp4" -> ceilDiv(t.out() * t.in(), 2) + t.out() * ceilDiv(t.in(), ModelOpt.NVFP4_BLOCK) + 4 + 4;
                default -> t.out() * t.in() + blocks(t) * linearScaleBytes;
            };
            return perCopy * t.copies();
        }

        @Override public long packedElements(Tensor t) {
            String format = t.component() == Component.ROUTED_EXPERTS ? expertFormat(t) : "fp8";
            long perCopy = switch (format) {
                case "mxfp4" -> ceilDiv(t.out() * t.in(), 2) + t.out() * ceilDiv(t.in(), 32);
                case "nvfp4" -> ceilDiv(t.out() * t.in(), 2) + t.out() * ceilDiv(t.in(), ModelOpt.NVFP4_BLOCK) + 2;
                default -> t.out() * t.in() + blocks(t);
            };
            return perCopy * t.copies();
        }

        @Override public long scaleBytes(Tensor t, DType dtype) {
            return packs(t) ? packedBytes(t, dtype) - payload(t) : 0;
        }
    }

    /**
     * Microscaling formats: {@code valueBits} per value and one e8m0 scale byte per 32 values along the
     * input. Applied by vLLM at load time to a 16-bit checkpoint ({@code --quantization mxfp8 / mxfp4},
     * vLLM's online-quantization page, 0.29.0 docs: every Linear and MoE weight but the LM head), or
     * stored so in a checkpoint ({@code quant_method mxfp8}, {@code weight_block_size [1, 32]}: FP8
     * values and uint8 scales, MiniMax-M3-MXFP8) with its {@code ignored_layers}.
     */
    record Microscaled(String method, int valueBits, List<String> excluded) implements Quantization {
        public Microscaled {
            excluded = List.copyOf(excluded);
        }

        public Microscaled(String method, int valueBits) {
            this(method, valueBits, List.of());
        }

        @Override public long packedBytes(Tensor t, DType dtype) { return packedElements(t); }
        @Override public long packedElements(Tensor t) {
            return (ceilDiv(t.out() * t.in() * valueBits, 8) + t.out() * ceilDiv(t.in(), 32)) * t.copies();
        }
    }
}

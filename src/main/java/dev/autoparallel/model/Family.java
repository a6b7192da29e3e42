package dev.autoparallel.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Architecture families AutoParallel knows, by Hugging Face {@code model_type}. Each says how its
 * checkpoint is laid out (which builder walks it) and the defaults of its transformers config
 * class for fields that configs often leave out ({@code tie_word_embeddings}).
 */
public enum Family {
    LLAMA(false, Builders::llamaLike, "llama"),
    MISTRAL(false, Builders::llamaLike, "mistral"),
    MIXTRAL(false, Builders::llamaLike, "mixtral"),
    QWEN2(false, Builders::llamaLike, "qwen2"),
    QWEN2_MOE(false, Builders::llamaLike, "qwen2_moe"),
    QWEN3(false, Builders::llamaLike, "qwen3", "qwen3_vl_text"),
    QWEN3_MOE(false, Builders::llamaLike, "qwen3_moe", "qwen3_vl_moe_text"),
    QWEN3_NEXT(false, Qwen3NextBuilder::build, "qwen3_next"),
    QWEN3_5(false, Qwen3NextBuilder::build, "qwen3_5_text", "qwen3_5"),
    QWEN3_5_MOE(false, Qwen3NextBuilder::build, "qwen3_5_moe_text", "qwen3_5_moe"),
    DEEPSEEK_V2(false, Builders::llamaLike, "deepseek_v2"),
    DEEPSEEK_V3(false, Builders::llamaLike, "deepseek_v3", "kimi_k2"),
    DEEPSEEK_V32(false, Builders::llamaLike, "deepseek_v32"),
    DEEPSEEK_V4(false, DeepseekV4Builder::build, "deepseek_v4"),
    KIMI_LINEAR(false, KimiLinearBuilder::build, "kimi_linear"),
    GLM4_MOE(false, Builders::llamaLike, "glm4_moe"),
    GLM4_MOE_LITE(false, Builders::llamaLike, "glm4_moe_lite"),
    GLM_MOE_DSA(false, Builders::llamaLike, "glm_moe_dsa"),
    MINIMAX_M2(false, Builders::llamaLike, "minimax_m2"),
    /** MiniMax-M3: its text_config has no model_type of its own and is read as the wrapper's ({@code minimax_m3_vl_text}). */
    MINIMAX_M3(false, MiniMaxM3Builder::build, "minimax_m3_vl_text", "minimax_m3_vl", "minimax_m3"),
    MIMO(false, Builders::llamaLike, "mimo"),
    MIMO_V2(false, MiMoV2Builder::build, "mimo_v2_flash", "mimo_v2"),
    /** StepFun Step-3.5 and the text model of Step-3.7 (its {@code step3p7} wrapper adds a Perception Encoder). */
    STEP3P5(false, Step3p5Builder::build, "step3p5", "step3p7"),
    /** StepFun Step3 (2025): its language model inside the {@code step3_vl} wrapper. */
    STEP3(false, Step3Builder::build, "step3_text", "step3_vl"),
    GEMMA(true, Builders::llamaLike, "gemma"),
    GEMMA2(true, Builders::llamaLike, "gemma2"),
    GEMMA3(true, Builders::llamaLike, "gemma3_text", "gemma3"),
    GEMMA4(true, Gemma4Builder::build, "gemma4_text", "gemma4"),
    GEMMA3N(true, Gemma3nBuilder::build, "gemma3n_text", "gemma3n"),
    /** IBM Granite 3.x: a Llama decoder with scalar multipliers (embedding, attention, residual, logits) that add no weights. */
    GRANITE(false, Builders::llamaLike, "granite"),
    GRANITE_MOE_HYBRID(false, GraniteMoeHybridBuilder::build, "granitemoehybrid"),
    PHI(false, LegacyBuilders::phi, "phi"),
    PHI3(false, Builders::llamaLike, "phi3"),
    FALCON(true, LegacyBuilders::falcon, "falcon", "refinedweb", "refinedwebmodel"),
    GPT_NEOX(false, LegacyBuilders::gptNeox, "gpt_neox"),
    OPT(true, LegacyBuilders::opt, "opt"),
    GPT2(true, LegacyBuilders::gpt2, "gpt2"),
    GPT_BIGCODE(true, LegacyBuilders::gpt2, "gpt_bigcode"),
    GPT_OSS(false, Builders::llamaLike, "gpt_oss"),
    LLAMA4(false, Llama4Builder::build, "llama4_text", "llama4"),
    NEMOTRON_H(false, NemotronHBuilder::build, "nemotron_h"),
    NEMOTRON_NAS(false, NemotronNasBuilder::build, "nemotron-nas"),
    /** An unknown model_type with the standard decoder fields, read as a Llama-style decoder. */
    GENERIC(false, Builders::llamaLike);

    /** Walks a config and adds the model's tensors. */
    @FunctionalInterface
    interface Builder {
        Built build(ParsedDims dims, ConfigFields f, Family family);
    }

    /** What a builder finds beyond the common dimensions. */
    record Built(List<Tensor> tensors, ModelSpec.MlaDims mla, ModelSpec.MoeDims moe,
                 List<ModelSpec.Layer> layers, int kvHeads, int headDim, List<String> warnings) {
        Built {
            warnings = List.copyOf(warnings);
        }

        Built(List<Tensor> tensors, ModelSpec.MlaDims mla, ModelSpec.MoeDims moe,
              List<ModelSpec.Layer> layers, int kvHeads, int headDim) {
            this(tensors, mla, moe, layers, kvHeads, headDim, List.of());
        }
    }

    private final boolean tiedByDefault;
    private final Builder builder;
    private final List<String> modelTypes;

    Family(boolean tiedByDefault, Builder builder, String... modelTypes) {
        this.tiedByDefault = tiedByDefault;
        this.builder = builder;
        this.modelTypes = List.of(modelTypes);
    }

    /**
     * Whether vLLM's class for this family loads the checkpoint's encoder towers. MiMo-V2.5's architecture,
     * {@code MiMoV2ForCausalLM}, is the language model alone in vLLM (mimo_v2.py, read 2026-12-01; the class with the
     * towers is registered as {@code MiMoV2OmniForCausalLM}), while SGLang's loads them.
     */
    public boolean vllmLoadsEncoderTowers() {
        return this != MIMO_V2;
    }

    /** transformers' default for {@code tie_word_embeddings} in this family's config class. */
    public boolean tiedByDefault() {
        return tiedByDefault;
    }

    Builder builder() {
        return builder;
    }

    public List<String> modelTypes() {
        return modelTypes;
    }

    public static Optional<Family> forModelType(String modelType) {
        String m = modelType.toLowerCase(Locale.ROOT);
        for (Family f : values()) {
            if (f.modelTypes.contains(m)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Every model_type with a dedicated family, for messages. */
    public static List<String> knownModelTypes() {
        return Arrays.stream(values()).flatMap(f -> f.modelTypes.stream()).toList();
    }
}

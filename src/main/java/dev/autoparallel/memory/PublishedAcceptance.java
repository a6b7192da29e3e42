package dev.autoparallel.memory;

import dev.autoparallel.model.ModelSpec;
import java.util.List;
import java.util.Optional;

/**
 * Published speculative-decoding acceptance, the default when none is given: vLLM-style per-position rates (the share
 * of drafts whose i-th token is accepted) for a family's own MTP layers or a named EAGLE-3 head, up to the number of
 * draft tokens the publication measured. Anything else (other families, more draft tokens, n-gram drafting, whose acceptance depends on
 * how much the output repeats the prompt) has no default and must be given.
 *
 * @param key       what the figure was published for: the model's config model_type (MTP), or the draft head's id
 *                  (EAGLE-3)
 * @param method    the drafter
 * @param rates     per-position rates for the longest draft measured; shorter drafts take its first positions
 * @param source    the publication, what it measured and how the rates were derived
 */
record PublishedAcceptance(String key, SpeculativeDecoding.Method method, List<Double> rates, String source) {
    private static final String VLLM_EAGLE3_BASELINES =
            "vLLM tests/v1/spec_decode/test_acceptance_length.py: MT-Bench, 3 draft tokens, temperature 0";

    /**
     * The figures known (read 2026-11-30):
     * <ul>
     *   <li>DeepSeek-V3 (and R1, the same architecture and MTP module): "the acceptance rate of the second token
     *       prediction ranges between 85% and 90% across various generation topics" with one MTP module drafting one
     *       token (DeepSeek-V3 Technical Report, arXiv 2412.19437, section 5.4.3); the lower end is taken. HabanaAI
     *       vllm-fork PR #1254 measured 0.84 for DeepSeek-R1 with one draft token.</li>
     *   <li>Qwen3-Next: Qwen3-Next-80B-A3B-Instruct's own MTP head, three draft tokens on GSM8K, conditional rates
     *       0.873, 0.778, 0.675 (vllm-project/speculators PR #366), as vLLM's unconditional per-position rates 0.873,
     *       0.679, 0.458 (their running products). GSM8K repeats its prompt's numbers: chat traffic accepts less.</li>
     *   <li>MiMo-7B: "with one MTP layer for speculative decoding, the acceptance rate is about 90%" (XiaomiMiMo/MiMo
     *       README, Model Details).</li>
     *   <li>EAGLE-3 heads of RedHat's Speculators, three draft tokens on MT-Bench at temperature 0, vLLM's per-position
     *       rates (vllm-project/vllm tests/v1/spec_decode/test_acceptance_length.py baselines): Llama-3.1-8B-Instruct
     *       0.7296, 0.5208, 0.3545; Qwen3-8B 0.6541, 0.3993, 0.2020; gpt-oss-20b 0.7165, 0.5120, 0.3337.</li>
     * </ul>
     */
    static final List<PublishedAcceptance> KNOWN = List.of(
            new PublishedAcceptance("deepseek_v3", SpeculativeDecoding.Method.MTP, List.of(0.85),
                    "DeepSeek-V3 Technical Report (arXiv 2412.19437) section 5.4.3: second-token acceptance 85-90%, lower end"),
            new PublishedAcceptance("qwen3_next", SpeculativeDecoding.Method.MTP, List.of(0.873, 0.679, 0.458),
                    "vllm-project/speculators PR #366: Qwen3-Next-80B-A3B MTP head, 3 draft tokens, GSM8K"),
            new PublishedAcceptance("mimo", SpeculativeDecoding.Method.MTP, List.of(0.90),
                    "XiaomiMiMo/MiMo README: about 90% with one MTP layer"),
            new PublishedAcceptance("RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3", SpeculativeDecoding.Method.EAGLE3,
                    List.of(0.7296, 0.5208, 0.3545), VLLM_EAGLE3_BASELINES),
            new PublishedAcceptance("RedHatAI/Qwen3-8B-speculator.eagle3", SpeculativeDecoding.Method.EAGLE3,
                    List.of(0.6541, 0.3993, 0.2020), VLLM_EAGLE3_BASELINES),
            new PublishedAcceptance("RedHatAI/gpt-oss-20b-speculator.eagle3", SpeculativeDecoding.Method.EAGLE3,
                    List.of(0.7165, 0.5120, 0.3337), VLLM_EAGLE3_BASELINES));

    /**
     * The published rates for {@code sd}'s draft length and method on {@code spec}: by the model's model_type for its MTP
     * layers, by the draft head's id for EAGLE-3; empty where none cover the draft length.
     */
    static Optional<PublishedAcceptance> find(ModelSpec spec, SpeculativeDecoding sd) {
        String key = sd.method() == SpeculativeDecoding.Method.EAGLE3 ? sd.draftModel() : spec.modelType();
        return KNOWN.stream().filter(p -> p.method == sd.method() && p.key.equals(key)
                && p.rates.size() >= sd.numSpeculativeTokens()).findFirst();
    }

    /** The first {@code k} positions' rates. */
    List<Double> rates(int k) {
        return rates.subList(0, k);
    }
}

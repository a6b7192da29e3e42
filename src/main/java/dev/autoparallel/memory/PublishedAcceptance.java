package dev.autoparallel.memory;

import dev.autoparallel.model.ModelSpec;
import java.util.List;
import java.util.Optional;

/**
 * Published speculative-decoding acceptance, the default when none is given: vLLM-style per-position rates (the share
 * of drafts whose i-th token is accepted) for a family's own MTP layers, up to the number of draft tokens the
 * publication measured. Anything else (other families, more draft tokens, n-gram drafting, whose acceptance depends on
 * how much the output repeats the prompt) has no default and must be given.
 *
 * @param modelType the config model_type the figure was published for
 * @param method    the drafter
 * @param rates     per-position rates for the longest draft measured; shorter drafts take its first positions
 * @param source    the publication, what it measured and how the rates were derived
 */
record PublishedAcceptance(String modelType, SpeculativeDecoding.Method method, List<Double> rates, String source) {

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
     * </ul>
     */
    static final List<PublishedAcceptance> KNOWN = List.of(
            new PublishedAcceptance("deepseek_v3", SpeculativeDecoding.Method.MTP, List.of(0.85),
                    "DeepSeek-V3 Technical Report (arXiv 2412.19437) section 5.4.3: second-token acceptance 85-90%, lower end"),
            new PublishedAcceptance("qwen3_next", SpeculativeDecoding.Method.MTP, List.of(0.873, 0.679, 0.458),
                    "vllm-project/speculators PR #366: Qwen3-Next-80B-A3B MTP head, 3 draft tokens, GSM8K"),
            new PublishedAcceptance("mimo", SpeculativeDecoding.Method.MTP, List.of(0.90),
                    "XiaomiMiMo/MiMo README: about 90% with one MTP layer"));

    /** The published rates for {@code k} draft tokens of {@code method} on {@code spec}'s model_type, if any cover k. */
    static Optional<PublishedAcceptance> find(ModelSpec spec, SpeculativeDecoding.Method method, int k) {
        return KNOWN.stream().filter(p -> p.modelType.equals(spec.modelType()) && p.method == method && p.rates.size() >= k).findFirst();
    }

    /** The first {@code k} positions' rates. */
    List<Double> rates(int k) {
        return rates.subList(0, k);
    }
}

package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.model.ModelSpec;
import java.io.Serializable;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Speculative decoding as the engine runs it: a drafter proposes {@code numSpeculativeTokens} tokens per sequence
 * and step, the model verifies them in one forward pass of {@code 1 + k} tokens per sequence, and the accepted prefix
 * plus one token of its own come out of that step.
 *
 * @param method               who drafts: the checkpoint's MTP layers, an EAGLE-3 head, or prompt n-grams;
 *                             {@link Method#NONE} for off
 * @param numSpeculativeTokens draft tokens per sequence and step (vLLM {@code num_speculative_tokens}, SGLang
 *                             {@code --speculative-num-steps}, TensorRT-LLM {@code num_nextn_predict_layers} /
 *                             {@code max_draft_len})
 * @param acceptance           per draft position i, the share of drafts whose i-th token is accepted (vLLM's logged
 *                             "per-position acceptance rate": unconditional, so it cannot rise from one position to the
 *                             next); one entry per position
 * @param acceptanceSource     where the rates come from: a publication, or "given" when the user set them
 * @param draftModel           EAGLE-3: the draft head's id or path (vLLM's {@code model}); null for the other methods
 * @param draft                EAGLE-3: the draft head read from its config, null until {@link #withDraft} (a sweep spec
 *                             names the draft; the job reads it)
 */
public record SpeculativeDecoding(Method method, int numSpeculativeTokens, List<Double> acceptance, String acceptanceSource,
                                  String draftModel, Eagle3Draft draft)
        implements Serializable {

    /** No speculative decoding. */
    public static final SpeculativeDecoding NONE = new SpeculativeDecoding(Method.NONE, 0, List.of(), "", null, null);
    /** The most draft tokens accepted here: vLLM's own examples stop well below (1-5); more is refused, not modelled. */
    public static final int MAX_SPECULATIVE_TOKENS = 16;

    /** Who proposes the draft tokens. */
    public enum Method {
        /** Off. */
        NONE("none"),
        /**
         * The checkpoint's multi-token-prediction layers (DeepSeek-V3/R1/V3.2, GLM-5, Qwen3-Next / Qwen3.5, MiMo,
         * Nemotron 3): loaded beside the model, with a KV cache of their own, run once per draft token.
         */
        MTP("mtp"),
        /**
         * An EAGLE-3 draft head ({@link Eagle3Draft}): its own small checkpoint, run once per draft token over three of
         * the model's hidden states, with a KV cache of its own layer.
         */
        EAGLE3("eagle3"),
        /** Prompt lookup: draft tokens copied from earlier n-grams of the sequence, on the CPU; no weights, no KV. */
        NGRAM("ngram");

        private final String key;

        Method(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        /** Whether the drafter runs forward passes on the GPU (its layers' weights and KV cache are held there). */
        public boolean gpuDrafter() {
            return this == MTP || this == EAGLE3;
        }

        public static Method parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (Method m : values()) {
                if (m.key.equals(v)) {
                    return m;
                }
            }
            throw new InvalidConfigurationException("speculative_method", "speculative method was '" + s + "'; allowed: "
                    + Arrays.stream(values()).map(Method::key).collect(Collectors.joining(", ")));
        }
    }

    public SpeculativeDecoding {
        if (method == null) {
            throw new InvalidConfigurationException("speculative_method", "speculative method is missing; allowed: "
                    + Arrays.stream(Method.values()).map(Method::key).collect(Collectors.joining(", ")));
        }
        acceptance = List.copyOf(acceptance);
        if (method == Method.NONE) {
            if (numSpeculativeTokens != 0 || !acceptance.isEmpty()) {
                throw new InvalidConfigurationException("num_speculative_tokens", "speculative decoding is off (method none);"
                        + " num_speculative_tokens and the acceptance rates apply only with a method");
            }
        } else {
            if (numSpeculativeTokens < 1 || numSpeculativeTokens > MAX_SPECULATIVE_TOKENS) {
                throw new InvalidConfigurationException("num_speculative_tokens", "num_speculative_tokens was "
                        + numSpeculativeTokens + "; allowed: 1 to " + MAX_SPECULATIVE_TOKENS);
            }
            if (!acceptance.isEmpty() && acceptance.size() != numSpeculativeTokens) {
                throw new InvalidConfigurationException("speculative_acceptance", "speculative acceptance has "
                        + acceptance.size() + " rate(s) for " + numSpeculativeTokens + " draft token(s); give one per draft"
                        + " position, or one for all");
            }
            if ((method == Method.EAGLE3) != (draftModel != null)) {
                throw new InvalidConfigurationException("speculative_draft_model", method == Method.EAGLE3
                        ? "eagle3 drafts with a draft head: give its model id or path (vLLM's speculative model)"
                        : "a draft model applies only to eagle3; " + method.key() + " drafts without one");
            }
            double before = 1;
            for (double a : acceptance) {
                if (!(a >= 0 && a <= 1)) {
                    throw new InvalidConfigurationException("speculative_acceptance", "speculative acceptance rate was "
                            + a + "; allowed: a probability from 0 to 1");
                }
                if (a > before) {
                    throw new InvalidConfigurationException("speculative_acceptance", "speculative acceptance rates "
                            + acceptance + " rise from one position to the next; per-position rates (vLLM's) count a"
                            + " token as accepted only when every token before it was, so each is at most the one before");
                }
                before = a;
            }
        }
    }

    /**
     * Speculative decoding by {@code method} with {@code k} draft tokens per step at the rates given, as vLLM logs them
     * (one per position); one rate for several positions is each token's acceptance once the tokens before it were
     * accepted, {@code a}, so position i's rate is {@code a^i}. No rates: the published ones for the model, looked up
     * by {@link #resolvedFor} once the model is known.
     */
    public static SpeculativeDecoding of(Method method, int k, List<Double> given) {
        return of(method, k, given, null);
    }

    /** As {@link #of(Method, int, List)}, with EAGLE-3's draft head named by id or path ({@code draftModel}). */
    public static SpeculativeDecoding of(Method method, int k, List<Double> given, String draftModel) {
        if (method == Method.NONE) {
            if (k != 0 || given != null && !given.isEmpty() || draftModel != null) {
                throw new InvalidConfigurationException("num_speculative_tokens", "num_speculative_tokens, the"
                        + " acceptance rates and a draft model apply only with a speculative method (mtp, eagle3 or ngram)");
            }
            return NONE;
        }
        if (given == null || given.isEmpty()) {
            return new SpeculativeDecoding(method, k, List.of(), "", draftModel, null);
        }
        List<Double> rates = given;
        if (given.size() == 1 && k > 1) {
            double a = given.get(0);
            rates = new ArrayList<>();
            for (int i = 1; i <= k; i++) {
                rates.add(Math.pow(a, i));
            }
        }
        return new SpeculativeDecoding(method, k, rates, "given", draftModel, null);
    }

    /** This EAGLE-3 speculative decoding with its draft head read. */
    public SpeculativeDecoding withDraft(Eagle3Draft head) {
        if (method != Method.EAGLE3) {
            throw new IllegalStateException("a draft head is EAGLE-3's");
        }
        return new SpeculativeDecoding(method, numSpeculativeTokens, acceptance, acceptanceSource, draftModel, head);
    }

    /** Whether the acceptance rates are known (given, or looked up for the model). */
    public boolean resolved() {
        return !enabled() || !acceptance.isEmpty();
    }

    /**
     * This speculative decoding for {@code spec}: as it is when its rates were given, else with the published rates
     * for the model's {@code model_type}, method and draft length, refused (naming the field) where none are published.
     */
    public SpeculativeDecoding resolvedFor(ModelSpec spec) {
        if (resolved()) {
            return this;
        }
        PublishedAcceptance p = PublishedAcceptance.find(spec, this).orElseThrow(() ->
                new InvalidConfigurationException("speculative_acceptance", "no published acceptance rate is known for "
                        + method.key() + " with " + numSpeculativeTokens + " draft token(s) on " + spec.modelId()
                        + (draftModel != null ? " drafted by " + draftModel : " (model_type " + spec.modelType() + ")")
                        + "; give the rates your traffic sees (vLLM logs them as the per-position acceptance rate)"));
        return new SpeculativeDecoding(method, numSpeculativeTokens, p.rates(numSpeculativeTokens), p.source(), draftModel,
                draft);
    }

    public boolean enabled() {
        return method != Method.NONE;
    }

    /**
     * Tokens one sequence gains per verification step: the accepted draft tokens plus the one the model samples
     * itself, {@code 1 + sum of the per-position rates} (vLLM's mean acceptance length); 1 when off.
     */
    public double meanTokensPerStep() {
        if (!resolved()) {
            throw new IllegalStateException("speculative acceptance not resolved for the model: EngineSettings.forModel");
        }
        double tokens = 1;
        for (double a : acceptance) {
            tokens += a;
        }
        return tokens;
    }
}

package dev.autoparallel.perf;

/**
 * A scheduler rule that holds a new prompt back before its prefill, so that it runs in a step with others: TensorRT-LLM's
 * batch waiting ({@link BatchWait}) and its attention data-parallel balance ({@link AdpBalance}). Off by default in
 * every engine; some published recipes turn one on, and their measured runs wait for it.
 */
interface PromptHold {
    /**
     * Mean seconds a new prompt of {@code promptTokens} is held when prompts arrive at {@code arrivalsPerS} on one
     * replica (one attention data-parallel rank) while {@code decoding} requests decode there in steps of {@code stepS}.
     */
    double meanHoldSeconds(double arrivalsPerS, int promptTokens, double decoding, double stepS);

    /** The engine settings that turn the hold on, as the engine spells them; null where it holds nothing. */
    String settings();

    /**
     * The mean hold of prompts released together at the end of a hold of {@code w} seconds that the first of them
     * opened, with prompts arriving at {@code arrivalsPerS} meanwhile (Poisson: {@code arrivalsPerS x w} of them, each
     * waiting {@code w / 2} on average; the opener waits {@code w}): {@code w (1 + lambda w / 2) / (1 + lambda w)}.
     */
    static double meanOfHold(double w, double arrivalsPerS) {
        if (!(w > 0)) {
            return 0;
        }
        double joining = arrivalsPerS * w;
        return w * (1 + joining / 2) / (1 + joining);
    }
}

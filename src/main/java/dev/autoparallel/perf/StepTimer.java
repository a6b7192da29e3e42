package dev.autoparallel.perf;

/** How long one engine step of a replica takes, for a scheduler simulation. */
public interface StepTimer {
    /**
     * One step that decodes one token for {@code decodeSequences} requests whose context averages
     * {@code meanContextTokens}, and prefills {@code prefillTokens} prompt tokens (chunked prefill).
     */
    double stepSeconds(int decodeSequences, double meanContextTokens, int prefillTokens);

    /** Per-request latency outside the steps (tokenisation, scheduling, the first forward's set-up), added to TTFT. */
    double requestOverheadSeconds();

    /**
     * Time to first token that no step accounts for: the engine's front end (HTTP, tokenisation,
     * scheduling and streaming for {@code concurrency} requests), as the throughput model's fitted
     * queue term for a prompt of {@code promptTokens}.
     */
    double frontEndDelaySeconds(double concurrency, int promptTokens);
}

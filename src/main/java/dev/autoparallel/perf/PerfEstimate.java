package dev.autoparallel.perf;

/**
 * Speed of one layout for a workload, as a steady-state serving benchmark at fixed concurrency
 * would measure it (vLLM's benchmark_serving / SGLang's bench_serving with max concurrency).
 *
 * @param effectiveConcurrency requests one replica holds at once: the workload's, capped by its KV cache
 * @param decodingSequences    of those, the mean number past their first token and decoding: the decode batch of a step
 * @param tokensPerSecond      generated (output) tokens per second, all replicas
 * @param requestsPerSecond    completed requests per second, all replicas
 * @param bound                what limits a decode step: {@code memory} (weights and KV reads) or {@code compute}
 */
public record PerfEstimate(double ttftMs, double tpotMs, double tokensPerSecond, double tokensPerSecondPerGpu,
                           double requestsPerSecond, double effectiveConcurrency, double decodingSequences, String bound) {
}

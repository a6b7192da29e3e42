package dev.autoparallel.core;

/**
 * What one GPU (TP 1) needs to serve a model under vLLM's defaults, in bytes.
 *
 * @param minimumBytes      GPU memory at which the engine starts with one request of {@code sequenceLength}
 * @param recommendedBytes  the same for 32 concurrent requests
 * @param kvBytesPerSequence KV cache of one sequence of {@code sequenceLength} tokens
 * @param supportsQuantization whether a smaller format than the checkpoint's exists for it in vLLM (fp8 or 4-bit)
 */
public record Requirements(String modelId, long paramCount, int sequenceLength, long weightsBytes, long minimumBytes,
                           long recommendedBytes, long kvBytesPerSequence, long activationBytes, long overheadBytes,
                           long fp8WeightsBytes, long int4WeightsBytes, boolean supportsQuantization) {
}

package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * vLLM's own view of a layout, as its start-up log reports it: the KV cache left after weights,
 * activations and overhead at {@code gpu_memory_utilization}, in GiB and in tokens, and how many
 * requests of {@code max_model_len} tokens it holds.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EngineView(String vllmVersion, String engine, double gpuMemoryUtilization, int maxModelLen,
                         int maxNumSeqs, int maxNumBatchedTokens, int blockSize, double kvCacheGb, long kvCacheTokens,
                         double maxConcurrency, double clusterMaxConcurrency) {
}

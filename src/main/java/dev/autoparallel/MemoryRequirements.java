package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The seed's {@code check_memory_requirements}: GiB for one GPU (TP 1) under vLLM's defaults.
 *
 * @param modelSizeGb          weights as served (16-bit or the checkpoint's quantization)
 * @param minimumMemoryGb      GPU memory at which vLLM (at the release's default gpu_memory_utilization) starts with one request of sequence_length
 * @param recommendedMemoryGb  the same for 32 concurrent requests of sequence_length (the seed's default batch)
 * @param supportsQuantization whether a smaller checkpoint format exists for it in vLLM (fp8 or 4-bit) beyond what it has
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MemoryRequirements(double modelSizeGb, double minimumMemoryGb, double recommendedMemoryGb,
                                 boolean supportsQuantization, String modelId, long paramCount, int sequenceLength,
                                 double kvCacheGbPerSequence, double activationsGb, double frameworkOverheadGb,
                                 double fp8ModelSizeGb, double int4ModelSizeGb) {
}

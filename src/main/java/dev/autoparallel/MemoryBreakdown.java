package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Memory per GPU in GiB (2^30 bytes), as the seed's {@code memory_breakdown}; the parts sum to {@code total}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MemoryBreakdown(double weights, double activations, double kvCache, double frameworkOverhead, double total) {
}

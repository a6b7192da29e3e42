package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The seed's {@code estimate_cost}: the GPUs the best (fewest-GPU) layout needs, priced on the
 * cheapest matching offer of the price table.
 *
 * @param costPerGpuHour effective USD per needed GPU-hour (whole-instance billing included)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CostEstimate(int gpusNeeded, double estimatedMonthlyCostUsd, double costPerGpuHour, String assumptions,
                           String provider, String instance, int instances, int billedGpus, double hoursPerMonth,
                           String priceAsOf) {
}

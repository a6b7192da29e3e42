package dev.autoparallel.plan;

import java.io.Serializable;
import java.util.List;

/**
 * A fleet plan: one answer per hardware option and the recommended one (the cheapest aggregated fleet that meets the
 * targets), or null.
 *
 * @param recommendedDisaggregated the cheapest disaggregated fleet that meets the targets where it beats
 *                                 {@code recommended} (cheaper, or as cheap on fewer GPUs), else null
 */
public record PlanResult(String modelId, Traffic traffic, Slo slo, List<OptionPlan> options, FleetPlan recommended,
                         DisaggregatedPlan recommendedDisaggregated)
        implements Serializable {
}

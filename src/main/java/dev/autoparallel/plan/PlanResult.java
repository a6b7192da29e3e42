package dev.autoparallel.plan;

import java.io.Serializable;
import java.util.List;

/** A fleet plan: one answer per hardware option and the recommended one (the cheapest that meets the targets), or null. */
public record PlanResult(String modelId, Traffic traffic, Slo slo, List<OptionPlan> options, FleetPlan recommended)
        implements Serializable {
}

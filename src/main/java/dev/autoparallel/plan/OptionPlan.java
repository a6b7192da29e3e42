package dev.autoparallel.plan;

import java.io.Serializable;
import java.util.List;

/**
 * The answer for one hardware option.
 *
 * @param best         the cheapest plan whose simulated percentiles meet the targets, or null
 * @param alternatives other layouts, sized by the analytic model, cheapest first
 * @param pareto       the frontier of tokens/s per GPU against tokens/s per user over the fitting layouts
 * @param miss         why there is no best plan, or null
 * @param disaggregated the cheapest prefill/decode-disaggregated fleet of this option that the analytic pool model sizes,
 *                     or null: none meets the targets, the GPUs are AMD's, or (an analytic plan, as a sweep cell asks)
 *                     it does not beat {@code best}
 */
public record OptionPlan(String hardware, FleetPlan best, List<FleetPlan> alternatives, List<ParetoPoint> pareto, Miss miss,
                         DisaggregatedPlan disaggregated)
        implements Serializable {
}

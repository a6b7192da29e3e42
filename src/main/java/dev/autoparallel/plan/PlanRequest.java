package dev.autoparallel.plan;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.ServingEngine;
import java.util.List;
import java.util.Objects;

/**
 * What a fleet plan is asked: the model as its checkpoint stands, the hardware options, the
 * traffic, the targets, the engine and its settings, and the prices.
 *
 * @param headroom share of a replica's saturated throughput the plan may use (0.8: a fifth kept for bursts)
 * @param owned    the inputs of the cost of owning the fleet (power price, PUE, write-off years)
 * @param simulate check the chosen plans with the scheduler simulation (false: analytic figures only, as a
 *                 large sweep ranks its cells; the report then simulates the plans it recommends)
 */
public record PlanRequest(ModelSpec model, List<HardwareOption> hardware, Traffic traffic, Slo slo, ServingEngine engine,
                          EngineSettings settings, PriceTable prices, double hoursPerMonth, double headroom,
                          OwnedCost owned, boolean simulate) {
    /** Share of a replica's saturated throughput a plan uses by default. */
    public static final double DEFAULT_HEADROOM = 0.8;

    /** The same request for another traffic, or with the simulation switched. */
    public PlanRequest with(Traffic t, boolean sim) {
        return new PlanRequest(model, hardware, t, slo, engine, settings, prices, hoursPerMonth, headroom, owned, sim);
    }

    public PlanRequest {
        hardware = List.copyOf(hardware);
        Objects.requireNonNull(owned, "owned");
        if (hardware.isEmpty()) {
            throw new InvalidConfigurationException("gpu", "give at least one hardware option");
        }
        if (!(headroom > 0 && headroom <= 1)) {
            throw new InvalidConfigurationException("headroom", "headroom was " + headroom + "; allowed: above 0 and at most 1");
        }
        if (!(hoursPerMonth > 0 && hoursPerMonth <= 744)) {
            throw new InvalidConfigurationException("hours_per_month", "hours_per_month was " + hoursPerMonth
                    + "; allowed: above 0 and at most 744");
        }
    }
}

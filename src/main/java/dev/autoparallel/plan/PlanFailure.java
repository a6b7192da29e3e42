package dev.autoparallel.plan;

import java.util.Locale;

/** Why a hardware option has no plan that meets the targets. */
public enum PlanFailure {
    /** No layout holds the model with the longest request. */
    DOES_NOT_FIT,
    /** Even one request alone on the fastest layout misses the TPOT target. */
    TPOT_TARGET,
    /** Even one request alone on the fastest layout misses the TTFT target. */
    TTFT_TARGET,
    /** The nodes given cannot hold enough replicas for the rate. */
    NOT_ENOUGH_GPUS,
    /** The analytic search found plans, but their simulated percentiles miss the targets. */
    SIMULATION_MISSED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

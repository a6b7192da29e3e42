package dev.autoparallel.report;

import java.util.Locale;

/** Why a sweep cell has no result; its key is the {@code failure_reason} column. */
public enum FailureReason {
    /** No layout holds the workload (the detail says what would). */
    DOES_NOT_FIT,
    /** The cell's input is refused (a sequence beyond the model's maximum, a bad config). */
    INVALID_INPUT,
    /** The model could not be found or reached. */
    MODEL_UNAVAILABLE,
    /** Traffic cells: no fleet of this hardware meets the latency targets (the detail says by how much and what would). */
    SLO_NOT_MET,
    /** Anything unexpected. */
    ERROR;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

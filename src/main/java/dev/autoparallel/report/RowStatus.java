package dev.autoparallel.report;

import java.util.Locale;

/** Whether a sweep row is a result or its cell's failure; its key is the {@code status} column. */
public enum RowStatus {
    /** A ranked layout or fleet of the cell. */
    OK,
    /** The cell has no result; {@code failure_reason} says why. */
    FAILED;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

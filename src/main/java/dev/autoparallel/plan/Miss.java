package dev.autoparallel.plan;

import java.io.Serializable;

/**
 * Why an option has no plan meeting the targets.
 *
 * @param targetMs   the target that fails, when one does
 * @param achievedMs the best that option achieves for it
 * @param detail     by how much, and what would meet it
 */
public record Miss(PlanFailure reason, Double targetMs, Double achievedMs, String detail) implements Serializable {
}

package dev.autoparallel.perf;

/**
 * What one serving engine adds to the roofline, fitted on measured serving points.
 *
 * @param stepOverheadS    fixed cost of one engine step: scheduling, sampling, kernel launches, CPU-GPU sync
 * @param prefillOverheadS fixed cost of a request's prefill: HTTP, tokenisation, scheduling, the first forward's set-up
 * @param queueFactor      how a request's time to first token grows with the requests in flight: the prefill queue
 *                         is this x the prefill time x (C - 1)^{@link PerfModel#QUEUE_EXPONENT}
 */
public record EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor) {
    public EngineCalibration {
        if (!(stepOverheadS >= 0 && prefillOverheadS >= 0 && queueFactor >= 0)) {
            throw new IllegalArgumentException("calibration " + stepOverheadS + ", " + prefillOverheadS + ", " + queueFactor);
        }
    }
}

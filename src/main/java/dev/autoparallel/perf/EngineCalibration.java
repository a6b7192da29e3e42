package dev.autoparallel.perf;

/**
 * What one serving engine adds to the roofline, fitted on measured serving points.
 *
 * @param stepOverheadS    fixed cost of one engine step: scheduling, sampling, kernel launches, CPU-GPU sync
 * @param prefillOverheadS fixed cost of a request's prefill: HTTP, tokenisation, scheduling, the first forward's set-up
 * @param queueFactor      how a request's time to first token grows with the requests in flight: the prefill queue
 *                         is this x the prefill time x (C - 1)^{@code queueExponent}
 * @param queueExponent    how steeply that queue grows with the concurrency C
 * @param moeLayerOverheadS fixed cost of each mixture-of-experts layer in a step beyond its kernels' times: routing,
 *                          token permutation and the gaps between the layer's many small kernels
 */
public record EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor, double queueExponent,
                                double moeLayerOverheadS) {
    public EngineCalibration {
        if (!(stepOverheadS >= 0 && prefillOverheadS >= 0 && queueFactor >= 0 && queueExponent >= 0 && queueExponent <= 1
                && moeLayerOverheadS >= 0)) {
            throw new IllegalArgumentException("calibration " + stepOverheadS + ", " + prefillOverheadS + ", " + queueFactor
                    + ", " + queueExponent + ", " + moeLayerOverheadS);
        }
    }

    /** A calibration without a cost per MoE layer. */
    public EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor, double queueExponent) {
        this(stepOverheadS, prefillOverheadS, queueFactor, queueExponent, 0);
    }

    /** This calibration with another queue: {@code factor} x the prefill time x (C - 1)^{@code exponent}. */
    public EngineCalibration withQueue(double factor, double exponent) {
        return new EngineCalibration(stepOverheadS, prefillOverheadS, factor, exponent, moeLayerOverheadS);
    }

    /** The prefill queue ahead of a request at {@code concurrency} in flight, for a prefill of {@code prefillS}. */
    double queueSeconds(double prefillS, double concurrency) {
        return queueFactor * prefillS * Math.pow(Math.max(0, concurrency - 1), queueExponent);
    }
}

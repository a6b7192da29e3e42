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
 * @param burstFactor      a load generator's first burst, measured with the rest of its run: the queue adds this x the
 *                         prefill time x C^2 ({@link #queueSeconds}); 0 but for the harnesses fitted with one
 */
public record EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor, double queueExponent,
                                double moeLayerOverheadS, double burstFactor) {
    public EngineCalibration {
        if (!(stepOverheadS >= 0 && prefillOverheadS >= 0 && queueFactor >= 0 && queueExponent >= 0 && queueExponent <= 1
                && moeLayerOverheadS >= 0 && burstFactor >= 0)) {
            throw new IllegalArgumentException("calibration " + stepOverheadS + ", " + prefillOverheadS + ", " + queueFactor
                    + ", " + queueExponent + ", " + moeLayerOverheadS + ", " + burstFactor);
        }
    }

    /** A calibration without a first burst ({@link #burstFactor} 0). */
    public EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor, double queueExponent,
                             double moeLayerOverheadS) {
        this(stepOverheadS, prefillOverheadS, queueFactor, queueExponent, moeLayerOverheadS, 0);
    }

    /** A calibration without a cost per MoE layer. */
    public EngineCalibration(double stepOverheadS, double prefillOverheadS, double queueFactor, double queueExponent) {
        this(stepOverheadS, prefillOverheadS, queueFactor, queueExponent, 0, 0);
    }

    /** This calibration with another queue: {@code factor} x the prefill time x (C - 1)^{@code exponent}, no burst. */
    public EngineCalibration withQueue(double factor, double exponent) {
        return withQueue(factor, exponent, 0);
    }

    /**
     * This calibration with another queue: {@code factor} x the prefill time x (C - 1)^{@code exponent}, plus {@code burst}
     * x the prefill time x C^2 ({@link #burstFactor}).
     */
    public EngineCalibration withQueue(double factor, double exponent, double burst) {
        return new EngineCalibration(stepOverheadS, prefillOverheadS, factor, exponent, moeLayerOverheadS, burst);
    }

    /**
     * The prefill queue ahead of a request at {@code concurrency} in flight, for a prefill of {@code prefillS}. The
     * burst term is a load generator's first wave measured with the rest: every client sending at once into an empty
     * server, the k-th prompt waits k - 1 prefills, C^2 / 2 prefills over the wave, spread over the run's requests; a
     * harness that runs a fixed number N of requests adds C^2 / 2N prefills a request ({@link #burstFactor} 1 / 2N).
     */
    double queueSeconds(double prefillS, double concurrency) {
        return queueFactor * prefillS * Math.pow(Math.max(0, concurrency - 1), queueExponent)
                + burstFactor * prefillS * concurrency * concurrency;
    }
}

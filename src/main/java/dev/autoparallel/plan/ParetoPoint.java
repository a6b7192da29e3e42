package dev.autoparallel.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One operating point of a layout at a concurrency: how much it serves per GPU against how fast
 * each user is served (the trade-off aiconfigurator and Vidur plot).
 *
 * @param meetsTpot whether the point meets the TPOT target
 */
public record ParetoPoint(int tp, int pp, boolean expertParallel, int concurrency, double tokensPerSecondPerGpu,
                          double tokensPerSecondPerUser, boolean meetsTpot) implements Serializable {

    /** The points no other point beats on both axes, fastest per user first. */
    public static List<ParetoPoint> frontier(List<ParetoPoint> points) {
        List<ParetoPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(ParetoPoint::tokensPerSecondPerUser).reversed()
                .thenComparing(Comparator.comparingDouble(ParetoPoint::tokensPerSecondPerGpu).reversed()));
        List<ParetoPoint> out = new ArrayList<>();
        double bestPerGpu = -1;
        for (ParetoPoint p : sorted) {
            if (p.tokensPerSecondPerGpu() > bestPerGpu) {
                out.add(p);
                bestPerGpu = p.tokensPerSecondPerGpu();
            }
        }
        return out;
    }
}

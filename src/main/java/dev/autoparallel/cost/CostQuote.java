package dev.autoparallel.cost;

import java.util.Locale;

/**
 * What {@code gpusNeeded} GPUs cost for {@code hoursPerMonth} on the cheapest matching offer.
 *
 * @param billedGpus GPUs paid for: whole instances round {@code gpusNeeded} up
 */
public record CostQuote(int gpusNeeded, int billedGpus, int instances, PriceEntry offer, double hoursPerMonth,
                        double monthlyUsd) {

    /** Effective price per GPU actually needed, per hour. */
    public double usdPerNeededGpuHour() {
        return monthlyUsd / hoursPerMonth / gpusNeeded;
    }

    public String assumptions() {
        String billing = offer.wholeInstance()
                ? String.format(Locale.ROOT, "%d x %s (%d GPUs each, whole instances billed: %d GPUs paid for %d needed)",
                instances, offer.instance(), offer.gpus(), billedGpus, gpusNeeded)
                : String.format(Locale.ROOT, "%d x %s (billed per GPU)", instances, offer.instance());
        return String.format(Locale.ROOT,
                "Based on %s %s on-demand pricing (%s, $%.2f/hour per instance, price list of %s; %s), %s, %.0f hours per month",
                offer.provider(), offer.instance(), offer.region(), offer.usdPerHour(), offer.asOf(), offer.source(),
                billing, hoursPerMonth);
    }
}

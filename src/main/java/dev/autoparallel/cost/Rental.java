package dev.autoparallel.cost;

/**
 * What renting a number of GPUs costs on the cheapest offer of a price table, or that no offer
 * has the GPU (the prices are then null and {@code source} says so).
 *
 * @param usdPerGpuHour effective USD per needed GPU-hour (whole-instance billing spread over the GPUs needed)
 * @param quote         the offer behind the figures; null without one
 */
public record Rental(Double usdPerGpuHour, Double monthlyUsd, String source, CostQuote quote) {

    public boolean priced() {
        return quote != null;
    }

    /** The hourly bill of the GPUs rented, or NaN without a price. */
    public double usdPerHour() {
        return quote == null ? Double.NaN : quote.monthlyUsd() / quote.hoursPerMonth();
    }
}

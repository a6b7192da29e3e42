package dev.autoparallel.cost;

/** The one formula for what a generated token costs: the hourly bill over the tokens made in an hour. */
public final class TokenCost {
    private TokenCost() {
    }

    /** USD per million generated tokens at {@code usdPerHour} and {@code tokensPerSecond}, or null when either is unknown or not positive. */
    public static Double usdPerMillion(double usdPerHour, double tokensPerSecond) {
        if (!(usdPerHour > 0) || !(tokensPerSecond > 0) || Double.isInfinite(usdPerHour) || Double.isInfinite(tokensPerSecond)) {
            return null;
        }
        return usdPerHour / (tokensPerSecond * 3600) * 1e6;
    }
}

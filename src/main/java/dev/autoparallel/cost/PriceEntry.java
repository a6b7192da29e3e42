package dev.autoparallel.cost;

import dev.autoparallel.error.InvalidConfigurationException;
import java.io.Serializable;

/**
 * One offer: an instance type with {@code gpus} GPUs at {@code usdPerHour}.
 *
 * @param wholeInstance true when the cloud bills whole instances (so 3 GPUs on 8-GPU instances cost 8)
 * @param asOf          the date of the price list the number was taken from
 */
public record PriceEntry(String provider, String instance, String gpu, int gpus, double usdPerHour,
                         boolean wholeInstance, String region, String asOf, String source)
        implements Serializable {
    public PriceEntry {
        if (gpus < 1) {
            throw new InvalidConfigurationException("gpus", "price entry " + instance + ": gpus was " + gpus
                    + "; allowed: a whole number of at least 1");
        }
        if (!(usdPerHour > 0) || Double.isInfinite(usdPerHour)) {
            throw new InvalidConfigurationException("usd_per_hour", "price entry " + instance + ": usd_per_hour was "
                    + usdPerHour + "; allowed: a positive finite number");
        }
    }

    public double usdPerGpuHour() {
        return usdPerHour / gpus;
    }
}

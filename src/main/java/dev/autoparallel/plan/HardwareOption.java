package dev.autoparallel.plan;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import java.io.Serializable;

/**
 * One kind of hardware a fleet may be built of.
 *
 * @param maxNodes           nodes available, or null when the planner may size the fleet freely
 * @param priceUsdPerGpuHour a price of your own, or null for the cheapest offer in the price table
 */
public record HardwareOption(String name, Gpu gpu, int gpusPerNode, Integer maxNodes, Double priceUsdPerGpuHour)
        implements Serializable {
    public HardwareOption {
        if (gpusPerNode < 1 || gpusPerNode > 72) {
            throw new InvalidConfigurationException("gpus_per_node", "gpus_per_node was " + gpusPerNode + "; allowed: 1 to 72");
        }
        if (maxNodes != null && (maxNodes < 1 || maxNodes > 100_000)) {
            throw new InvalidConfigurationException("nodes", "nodes was " + maxNodes + "; allowed: 1 to 100,000");
        }
        if (priceUsdPerGpuHour != null && !(priceUsdPerGpuHour > 0 && priceUsdPerGpuHour < 1000)) {
            throw new InvalidConfigurationException("price_usd_per_gpu_hour", "price_usd_per_gpu_hour was " + priceUsdPerGpuHour
                    + "; allowed: more than 0 and less than 1000");
        }
    }
}

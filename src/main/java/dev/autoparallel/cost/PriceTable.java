package dev.autoparallel.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.json.UserJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Dated, sourced on-demand prices (resource {@code prices/prices.json}), which users can extend
 * or override with a JSON document of the same shape: an override entry replaces the built-in
 * one of the same provider and instance.
 */
public final class PriceTable implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<PriceEntry> entries;
    /** Entries by GPU name, for the lookups a search makes per layout. */
    private final Map<String, List<PriceEntry>> byGpu;

    public PriceTable(List<PriceEntry> entries) {
        this.entries = List.copyOf(entries);
        Map<String, List<PriceEntry>> m = new HashMap<>();
        for (PriceEntry e : this.entries) {
            m.computeIfAbsent(e.gpu(), k -> new ArrayList<>()).add(e);
        }
        this.byGpu = m;
    }

    private static final class Holder {
        static final PriceTable BUILT_IN = load();
    }

    public static PriceTable builtIn() {
        return Holder.BUILT_IN;
    }

    private static PriceTable load() {
        try (InputStream in = PriceTable.class.getResourceAsStream("/prices/prices.json")) {
            return new PriceTable(parse(JSON.readTree(in), "built-in price table"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the built-in price table", e);
        }
    }

    public List<PriceEntry> entries() {
        return entries;
    }

    /** This table with {@code json} (a price document) laid over it. */
    public PriceTable withOverrides(String json, String source) {
        JsonNode root = UserJson.parse(json, "prices", source);
        List<PriceEntry> extra = parse(root, source);
        List<PriceEntry> out = new ArrayList<>(extra);
        for (PriceEntry e : entries) {
            boolean replaced = extra.stream().anyMatch(x -> x.provider().equals(e.provider()) && x.instance().equals(e.instance()));
            if (!replaced) {
                out.add(e);
            }
        }
        return new PriceTable(out);
    }

    static List<PriceEntry> parse(JsonNode root, String source) {
        JsonNode list = root == null ? null : root.get("entries");
        if (list == null || !list.isArray()) {
            throw new InvalidConfigurationException("entries", source + ": a price document needs an 'entries' list");
        }
        List<PriceEntry> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : list) {
            String where = source + " entries[" + i++ + "]";
            for (String key : List.of("provider", "instance", "gpu", "gpus", "usd_per_hour")) {
                if (!e.hasNonNull(key)) {
                    throw new InvalidConfigurationException(key, where + ": '" + key + "' is required");
                }
            }
            String gpu = GpuCatalog.require(e.get("gpu").asText(), "gpu").name();
            if (!e.get("gpus").canConvertToInt() || !e.get("usd_per_hour").isNumber()) {
                throw new InvalidConfigurationException("usd_per_hour", where + ": gpus must be a whole number and usd_per_hour a number");
            }
            out.add(new PriceEntry(e.get("provider").asText(), e.get("instance").asText(), gpu, e.get("gpus").asInt(),
                    e.get("usd_per_hour").asDouble(), e.path("whole_instance").asBoolean(true),
                    e.path("region").asText(""), e.path("as_of").asText("unknown date"), e.path("source").asText(source)));
        }
        return out;
    }

    /** The cheapest way to rent {@code gpusNeeded} GPUs of {@code gpu} for a month, or empty when no offer has that GPU. */
    public Optional<CostQuote> cheapest(String gpu, int gpusNeeded, double hoursPerMonth) {
        PriceEntry best = null;
        double bestHourly = Double.MAX_VALUE;
        for (PriceEntry e : byGpu.getOrDefault(gpu, List.of())) {
            double hourly = hourly(e, gpusNeeded);
            if (hourly < bestHourly || hourly == bestHourly && e.instance().compareTo(best.instance()) < 0) {
                best = e;
                bestHourly = hourly;
            }
        }
        return best == null ? Optional.empty() : Optional.of(quote(best, gpusNeeded, hoursPerMonth));
    }

    /**
     * The rental of {@code gpusNeeded} GPUs of {@code gpu} on the cheapest offer, named as reports
     * name it: provider, instance and count, and the date of the price list.
     */
    public Rental rent(String gpu, int gpusNeeded, double hoursPerMonth) {
        return cheapest(gpu, gpusNeeded, hoursPerMonth)
                .map(q -> new Rental(q.usdPerNeededGpuHour(), q.monthlyUsd(), q.offer().provider().equals(SPEC_PROVIDER)
                        ? q.offer().source() : q.offer().provider() + " " + q.offer().instance() + " x" + q.instances()
                        + (q.offer().wholeInstance() ? " (whole instances)" : "") + ", prices of " + q.offer().asOf(), q))
                .orElse(new Rental(null, null, "no price known for " + gpu, null));
    }

    /** The provider of an entry a sweep spec or a command line gives as its own price per GPU-hour. */
    public static final String SPEC_PROVIDER = "sweep spec";

    /** A table of one per-GPU price, for a cluster priced by its user: {@code source} names where it came from. */
    public static PriceTable ownPrice(String gpu, double usdPerGpuHour, String name, String source) {
        return new PriceTable(List.of(new PriceEntry(SPEC_PROVIDER, name, gpu, 1, usdPerGpuHour, false, "", "the spec", source)));
    }

    /** USD per hour for {@code gpusNeeded} GPUs on the cheapest offer, or empty when the GPU has none. */
    public OptionalDouble cheapestHourly(String gpu, int gpusNeeded) {
        double best = Double.MAX_VALUE;
        for (PriceEntry e : byGpu.getOrDefault(gpu, List.of())) {
            best = Math.min(best, hourly(e, gpusNeeded));
        }
        return best == Double.MAX_VALUE ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    private static double hourly(PriceEntry e, int gpusNeeded) {
        int instances = (gpusNeeded + e.gpus() - 1) / e.gpus();
        return e.wholeInstance() ? instances * e.usdPerHour() : gpusNeeded * e.usdPerGpuHour();
    }

    public static CostQuote quote(PriceEntry e, int gpusNeeded, double hoursPerMonth) {
        int instances = (gpusNeeded + e.gpus() - 1) / e.gpus();
        int billed = e.wholeInstance() ? instances * e.gpus() : gpusNeeded;
        double monthly = e.wholeInstance() ? instances * e.usdPerHour() * hoursPerMonth
                : gpusNeeded * e.usdPerGpuHour() * hoursPerMonth;
        return new CostQuote(gpusNeeded, billed, instances, e, hoursPerMonth, monthly);
    }
}

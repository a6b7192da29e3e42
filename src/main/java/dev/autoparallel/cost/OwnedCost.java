package dev.autoparallel.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoparallel.error.InvalidConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What owning a fleet costs per month next to renting it: servers bought up front and written off
 * over {@code amortisationYears}, plus their electricity at {@code pue}. Server prices and power
 * come from the dated, sourced table {@code prices/servers.json}.
 *
 * @param usdPerKwh          electricity price; default the US industrial average, 8.3 cents per kWh
 *                           (EIA Electric Power Monthly table 5.6.A, January 2023, as Epoch AI uses it)
 * @param pue                datacenter power usage effectiveness; default 1.25 (Epoch AI's figure outside
 *                           hyperscalers, after SemiAnalysis's "AI Datacenter Energy Dilemma")
 * @param amortisationYears  write-off period; default 5 years (Amazon's server life from 2025, its 10-K;
 *                           Microsoft and Google use 6, Meta 5.5)
 * @param averagePowerShare  average draw over the server's maximum; default 0.75 (Epoch AI)
 */
public record OwnedCost(double usdPerKwh, double pue, double amortisationYears, double averagePowerShare)
        implements Serializable {
    public static final OwnedCost DEFAULTS = new OwnedCost(0.083, 1.25, 5, 0.75);
    private static final Map<String, Server> SERVERS = load();

    public OwnedCost {
        check(usdPerKwh, 0, 10, "power_usd_per_kwh");
        check(pue, 1, 5, "pue");
        check(amortisationYears, 0.5, 20, "amortisation_years");
        check(averagePowerShare, 0.05, 1, "average_power_share");
    }

    private static void check(double v, double min, double max, String field) {
        if (!(v >= min && v <= max)) {
            throw new InvalidConfigurationException(field, field + " was " + v + "; allowed: " + min + " to " + max);
        }
    }

    /** One priced server type. */
    public record Server(String gpu, String name, int gpus, double priceUsd, String priceDate, String priceKind,
                         String priceSource, double maxPowerKw, String powerSource) {
    }

    /**
     * Owning {@code servers} servers of {@code gpu}.
     *
     * @param upfrontUsd the purchase
     * @param monthlyUsd the purchase written off per month plus electricity per month
     */
    public record Quote(Server server, int servers, double upfrontUsd, double monthlyUsd, double monthlyPowerUsd) {
    }

    /** The owned cost of the servers that hold {@code gpusNeeded} GPUs, or empty when no price is known for the GPU. */
    public Optional<Quote> quote(String gpu, int gpusNeeded, double hoursPerMonth) {
        Server s = SERVERS.get(gpu);
        if (s == null) {
            return Optional.empty();
        }
        int servers = (gpusNeeded + s.gpus() - 1) / s.gpus();
        double upfront = servers * s.priceUsd();
        double power = servers * s.maxPowerKw() * averagePowerShare * pue * hoursPerMonth * usdPerKwh;
        return Optional.of(new Quote(s, servers, upfront, upfront / (amortisationYears * 12) + power, power));
    }

    private static Map<String, Server> load() {
        try (InputStream in = OwnedCost.class.getResourceAsStream("/prices/servers.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Server> out = new LinkedHashMap<>();
            for (JsonNode e : root.get("entries")) {
                out.put(e.get("gpu").asText(), new Server(e.get("gpu").asText(), e.get("server").asText(), e.get("gpus").asInt(),
                        e.get("price_usd").asDouble(), e.get("price_date").asText(), e.get("price_kind").asText(),
                        e.get("price_source").asText(), e.get("max_power_kw").asDouble(), e.get("power_source").asText()));
            }
            return Map.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the built-in server price table", e);
        }
    }
}

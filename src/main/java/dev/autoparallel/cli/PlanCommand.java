package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.plan.DisaggregatedPlan;
import dev.autoparallel.plan.FleetPlan;
import dev.autoparallel.plan.HardwareOption;
import dev.autoparallel.plan.OptionPlan;
import dev.autoparallel.plan.ParetoPoint;
import dev.autoparallel.plan.PlanRequest;
import dev.autoparallel.plan.PlanResult;
import dev.autoparallel.plan.Slo;
import dev.autoparallel.plan.Traffic;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.sim.LengthDistribution;
import dev.autoparallel.source.TextFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "The fleet that serves a request rate within latency targets: layout, replicas, cost; the simulated percentiles.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--gpu", required = true, split = ",", description = "GPU type(s), comma-separated: each is a hardware option")
    List<String> gpus;

    @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs per node (default: ${DEFAULT-VALUE})")
    int gpusPerNode;

    @Option(names = "--nodes", description = "nodes available (default: as many as the traffic needs)")
    Integer nodes;

    @Option(names = "--request-rate", description = "requests per second, the whole fleet (or give --tokens-per-day)")
    Double requestRate;

    @Option(names = "--tokens-per-day", description = "demand as prompt plus output tokens per day, the whole fleet (instead of --request-rate)")
    Double tokensPerDay;

    @Option(names = "--input-tokens", description = "prompt tokens per request (the mean with --input-spread)")
    Integer inputTokens;

    @Option(names = "--output-tokens", description = "output tokens per request (the mean with --output-spread)")
    Integer outputTokens;

    @Option(names = "--input-histogram", paramLabel = "FILE", description = "measured prompt lengths: lines of 'tokens,count' (instead of --input-tokens)")
    Path inputHistogram;

    @Option(names = "--output-histogram", paramLabel = "FILE", description = "measured output lengths: lines of 'tokens,count' (instead of --output-tokens)")
    Path outputHistogram;

    @Option(names = "--prefix-cache-hit-rate", defaultValue = "0", description = "share of each prompt found in the prefix cache, 0 to below 1 (default: ${DEFAULT-VALUE})")
    double prefixHitRate;

    @Option(names = "--min-tokens-per-second-per-user", description = "slowest output stream a user may see, tokens/s (a TPOT bound of 1000 / this)")
    Double minTokensPerUser;

    @Option(names = "--input-spread", description = "coefficient of variation of prompt lengths (log-normal); default: fixed")
    Double inputSpread;

    @Option(names = "--output-spread", description = "coefficient of variation of output lengths (log-normal); default: fixed")
    Double outputSpread;

    @Option(names = "--max-input-tokens", description = "longest prompt with --input-spread (default: 4 x the mean)")
    Integer maxInputTokens;

    @Option(names = "--max-output-tokens", description = "longest output with --output-spread (default: 4 x the mean)")
    Integer maxOutputTokens;

    @Option(names = "--arrival-cv", defaultValue = "1", description = "burstiness of arrivals: 1 Poisson, above 1 burstier (default: ${DEFAULT-VALUE})")
    double arrivalCv;

    @Option(names = "--ttft-ms", description = "time-to-first-token target (default: 2000 when no target is given)")
    Double ttftMs;

    @Option(names = "--tpot-ms", description = "time-per-output-token target (default: 50 when no target is given)")
    Double tpotMs;

    @Option(names = "--percentile", defaultValue = "90", description = "50, 90 or 99 (default: ${DEFAULT-VALUE})")
    int percentile;

    @Option(names = "--engine", defaultValue = "vllm", description = "vllm, sglang or trtllm (default: ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--headroom", defaultValue = "0.8", description = "share of a replica's saturated throughput to use (default: ${DEFAULT-VALUE})")
    double headroom;

    @Option(names = "--price-usd-per-gpu-hour", description = "your price per GPU-hour (default: the cheapest offer in the price table)")
    Double price;

    @Option(names = "--hours", defaultValue = "730", description = "hours per month (default: ${DEFAULT-VALUE})")
    double hours;

    @Option(names = "--power-usd-per-kwh", defaultValue = "0.083", description = "electricity price for the owned cost (default: ${DEFAULT-VALUE}, US industrial average)")
    double powerUsdPerKwh;

    @Option(names = "--pue", defaultValue = "1.25", description = "datacenter PUE for the owned cost (default: ${DEFAULT-VALUE})")
    double pue;

    @Option(names = "--amortisation-years", defaultValue = "5", description = "write-off period of bought servers (default: ${DEFAULT-VALUE})")
    double amortisationYears;

    @Mixin
    EngineOptions engineOptions = new EngineOptions();

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Slo slo = ttftMs == null && tpotMs == null && minTokensPerUser == null
                ? new Slo(Slo.INTERACTIVE.ttftMs(), Slo.INTERACTIVE.tpotMs(), percentile)
                : new Slo(ttftMs, tpotMs, percentile, minTokensPerUser);
        LengthDistribution in = lengths(inputTokens, inputSpread, maxInputTokens, inputHistogram, "input");
        LengthDistribution outLengths = lengths(outputTokens, outputSpread, maxOutputTokens, outputHistogram, "output");
        if ((requestRate == null) == (tokensPerDay == null)) {
            throw new InvalidConfigurationException("request_rate", "give the demand once: --request-rate (requests/s) or "
                    + "--tokens-per-day (prompt plus output tokens)");
        }
        if (tokensPerDay != null && !(tokensPerDay > 0 && Double.isFinite(tokensPerDay))) {
            throw new InvalidConfigurationException("tokens_per_day", "--tokens-per-day was " + tokensPerDay
                    + "; allowed: a positive number of tokens");
        }
        double rate = requestRate != null ? requestRate
                : Traffic.requestsPerSecondFromTokensPerDay(tokensPerDay, in.mean() + outLengths.mean());
        Traffic traffic = new Traffic(rate, in, outLengths, arrivalCv, prefixHitRate);
        List<HardwareOption> options = new ArrayList<>();
        for (String g : gpus) {
            options.add(new HardwareOption(g.trim(), GpuCatalog.require(g.trim(), "gpu"), gpusPerNode, nodes, price));
        }
        PlanRequest request = new PlanRequest(AutoParallel.model(model), options, traffic, slo, ServingEngine.parse(engine),
                engineOptions.settings(), PriceTable.builtIn(), hours, headroom,
                new OwnedCost(powerUsdPerKwh, pue, amortisationYears, OwnedCost.DEFAULTS.averagePowerShare()), true);
        PlanResult result = AutoParallel.planFleet(request);
        PrintWriter out = spec.commandLine().getOut();
        FleetPlan best = result.recommended();
        if (json) {
            out.println(Json.write(json(result)));
        } else {
            text(out, result);
        }
        if (best == null && result.recommendedDisaggregated() == null) {
            spec.commandLine().getErr().println("error: no plan meets " + slo + ": " + String.join("; ",
                    result.options().stream().filter(o -> o.miss() != null).map(o -> o.hardware() + ": " + o.miss().detail()).toList()));
            return Main.EXIT_DOES_NOT_FIT;
        }
        return 0;
    }

    private static LengthDistribution lengths(Integer mean, Double spread, Integer max, Path histogram, String field) {
        if (histogram != null) {
            if (mean != null || spread != null || max != null) {
                throw new InvalidConfigurationException(field + "_histogram", "--" + field + "-histogram gives the "
                        + field + " lengths; leave out --" + field + "-tokens, --" + field + "-spread and --max-" + field + "-tokens");
            }
            return LengthDistribution.parseHistogram(TextFiles.read(histogram, field + "_histogram", TextFiles.MAX_SPEC_BYTES),
                    field + "_histogram", histogram.toString());
        }
        if (mean == null) {
            throw new InvalidConfigurationException(field + "_tokens", "give --" + field + "-tokens (or --" + field + "-histogram)");
        }
        if (mean < 1) {
            throw new InvalidConfigurationException(field + "_tokens", "--" + field + "-tokens was " + mean + "; allowed: at least 1");
        }
        if (spread == null) {
            return LengthDistribution.fixed(mean);
        }
        return LengthDistribution.logNormal(mean, spread, max != null ? max : (int) Math.min(1 << 24, 4L * mean));
    }

    private static Map<String, Object> json(PlanResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        FleetPlan b = r.recommended();
        m.put("model", r.modelId());
        m.put("request_rate", r.traffic().requestsPerSecond());
        m.put("percentile", r.slo().percentile());
        m.put("ttft_slo_ms", r.slo().ttftMs());
        m.put("tpot_slo_ms", r.slo().tpotMs());
        m.put("min_tokens_per_second_per_user", r.slo().minTokensPerSecondPerUser());
        m.put("prefix_cache_hit_rate", r.traffic().prefixHitRate());
        m.put("mean_input_tokens", round(r.traffic().input().mean()));
        m.put("mean_output_tokens", round(r.traffic().output().mean()));
        m.put("meets_slo", b != null);
        if (b != null) {
            m.putAll(plan(b));
        }
        List<Map<String, Object>> alternatives = new ArrayList<>();
        List<Map<String, Object>> pareto = new ArrayList<>();
        List<Map<String, Object>> misses = new ArrayList<>();
        for (OptionPlan o : r.options()) {
            if (o.best() != null && o.best() != b) {
                alternatives.add(plan(o.best()));
            }
            o.alternatives().forEach(a -> alternatives.add(plan(a)));
            for (ParetoPoint p : o.pareto()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("hardware", o.hardware());
                pm.put("tensor_parallel", p.tp());
                pm.put("pipeline_parallel", p.pp());
                pm.put("expert_parallel", p.expertParallel());
                pm.put("concurrency", p.concurrency());
                pm.put("tokens_per_second_per_gpu", round(p.tokensPerSecondPerGpu()));
                pm.put("tokens_per_second_per_user", round(p.tokensPerSecondPerUser()));
                pm.put("meets_tpot", p.meetsTpot());
                pareto.add(pm);
            }
            if (o.miss() != null) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("hardware", o.hardware());
                mm.put("reason", o.miss().reason().key());
                mm.put("target_ms", o.miss().targetMs());
                mm.put("achieved_ms", o.miss().achievedMs() == null ? null : round(o.miss().achievedMs()));
                mm.put("detail", o.miss().detail());
                misses.add(mm);
            }
        }
        m.put("alternatives", alternatives);
        m.put("pareto", pareto);
        m.put("misses", misses);
        m.put("disaggregated", r.recommendedDisaggregated() == null ? null : disaggregated(r.recommendedDisaggregated()));
        m.put("disaggregated_options", r.options().stream().filter(o -> o.disaggregated() != null)
                .map(o -> disaggregated(o.disaggregated())).toList());
        return m;
    }

    private static Map<String, Object> disaggregated(DisaggregatedPlan d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hardware", d.hardware());
        m.put("gpu", d.gpu());
        m.put("engine", d.engine().key());
        m.put("prefill_workers", d.prefillWorkers());
        m.put("prefill_tensor_parallel", d.prefillLayout().tp());
        m.put("prefill_pipeline_parallel", d.prefillLayout().pp());
        m.put("prefill_expert_parallel", d.prefillLayout().expertParallelSize());
        m.put("decode_workers", d.decodeWorkers());
        m.put("decode_tensor_parallel", d.decodeLayout().tp());
        m.put("decode_pipeline_parallel", d.decodeLayout().pp());
        m.put("decode_expert_parallel", d.decodeLayout().expertParallelSize());
        m.put("decode_max_num_seqs", d.decodeMaxNumSeqs());
        m.put("max_model_len", d.maxModelLen());
        m.put("total_gpus", d.totalGpus());
        m.put("nodes", d.nodes());
        m.put("ttft_ms", round(d.ttftMs()));
        m.put("tpot_ms", round(d.tpotMs()));
        m.put("kv_transfer_ms", round(d.kvTransferMs()));
        m.put("simulated", false);
        m.put("meets_slo", d.meetsSlo());
        m.put("monthly_cost_usd", d.monthlyCostUsd() == null ? null : Math.round(d.monthlyCostUsd() * 100) / 100.0);
        m.put("cost_per_million_tokens_usd", d.costPerMillionTokensUsd() == null ? null : round(d.costPerMillionTokensUsd()));
        m.put("price_source", d.priceSource());
        m.put("prefill_speed_source", d.prefillSource().key());
        m.put("decode_speed_source", d.decodeSource().key());
        m.put("prefill_commands", d.prefillCommands());
        m.put("decode_commands", d.decodeCommands());
        m.put("router_command", d.routerCommand());
        m.put("notes", d.notes());
        return m;
    }

    private static Map<String, Object> plan(FleetPlan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hardware", p.hardware());
        m.put("gpu", p.gpu());
        m.put("replicas", p.replicas());
        m.put("tensor_parallel", p.layout().tp());
        m.put("pipeline_parallel", p.layout().pp());
        m.put("expert_parallel", p.layout().expertParallelSize());
        m.put("total_gpus", p.totalGpus());
        m.put("nodes", p.nodes());
        m.put("engine", p.engine().key());
        m.put("max_num_seqs", p.maxNumSeqs());
        m.put("max_model_len", p.maxModelLen());
        m.put("speed_source", p.speedSource().key());
        m.put("ttft_ms", round(p.ttftMs()));
        m.put("tpot_ms", round(p.tpotMs()));
        m.put("simulated", p.simulated());
        m.put("meets_slo", p.meetsSlo());
        m.put("requests_per_second_per_replica", round(p.requestsPerSecondPerReplica()));
        m.put("monthly_cost_usd", p.monthlyCostUsd() == null ? null : Math.round(p.monthlyCostUsd() * 100) / 100.0);
        m.put("cost_per_million_tokens_usd", p.costPerMillionTokensUsd() == null ? null : round(p.costPerMillionTokensUsd()));
        m.put("price_source", p.priceSource());
        m.put("owned_monthly_cost_usd", p.ownedMonthlyUsd() == null ? null : Math.round(p.ownedMonthlyUsd() * 100) / 100.0);
        m.put("owned_upfront_usd", p.ownedUpfrontUsd() == null ? null : Math.round(p.ownedUpfrontUsd()));
        m.put("owned_cost_source", p.ownedSource());
        m.put("deployment_command", p.deploymentCommand());
        m.put("notes", p.notes());
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void text(PrintWriter out, PlanResult r) {
        out.printf(Locale.ROOT, "%s: %.2f requests/s, %s%n", r.modelId(), r.traffic().requestsPerSecond(), r.slo());
        out.println("OPTION        REPLICAS  TP  PP  EP  GPUS  NODES  TTFT-MS  TPOT-MS  MEETS  SIMULATED   $/MONTH  $/1M-TOK");
        for (OptionPlan o : r.options()) {
            List<FleetPlan> rows = new ArrayList<>();
            if (o.best() != null) {
                rows.add(o.best());
            }
            rows.addAll(o.alternatives().subList(0, Math.min(2, o.alternatives().size())));
            for (FleetPlan p : rows) {
                out.printf(Locale.ROOT, "%-12s %9d %3d %3d %3d %5d %6d %8.0f %8.1f  %-5s  %-9s %9s %9s%n", o.hardware(), p.replicas(),
                        p.layout().tp(), p.layout().pp(), p.layout().expertParallelSize(), p.totalGpus(), p.nodes(), p.ttftMs(),
                        p.tpotMs(), p.meetsSlo() ? "yes" : "no", p.simulated() ? "yes" : "analytic",
                        p.monthlyCostUsd() == null ? "-" : String.format(Locale.ROOT, "%,.0f", p.monthlyCostUsd()),
                        p.costPerMillionTokensUsd() == null ? "-" : String.format(Locale.ROOT, "%.3f", p.costPerMillionTokensUsd()));
            }
            if (o.miss() != null) {
                out.println("  " + o.hardware() + ": " + o.miss().detail());
            }
        }
        FleetPlan b = r.recommended();
        if (b != null) {
            out.printf(Locale.ROOT, "%nrecommended: %d x (TP %d, PP %d) on %s, %d GPU%s; simulated p%d TTFT %.0f ms, TPOT %.1f ms%n",
                    b.replicas(), b.layout().tp(), b.layout().pp(), b.hardware(), b.totalGpus(), b.totalGpus() == 1 ? "" : "s",
                    b.percentile(), b.ttftMs(), b.tpotMs());
            if (b.monthlyCostUsd() != null) {
                out.printf(Locale.ROOT, "renting: $%,.0f per month (%s)%n", b.monthlyCostUsd(), b.priceSource());
            }
            if (b.ownedMonthlyUsd() != null) {
                out.printf(Locale.ROOT, "owning:  $%,.0f up front, $%,.0f per month (%s)%n", b.ownedUpfrontUsd(), b.ownedMonthlyUsd(),
                        b.ownedSource());
            }
            out.println("each replica: " + b.deploymentCommand());
            b.notes().forEach(n -> out.println("  " + n));
        }
        for (OptionPlan o : r.options()) {
            DisaggregatedPlan d = o.disaggregated();
            if (d != null) {
                out.printf(Locale.ROOT, "%ndisaggregated on %s: %d prefill x (TP %d, PP %d) + %d decode x (TP %d, PP %d), %d GPUs; "
                                + "analytic p%d TTFT %.0f ms (KV transfer %.1f ms), TPOT %.1f ms%s%s%n", d.hardware(), d.prefillWorkers(),
                        d.prefillLayout().tp(), d.prefillLayout().pp(), d.decodeWorkers(), d.decodeLayout().tp(), d.decodeLayout().pp(),
                        d.totalGpus(), d.percentile(), d.ttftMs(), d.kvTransferMs(), d.tpotMs(),
                        d.monthlyCostUsd() == null ? "" : String.format(Locale.ROOT, ", $%,.0f per month", d.monthlyCostUsd()),
                        d == r.recommendedDisaggregated() ? " (recommended: it beats the aggregated fleet)" : "");
            }
        }
        DisaggregatedPlan d = r.recommendedDisaggregated();
        if (d != null) {
            out.println("each prefill worker: " + String.join(" ; ", d.prefillCommands()));
            out.println("each decode worker: " + String.join(" ; ", d.decodeCommands()));
            out.println("router: " + d.routerCommand());
            d.notes().forEach(n -> out.println("  " + n));
        }
    }
}

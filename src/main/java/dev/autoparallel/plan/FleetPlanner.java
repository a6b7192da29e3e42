package dev.autoparallel.plan;

import dev.autoparallel.cost.CostQuote;
import dev.autoparallel.cost.OwnedCost;
import dev.autoparallel.cost.TokenCost;
import dev.autoparallel.deploy.Commands;
import dev.autoparallel.deploy.Deployment;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.Vendor;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.Disaggregation;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.PerfModel;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.StepTimer;
import dev.autoparallel.perf.Workload;
import dev.autoparallel.sim.LengthDistribution;
import dev.autoparallel.sim.ServingSimulator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * Plans a fleet for traffic within latency targets: for each hardware option, every replica
 * layout (TP within a node, PP, EP for mixtures of experts) that holds the longest request, the
 * fewest replicas that serve the request rate within the targets, and the monthly cost; the
 * cheapest plan that meets the targets is recommended.
 *
 * <p>The search uses the analytic throughput model: per replica the arrival rate is the fleet's
 * over the replicas, the requests in flight follow from Little's law (a fixed point of rate x
 * time in the system), capacity is kept below {@code headroom} of the replica's saturated
 * throughput, and percentiles come from the mean by fixed factors. The chosen plan is then
 * checked by the scheduler simulation (open-loop arrivals at the replica's rate, the traffic's
 * length distributions), which decides: replicas are added until its percentiles meet the
 * targets, and every figure a plan reports at the percentile is simulated.
 */
public final class FleetPlanner {
    /**
     * Measured requests a simulated percentile should have beyond it: 50 put the p90 of a run of
     * 600 requests (540 measured after the warm-up) within a few percent of a run of 10,000 in our
     * checks (FleetPlannerTest), at a quarter of the cost of 1,500.
     */
    static final int TAIL_SAMPLES = 50;
    /** Fewest and most requests one simulation runs (p50 and p90 take the fewest, p99 the most). */
    static final int MIN_SIMULATED_REQUESTS = 600;
    static final int MAX_SIMULATED_REQUESTS = 3_000;
    /** Analytic plans (cheapest first) checked by the simulation per hardware option. */
    static final int SIMULATED_CANDIDATES = 4;
    /** Times the simulation may add replicas (20% each) before the next layout is tried. */
    static final int SIMULATION_ROUNDS = 8;
    /** Largest fleet searched per hardware option. */
    static final int MAX_REPLICAS = 100_000;
    /** Largest replica searched when the node count is open: eight nodes (a 64-GPU replica on 8-GPU nodes). */
    static final int MAX_NODES_PER_REPLICA = 8;
    /** Analytic TTFT percentile over mean (p50, p90, p99): a starting point for the search; the simulation decides. */
    static final double[] TTFT_FACTOR = {1.0, 1.6, 2.5};
    /** Largest share of a replica's time prefill may take in the analytic search: beyond it queues grow without bound. */
    static final double MAX_PREFILL_SHARE = 0.9;
    /** Standard normal quantiles for the spread of requests in flight (Poisson): p50, p90, p99. */
    static final double[] Z = {0, 1.2816, 2.3263};

    private FleetPlanner() {
    }

    /** Plans every hardware option and recommends the cheapest that meets the targets. */
    public static PlanResult plan(PlanRequest request) {
        List<OptionPlan> options = new ArrayList<>();
        for (HardwareOption o : request.hardware()) {
            options.add(planOption(request, o));
        }
        Optional<FleetPlan> best = options.stream().map(OptionPlan::best).filter(p -> p != null && p.meetsSlo())
                .min(Comparator.comparing((FleetPlan p) -> p.monthlyCostUsd() == null ? Double.MAX_VALUE : p.monthlyCostUsd())
                        .thenComparingInt(FleetPlan::totalGpus));
        // Disaggregation is recommended only where it beats the recommended aggregated fleet: cheaper, or as cheap on
        // fewer GPUs (or where no aggregated fleet meets the targets).
        Optional<DisaggregatedPlan> split = options.stream().map(OptionPlan::disaggregated).filter(p -> p != null && p.meetsSlo())
                .min(Comparator.comparing((DisaggregatedPlan p) -> p.monthlyCostUsd() == null ? Double.MAX_VALUE : p.monthlyCostUsd())
                        .thenComparingInt(DisaggregatedPlan::totalGpus))
                .filter(d -> best.isEmpty() || d.beats(best.get()));
        return new PlanResult(request.model().modelId(), request.traffic(), request.slo(), options, best.orElse(null),
                split.orElse(null));
    }

    /**
     * @param maxNumSeqs  the engine setting the plan serves with: the requests in flight a replica admits
     * @param speedSource where the layout's step times come from
     */
    private record Sized(Layout layout, MemoryEstimate engine, int replicas, double ttftMs, double tpotMs, double utilization,
                         Cost cost, int maxNumSeqs, StepSource speedSource) {
    }

    /**
     * A bill: nodes, rented GPUs, the monthly sum, and where the price comes from ({@code quote}'s offer, else
     * {@code fixedSource}): written out only for the plans shown, since every layout of every cell is priced.
     */
    private record Cost(int nodes, int billedGpus, Double monthlyUsd, CostQuote quote, String fixedSource) {
        String source() {
            return quote == null ? fixedSource : quote.offer().provider() + " " + quote.offer().instance() + " x"
                    + quote.instances() + ", prices of " + quote.offer().asOf();
        }
    }

    static OptionPlan planOption(PlanRequest req, HardwareOption opt) {
        Traffic t = req.traffic();
        LayoutTable table = layoutTable(req, opt);
        ModelSpec spec = table.spec();
        PerfModel perf = table.perf();
        int maxGpusPerReplica = table.maxGpusPerReplica();
        List<Sized> sized = new ArrayList<>();
        List<ParetoPoint> pareto = new ArrayList<>();
        int fitting = table.rows().size();
        double bestTtft = Double.MAX_VALUE;
        double bestTpot = Double.MAX_VALUE;
        int p = percentileIndex(req.slo().percentile());
        for (LayoutRow row : table.rows()) {
            Layout l = row.layout();
            bestTtft = Math.min(bestTtft, row.alone().ttftMs() * TTFT_FACTOR[p]);
            bestTpot = Math.min(bestTpot, row.alone().tpotMs());
            // The frontier is for people (plan, the report's recommendations); a sweep's cells skip it.
            for (int c = 1; req.simulate() && c <= row.seats(); c *= 2) {
                PerfEstimate pe = row.at(c);
                pareto.add(new ParetoPoint(l.tp(), l.pp(), l.expertParallel(), c, pe.tokensPerSecond() / l.totalGpus(),
                        1000 / pe.tpotMs(), req.slo().effectiveTpotMs() == null || pe.tpotMs() <= req.slo().effectiveTpotMs()));
            }
            Sized sz = size(req, opt, row);
            if (sz != null) {
                sized.add(sz);
            }
        }
        List<ParetoPoint> frontier = ParetoPoint.frontier(pareto);
        if (fitting == 0) {
            return new OptionPlan(opt.name(), null, List.of(), frontier, new Miss(PlanFailure.DOES_NOT_FIT, null, null,
                    String.format(Locale.ROOT, "no layout of up to %d %s GPUs holds %s with a %,d-token context; the largest "
                            + "tried, %s", maxGpusPerReplica, opt.gpu().name(), spec.modelId(), t.maxModelLen(),
                            table.largestRefusal())), null);
        }
        sized.sort(Comparator.comparing((Sized s) -> s.cost().monthlyUsd() == null ? Double.MAX_VALUE : s.cost().monthlyUsd())
                .thenComparingInt(s -> s.replicas() * s.layout().totalGpus()).thenComparingDouble(Sized::ttftMs));
        List<FleetPlan> checked = new ArrayList<>();
        FleetPlan best = null;
        for (Sized s : sized) {
            if (!req.simulate()) {
                best = plan(req, opt, s, s.replicas(), s.ttftMs(), s.tpotMs(), false, true, s.cost());
                break;
            }
            if (checked.size() >= SIMULATED_CANDIDATES) {
                break;
            }
            // A simulation only ever adds replicas, so a plan whose analytic cost is already no lower than the best
            // simulated one cannot win: the search stops there (usually after the first).
            if (best != null && (monthly(best) < monthly(s) || monthly(best) == monthly(s)
                    && best.totalGpus() <= s.replicas() * s.layout().totalGpus())) {
                break;
            }
            // The cheapest few analytic plans are simulated; the cheapest whose simulation meets the targets wins
            // (a simulation may add replicas, so the analytic order is not the final one).
            FleetPlan simulated = simulate(req, opt, perf, s);
            checked.add(simulated);
            if (simulated.meetsSlo() && (best == null || monthly(simulated) < monthly(best)
                    || monthly(simulated) == monthly(best) && simulated.totalGpus() < best.totalGpus())) {
                best = simulated;
            }
        }
        List<FleetPlan> alternatives = new ArrayList<>();
        for (Sized s : sized) {
            if (alternatives.size() >= 5) {
                break;
            }
            if (best != null && s.layout().equals(best.layout())) {
                continue;
            }
            alternatives.add(plan(req, opt, s, s.replicas(), s.ttftMs(), s.tpotMs(), false, true, s.cost()));
        }
        Miss miss = best != null ? null : miss(req, opt, spec, bestTtft, bestTpot, sized.isEmpty(), checked);
        return new OptionPlan(opt.name(), best, alternatives, frontier, miss, disaggregated(req, opt, table, best));
    }

    /**
     * Whether {@code workers} of {@code row} could beat {@code best} (cheaper, or as cheap on fewer GPUs): not when they
     * need more rented GPUs, or as many and no fewer GPUs (see {@link #neededGpus}); the bill is only priced then.
     */
    private static boolean mayBeat(HardwareOption opt, LayoutRow row, int workers, PoolChoice best) {
        if (best == null) {
            return true;
        }
        int needed = neededGpus(opt, row.layout(), workers);
        int bestNeeded = neededGpus(opt, best.row().layout(), best.workers());
        return needed < bestNeeded || needed == bestNeeded && workers * row.layout().totalGpus() < best.gpus();
    }

    /** A pool of one layout: its row, the workers and their bill. */
    private record PoolChoice(LayoutRow row, int workers, Cost cost, int maxNumSeqs) {
        double monthly() {
            return cost.monthlyUsd() == null ? Double.MAX_VALUE : cost.monthlyUsd();
        }

        int gpus() {
            return workers * row.layout().totalGpus();
        }

        /** Whether this pool is the better buy than {@code other} (none: yes): cheaper, or as cheap on fewer GPUs. */
        boolean beats(PoolChoice other) {
            return other == null || monthly() < other.monthly() || monthly() == other.monthly() && gpus() < other.gpus();
        }
    }

    /**
     * The cheapest disaggregated fleet of this option that meets the targets analytically, or null (none does, or the
     * GPUs are AMD's). The decode pool: each
     * layout's workers at the most sequences whose decode-only step meets the TPOT bound, as many as the rate needs at
     * the headroom (Little's law: rate x output tokens x step time in flight). The prefill pool: each layout's workers,
     * as few as keep the percentile's TTFT within the target: a step of the fewest waiting prompts that keeps a worker
     * within the headroom ({@link #prefillTtftSeconds}), the Erlang C wait for one of the workers' slots, the engine's
     * per-prefill overhead where the prompt waits it out apart from the steps, the KV transfer over the network. The two
     * are chosen apart, each the cheapest, since neither's latency depends on the other's layout beyond the transfer
     * (taken at the network's speed, the slower case). Pools that then fit in one node together share it: one rental,
     * and the transfer over NVLink.
     */
    static DisaggregatedPlan disaggregated(PlanRequest req, HardwareOption opt, LayoutTable table, FleetPlan best) {
        // The KV transfer the commands set up (NIXL or UCX) is documented by the engines for NVIDIA GPUs only: AMD fleets
        // are not split.
        if (table.rows().isEmpty() || opt.gpu().vendor() != Vendor.NVIDIA) {
            return null;
        }
        Traffic t = req.traffic();
        Slo slo = req.slo();
        double rate = t.requestsPerSecond();
        double outputs = Math.max(1, t.output().mean());
        double prompt = Math.max(1, t.input().mean());
        double quantile = slo.percentile() / 100.0;
        Double bound = slo.effectiveTpotMs();
        PoolChoice decode = null;
        for (LayoutRow row : table.rows()) {
            double[] capacity = row.decodeCapacity(req);
            int seats = (int) capacity[0];
            double step = capacity[1];
            if (bound != null && step * 1e3 > bound) {
                continue;
            }
            double perWorker = seats / (outputs * step) * req.headroom();
            int workers = (int) Math.ceil(rate / perWorker * (1 - 1e-12));
            if (workers < 1 || workers > maxReplicas(opt, row.layout()) || !mayBeat(opt, row, workers, decode)) {
                continue;
            }
            PoolChoice c = new PoolChoice(row, workers, cost(req, opt, row.layout(), workers), seats);
            if (c.beats(decode)) {
                decode = c;
            }
        }
        if (decode == null) {
            return null;
        }
        Gpu gpu = opt.gpu();
        PoolChoice prefill = null;
        double prefillTtft = 0;
        for (LayoutRow row : table.rows()) {
            int cap = row.prefillBatchCap(gpu.memoryBytes());
            double transfer = Disaggregation.kvTransferSeconds(prompt, row.engine().kvBytesPerToken(),
                    decode.row().engine().kvBytesPerToken(), gpu.interNodeBytesPerSecond());
            // At least the workers that keep up at the headroom taking their full batch.
            int workers = Math.max(1, (int) Math.ceil(rate * row.prefillOnlySeconds(cap) / cap / req.headroom() * (1 - 1e-12)));
            int max = maxReplicas(opt, row.layout());
            if (workers > max || !mayBeat(opt, row, workers, prefill)) {
                continue;
            }
            double budget = slo.ttftMs() == null ? Double.POSITIVE_INFINITY
                    : slo.ttftMs() / 1e3 - transfer - row.prefillDelaySeconds();
            if (!(row.prefillOnlySeconds(1) <= budget)) {
                continue;
            }
            // The fewest workers whose prefill and wait quantile fit the budget: doubling, then bisection (both fall with
            // workers).
            int lo = workers - 1;
            int hi = workers;
            while (hi <= max && prefillTtftSeconds(row, hi, cap, rate, quantile, t.arrivalCv(), req.headroom()) > budget) {
                lo = hi;
                hi = hi * 2;
            }
            if (hi > max) {
                hi = max;
                if (prefillTtftSeconds(row, hi, cap, rate, quantile, t.arrivalCv(), req.headroom()) > budget) {
                    continue;
                }
            }
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (prefillTtftSeconds(row, mid, cap, rate, quantile, t.arrivalCv(), req.headroom()) > budget) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            workers = hi;
            if (!mayBeat(opt, row, workers, prefill)) {
                continue;
            }
            double ttft = prefillTtftSeconds(row, workers, cap, rate, quantile, t.arrivalCv(), req.headroom()) + transfer
                    + row.prefillDelaySeconds();
            PoolChoice c = new PoolChoice(row, workers, cost(req, opt, row.layout(), workers), row.seats());
            if (c.beats(prefill)) {
                prefill = c;
                prefillTtft = ttft;
            }
        }
        if (prefill == null) {
            return null;
        }
        // TPOT at the percentile: the decode batch a worker holds on average (Little's law over its own step time,
        // iterated), plus the Poisson spread of requests in flight, at most the admitted sequences.
        double batch = 1;
        for (int i = 0; i < 30; i++) {
            double next = Math.min(decode.maxNumSeqs(), rate / decode.workers() * outputs * decode.row().decodeMs(Math.ceil(batch)) / 1e3);
            if (Math.abs(next - batch) < 1e-3 * Math.max(1, batch)) {
                batch = next;
                break;
            }
            batch = Math.max(1, next);
        }
        double spread = Math.min(decode.maxNumSeqs(), batch + Z[percentileIndex(slo.percentile())] * Math.sqrt(batch) * t.arrivalCv());
        double tpotMs = decode.row().decodeMs(Math.ceil(Math.max(1, spread)));
        // Each pool, chosen apart, takes and pays for nodes of its own, and the KV crosses the network; where both pools
        // fit in one node together they share it (as Disaggregation.estimate takes them): one rental of their GPUs, and
        // the KV over NVLink in place of the network transfer the prompt's time to first token was sized with.
        double networkTransfer = Disaggregation.kvTransferSeconds(prompt, prefill.row().engine().kvBytesPerToken(),
                decode.row().engine().kvBytesPerToken(), gpu.interNodeBytesPerSecond());
        boolean oneNode = Disaggregation.sharesOneNode(prefill.gpus(), decode.gpus(), opt.gpusPerNode());
        double transferMs = networkTransfer * 1e3;
        Cost shared = null;
        if (oneNode) {
            double nvlink = Disaggregation.kvTransferSeconds(prompt, prefill.row().engine().kvBytesPerToken(),
                    decode.row().engine().kvBytesPerToken(), gpu.intraNodeBytesPerSecond());
            prefillTtft += nvlink - networkTransfer;
            transferMs = nvlink * 1e3;
            shared = sharedNodeCost(req, opt, prefill.gpus() + decode.gpus());
        }
        Double monthly = oneNode ? shared.monthlyUsd()
                : prefill.cost().monthlyUsd() == null || decode.cost().monthlyUsd() == null ? null
                : prefill.cost().monthlyUsd() + decode.cost().monthlyUsd();
        Double perMillion = monthly == null ? null : TokenCost.usdPerMillion(monthly / req.hoursPerMonth(), rate * t.output().mean());
        boolean meets = slo.met(prefillTtft * 1e3, tpotMs);
        // An analytic plan (a sweep cell) shows the split only where it beats the aggregated fleet: only then are its
        // commands built (they cost more than the sizing).
        if (!req.simulate() && !beats(meets, monthly, prefill.gpus() + decode.gpus(), best)) {
            return null;
        }
        EngineSettings settings = req.settings();
        Commands.Disaggregated cmd = disaggregatedCommands(req, opt, settings, prefill, decode);
        List<String> notes = new ArrayList<>(cmd.notes());
        notes.addAll(cmd.prefill().notes());
        notes.addAll(cmd.decode().notes());
        String source = oneNode ? shared.source() : prefill.cost().source().equals(decode.cost().source()) ? prefill.cost().source()
                : "prefill: " + prefill.cost().source() + "; decode: " + decode.cost().source();
        return new DisaggregatedPlan(opt.name(), gpu.name(), opt.gpusPerNode(), req.engine(), prefill.row().layout(), prefill.workers(),
                decode.row().layout(), decode.workers(), decode.maxNumSeqs(), decode.row().engine().maxModelLen(),
                prefill.gpus() + decode.gpus(), oneNode ? 1 : prefill.cost().nodes() + decode.cost().nodes(), slo.percentile(),
                prefillTtft * 1e3,
                tpotMs, transferMs, meets, monthly, perMillion, source, cmd.prefill().commands(),
                cmd.decode().commands(), cmd.router(), notes,
                prefill.row().speedSource(), decode.row().speedSource());
    }

    /**
     * A prompt's prefill and its wait at the {@code quantile} on {@code workers} context workers of {@code row} at
     * {@code rate} prompts a second: each worker takes the prompts waiting for it into one step, the fewest of up to
     * {@code cap} that keep it within the {@code headroom} (one where that suffices, as a lightly loaded worker runs a
     * lone prompt), a step of {@code b} prompts then a server of {@code b} slots (Erlang C over the workers' slots).
     */
    static double prefillTtftSeconds(LayoutRow row, int workers, int cap, double rate, double quantile, double arrivalCv,
                                     double headroom) {
        int b = 1;
        while (b < cap && rate / workers * row.prefillOnlySeconds(b) / b > headroom) {
            b++;
        }
        double service = row.prefillOnlySeconds(b);
        return service + Disaggregation.waitQuantileSeconds(workers * b, service, rate, quantile, arrivalCv);
    }

    /** {@link DisaggregatedPlan#beats}, before the plan is built. */
    static boolean beats(boolean meets, Double monthlyUsd, int gpus, FleetPlan p) {
        if (!meets) {
            return false;
        }
        if (p == null || !p.meetsSlo()) {
            return true;
        }
        if (monthlyUsd != null && p.monthlyCostUsd() != null) {
            return monthlyUsd < p.monthlyCostUsd() || monthlyUsd.equals(p.monthlyCostUsd()) && gpus < p.totalGpus();
        }
        return gpus < p.totalGpus();
    }

    private static Commands.Disaggregated disaggregatedCommands(PlanRequest req, HardwareOption opt, EngineSettings settings,
                                                                PoolChoice prefill, PoolChoice decode) {
        boolean languageModelOnly = settings.languageModelOnly() && req.model().hasEncoderTower();
        Commands.Request p = Commands.Request.of(req.model().modelId(), prefill.row().layout(), opt.gpusPerNode(),
                prefill.row().engine().maxModelLen(), prefill.maxNumSeqs(), settings, languageModelOnly);
        Commands.Request d = Commands.Request.of(req.model().modelId(), decode.row().layout(), opt.gpusPerNode(),
                decode.row().engine().maxModelLen(), decode.maxNumSeqs(), settings, languageModelOnly);
        // SGLang's and TensorRT-LLM's memory flags are sized from the engine view (vLLM's command needs none of it: the
        // view costs more than the rest of the plan).
        return switch (req.engine()) {
            case SGLANG -> Commands.sglangDisaggregated(p.withMemory(prefill.row().engine(), opt.gpu().memoryBytes()),
                    prefill.workers(), d.withMemory(decode.row().engine(), opt.gpu().memoryBytes()), decode.workers());
            case TRTLLM -> Commands.trtllmDisaggregated(p.withMemory(prefill.row().engine(), opt.gpu().memoryBytes()),
                    prefill.workers(), d.withMemory(decode.row().engine(), opt.gpu().memoryBytes()), decode.workers());
            case VLLM -> Commands.vllmDisaggregated(p, prefill.workers(), d, decode.workers());
        };
    }

    /**
     * What a plan needs of one layout that does not depend on the request rate or the targets:
     * the engine's memory view, its seats, the throughput model at any number of requests in
     * flight (computed once per number, see {@link #at}), the decode-only step the simulation
     * takes, the step time one prompt adds, and where the step times come from. The throughput model computes each
     * prompt's uncached part only, over its whole context, when the traffic reuses prefixes ({@link Workload}'s cached
     * tokens).
     */
    static final class LayoutRow {
        /** Steps of up to this many prompts keep their {@link #prefillOnlySeconds} once computed. */
        static final int PREFILL_BATCH_CACHE = 257;
        private final Layout layout;
        private final MemoryEstimate engine;
        private final int seats;
        private final double prefillSeconds;
        private final StepTimer timer;
        private final double meanContext;
        private final StepSource speedSource;
        private final PerfModel perf;
        private final int gpusPerNode;
        private final Traffic lengths;
        private final ServingEngine servingEngine;
        /** The throughput model by requests in flight, filled as asked; estimates are immutable, so racing threads write equal values. */
        private final PerfEstimate[] byConcurrency;
        /** {@link #decodeMs} by whole requests (0: not yet computed; racing threads write equal values). */
        private final double[] decodeMsByCount;
        private final Map<RateKey, Double> maxRates = new ConcurrentHashMap<>();
        private final Map<Slo, double[]> decodeCapacities = new ConcurrentHashMap<>();
        /** {@link #prefillOnlySeconds} by prompts a step, once computed (0 before; racing threads write equal values). */
        private final double[] prefillOnly = new double[PREFILL_BATCH_CACHE];

        LayoutRow(Layout layout, MemoryEstimate engine, int seats, double prefillSeconds, StepTimer timer,
                  PerfModel perf, int gpusPerNode, Traffic lengths, ServingEngine servingEngine) {
            this.layout = layout;
            this.engine = engine;
            this.seats = seats;
            this.prefillSeconds = prefillSeconds;
            this.timer = timer;
            this.meanContext = lengths.input().mean() + lengths.output().mean() / 2;
            this.perf = perf;
            this.gpusPerNode = gpusPerNode;
            this.lengths = lengths;
            this.servingEngine = servingEngine;
            this.speedSource = perf.stepSource(layout, engine, servingEngine);
            this.byConcurrency = new PerfEstimate[seats + 1];
            this.decodeMsByCount = new double[seats + 1];
        }

        Layout layout() {
            return layout;
        }

        MemoryEstimate engine() {
            return engine;
        }

        int seats() {
            return seats;
        }

        double prefillSeconds() {
            return prefillSeconds;
        }

        StepSource speedSource() {
            return speedSource;
        }

        /**
         * Seconds a worker that only prefills (disaggregated serving) spends on a step of {@code prompts} mean prompts:
         * their uncached tokens, and the engine's per-prefill overhead where the worker spends it between steps
         * ({@link ServingEngine#prefillOverheadHoldsWorker}; else it is {@link #prefillDelaySeconds}).
         */
        double prefillOnlySeconds(int prompts) {
            double[] cache = prefillOnly;
            if (prompts < cache.length && cache[prompts] > 0) {
                return cache[prompts];
            }
            int prompt = promptTokens(lengths);
            int uncached = uncachedTokens(lengths);
            double s = timer.stepSeconds(0, prompt, prompts * uncached)
                    + (servingEngine.prefillOverheadHoldsWorker() ? timer.requestOverheadSeconds() : 0);
            if (prompts < cache.length) {
                cache[prompts] = s;
            }
            return s;
        }

        /** The engine's per-prefill overhead where a prompt waits it out apart from the worker's steps, else 0. */
        double prefillDelaySeconds() {
            return servingEngine.prefillOverheadHoldsWorker() ? 0 : timer.requestOverheadSeconds();
        }

        /**
         * The most mean prompts a context worker takes into one step: as many as the engine's step budget holds of their
         * uncached tokens (TensorRT-LLM's max_num_tokens, SGLang's chunked-prefill size, vLLM's max_num_batched_tokens;
         * cached prefixes are not computed), at most the sequences its command admits (its seats), at least one.
         */
        int prefillBatchCap(long gpuMemoryBytes) {
            return Math.min(seats, servingEngine.promptsPerPrefillStep(engine, gpuMemoryBytes, uncachedTokens(lengths)));
        }

        /**
         * A decode-only worker of this layout under {@code slo}: the sequences it admits ({@link #seatCap}) and its
         * decode step at that batch in seconds, computed once per set of targets.
         */
        double[] decodeCapacity(PlanRequest req) {
            return decodeCapacities.computeIfAbsent(req.slo(), k -> {
                int seats = seatCap(req, this);
                return new double[] {seats, decodeMs(seats) / 1e3};
            });
        }

        /** A lone request. */
        PerfEstimate alone() {
            return at(1);
        }

        /** Every seat taken: the replica's throughput ceiling. */
        PerfEstimate saturated() {
            return at(seats);
        }

        /**
         * Milliseconds of a decode-only step with {@code c} requests at the traffic's mean context (whole requests, at
         * least one), computed once per count up to the seats.
         */
        double decodeMs(double c) {
            int n = (int) Math.max(1, c);
            if (n >= decodeMsByCount.length) {
                return timer.stepSeconds(n, meanContext, 0) * 1e3;
            }
            double v = decodeMsByCount[n];
            if (v == 0) {
                v = timer.stepSeconds(n, meanContext, 0) * 1e3;
                decodeMsByCount[n] = v;
            }
            return v;
        }

        /** The highest rate per replica within a set of targets, computed once per set. */
        double maxRate(RateKey key, DoubleSupplier compute) {
            Double v = maxRates.get(key);
            if (v == null) {
                v = compute.getAsDouble();
                maxRates.put(key, v);
            }
            return v;
        }

        /**
         * The throughput model at {@code c} requests in flight (1 to seats), computed once: the
         * sizing of every request rate asks for the same few concurrencies again and again.
         */
        PerfEstimate at(int c) {
            PerfEstimate e = byConcurrency[c];
            if (e == null) {
                e = estimate(perf, layout, gpusPerNode, engine, lengths, c, servingEngine);
                byConcurrency[c] = e;
            }
            return e;
        }
    }

    /**
     * Every fitting layout of a model on a hardware option for a traffic's lengths.
     *
     * @param largestRefusal why the largest layout tried does not serve (null when one does): what a user is told
     *                       when none fits
     */
    record LayoutTable(ModelSpec spec, PerfModel perf, int maxGpusPerReplica, List<LayoutRow> rows, String largestRefusal) {
    }

    /**
     * A table's key: the checkpoint by identity (its spec is resolved once per process), the
     * hardware, the engine and its settings, the lengths. The rate and the targets are not in it:
     * a sweep of 2,500 request rates builds each model's table on each hardware once.
     */
    private record TableKey(ModelSpec model, Gpu gpu, int gpusPerNode, Integer maxNodes, EngineSettings settings,
                            LengthDistribution input, LengthDistribution output, double prefixHitRate, ServingEngine engine) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TableKey k && k.model == model && k.gpu.equals(gpu) && k.gpusPerNode == gpusPerNode
                    && Objects.equals(k.maxNodes, maxNodes) && k.settings.equals(settings) && k.input.equals(input)
                    && k.output.equals(output) && k.prefixHitRate == prefixHitRate && k.engine == engine;
        }

        @Override
        public int hashCode() {
            return Objects.hash(System.identityHashCode(model), gpu, gpusPerNode, maxNodes, settings, input, output,
                    prefixHitRate, engine);
        }
    }

    /**
     * Tables kept per process; cleared when full. A table of a small model on 8-GPU nodes has up to
     * 120 layouts with a slot per concurrency (up to 1,024): about half a megabyte, so 512 tables
     * stay within a few hundred megabytes of a sweep's heap.
     */
    static final int MAX_TABLES = 512;
    private static final Map<TableKey, LayoutTable> TABLES = new ConcurrentHashMap<>();

    /** Forgets every layout table (a benchmark of cold planning; a long-lived process releasing memory). */
    public static void clearLayoutTables() {
        TABLES.clear();
    }

    static LayoutTable layoutTable(PlanRequest req, HardwareOption opt) {
        Traffic t = req.traffic();
        TableKey key = new TableKey(req.model(), opt.gpu(), opt.gpusPerNode(), opt.maxNodes(), req.settings(), t.input(),
                t.output(), t.prefixHitRate(), req.engine());
        LayoutTable table = TABLES.get(key);
        if (table == null) {
            table = buildTable(req, opt);
            if (TABLES.size() >= MAX_TABLES) {
                TABLES.clear();
            }
            TABLES.put(key, table);
        }
        return table;
    }

    private static LayoutTable buildTable(PlanRequest req, HardwareOption opt) {
        Gpu gpu = opt.gpu();
        Traffic t = req.traffic();
        EngineSettings settings = req.settings().withMaxModelLen(t.maxModelLen());
        ModelSpec spec = settings.served(req.model(), gpu);
        MemoryModel memory = new MemoryModel(spec, gpu);
        PerfModel perf = new PerfModel(memory);
        int gpn = opt.gpusPerNode();
        int nodesCap = opt.maxNodes() == null ? MAX_NODES_PER_REPLICA : Math.min(opt.maxNodes(), MAX_NODES_PER_REPLICA);
        int nvlink = gpu.nvlinkGpus(gpn);
        // A replica may fill an NVLink domain larger than eight nodes (an NVL72 rack is 18 trays of four).
        int maxGpusPerReplica = Math.max(gpn * nodesCap, opt.maxNodes() == null ? nvlink : Math.min(nvlink, gpn * opt.maxNodes()));
        int prompt = promptTokens(t);
        int uncached = uncachedTokens(t);
        List<LayoutRow> rows = new ArrayList<>();
        String largestRefusal = null;
        int largestTried = 0;
        for (int tp = 1; tp <= Math.min(nvlink, maxGpusPerReplica); tp++) {
            if (spec.numAttentionHeads() % tp != 0) {
                continue;
            }
            for (int pp = 1; pp <= Math.min(spec.numLayers(), maxGpusPerReplica / tp); pp++) {
                for (int ep = 0; ep <= (spec.isMoe() && tp > 1 ? 1 : 0); ep++) {
                    Layout l = new Layout(tp, pp, 1, ep == 1);
                    MemoryEstimate e = memory.evaluate(l, settings, gpu.memoryBytes());
                    if (!e.fits() || e.kvCacheTokens() < t.maxModelLen()) {
                        if (l.totalGpus() >= largestTried) {
                            largestTried = l.totalGpus();
                            largestRefusal = String.format(Locale.ROOT, "TP %d x PP %d: %s", tp, pp, !e.fits()
                                    ? e.rejection().detail() : String.format(Locale.ROOT,
                                    "its KV cache holds %,d tokens, fewer than the longest request's %,d", e.kvCacheTokens(),
                                    t.maxModelLen()));
                        }
                        continue;
                    }
                    int seats = seats(e, t);
                    // Seconds of step time one request's prompt adds when its chunks ride in the steps of others (a
                    // mixed step costs more than a decode step): decode steps slow down by the share prefill takes.
                    StepTimer timer = perf.stepTimer(l, gpn, e, req.engine());
                    double empty = timer.stepSeconds(0, 1, 0);
                    double part = timer.stepSeconds(0, prompt, uncached);
                    rows.add(new LayoutRow(l, e, seats, part - empty, timer, perf, gpn, t, req.engine()));
                }
            }
        }
        return new LayoutTable(spec, perf, maxGpusPerReplica, List.copyOf(rows), largestRefusal);
    }

    /** The traffic's mean prompt in whole tokens, at least one. */
    static int promptTokens(Traffic t) {
        return (int) Math.max(1, Math.round(t.input().mean()));
    }

    /** Of the mean prompt, the tokens the prefix cache does not hold, which a prefill computes: at least one. */
    static int uncachedTokens(Traffic t) {
        return (int) Math.max(1, Math.round(promptTokens(t) * (1 - t.prefixHitRate())));
    }

    /** Seats of one replica: vLLM's max_num_seqs, and no more requests than the KV cache holds at the mean length. */
    static int seats(MemoryEstimate e, Traffic t) {
        double meanLength = t.input().mean() + t.output().mean();
        return (int) Math.max(1, Math.min(e.maxNumSeqs(), Math.floor(e.kvCacheTokens() / meanLength)));
    }

    private static PerfEstimate estimate(PerfModel perf, Layout l, int gpn, MemoryEstimate e, Traffic t, int concurrency,
                                         ServingEngine engine) {
        int prompt = promptTokens(t);
        int uncached = uncachedTokens(t);
        Workload w = new Workload(prompt, (int) Math.max(1, Math.round(t.output().mean())), Math.max(1, concurrency),
                prompt - uncached);
        return perf.estimate(l, gpn, e, w, engine);
    }

    /**
     * The fewest replicas of the row's layout whose analytic latencies meet the targets, or null
     * when none do. The latencies depend on the rate per replica alone and grow with it, so each
     * layout's highest rate per replica within the targets is found once (by bisection, for each
     * set of targets a run asks about) and the replicas follow by division.
     */
    private static Sized size(PlanRequest req, HardwareOption opt, LayoutRow row) {
        Traffic t = req.traffic();
        Layout l = row.layout();
        double capacity = row.saturated().requestsPerSecond() * req.headroom();
        if (!(capacity > 0)) {
            return null;
        }
        double limit = row.maxRate(new RateKey(req.slo(), t.arrivalCv(), req.headroom()),
                () -> maxRateWithin(req, row, capacity));
        if (!(limit > 0)) {
            return null;
        }
        int maxReplicas = maxReplicas(opt, l);
        long r = Math.max(1, (long) Math.ceil(t.requestsPerSecond() / limit * (1 - 1e-12)));
        double[] at = r <= maxReplicas ? analytic(req, row, t.requestsPerSecond() / r) : null;
        // The concurrency model rounds to whole requests, so the latencies are monotone only up to a step: a few more
        // replicas settle it.
        for (int extra = 0; extra < 3 && r < maxReplicas && (at == null || !req.slo().met(at[0], at[1])); extra++) {
            r++;
            at = analytic(req, row, t.requestsPerSecond() / r);
        }
        if (r > maxReplicas || at == null || !req.slo().met(at[0], at[1])) {
            return null;
        }
        return new Sized(l, row.engine(), (int) r, at[0], at[1], t.requestsPerSecond() / r / row.saturated().requestsPerSecond(),
                cost(req, opt, l, (int) r), seatCap(req, row), row.speedSource());
    }

    /**
     * The max_num_seqs a plan serves with: the most requests in flight whose decode step still
     * meets the TPOT bound (so a burst waits in the queue, costing TTFT, instead of slowing every
     * stream past its target), at most the layout's seats; the seats when there is no TPOT bound.
     */
    static int seatCap(PlanRequest req, LayoutRow row) {
        Double bound = req.slo().effectiveTpotMs();
        if (bound == null) {
            return row.seats();
        }
        Traffic t = req.traffic();
        int lo = 1;
        int hi = row.seats();
        if (row.decodeMs(hi) <= bound) {
            return hi;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (row.decodeMs(mid) <= bound) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The targets and the traffic's shape a layout's highest rate per replica depends on. */
    record RateKey(Slo slo, double arrivalCv, double headroom) {
    }

    /** The highest rate per replica (up to {@code capacity}) whose analytic latencies meet the targets; 0 when none. */
    private static double maxRateWithin(PlanRequest req, LayoutRow row, double capacity) {
        double[] top = analytic(req, row, capacity);
        if (top != null && req.slo().met(top[0], top[1])) {
            return capacity;
        }
        double lo = 0;
        double hi = capacity;
        double tiny = capacity * 1e-6;
        double[] bottom = analytic(req, row, tiny);
        if (bottom == null || !req.slo().met(bottom[0], bottom[1])) {
            return 0;
        }
        lo = tiny;
        for (int i = 0; i < 40 && hi - lo > 1e-4 * hi; i++) {
            double mid = (lo + hi) / 2;
            double[] m = analytic(req, row, mid);
            if (m != null && req.slo().met(m[0], m[1])) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Analytic TTFT and TPOT at the percentile at {@code rate} requests/s per replica, or null when a
     * replica cannot keep up (requests in flight would exceed its seats, or prefill alone would
     * take more than {@link #MAX_PREFILL_SHARE} of its time).
     *
     * <p>TPOT is the decode-only step at the requests in flight (the step timer the simulation
     * uses, at the mean context) stretched by the prefill share {@code rho} (arrival rate x one
     * prompt's prefill seconds): with chunked prefill, prompts ride in the decode steps and a
     * decoding request waits for them, so its tokens come at {@code 1 / (1 - rho)} of the
     * decode-only pace, as the scheduler simulation shows.
     */
    private static double[] analytic(PlanRequest req, LayoutRow row, double rate) {
        Traffic t = req.traffic();
        int seats = row.seats();
        double prefillSeconds = row.prefillSeconds();
        double rho = rate * prefillSeconds;
        if (rho > MAX_PREFILL_SHARE) {
            return null;
        }
        double stretch = 1 / (1 - rho);
        double c = 1;
        PerfEstimate est = null;
        for (int i = 0; i < 30; i++) {
            est = row.at((int) Math.ceil(c));
            double inSystem = rate * (est.ttftMs() + (t.output().mean() - 1) * row.decodeMs(Math.ceil(c)) * stretch) / 1000;
            if (inSystem > seats) {
                return null;
            }
            if (Math.abs(inSystem - c) < 0.05 * c + 0.01) {
                c = Math.max(1, inSystem);
                break;
            }
            c = Math.max(1, inSystem);
        }
        int p = percentileIndex(req.slo().percentile());
        double cp = Math.min(seats, c + Z[p] * Math.sqrt(c) * t.arrivalCv());
        return new double[] {est.ttftMs() * TTFT_FACTOR[p] * Math.max(1, t.arrivalCv()),
                row.decodeMs(Math.ceil(cp)) * stretch};
    }

    private static int maxReplicas(HardwareOption opt, Layout l) {
        if (opt.maxNodes() == null) {
            return MAX_REPLICAS;
        }
        int gpr = l.totalGpus();
        int gpn = opt.gpusPerNode();
        return gpr >= gpn ? opt.maxNodes() / ((gpr + gpn - 1) / gpn) : opt.maxNodes() * (gpn / gpr);
    }

    /** Nodes, billed GPUs and the monthly bill of {@code replicas} replicas of {@code l}, packed onto whole nodes. */
    static Cost cost(PlanRequest req, HardwareOption opt, Layout l, int replicas) {
        return cost(req, opt, nodes(opt, l, replicas), neededGpus(opt, l, replicas));
    }

    /**
     * What {@code gpus} GPUs of one node cost, workers of both pools of a split fleet side by side: those GPUs where they
     * divide the node (as {@link #neededGpus} packs replicas), else the whole node.
     */
    private static Cost sharedNodeCost(PlanRequest req, HardwareOption opt, int gpus) {
        return cost(req, opt, 1, opt.gpusPerNode() % gpus == 0 ? gpus : opt.gpusPerNode());
    }

    private static Cost cost(PlanRequest req, HardwareOption opt, int nodes, int needed) {
        if (opt.priceUsdPerGpuHour() != null) {
            return new Cost(nodes, needed, opt.priceUsdPerGpuHour() * needed * req.hoursPerMonth(), null, "the option's own price");
        }
        Optional<CostQuote> q = req.prices().cheapest(opt.gpu().name(), needed, req.hoursPerMonth());
        return q.map(quote -> new Cost(nodes, quote.billedGpus(), quote.monthlyUsd(), quote, null))
                .orElseGet(() -> new Cost(nodes, needed, null, null, "no price known for " + opt.gpu().name()));
    }

    /** Nodes {@code replicas} replicas of {@code l} take, packed onto whole nodes. */
    private static int nodes(HardwareOption opt, Layout l, int replicas) {
        int gpr = l.totalGpus();
        int gpn = opt.gpusPerNode();
        return gpr >= gpn ? replicas * ((gpr + gpn - 1) / gpn) : (replicas + gpn / gpr - 1) / (gpn / gpr);
    }

    /**
     * GPUs to rent for {@code replicas} replicas of {@code l}: theirs where they pack nodes exactly, else the whole nodes.
     * The cheapest rental of more GPUs never costs less (it also rents the fewer), so a plan needing more cannot be cheaper.
     */
    private static int neededGpus(HardwareOption opt, Layout l, int replicas) {
        int gpr = l.totalGpus();
        int gpn = opt.gpusPerNode();
        boolean packsExactly = gpr >= gpn ? gpr % gpn == 0 : gpn % gpr == 0;
        return packsExactly ? replicas * gpr : nodes(opt, l, replicas) * gpn;
    }

    /** Simulates the sized plan, adding replicas until the simulated percentiles meet the targets (or giving up). */
    private static FleetPlan simulate(PlanRequest req, HardwareOption opt, PerfModel perf, Sized s) {
        Traffic t = req.traffic();
        int replicas = s.replicas();
        int max = maxReplicas(opt, s.layout());
        ServingSimulator.Result result = null;
        for (int round = 0; round < SIMULATION_ROUNDS; round++) {
            result = ServingSimulator.run(perf.stepTimer(s.layout(), opt.gpusPerNode(), s.engine(), req.engine()),
                    new ServingSimulator.Limits(s.maxNumSeqs(), s.engine().maxNumBatchedTokens(),
                            s.engine().kvCacheTokens(), s.engine().blockSize()),
                    new ServingSimulator.Open(t.requestsPerSecond() / replicas, t.arrivalCv()), t.input(), t.output(),
                    t.prefixHitRate(), simulatedRequests(req.slo().percentile()), 20261130L);
            int pct = req.slo().percentile();
            boolean meets = !result.saturated() && req.slo().met(result.ttftMs(pct), result.tpotMs(pct));
            if (meets || replicas >= max) {
                break;
            }
            replicas = Math.min(max, replicas + Math.max(1, (int) Math.ceil(replicas * 0.2)));
        }
        int pct = req.slo().percentile();
        boolean meets = !result.saturated() && req.slo().met(result.ttftMs(pct), result.tpotMs(pct));
        return plan(req, opt, s, replicas, result.ttftMs(pct), result.tpotMs(pct), true, meets, cost(req, opt, s.layout(), replicas));
    }

    private static FleetPlan plan(PlanRequest req, HardwareOption opt, Sized s, int replicas, double ttft, double tpot,
                                  boolean simulated, boolean meets, Cost cost) {
        Traffic t = req.traffic();
        MemoryEstimate e = s.engine();
        EngineSettings settings = req.settings();
        Commands.Request cmd = Commands.Request.of(req.model().modelId(), s.layout(), opt.gpusPerNode(), e.maxModelLen(),
                s.maxNumSeqs(), settings, settings.languageModelOnly() && req.model().hasEncoderTower());
        if (req.engine() != ServingEngine.VLLM) {
            cmd = cmd.withMemory(e, opt.gpu().memoryBytes());
        }
        Deployment d = switch (req.engine()) {
            case VLLM -> Commands.vllm(cmd);
            case SGLANG -> Commands.sglang(cmd);
            case TRTLLM -> Commands.trtllm(cmd);
        };
        List<String> notes = new ArrayList<>(d.notes());
        if (replicas > 1) {
            notes.add("run " + replicas + " replicas behind a load balancer");
        }
        SpeculativeDecoding sd = e.speculative();
        if (sd.enabled()) {
            notes.add(String.format(Locale.ROOT, "speculative decoding (%s, %d draft token(s)) assumes per-position acceptance"
                    + " %s (%s): %.2f tokens per step; TPOT scales with what your traffic accepts", sd.method().key(),
                    sd.numSpeculativeTokens(), sd.acceptance(), sd.acceptanceSource(), sd.meanTokensPerStep()));
        }
        Double perMillion = cost.monthlyUsd() == null ? null
                : TokenCost.usdPerMillion(cost.monthlyUsd() / req.hoursPerMonth(), t.requestsPerSecond() * t.output().mean());
        Optional<OwnedCost.Quote> owned = req.owned().quote(opt.gpu().name(), cost.nodes() * opt.gpusPerNode(), req.hoursPerMonth());
        return new FleetPlan(opt.name(), opt.gpu().name(), opt.gpusPerNode(), s.layout(), replicas, replicas * s.layout().totalGpus(),
                cost.nodes(), req.engine(), s.maxNumSeqs(), e.maxModelLen(), req.slo().percentile(), ttft, tpot, simulated, meets,
                t.requestsPerSecond() / replicas, cost.monthlyUsd(), perMillion, cost.source(),
                owned.map(OwnedCost.Quote::monthlyUsd).orElse(null), owned.map(OwnedCost.Quote::upfrontUsd).orElse(null),
                owned.map(q -> q.servers() + " x " + q.server().name() + " at $" + Math.round(q.server().priceUsd()) + " ("
                        + q.server().priceKind() + ", " + q.server().priceDate() + "), written off over "
                        + req.owned().amortisationYears() + " years, power at $" + req.owned().usdPerKwh() + "/kWh, PUE "
                        + req.owned().pue()).orElse("no server price known for " + opt.gpu().name()),
                d.command(), List.copyOf(notes), s.speedSource());
    }

    /** Why no plan of this option meets the targets, by how much, and what would. */
    private static Miss miss(PlanRequest req, HardwareOption opt, ModelSpec spec, double bestTtft, double bestTpot,
                             boolean noneSized, List<FleetPlan> checked) {
        Slo slo = req.slo();
        Double tpotBound = slo.effectiveTpotMs();
        if (tpotBound != null && bestTpot > tpotBound) {
            String target = slo.tpotMs() != null && slo.tpotMs().equals(tpotBound)
                    ? String.format(Locale.ROOT, "the TPOT target of %.1f ms", tpotBound)
                    : String.format(Locale.ROOT, "the target of %.1f tokens/s per user (TPOT %.1f ms)",
                    slo.minTokensPerSecondPerUser(), tpotBound);
            return new Miss(PlanFailure.TPOT_TARGET, tpotBound, bestTpot, String.format(Locale.ROOT,
                    "%s cannot be met on %s at any number of replicas: the fastest layout gives "
                            + "%.1f ms with one request in flight; a target of at least %.1f ms, or a faster GPU, would be met",
                    target, opt.gpu().name(), bestTpot, Math.ceil(bestTpot * 11) / 10));
        }
        if (slo.ttftMs() != null && bestTtft > slo.ttftMs()) {
            return new Miss(PlanFailure.TTFT_TARGET, slo.ttftMs(), bestTtft, String.format(Locale.ROOT,
                    "the TTFT target of %.0f ms cannot be met on %s at any number of replicas: the fastest layout gives "
                            + "%.0f ms at p%d for a lone request; a target of at least %.0f ms, or a faster GPU, would be met",
                    slo.ttftMs(), opt.gpu().name(), bestTtft, slo.percentile(), Math.ceil(bestTtft * 1.1)));
        }
        if (opt.maxNodes() != null && (noneSized || checked.stream().noneMatch(FleetPlan::meetsSlo))) {
            return new Miss(PlanFailure.NOT_ENOUGH_GPUS, null, null, String.format(Locale.ROOT,
                    "%d node(s) of %d %s are not enough for %.2f requests/s within %s; allow more nodes", opt.maxNodes(),
                    opt.gpusPerNode(), opt.gpu().name(), req.traffic().requestsPerSecond(), slo));
        }
        FleetPlan closest = checked.isEmpty() ? null : checked.get(0);
        return new Miss(PlanFailure.SIMULATION_MISSED, null, null, closest == null
                ? "no layout of " + spec.modelId() + " on " + opt.gpu().name() + " meets " + slo
                : String.format(Locale.ROOT, "the simulated p%d of the closest plan (%d x TP %d PP %d) is TTFT %.0f ms, TPOT %.1f ms "
                        + "against %s", slo.percentile(), closest.replicas(), closest.layout().tp(), closest.layout().pp(),
                closest.ttftMs(), closest.tpotMs(), slo));
    }

    private static double monthly(FleetPlan p) {
        return p.monthlyCostUsd() == null ? Double.MAX_VALUE : p.monthlyCostUsd();
    }

    private static double monthly(Sized s) {
        return s.cost().monthlyUsd() == null ? Double.MAX_VALUE : s.cost().monthlyUsd();
    }

    /** Requests to simulate for a percentile: about {@link #TAIL_SAMPLES} measured ones beyond it, within bounds. */
    static int simulatedRequests(int percentile) {
        double beyond = 1 - percentile / 100.0;
        double measuredShare = 1 - ServingSimulator.WARM_UP_SHARE;
        long n = (long) Math.ceil(TAIL_SAMPLES / beyond / measuredShare);
        return (int) Math.max(MIN_SIMULATED_REQUESTS, Math.min(MAX_SIMULATED_REQUESTS, n));
    }

    static int percentileIndex(int percentile) {
        return switch (percentile) {
            case 50 -> 0;
            case 90 -> 1;
            case 99 -> 2;
            default -> throw new IllegalArgumentException("percentile " + percentile);
        };
    }
}

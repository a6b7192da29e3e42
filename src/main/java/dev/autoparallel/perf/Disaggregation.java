package dev.autoparallel.perf;

import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.perf.PerfModel.Calibrations;
import dev.autoparallel.perf.PerfModel.StepSource;
import java.util.Optional;

/**
 * Disaggregated prefill/decode serving (vLLM's and SGLang's PD disaggregation, TensorRT-LLM's disaggregated serving, as
 * NVIDIA Dynamo and llm-d deploy them): a pool of prefill workers and a pool of decode workers, each with its own
 * layout and count, and each prompt's KV cache moved from its prefill worker to a decode worker over the links between
 * them (NVLink inside a node, the network between nodes).
 *
 * <p>A benchmark at a fixed concurrency C (each request followed by the next once it completes, as the measured points
 * run) is a closed queueing network of three stations: the prefill pool, a queue with one server per prompt a worker's
 * ranks prefill at once; the KV transfer, a delay; and the decode pool, a queue with one server per batch slot, each
 * request holding a slot for its output tokens. It is solved by exact mean value analysis over 1..C requests, each
 * multi-server queue by Seidmann's approximation (a single server m times as fast plus a delay of (m - 1)/m of the
 * service) where it has fewer servers than requests, and as the pure delay it is where it has at least as many; the
 * prefill's service is constant (prompts of one length), so an arrival waits out half of the one in progress. A prefill
 * rank's step takes the prompts waiting for it, up to its pool's cap (by default what the engine's step budget holds
 * whole), so a loaded pool prefills several a step; where the engine's prefill worker spends its per-prefill overhead
 * between steps (TensorRT-LLM's context workers, {@link ServingEngine#prefillOverheadHoldsWorker}) that overhead is
 * part of each step's service, elsewhere a delay the prompt sees. A
 * decode step's time depends on the batch, which depends on the throughput: the two are iterated to a fixed point.
 * Prefill steps carry no decode and decode steps no prefill: that is what disaggregation buys. Under attention data
 * parallelism a prefill worker's ranks step together and a step's MoE layers (and their all-gather) carry the prompts
 * of the ranks that have one, not every rank's: the ranks loaded are the pool's utilization of them, iterated with the
 * decode batch (TensorRT-LLM's CUTLASS MoE all-gathers each rank's own token count, {@code all_rank_num_tokens}, where
 * the prefill workers run without CUDA graphs and so without DP padding; fused_moe_cutlass.py, read 2026-12-02).
 *
 * <p>The expert dispatch of a pool under attention data parallelism is in its steps ({@link
 * ServingEngine#expertDispatch}). Not modelled: the decode pool's own scheduling overheads beyond the engine's
 * step overhead, and transfer queueing on a shared network.
 */
public final class Disaggregation {
    /** Fixed-point iterations of the decode batch; it settles in well under this (damped halves). */
    private static final int ITERATIONS = 40;

    private Disaggregation() {
    }

    /**
     * One pool: {@code workers} engine instances of {@code layout}, each rank holding at most {@code maxBatchPerRank}
     * sequences at once (0: a decode pool what its KV cache holds, a prefill pool the prompts its engine's step budget
     * holds whole). With attention data parallelism ({@code layout.dp()} ranks sharing the experts) a worker holds
     * {@code dp x maxBatchPerRank}.
     */
    public record Pool(Layout layout, int workers, int maxBatchPerRank) {
        public Pool {
            if (workers < 1 || maxBatchPerRank < 0) {
                throw new IllegalArgumentException("a pool needs at least one worker and a batch of at least 0: " + workers
                        + ", " + maxBatchPerRank);
            }
        }

        int gpus() {
            return workers * layout.totalGpus();
        }
    }

    /**
     * The disaggregated deployment's speed.
     *
     * @param decodeBatchPerRank sequences a decode rank steps at once, on average
     * @param prefillUtilization share of the prefill pool's capacity in use
     * @param kvTransferMs       one prompt's KV cache from its prefill worker to its decode worker
     */
    public record Estimate(double ttftMs, double tpotMs, double tokensPerSecond, double requestsPerSecond,
                           double decodeBatchPerRank, double prefillUtilization, double kvTransferMs,
                           StepSource prefillSource, StepSource decodeSource) {
    }

    /**
     * The speed of {@code prefill} and {@code decode} pools of {@code perf}'s model and GPU for the workload (its
     * concurrency the requests in flight over the whole deployment), or empty when either pool's layout does not fit.
     */
    public static Optional<Estimate> estimate(PerfModel perf, Pool prefill, Pool decode, int gpusPerNode, EngineSettings settings,
                                              Workload w, ServingEngine engine) {
        return estimate(perf, prefill, decode, gpusPerNode, settings, w, engine, ServingEngine::forPlanning);
    }

    /** As above, with the engines' calibrations given (fitting one). */
    static Optional<Estimate> estimate(PerfModel perf, Pool prefill, Pool decode, int gpusPerNode, EngineSettings settings,
                                       Workload w, ServingEngine engine, Calibrations calibrations) {
        return estimate(perf, prefill, decode, gpusPerNode, settings, w, engine, calibrations, 0);
    }

    /**
     * As above, with each request waiting {@code firstTokenSteps} decode steps between its KV transfer and its first
     * token at the client, a delay in the closed loop (what a deployment adds, not the engine's scheduling:
     * {@link LatencyReplay} gives the measured Dynamo TensorRT-LLM deployments theirs).
     */
    static Optional<Estimate> estimate(PerfModel perf, Pool prefill, Pool decode, int gpusPerNode, EngineSettings settings,
                                       Workload w, ServingEngine engine, Calibrations calibrations, double firstTokenSteps) {
        MemoryModel memory = perf.memory();
        Gpu gpu = memory.gpu();
        int isl = w.inputTokens();
        int osl = w.outputTokens();
        int c = w.concurrency();
        EngineSettings s = settings.maxModelLen() == null ? settings.withMaxModelLen(w.sequenceLength()) : settings;
        // A prefill rank takes the prompts waiting for it into one step, up to its batch cap or else what the engine's step
        // budget holds whole (TensorRT-LLM's max_num_tokens, SGLang's chunked-prefill size, vLLM's max_num_batched_tokens).
        int prefillCap = prefill.maxBatchPerRank();
        if (prefillCap == 0) {
            MemoryEstimate one = memory.evaluate(prefill.layout(), s.withMaxNumSeqs(1), gpu.memoryBytes());
            prefillCap = engine.promptsPerPrefillStep(one, gpu.memoryBytes(), isl);
        }
        MemoryEstimate pMem = memory.evaluate(prefill.layout(), s.withMaxNumSeqs(prefillCap), gpu.memoryBytes());
        int decodeRanks = decode.workers() * decode.layout().dp();
        int wanted = decode.maxBatchPerRank() > 0 ? decode.maxBatchPerRank() : (c + decodeRanks - 1) / decodeRanks;
        MemoryEstimate dMem = memory.evaluate(decode.layout(), s.withMaxNumSeqs(wanted), gpu.memoryBytes());
        if (!pMem.fits() || !dMem.fits()) {
            return Optional.empty();
        }
        double held = dMem.kvCacheTokens() / engine.heldTokensPerRequest(w);
        if (held < 1) {
            return Optional.empty();
        }
        double slotsPerRank = decode.maxBatchPerRank() > 0 ? Math.min(decode.maxBatchPerRank(), held) : Math.min(wanted, held);

        PerfModel.Steps p = perf.steps(prefill.layout(), gpusPerNode, pMem, engine, calibrations);
        PerfModel.Steps d = perf.steps(decode.layout(), gpusPerNode, dMem, engine, calibrations);
        // Under attention DP the prefill ranks step together and a step's MoE layers carry the prompts of the ranks that
        // have one: at first every rank, then the pool's utilization of them (fixed point below).
        int prefillRanks = prefill.layout().dp();
        double loadedRanks = prefillRanks;
        double overhead = p.calibration().prefillOverheadS();
        // Where the worker spends the overhead between its steps it is each step's service; else a delay the prompt sees.
        double stepOverhead = engine.prefillOverheadHoldsWorker() ? overhead : 0;
        double promptDelay = overhead - stepOverhead;
        double prefillBatch = 1;
        double prefillService = stepOverhead + p.prefillSeconds(isl, prefillBatch * isl, loadedRanks);
        double prefillServers = (double) prefill.workers() * prefillRanks * prefillBatch;
        boolean oneNode = sharesOneNode(prefill.gpus(), decode.gpus(), gpusPerNode);
        double transfer = kvTransferSeconds(isl, pMem.kvBytesPerToken(), dMem.kvBytesPerToken(),
                oneNode ? gpu.intraNodeBytesPerSecond() : gpu.interNodeBytesPerSecond());
        double decodeSlots = decodeRanks * slotsPerRank;

        double batch = Math.min(slotsPerRank, c / (double) decodeRanks);
        double tpot = 0;
        double[] network = null;
        for (int i = 0; i < ITERATIONS; i++) {
            tpot = d.seconds(Math.max(batch, 1e-9), isl + osl / 2.0, 0);
            network = meanValues(c, prefillService, prefillServers, osl * tpot, decodeSlots,
                    transfer + promptDelay + firstTokenSteps * tpot);
            double inDecode = network[0] * osl * tpot;
            double next = Math.min(slotsPerRank, inDecode / decodeRanks);
            double nextLoaded = Math.max(1, Math.min(prefillRanks, network[0] * prefillService / prefillServers * prefillRanks));
            // A rank's step takes the prompts at it (waiting or in its step, by Little's law), at least one, at most its cap.
            double nextPrefillBatch = Math.max(1, Math.min(prefillCap, network[0] * network[1] / (prefill.workers() * prefillRanks)));
            boolean settled = Math.abs(next - batch) < 1e-4 * Math.max(1, batch)
                    && Math.abs(nextLoaded - loadedRanks) < 1e-4 * loadedRanks
                    && Math.abs(nextPrefillBatch - prefillBatch) < 1e-4 * prefillBatch;
            if (settled) {
                batch = next;
                break;
            }
            batch = (batch + next) / 2;
            if (prefillRanks > 1) {
                loadedRanks = (loadedRanks + nextLoaded) / 2;
            }
            prefillBatch = (prefillBatch + nextPrefillBatch) / 2;
            prefillService = stepOverhead + p.prefillSeconds(isl, prefillBatch * isl, loadedRanks);
            prefillServers = (double) prefill.workers() * prefillRanks * prefillBatch;
        }
        double throughput = network[0];
        double ttft = promptDelay + network[1] + transfer + network[2] + firstTokenSteps * tpot;
        return Optional.of(new Estimate(ttft * 1e3, tpot * 1e3, throughput * osl, throughput, batch,
                throughput * prefillService / prefillServers, transfer * 1e3, p.source(), d.source()));
    }

    /**
     * Whether a split fleet's two pools fit in one node together ({@code prefillGpus + decodeGpus} at most
     * {@code gpusPerNode}): then they share it and the KV moves over NVLink, else each pool's workers take nodes of
     * their own and it crosses the network.
     */
    public static boolean sharesOneNode(int prefillGpus, int decodeGpus, int gpusPerNode) {
        return prefillGpus + decodeGpus <= gpusPerNode;
    }

    /**
     * Seconds to move {@code tokens} tokens of KV cache from a prefill worker to a decode worker: every rank sends its
     * shard at once, so the busier side's bytes per token on one rank ({@code prefillRankBytesPerToken},
     * {@code decodeRankBytesPerToken}) over one GPU's link ({@code linkBytesPerSecond}: NVLink in a node, the network
     * between nodes) at the share of it a transfer reaches.
     */
    public static double kvTransferSeconds(double tokens, long prefillRankBytesPerToken, long decodeRankBytesPerToken,
                                           double linkBytesPerSecond) {
        return tokens * (double) Math.max(prefillRankBytesPerToken, decodeRankBytesPerToken)
                / (linkBytesPerSecond * PerfModel.LINK_EFFICIENCY);
    }

    /**
     * The {@code quantile} of the wait for one of {@code servers} servers of {@code serviceS} seconds each at
     * {@code rate} arrivals per second (Erlang C: a Poisson stream, exponential service, which waits longer than the
     * near-constant prefill of equal prompts, so on the safe side), scaled by Kingman's (1 + cv^2) / 2 for arrivals
     * burstier than Poisson ({@code arrivalCv}); infinite when the servers cannot keep up.
     */
    public static double waitQuantileSeconds(int servers, double serviceS, double rate, double quantile, double arrivalCv) {
        double a = rate * serviceS;
        if (a >= servers) {
            return Double.POSITIVE_INFINITY;
        }
        double erlangB = 1;
        for (int k = 1; k <= servers; k++) {
            erlangB = a * erlangB / (k + a * erlangB);
        }
        double rho = a / servers;
        double waits = erlangB / (1 - rho * (1 - erlangB));
        double tail = 1 - quantile;
        if (waits <= tail) {
            return 0;
        }
        return Math.log(waits / tail) / (servers / serviceS - rate) * (1 + arrivalCv * arrivalCv) / 2;
    }

    /**
     * Mean value analysis of the closed network at {@code customers}: a queue of {@code prefillServers} servers of
     * {@code prefillService} seconds, a queue of {@code decodeSlots} servers of {@code decodeService}, and a delay of
     * {@code delay}. Returns the throughput (requests per second), the mean time in the prefill station (queue and
     * service) and the mean wait for a decode slot.
     */
    static double[] meanValues(int customers, double prefillService, double prefillServers, double decodeService,
                               double decodeSlots, double delay) {
        double qp = 0;
        double qd = 0;
        double x = 0;
        double rp = 0;
        double waitD = 0;
        // A station with a server for every customer never queues: all of its service is delay. Seidmann's split would
        // still queue at its fast server (a wait near one service time when the slots equal the customers).
        double pFast = prefillServers >= customers ? 0 : prefillService / prefillServers;
        double pDelay = prefillService - pFast;
        double dFast = decodeSlots >= customers ? 0 : decodeService / decodeSlots;
        double dDelay = decodeService - dFast;
        for (int n = 1; n <= customers; n++) {
            // Prompts of one length take one prefill time: an arrival finding the server busy waits out half a service
            // for the one in progress, not a whole (the residual of a constant service; exponential MVA charges S).
            double rqp = pFast * (1 + qp - 0.5 * Math.min(1, x * pFast));
            double rqd = dFast * (1 + qd);
            rp = rqp + pDelay;
            double rd = rqd + dDelay;
            x = n / (rp + rd + delay);
            if (pFast > 0 && x * pFast > 1) {
                // The residual's half service lets the approximation's throughput pass the server's near saturation: the
                // server's rate bounds it, and the prompts not served wait at the prefill (Little's law over the cycle).
                x = 1 / pFast;
                rqp = n / x - rd - delay - pDelay;
                rp = rqp + pDelay;
            }
            qp = x * rqp;
            qd = x * rqd;
            waitD = rd - decodeService;
        }
        return new double[] {x, rp, Math.max(0, waitD)};
    }
}

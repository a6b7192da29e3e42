package dev.autoparallel.sim;

import dev.autoparallel.perf.StepTimer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of one replica's continuous batching, as vLLM's V1 scheduler runs
 * it: every engine step gives each running request its next token (decode) or its next chunk of
 * prompt (chunked prefill) within a token budget ({@code max_num_batched_tokens}); waiting
 * requests are admitted first come, first served while fewer than {@code max_num_seqs} run and
 * the KV cache has blocks for their chunk; when a running request needs a block and none is free,
 * the request admitted last is preempted (its blocks freed, its progress recomputed later, as
 * V1's recompute preemption does). Step times come from the roofline ({@link StepTimer}).
 *
 * <p>Closed-loop clients start spread over one request's lifetime (see {@link Closed}). Each request's time to first token runs from its arrival to the end of the step that
 * finishes its prompt (plus the per-request overhead); time per output token is the time from
 * the first to the last token over the tokens after the first, as vLLM's benchmark reports it.
 * The first tenth of the requests is a warm-up and not measured (a benchmark run, {@link Closed#burst}, measures them all).
 */
public final class ServingSimulator {
    /** Share of the requests simulated before measuring starts (the batch fills up). */
    public static final double WARM_UP_SHARE = 0.1;
    /** Steps after which a run stops as saturated: far beyond any stable run of the sizes simulated. */
    static final long MAX_STEPS = 5_000_000;

    private ServingSimulator() {
    }

    /**
     * The engine's limits for one replica.
     *
     * @param kvCapacityTokens tokens the KV cache holds (the engine view's "GPU KV cache size")
     */
    public record Limits(int maxNumSeqs, int maxNumBatchedTokens, long kvCapacityTokens, int blockSize) {
        public Limits {
            if (maxNumSeqs < 1 || maxNumBatchedTokens < 1 || kvCapacityTokens < 1 || blockSize < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxNumSeqs + ", " + maxNumBatchedTokens
                        + ", " + kvCapacityTokens + ", " + blockSize);
            }
        }
    }

    /** How requests arrive. */
    public sealed interface Arrivals {
    }

    /**
     * Open loop: a renewal process of {@code ratePerSecond} with inter-arrival times of coefficient
     * of variation {@code cv} (1: Poisson; above 1: burstier, gamma-distributed gaps).
     */
    public record Open(double ratePerSecond, double cv) implements Arrivals {
        public Open {
            if (!(ratePerSecond > 0 && Double.isFinite(ratePerSecond)) || !(cv > 0 && cv <= 10)) {
                throw new IllegalArgumentException("rate " + ratePerSecond + ", cv " + cv);
            }
        }
    }

    /**
     * Closed loop: {@code concurrency} requests in flight, each replaced as it finishes (a benchmark's max concurrency).
     * In steady state ({@code burst} false) the clients start spread over one request's lifetime and the first tenth of
     * the requests is a warm-up; as a benchmark run measures it ({@code burst} true: vLLM's benchmark_serving.py and
     * InferenceX's fork at --request-rate inf with --max-concurrency) every client sends at once into an empty server and
     * every request is measured.
     */
    public record Closed(int concurrency, boolean burst) implements Arrivals {
        public Closed {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency " + concurrency);
            }
        }

        /** The steady state. */
        public Closed(int concurrency) {
            this(concurrency, false);
        }
    }

    /**
     * What the measured requests saw.
     *
     * @param saturated         the replica could not keep up (waits grew through the run, or it hit the step limit)
     * @param meanRunning       requests running per step, on average
     * @param outputTokensPerSecond generated tokens per second over the measured span
     */
    public record Result(int measured, double ttftMeanMs, double ttftP50Ms, double ttftP90Ms, double ttftP99Ms,
                         double tpotMeanMs, double tpotP50Ms, double tpotP90Ms, double tpotP99Ms,
                         double outputTokensPerSecond, double meanRunning, long preemptions, boolean saturated) {

        public double ttftMs(int percentile) {
            return at(percentile, ttftP50Ms, ttftP90Ms, ttftP99Ms);
        }

        public double tpotMs(int percentile) {
            return at(percentile, tpotP50Ms, tpotP90Ms, tpotP99Ms);
        }

        private static double at(int percentile, double p50, double p90, double p99) {
            return switch (percentile) {
                case 50 -> p50;
                case 90 -> p90;
                case 99 -> p99;
                default -> throw new IllegalArgumentException("percentile " + percentile + "; simulated: 50, 90, 99");
            };
        }
    }

    /**
     * Runs {@code requests} requests through one replica.
     *
     * @param seed the random stream: the same inputs and seed give the same result
     */
    public static Result run(StepTimer timer, Limits limits, Arrivals arrivals, LengthDistribution input,
                             LengthDistribution output, int requests, long seed) {
        return run(timer, limits, arrivals, input, output, 0, requests, seed);
    }

    /**
     * As {@link #run(StepTimer, Limits, Arrivals, LengthDistribution, LengthDistribution, int, long)},
     * with {@code prefixHitRate} of every prompt found in the prefix cache: those tokens, in whole
     * blocks and never the prompt's last, are not prefilled (each request still holds blocks for
     * its whole context, as if no block were shared: the KV figures stay on the safe side).
     */
    public static Result run(StepTimer timer, Limits limits, Arrivals arrivals, LengthDistribution input,
                             LengthDistribution output, double prefixHitRate, int requests, long seed) {
        if (requests < 10) {
            throw new IllegalArgumentException("simulate at least 10 requests, not " + requests);
        }
        if (!(prefixHitRate >= 0 && prefixHitRate < 1)) {
            throw new IllegalArgumentException("prefix hit rate " + prefixHitRate);
        }
        return new Run(timer, limits, arrivals, input, output, prefixHitRate, requests, seed).simulate();
    }

    /**
     * One simulation's state. Requests that decode are not touched step by step: they advance
     * together, one token per step, so the run keeps their count, the sum of their contexts, how
     * many of them open a new KV block at each step (by their position within a block), and a
     * heap of the step at which each finishes. A step costs time in the requests that change
     * (arrivals, prefill chunks, admissions, finishes, preemptions), not in those that decode, and
     * runs of decode-only steps with nothing to change are advanced at once.
     */
    private static final class Run {
        private final StepTimer timer;
        private final Limits limits;
        private final int n;
        private final int bs;
        private final boolean closed;
        /** The first request measured: 0 for a benchmark run, else after the warm-up. */
        private final int measureFrom;
        private final SplittableRandom random;
        private final int[] prompt;
        private final int[] outLen;
        /** Prompt tokens each request finds in the prefix cache. */
        private final int[] cached;
        private final double[] arrival;
        private final double[] firstToken;
        private final double[] finish;
        /** Tokens whose KV is cached and tokens sampled: for requests that are not decoding. */
        private final int[] computed;
        private final int[] generated;
        private final int[] blocks;
        private final int[] scheduled;
        /** For a decoding request: computed = decodeSteps + base. */
        private final long[] base;
        private final boolean[] decoding;
        /** Running requests in admission order: a linked list (the newest is preempted first). */
        private final int[] prev;
        private final int[] next;
        private int head = -1;
        private int tail = -1;
        private int runCount;
        /** Running requests still prefilling (admitted, or recomputing after preemption), in admission order. */
        private final int[] prefilling;
        private int prefillCount;
        /** The decoding cohort: its size, the sum of its bases, its members by base modulo the block size. */
        private long decodeSteps;
        private int decodeCount;
        private long baseSum;
        private final int[] byPhase;
        /** Finish heap of decoding requests, keyed by the decode step after which each has all its tokens. */
        private final FinishHeap finishing;

        private final int[] waiting;
        private int waitHead;
        private int waitTail;
        private final int[] preempted;
        private int preemptedCount;
        private int released;
        private int nextArrival;
        private int done;
        private long freeBlocks;
        private double now;
        private long steps;
        private long preemptions;
        private double runningSum;
        /** The cohort's part of the step being scheduled: requests decoding and the sum of their contexts. */
        private int decodes;
        private double contextSum;

        Run(StepTimer timer, Limits limits, Arrivals arrivals, LengthDistribution input, LengthDistribution output,
            double prefixHitRate, int requests, long seed) {
            this.timer = timer;
            this.limits = limits;
            this.n = requests;
            this.bs = limits.blockSize();
            this.random = new SplittableRandom(seed);
            Requests drawn = Requests.draw(timer, limits, arrivals, input, output, n, random);
            prompt = drawn.prompt();
            outLen = drawn.outLen();
            arrival = drawn.arrival();
            released = drawn.released();
            closed = arrivals instanceof Closed;
            measureFrom = arrivals instanceof Closed c && c.burst() ? 0 : (int) Math.floor(n * WARM_UP_SHARE);
            cached = new int[n];
            for (int i = 0; i < n; i++) {
                // Whole blocks of the prompt, never its last token (vLLM recomputes it to sample from).
                cached[i] = (int) Math.min((long) (prompt[i] * prefixHitRate) / bs * bs, ((prompt[i] - 1) / bs) * (long) bs);
            }
            firstToken = new double[n];
            finish = new double[n];
            Arrays.fill(firstToken, Double.NaN);
            computed = new int[n];
            generated = new int[n];
            blocks = new int[n];
            scheduled = new int[n];
            base = new long[n];
            decoding = new boolean[n];
            prev = new int[n];
            next = new int[n];
            prefilling = new int[n];
            byPhase = new int[bs];
            finishing = new FinishHeap(n);
            waiting = new int[n];
            preempted = new int[n];
            freeBlocks = limits.kvCapacityTokens() / bs;
        }

        Result simulate() {
            while (done < n && steps <= MAX_STEPS) {
                while (nextArrival < released && arrival[nextArrival] <= now) {
                    waiting[waitTail++] = nextArrival++;
                }
                if (runCount == 0 && preemptedCount == 0 && waitHead == waitTail) {
                    if (nextArrival >= released) {
                        break;
                    }
                    now = arrival[nextArrival];
                    continue;
                }
                if (leap()) {
                    continue;
                }
                step();
            }
            double meanRunning = steps == 0 ? 0 : runningSum / steps;
            return measure(n, measureFrom, arrival, firstToken, finish, prompt, outLen, steps, runningSum, preemptions,
                    steps > MAX_STEPS, timer, meanRunning);
        }

        /** The phase (position within a KV block) at which a decoding request of this base opens a block. */
        private int phase(long b) {
            return (int) Math.floorMod(b, (long) bs);
        }

        /** Decoding requests that open a new block in the coming step: those whose context fills its last block. */
        private int openingBlocks() {
            return byPhase[phase(-decodeSteps)];
        }

        /**
         * Advances a run of steps in which only the decoding cohort works and nothing can change:
         * nobody prefills, nobody can be admitted before the next arrival, nobody finishes, and the
         * free blocks cover every block the cohort may open. Returns false when the next step is
         * not such a step (or the run would be a single step).
         */
        private boolean leap() {
            if (prefillCount > 0 || decodeCount == 0 || preemptedCount > 0) {
                return false;
            }
            boolean seatsFree = runCount < limits.maxNumSeqs();
            if (seatsFree && waitHead < waitTail) {
                return false;
            }
            long k = finishing.minKey() - decodeSteps; // steps until the first finish (that step included)
            // Blocks: over k steps each request opens at most ceil(k / bs) blocks.
            long blockBound = freeBlocks / Math.max(1, decodeCount);
            k = Math.min(k, blockBound * bs);
            if (k < 2) {
                return false;
            }
            double c0 = (double) (decodeSteps * decodeCount + baseSum) / decodeCount;
            double first = timer.stepSeconds(decodeCount, c0, 0);
            double last = timer.stepSeconds(decodeCount, c0 + k - 1, 0);
            double slope = (last - first) / (k - 1);
            if (seatsFree && nextArrival < released) {
                // Steps that start before the next arrival: the largest m with sum_{j<m-1} (first + slope j) < gap.
                double gap = arrival[nextArrival] - now;
                long m = stepsStartingBefore(first, slope, gap);
                k = Math.min(k, m);
                if (k < 2) {
                    return false;
                }
            }
            double span = k * first + slope * k * (k - 1) / 2.0;
            // The blocks the cohort opens over the k steps, phase by phase.
            long opened = 0;
            for (int p = 0; p < bs; p++) {
                if (byPhase[p] == 0) {
                    continue;
                }
                // A request of phase p opens a block at the steps s (decodeSteps <= s < decodeSteps + k) with s + p = 0 mod bs.
                long firstStep = Math.floorMod(-p - decodeSteps, (long) bs);
                if (firstStep < k) {
                    opened += (long) byPhase[p] * ((k - 1 - firstStep) / bs + 1);
                }
            }
            freeBlocks -= opened;
            decodeSteps += k;
            now += span;
            steps += k;
            runningSum += (double) runCount * k;
            finishDecoders(span / k);
            return true;
        }

        /** How many steps, growing linearly from {@code first} by {@code slope}, start within {@code gap}. */
        private static long stepsStartingBefore(double first, double slope, double gap) {
            if (gap <= 0) {
                return 1;
            }
            // Step j starts at S(j) = first j + slope j (j - 1) / 2; x solves S(x) = gap.
            double x;
            if (Math.abs(slope) < 1e-15 * first) {
                x = gap / first;
            } else {
                double a = slope / 2;
                double b = first - slope / 2;
                double disc = b * b + 4 * a * gap;
                x = disc < 0 ? Double.MAX_VALUE : (-b + Math.sqrt(disc)) / (2 * a);
            }
            // Steps j < x start before the gap: ceil(x) of them.
            if (Double.isNaN(x) || x > 1L << 40) {
                return Long.MAX_VALUE;
            }
            return Math.max(1, (long) Math.ceil(x));
        }

        /** One engine step: the cohort decodes, prefill chunks and admissions fill the token budget. */
        private void step() {
            int budget = limits.maxNumBatchedTokens();
            // 1. The decoding cohort: one token each, a block for those whose last block is full.
            decodes = 0;
            contextSum = 0;
            if (decodeCount > 0) {
                int need = openingBlocks();
                while (need > freeBlocks && runCount > 1) {
                    int victim = tail;
                    if (decoding[victim] && phase(base[victim]) == phase(-decodeSteps)) {
                        need--;
                    }
                    preempt(victim);
                }
                if (need <= freeBlocks && decodeCount > 0) {
                    freeBlocks -= need;
                    decodes = decodeCount;
                    budget -= decodes;
                    contextSum = (double) decodeSteps * decodeCount + baseSum;
                }
            }
            // 2. Requests still prefilling, oldest first; the newest running are preempted when a block is missing.
            int prefillTokens = 0;
            for (int i = 0; i < prefillCount; i++) {
                int r = prefilling[i];
                scheduled[r] = 0;
                if (budget == 0) {
                    continue;
                }
                int pending = prompt[r] + generated[r] - computed[r];
                int target = Math.min(pending, budget);
                long need = blocksFor((long) computed[r] + target, bs) - blocks[r];
                while (need > freeBlocks && tail != r) {
                    // Newer prefilling requests sit behind index i, so the loop's index stays valid.
                    preempt(tail);
                }
                if (need > freeBlocks) {
                    continue;
                }
                freeBlocks -= need;
                blocks[r] += (int) need;
                scheduled[r] = target;
                budget -= target;
                prefillTokens += target;
            }
            // 3. Admissions: preempted requests first, then the queue, while seats, budget and blocks last.
            while (budget > 0 && runCount < limits.maxNumSeqs() && (preemptedCount > 0 || waitHead < waitTail)) {
                int r = preemptedCount > 0 ? preempted[preemptedCount - 1] : waiting[waitHead];
                int target = Math.min(prompt[r] + generated[r] - cached[r], budget);
                long need = blocksFor((long) cached[r] + target, bs);
                if (need > freeBlocks) {
                    break;
                }
                if (preemptedCount > 0) {
                    preemptedCount--;
                } else {
                    waitHead++;
                }
                freeBlocks -= need;
                blocks[r] = (int) need;
                computed[r] = cached[r];
                scheduled[r] = target;
                budget -= target;
                prefillTokens += target;
                append(r);
                prefilling[prefillCount++] = r;
            }
            if (decodes == 0 && prefillTokens == 0) {
                dropHead();
                return;
            }
            double dt = timer.stepSeconds(decodes, decodes == 0 ? 1 : contextSum / decodes, prefillTokens);
            now += dt;
            steps++;
            runningSum += runCount;
            // 4. The step's results: the cohort advanced a token; prefill chunks written, a first token sampled when a
            // prompt is done (the request joins the cohort or, with one output token, leaves).
            if (decodes > 0) {
                decodeSteps++;
            }
            int kept = 0;
            for (int i = 0; i < prefillCount; i++) {
                int r = prefilling[i];
                computed[r] += scheduled[r];
                scheduled[r] = 0;
                if (computed[r] == prompt[r] + generated[r]) {
                    generated[r]++;
                    if (generated[r] == 1) {
                        firstToken[r] = now;
                    }
                    if (generated[r] >= outLen[r]) {
                        release(r);
                        leave(r, dt);
                    } else {
                        joinCohort(r);
                    }
                } else {
                    prefilling[kept++] = r;
                }
            }
            prefillCount = kept;
            if (decodes > 0) {
                finishDecoders(dt);
            }
        }

        private int indexOf(int r) {
            for (int i = 0; i < prefillCount; i++) {
                if (prefilling[i] == r) {
                    return i;
                }
            }
            return -1;
        }

        /** Decoding requests that have all their tokens leave, at the end of a step of {@code dt}. */
        private void finishDecoders(double dt) {
            while (finishing.size() > 0 && finishing.minKey() <= decodeSteps) {
                int r = finishing.pop();
                leaveCohort(r);
                freeBlocks += blocksFor(decodeSteps + base[r], bs);
                leave(r, dt);
            }
        }

        /** A finished request leaves the running list; in a closed loop its client sends the next one. */
        private void leave(int r, double dt) {
            finish[r] = now;
            unlink(r);
            done++;
            if (closed && released < n) {
                // The client's next request reaches the server at a random moment of the following step.
                arrival[released++] = now + random.nextDouble() * dt;
            }
        }

        /** A request that has all its tokens without decoding (one output token) gives its blocks back. */
        private void release(int r) {
            freeBlocks += blocks[r];
            blocks[r] = 0;
        }

        private void joinCohort(int r) {
            // computed = decodeSteps + base from now on; generated = computed - prompt + 1 as it decodes.
            base[r] = computed[r] - decodeSteps;
            decoding[r] = true;
            decodeCount++;
            baseSum += base[r];
            byPhase[phase(base[r])]++;
            // It has generated[r] tokens; it finishes after outLen - generated more decode steps.
            finishing.push(r, decodeSteps + outLen[r] - generated[r]);
            blocks[r] = 0; // held blocks are counted from the context from now on
        }

        private void leaveCohort(int r) {
            decoding[r] = false;
            decodeCount--;
            baseSum -= base[r];
            byPhase[phase(base[r])]--;
        }

        /** Preempts a running request: its blocks freed, its progress to be recomputed, back at the queue's front. */
        private void preempt(int r) {
            if (decoding[r]) {
                long c = decodeSteps + base[r];
                generated[r] = (int) (c - prompt[r] + 1);
                if (decodes > 0) {
                    // Already scheduled in this step: its token and the block it opened are taken back.
                    decodes--;
                    contextSum -= c;
                    if (phase(base[r]) == phase(-decodeSteps)) {
                        freeBlocks++;
                    }
                }
            }
            stopRunning(r);
            computed[r] = 0;
            scheduled[r] = 0;
            preempted[preemptedCount++] = r;
            preemptions++;
        }

        /** A running request stops (preempted or dropped): its blocks are freed and it leaves the cohort or the prefill list. */
        private void stopRunning(int r) {
            if (decoding[r]) {
                freeBlocks += blocksFor(decodeSteps + base[r], bs);
                finishing.remove(r);
                leaveCohort(r);
            } else {
                freeBlocks += blocks[r];
                int i = indexOf(r);
                System.arraycopy(prefilling, i + 1, prefilling, i, prefillCount - i - 1);
                prefillCount--;
            }
            blocks[r] = 0;
            unlink(r);
        }

        /** Nothing fits even alone: the oldest request needs more KV than the cache has. It fails; the run is marked. */
        private void dropHead() {
            int r;
            if (runCount > 0) {
                r = head;
                stopRunning(r);
            } else {
                r = preemptedCount > 0 ? preempted[--preemptedCount] : waiting[waitHead++];
            }
            finish[r] = Double.NaN;
            done++;
            if (closed && released < n) {
                arrival[released++] = now;
            }
        }

        private void append(int r) {
            prev[r] = tail;
            next[r] = -1;
            if (tail >= 0) {
                next[tail] = r;
            } else {
                head = r;
            }
            tail = r;
            runCount++;
        }

        private void unlink(int r) {
            if (prev[r] >= 0) {
                next[prev[r]] = next[r];
            } else {
                head = next[r];
            }
            if (next[r] >= 0) {
                prev[next[r]] = prev[r];
            } else {
                tail = prev[r];
            }
            runCount--;
        }
    }

    /**
     * A run's requests: lengths drawn from the distributions, then arrival times (open loop: a
     * renewal process; closed loop: the first {@code concurrency} clients spread over one
     * request's estimated lifetime, the rest set as requests finish).
     *
     * @param released requests whose arrival time is known at the start
     */
    record Requests(int[] prompt, int[] outLen, double[] arrival, int released) {
        static Requests draw(StepTimer timer, Limits limits, Arrivals arrivals, LengthDistribution input,
                             LengthDistribution output, int n, SplittableRandom random) {
            int[] prompt = new int[n];
            int[] outLen = new int[n];
            double[] arrival = new double[n];
            for (int i = 0; i < n; i++) {
                prompt[i] = input.sample(random);
                outLen[i] = output.sample(random);
            }
            if (arrivals instanceof Open open) {
                double shape = 1 / (open.cv() * open.cv());
                double t = 0;
                for (int i = 0; i < n; i++) {
                    t += gamma(random, shape) / (shape * open.ratePerSecond());
                    arrival[i] = t;
                }
                return new Requests(prompt, outLen, arrival, n);
            }
            // The clients start spread over one request's estimated lifetime, as a benchmark's clients are once it runs
            // steadily; starting them together would keep same-length requests in lockstep waves for the whole run. A
            // benchmark run starts them together.
            Closed closed = (Closed) arrivals;
            int c = Math.min(n, closed.concurrency());
            double life = input.mean() > 0 ? timer.stepSeconds(0, 1, (int) Math.min(input.mean(), limits.maxNumBatchedTokens()))
                    + output.mean() * timer.stepSeconds(c, input.mean() + output.mean() / 2, 0) : 0;
            for (int i = 0; i < c; i++) {
                arrival[i] = closed.burst() ? 0 : life * i / c;
            }
            for (int i = c; i < n; i++) {
                arrival[i] = Double.POSITIVE_INFINITY; // set when a request finishes
            }
            return new Requests(prompt, outLen, arrival, c);
        }
    }

    /** A binary min-heap of request indices by a long key, with removal of any member. */
    private static final class FinishHeap {
        private final int[] heap;
        private final long[] key;
        private final int[] pos;
        private int size;

        FinishHeap(int n) {
            heap = new int[n];
            key = new long[n];
            pos = new int[n];
            Arrays.fill(pos, -1);
        }

        int size() {
            return size;
        }

        long minKey() {
            return size == 0 ? Long.MAX_VALUE : key[heap[0]];
        }

        void push(int r, long k) {
            key[r] = k;
            heap[size] = r;
            pos[r] = size;
            up(size++);
        }

        int pop() {
            int r = heap[0];
            removeAt(0);
            return r;
        }

        void remove(int r) {
            if (pos[r] >= 0) {
                removeAt(pos[r]);
            }
        }

        private void removeAt(int i) {
            int r = heap[i];
            pos[r] = -1;
            size--;
            if (i == size) {
                return;
            }
            heap[i] = heap[size];
            pos[heap[i]] = i;
            up(i);
            down(pos[heap[i]] == i ? i : pos[heap[i]]);
        }

        private void up(int i) {
            int r = heap[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (key[heap[parent]] <= key[r]) {
                    break;
                }
                heap[i] = heap[parent];
                pos[heap[i]] = i;
                i = parent;
            }
            heap[i] = r;
            pos[r] = i;
        }

        private void down(int i) {
            int r = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && key[heap[child + 1]] < key[heap[child]]) {
                    child++;
                }
                if (key[heap[child]] >= key[r]) {
                    break;
                }
                heap[i] = heap[child];
                pos[heap[i]] = i;
                i = child;
            }
            heap[i] = r;
            pos[r] = i;
        }
    }

    static int blocksFor(long tokens, int blockSize) {
        return (int) ((tokens + blockSize - 1) / blockSize);
    }

    static Result measure(int n, int from, double[] arrival, double[] firstToken, double[] finish, int[] prompt, int[] outLen,
                                  long steps, double runningSum, long preemptions, boolean hitStepLimit, StepTimer timer,
                                  double meanRunning) {
        double[] ttft = new double[n - from];
        double[] tpot = new double[n - from];
        int m = 0;
        int t = 0;
        long tokens = 0;
        double spanStart = Double.POSITIVE_INFINITY;
        double spanEnd = 0;
        boolean dropped = false;
        for (int i = from; i < n; i++) {
            if (Double.isNaN(finish[i]) || Double.isNaN(firstToken[i])) {
                dropped = true;
                continue;
            }
            ttft[m++] = (firstToken[i] - arrival[i] + timer.requestOverheadSeconds()
                    + timer.frontEndDelaySeconds(meanRunning, prompt[i])) * 1e3;
            if (outLen[i] > 1) {
                tpot[t++] = (finish[i] - firstToken[i]) / (outLen[i] - 1) * 1e3;
            }
            tokens += outLen[i];
            spanStart = Math.min(spanStart, firstToken[i]);
            spanEnd = Math.max(spanEnd, finish[i]);
        }
        double[] tt = Arrays.copyOf(ttft, m);
        double[] tp = Arrays.copyOf(tpot, t);
        Arrays.sort(tt);
        Arrays.sort(tp);
        // Saturation: waits that keep growing (the last quarter's median TTFT over twice the second quarter's).
        boolean growing = false;
        if (m >= 8) {
            double[] q2 = Arrays.copyOfRange(ttft, m / 4, m / 2);
            double[] q4 = Arrays.copyOfRange(ttft, 3 * m / 4, m);
            Arrays.sort(q2);
            Arrays.sort(q4);
            growing = q4[q4.length / 2] > 2 * q2[q2.length / 2] + 1000;
        }
        double span = spanEnd - spanStart;
        return new Result(m, mean(tt), pct(tt, 50), pct(tt, 90), pct(tt, 99), mean(tp), pct(tp, 50), pct(tp, 90), pct(tp, 99),
                span > 0 ? tokens / span : 0, steps == 0 ? 0 : runningSum / steps, preemptions,
                hitStepLimit || growing || dropped);
    }

    private static double mean(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : sorted) {
            s += v;
        }
        return s / sorted.length;
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** A gamma(shape, 1) draw (Marsaglia and Tsang; shape below 1 by boosting). */
    static double gamma(SplittableRandom random, double shape) {
        if (shape < 1) {
            return gamma(random, shape + 1) * Math.pow(Math.max(random.nextDouble(), 1e-300), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = LengthDistribution.gaussian(random);
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}

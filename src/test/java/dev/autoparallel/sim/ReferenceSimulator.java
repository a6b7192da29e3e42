package dev.autoparallel.sim;

import dev.autoparallel.perf.StepTimer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The scheduler simulation as first written: every running request touched every step. Kept in
 * the tests as the reference the event-driven {@link ServingSimulator} is checked against.
 */
final class ReferenceSimulator {
    /** Share of the requests simulated before measuring starts (the batch fills up). */
    static final double WARM_UP_SHARE = ServingSimulator.WARM_UP_SHARE;
    /** Steps after which a run stops as saturated: far beyond any stable run of the sizes simulated. */
    static final long MAX_STEPS = 5_000_000;

    private ReferenceSimulator() {
    }

    /**
     * Runs {@code requests} requests through one replica.
     *
     * @param seed the random stream: the same inputs and seed give the same result
     */
    static ServingSimulator.Result run(StepTimer timer, ServingSimulator.Limits limits, ServingSimulator.Arrivals arrivals, LengthDistribution input,
                             LengthDistribution output, int requests, long seed) {
        if (requests < 10) {
            throw new IllegalArgumentException("simulate at least 10 requests, not " + requests);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int n = requests;
        ServingSimulator.Requests drawn = ServingSimulator.Requests.draw(timer, limits, arrivals, input, output, n, random);
        int[] prompt = drawn.prompt();
        int[] outLen = drawn.outLen();
        double[] arrival = drawn.arrival();
        boolean closed = arrivals instanceof ServingSimulator.Closed;
        int nextArrival = 0;
        int released = drawn.released();

        int[] computed = new int[n];      // tokens whose KV is in the cache
        int[] generated = new int[n];     // tokens sampled so far
        int[] blocks = new int[n];
        int[] scheduled = new int[n];
        double[] firstToken = new double[n];
        double[] finish = new double[n];
        Arrays.fill(firstToken, Double.NaN);
        long freeBlocks = limits.kvCapacityTokens() / limits.blockSize();
        int bs = limits.blockSize();

        int[] waiting = new int[n];       // first come, first served
        int waitHead = 0;
        int waitTail = 0;
        int[] preempted = new int[n];     // back at the queue's front: the last one pushed goes first
        int preemptedCount = 0;
        int[] running = new int[n];       // in admission order
        int runCount = 0;
        int done = 0;
        double now = 0;
        long steps = 0;
        long preemptions = 0;
        double runningSum = 0;

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
            int budget = limits.maxNumBatchedTokens();
            int decodes = 0;
            double contextSum = 0;
            int prefillTokens = 0;
            // 1. Running requests, oldest first; the newest are preempted when a block is missing.
            for (int k = 0; k < runCount; k++) {
                int r = running[k];
                scheduled[r] = 0;
                if (budget == 0) {
                    continue;
                }
                int pending = prompt[r] + generated[r] - computed[r];
                int target = Math.min(pending, budget);
                long need = ServingSimulator.blocksFor((long) computed[r] + target, bs) - blocks[r];
                while (need > freeBlocks && runCount - 1 > k) {
                    int victim = running[--runCount];
                    freeBlocks += blocks[victim];
                    blocks[victim] = 0;
                    computed[victim] = 0;
                    scheduled[victim] = 0;
                    preempted[preemptedCount++] = victim;
                    preemptions++;
                }
                if (need > freeBlocks) {
                    continue;
                }
                freeBlocks -= need;
                blocks[r] += (int) need;
                scheduled[r] = target;
                budget -= target;
                if (pending == 1 && generated[r] > 0) {
                    decodes++;
                    contextSum += computed[r];
                } else {
                    prefillTokens += target;
                }
            }
            // 2. Admissions: preempted requests first, then the queue, while seats, budget and blocks last.
            while (budget > 0 && runCount < limits.maxNumSeqs() && (preemptedCount > 0 || waitHead < waitTail)) {
                int r = preemptedCount > 0 ? preempted[preemptedCount - 1] : waiting[waitHead];
                int target = Math.min(prompt[r] + generated[r], budget);
                long need = ServingSimulator.blocksFor(target, bs);
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
                scheduled[r] = target;
                budget -= target;
                prefillTokens += target;
                running[runCount++] = r;
            }
            if (decodes == 0 && prefillTokens == 0) {
                // Nothing fits even alone: the head request needs more KV than the cache has. It fails; the run is marked.
                int r;
                if (runCount > 0) {
                    r = running[0];
                    System.arraycopy(running, 1, running, 0, --runCount);
                    freeBlocks += blocks[r];
                    blocks[r] = 0;
                } else {
                    r = preemptedCount > 0 ? preempted[--preemptedCount] : waiting[waitHead++];
                }
                finish[r] = Double.NaN;
                done++;
                if (closed && released < n) {
                    arrival[released++] = now;
                }
                continue;
            }
            double dt = timer.stepSeconds(decodes, decodes == 0 ? 1 : contextSum / decodes, prefillTokens);
            now += dt;
            steps++;
            runningSum += runCount;
            // 3. The step's results: KV written, a token sampled when a request has caught up, finished ones leave.
            int kept = 0;
            for (int k = 0; k < runCount; k++) {
                int r = running[k];
                computed[r] += scheduled[r];
                scheduled[r] = 0;
                if (computed[r] == prompt[r] + generated[r]) {
                    generated[r]++;
                    if (generated[r] == 1) {
                        firstToken[r] = now;
                    }
                }
                if (generated[r] >= outLen[r]) {
                    finish[r] = now;
                    freeBlocks += blocks[r];
                    blocks[r] = 0;
                    done++;
                    if (closed && released < n) {
                        // The client's next request reaches the server at a random moment of the following step.
                        arrival[released++] = now + random.nextDouble() * dt;
                    }
                } else {
                    running[kept++] = r;
                }
            }
            runCount = kept;
        }
        double meanRunning = steps == 0 ? 0 : runningSum / steps;
        return ServingSimulator.measure(n, (int) Math.floor(n * ServingSimulator.WARM_UP_SHARE), arrival, firstToken, finish, prompt, outLen, steps, runningSum, preemptions, steps > MAX_STEPS,
                timer, meanRunning);
    }
}

package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * TensorRT-LLM's attention data-parallel balance (tech blog 10, "ADP Balance Strategy"): a prompt waits until every
 * other rank has one or {@code timeout_iters} iterations pass. The mean hold, by hand, for 8 ranks and InferenceX's
 * timeout of 60 iterations; H(7) = 1 + 1/2 + ... + 1/7 = 2.592857.
 */
class AdpBalanceTest {
    private static final double H7 = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0 + 1 / 6.0 + 1 / 7.0;

    /**
     * 0.8 prompts a second per rank, 38 ms steps: the other seven ranks all have one after H(7) / 0.8 = 3.24 s on
     * average, later than the timeout's 60 x 38 ms = 2.28 s, so W = 2.28 s; 6.4 prompts a second over the eight ranks
     * join it (lambda W = 14.592): mean hold 2.28 x (1 + 7.296) / 15.592 = 1.2131 s.
     */
    @Test
    void sparsePrompts_waitOutTheTimeout() {
        double w = 60 * 0.038;
        assertTrue(H7 / 0.8 > w);
        assertEquals(w * (1 + 6.4 * w / 2) / (1 + 6.4 * w), new AdpBalance(8, 60).meanHoldSeconds(0.8, 1024, 32, 0.038), 1e-12);
        assertEquals(1.2131, new AdpBalance(8, 60).meanHoldSeconds(0.8, 1024, 32, 0.038), 1e-4);
    }

    /** 5 prompts a second per rank: every rank has one after H(7) / 5 = 0.5186 s, before the timeout; 40 a second join. */
    @Test
    void densePrompts_releaseWhenEveryRankHasOne() {
        double w = H7 / 5;
        assertEquals(w * (1 + 40 * w / 2) / (1 + 40 * w), new AdpBalance(8, 60).meanHoldSeconds(5, 1024, 32, 0.038), 1e-12);
    }

    @Test
    void oneRank_orNoPrompts_holdNothing() {
        assertEquals(0, new AdpBalance(1, 60).meanHoldSeconds(0.8, 1024, 32, 0.038));
        assertEquals(0, new AdpBalance(8, 60).meanHoldSeconds(0, 1024, 32, 0.038));
    }

    @Test
    void badSettings_areRefusedByName() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> new AdpBalance(8, 0));
        assertTrue(e.getMessage().contains("timeout_iters"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class, () -> new AdpBalance(0, 60));
        assertTrue(e.getMessage().contains("attention_dp_size"), e.getMessage());
    }
}

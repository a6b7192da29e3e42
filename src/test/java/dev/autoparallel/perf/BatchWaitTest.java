package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * TensorRT-LLM's batch waiting (PyExecutor._waiting_requests, tensorrt_llm/_torch/pyexecutor/py_executor.py, read
 * 2026-12-01): prompts are held until the step's tokens reach the ratio of max_num_tokens or the timeout's iterations
 * pass. The mean hold, by hand: a hold of W seconds with lambda W prompts joining it (each waiting W / 2 on average)
 * and its opener (waiting W) averages W (1 + lambda W / 2) / (1 + lambda W).
 */
class BatchWaitTest {
    @Test
    void off_holdsNothing() {
        assertFalse(BatchWait.NONE.on());
        assertEquals(0, BatchWait.NONE.meanHoldSeconds(5, 1000, 10, 0.02));
    }

    /**
     * InferenceX's Llama-3.1-70B recipe: 20 iterations, 0.9 x 16,384 tokens. At 4 clients on one H200 (20 ms steps, a
     * request every 5 s) the threshold (14,746 tokens, 15 more prompts of 922) is far off: W = 20 x 20 ms = 0.4 s,
     * lambda W = 0.08, mean hold 0.4 x 1.04 / 1.08 = 0.3852 s.
     */
    @Test
    void rareArrivals_waitOutTheTimeout() {
        BatchWait w = new BatchWait(20, 0.9, 16_384);
        assertEquals(0.4 * 1.04 / 1.08, w.meanHoldSeconds(0.2, 922, 4, 0.020), 1e-9);
    }

    /**
     * A threshold of 0.9 x 2,048 = 1,843.2 tokens with 1,000-token prompts and no decoding: the opener is 843.2 short,
     * one more prompt releases the hold. At 10 prompts a second that one comes after 0.1 s, before the 0.4 s timeout:
     * W = 0.1, lambda W = 1, mean hold 0.1 x 1.5 / 2 = 0.075 s. A prompt that reaches the threshold alone is not held.
     */
    @Test
    void frequentArrivals_releaseAtTheThreshold() {
        BatchWait w = new BatchWait(20, 0.9, 2048);
        assertEquals(0.075, w.meanHoldSeconds(10, 1000, 0, 0.020), 1e-9);
        assertEquals(0, w.meanHoldSeconds(10, 2000, 0, 0.020));
        // The decoding requests' one token each counts towards the threshold: 850 of them close the gap alone.
        assertEquals(0, w.meanHoldSeconds(10, 1000, 850, 0.020));
    }

    @Test
    void badSettings_areRefusedByName() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> new BatchWait(-1, 0.5, 8192));
        assertTrue(e.getMessage().contains("batch_wait_timeout_iters"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class, () -> new BatchWait(10, 1.5, 8192));
        assertTrue(e.getMessage().contains("batch_wait_max_tokens_ratio"), e.getMessage());
    }
}

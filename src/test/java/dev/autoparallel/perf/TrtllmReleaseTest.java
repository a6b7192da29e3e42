package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.model.Family;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * TensorRT-LLM releases as measured-latency.csv's backend_version gives them, and which FP8 linears each release's
 * PyTorch backend feeds a 16-bit input that the linear quantizes itself (tensorrt_llm/_torch/modules/linear.py,
 * models/modeling_llama.py and modeling_qwen3.py, read 2026-12-03; PRs #6205 and #6540 in the 1.0 release notes).
 */
class TrtllmReleaseTest {
    private static final TrtllmRelease RC3 = new TrtllmRelease(1, 0, 0, 3);

    @Test
    void parse_readsReleaseCandidatesAndRebuilds_notDynamosOwnVersions() {
        assertEquals(Optional.of(RC3), TrtllmRelease.parse("1.0.0rc3"));
        assertEquals(Optional.of(new TrtllmRelease(1, 2, 0, 6)), TrtllmRelease.parse("1.2.0rc6.post1"));
        assertEquals(Optional.of(new TrtllmRelease(1, 1, 0, TrtllmRelease.FINAL)), TrtllmRelease.parse(" v1.1.0 "));
        assertEquals("1.0.0rc3", RC3.toString());
        assertEquals("1.0.0", TrtllmRelease.FUSED_FP8_INPUTS.toString());
        // NVIDIA Dynamo's TensorRT-LLM runtime rows give Dynamo's version (image ai-dynamo/tensorrtllm-runtime:0.8.1.post1).
        assertEquals(Optional.empty(), TrtllmRelease.parse("0.8.1.post1"));
        assertEquals(Optional.empty(), TrtllmRelease.parse("gpt-oss-dev"));
        assertEquals(Optional.empty(), TrtllmRelease.parse(""));
        assertEquals(Optional.empty(), TrtllmRelease.parse(null));
    }

    @Test
    void aReleaseCandidate_comesBeforeItsRelease() {
        assertTrue(RC3.before(TrtllmRelease.FUSED_FP8_INPUTS));
        assertTrue(new TrtllmRelease(1, 0, 0, 6).before(TrtllmRelease.FUSED_FP8_INPUTS));
        assertFalse(TrtllmRelease.FUSED_FP8_INPUTS.before(TrtllmRelease.FUSED_FP8_INPUTS));
        assertFalse(new TrtllmRelease(1, 1, 0, 2).before(TrtllmRelease.FUSED_FP8_INPUTS));
        assertTrue(new TrtllmRelease(0, 21, 0, TrtllmRelease.FINAL).before(RC3));
    }

    /**
     * 1.0.0rc3 (cut 2025-07-16) predates both fusions: every linear but the output projection, which the attention
     * kernel feeds FP8 when the KV cache is FP8, quantizes its input. From 1.0.0 the SwiGLU feeds the down projection FP8,
     * and Llama above a 4,096 hidden size at TP above 1 its query / key / value and gate / up projections; Qwen3 keeps
     * plain RMSNorms. vLLM and SGLang: none. Hidden sizes of the models (their config.json): Qwen3-32B 5,120,
     * Llama-3.1-70B 8,192, Llama-3.1-8B 4,096.
     */
    @Test
    void tensorRtLlm_quantizesTheInputsItsModelsDoNotFuse() {
        ServingEngine trt = ServingEngine.TRTLLM;
        assertEquals(EnumSet.of(DenseLinear.QKV, DenseLinear.GATE_UP, DenseLinear.DOWN),
                trt.selfQuantizedFp8Inputs(Family.QWEN3, 5120, 8, true, RC3));
        assertEquals(EnumSet.of(DenseLinear.QKV, DenseLinear.GATE_UP), trt.selfQuantizedFp8Inputs(Family.QWEN3, 5120, 8, true, null));
        assertEquals(EnumSet.allOf(DenseLinear.class), trt.selfQuantizedFp8Inputs(Family.QWEN3, 5120, 8, false, RC3));
        assertEquals(EnumSet.noneOf(DenseLinear.class), trt.selfQuantizedFp8Inputs(Family.LLAMA, 8192, 8, true, null));
        assertEquals(EnumSet.of(DenseLinear.O), trt.selfQuantizedFp8Inputs(Family.LLAMA, 8192, 8, false, null));
        assertEquals(EnumSet.of(DenseLinear.QKV, DenseLinear.GATE_UP), trt.selfQuantizedFp8Inputs(Family.LLAMA, 8192, 1, true, null));
        assertEquals(EnumSet.of(DenseLinear.QKV, DenseLinear.GATE_UP), trt.selfQuantizedFp8Inputs(Family.LLAMA, 4096, 2, true, null));
        assertEquals(EnumSet.of(DenseLinear.QKV, DenseLinear.GATE_UP, DenseLinear.DOWN),
                trt.selfQuantizedFp8Inputs(Family.LLAMA, 8192, 8, true, RC3));
        for (ServingEngine e : new ServingEngine[] {ServingEngine.VLLM, ServingEngine.SGLANG}) {
            assertEquals(EnumSet.noneOf(DenseLinear.class), e.selfQuantizedFp8Inputs(Family.QWEN3, 5120, 8, false, RC3));
        }
    }
}

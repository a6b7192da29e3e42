package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.perf.KernelTables.Kernels;
import org.junit.jupiter.api.Test;

/** Golden values: rows of src/main/resources/perf/*.csv (jobs/calibrate.sh, 2026-11-30), cited per test. */
class KernelTablesTest {
    private static final Kernels H100_VLLM = KernelTables.builtIn().of(GpuCatalog.require("H100", "gpu"), ServingEngine.VLLM)
            .orElseThrow();

    @Test
    void gemm_atABucket_isTheTablesThroughput() {
        // gemm.csv h100_sxm,vllm,bfloat16,m=1, nk_log2_24 = 2.252 TFLOPS; 4096 x 4096 = 2^24.
        assertEquals(2.0 * 4096 * 4096 / 2.252e12, H100_VLLM.gemmSeconds("bfloat16", 0, 4096, 4096), 1e-12);
        // m=32768 (log2 15), nk_log2_28 = 780 TFLOPS; 16384 x 16384 = 2^28.
        assertEquals(2.0 * 32768 * 16384 * 16384 / 780e12, H100_VLLM.gemmSeconds("bfloat16", 15, 16384, 16384), 1e-9);
    }

    @Test
    void gemm_computeBoundOnTheSameSilicon_runsAtTheFasterMeasurement() {
        // gemm.csv vllm,fp8 (CUTLASS), nk_log2_27 (8192 x 16384): m=4096 h100_sxm 1,128, h200_sxm 1,326 TFLOPS; m=8 37.38
        // and 49.75. H100 and H200 are one die at one clock: at 4,096 rows both are compute-bound and take 1,326; at 8 rows
        // both wait on HBM (3.35 against 4.8 TB/s) and keep their own.
        Kernels h200 = KernelTables.builtIn().of(GpuCatalog.require("H200", "gpu"), ServingEngine.VLLM).orElseThrow();
        double flops = 2.0 * 4096 * 8192 * 16384;
        assertEquals(flops / 1326e12, H100_VLLM.gemmSeconds("fp8", 12, 8192, 16384), 1e-12);
        assertEquals(flops / 1326e12, h200.gemmSeconds("fp8", 12, 8192, 16384), 1e-12);
        assertEquals(2.0 * 8 * 8192 * 16384 / 37.38e12, H100_VLLM.gemmSeconds("fp8", 3, 8192, 16384), 1e-12);
        assertEquals(2.0 * 8 * 8192 * 16384 / 49.75e12, h200.gemmSeconds("fp8", 3, 8192, 16384), 1e-12);
        assertTrue(Kernels.computeBound(GpuCatalog.require("H100", "gpu"), true, 512));
        assertFalse(Kernels.computeBound(GpuCatalog.require("H100", "gpu"), true, 256));
    }

    @Test
    void gemm_betweenBuckets_interpolatesThroughputInLog2OfNTimesK() {
        // Llama-3.1-8B's fused QKV, 6144 x 4096 = 2^24.585: between nk_log2_24 = 2.252 and nk_log2_25 = 2.575 TFLOPS (m=1).
        double x = Math.log(6144.0 * 4096) / Math.log(2) - 24;
        double tflops = 2.252 + x * (2.575 - 2.252);
        assertEquals(2.0 * 6144 * 4096 / (tflops * 1e12), H100_VLLM.gemmSeconds("bfloat16", 0, 6144, 4096), 1e-12);
    }

    @Test
    void decodeAttention_atABucket_andBelowTheFirst() {
        // decode_attention.csv h100_sxm,vllm,bfloat16: 2^20 bytes at 77.25 GB/s; the first bucket 2^9 bytes at 0.04496 GB/s.
        assertEquals((1 << 20) / 77.25e9, H100_VLLM.decodeAttentionSeconds("bfloat16", 1 << 20), 1e-12);
        double floor = 512 / 0.04496e9;
        assertEquals(floor, H100_VLLM.decodeAttentionSeconds("bfloat16", 100), 1e-12);
        assertEquals(0, H100_VLLM.decodeAttentionSeconds("bfloat16", 0));
    }

    @Test
    void contextAttention_betweenBuckets_interpolatesTheRate() {
        // context_attention.csv h100_sxm,vllm: 2^30 FLOPs at 35.53 TFLOPS, 2^31 at 54.37.
        assertEquals(Math.scalb(1.0, 30) / 35.53e12, H100_VLLM.contextAttentionSeconds(Math.scalb(1.0, 30)), 1e-12);
        double mid = Math.scalb(1.0, 30) * Math.sqrt(2);
        assertEquals(mid / ((35.53 + 0.5 * (54.37 - 35.53)) * 1e12), H100_VLLM.contextAttentionSeconds(mid), 1e-12);
    }

    @Test
    void interpolate_skipsUnmeasuredCells_andClampsAtTheEnds() {
        double[] v = {Double.NaN, 2, Double.NaN, 6, Double.NaN};
        assertEquals(4, KernelTables.interpolate(v, 2));
        assertEquals(2, KernelTables.interpolate(v, 0));
        assertEquals(6, KernelTables.interpolate(v, 4));
        assertEquals(3, KernelTables.interpolate(v, 1.5));
    }

    @Test
    void of_gpuWithoutMeasurements_isEmpty_andEveryCalibratedSystemHasAllThreeEngines() {
        assertTrue(KernelTables.builtIn().of(GpuCatalog.require("MI300X", "gpu"), ServingEngine.VLLM).isEmpty(),
                "no AMD GPU is measured: the roofline");
        for (String system : KernelTables.SYSTEM_OF_GPU.values()) {
            for (ServingEngine e : ServingEngine.values()) {
                Kernels k = KernelTables.builtIn().of(system, e.key()).orElseThrow(() -> new AssertionError(system + " " + e));
                assertTrue(k.hasGemm("bfloat16"), system + " " + e);
                // A100's vLLM and SGLang attention files have no row the calibration keeps (head_dim 128, grouped-query):
                // there the step stays on the roofline.
                boolean a100Python = system.equals("a100_sxm") && e != ServingEngine.TRTLLM;
                assertEquals(!a100Python, k.hasAttention("bfloat16"), system + " " + e);
            }
        }
        assertTrue(H100_VLLM.hasGemm("fp8"));
        assertTrue(!KernelTables.builtIn().of("a100_sxm", "vllm").orElseThrow().hasGemm("fp8"), "A100 has no FP8 tensor cores");
    }

    /**
     * GPUs without measurements take the nearest measured GPU of their architecture, scaled by data-sheet ratios (GPU
     * catalog): H100 PCIe from H100 SXM (bf16 756 against 989 TFLOPS, HBM 2.0 against 3.35 TB/s), B300 from B200, GB300
     * from GB200, the RTX 5090 (compute capability 12.0) from the RTX PRO 6000. GEMMs scale by the two rooflines at the
     * row's m: 8 rows read each weight for 16 FLOPs (bf16) or 32 (fp8), well under either GPU's ridge (989 / 3.35 = 295),
     * so the HBM ratio; 4,096 rows are past it, so the tensor peaks' ratio.
     */
    @Test
    void of_gpuWithoutMeasurements_takesTheNearestMeasuredScaled() {
        Kernels pcie = KernelTables.builtIn().of(GpuCatalog.require("H100-PCIe", "gpu"), ServingEngine.VLLM).orElseThrow();
        assertEquals("H100-SXM", pcie.scaledFrom());
        assertEquals(H100_VLLM.gemmSeconds("bfloat16", 3, 4096, 4096) * 3.35 / 2.0, pcie.gemmSeconds("bfloat16", 3, 4096, 4096), 1e-15);
        assertEquals(H100_VLLM.gemmSeconds("fp8", 3, 4096, 4096) * 3.35 / 2.0, pcie.gemmSeconds("fp8", 3, 4096, 4096), 1e-15);
        assertEquals(H100_VLLM.gemmSeconds("bfloat16", 12, 4096, 4096) * 989 / 756, pcie.gemmSeconds("bfloat16", 12, 4096, 4096),
                1e-15);
        assertEquals(H100_VLLM.gemmSeconds("fp8", 12, 4096, 4096) * 1979 / 1513, pcie.gemmSeconds("fp8", 12, 4096, 4096), 1e-15);
        // A GeForce card against the data-centre part of its architecture: the RTX 4090 from the L40S has more bandwidth
        // (1,008 against 864 GB/s) and half the bf16 tensor peak (165.2 against 362): its decode GEMMs are faster, its
        // prefill GEMMs slower.
        Kernels l40s = KernelTables.builtIn().of(GpuCatalog.require("L40S", "gpu"), ServingEngine.VLLM).orElseThrow();
        Kernels rtx4090 = KernelTables.builtIn().of(GpuCatalog.require("RTX-4090", "gpu"), ServingEngine.VLLM).orElseThrow();
        assertEquals("L40S", rtx4090.scaledFrom());
        assertEquals(l40s.gemmSeconds("bfloat16", 3, 4096, 4096) * 864 / 1008, rtx4090.gemmSeconds("bfloat16", 3, 4096, 4096), 1e-15);
        assertEquals(l40s.gemmSeconds("bfloat16", 12, 4096, 4096) * 362 / 165.2, rtx4090.gemmSeconds("bfloat16", 12, 4096, 4096),
                1e-15);
        assertEquals(H100_VLLM.decodeAttentionSeconds("bfloat16", 1 << 26) * 3.35 / 2.0,
                pcie.decodeAttentionSeconds("bfloat16", 1 << 26), 1e-15);
        assertEquals(null, H100_VLLM.scaledFrom());
        assertEquals("B200", KernelTables.builtIn().of(GpuCatalog.require("B300", "gpu"), ServingEngine.SGLANG).orElseThrow().scaledFrom());
        assertEquals("GB200", KernelTables.builtIn().of(GpuCatalog.require("GB300", "gpu"), ServingEngine.TRTLLM).orElseThrow().scaledFrom());
        assertEquals("RTX-PRO-6000", KernelTables.builtIn().of(GpuCatalog.require("RTX-5090", "gpu"), ServingEngine.VLLM).orElseThrow()
                .scaledFrom());
        // MoE layers: the rooflines at each token count. Qwen3-30B-A3B's experts (top 8 of 128, bf16) at 64 tokens hit
        // about 126 experts with 4 rows each, 4 FLOPs per byte: the HBM ratio; at 16,384 tokens 1,024 rows an expert:
        // the tensor peaks' ratio.
        KernelTables.MoeShape qwen3 = new KernelTables.MoeShape("bfloat16", 2048, 768, 8, 128, 1, 1);
        assertEquals(H100_VLLM.moe(qwen3).orElseThrow().seconds(64) * 3.35 / 2.0, pcie.moe(qwen3).orElseThrow().seconds(64), 1e-15);
        assertEquals(H100_VLLM.moe(qwen3).orElseThrow().seconds(16_384) * 989 / 756,
                pcie.moe(qwen3).orElseThrow().seconds(16_384), 1e-12);
        // The kernel names travel with the scaled layers, so a forced kernel is found on a GPU without measurements too.
        // gpt-oss-120b's MXFP4 experts (top 4 of 128, half a byte a weight) at 8,192 tokens: 256 rows an expert,
        // compute-bound on both.
        KernelTables.MoeShape gptOss = new KernelTables.MoeShape("w4a16_mxfp4", 2880, 2880, 4, 128, 4, 1);
        assertEquals(H100_VLLM.moe(gptOss, "marlin").orElseThrow().seconds(8192) * 989 / 756,
                pcie.moe(gptOss, "marlin").orElseThrow().seconds(8192), 1e-12);
    }

    /**
     * DeepSeek-V3's routed experts (hidden 7,168, expert width 2,048, top-8 of 256, FP8 blocks) at TP 8 under SGLang on
     * H200: op-perf's moe_perf.parquet (SGLang 0.5.14, power law 1.01) measures 0.03678 ms at 1 token, 0.2486 at 32,
     * 0.3126 at 48 and 3.767 at 16,384.
     */
    @Test
    void moe_measuredCounts_interpolatesBetween_andScalesBeyondTheLast() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "sglang").orElseThrow();
        KernelTables.MoeCurve c = k.moe(new KernelTables.MoeShape("fp8_block", 7168, 2048, 8, 256, 8, 1)).orElseThrow();
        assertEquals(36.78e-6, c.seconds(1), 1e-12);
        assertEquals(36.78e-6, c.seconds(0.5), 1e-12, "below the first count: its time");
        assertEquals((248.6e-6 + 312.6e-6) / 2, c.seconds(40), 1e-12);
        assertEquals(3767e-6 * 2, c.seconds(32768), 1e-12);
        assertTrue(k.moe(new KernelTables.MoeShape("fp8_block", 7168, 2048, 8, 256, 3, 1)).isEmpty(), "TP 3 is not measured");
        assertTrue(k.moe(new KernelTables.MoeShape("nvfp4", 7168, 2048, 8, 256, 8, 1)).isEmpty());
    }

    private static final KernelTables.MoeShape GPT_OSS_120B = new KernelTables.MoeShape("w4a16_mxfp4", 2880, 2880, 4, 128, 1, 1);
    /** The one other MXFP4 shape op-perf times Marlin at (hidden 3,584, expert width 3,072, top-16 of 896). */
    private static final KernelTables.MoeShape MARLIN_SHAPE = new KernelTables.MoeShape("w4a16_mxfp4", 3584, 3072, 16, 896, 1, 1);

    /**
     * vLLM on H200 has gpt-oss-120b's experts timed with OpenAI's Triton kernel only, and Marlin at {@link #MARLIN_SHAPE}
     * (moe.csv's kernel column). Forced to Marlin, 8,192 tokens take Marlin's time at the same rows per expert, 8,192 x
     * (4 / 128) / (16 / 896) = 14,336 tokens (58,980 us at 12,288 and 78,340 at 16,384: 68,660), times the weights'
     * ratio 128 x 2,880^2 / (896 x 3,584 x 3,072) = 0.10762: 7,389 us, against Triton's 3,942. One token is floored at
     * Triton's measured 60.32 us at the model's own shape. A kernel never timed for the dtype gives nothing.
     */
    @Test
    void moe_forcedKernel_isTransferredFromItsOtherShape_atEqualRowsPerExpert() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "vllm").orElseThrow();
        assertEquals(3942e-6, k.moe(GPT_OSS_120B).orElseThrow().seconds(8192), 1e-12, "the fastest kernel: Triton");
        KernelTables.MoeCurve marlin = k.moe(GPT_OSS_120B, "marlin").orElseThrow();
        assertEquals(68660e-6 * 128 * 2880.0 * 2880 / (896 * 3584.0 * 3072), marlin.seconds(8192), 1e-9);
        assertEquals(7389e-6, marlin.seconds(8192), 1e-6);
        assertEquals(60.32e-6, marlin.seconds(1), 1e-12, "never below the fastest kernel measured at the model's shape");
        assertTrue(k.moe(GPT_OSS_120B, "cutlass").isEmpty());
        Kernels l40s = KernelTables.builtIn().of("l40s", "vllm").orElseThrow();
        assertEquals(l40s.moe(GPT_OSS_120B).orElseThrow(), l40s.moe(GPT_OSS_120B, "marlin").orElseThrow(),
                "L40S times Marlin at gpt-oss's own shape: that curve");
    }

    /**
     * The transfer checked where op-perf times one kernel at both shapes: SGLang's Marlin on the RTX PRO 6000 (moe.csv
     * rows of kernel sglang_marlin_moe and sglang_marlin_moe_situ_as_silu). Moved from {@link #MARLIN_SHAPE} to
     * gpt-oss-120b's, it is within 19% of the measured layer from 1,024 to 16,384 tokens at MoE TP 1 and 2, a little
     * fast (at 1,024, 2,048, 4,096, 8,192 and 16,384 tokens: +2%, -17%, -15%, -12%, -7% at TP 1; -1%, -19%, -16%,
     * -16%, -14% at TP 2); below 256 tokens, where fixed costs dominate, it is up to 48% fast, which the floor at the
     * fastest kernel measured at the target's shape covers where one is measured.
     */
    @Test
    void transferredMoe_matchesTheSameKernelMeasuredAtTheTargetShape_within19Percent() {
        Kernels k = KernelTables.builtIn().of("rtx_pro_6000_server", "sglang").orElseThrow();
        for (int tp : new int[] {1, 2}) {
            KernelTables.MoeShape source = new KernelTables.MoeShape("w4a16_mxfp4", 3584, 3072, 16, 896, tp, 1);
            KernelTables.MoeShape target = new KernelTables.MoeShape("w4a16_mxfp4", 2880, 2880, 4, 128, tp, 1);
            KernelTables.MoeCurve moved = KernelTables.transferred(k.moe(source).orElseThrow(), source, target);
            KernelTables.MoeCurve measured = k.moe(target).orElseThrow();
            for (int tokens : new int[] {1024, 2048, 4096, 8192, 16384}) {
                double error = moved.seconds(tokens) / measured.seconds(tokens) - 1;
                assertTrue(Math.abs(error) <= 0.19, "TP " + tp + " at " + tokens + " tokens: " + error);
            }
        }
    }

    /**
     * DeepSeek-V3's MLA at TP 8 (16 heads per rank) under TensorRT-LLM on H200 (mla_decode.csv / mla_context.csv from
     * op-perf's generation_mla_perf and context_mla_perf): 73.21 million cached tokens per second at 2^10 tokens read,
     * 141 at 2^11; 11.94 and 23.09 billion causal pairs per second at 2^20 and 2^21 pairs.
     */
    @Test
    void mla_bucketsOfTheMeasuredRates() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "trtllm").orElseThrow();
        assertEquals(1024 / 73.21e6, k.mlaDecode("fp8", 16).orElseThrow().seconds(1024), 1e-12);
        double mid = Math.sqrt(1024.0 * 2048);
        assertEquals(mid / ((73.21e6 + 141e6) / 2), k.mlaDecode("fp8", 16).orElseThrow().seconds(mid), 1e-12);
        assertEquals((1 << 21) / 23.09e9, k.mlaContext(16).orElseThrow().seconds(1 << 21), 1e-15);
        assertTrue(k.mlaDecode("fp8", 3).isEmpty());
        assertTrue(KernelTables.builtIn().of("h200_sxm", "vllm").orElseThrow().mlaContext(16).isEmpty(),
                "vLLM's op-perf has MLA module timings only");
    }

    /**
     * TensorRT-LLM's whole MLA block of DeepSeek-V3 on H200, 16 heads per rank, FP8 KV and FP8-block projections
     * (mla_decode_module.csv from op-perf's mla_generation_module_perf): 4 sequences take 54.5 us at 1,024 cached tokens
     * and 56.1 at 2,048, 8 sequences 56.2 and 59.9; between, bilinear in log2 of both. Beyond the last measured context
     * (1,024 sequences stop at 32,768: out of memory beyond) linear along the last two; below the first sequence count
     * its time; past the last, proportional.
     */
    @Test
    void mlaModule_interpolatesItsGridOfSequencesAndContexts() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "trtllm").orElseThrow();
        KernelTables.MlaModule m = k.mlaDecodeModule("fp8", "fp8_block", 16).orElseThrow();
        assertEquals(54.5e-6, m.seconds(4, 1024), 1e-12);
        double midContext = Math.sqrt(1024.0 * 2048);
        double midBatch = Math.sqrt(4.0 * 8);
        assertEquals((54.5e-6 + 56.1e-6) / 2, m.seconds(4, midContext), 1e-12);
        assertEquals(((54.5e-6 + 56.1e-6) / 2 + (56.2e-6 + 59.9e-6) / 2) / 2, m.seconds(midBatch, midContext), 1e-12);
        assertEquals(m.seconds(1, 1024), m.seconds(0.5, 1024), 1e-15);
        assertEquals(6372e-6 + (6372e-6 - 3273e-6) / 16384 * 32768, m.seconds(1024, 65536), 1e-12);
        assertEquals(2 * m.seconds(1024, 1024), m.seconds(2048, 1024), 1e-12);
        assertTrue(k.mlaDecodeModule("fp8", "fp8_block", 3).isEmpty());
        assertTrue(KernelTables.builtIn().of("h200_sxm", "vllm").orElseThrow().mlaDecodeModule("fp8", "fp8_block", 16).isEmpty(),
                "vLLM's modules are not reduced: op-perf measures them under several attention backends");
    }

    /**
     * The same block in prefill (mla_context_module.csv from op-perf's mla_context_module_perf), H200, 16 heads per rank,
     * FP8 KV and FP8-block projections: one prompt of 1,024 tokens takes 173 us, of 1,536 239.9 us, two prompts of 1,024
     * 287.8 us; between, log-linear in both. Less than a prompt is a chunk of one: its share of the whole prompt's 1,461 us
     * at 8,192 tokens, never below the block over its tokens alone (a twentieth of 8,192 is 409.6 tokens: 80.1 us at 256
     * and 105.7 at 512, log-linear).
     */
    @Test
    void mlaContextModule_timesPromptsAndChunksOfOne() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "trtllm").orElseThrow();
        KernelTables.MlaModule m = k.mlaContextModule("fp8", "fp8_block", 16).orElseThrow();
        assertEquals(173e-6, m.prefillSeconds(1, 1024), 1e-12);
        assertEquals((173e-6 + 239.9e-6) / 2, m.prefillSeconds(1, Math.sqrt(1024.0 * 1536)), 1e-12);
        assertEquals((173e-6 + 287.8e-6) / 2, m.prefillSeconds(Math.sqrt(2), 1024), 1e-12);
        assertEquals(0.25 * 1461e-6, m.prefillSeconds(0.25, 8192), 1e-12);
        double floor = 80.1e-6 + Math.log(409.6 / 256) / Math.log(2) * (105.7e-6 - 80.1e-6);
        assertEquals(floor, m.prefillSeconds(0.05, 8192), 1e-12);
        assertTrue(floor > 0.05 * 1461e-6);
        assertTrue(KernelTables.builtIn().of("h200_sxm", "vllm").orElseThrow().mlaContextModule("fp8", "fp8_block", 16).isEmpty());
    }

    /**
     * SGLang's DSA block of GLM-5 on H200 (dsa_decode_module.csv from op-perf's dsa_generation_module_perf: GLM-5-FP8, 8
     * heads per rank, a 16-bit cache under FA3): 4 sequences take 66.6 us at 1,024 cached tokens and 77.9 at 2,048, what
     * the indexer adds over a dense read of 8 heads' latent; DeepSeek-V3.2's block is in the table too. vLLM's and
     * TensorRT-LLM's blocks are not reduced (CalibrateJob.DSA_MODULE_ENGINE).
     * In prefill (dsa_context_module.csv): one prompt of 4,096 tokens takes 2,627 us, of 8,192 5,163 (the sparse path
     * beyond the 2,048-token top-k), two of 4,096 5,023. Rows of more prompts stop at 2,048 tokens (the sparse path was
     * measured for one and two prompts only): four prompts of 4,096 take two's time twice over, two of 8,192 one's twice,
     * not the dense rows extrapolated (under a millisecond).
     */
    @Test
    void dsaModules_byMeasuredModelDtypesAndHeads() {
        Kernels k = KernelTables.builtIn().of("h200_sxm", "sglang").orElseThrow();
        KernelTables.MlaModule m = k.dsaDecodeModule("zai-org/GLM-5", "bfloat16", "fp8_block", 8).orElseThrow();
        assertEquals(66.6e-6, m.seconds(4, 1024), 1e-12);
        assertEquals(77.9e-6, m.seconds(4, 2048), 1e-12);
        KernelTables.MlaModule c = k.dsaContextModule("zai-org/GLM-5", "bfloat16", "fp8_block", 8).orElseThrow();
        assertEquals(2627e-6, c.prefillSeconds(1, 4096), 1e-12);
        assertEquals(5163e-6, c.prefillSeconds(1, 8192), 1e-12);
        assertEquals(5023e-6, c.prefillSeconds(2, 4096), 1e-12);
        assertEquals(2 * 5023e-6, c.prefillSeconds(4, 4096), 1e-12);
        assertEquals(2 * 5163e-6, c.prefillSeconds(2, 8192), 1e-12);
        assertTrue(k.dsaDecodeModule("zai-org/GLM-5", "bfloat16", "fp8_block", 3).isEmpty());
        assertTrue(k.dsaDecodeModule("deepseek-ai/DeepSeek-V3", "bfloat16", "fp8_block", 8).isEmpty());
        assertTrue(k.dsaDecodeModule("deepseek-ai/DeepSeek-V3.2", "fp8", "fp8_block", 16).isPresent());
        assertTrue(KernelTables.builtIn().of("h200_sxm", "vllm").orElseThrow()
                .dsaDecodeModule("zai-org/GLM-5", "bfloat16", "fp8_block", 8).isEmpty(), "SGLang's blocks only");
    }

    /**
     * One Gated DeltaNet layer's linear attention (op-perf gdn_perf: causal convolution plus the engine's fastest delta
     * rule, the median over the Qwen3.5 models measured at each head shape). vLLM on H100 at 2 key and 8 value heads of
     * 128 a rank (Qwen3.5-397B-A17B at TP 8): 16 sequences decode in 9.085 us, 64 in 21.35, 48 halfway from 32's 12.04
     * to that (16.695);
     * one prompt of 1,024 tokens prefills in 62.96 us, a 256-token chunk of it in a quarter of that but not below 256
     * tokens alone (25.23 us). H100 PCIe takes them scaled by the smaller of its HBM and bf16 ratios (2.0 / 3.35).
     */
    @Test
    void gatedDeltaNet_byHeadsPerRankInPrefillAndDecode() {
        KernelTables.MoeCurve decode = H100_VLLM.gdnDecode(2, 8, 128, 128).orElseThrow();
        assertEquals(9.085e-6, decode.seconds(16), 1e-12);
        assertEquals(21.35e-6, decode.seconds(64), 1e-12);
        assertEquals(16.695e-6, decode.seconds(48), 1e-12);
        KernelTables.MlaModule context = H100_VLLM.gdnContext(2, 8, 128, 128).orElseThrow();
        assertEquals(62.96e-6, context.prefillSeconds(1, 1024), 1e-12);
        assertEquals(25.23e-6, context.prefillSeconds(0.25, 1024), 1e-12);
        assertTrue(H100_VLLM.gdnDecode(3, 8, 128, 128).isEmpty());
        Kernels pcie = KernelTables.builtIn().of(GpuCatalog.require("H100-PCIe", "gpu"), ServingEngine.VLLM).orElseThrow();
        assertEquals(21.35e-6 * 3.35 / 2.0, pcie.gdnDecode(2, 8, 128, 128).orElseThrow().seconds(64), 1e-12);
        assertEquals(62.96e-6 * 3.35 / 2.0, pcie.gdnContext(2, 8, 128, 128).orElseThrow().prefillSeconds(1, 1024), 1e-12);
    }

    @Test
    void curveLookup_equalsTheScanningInterpolation() {
        // Gaps (unmeasured buckets) inside and at both ends: the precomputed neighbours give the scan's answer everywhere.
        double[] v = {Double.NaN, 2, Double.NaN, Double.NaN, 8, 9, Double.NaN};
        KernelTables.Curve c = KernelTables.Curve.of(0, v);
        for (double x = -1; x <= 8; x += 0.125) {
            assertEquals(KernelTables.interpolate(v, x), c.rateAt(x), 1e-12, "x = " + x);
        }
    }
}

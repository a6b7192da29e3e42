package dev.autoparallel.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.model.Component;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import dev.autoparallel.model.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerfModelTest {
    private static final Gpu H100 = GpuCatalog.require("H100", "gpu");

    private static PerfEstimate estimate(String model, Gpu gpu, int tp, Workload w) {
        return new PerfModel(new MemoryModel(ReferenceModels.spec(model), gpu))
                .estimate(new Layout(tp, 1, 1, false), 8, gpu.memoryBytes(), EngineSettings.defaults(), w,
                        ServingEngine.VLLM).orElseThrow();
    }

    /**
     * The prompts a new one queues behind enter steps as vLLM and SGLang batch them, as many as the step budget holds
     * and no more than are in flight; TensorRT-LLM's queue is served a prompt at a time (ServingEngine#batchesQueuedPrompts).
     */
    @Test
    void queuedPrompts_enterStepsAsTheEngineBatchesThem() {
        assertEquals(8, PerfModel.queuedPromptsPerStep(ServingEngine.SGLANG, 8192, 1024, 16));
        assertEquals(4, PerfModel.queuedPromptsPerStep(ServingEngine.VLLM, 8192, 2048, 64));
        assertEquals(3, PerfModel.queuedPromptsPerStep(ServingEngine.VLLM, 8192, 1024, 3.5));
        assertEquals(1, PerfModel.queuedPromptsPerStep(ServingEngine.SGLANG, 8192, 9000, 16));
        assertEquals(1, PerfModel.queuedPromptsPerStep(ServingEngine.SGLANG, 8192, 1024, 0.5));
        assertEquals(1, PerfModel.queuedPromptsPerStep(ServingEngine.TRTLLM, 8192, 1024, 16));
    }

    @Test
    void decodeTime_growsWithContext() {
        double previous = 0;
        for (int input : new int[] {512, 2048, 8192, 32768}) {
            double tpot = estimate("meta-llama/Llama-3.1-8B", H100, 1, new Workload(input, 256, 32)).tpotMs();
            assertTrue(tpot > previous, "TPOT at " + input + " tokens: " + tpot);
            previous = tpot;
        }
    }

    @Test
    void moreTp_lowersTimePerTokenUntilCommunicationDominates() {
        Workload w = new Workload(1024, 256, 8);
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        double tp2 = estimate("meta-llama/Llama-3.1-70B", h200, 2, w).tpotMs();
        double tp4 = estimate("meta-llama/Llama-3.1-70B", h200, 4, w).tpotMs();
        double tp8 = estimate("meta-llama/Llama-3.1-70B", h200, 8, w).tpotMs();
        assertTrue(tp4 < tp2 && tp8 < tp4, tp2 + " " + tp4 + " " + tp8);
        assertTrue(tp8 > tp2 / 4, "communication and fixed costs keep TP8 from a linear speed-up over TP2");
        // A 1B model gains little from TP8: the step overhead and sixteen layers' all-reduces stay while the weight reads
        // they split are small (vLLM's measured all-reduce in CUDA graphs, 8 GPUs: 3-4 us each at these sizes).
        Workload small = new Workload(512, 128, 1);
        double oneGpu = estimate("meta-llama/Llama-3.2-1B", H100, 1, small).tpotMs();
        double eight = estimate("meta-llama/Llama-3.2-1B", H100, 8, small).tpotMs();
        assertTrue(eight > oneGpu / 2, oneGpu + " vs " + eight);
    }

    @Test
    void concurrency_raisesThroughputAndTtft() {
        PerfEstimate one = estimate("Qwen/Qwen3-8B", H100, 1, new Workload(1024, 512, 1));
        PerfEstimate many = estimate("Qwen/Qwen3-8B", H100, 1, new Workload(1024, 512, 64));
        assertTrue(many.tokensPerSecond() > 10 * one.tokensPerSecond());
        assertTrue(many.ttftMs() > one.ttftMs());
        assertEquals("memory", one.bound());
    }

    @Test
    void kvCapacity_capsConcurrency_andRequestsWaitForSlots() {
        // 200 requests of 128K tokens cannot all be resident on one H100: the cache holds a few, the rest queue.
        PerfEstimate e = estimate("meta-llama/Llama-3.1-8B", H100, 1, new Workload(120_000, 8_000, 200));
        assertTrue(e.effectiveConcurrency() < 10, "effective " + e.effectiveConcurrency());
        assertTrue(e.ttftMs() > 60_000, "TTFT " + e.ttftMs());
    }

    @Test
    void namesParse_andRefuseUnknownOnes() {
        assertEquals(ServingEngine.SGLANG, ServingEngine.parse("SGLang"));
        assertEquals(ServingEngine.TRTLLM, ServingEngine.parse("TensorRT-LLM"));
        assertEquals(WeightDtype.FP4, WeightDtype.parse("fp4"));
        assertEquals("engine", assertThrows(dev.autoparallel.error.InvalidConfigurationException.class,
                () -> ServingEngine.parse("tgi")).field());
        assertEquals("concurrency", assertThrows(dev.autoparallel.error.InvalidConfigurationException.class,
                () -> new Workload(10, 10, 0)).field());
    }

    @Test
    void hybridDecode_readsTheKvOfItsAttentionLayersOnly() throws Exception {
        // Qwen3.5-27B (configs-2026): 16 full-attention and 48 Gated DeltaNet layers. From 4K to 64K of context, 8 requests
        // on one H200 add 8 x 61,440 tokens x 16 layers x 4,096 B (2 x 4 KV heads x 256 x 2 B) = 32.2 GB of KV to each decode
        // step, 8.4 ms at 80% of 4.8 TB/s; read as 64 KV layers it would be 33.5 ms. The GDN states stay the same size.
        ModelSpec spec;
        try (var in = getClass().getResourceAsStream("/configs-2026/Qwen--Qwen3.5-27B/config.json")) {
            spec = ConfigParser.parse("Qwen/Qwen3.5-27B", new String(in.readAllBytes(), StandardCharsets.UTF_8), "cfg");
        }
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel memory = new MemoryModel(spec, h200);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(one, EngineSettings.defaults().withMaxModelLen(70_000), h200.memoryBytes());
        StepTimer steps = new PerfModel(memory).stepTimer(one, 8, mem, ServingEngine.VLLM);
        double shortCtx = steps.stepSeconds(8, 4_096, 0) * 1000;
        double longCtx = steps.stepSeconds(8, 65_536, 0) * 1000;
        double kvMs = 8.0 * 61_440 * 16 * 4_096 / (4.8e12 * 0.80) * 1000;
        assertEquals(8.4, kvMs, 0.1);
        assertTrue(longCtx - shortCtx > 0.5 * kvMs && longCtx - shortCtx < 1.5 * kvMs,
                "decode step " + shortCtx + " -> " + longCtx + " ms; the KV of 16 layers adds " + kvMs);
    }

    /**
     * A cached prefix is context, not computation: Llama-3.1-8B on one H100 under vLLM, 16 requests of 4,000 in and 100
     * out, 3,600 of each prompt in the prefix cache. The prefill computes 400 tokens, so TTFT falls well below the whole
     * prompt's and the replica serves more requests a second; the KV cache still holds whole requests, so the requests it
     * admits are the same. A cache hit must leave a token to compute: cached_tokens at the prompt's length is refused.
     */
    @Test
    void aCachedPrefix_isNotPrefilled() {
        MemoryModel memory = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        PerfModel perf = new PerfModel(memory);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(one, EngineSettings.defaults().withMaxModelLen(4100).withMaxNumSeqs(16),
                H100.memoryBytes());
        PerfEstimate whole = perf.estimate(one, 8, mem, new Workload(4000, 100, 16), ServingEngine.VLLM);
        PerfEstimate cached = perf.estimate(one, 8, mem, new Workload(4000, 100, 16, 3600), ServingEngine.VLLM);
        PerfEstimate short400 = perf.estimate(one, 8, mem, new Workload(400, 100, 16), ServingEngine.VLLM);
        assertTrue(cached.ttftMs() < 0.5 * whole.ttftMs(), cached.ttftMs() + " vs " + whole.ttftMs() + " ms");
        assertTrue(cached.ttftMs() > short400.ttftMs(), "the uncached tokens attend to the whole prompt");
        assertTrue(cached.requestsPerSecond() > whole.requestsPerSecond());
        assertEquals(whole.effectiveConcurrency(), cached.effectiveConcurrency(), 1e-9);
        assertEquals(whole.ttftMs(), perf.estimate(one, 8, mem, new Workload(4000, 100, 16, 0), ServingEngine.VLLM).ttftMs(), 1e-9);
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> new Workload(4000, 100, 16, 4000));
        assertTrue(e.getMessage().contains("cached_tokens was 4000"), e.getMessage());
    }

    @Test
    void anFp8KvCache_isReadAtOneByte() {
        // Llama-3.1-8B on one H100, 8 requests of 16K prompt and 4K output (prefill amortised to 32 tokens a step):
        // the memory-bound decode step reads the weights (16 GB) and about 8 x 18K x 128 KiB = 19 GB of bf16 KV. At
        // fp8 the KV read halves; at one short request the step is the same (the weights dominate).
        MemoryModel memory = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        PerfModel perf = new PerfModel(memory);
        Layout one = new Layout(1, 1, 1, false);
        Workload longContext = new Workload(16_384, 4_096, 8);
        EngineSettings bf16 = EngineSettings.defaults();
        EngineSettings fp8 = EngineSettings.defaults().withKvCacheDtype(KvCacheDtype.FP8);
        double tpotBf16 = perf.estimate(one, 8, H100.memoryBytes(), bf16, longContext, ServingEngine.VLLM).orElseThrow().tpotMs();
        double tpotFp8 = perf.estimate(one, 8, H100.memoryBytes(), fp8, longContext, ServingEngine.VLLM).orElseThrow().tpotMs();
        assertTrue(tpotFp8 < 0.85 * tpotBf16, tpotBf16 + " ms at bf16 KV, " + tpotFp8 + " at fp8");
        Workload shortOne = new Workload(128, 64, 1);
        double a = perf.estimate(one, 8, H100.memoryBytes(), bf16, shortOne, ServingEngine.VLLM).orElseThrow().tpotMs();
        double b = perf.estimate(one, 8, H100.memoryBytes(), fp8, shortOne, ServingEngine.VLLM).orElseThrow().tpotMs();
        assertEquals(a, b, 0.01 * a);
    }

    @Test
    void modelOptFp8Checkpoints_prefillOnFp8TensorCores() {
        // NVIDIA's ModelOpt FP8 Llama-3.1-8B (catalog) against the bf16 original on one H200, one 8K prompt: the prefill is
        // compute-bound, and W8A8 FP8 runs the tables' FP8 GEMMs (about 1,400 against 750 achieved TFLOPS at 8,192 tokens
        // on H200 under vLLM, gemm.csv), so its TTFT is well below the bf16 model's, not equal to it as when ModelOpt
        // checkpoints were read as 16-bit compute.
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        Workload prompt = new Workload(8192, 16, 1);
        double fp8 = new PerfModel(new MemoryModel(AutoParallel.model("nvidia/Llama-3.1-8B-Instruct-FP8"), h200))
                .estimate(new Layout(1, 1, 1, false), 8, h200.memoryBytes(), EngineSettings.defaults(), prompt, ServingEngine.VLLM)
                .orElseThrow().ttftMs();
        double bf16 = new PerfModel(new MemoryModel(AutoParallel.model("meta-llama/Llama-3.1-8B-Instruct"), h200))
                .estimate(new Layout(1, 1, 1, false), 8, h200.memoryBytes(), EngineSettings.defaults(), prompt, ServingEngine.VLLM)
                .orElseThrow().ttftMs();
        // Without the measured kernels' fixed prefill overhead, which both take.
        double overhead = ServingEngine.VLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS).prefillOverheadS() * 1e3;
        double fp8Prefill = fp8 - overhead;
        double bf16Prefill = bf16 - overhead;
        assertTrue(fp8Prefill < 0.7 * bf16Prefill, "TTFT " + fp8 + " ms at FP8, " + bf16 + " ms at bf16");
    }

    /**
     * The measured-kernel path on Llama-3.1-8B, H100, TP 1, vLLM: a decode step of 8 sequences at 2,048 tokens
     * of context is the sum of the table's kernels (src/main/resources/perf/*.csv, h100_sxm, vllm, bfloat16), worked by
     * hand: per layer QKV 6144 x 4096 (20.756 us: between nk_log2_24 = 17.99 and nk_log2_25 = 20.4 TFLOPS at m = 8),
     * O 4096 x 4096 (14.921 us), gate/up 28672 x 4096 (82.463 us), down 4096 x 14336 (43.216 us), x 32 layers
     * = 5.1634 ms; the LM head 128256 x 4096 at m = 8 = 0.3550 ms; decode attention 8 x 2048 x 4096 B = 2^26 B per
     * layer at 1,666 GB/s = 40.281 us, x 32 = 1.2890 ms; no all-reduce. Total 6.8073 ms,
     * plus vLLM's kernel-path step overhead (ServingEngine); 0.1% allowed for the rounding of the cited figures.
     */
    @Test
    void measuredKernels_llama8bDecodeStepOnH100_isTheSumOfItsKernels() {
        double overhead = ServingEngine.VLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS).stepOverheadS();
        assertEquals(6.8073e-3, measuredStep("meta-llama/Llama-3.1-8B", 1) - overhead, 6.8073e-3 * 1e-3);
    }

    /**
     * As above for Llama-3.1-70B at TP 4: per layer QKV 2560 x 8192 (17.881 us), O 8192 x 2048 (14.921 us), gate/up
     * 14336 x 8192 (82.463 us), down 8192 x 7168 (43.216 us), x 80 = 12.6785 ms; LM head 32064 x 8192 = 0.1799 ms;
     * attention 2^24 B per layer at 939.1 GB/s = 17.865 us, x 80 = 1.4292 ms; two all-reduces per layer of 8 tokens x
     * 8192 x 2 B = 2^17 B, vLLM's measured custom all-reduce over 4 GPUs at 22.6 GB/s (allreduce.csv, h100_sxm) = 5.7996 us
     * each, x 160 = 0.9279 ms. Total 15.2155 ms, plus the kernel-path step overhead.
     */
    @Test
    void measuredKernels_llama70bDecodeStepOnH100Tp4_isTheSumOfItsKernels() {
        double overhead = ServingEngine.VLLM.calibration(PerfModel.StepSource.MEASURED_KERNELS).stepOverheadS();
        assertEquals(15.2155e-3, measuredStep("meta-llama/Llama-3.1-70B", 4) - overhead, 15.2155e-3 * 1e-3);
    }

    /** vLLM's engine view of {@code l} at the defaults, sized for {@code maxModelLen} and {@code maxNumSeqs}, on the model's GPU. */
    private static MemoryEstimate engineView(MemoryModel memory, Layout l, int maxModelLen, int maxNumSeqs) {
        return memory.evaluate(l, EngineSettings.defaults().withMaxModelLen(maxModelLen).withMaxNumSeqs(maxNumSeqs),
                memory.gpu().memoryBytes());
    }

    private static double measuredStep(String model, int tp) {
        MemoryModel memory = new MemoryModel(ReferenceModels.spec(model), H100);
        PerfModel perf = new PerfModel(memory);
        Layout layout = new Layout(tp, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(layout, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8),
                H100.memoryBytes());
        assertEquals(PerfModel.StepSource.MEASURED_KERNELS, perf.stepSource(layout, mem, ServingEngine.VLLM));
        return perf.stepTimer(layout, 8, mem, ServingEngine.VLLM).stepSeconds(8, 2048, 0);
    }

    /**
     * FP8 per-tensor dense weights run the tables' fp8 GEMMs less their per-call excess at m = 1 over the weight read
     * (PerfModel.Stage#gemmSeconds). Llama-3.1-8B served FP8 on one H100 under vLLM: at one decoding sequence every layer
     * GEMM is its weight read at 80% of 3.35 TB/s, since each table time at m = 1 exceeds it (gemm.csv, h100_sxm, vllm,
     * fp8, m = 1: 2.5 to 5.4 TFLOPS, e.g. gate/up 28672 x 4096 at 4.8 TFLOPS is 48.9 us against a 43.8 us read):
     * 32 x (6144 + 4096 + 28672 + 14336) x 4096 B = 6.9793 GB in 2.6042 ms. The bf16 LM head and attention come on top.
     * At 8,192 prompt tokens the fp8 GEMMs run at 1,050 to 1,300 achieved TFLOPS against bf16's 750 to 800 (the same
     * tables): with the attention both share, the prefill step takes under 75% of bf16's (72%, 2026-11-30).
     */
    @Test
    void fp8DenseWeights_tableGemmsLessTheirPerCallExcess() {
        EngineSettings fp8 = EngineSettings.defaults().withQuantization(ServingQuantization.FP8);
        Layout one = new Layout(1, 1, 1, false);
        MemoryModel llamaFp8 = new MemoryModel(fp8.served(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100), H100);
        MemoryEstimate fp8Mem = llamaFp8.evaluate(one, fp8.withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes());
        StepTimer fp8Steps = new PerfModel(llamaFp8).stepTimer(one, 8, fp8Mem, ServingEngine.VLLM);
        MemoryModel llama = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        MemoryEstimate bf16Mem = llama.evaluate(one, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes());
        StepTimer bf16Steps = new PerfModel(llama).stepTimer(one, 8, bf16Mem, ServingEngine.VLLM);
        // The same step with bf16 weights differs only in its layer GEMMs (the bf16 table's at m = 1): the LM head (bf16 in
        // both), attention over the same bf16 KV cache and the step overhead are shared.
        KernelTables.Kernels k = KernelTables.builtIn().of(H100, ServingEngine.VLLM).orElseThrow();
        double bf16Layers = 32 * (k.gemmSeconds("bfloat16", 0, 6144, 4096) + k.gemmSeconds("bfloat16", 0, 4096, 4096)
                + k.gemmSeconds("bfloat16", 0, 28672, 4096) + k.gemmSeconds("bfloat16", 0, 4096, 14336));
        double fp8Layers = 6.9793e9 / (3.35e12 * 0.8);
        assertEquals(bf16Steps.stepSeconds(1, 1, 0) - bf16Layers + fp8Layers, fp8Steps.stepSeconds(1, 1, 0), 1e-3 * fp8Layers);
        assertTrue(fp8Steps.stepSeconds(0, 8192, 8192) < 0.75 * bf16Steps.stepSeconds(0, 8192, 8192));
    }

    /**
     * How many requests the KV cache holds at once depends on the engine's admission: vLLM allocates blocks as tokens
     * arrive (a request holds its prompt and on average half its output), TensorRT-LLM's GUARANTEED_NO_EVICT reserves
     * the whole sequence. Llama-3.1-70B served FP8 on one H200 at 1,024 / 8,192 tokens and 64 in flight, where the cache
     * holds fewer: vLLM runs kv_tokens / 5,120 of them, TensorRT-LLM kv_tokens / 9,216. (The measured vLLM run at 32 in
     * flight had a 474 ms TTFT, measured-latency.csv: nobody waited for a whole sequence's blocks.)
     */
    @Test
    void kvCapacity_vllmHoldsHalfTheOutputOnAverage_trtllmReservesItAll() {
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        EngineSettings fp8 = EngineSettings.defaults().withQuantization(ServingQuantization.FP8);
        MemoryModel memory = new MemoryModel(fp8.served(AutoParallel.model("meta-llama/Llama-3.1-70B"), h200), h200);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(one, fp8.withMaxModelLen(9216).withMaxNumSeqs(64), h200.memoryBytes());
        Workload w = new Workload(1024, 8192, 64);
        PerfModel perf = new PerfModel(memory);
        double vllm = perf.estimate(one, 8, mem, w, ServingEngine.VLLM).effectiveConcurrency();
        double trtllm = perf.estimate(one, 8, mem, w, ServingEngine.TRTLLM).effectiveConcurrency();
        assertEquals(mem.kvCacheTokens() / 5120.0, vllm, 1e-9);
        assertEquals(mem.kvCacheTokens() / 9216.0, trtllm, 1e-9);
        assertTrue(vllm < 64, "the cache must bind: " + vllm);
    }

    /**
     * SGLang runs prefill batches of their own between decode batches: a decoding sequence's time per token is a decode
     * step plus its share of the prefill batches that arrive meanwhile, each prompt in one batch (its 4,096 tokens under
     * the 8,192-token chunked_prefill_size of an 80 GB GPU). Qwen3-32B (16-bit) at TP 2 on H100 under SGLang 0.5.1,
     * 4,096 in / 128 out with 64 in flight (measured-latency.csv): TPOT 84.0 ms with a 9.0 s TTFT, so only some 35 of
     * the 64 are decoding at once. Spreading the prompts of all 64 over every step gave 121.8 ms (2026-11-30).
     */
    @Test
    void sglangDecodesBetweenWholePrefillBatches_ofTheRequestsPastTheirFirstToken() {
        MemoryModel memory = new MemoryModel(AutoParallel.model("Qwen/Qwen3-32B"), H100);
        PerfModel perf = new PerfModel(memory);
        Layout tp2 = new Layout(2, 1, 1, false);
        MemoryEstimate mem = engineView(memory, tp2, 4224, 64);
        PerfEstimate e = perf.estimate(tp2, 8, mem, new Workload(4096, 128, 64), ServingEngine.SGLANG);
        double d = e.decodingSequences();
        assertTrue(d > 25 && d < 45, "decoding " + d);
        PerfModel.Steps steps = perf.steps(tp2, 8, mem, ServingEngine.SGLANG, ServingEngine::calibration);
        double share = d * 4096 / 128.0 / 4096;
        double expected = steps.seconds(d, 4096 + 64, 0) + share * steps.seconds(0, 4096, 4096);
        assertEquals(expected * 1e3, e.tpotMs(), 1e-9);
        assertEquals(84.0, e.tpotMs(), 0.1 * 84.0);
    }

    /**
     * A TP group's all-reduces run over NVLink within its NVLink domain and over the network beyond it, each crossing
     * between the domains and back (2 x (N - 1) hops of 10 us, aiconfigurator's p2p_latency). Llama-3.1-70B at TP 16 on
     * H100: over two 8-GPU nodes a one-token step pays 160 all-reduces x (20 us of hops + the 2 x 15/16 x 16 KB over
     * the 50 GB/s network instead of NVLink at 70%) more than in one 16-GPU NVLink domain. On GB200 (4 GPUs a tray, 72 at
     * NVLink speed) TP 8 spans two trays and stays on NVLink: the same step as on 8-GPU nodes.
     */
    @Test
    void tpAllReduces_crossTheNetworkOnlyBeyondTheNvlinkDomain() {
        MemoryModel memory = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-70B"), H100);
        PerfModel perf = new PerfModel(memory);
        Layout tp16 = new Layout(16, 1, 1, false);
        MemoryEstimate mem = engineView(memory, tp16, 4096, 8);
        double twoNodes = perf.stepTimer(tp16, 8, mem, ServingEngine.VLLM).stepSeconds(1, 1, 0);
        double oneDomain = perf.stepTimer(tp16, 16, mem, ServingEngine.VLLM).stepSeconds(1, 1, 0);
        double bytes = 2.0 * 15 / 16 * 8192 * 2;
        double perCall = 2 * 10e-6 + bytes / (H100.interNodeBytesPerSecond() * 0.7) - bytes / (H100.intraNodeBytesPerSecond() * 0.7);
        assertEquals(160 * perCall, twoNodes - oneDomain, 1e-9);

        Gpu gb200 = GpuCatalog.require("GB200", "gpu");
        MemoryModel onGb200 = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-70B"), gb200);
        PerfModel rack = new PerfModel(onGb200);
        Layout tp8 = new Layout(8, 1, 1, false);
        MemoryEstimate gbMem = engineView(onGb200, tp8, 4096, 8);
        assertEquals(rack.stepTimer(tp8, 8, gbMem, ServingEngine.VLLM).stepSeconds(8, 2048, 0),
                rack.stepTimer(tp8, 4, gbMem, ServingEngine.VLLM).stepSeconds(8, 2048, 0), 1e-12);
    }

    @Test
    void stepSource_measuredFor16BitDenseOnH100_rooflineWhereTheTablesDoNotReach() {
        Layout one = new Layout(1, 1, 1, false);
        MemoryModel llama = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100);
        MemoryEstimate mem = llama.evaluate(one, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes());
        assertEquals(PerfModel.StepSource.MEASURED_KERNELS, new PerfModel(llama).stepSource(one, mem, ServingEngine.VLLM));
        assertEquals(PerfModel.StepSource.ROOFLINE, PerfModel.rooflineOnly(llama).stepSource(one, mem, ServingEngine.VLLM));
        // FP8 per tensor runs the tables' fp8 GEMMs; FP8 in 128 x 128 blocks has no dense table and stays on the roofline.
        EngineSettings fp8 = EngineSettings.defaults().withQuantization(ServingQuantization.FP8);
        MemoryModel llamaFp8 = new MemoryModel(fp8.served(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100), H100);
        assertEquals(PerfModel.StepSource.MEASURED_KERNELS, new PerfModel(llamaFp8).stepSource(one,
                llamaFp8.evaluate(one, fp8.withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes()), ServingEngine.VLLM));
        EngineSettings block = EngineSettings.defaults().withQuantization(ServingQuantization.FP8_PER_BLOCK);
        MemoryModel llamaBlock = new MemoryModel(block.served(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), H100), H100);
        assertEquals(PerfModel.StepSource.ROOFLINE, new PerfModel(llamaBlock).stepSource(one,
                llamaBlock.evaluate(one, block.withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes()), ServingEngine.VLLM));
        Gpu pcie = GpuCatalog.require("H100-PCIe", "gpu");
        MemoryModel onPcie = new MemoryModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B"), pcie);
        assertEquals(PerfModel.StepSource.SCALED_KERNELS, new PerfModel(onPcie).stepSource(one,
                onPcie.evaluate(one, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8), pcie.memoryBytes()),
                ServingEngine.VLLM), "H100 PCIe: H100 SXM's kernels, scaled");
        MemoryModel moe = new MemoryModel(ReferenceModels.spec("Qwen/Qwen3-30B-A3B"), H100);
        MemoryEstimate moeMem = moe.evaluate(one, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8), H100.memoryBytes());
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, new PerfModel(moe).stepSource(one, moeMem, ServingEngine.VLLM));
        assertEquals(PerfModel.StepSource.ROOFLINE, PerfModel.rooflineOnly(moe).stepSource(one, moeMem, ServingEngine.VLLM));
        Layout tp3 = new Layout(3, 1, 1, false);
        assertEquals(PerfModel.StepSource.ROOFLINE, new PerfModel(moe).stepSource(tp3, moeMem, ServingEngine.VLLM),
                "MoE TP 3 has no measured experts");
    }

    /**
     * gpt-oss-120b's MXFP4 experts on H200 at TP 2 with expert parallelism (moe.csv: w4a16_mxfp4, 2,880 x 2,880, top-4
     * of 128, moe_ep 2): the tables hold the layer for vLLM, SGLang and TensorRT-LLM, but TensorRT-LLM's is its CUTLASS
     * kernel (moe_torch_flow) where it serves MXFP4 with TRITON on Hopper (its GPT-OSS deployment guide; InferenceX's H200
     * recipe), so its steps keep the roofline (ServingEngine.runsMeasuredMoe).
     */
    @Test
    void trtllmMxfp4Experts_keepTheRoofline_theTablesMeasureAnotherKernel() {
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        Layout tp2ep = new Layout(2, 1, 1, true);
        MemoryModel gptOss = new MemoryModel(AutoParallel.model("openai/gpt-oss-120b"), h200);
        MemoryEstimate mem = gptOss.evaluate(tp2ep, EngineSettings.defaults().withMaxModelLen(2048).withMaxNumSeqs(16),
                h200.memoryBytes());
        PerfModel perf = new PerfModel(gptOss);
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, perf.stepSource(tp2ep, mem, ServingEngine.VLLM));
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, perf.stepSource(tp2ep, mem, ServingEngine.SGLANG));
        assertEquals(PerfModel.StepSource.ROOFLINE, perf.stepSource(tp2ep, mem, ServingEngine.TRTLLM));
        KernelTables.Kernels trt = KernelTables.builtIn().of(h200, ServingEngine.TRTLLM).orElseThrow();
        assertTrue(trt.moe(new KernelTables.MoeShape("w4a16_mxfp4", 2880, 2880, 4, 128, 1, 2)).isPresent(),
                "the tables do hold TensorRT-LLM's (CUTLASS) layer for this split");
        assertFalse(ServingEngine.TRTLLM.runsMeasuredMoe("w4a16_mxfp4"));
        assertTrue(ServingEngine.TRTLLM.runsMeasuredMoe("fp8_block"));
    }

    /**
     * The measured-experts path on Qwen3-30B-A3B (48 MoE layers; hidden 2,048, expert width 768, top-8 of 128, 16-bit),
     * H100, TP 1, vLLM: op-perf's vLLM MoE layer takes 181.8 us at 8 tokens and 230.2 us at 16 (moe.csv, h100_sxm). The
     * rest of a decode step reads the same dense weights at both batch sizes (memory-bound), so going from 8 to 16
     * sequences adds 48 x 48.4 us = 2.3232 ms, plus 8 more sequences' KV reads of one token (under a microsecond).
     */
    @Test
    void measuredExperts_qwen3MoeDecodeStep_growsByTheMeasuredMoeLayers() {
        MemoryModel memory = new MemoryModel(ReferenceModels.spec("Qwen/Qwen3-30B-A3B"), H100);
        Layout one = new Layout(1, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(one, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(16),
                H100.memoryBytes());
        StepTimer steps = new PerfModel(memory).stepTimer(one, 8, mem, ServingEngine.VLLM);
        assertEquals(2.3232e-3, steps.stepSeconds(16, 1, 0) - steps.stepSeconds(8, 1, 0), 2e-6);
    }

    /**
     * The measured-experts calibration's cost per MoE layer (ServingEngine, fitted 2026-12-01 on the measured rows' TPOT):
     * vLLM's decode step of Qwen3-30B-A3B (48 MoE layers) on one H100 takes 48 x 40 us = 1.92 ms more than with the same
     * calibration without it; at PP 2 each stage pays for its 24 layers, and a step through both stages for all 48.
     */
    @Test
    void measuredExperts_stepPaysTheCalibrationsCostPerMoeLayer() {
        MemoryModel memory = new MemoryModel(ReferenceModels.spec("Qwen/Qwen3-30B-A3B"), H100);
        PerfModel perf = new PerfModel(memory);
        EngineCalibration c = ServingEngine.VLLM.calibration(PerfModel.StepSource.MEASURED_EXPERTS);
        assertEquals(40e-6, c.moeLayerOverheadS(), 1e-12);
        EngineCalibration without = new EngineCalibration(c.stepOverheadS(), c.prefillOverheadS(), c.queueFactor(),
                c.queueExponent());
        PerfModel.Calibrations none = (e, s) -> s == PerfModel.StepSource.MEASURED_EXPERTS ? without : e.calibration(s);
        for (int pp : new int[] {1, 2}) {
            Layout l = new Layout(1, pp, 1, false);
            MemoryEstimate mem = memory.evaluate(l, EngineSettings.defaults().withMaxModelLen(4096).withMaxNumSeqs(8),
                    H100.memoryBytes());
            assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, perf.stepSource(l, mem, ServingEngine.VLLM));
            double with = perf.steps(l, 8, mem, ServingEngine.VLLM, ServingEngine::calibration).seconds(8, 2048, 0);
            double bare = perf.steps(l, 8, mem, ServingEngine.VLLM, none).seconds(8, 2048, 0);
            assertEquals(48 * 40e-6, with - bare, 1e-9, "PP " + pp);
        }
    }

    /**
     * TensorRT-LLM's DeepSeek-V3 prefill on H200 at TP 8 with expert parallelism (16 heads per rank, FP8-block projections,
     * a 16-bit KV cache) times its MLA block as measured in prefill (mla_context_module.csv from op-perf's
     * mla_context_module_perf): one prompt of 8,192 tokens 1,464 us a layer, two of 4,096 1,312 us. The same 8,192 tokens
     * read the same weights, run the same experts and all-reduce the same bytes either way, so the two prefills differ by
     * 61 layers x 152 us = 9.272 ms, the blocks' difference alone.
     */
    @Test
    void deepSeekPrefillOnTrtllm_timesTheMlaBlockMeasuredInPrefill() {
        PerfModel.Steps steps = measuredExpertSteps(ReferenceModels.spec("deepseek-ai/DeepSeek-V3"), new Layout(8, 1, 1, true),
                ServingEngine.TRTLLM);
        assertEquals(61 * (1464e-6 - 1312e-6), steps.seconds(0, 8192, 8192) - steps.seconds(0, 4096, 8192), 1e-9);
    }

    /**
     * Expert parallelism spreads whole experts over the TP x DP group but attention data parallelism keeps every dense
     * weight on every rank: DeepSeek-V3 at DP 8 x EP 8 on H200 holds its 256 / 8 = 32 experts per layer beside all of its
     * MLA projections, shared experts, dense layers, embedding and head (19.1 GB, the model's bytes outside its routed
     * experts), which each decode step reads, eight times what a TP 8 x EP 8 rank holds of them. Until 2026-12-02 the
     * model's own byte shares were applied to the rank (under 3% dense), which read about 3 GB of them and left SGLang's
     * DP-8 decode of DeepSeek-V3 (InferenceX's disaggregated runs, measured-latency.csv lines 17-19) 18-27% fast.
     */
    @Test
    void attentionDataParallelRanks_readTheirWholeDenseWeights() {
        ModelSpec spec = ReferenceModels.spec("deepseek-ai/DeepSeek-V3");
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel memory = new MemoryModel(spec, h200);
        double dense = 0;
        for (Tensor t : spec.servedTensors()) {
            if (t.component() != Component.ROUTED_EXPERTS) {
                dense += spec.quantization().bytes(t, spec.servingDtype());
            }
        }
        double bandwidth = h200.hbmBytesPerSecond() * PerfModel.ETA_HBM;
        double[] read = new double[2];
        Layout[] layouts = {new Layout(1, 1, 8, true), new Layout(8, 1, 1, true)};
        for (int i = 0; i < layouts.length; i++) {
            MemoryEstimate mem = memory.evaluate(layouts[i], EngineSettings.defaults().withMaxModelLen(16384).withMaxNumSeqs(8),
                    h200.memoryBytes());
            read[i] = PerfModel.rooflineOnly(memory).steps(layouts[i], 8, mem, ServingEngine.SGLANG, ServingEngine::calibration)
                    .denseReadSeconds() * bandwidth;
        }
        assertEquals(dense, read[0], 0.02 * dense);
        assertEquals(19.1e9, read[0], 0.2e9);
        assertEquals(8, read[0] / read[1], 0.4);
    }

    /**
     * The steps of {@code spec} on H200 at {@code layout} under {@code engine} (engine view: 16,384 tokens, 8 sequences),
     * after asserting that its experts are measured.
     */
    private static PerfModel.Steps measuredExpertSteps(ModelSpec spec, Layout layout, ServingEngine engine) {
        Gpu h200 = GpuCatalog.require("H200", "gpu");
        MemoryModel memory = new MemoryModel(spec, h200);
        MemoryEstimate mem = memory.evaluate(layout, EngineSettings.defaults().withMaxModelLen(16384).withMaxNumSeqs(8),
                h200.memoryBytes());
        PerfModel perf = new PerfModel(memory);
        assertEquals(PerfModel.StepSource.MEASURED_EXPERTS, perf.stepSource(layout, mem, engine));
        return perf.steps(layout, 8, mem, engine, ServingEngine::calibration);
    }

    /**
     * TensorRT-LLM's whole MLA block is measured for DeepSeek-V3's shape only (op-perf's mla_generation_module_perf): the
     * FP8-block checkpoints of DeepSeek-V3 and R1 take it, as would a 16-bit one; GLM-5 (another MLA shape, with a sparse
     * indexer), DeepSeek-V3.2 (the same shape with a sparse indexer) and a GQA model do not.
     */
    @Test
    void mlaBlock_onlyForDeepSeekV3sShape() {
        assertEquals("fp8_block", PerfModel.mlaModuleGemmDtype(ReferenceModels.spec("deepseek-ai/DeepSeek-V3")));
        assertEquals("fp8_block", PerfModel.mlaModuleGemmDtype(AutoParallel.model("deepseek-ai/DeepSeek-R1")));
        assertNull(PerfModel.mlaModuleGemmDtype(AutoParallel.model("zai-org/GLM-5-FP8")));
        assertNull(PerfModel.mlaModuleGemmDtype(AutoParallel.model("deepseek-ai/DeepSeek-V3.2")));
        assertNull(PerfModel.mlaModuleGemmDtype(ReferenceModels.spec("meta-llama/Llama-3.1-8B")));
    }

    /**
     * The DSA tables measure two models' sparse-attention blocks (op-perf's dsa_*_module_perf): GLM-5's shape, which
     * GLM-5.1 shares (their config.json files: hidden 6144, q_lora_rank 2048, qk_nope_head_dim 192, v_head_dim 256, 64
     * heads), and DeepSeek-V3.2's; DeepSeek-V3 (the same MLA without an indexer) and a GQA model take neither.
     */
    @Test
    void dsaBlock_forGlm5AndDeepSeekV32Shapes() {
        assertEquals("zai-org/GLM-5", PerfModel.dsaModuleModel(AutoParallel.model("zai-org/GLM-5-FP8")));
        assertEquals("zai-org/GLM-5", PerfModel.dsaModuleModel(AutoParallel.model("zai-org/GLM-5.1")));
        assertEquals("deepseek-ai/DeepSeek-V3.2", PerfModel.dsaModuleModel(AutoParallel.model("deepseek-ai/DeepSeek-V3.2")));
        assertNull(PerfModel.dsaModuleModel(ReferenceModels.spec("deepseek-ai/DeepSeek-V3")));
        assertNull(PerfModel.dsaModuleModel(ReferenceModels.spec("meta-llama/Llama-3.1-8B")));
    }

    /**
     * SGLang's GLM-5-FP8 on H200 at TP 8 (8 heads per rank, a 16-bit cache, FP8-block projections; its experts measured)
     * times its 78 DSA layers by the blocks op-perf measures (dsa_decode_module.csv, dsa_context_module.csv): 4 sequences
     * decode in 66.6 us a layer at 1,024 cached tokens and 77.9 at 2,048; one prompt of 8,192 tokens prefills in 5,163 us a
     * layer, two of 4,096 in 5,023. Nothing else in the step depends on the context (the roofline reads no KV of these
     * layers), so the steps differ by 78 x 11.3 us = 0.8814 ms and 78 x 140 us = 10.92 ms.
     */
    @Test
    void glm5OnSglang_timesTheDsaBlocksMeasured() {
        PerfModel.Steps steps = measuredExpertSteps(AutoParallel.model("zai-org/GLM-5-FP8"), new Layout(8, 1, 1, false),
                ServingEngine.SGLANG);
        assertEquals(78 * (77.9e-6 - 66.6e-6), steps.seconds(4, 2048, 0) - steps.seconds(4, 1024, 0), 1e-9);
        assertEquals(78 * (5163e-6 - 5023e-6), steps.seconds(0, 8192, 8192) - steps.seconds(0, 4096, 8192), 1e-9);
    }

    /**
     * Qwen3.5-35B-A3B on one H200 under vLLM (its experts measured) times its 30 Gated DeltaNet layers (16 key and 32
     * value heads of 128 on the rank) by op-perf's gdn_perf (gdn_context.csv, gdn_decode.csv: the causal convolution plus
     * FlashInfer's chunked delta rule in prefill, the convolution update and the recurrent rule in decode): one prompt of
     * 8,192 tokens 512 us a layer, eight of 1,024 233.6 us, 64 sequences decoding 75.65 us. Qwen3-30B-A3B, all attention,
     * has none.
     */
    @Test
    void qwen35OnVllm_timesItsGatedDeltaNetLayersMeasured() {
        PerfModel.Steps steps = measuredExpertSteps(AutoParallel.model("Qwen/Qwen3.5-35B-A3B"), new Layout(1, 1, 1, false),
                ServingEngine.VLLM);
        assertEquals(30 * 512e-6, steps.linearAttentionSeconds(0, 8192, 8192), 1e-9);
        assertEquals(30 * 233.6e-6, steps.linearAttentionSeconds(0, 1024, 8192), 1e-9);
        assertEquals(30 * 75.65e-6, steps.linearAttentionSeconds(64, 4096, 0), 1e-9);
        assertTrue(steps.seconds(0, 8192, 8192) > steps.linearAttentionSeconds(0, 8192, 8192));
        PerfModel.Steps attention = measuredExpertSteps(AutoParallel.model("Qwen/Qwen3-30B-A3B"), new Layout(1, 1, 1, false),
                ServingEngine.VLLM);
        assertEquals(0, attention.linearAttentionSeconds(64, 4096, 8192));
    }

    /**
     * Qwen3.5-27B, a dense decoder of 16 full-attention and 48 Gated DeltaNet layers (config.json: hidden 5,120, 24 heads
     * of 256 with an output gate, 4 KV heads, GDN 16 key and 48 value heads of 128, MLP 17,408), takes the measured path
     * where the GDN tables hold its heads per rank. At TP 2 each layer's GEMMs are fused as the engines run them: q (with
     * its gate), k and v into n = 6,144 + 512 + 512 over k = 5,120 in the 16 attention layers, GDN's in_proj_qkv, z, b and a
     * into (10,240 + 6,144 + 48 + 48) / 2 = 8,240 in the other 48; o_proj and out_proj both 5,120 x 3,072 (64 layers);
     * gate and up 17,408 x 5,120, down 5,120 x 8,704 in all 64. On H100 under vLLM its 48 GDN layers at 8 key and 24
     * value heads a rank decode 64 sequences in 75.6 us each and prefill one prompt of 4,096 tokens in 242.7 us
     * (gdn_decode.csv, gdn_context.csv).
     */
    @Test
    void qwen35Dense_takesTheMeasuredPathWithItsLayersGemmsFusedAndItsGatedDeltaNetLayers() {
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        MemoryModel memory = new MemoryModel(AutoParallel.model("Qwen/Qwen3.5-27B"), h100);
        PerfModel perf = new PerfModel(memory);
        assertEquals(Map.of(List.of(7168L, 5120L), 16, List.of(8240L, 5120L), 48, List.of(5120L, 3072L), 64,
                List.of(17408L, 5120L), 64, List.of(5120L, 8704L), 64), perf.hybridLayerGemms(2));
        Layout tp2 = new Layout(2, 1, 1, false);
        MemoryEstimate mem = memory.evaluate(tp2, EngineSettings.defaults().withMaxModelLen(16384).withMaxNumSeqs(64),
                h100.memoryBytes());
        assertEquals(PerfModel.StepSource.MEASURED_KERNELS, perf.stepSource(tp2, mem, ServingEngine.VLLM));
        PerfModel.Steps steps = perf.steps(tp2, 8, mem, ServingEngine.VLLM, ServingEngine::calibration);
        assertEquals(48 * 75.6e-6, steps.linearAttentionSeconds(64, 4096, 0), 1e-9);
        assertEquals(48 * 242.7e-6, steps.linearAttentionSeconds(0, 4096, 4096), 1e-9);
        assertTrue(steps.seconds(64, 4096, 0) > steps.linearAttentionSeconds(64, 4096, 0));
        // The roofline alone, as for any hybrid before 2026-12-03.
        assertEquals(PerfModel.StepSource.ROOFLINE, PerfModel.rooflineOnly(memory).stepSource(tp2, mem, ServingEngine.VLLM));
    }
}

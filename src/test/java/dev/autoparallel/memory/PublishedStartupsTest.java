package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ConfigParser;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import org.junit.jupiter.api.Test;

/**
 * Profiled start-ups of dense models published in 2026 whose logs state the GPU, the utilization and the weights, replayed
 * without --kv-cache-memory under the release they print: weights within 1.5% of "Model loading took", KV cache within
 * issue 9's 3% of "Available KV cache memory". Nothing is fitted to them; every expected number is copied from the log.
 * The 0.19 releases print a CUDA-graph estimate they do not subtract yet ("In v0.19, CUDA graph memory profiling will
 * be enabled by default"), so none is charged there.
 */
class PublishedStartupsTest {
    private static final double GIB = 1L << 30;

    private static MemoryEstimate run(String model, String gpu, int tp, EngineSettings s) {
        return run(model, gpu, tp, s, GpuCatalog.require(gpu, "gpu").memoryBytes());
    }

    private static MemoryEstimate run(String model, String gpu, int tp, EngineSettings s, long gpuMemoryBytes) {
        return run(KvCacheFormulaTest.catalog(model), gpu, tp, s, gpuMemoryBytes);
    }

    private static MemoryEstimate run(ModelSpec spec, String gpu, int tp, EngineSettings s, long gpuMemoryBytes) {
        Gpu g = GpuCatalog.require(gpu, "gpu");
        return new MemoryModel(spec, g).evaluate(new Layout(tp, 1, 1, false), s, gpuMemoryBytes);
    }

    /**
     * Qwen/Qwen3-14B-AWQ as these tests read it: Qwen3-14B's published config (the catalog's) with Qwen's AWQ settings,
     * 4 bits in groups of 128 with zero points, fp16 (not a verbatim copy of the repository's config.json).
     */
    private static ModelSpec qwen3_14bAwq() {
        ObjectNode config = Catalog.embedded().find("Qwen/Qwen3-14B").orElseThrow().config().deepCopy();
        config.put("torch_dtype", "float16");
        ObjectNode q = config.putObject("quantization_config");
        q.put("quant_method", "awq");
        q.put("bits", 4);
        q.put("group_size", 128);
        q.put("zero_point", true);
        q.put("version", "gemm");
        return ConfigParser.parse("Qwen/Qwen3-14B-AWQ", config, "test: Qwen3-14B with Qwen's AWQ settings");
    }

    /**
     * jinwoong, "LLM 최적화 실전 프로젝트" (2026-09-06): vLLM 0.28.0 on one L40S (nvidia-smi 46068 MiB; 44.39 GiB), the
     * new model runner, no engine arguments: utilization 0.92, max_model_len 40,960 from the model, 256 sequences.
     * Qwen/Qwen3-14B logs "Model loading took 27.52 GiB", "Available KV cache memory: 11.57 GiB", "GPU KV cache size:
     * 75,824 tokens"; we give 27.52 GiB and 11.85 GiB (+2.4%), 77,664 tokens. Qwen3-14B-AWQ logs 9.44 GiB of weights
     * and 29.63 GiB of KV cache (194,192 tokens), we 9.30 (-1.5%) and 30.07 (+1.5%); with the post's tuned flags
     * (utilization 0.95, max_model_len 1,024, 8 sequences, 8,192 batched tokens) 31.02 GiB and 203,264 tokens, we 31.54
     * (+1.7%) and 206,656. The same post's runs on L4s of 22.06 GiB: at TP 2, 14.38 GiB (188,512 tokens), we 14.27
     * (-0.8%). Two of its L4 figures are not within 3% and are not asserted: PP 2 logs 14.04 GiB where we give 14.59
     * (+3.9%), and one L4 logs 9.10 GiB or 10.33 GiB from the same set-up (the post: two servers started one after the
     * other split memory differently from run to run), where we give 9.52.
     */
    @Test
    void qwen3_14b_andItsAwq_vllm0280_l40sAndL4() {
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 28, 0)).withMaxModelLen(40_960);
        MemoryEstimate dense = run("Qwen/Qwen3-14B", "L40S", 1, s);
        assertEquals(256, dense.maxNumSeqs());
        assertEquals(27.52, dense.weightsBytes() / GIB, 27.52 * 0.015, "weights GiB");
        assertEquals(11.57, dense.kvCacheBytes() / GIB, 11.57 * 0.03, "KV GiB");
        assertEquals(75_824, dense.kvCacheTokens(), 75_824 * 0.03, "KV tokens");
        long l40s = GpuCatalog.require("L40S", "gpu").memoryBytes();
        MemoryEstimate awq = run(qwen3_14bAwq(), "L40S", 1, s, l40s);
        assertEquals(9.44, awq.weightsBytes() / GIB, 9.44 * 0.015, "AWQ weights GiB");
        assertEquals(29.63, awq.kvCacheBytes() / GIB, 29.63 * 0.03, "AWQ KV GiB");
        assertEquals(194_192, awq.kvCacheTokens(), 194_192 * 0.03, "AWQ KV tokens");
        EngineSettings tuned = EngineSettings.forVersion(new VllmVersion(0, 28, 0)).withMaxModelLen(1024).withUtilization(0.95)
                .withMaxNumSeqs(8).withMaxNumBatchedTokens(8192);
        MemoryEstimate t = run(qwen3_14bAwq(), "L40S", 1, tuned, l40s);
        assertEquals(31.02, t.kvCacheBytes() / GIB, 31.02 * 0.03, "tuned AWQ KV GiB");
        assertEquals(203_264, t.kvCacheTokens(), 203_264 * 0.03, "tuned AWQ KV tokens");
        MemoryEstimate tp2 = run(qwen3_14bAwq(), "L4", 2, s, GpuCatalog.require("L4", "gpu").memoryBytes());
        assertEquals(14.38, tp2.kvCacheBytes() / GIB, 14.38 * 0.03, "AWQ TP 2 KV GiB");
        assertEquals(188_512, tp2.kvCacheTokens(), 188_512 * 0.03, "AWQ TP 2 KV tokens");
    }

    /**
     * A write-up of 2026-06-25 serving Qwen/Qwen3-8B with vLLM 0.19.1 on one A100-SXM4-40GB (nvidia-smi: 40960 MiB), no
     * non-default engine arguments: utilization 0.9, max_model_len 40,960 from the model, and the batch defaults of a GPU
     * under 70 GiB (the log's compile range ends at 2,048 batched tokens; its ladder reaches 512, so 256 sequences).
     * Log: "Model loading took 15.27 GiB", "Available KV cache memory: 19.36 GiB", "GPU KV cache size: 140,960 tokens",
     * "Maximum concurrency for 40,960 tokens per request: 3.44x". We give 15.27 GiB, 19.34 GiB (-0.1%), 140,848 tokens.
     */
    @Test
    void qwen3_8b_vllm0191_a100_40gb() {
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 19, 1)).withMaxModelLen(40_960);
        MemoryEstimate e = run("Qwen/Qwen3-8B", "A100-40GB", 1, s);
        assertEquals(256, e.maxNumSeqs());
        assertEquals(2048, e.maxNumBatchedTokens());
        assertEquals(0, e.cudaGraphBytes());
        assertEquals(15.27, e.weightsBytes() / GIB, 15.27 * 0.015, "weights GiB");
        assertEquals(19.36, e.kvCacheBytes() / GIB, 19.36 * 0.03, "KV GiB");
        assertEquals(140_960, e.kvCacheTokens(), 140_960 * 0.03, "KV tokens");
        assertEquals(3.44, Math.round(e.maxConcurrency() * 100) / 100.0);
    }

    /**
     * gnosia93/eks-agentic-ai, lesson "vLLM 인퍼런스" (log of 2026-04-16): vllm/vllm-openai 0.19.0 serving
     * Qwen/Qwen2.5-72B-Instruct at TP 4 on a g6e.12xlarge (four L40S on PCIe; custom all-reduce off), max_model_len
     * 8,192, utilization 0.90. Log: "Model loading took 33.98 GiB", "Available KV cache memory: 5.11 GiB", "GPU KV
     * cache size: 67,024 tokens", "Maximum concurrency for 8,192 tokens per request: 8.18x". We give 33.87 GiB
     * (-0.3%), 5.24 GiB (+2.5%), 68,640 tokens, 8.38x: of a budget of 39.95 GiB a rank, the KV cache is what the
     * others leave, so the 0.11 GiB of weights we miss lands on it.
     */
    @Test
    void qwen25_72b_vllm0190_4xL40S() {
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 19, 0)).withMaxModelLen(8192).withUtilization(0.9);
        MemoryEstimate e = run("Qwen/Qwen2.5-72B-Instruct", "L40S", 4, s);
        assertTrue(e.fits(), () -> String.valueOf(e.rejection()));
        assertEquals(0, e.cudaGraphBytes());
        assertEquals(33.98, e.weightsBytes() / GIB, 33.98 * 0.015, "weights GiB");
        assertEquals(5.11, e.kvCacheBytes() / GIB, 5.11 * 0.03, "KV GiB");
        assertEquals(67_024, e.kvCacheTokens(), 67_024 * 0.03, "KV tokens");
    }

    /**
     * Week-by-week notes of 2026-10-06 (vllm/vllm-openai:v0.31.0-ubuntu2404, no engine arguments beyond the model):
     * meta-llama/Llama-3.1-8B-Instruct on one A100 80GB that CUDA reports as 79.25 GiB, so utilization 0.92 (the
     * default since 0.20), max_model_len 131,072, on the new model runner ("[model_runner.py:407]"). Log: "Model loading
     * took 15.0 GiB", "Free memory on device (78.84/79.25 GiB) ... Actual usage is 15.26 GiB for consumed memory
     * (weights + non-torch), 1.44 GiB for peak activation, and 0.23 GiB for CUDAGraph memory", "Available KV cache
     * memory: 56.21 GiB", "GPU KV cache size: 460,496 tokens, Maximum concurrency for 131,072 tokens per request: 3.51x".
     * We give 14.99 GiB of weights and 56.71 GiB (+0.9%), 464,528 tokens: of the 16.70 GiB the log keeps beside the
     * KV cache we charge 16.20 (14.99 of weights, 0.29 of forward and sampler, 0.67 of CUDA-graph estimate for 32
     * layers x 86 graphs, 0.26 consumed beside the weights: 0.13 outside PyTorch and 0.13 of the new runner's penalty
     * state, VllmReleases.newRunnerPenaltyBytes), where the log puts 0.26 beside the weights and 1.44 of peak
     * activation and CUDA graphs. Before the penalty state was charged: 56.83 GiB (+1.1%).
     */
    @Test
    void llama31_8b_vllm0310_a100_80gb() {
        EngineSettings s = EngineSettings.forVersion(new VllmVersion(0, 31, 0));
        MemoryEstimate e = run("meta-llama/Llama-3.1-8B-Instruct", "A100-80GB", 1, s, Math.round(79.25 * GIB));
        assertEquals(131_072, e.maxModelLen());
        assertEquals(15.0, e.weightsBytes() / GIB, 15.0 * 0.015, "weights GiB");
        assertEquals(56.21, e.kvCacheBytes() / GIB, 56.21 * 0.03, "KV GiB");
        assertEquals(460_496, e.kvCacheTokens(), 460_496 * 0.03, "KV tokens");
    }
}

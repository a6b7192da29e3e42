package dev.autoparallel.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.model.ReferenceModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each row of {@link VllmReleases} changes what {@code --vllm-version} gives, at the release the row names. */
class VllmReleasesTest {
    private static MemoryEstimate evaluate(String model, String gpu, String version, int tp) {
        ModelSpec spec = ReferenceModels.spec(model);
        Gpu g = GpuCatalog.require(gpu, "gpu");
        return new MemoryModel(spec, g).evaluate(new Layout(tp, 1, 1, false),
                EngineSettings.forVersion(VllmVersion.parse(version)).withMaxModelLen(8192), g.memoryBytes());
    }

    @Test
    void defaultVersion_isTheNewest() {
        assertEquals(VllmReleases.NEWEST, VllmVersion.DEFAULT);
        assertEquals("0.33.0", VllmVersion.DEFAULT.toString());
    }

    /**
     * PR #38284 (merged 2026-04-21, in v0.20.0's release notes) raised CacheConfig's and the LLM class's default
     * gpu_memory_utilization from 0.9 to 0.92; a stock v0.20.0 log lists 'gpu_memory_utilization': 0.9 among its
     * non-default args, and v0.22.0's --help says "(default: 0.92)". The budget grows by 0.02 of the GPU's memory.
     */
    @Test
    void defaultUtilization_092From020() {
        assertEquals(0.9, EngineSettings.forVersion(VllmVersion.parse("0.19.1")).gpuMemoryUtilization());
        assertEquals(0.92, EngineSettings.forVersion(VllmVersion.parse("0.20.0")).gpuMemoryUtilization());
        assertEquals(0.92, EngineSettings.forVersion(VllmVersion.DEFAULT).gpuMemoryUtilization());
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        MemoryEstimate v19 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.19.1", 1);
        MemoryEstimate v20 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.20.0", 1);
        assertEquals(0.02 * h100.memoryBytes(), v20.budgetBytes() - v19.budgetBytes(), 1);
    }

    /** PR #25359 (0.11): NCCL buffers are allocated before the snapshot, so TP > 1 no longer loses NCCL_RING_BYTES. */
    @Test
    void nccl_subtractedBefore011Only() {
        MemoryEstimate before = evaluate("meta-llama/Llama-3.1-70B", "H100", "0.10.1", 4);
        MemoryEstimate after = evaluate("meta-llama/Llama-3.1-70B", "H100", "0.11.0", 4);
        assertEquals(MemoryModel.NCCL_RING_BYTES, before.nonTorchBytes() - after.nonTorchBytes());
    }

    /**
     * The new model runner, dense models from 0.25 (release notes: #44443): sampler warm-up 2 B per logit
     * instead of the old runner's 14 (Triton top-k / top-p, from 0.19) over max_num_seqs x vocab, and a
     * CUDA-graph estimate of 0 (#36520's dummy profile_cudagraph_memory) through 0.27. MoE models stay on
     * the old runner until 0.29 (#53183).
     */
    @Test
    void newRunner_samplerAndGraphs() {
        MemoryEstimate v24 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.24.0", 1);
        MemoryEstimate v25 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.25.0", 1);
        MemoryEstimate v28 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.27.1", 1);
        double logits = 1024.0 * 128_256; // max_num_seqs 1,024 on an H100 x Llama-3.1's vocabulary
        assertEquals((14 - 2) * logits, v24.activationBytes() - v25.activationBytes(), 1);
        assertTrue(v24.cudaGraphBytes() > 0);
        assertEquals(0, v25.cudaGraphBytes());
        assertEquals(0, v28.cudaGraphBytes());
        MemoryEstimate moe = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.28.0", 1);
        MemoryEstimate moe24 = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.24.0", 1);
        assertEquals(moe24.activationBytes(), moe.activationBytes());
    }

    /**
     * PRs #53306 / #53682 / #53955 (first seen in 0.29.0's logs; 0.28.0 left it out: VllmReleases): the new runner
     * subtracts its own CUDA-graph estimate. With 32 decoder layers and the H100's full ladder of 102 graphs (max_num_seqs
     * 1,024) at the new runner's 154 KiB a layer and graph (MemoryModel.NEW_RUNNER_CUDA_GRAPH_BYTES_PER_LAYER_GRAPH),
     * Llama-3.1-8B's estimate is 32 x 102 x 154 KiB = 490.9 MiB from 0.29, where 0.28 subtracts nothing.
     */
    @Test
    void newRunnerGraphEstimate_from029() {
        assertEquals(0, evaluate("meta-llama/Llama-3.1-8B", "H100", "0.28.0", 1).cudaGraphBytes());
        assertEquals(32L * 102 * 154 * 1024, evaluate("meta-llama/Llama-3.1-8B", "H100", "0.29.0", 1).cudaGraphBytes());
    }

    /**
     * From 0.28 (the first new-runner release seen: VllmReleases.NEW_RUNNER_PENALTY_STATE) the new runner's penalty
     * state counts with the weights. Llama-3.1-8B
     * (a dense model: the new runner from 0.25) on an H100 at 1,024 sequences: output_bin_counts of 1,024 x 128,256
     * int32 and prompt_bin_mask of 1,024 x 4,008 int32, 516.7 MiB more beside the weights in 0.28 than in 0.27.1, whose
     * activations are the same.
     */
    @Test
    void newRunnerPenaltyState_chargedFrom028() {
        MemoryEstimate v27 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.27.1", 1);
        MemoryEstimate v28 = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.28.0", 1);
        assertEquals(541_753_344L, v28.runnerStateBytes() - v27.runnerStateBytes());
        assertEquals(v27.activationBytes(), v28.activationBytes());
        // The old runner (a MoE model before 0.29) keeps no such state.
        MemoryEstimate moe27 = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.27.1", 1);
        MemoryEstimate moe28 = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.28.0", 1);
        assertEquals(0, moe28.runnerStateBytes());
    }

    /**
     * PR #53183 (first release 0.29.0): MoE models run on the new runner too, so their sampler warm-up
     * drops from the Triton path's 14 B per logit to 2 B: 12 x 1,024 sequences x Qwen3's 151,936 logits; and the new
     * runner keeps its penalty state beside the weights, 4 B x (151,936 + 4,748) per sequence slot (penalties.py).
     */
    @Test
    void newRunnerForAllModels_from029() {
        MemoryEstimate v28 = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.28.0", 1);
        MemoryEstimate v29 = evaluate("Qwen/Qwen3-30B-A3B", "H100", "0.29.0", 1);
        assertEquals((14 - 2) * 1024.0 * 151_936, v28.activationBytes() - v29.activationBytes(), 1);
        assertEquals(1024L * 4 * (151_936 + 4_748), v29.runnerStateBytes() - v28.runnerStateBytes());
        // Its CUDA-graph estimate becomes the new runner's: 48 layers x 102 graphs at 154 KiB instead of the old runner's 256.
        assertEquals(48L * 102 * 256 * 1024, v28.cudaGraphBytes());
        assertEquals(48L * 102 * 154 * 1024, v29.cudaGraphBytes());
    }

    /**
     * PR #33538 (first seen in 0.19): the old runner's warm-up masks top-k / top-p with a Triton kernel,
     * 14 B per logit instead of the sort's 32, for warm-ups of 8 requests or more; 7 requests still sort.
     */
    @Test
    void tritonTopKTopP_from019AtEightRequests() {
        double logits = 1024.0 * 128_256;
        assertEquals((32 - 14) * logits, evaluate("meta-llama/Llama-3.1-8B", "H100", "0.18.0", 1).activationBytes()
                - evaluate("meta-llama/Llama-3.1-8B", "H100", "0.19.0", 1).activationBytes(), 1);
        assertEquals(MemoryModel.SAMPLER_BYTES_PER_LOGIT, VllmReleases.samplerBytesPerLogit(new VllmVersion(0, 19, 0), false, 7));
        assertEquals(14, VllmReleases.samplerBytesPerLogit(new VllmVersion(0, 19, 0), false, 8));
        assertEquals(2, VllmReleases.samplerBytesPerLogit(new VllmVersion(0, 25, 0), true, 1024));
    }

    /** PR #51726 (0.28.0: arg_utils.py at tag v0.28.0 has the 160 GiB tier, v0.27.0 not): max_num_batched_tokens 16,384 on GPUs of at least 160 GiB (B200), 8,192 below (H200). */
    @Test
    void batchedTokens_largeGpusFrom028() {
        assertEquals(8192, evaluate("meta-llama/Llama-3.1-8B", "B200", "0.27.0", 1).maxNumBatchedTokens());
        assertEquals(16_384, evaluate("meta-llama/Llama-3.1-8B", "B200", "0.28.0", 1).maxNumBatchedTokens());
        assertEquals(8192, evaluate("meta-llama/Llama-3.1-8B", "H200", "0.33.0", 1).maxNumBatchedTokens());
    }

    /** Every row names its first release and the table is in release order. */
    @Test
    void table_isOrdered() {
        for (int i = 1; i < VllmReleases.CHANGES.size(); i++) {
            assertTrue(VllmReleases.CHANGES.get(i).from().compareTo(VllmReleases.CHANGES.get(i - 1).from()) >= 0);
        }
    }

    /**
     * VLLM_USE_V2_MODEL_RUNNER forces a runner ({@link ModelRunner}): "0" puts a dense model of 0.33 back on the original
     * runner (its 14 B sampler warm-up, no penalty state, 256 KiB a layer and graph); "1" is refused where the new runner
     * is not modelled (before 0.25), with a feature it lacks (n-gram drafting), and under the V0 engine.
     */
    @Test
    void modelRunner_forcedByTheEnvironment() {
        MemoryEstimate auto = evaluate("meta-llama/Llama-3.1-8B", "H100", "0.33.0", 1);
        ModelSpec llama = KvCacheFormulaTest.catalog("meta-llama/Llama-3.1-8B");
        Gpu h100 = GpuCatalog.require("H100", "gpu");
        EngineSettings v33 = EngineSettings.forVersion(new VllmVersion(0, 33, 0));
        MemoryEstimate old = new MemoryModel(llama, h100).evaluate(new Layout(1, 1, 1, false),
                v33.withModelRunner(ModelRunner.V1), h100.memoryBytes());
        assertEquals(0, old.runnerStateBytes());
        assertTrue(auto.runnerStateBytes() > 0);
        assertEquals((14 - 2) * 1024.0 * 128_256, old.activationBytes() - auto.activationBytes(), 1);
        assertEquals(51L * 2 * 32 * 256 * 1024, old.cudaGraphBytes());
        var early = assertThrows(InvalidConfigurationException.class, () -> new MemoryModel(llama, h100).evaluate(
                new Layout(1, 1, 1, false), EngineSettings.forVersion(new VllmVersion(0, 24, 0)).withModelRunner(ModelRunner.V2),
                h100.memoryBytes()));
        assertEquals("model_runner", early.field());
        var ngram = assertThrows(InvalidConfigurationException.class, () -> new MemoryModel(llama, h100).evaluate(
                new Layout(1, 1, 1, false), v33.withModelRunner(ModelRunner.V2)
                        .withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 3, List.of(0.5))),
                h100.memoryBytes()));
        assertTrue(ngram.getMessage().contains("n-gram"), ngram.getMessage());
        var v0 = assertThrows(InvalidConfigurationException.class, () -> new MemoryModel(llama, h100).evaluate(
                new Layout(1, 1, 1, false), EngineSettings.forVersion(new VllmVersion(0, 9, 0)).withEngine(Engine.V0)
                        .withModelRunner(ModelRunner.V1), h100.memoryBytes()));
        assertEquals("model_runner", v0.field());
    }
}

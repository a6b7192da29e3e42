package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibration job on a few hand-made rows in op-perf's layout and columns. */
class CalibrateJobTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("CalibrateJobTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final StructType GEMM = new StructType().add("gemm_dtype", DataTypes.StringType)
            .add("m", DataTypes.LongType).add("n", DataTypes.LongType).add("k", DataTypes.LongType)
            .add("latency", DataTypes.DoubleType);
    private static final StructType ATTENTION = new StructType().add("batch_size", DataTypes.LongType)
            .add("isl", DataTypes.LongType).add("num_heads", DataTypes.LongType).add("num_key_value_heads", DataTypes.LongType)
            .add("head_dim", DataTypes.LongType).add("kv_cache_dtype", DataTypes.StringType).add("step", DataTypes.LongType)
            .add("window_size", DataTypes.LongType).add("latency", DataTypes.DoubleType);

    private static final StructType MOE = new StructType().add("moe_dtype", DataTypes.StringType)
            .add("num_tokens", DataTypes.LongType).add("hidden_size", DataTypes.LongType).add("inter_size", DataTypes.LongType)
            .add("topk", DataTypes.LongType).add("num_experts", DataTypes.LongType).add("moe_tp_size", DataTypes.LongType)
            .add("moe_ep_size", DataTypes.LongType).add("distribution", DataTypes.StringType).add("kernel_source", DataTypes.StringType)
            .add("latency", DataTypes.DoubleType);

    private static final StructType MLA = new StructType().add("kv_cache_dtype", DataTypes.StringType)
            .add("num_heads", DataTypes.LongType).add("batch_size", DataTypes.LongType).add("isl", DataTypes.LongType)
            .add("step", DataTypes.LongType).add("latency", DataTypes.DoubleType);

    private static final StructType MLA_MODULE = new StructType().add("model", DataTypes.StringType)
            .add("kv_cache_dtype", DataTypes.StringType).add("gemm_type", DataTypes.StringType)
            .add("num_heads", DataTypes.LongType).add("batch_size", DataTypes.LongType).add("isl", DataTypes.LongType)
            .add("tp_size", DataTypes.LongType).add("step", DataTypes.LongType).add("latency", DataTypes.DoubleType);

    private static final StructType DSA_MODULE = new StructType().add("model", DataTypes.StringType)
            .add("op_name", DataTypes.StringType).add("kv_cache_dtype", DataTypes.StringType)
            .add("gemm_type", DataTypes.StringType).add("num_heads", DataTypes.LongType).add("batch_size", DataTypes.LongType)
            .add("isl", DataTypes.LongType).add("step", DataTypes.LongType).add("latency", DataTypes.DoubleType);

    private static final StructType GDN = new StructType().add("phase", DataTypes.StringType)
            .add("kernel_source", DataTypes.StringType).add("batch_size", DataTypes.LongType).add("seq_len", DataTypes.LongType)
            .add("num_k_heads", DataTypes.LongType).add("head_k_dim", DataTypes.LongType).add("num_v_heads", DataTypes.LongType)
            .add("head_v_dim", DataTypes.LongType).add("model_name", DataTypes.StringType).add("latency", DataTypes.DoubleType);

    private static final StructType ALL_REDUCE = new StructType().add("allreduce_dtype", DataTypes.StringType)
            .add("num_gpus", DataTypes.LongType).add("message_size", DataTypes.LongType).add("kernel_source", DataTypes.StringType)
            .add("latency", DataTypes.DoubleType);

    private static final StructType NCCL = new StructType().add("op_name", DataTypes.StringType)
            .add("nccl_dtype", DataTypes.StringType).add("num_gpus", DataTypes.LongType).add("message_size", DataTypes.LongType)
            .add("latency", DataTypes.DoubleType);

    private static void write(Path file, StructType schema, List<Row> rows) {
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(file.toString());
    }

    @Test
    void run_reducesGemmAndAttentionToTheirTables(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("op-perf");
        // Two bfloat16 GEMMs with log2(n k) = 24 at m = 1 (the bucket's median is their mean), one at m = 3 (not a
        // measured power of two: dropped), one int8 (not reduced).
        write(root.resolve("h100_sxm/gemm/vllm/0.24.0/gemm_perf.parquet"), GEMM, List.of(
                RowFactory.create("bfloat16", 1L, 4096L, 4096L, 0.016),
                RowFactory.create("bfloat16", 1L, 2048L, 8192L, 0.032),
                RowFactory.create("bfloat16", 3L, 4096L, 4096L, 0.016),
                RowFactory.create("int8_wo", 1L, 4096L, 4096L, 0.010)));
        // Decode: 8 sequences x 2,048 tokens x 2 x 8 KV heads x 128 x 2 B = 2^26 B in 0.04 ms; a head_dim 64 row is dropped.
        write(root.resolve("h100_sxm/attention/vllm/0.24.0/generation_attention_perf.parquet"), ATTENTION, List.of(
                RowFactory.create(8L, 1L, 32L, 8L, 128L, "bfloat16", 2048L, 0L, 0.04),
                RowFactory.create(8L, 1L, 32L, 8L, 64L, "bfloat16", 2048L, 0L, 0.04)));
        // Prefill: 4,096^2 / 2 x 4 x 32 heads x 128 = 2^37 FLOPs in 0.5 ms.
        write(root.resolve("h100_sxm/attention/vllm/0.24.0/context_attention_perf.parquet"), ATTENTION, List.of(
                RowFactory.create(1L, 4096L, 32L, 8L, 128L, "bfloat16", 0L, 0L, 0.5)));
        // MoE (DeepSeek-V3's shape at EP 8): two kernels at 1 token and at 16 tokens (the faster is kept: cutlass at 1, triton
        // at 16, so the row names both), a balanced-routing row and a 3-token row (not a measured count) dropped.
        write(root.resolve("h100_sxm/moe/vllm/0.24.0/moe_perf.parquet"), MOE, List.of(
                RowFactory.create("fp8_block", 1L, 7168L, 2048L, 8L, 256L, 1L, 8L, "power_law_1.01", "triton", 0.05),
                RowFactory.create("fp8_block", 1L, 7168L, 2048L, 8L, 256L, 1L, 8L, "power_law_1.01", "cutlass", 0.04),
                RowFactory.create("fp8_block", 16L, 7168L, 2048L, 8L, 256L, 1L, 8L, "power_law_1.01", "cutlass", 0.2),
                RowFactory.create("fp8_block", 16L, 7168L, 2048L, 8L, 256L, 1L, 8L, "power_law_1.01", "triton", 0.15),
                RowFactory.create("fp8_block", 16L, 7168L, 2048L, 8L, 256L, 1L, 8L, "balanced", "cutlass", 0.3),
                RowFactory.create("fp8_block", 3L, 7168L, 2048L, 8L, 256L, 1L, 8L, "power_law_1.01", "cutlass", 0.1)));
        // MLA: generation of 64 sequences x 1,024 cached tokens (2^16) in 0.05 ms; context of 4 x 2,048^2 / 2 pairs (2^23).
        write(root.resolve("h100_sxm/mla/trtllm/1.3.0rc20/generation_mla_perf.parquet"), MLA, List.of(
                RowFactory.create("fp8", 16L, 64L, 1L, 1023L, 0.05)));
        write(root.resolve("h100_sxm/mla/trtllm/1.3.0rc20/context_mla_perf.parquet"), MLA, List.of(
                RowFactory.create("bfloat16", 16L, 4L, 2048L, 0L, 0.4),
                RowFactory.create("fp8", 16L, 4L, 2048L, 0L, 0.3)));
        // The MLA module: DeepSeek-V3's block, 4 sequences at 1,024 cached tokens measured twice (the median: their mean)
        // and at 2,048 once; another model's row and vLLM's file are not reduced.
        write(root.resolve("h100_sxm/mla/trtllm/1.3.0rc20/mla_generation_module_perf.parquet"), MLA_MODULE, List.of(
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 4L, 1L, 1L, 1024L, 0.054),
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 4L, 1L, 1L, 1024L, 0.056),
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 4L, 1L, 1L, 2048L, 0.0561),
                RowFactory.create("zai-org/GLM-5", "fp8", "fp8_block", 16L, 4L, 1L, 1L, 1024L, 0.08)));
        write(root.resolve("h100_sxm/mla/vllm/0.24.0/mla_generation_module_perf.parquet"), MLA_MODULE, List.of(
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 4L, 1L, 1L, 1024L, 0.07)));
        // The context module: 2 prompts of 8,192 tokens with nothing cached, 5.3 ms; a row with a cached prefix (step 512)
        // and vLLM's file are not reduced.
        write(root.resolve("h100_sxm/mla/trtllm/1.3.0rc20/mla_context_module_perf.parquet"), MLA_MODULE, List.of(
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 2L, 8192L, 1L, 0L, 5.3),
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 2L, 8192L, 1L, 512L, 6.0)));
        write(root.resolve("h100_sxm/mla/vllm/0.24.0/mla_context_module_perf.parquet"), MLA_MODULE, List.of(
                RowFactory.create("deepseek-ai/DeepSeek-V3", "fp8", "fp8_block", 16L, 2L, 8192L, 1L, 0L, 7.0)));
        // The DSA module: GLM-5's FP8 checkpoint (its id loses -FP8: the GEMM column says FP8), 4 sequences at 1,024 cached
        // tokens measured twice (the median: their mean, 66.6 us); a 1,536-token row (not a power of two), the GLM-5.2
        // skip-indexer variant, a row of the context module's file with a cached prefix (step 128) and vLLM's file are not
        // reduced.
        write(root.resolve("h100_sxm/sparse_attention/sglang/0.5.14/dsa_generation_module_perf.parquet"), DSA_MODULE, List.of(
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_generation_module", "bfloat16", "fp8_block", 8L, 4L, 1L, 1024L, 0.066),
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_generation_module", "bfloat16", "fp8_block", 8L, 4L, 1L, 1024L, 0.0672),
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_generation_module", "bfloat16", "fp8_block", 8L, 4L, 1L, 1536L, 0.07),
                RowFactory.create("zai-org/GLM-5.2-FP8", "dsa_generation_module_skip_indexer", "bfloat16", "fp8_block", 8L, 4L,
                        1L, 1024L, 0.03)));
        write(root.resolve("h100_sxm/sparse_attention/vllm/0.24.0/dsa_generation_module_perf.parquet"), DSA_MODULE, List.of(
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_generation_module", "bfloat16", "fp8_block", 8L, 4L, 1L, 1024L, 0.2)));
        write(root.resolve("h100_sxm/sparse_attention/sglang/0.5.14/dsa_context_module_perf.parquet"), DSA_MODULE, List.of(
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_context_module", "bfloat16", "fp8_block", 8L, 1L, 8192L, 0L, 5.163),
                RowFactory.create("zai-org/GLM-5-FP8", "dsa_context_module", "bfloat16", "fp8_block", 8L, 1L, 8192L, 128L, 5.3)));
        // Gated DeltaNet at 2 key and 8 value heads of 128: one prompt of 1,024 tokens, the convolution measured on two
        // models (the median: 6 us) and two delta-rule kernels (FlashInfer's 60 us, the faster, kept; Triton's 90 dropped);
        // a 1,000-token row (not a measured length) dropped; 16 sequences decoding: 2 + 7 us.
        write(root.resolve("h100_sxm/linear_attention/vllm/0.24.0/gdn_perf.parquet"), GDN, List.of(
                RowFactory.create("context", "causal_conv1d_fn", 1L, 1024L, 2L, 128L, 8L, 128L, "Qwen/Qwen3.5-397B-A17B", 0.005),
                RowFactory.create("context", "causal_conv1d_fn", 1L, 1024L, 2L, 128L, 8L, 128L, "Qwen/Qwen3.5-122B-A10B", 0.007),
                RowFactory.create("context", "chunk_gated_delta_rule_flashinfer", 1L, 1024L, 2L, 128L, 8L, 128L,
                        "Qwen/Qwen3.5-397B-A17B", 0.06),
                RowFactory.create("context", "chunk_gated_delta_rule_triton", 1L, 1024L, 2L, 128L, 8L, 128L,
                        "Qwen/Qwen3.5-397B-A17B", 0.09),
                RowFactory.create("context", "causal_conv1d_fn", 1L, 1000L, 2L, 128L, 8L, 128L, "Qwen/Qwen3.5-397B-A17B", 0.005),
                RowFactory.create("context", "chunk_gated_delta_rule_flashinfer", 1L, 1000L, 2L, 128L, 8L, 128L,
                        "Qwen/Qwen3.5-397B-A17B", 0.059),
                RowFactory.create("generation", "causal_conv1d_update", 16L, 1L, 2L, 128L, 8L, 128L, "Qwen/Qwen3.5-397B-A17B", 0.002),
                RowFactory.create("generation", "fused_recurrent_gated_delta_rule_packed_decode", 16L, 1L, 2L, 128L, 8L, 128L,
                        "Qwen/Qwen3.5-397B-A17B", 0.007)));
        // All-reduce: 2^15 bf16 elements (2^16 B) over 4 GPUs in 0.005 ms in a CUDA graph; the eager launch is dropped.
        write(root.resolve("h100_sxm/comm/vllm/0.24.0/custom_allreduce_perf.parquet"), ALL_REDUCE, List.of(
                RowFactory.create("bfloat16", 4L, 32768L, "vLLM_custom_graph", 0.005),
                RowFactory.create("bfloat16", 4L, 32768L, "vLLM_custom_eager", 0.02)));
        // NCCL: an all-gather of 2^17 half elements (2^18 B) over 8 GPUs in 0.016 ms; int8 and all-reduce rows not kept.
        write(root.resolve("h100_sxm/comm/nccl/2.29.2/nccl_perf.parquet"), NCCL, List.of(
                RowFactory.create("all_gather", "half", 8L, 131072L, 0.016),
                RowFactory.create("all_gather", "int8", 8L, 131072L, 0.012),
                RowFactory.create("all_reduce", "half", 8L, 131072L, 0.02)));
        Path out = dir.resolve("perf");

        Map<String, Integer> rows = CalibrateJob.run(spark, root, out);

        assertEquals(Map.ofEntries(Map.entry("gemm.csv", 1), Map.entry("decode_attention.csv", 1),
                Map.entry("context_attention.csv", 1), Map.entry("moe.csv", 1), Map.entry("mla_decode.csv", 1),
                Map.entry("mla_context.csv", 1), Map.entry("mla_decode_module.csv", 1), Map.entry("mla_context_module.csv", 1),
                Map.entry("dsa_decode_module.csv", 1), Map.entry("dsa_context_module.csv", 1), Map.entry("gdn_context.csv", 1),
                Map.entry("gdn_decode.csv", 1), Map.entry("allreduce.csv", 1), Map.entry("collectives.csv", 1)), rows);
        List<String> gemm = Files.readAllLines(out.resolve("gemm.csv"));
        assertTrue(gemm.get(0).contains("commit 095f58a") && gemm.get(0).contains("Apache License 2.0"), gemm.get(0));
        String[] cells = gemm.get(3).split(",", -1);
        assertEquals(List.of("h100_sxm", "vllm", "bfloat16", "1"), List.of(cells).subList(0, 4));
        // Mean of 2 x 2^24 / 0.016 ms (2.097 TFLOPS) and / 0.032 ms (1.049): 1.573 TFLOPS, in column nk_log2_24.
        assertEquals("1.573", cells[4 + 24 - CalibrateJob.NK_LOG2_MIN]);
        assertEquals("", cells[4 + 23 - CalibrateJob.NK_LOG2_MIN]);
        // 2^26 B / 0.04 ms = 1,678 GB/s; 2^37 FLOPs / 0.5 ms = 274.9 TFLOPS.
        assertEquals("h100_sxm,vllm,bfloat16,26,1678,1", Files.readAllLines(out.resolve("decode_attention.csv")).get(3));
        assertEquals("h100_sxm,vllm,37,274.9,1", Files.readAllLines(out.resolve("context_attention.csv")).get(3));
        // Microseconds at 1 token (the faster kernel, cutlass: 40) and 16 tokens (triton: 150); the other counts empty.
        List<String> moe = Files.readAllLines(out.resolve("moe.csv"));
        assertTrue(moe.get(2).startsWith("system,engine,dtype,hidden,inter,topk,experts,moe_tp,moe_ep,kernel,us_1,us_2,"),
                moe.get(2));
        assertEquals("h100_sxm,vllm,fp8_block,7168,2048,8,256,1,8,cutlass+triton,40,,,,150,"
                + ",".repeat(CalibrateJob.MOE_TOKENS.size() - 6), moe.get(3));
        // 2^16 tokens / 0.05 ms = 1,311 million per second; 2^23 pairs / 0.4 ms = 20.97 billion (the fp8-KV row is not kept).
        assertEquals("h100_sxm,trtllm,fp8,16,16,1311,1", Files.readAllLines(out.resolve("mla_decode.csv")).get(3));
        assertEquals("h100_sxm,trtllm,16,23,20.97,1", Files.readAllLines(out.resolve("mla_context.csv")).get(3));
        // 55 us at 1,024 cached tokens, 56.1 at 2,048, the other counts empty.
        List<String> module = Files.readAllLines(out.resolve("mla_decode_module.csv"));
        assertTrue(module.get(2).startsWith("system,engine,kv_dtype,gemm_dtype,heads,batch,us_2,us_4,"), module.get(2));
        assertEquals("h100_sxm,trtllm,fp8,fp8_block,16,4," + ",".repeat(9) + "55,56.1" + ",".repeat(6), module.get(3));
        // 5,300 us for 2 prompts at 8,192 tokens (the 14th of 18 lengths), the other lengths empty.
        List<String> context = Files.readAllLines(out.resolve("mla_context_module.csv"));
        assertTrue(context.get(2).startsWith("system,engine,kv_dtype,gemm_dtype,heads,batch,us_1,us_16,"), context.get(2));
        assertEquals("h100_sxm,trtllm,fp8,fp8_block,16,2," + ",".repeat(13) + "5300" + ",".repeat(4), context.get(3));
        // 66.6 us at 1,024 cached tokens (the 10th of 17 counts), the others empty; 5,163 us for one prompt of 8,192 tokens.
        List<String> dsa = Files.readAllLines(out.resolve("dsa_decode_module.csv"));
        assertTrue(dsa.get(2).startsWith("system,engine,model,kv_dtype,gemm_dtype,heads,batch,us_2,us_4,"), dsa.get(2));
        assertEquals("h100_sxm,sglang,zai-org/GLM-5,bfloat16,fp8_block,8,4," + ",".repeat(9) + "66.6" + ",".repeat(7), dsa.get(3));
        assertEquals("h100_sxm,sglang,zai-org/GLM-5,bfloat16,fp8_block,8,1," + ",".repeat(13) + "5163" + ",".repeat(4),
                Files.readAllLines(out.resolve("dsa_context_module.csv")).get(3));
        // 6 + 60 us for one prompt of 1,024 tokens (the 11th of 16 lengths); 2 + 7 us for 16 sequences (the 5th of 11 counts).
        List<String> gdnContext = Files.readAllLines(out.resolve("gdn_context.csv"));
        assertTrue(gdnContext.get(2).startsWith("system,engine,k_heads,v_heads,head_k_dim,head_v_dim,batch,us_1,us_2,"),
                gdnContext.get(2));
        assertEquals("h100_sxm,vllm,2,8,128,128,1," + ",".repeat(10) + "66" + ",".repeat(5), gdnContext.get(3));
        assertEquals("h100_sxm,vllm,2,8,128,128," + ",".repeat(4) + "9" + ",".repeat(6),
                Files.readAllLines(out.resolve("gdn_decode.csv")).get(3));
        // 2^16 B / 0.005 ms = 13.11 GB/s.
        assertEquals("h100_sxm,vllm,4,16,13.11,1", Files.readAllLines(out.resolve("allreduce.csv")).get(3));
        // 2^18 B / 0.016 ms = 16.38 GB/s.
        assertEquals("h100_sxm,nccl,all_gather,8,18,16.38,1", Files.readAllLines(out.resolve("collectives.csv")).get(3));
    }
}

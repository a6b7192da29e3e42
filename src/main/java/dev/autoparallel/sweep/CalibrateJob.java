package dev.autoparallel.sweep;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Reduces aiconfigurator's measured operator timings ({@code ../shared/reference/op-perf/}, NVIDIA,
 * Apache-2.0, snapshot 2026-08-21, commit 095f58a) to the compact tables under
 * {@code src/main/resources/perf/} that {@code dev.autoparallel.perf.KernelTables} interpolates:
 *
 * <ul>
 *   <li>{@code gemm.csv}: achieved TFLOPS (2 m n k / latency, the median over the measured n x k of
 *       one bucket) per system, engine, dtype (bfloat16, fp8) and token count m (the measured powers
 *       of two), one column per log2(n x k) bucket, rounded to the nearest integer;</li>
 *   <li>{@code decode_attention.csv}: achieved KV-read bandwidth of generation attention (batch x
 *       context x 2 x KV heads x head_dim x KV bytes / latency, the median) per system, engine, KV
 *       dtype and log2 bucket of the bytes read; head_dim 128, full attention, grouped-query shapes
 *       (at least 4 query heads per KV head), as Llama-3.1 and Qwen3 run them;</li>
 *   <li>{@code context_attention.csv}: achieved TFLOPS of causal prefill attention (batch x isl^2 / 2 x
 *       4 x heads x head_dim / latency, the median) per system, engine and log2 bucket of those
 *       FLOPs; head_dim 128, full attention, bfloat16 KV;</li>
 *   <li>{@code moe.csv}: one routed-expert layer's microseconds per system, engine, expert dtype, model shape (hidden,
 *       expert intermediate, top-k, experts) and MoE TP x EP split, at each measured token count (1 to 16,384);
 *       routing skewed as a power law of exponent 1.01; the engine's fastest kernel for the dtype;</li>
 *   <li>{@code mla_decode.csv} and {@code mla_context.csv}: generation MLA attention's achieved cached tokens per second by
 *       log2 of the tokens read, and context MLA attention's achieved causal token pairs per second by log2 of the pairs,
 *       per system, engine, query heads per rank (and KV dtype for generation); SGLang and TensorRT-LLM measure them;</li>
 *   <li>{@code mla_decode_module.csv}: TensorRT-LLM's whole generation MLA block of DeepSeek-V3 (projections and
 *       attention), microseconds per system, KV dtype, GEMM dtype, query heads per rank and decoding sequences, at each
 *       measured cached-token count;</li>
 *   <li>{@code mla_context_module.csv}: the same block in prefill (projections, the latent expanded to keys and values, and
 *       causal attention over the prompt), microseconds per system, KV dtype, GEMM dtype, query heads per rank and prompts,
 *       at each measured prompt length;</li>
 *   <li>{@code dsa_decode_module.csv}: SGLang's whole generation block of a DeepSeek sparse attention (DSA) layer
 *       (projections, the lightning indexer and its top-k, sparse MLA attention) of the two models op-perf measures,
 *       GLM-5 and DeepSeek-V3.2, microseconds per system, engine, model, KV dtype, GEMM dtype, query heads per rank and decoding
 *       sequences, at each measured cached-token count (powers of two, 2 to 131,072);</li>
 *   <li>{@code dsa_context_module.csv}: the same block in prefill (nothing cached before the prompt), microseconds per
 *       system, engine, model, KV dtype, GEMM dtype, heads and prompts, at each measured prompt length;</li>
 *   <li>{@code gdn_context.csv} and {@code gdn_decode.csv}: one Gated DeltaNet layer's linear attention (the causal
 *       convolution and the gated delta rule; not its projections, which are GEMMs), microseconds per system, engine, key
 *       and value heads per rank and their head dims: in prefill by prompts and prompt length (1 to 32,768), in decode by
 *       decoding sequences (1 to 1,024); the engine's fastest delta-rule kernel;</li>
 *   <li>{@code allreduce.csv}: the engine's tensor-parallel all-reduce in CUDA graphs, achieved GB/s by GPU count and log2
 *       of the bfloat16 message bytes;</li>
 *   <li>{@code collectives.csv}: NCCL's all-gather, reduce-scatter and all-to-all within a node (the engine column reads
 *       {@code nccl}), achieved GB/s by GPU count and log2 of the 16-bit message bytes: what expert parallelism over
 *       data-parallel ranks moves per MoE layer.</li>
 * </ul>
 *
 * <p>{@code CalibrateJob OP_PERF_DIR OUT_DIR}: reads {@code SYSTEM/gemm/ENGINE/VERSION/gemm_perf.parquet},
 * {@code SYSTEM/attention/ENGINE/VERSION/*_attention_perf.parquet}, {@code SYSTEM/moe/ENGINE/VERSION/moe_perf.parquet} and
 * {@code SYSTEM/mla/ENGINE/VERSION/*_mla_perf.parquet} and {@code mla_*_module_perf.parquet},
 * {@code SYSTEM/sparse_attention/ENGINE/VERSION/dsa_*_module_perf.parquet},
 * {@code SYSTEM/linear_attention/ENGINE/VERSION/gdn_perf.parquet},
 * {@code SYSTEM/comm/ENGINE/VERSION/custom_allreduce_perf.parquet} and
 * {@code SYSTEM/comm/nccl/VERSION/nccl_perf.parquet} for the systems of {@link #SYSTEMS} that exist.
 */
public final class CalibrateJob {
    private static final Logger LOG = Logger.getLogger(CalibrateJob.class.getName());
    /** The op-perf systems reduced: the GPU catalog's H100-SXM, H200, B200, GB200, A100-80GB, L40S and RTX-PRO-6000. */
    static final List<String> SYSTEMS = List.of("h100_sxm", "h200_sxm", "b200_sxm", "gb200", "a100_sxm", "l40s",
            "rtx_pro_6000_server");
    static final List<String> ENGINES = List.of("vllm", "sglang", "trtllm");
    /**
     * The engine whose MLA modules, generation and context, are reduced: TensorRT-LLM, one kernel set each. vLLM measures
     * both too, under three attention backends (FLASH_ATTN, FLASH_ATTN_MLA, FLASHMLA), not reduced yet.
     */
    static final String MLA_MODULE_ENGINE = "trtllm";
    /** The cached-token counts every op-perf MLA module file measures (2 to 131,072). */
    static final List<Integer> MLA_MODULE_STEPS = List.of(2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
            32768, 65536, 131072);
    /** The prompt lengths every op-perf context MLA module file measures (1 to 32,768). */
    static final List<Integer> MLA_MODULE_ISLS = List.of(1, 16, 32, 64, 128, 256, 512, 1024, 1536, 2048, 3072, 4096, 6144,
            8192, 10240, 12288, 16384, 32768);
    /**
     * The cached-token counts of the DSA generation module table: the powers of two every engine's file measures (2 to
     * 131,072; SGLang's also has 1,536, 3,072, ... and the models' longest contexts, vLLM's and TensorRT-LLM's only the
     * powers of two, SGLang's from 4).
     */
    static final List<Integer> DSA_MODULE_STEPS = List.of(2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
            32768, 65536, 131072);
    /**
     * The op-perf operation of the DSA generation module, one kernel per engine and KV dtype: SGLang measures its NSA
     * backend with FA3 over a bfloat16 cache and FlashMLA over an FP8 cache; vLLM FLASHMLA_SPARSE; TensorRT-LLM its
     * default. The GLM-5.2 "skip indexer" variant (a layer reusing another's top-k) is not a module of the models
     * served here.
     */
    static final String DSA_MODULE_OP = "dsa_generation_module";
    /**
     * The prefill counterpart: SGLang measures its dense MHA path (FA3) for prompts up to 2,048 tokens, the index top-k,
     * and its sparse path (FlashMLA, by KV dtype) beyond, one kernel per prompt length; vLLM FLASHMLA_SPARSE and
     * TensorRT-LLM its default throughout.
     */
    static final String DSA_CONTEXT_MODULE_OP = "dsa_context_module";
    /**
     * The engine whose DSA blocks are reduced: SGLang, whose GLM-5 rows in measured-latency.csv check them. vLLM and
     * TensorRT-LLM measure the blocks too, at two and a half times SGLang's time (GLM-5 on H200, 8 heads per rank, 16
     * sequences at 1,024 cached tokens: 241 and 259 us against 97), where their measured-experts calibrations (vLLM's
     * 40 us a MoE layer) already carry a step's small-kernel costs; no measured row runs a DSA model on them to tell how
     * much of the block those calibrations hold (vLLM's MLA block is left out for the same reason).
     */
    static final String DSA_MODULE_ENGINE = "sglang";
    /** The prompt lengths of op-perf's Gated DeltaNet prefill timings (1 to 32,768, powers of two). */
    static final List<Integer> GDN_PROMPT_LENGTHS = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
            16384, 32768);
    /** The decoding sequences of op-perf's Gated DeltaNet decode timings (1 to 1,024, powers of two). */
    static final List<Integer> GDN_DECODE_BATCHES = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024);
    /** The op-perf folder of NCCL's own collectives (beside the engines' under {@code comm}). */
    static final String NCCL = "nccl";
    /** log2(n x k) buckets of the GEMM table: the measured n and k run from 32 to 65,536. */
    static final int NK_LOG2_MIN = 10;
    static final int NK_LOG2_MAX = 32;
    /** The MoE dtypes reduced: the checkpoints of the measured serving rows are 16-bit, FP8 (per tensor, block), MXFP4 and INT4. */
    static final List<String> MOE_DTYPES = List.of("bfloat16", "fp8", "fp8_block", "w4a16_mxfp4", "int4_wo");
    /** The token counts every op-perf MoE file measures (1 to 16,384). */
    static final List<Integer> MOE_TOKENS = List.of(1, 2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 768,
            1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384);
    /**
     * The token-to-expert distribution of the MoE table. op-perf measures balanced routing and power laws of exponent
     * 1.01 and 1.2; on the MoE rows of measured-latency.csv (vLLM, SGLang and TensorRT-LLM on H100/H200, each engine's
     * expert-path calibration refitted for each table, 2026-11-30) the power law of 1.01 gave median errors of 22.4% TTFT
     * and 14.6% TPOT over all predicted rows, balanced routing 23.7% and 17.3%: real routing is skewed.
     */
    static final String MOE_DISTRIBUTION = "power_law_1.01";
    /** The attribution every derived table carries (op-perf README). */
    static final String ATTRIBUTION = "# Derived by jobs/calibrate.sh from NVIDIA aiconfigurator's measured operator timings"
            + " (aic-core/src/aiconfigurator_core/systems/, snapshot 2026-08-21, commit 095f58a)."
            + " Apache License 2.0, copyright NVIDIA Corporation.";

    private CalibrateJob() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !Files.isDirectory(Path.of(args[0]))) {
            // A usage error, not a crash: named and exit 2, as every command of the project answers bad input.
            System.err.println("error: usage: jobs/calibrate.sh [OP_PERF_DIR [OUT_DIR]] (OP_PERF_DIR a folder of op-perf's "
                    + "SYSTEM/OP/ENGINE/VERSION/*.parquet); got " + (args.length == 2 ? "'" + args[0] + "', not a folder"
                    : args.length + " arguments"));
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path out = Path.of(args[1]);
        SparkSession spark = SweepJob.localUnlessSubmitted(SparkSession.builder().appName("AutoParallel kernel calibration")
                .config("spark.sql.shuffle.partitions", "4")).getOrCreate();
        try {
            run(spark, root, out);
        } finally {
            spark.stop();
        }
    }

    /** Writes the fourteen tables into {@code out}; returns how many rows each got. */
    public static Map<String, Integer> run(SparkSession spark, Path root, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Integer> rows = new TreeMap<>();
        Dataset<Row> gemm = read(spark, root, "gemm", "gemm_perf.parquet");
        rows.put("gemm.csv", gemm == null ? 0 : writeGemm(gemm, out.resolve("gemm.csv")));
        Dataset<Row> generation = read(spark, root, "attention", "generation_attention_perf.parquet");
        rows.put("decode_attention.csv", generation == null ? 0
                : writeDecodeAttention(generation, out.resolve("decode_attention.csv")));
        Dataset<Row> context = read(spark, root, "attention", "context_attention_perf.parquet");
        rows.put("context_attention.csv", context == null ? 0
                : writeContextAttention(context, out.resolve("context_attention.csv")));
        Dataset<Row> moe = read(spark, root, "moe", "moe_perf.parquet");
        rows.put("moe.csv", moe == null ? 0 : writeMoe(moe, out.resolve("moe.csv")));
        Dataset<Row> mlaDecode = read(spark, root, "mla", "generation_mla_perf.parquet");
        rows.put("mla_decode.csv", mlaDecode == null ? 0 : writeMlaDecode(mlaDecode, out.resolve("mla_decode.csv")));
        Dataset<Row> mlaModule = read(spark, root, "mla", "mla_generation_module_perf.parquet", List.of(MLA_MODULE_ENGINE));
        rows.put("mla_decode_module.csv", mlaModule == null ? 0 : writeMlaDecodeModule(mlaModule, out.resolve("mla_decode_module.csv")));
        Dataset<Row> contextModule = read(spark, root, "mla", "mla_context_module_perf.parquet", List.of(MLA_MODULE_ENGINE));
        rows.put("mla_context_module.csv", contextModule == null ? 0
                : writeMlaContextModule(contextModule, out.resolve("mla_context_module.csv")));
        Dataset<Row> mlaContext = read(spark, root, "mla", "context_mla_perf.parquet");
        rows.put("mla_context.csv", mlaContext == null ? 0 : writeMlaContext(mlaContext, out.resolve("mla_context.csv")));
        Dataset<Row> dsaModule = read(spark, root, "sparse_attention", "dsa_generation_module_perf.parquet",
                List.of(DSA_MODULE_ENGINE));
        rows.put("dsa_decode_module.csv", dsaModule == null ? 0 : writeDsaDecodeModule(dsaModule, out.resolve("dsa_decode_module.csv")));
        Dataset<Row> dsaContext = read(spark, root, "sparse_attention", "dsa_context_module_perf.parquet",
                List.of(DSA_MODULE_ENGINE));
        rows.put("dsa_context_module.csv", dsaContext == null ? 0
                : writeDsaContextModule(dsaContext, out.resolve("dsa_context_module.csv")));
        Dataset<Row> gdn = read(spark, root, "linear_attention", "gdn_perf.parquet");
        Dataset<Row> gdnLayer = gdn == null ? null : gdnLayer(gdn).cache();
        rows.put("gdn_context.csv", gdnLayer == null ? 0 : writeGdnContext(gdnLayer, out.resolve("gdn_context.csv")));
        rows.put("gdn_decode.csv", gdnLayer == null ? 0 : writeGdnDecode(gdnLayer, out.resolve("gdn_decode.csv")));
        Dataset<Row> allReduce = read(spark, root, "comm", "custom_allreduce_perf.parquet");
        rows.put("allreduce.csv", allReduce == null ? 0 : writeAllReduce(allReduce, out.resolve("allreduce.csv")));
        Dataset<Row> nccl = read(spark, root, "comm", "nccl_perf.parquet", List.of(NCCL));
        rows.put("collectives.csv", nccl == null ? 0 : writeCollectives(nccl, out.resolve("collectives.csv")));
        LOG.info("calibration tables written to " + out + ": " + rows);
        return rows;
    }

    /** Every system's and engine's file of {@code family}, with {@code system} and {@code engine} columns; null when none exists. */
    static Dataset<Row> read(SparkSession spark, Path root, String family, String file) throws IOException {
        return read(spark, root, family, file, ENGINES);
    }

    /** As {@link #read(SparkSession, Path, String, String)}, from the folders of {@code engines} (or libraries, as NCCL). */
    static Dataset<Row> read(SparkSession spark, Path root, String family, String file, List<String> engines) throws IOException {
        Dataset<Row> all = null;
        for (String system : SYSTEMS) {
            for (String engine : engines) {
                Path dir = root.resolve(system).resolve(family).resolve(engine);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                List<Path> versions;
                try (Stream<Path> s = Files.list(dir)) {
                    versions = s.filter(p -> Files.exists(p.resolve(file))).sorted().toList();
                }
                if (versions.isEmpty()) {
                    continue;
                }
                // The op-perf README keeps the newest measured version of each family; should there be several, the last sorts newest.
                Path f = versions.get(versions.size() - 1).resolve(file);
                Dataset<Row> d = spark.read().parquet(f.toString())
                        .withColumn("system", functions.lit(system)).withColumn("engine", functions.lit(engine));
                all = all == null ? d : all.unionByName(d, true);
            }
        }
        return all;
    }

    static int writeGemm(Dataset<Row> gemm, Path file) throws IOException {
        Dataset<Row> reduced = gemm
                .where("gemm_dtype in ('bfloat16', 'fp8') and m > 0 and (m & (m - 1)) = 0 and latency > 0")
                .selectExpr("system", "engine", "gemm_dtype as dtype", "m",
                        "cast(round(log2(cast(n as double) * k)) as int) as nk_log2",
                        "2.0 * m * n * k / (latency * 1e-3) / 1e12 as tflops")
                .groupBy("system", "engine", "dtype", "m", "nk_log2")
                .agg(functions.expr("percentile(tflops, 0.5)").as("tflops"))
                .orderBy("system", "engine", "dtype", "m", "nk_log2");
        Map<String, double[]> wide = new TreeMap<>();
        List<String> order = new ArrayList<>();
        for (Row r : reduced.collectAsList()) {
            String key = r.getString(0) + "," + r.getString(1) + "," + r.getString(2) + "," + r.getLong(3);
            double[] cells = wide.computeIfAbsent(key, k -> {
                order.add(k);
                double[] c = new double[NK_LOG2_MAX - NK_LOG2_MIN + 1];
                Arrays.fill(c, Double.NaN);
                return c;
            });
            int bucket = r.getInt(4);
            if (bucket >= NK_LOG2_MIN && bucket <= NK_LOG2_MAX) {
                cells[bucket - NK_LOG2_MIN] = r.getDouble(5);
            }
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ATTRIBUTION + "\n");
            w.write("# Achieved TFLOPS (2 m n k / measured latency), median over the measured (n, k) whose log2(n k) rounds to the column's.\n");
            StringBuilder header = new StringBuilder("system,engine,dtype,m");
            for (int b = NK_LOG2_MIN; b <= NK_LOG2_MAX; b++) {
                header.append(",nk_log2_").append(b);
            }
            w.write(header + "\n");
            for (String key : order) {
                StringBuilder line = new StringBuilder(key);
                for (double v : wide.get(key)) {
                    line.append(',');
                    if (!Double.isNaN(v)) {
                        line.append(format(v));
                    }
                }
                w.write(line + "\n");
            }
        }
        return order.size();
    }

    static int writeDecodeAttention(Dataset<Row> generation, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(generation.where("head_dim = 128 and window_size = 0"
                        + " and num_heads >= 4 * num_key_value_heads and kv_cache_dtype in ('bfloat16', 'fp8') and latency > 0 and step > 0"),
                List.of("kv_cache_dtype as kv_dtype"), "cast(batch_size as double) * step * 2 * num_key_value_heads * head_dim"
                        + " * (case when kv_cache_dtype = 'fp8' then 1 else 2 end)", "bytes_log2", 1e9, "gbps");
        return writeLong(reduced, file, "# Achieved KV-read GB/s of generation attention, median over the measured shapes in the bucket.",
                "system,engine,kv_dtype,bytes_log2,gbps,shapes");
    }

    static int writeContextAttention(Dataset<Row> context, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(context.where("head_dim = 128 and window_size = 0 and kv_cache_dtype = 'bfloat16'"
                        + " and latency > 0"), List.of(), "cast(batch_size as double) * isl * isl / 2 * 4 * num_heads * head_dim",
                "flops_log2", 1e12, "tflops");
        return writeLong(reduced, file, "# Achieved TFLOPS of causal prefill attention, median over the measured shapes in the bucket.",
                "system,engine,flops_log2,tflops,shapes");
    }

    /**
     * The routed-expert layer (grouped GEMMs, activation and routing glue, as the collector times one MoE layer) per
     * system, engine, dtype, model shape (hidden, expert intermediate, top-k, experts) and MoE TP x EP split: microseconds
     * at each measured token count, one column per count. Where an engine has several kernels for a dtype (vLLM's
     * FlashInfer CUTLASS and Triton FP8 block experts), the fastest: the engine's own kernel selection prefers it. The
     * {@code kernel} column names the kernel (op-perf's {@code kernel_source}) that gave the row's times, several joined
     * by {@code +} where the fastest differs between token counts, so a run that forces another kernel (vLLM's
     * {@code VLLM_MXFP4_USE_MARLIN}) can find that kernel's rows.
     */
    static int writeMoe(Dataset<Row> moe, Path file) throws IOException {
        String dtypes = String.join("', '", MOE_DTYPES);
        Dataset<Row> reduced = moe
                .where("distribution = '" + MOE_DISTRIBUTION + "' and moe_dtype in ('" + dtypes + "') and latency > 0"
                        + " and num_tokens in (" + String.join(", ", MOE_TOKENS.stream().map(String::valueOf).toList()) + ")")
                .groupBy("system", "engine", "moe_dtype", "hidden_size", "inter_size", "topk", "num_experts", "moe_tp_size",
                        "moe_ep_size", "num_tokens")
                .agg(functions.min("latency").as("ms"),
                        functions.min_by(functions.col("kernel_source"), functions.col("latency")).as("kernel"))
                .orderBy("system", "engine", "moe_dtype", "hidden_size", "inter_size", "topk", "num_experts", "moe_tp_size",
                        "moe_ep_size", "num_tokens");
        Map<String, String[]> wide = new TreeMap<>();
        Map<String, Set<String>> kernels = new TreeMap<>();
        List<String> order = new ArrayList<>();
        for (Row r : reduced.collectAsList()) {
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < 9; i++) {
                key.append(i == 0 ? "" : ",").append(r.get(i));
            }
            String[] cells = cellsOf(wide, order, key.toString(), MOE_TOKENS.size());
            cells[MOE_TOKENS.indexOf((int) r.getLong(9))] = format(r.getDouble(10) * 1e3);
            kernels.computeIfAbsent(key.toString(), k -> new TreeSet<>()).add(r.getString(11));
        }
        writeWide(file, "# One routed-expert (MoE) layer, microseconds at num_tokens tokens, token-to-expert distribution "
                        + MOE_DISTRIBUTION + "; the fastest kernel of the engine for the dtype, named in the kernel column (op-perf's"
                        + " kernel_source).", "system,engine,dtype,hidden,inter,topk,experts,moe_tp,moe_ep,kernel", MOE_TOKENS,
                order.stream().map(key -> key + "," + String.join("+", kernels.get(key)) + "," + String.join(",", wide.get(key))).toList());
        return order.size();
    }

    /** The cells of a wide table's row {@code key}, empty until set; a new key joins {@code order}. */
    private static String[] cellsOf(Map<String, String[]> wide, List<String> order, String key, int size) {
        return wide.computeIfAbsent(key, k -> {
            order.add(k);
            String[] c = new String[size];
            Arrays.fill(c, "");
            return c;
        });
    }

    /**
     * A wide table: the attribution, {@code comment}, a header of {@code keys} and one {@code us_N} column per count,
     * then {@code lines} (each its key columns and cells, joined).
     */
    private static void writeWide(Path file, String comment, String keys, List<Integer> counts, List<String> lines)
            throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ATTRIBUTION + "\n");
            w.write(comment + "\n");
            StringBuilder header = new StringBuilder(keys);
            for (int t : counts) {
                header.append(",us_").append(t);
            }
            w.write(header + "\n");
            for (String line : lines) {
                w.write(line + "\n");
            }
        }
    }

    /**
     * Generation MLA attention (the absorbed kernel reading each sequence's compressed latent): achieved million cached
     * tokens per second (batch x (step + 1) / latency, the median) per system, engine, KV dtype, query heads per rank and
     * log2 bucket of the cached tokens read.
     */
    static int writeMlaDecode(Dataset<Row> mla, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(mla.where("kv_cache_dtype in ('bfloat16', 'fp8') and latency > 0 and step >= 0"),
                List.of("kv_cache_dtype as kv_dtype", "num_heads as heads"), "cast(batch_size as double) * (step + 1)",
                "tokens_log2", 1e6, "mtokens_per_s");
        return writeLong(reduced, file, "# Achieved million cached tokens per second of generation MLA attention, median over the"
                + " measured shapes in the bucket.", "system,engine,kv_dtype,heads,tokens_log2,mtokens_per_s,shapes");
    }

    /**
     * TensorRT-LLM's generation MLA module (op-perf {@code mla_generation_module_perf}: the attention block of one
     * DeepSeek-V3 layer, its projections and the absorbed attention, at {@code num_heads} query heads per rank; its only
     * model): microseconds, the median of repeated shapes, per system, engine, KV dtype, GEMM dtype, heads and decoding
     * sequences, one column per cached-token count (2 to 131,072).
     */
    static int writeMlaDecodeModule(Dataset<Row> module, Path file) throws IOException {
        return writeMlaModule(module, file, "step", MLA_MODULE_STEPS, "# TensorRT-LLM's generation MLA module (DeepSeek-V3's"
                + " attention block: projections and attention), microseconds for batch sequences decoding one token each with"
                + " step tokens cached, at heads query heads per rank.");
    }

    /**
     * TensorRT-LLM's context MLA module (op-perf {@code mla_context_module_perf}: the same block of one DeepSeek-V3 layer
     * in prefill, its projections, the latent expanded to keys and values and causal attention over the prompt, with
     * nothing cached before it): microseconds, the median of repeated shapes, per system, engine, KV dtype, GEMM dtype,
     * heads and prompts, one column per prompt length (1 to 32,768).
     */
    static int writeMlaContextModule(Dataset<Row> module, Path file) throws IOException {
        return writeMlaModule(module.where("step = 0"), file, "isl", MLA_MODULE_ISLS, "# TensorRT-LLM's context MLA module"
                + " (DeepSeek-V3's attention block: projections and causal attention), microseconds for batch prompts of isl"
                + " tokens each, nothing cached before them, at heads query heads per rank.");
    }

    /** One of the MLA module tables: DeepSeek-V3's rows at TP 1 (heads per rank in their own column), wide by {@code column}. */
    private static int writeMlaModule(Dataset<Row> module, Path file, String column, List<Integer> counts, String comment)
            throws IOException {
        return writeModule(module.where("model = 'deepseek-ai/DeepSeek-V3' and tp_size = 1"), file,
                List.of("system", "engine", "kv_cache_dtype", "gemm_type", "num_heads", "batch_size"),
                "system,engine,kv_dtype,gemm_dtype,heads,batch", column, counts, comment);
    }

    /**
     * A table of whole attention blocks (16-bit or FP8 cache, 16-bit or FP8-block projections): microseconds, the median
     * of repeated shapes, a row per value of {@code keys} (written under {@code header}), one column per {@code column}
     * value of {@code counts}.
     */
    private static int writeModule(Dataset<Row> module, Path file, List<String> keys, String header, String column,
                                   List<Integer> counts, String comment) throws IOException {
        List<String> groups = new ArrayList<>(keys);
        groups.add(column);
        Column[] by = groups.stream().map(functions::col).toArray(Column[]::new);
        Dataset<Row> reduced = module
                .where("kv_cache_dtype in ('bfloat16', 'fp8') and gemm_type in ('bfloat16', 'fp8_block') and latency > 0 and "
                        + column + " in (" + String.join(", ", counts.stream().map(String::valueOf).toList()) + ")")
                .groupBy(by)
                .agg(functions.expr("percentile(latency, 0.5)").as("ms"))
                .orderBy(by);
        return writeMilliseconds(reduced.collectAsList(), keys.size(), file, comment, header, counts);
    }

    /**
     * A wide table of microseconds from {@code rows} of {@code keyCount} key columns, then the count (one of {@code
     * counts}) and milliseconds: a row per key, a column per count, under {@code header}; returns the rows written.
     */
    private static int writeMilliseconds(List<Row> rows, int keyCount, Path file, String comment, String header,
                                         List<Integer> counts) throws IOException {
        Map<String, String[]> wide = new TreeMap<>();
        List<String> order = new ArrayList<>();
        for (Row r : rows) {
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < keyCount; i++) {
                key.append(i == 0 ? "" : ",").append(r.get(i));
            }
            String[] cells = cellsOf(wide, order, key.toString(), counts.size());
            cells[counts.indexOf(((Number) r.get(keyCount)).intValue())] = format(r.getDouble(keyCount + 1) * 1e3);
        }
        writeWide(file, comment, header, counts, order.stream().map(key -> key + "," + String.join(",", wide.get(key))).toList());
        return order.size();
    }

    /**
     * The generation block of one DSA layer (op-perf {@code dsa_generation_module_perf}: the MLA projections, the lightning
     * indexer's projections, FP8 logits over every cached token and top-k selection, sparse MLA attention over the selected
     * tokens) at {@code num_heads} query heads per rank: microseconds, the median of repeated shapes, per system, engine,
     * model (its Hub id without an {@code -FP8} suffix: the GEMM dtype column says which checkpoint), KV dtype, GEMM dtype,
     * heads and decoding sequences, one column per cached-token count of {@link #DSA_MODULE_STEPS}.
     */
    static int writeDsaDecodeModule(Dataset<Row> module, Path file) throws IOException {
        return writeDsaModule(module.where("op_name = '" + DSA_MODULE_OP + "'"), file, "step", DSA_MODULE_STEPS,
                "# The generation block of one DeepSeek sparse attention layer (projections, lightning indexer and top-k,"
                        + " sparse MLA attention), microseconds for batch sequences decoding one token each with step tokens cached,"
                        + " at heads query heads per rank.");
    }

    /**
     * The prefill block of one DSA layer (op-perf {@code dsa_context_module_perf}, nothing cached before the prompt: the
     * projections, the indexer over the prompt and attention, dense or sparse as the engine runs it): microseconds, the
     * median of repeated shapes, per system, engine, model, KV dtype, GEMM dtype, heads and prompts, one column per prompt
     * length of {@link #MLA_MODULE_ISLS} (SGLang's from 4 to 8,192).
     */
    static int writeDsaContextModule(Dataset<Row> module, Path file) throws IOException {
        return writeDsaModule(module.where("op_name = '" + DSA_CONTEXT_MODULE_OP + "' and step = 0"), file, "isl", MLA_MODULE_ISLS,
                "# The prefill block of one DeepSeek sparse attention layer (projections, indexer, attention over the prompt),"
                        + " microseconds for batch prompts of isl tokens each, nothing cached before them, at heads query heads per"
                        + " rank.");
    }

    /** One of the DSA module tables, wide by {@code column}: the model's Hub id without {@code -FP8} in its own column. */
    private static int writeDsaModule(Dataset<Row> module, Path file, String column, List<Integer> counts, String comment)
            throws IOException {
        return writeModule(module.withColumn("model", functions.regexp_replace(functions.col("model"), "-FP8$", "")), file,
                List.of("system", "engine", "model", "kv_cache_dtype", "gemm_type", "num_heads", "batch_size"),
                "system,engine,model,kv_dtype,gemm_dtype,heads,batch", column, counts, comment);
    }

    /**
     * One Gated DeltaNet layer's linear attention per shape (op-perf {@code gdn_perf}): its causal convolution
     * ({@code causal_conv1d_fn} in prefill, {@code causal_conv1d_update} in decode) plus the engine's fastest gated delta
     * rule kernel for the phase and head shape (the lowest median over the shapes: vLLM's FlashInfer or Triton chunked
     * rule, SGLang's packed or plain recurrent decode), each the median over the models op-perf measured with that head
     * shape (Qwen3.5 sizes from 0.8B to 397B-A17B, which share head shapes across TP degrees). Columns: system, engine,
     * phase, k_heads, v_heads, head_k_dim, head_v_dim, batch, seq_len, ms.
     */
    static Dataset<Row> gdnLayer(Dataset<Row> gdn) {
        List<String> shape = List.of("system", "engine", "phase", "num_k_heads", "num_v_heads", "head_k_dim", "head_v_dim");
        List<String> kernel = concat(shape, "kernel_source");
        Dataset<Row> perKernel = gdn.where("latency > 0 and phase in ('context', 'generation')")
                .withColumn("conv", functions.expr("kernel_source like 'causal_conv1d%'"))
                .groupBy(columns(concat(kernel, "conv", "batch_size", "seq_len")))
                .agg(functions.expr("percentile(latency, 0.5)").as("ms"));
        Dataset<Row> fastest = perKernel.where("not conv")
                .groupBy(columns(kernel))
                .agg(functions.expr("percentile(ms, 0.5)").as("typical"))
                .groupBy(columns(shape))
                .agg(functions.min_by(functions.col("kernel_source"), functions.col("typical")).as("kernel_source"));
        Dataset<Row> core = perKernel.where("not conv").join(fastest, kernel.toArray(String[]::new)).drop("conv");
        Dataset<Row> conv = perKernel.where("conv").withColumnRenamed("ms", "conv_ms").drop("kernel_source", "conv");
        return core.join(conv, concat(shape, "batch_size", "seq_len").toArray(String[]::new))
                .selectExpr("system", "engine", "phase", "num_k_heads as k_heads", "num_v_heads as v_heads", "head_k_dim",
                        "head_v_dim", "batch_size as batch", "seq_len", "ms + conv_ms as ms");
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private static Column[] columns(List<String> names) {
        return names.stream().map(functions::col).toArray(Column[]::new);
    }

    /** The prefill table of {@link #gdnLayer}: a row per head shape and prompts, one column per prompt length. */
    static int writeGdnContext(Dataset<Row> layer, Path file) throws IOException {
        Dataset<Row> context = layer.where("phase = 'context'");
        List<String> keys = List.of("system", "engine", "k_heads", "v_heads", "head_k_dim", "head_v_dim", "batch");
        return writeGdn(context, file, keys, "seq_len", GDN_PROMPT_LENGTHS, "# One Gated DeltaNet layer's linear attention in"
                + " prefill (causal convolution and the engine's fastest chunked gated delta rule; not the projections),"
                + " microseconds for batch prompts of seq_len tokens each, at k_heads key and v_heads value heads per rank.");
    }

    /** The decode table of {@link #gdnLayer}: a row per head shape, one column per decoding sequence count. */
    static int writeGdnDecode(Dataset<Row> layer, Path file) throws IOException {
        Dataset<Row> decode = layer.where("phase = 'generation' and seq_len = 1");
        List<String> keys = List.of("system", "engine", "k_heads", "v_heads", "head_k_dim", "head_v_dim");
        return writeGdn(decode, file, keys, "batch", GDN_DECODE_BATCHES, "# One Gated DeltaNet layer's linear attention in"
                + " decode (convolution update and the engine's fastest recurrent gated delta rule; not the projections),"
                + " microseconds for us_N sequences decoding one token each, at k_heads key and v_heads value heads per rank.");
    }

    /** A wide table of {@link #gdnLayer}'s microseconds: a row per {@code keys} value, a column per {@code column} count. */
    private static int writeGdn(Dataset<Row> layer, Path file, List<String> keys, String column, List<Integer> counts,
                                String comment) throws IOException {
        Column[] by = columns(concat(keys, column));
        List<Row> rows = layer
                .where(column + " in (" + String.join(", ", counts.stream().map(String::valueOf).toList()) + ")")
                .select(columns(concat(concat(keys, column), "ms"))).orderBy(by).collectAsList();
        return writeMilliseconds(rows, keys.size(), file, comment, String.join(",", keys), counts);
    }

    /**
     * Context (prefill) MLA attention: achieved causal token pairs per second (batch x isl^2 / 2 / latency, the median) per
     * system, engine, query heads per rank and log2 bucket of the token pairs; bfloat16 KV.
     */
    static int writeMlaContext(Dataset<Row> mla, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(mla.where("kv_cache_dtype = 'bfloat16' and latency > 0 and isl > 0"),
                List.of("num_heads as heads"), "cast(batch_size as double) * isl * isl / 2", "pairs_log2", 1e9, "gpairs_per_s");
        return writeLong(reduced, file, "# Achieved billion causal token pairs per second of context MLA attention, median over the"
                + " measured shapes in the bucket.", "system,engine,heads,pairs_log2,gpairs_per_s,shapes");
    }

    /**
     * The engine's own tensor-parallel all-reduce (vLLM's and SGLang's custom all-reduce, TensorRT-LLM's) of bfloat16
     * messages, as CUDA graphs capture it (the eager variants, launched outside a graph, are dropped: the engines run
     * their steps in graphs): achieved GB/s (message bytes / latency) per system, engine, GPU count and log2 bucket of the
     * message bytes.
     */
    static int writeAllReduce(Dataset<Row> allReduce, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(allReduce.where("allreduce_dtype = 'bfloat16' and latency > 0 and message_size > 0"
                        + " and lower(kernel_source) not like '%eager%'"), List.of("num_gpus as gpus"), "cast(message_size as double) * 2",
                "bytes_log2", 1e9, "gbps");
        return writeLong(reduced, file, "# Achieved GB/s (message bytes / latency) of the engine's tensor-parallel all-reduce of"
                + " bfloat16 messages in CUDA graphs, median over the measured sizes in the bucket.",
                "system,engine,gpus,bytes_log2,gbps,shapes");
    }

    /**
     * NCCL's all-gather, reduce-scatter and all-to-all of 16-bit ({@code half}) messages within one node: achieved GB/s
     * (message bytes / latency; the message is the collective's whole tensor) per system, operation, GPU count and log2
     * bucket of the bytes.
     */
    static int writeCollectives(Dataset<Row> nccl, Path file) throws IOException {
        Dataset<Row> reduced = medianRateByBucket(nccl.where("nccl_dtype = 'half' and op_name in ('all_gather', 'reduce_scatter',"
                        + " 'alltoall') and latency > 0 and message_size > 0"), List.of("op_name as op", "num_gpus as gpus"),
                "cast(message_size as double) * 2", "bytes_log2", 1e9, "gbps");
        return writeLong(reduced, file, "# Achieved GB/s (message bytes / latency) of NCCL's all-gather, reduce-scatter and"
                + " all-to-all of 16-bit messages within a node, median over the measured sizes in the bucket.",
                "system,engine,op,gpus,bytes_log2,gbps,shapes");
    }

    /**
     * Rows grouped by system, engine, the {@code keys} ("column as name") and the log2 bucket of {@code work} (named
     * {@code bucket}), with the median achieved rate (work / latency, in units of {@code unit} per second, named
     * {@code rate}) and how many measured shapes the bucket holds, in key order.
     */
    static Dataset<Row> medianRateByBucket(Dataset<Row> measured, List<String> keys, String work, String bucket, double unit,
                                           String rate) {
        List<String> names = new ArrayList<>(List.of("system", "engine"));
        keys.forEach(k -> names.add(k.substring(k.lastIndexOf(" as ") + 4)));
        List<String> first = new ArrayList<>(List.of("system", "engine"));
        first.addAll(keys);
        first.add(work + " as work");
        first.add("latency");
        List<String> second = new ArrayList<>(names);
        second.add("cast(round(log2(work)) as int) as " + bucket);
        second.add("work / (latency * 1e-3) / " + unit + " as " + rate);
        List<String> group = new ArrayList<>(names);
        group.add(bucket);
        Column[] by = group.stream().map(functions::col).toArray(Column[]::new);
        return measured.selectExpr(first.toArray(String[]::new)).selectExpr(second.toArray(String[]::new))
                .groupBy(by)
                .agg(functions.expr("percentile(" + rate + ", 0.5)").as(rate), functions.count("*").as("shapes"))
                .orderBy(by);
    }

    private static int writeLong(Dataset<Row> reduced, Path file, String comment, String header) throws IOException {
        List<Row> rows = reduced.collectAsList();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ATTRIBUTION + "\n" + comment + "\n" + header + "\n");
            for (Row r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.length(); i++) {
                    if (i > 0) {
                        line.append(',');
                    }
                    Object v = r.get(i);
                    line.append(v instanceof Double d ? format(d) : String.valueOf(v));
                }
                w.write(line + "\n");
            }
        }
        return rows.size();
    }

    /** Four significant digits: the measurements' own run-to-run spread is larger. */
    static String format(double v) {
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}

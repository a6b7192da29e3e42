package dev.autoparallel.deploy;

import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.ModelRunner;
import java.util.ArrayList;
import java.util.List;

/**
 * Launch commands for a layout. vLLM flags are those of {@code vllm serve} in the stated
 * release (EngineArgs in vllm/engine/arg_utils.py: --tensor-parallel-size,
 * --pipeline-parallel-size, --data-parallel-size, --data-parallel-size-local,
 * --data-parallel-start-rank, --data-parallel-address, --data-parallel-rpc-port, --headless,
 * --enable-expert-parallel, --distributed-executor-backend, --max-model-len, --max-num-seqs,
 * --gpu-memory-utilization, --kv-cache-dtype). SGLang flags are those of
 * {@code sglang.launch_server} (ServerArgs: --tp-size, --dp-size, --pp-size, --ep-size,
 * --context-length, --max-running-requests, --mem-fraction-static, --kv-cache-dtype, --nnodes,
 * --node-rank, --dist-init-addr). Quantized checkpoints need no flag: both engines read
 * quantization_config.
 */
public final class Commands {
    /** Port vLLM's data-parallel coordinator listens on, on the head node. */
    static final String DP_RPC_PORT = "13345";
    /** Port SGLang's multi-node rendezvous listens on, on the head node. */
    static final String SGLANG_INIT_PORT = "5000";
    static final String HEAD_IP = "${HEAD_IP}";

    /**
     * What a command needs to know about the serving set-up.
     *
     * @param quantization      vLLM's online quantization of a 16-bit checkpoint, {@link ServingQuantization#NONE} for none
     * @param languageModelOnly serve the language model without its encoder tower ({@code --language-model-only})
     * @param speculative       the speculative decoding to launch with ({@link SpeculativeDecoding#NONE}: none)
     * @param blockSize         vLLM's {@code --block-size}, null to leave it to vLLM
     */
    public record Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                          double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, ServingQuantization quantization,
                          boolean languageModelOnly, Double sglangMemFractionStatic, Double trtllmFreeGpuMemoryFraction,
                          SpeculativeDecoding speculative, Integer blockSize, ModelRunner modelRunner) {
        public Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                       double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, ServingQuantization quantization,
                       boolean languageModelOnly, Double sglangMemFractionStatic, Double trtllmFreeGpuMemoryFraction,
                       SpeculativeDecoding speculative) {
            this(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype, quantization,
                    languageModelOnly, sglangMemFractionStatic, trtllmFreeGpuMemoryFraction, speculative, null, ModelRunner.AUTO);
        }

        public Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                       double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, ServingQuantization quantization,
                       boolean languageModelOnly) {
            this(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype, quantization,
                    languageModelOnly, null, null, SpeculativeDecoding.NONE);
        }

        /**
         * The request for serving {@code model} at {@code layout} with the engine {@code settings}: their memory
         * utilization, KV cache dtype, online quantization and speculative decoding.
         */
        public static Request of(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                                 EngineSettings settings, boolean languageModelOnly) {
            return new Request(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, settings.gpuMemoryUtilization(),
                    settings.kvCacheDtype(), settings.quantization(), languageModelOnly, null, null, settings.speculative(),
                    settings.blockSize(), settings.modelRunner());
        }

        /** The same request launched with {@code sd}. */
        public Request withSpeculative(SpeculativeDecoding sd) {
            return new Request(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype,
                    quantization, languageModelOnly, sglangMemFractionStatic, trtllmFreeGpuMemoryFraction, sd, blockSize, modelRunner);
        }

        public Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                       double gpuMemoryUtilization, KvCacheDtype kvCacheDtype) {
            this(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype,
                    ServingQuantization.NONE, false);
        }

        /**
         * The SGLang and TensorRT-LLM memory flags that give the KV cache vLLM gets for {@code e} on GPUs
         * of {@code gpuMemoryBytes} ({@link EngineViews}); left to the engine's default where its pool
         * for the model is not modelled. The block size goes with it where vLLM must be given it.
         */
        public Request withMemory(MemoryEstimate e, long gpuMemoryBytes) {
            Integer block = e.blockSizeRequired() ? Integer.valueOf(e.blockSize()) : blockSize;
            Double sglang = sglangMemFractionStatic;
            Double trtllm = trtllmFreeGpuMemoryFraction;
            if (e.fits() && EngineViews.sglangUnmodelled(e) == null) {
                sglang = EngineViews.sglang(e, gpuMemoryBytes).matchingMemFractionStatic();
            }
            if (e.fits() && EngineViews.trtllmUnmodelled(e) == null) {
                trtllm = EngineViews.trtllm(e, gpuMemoryBytes, maxNumSeqs).matchingFraction();
            }
            return new Request(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype,
                    quantization, languageModelOnly, sglang, trtllm, speculative, block, modelRunner);
        }
    }

    private Commands() {
    }

    /** vLLM's KV connector for prefill/decode disaggregation: NIXL (UCX over RDMA or NVLink), in vLLM from 0.9.0. */
    static final String VLLM_KV_TRANSFER = "{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}";
    /** Ports of the workers and of the router in front of them (the engines' documented examples). */
    static final int VLLM_PREFILL_PORT = 8100;
    static final int VLLM_DECODE_PORT = 8200;
    static final int SGLANG_PREFILL_PORT = 30000;
    static final int SGLANG_DECODE_PORT = 30001;
    static final int ROUTER_PORT = 8000;
    static final int TRTLLM_PREFILL_PORT = 8001;
    static final int TRTLLM_DECODE_PORT = 8002;

    /**
     * Prefill/decode disaggregation: the command of every prefill worker and of every decode worker (each a deployment
     * of its pool's layout), the router that sends each request to a prefill worker and then a decode worker, and what to
     * do first.
     */
    public record Disaggregated(Deployment prefill, int prefillWorkers, Deployment decode, int decodeWorkers, String router,
                                List<String> notes) {
        public Disaggregated {
            notes = List.copyOf(notes);
        }
    }

    /**
     * vLLM workers with the NIXL connector ({@code --kv-transfer-config}, vLLM docs/features/nixl_connector_usage.md) and
     * vllm-router in its PD mode (vllm-project/router: {@code --vllm-pd-disaggregation --prefill URL --decode URL}).
     */
    public static Disaggregated vllmDisaggregated(Request prefill, int prefillWorkers, Request decode, int decodeWorkers) {
        return disaggregated(vllm(prefill).withOption("--port", String.valueOf(VLLM_PREFILL_PORT))
                        .withOption("--kv-transfer-config", VLLM_KV_TRANSFER), prefillWorkers, VLLM_PREFILL_PORT,
                vllm(decode).withOption("--port", String.valueOf(VLLM_DECODE_PORT)).withOption("--kv-transfer-config", VLLM_KV_TRANSFER),
                decodeWorkers, VLLM_DECODE_PORT, new ArgList().words("vllm-router", "--vllm-pd-disaggregation"),
                "NixlConnector needs vLLM 0.9.0 or later; where prefill and decode workers are on different machines set "
                        + "VLLM_NIXL_SIDE_CHANNEL_HOST to each worker's own address, and on a shared host give each worker its own "
                        + "VLLM_NIXL_SIDE_CHANNEL_PORT (default 5600)");
    }

    /**
     * SGLang workers in disaggregation mode over NIXL ({@code --disaggregation-mode prefill|decode},
     * {@code --disaggregation-transfer-backend}; SGLang docs/advanced_features/pd_disaggregation.md) and its router in PD
     * mode ({@code python -m sglang_router.launch_router --pd-disaggregation}).
     */
    public static Disaggregated sglangDisaggregated(Request prefill, int prefillWorkers, Request decode, int decodeWorkers) {
        return disaggregated(sglang(prefill).withOption("--disaggregation-mode", "prefill")
                        .withOption("--disaggregation-transfer-backend", "nixl").withOption("--port", String.valueOf(SGLANG_PREFILL_PORT)),
                prefillWorkers, SGLANG_PREFILL_PORT, sglang(decode).withOption("--disaggregation-mode", "decode")
                        .withOption("--disaggregation-transfer-backend", "nixl").withOption("--port", String.valueOf(SGLANG_DECODE_PORT)),
                decodeWorkers, SGLANG_DECODE_PORT, new ArgList().words("python", "-m", "sglang_router.launch_router", "--pd-disaggregation"),
                "the workers bootstrap the KV transfer on port 8998 (--disaggregation-bootstrap-port); with Mooncake instead of "
                        + "NIXL pass --disaggregation-transfer-backend mooncake and --disaggregation-ib-device");
    }

    /**
     * TensorRT-LLM's disaggregated serving (TensorRT-LLM docs/source/features/disagg-serving.md): every worker a
     * {@code trtllm-serve} of its pool's layout with an options file naming the KV cache transceiver (context workers also
     * without the overlap scheduler; {@code --extra_llm_api_options}, which newer releases also call {@code --config}),
     * and {@code trtllm-serve disaggregated -c disagg_config.yaml} in front, the file listing both pools' URLs. The files
     * are given in the notes as one-line YAML.
     */
    public static Disaggregated trtllmDisaggregated(Request prefill, int prefillWorkers, Request decode, int decodeWorkers) {
        // The workers' speculative decoding goes in their options files (ctx.yml, gen.yml), not in a spec.yml of its own.
        Deployment p = trtllm(prefill.withSpeculative(SpeculativeDecoding.NONE)).withOption("--host", "0.0.0.0").withOption("--port", String.valueOf(TRTLLM_PREFILL_PORT))
                .withOption("--extra_llm_api_options", "ctx.yml");
        Deployment d = trtllm(decode.withSpeculative(SpeculativeDecoding.NONE)).withOption("--host", "0.0.0.0").withOption("--port", String.valueOf(TRTLLM_DECODE_PORT))
                .withOption("--extra_llm_api_options", "gen.yml");
        String router = new ArgList().words("trtllm-serve", "disaggregated", "-c", "disagg_config.yaml").line();
        String speculative = decode.speculative().enabled() ? ", " + trtllmSpeculativeConfig(decode.speculative()) : "";
        return new Disaggregated(p, prefillWorkers, d, decodeWorkers, router, List.of(
                "start " + prefillWorkers + " context worker(s) and " + decodeWorkers + " generation worker(s), then the router;"
                        + " ${PREFILL_n} and ${DECODE_n} are their hosts",
                "ctx.yml: {disable_overlap_scheduler: true, cache_transceiver_config: {backend: UCX}" + speculative + "}",
                "gen.yml: {cache_transceiver_config: {backend: UCX}" + speculative + "}",
                "disagg_config.yaml: {hostname: 0.0.0.0, port: " + ROUTER_PORT + ", backend: pytorch, context_servers: "
                        + "{num_instances: " + prefillWorkers + ", urls: [" + urls("PREFILL", prefillWorkers, TRTLLM_PREFILL_PORT)
                        + "]}, generation_servers: {num_instances: " + decodeWorkers + ", urls: ["
                        + urls("DECODE", decodeWorkers, TRTLLM_DECODE_PORT) + "]}}"));
    }

    /** {@code "${NAME_1}:port", ...} for a YAML list. */
    private static String urls(String name, int workers, int port) {
        List<String> out = new ArrayList<>(workers);
        for (int i = 1; i <= workers; i++) {
            out.add("\"${" + name + "_" + i + "}:" + port + "\"");
        }
        return String.join(", ", out);
    }

    /** Both pools' workers, the router (its command so far, every worker's URL added) and the engine's own note. */
    private static Disaggregated disaggregated(Deployment prefill, int prefillWorkers, int prefillPort, Deployment decode,
                                               int decodeWorkers, int decodePort, ArgList router, String engineNote) {
        addWorkers(router, "--prefill", "PREFILL", prefillWorkers, prefillPort);
        addWorkers(router, "--decode", "DECODE", decodeWorkers, decodePort);
        router.words("--host", "0.0.0.0").option("--port", ROUTER_PORT);
        return new Disaggregated(prefill, prefillWorkers, decode, decodeWorkers, router.line(), List.of(
                "start " + prefillWorkers + " prefill worker(s) and " + decodeWorkers + " decode worker(s), then the router;"
                        + " ${PREFILL_n} and ${DECODE_n} are their hosts", engineNote));
    }

    /** One {@code flag http://${NAME_n}:port} per worker, hosts left to the shell. */
    private static void addWorkers(ArgList router, String flag, String name, int workers, int port) {
        for (int i = 1; i <= workers; i++) {
            router.word(flag).word("http://${" + name + "_" + i + "}:" + port);
        }
    }

    public static Deployment vllm(Request r) {
        Deployment d = vllmCommands(r);
        if (r.modelRunner() == ModelRunner.AUTO) {
            return d;
        }
        // VLLM_USE_V2_MODEL_RUNNER is read from the environment of every vLLM process (vllm/envs.py).
        List<String> notes = new ArrayList<>(d.notes());
        notes.add(0, "export VLLM_USE_V2_MODEL_RUNNER=" + r.modelRunner().envValue() + " before every command (the "
                + (r.modelRunner() == ModelRunner.V1 ? "original" : "new") + " model runner, as these figures assume)");
        return new Deployment(d.engine(), d.nodeCommands(), d.rendered(), notes);
    }

    private static Deployment vllmCommands(Request r) {
        Layout l = r.layout();
        ArgList base = new ArgList().words("vllm", "serve").value(r.model()).option("--tensor-parallel-size", l.tp());
        if (l.pp() > 1) {
            base.option("--pipeline-parallel-size", l.pp());
        }
        if (l.expertParallel()) {
            base.word("--enable-expert-parallel");
        }
        base.option("--max-model-len", r.maxModelLen()).option("--max-num-seqs", r.maxNumSeqs())
                .word("--gpu-memory-utilization").word(fraction(r.gpuMemoryUtilization()));
        if (r.kvCacheDtype() == KvCacheDtype.FP8) {
            base.words("--kv-cache-dtype", "fp8");
        }
        if (r.blockSize() != null) {
            base.option("--block-size", r.blockSize());
        }
        if (r.quantization() != ServingQuantization.NONE) {
            base.words("--quantization", r.quantization().key());
        }
        if (r.languageModelOnly()) {
            base.word("--language-model-only");
        }
        if (r.speculative().enabled()) {
            base.option("--speculative-config", vllmSpeculativeConfig(r.speculative()));
        }
        int replica = l.gpusPerReplica();
        if (replica > r.gpusPerNode()) {
            // One replica spans nodes: vLLM runs its workers on a Ray cluster; DP replicas each need their own.
            base.words("--distributed-executor-backend", "ray");
            List<String> notes = new ArrayList<>(List.of(
                    "each replica spans " + nodes(replica, r.gpusPerNode()) + " nodes: start a Ray cluster over them "
                            + "('ray start --head --port=6379' on the first, 'ray start --address=${HEAD_IP}:6379' on the others) "
                            + "and run the command on the head node"));
            if (l.dp() > 1) {
                notes.add("run " + l.dp() + " such replicas (one Ray cluster each) behind a load balancer");
            }
            return Deployment.of("vllm", List.of(base), notes);
        }
        if (l.dp() == 1 || l.totalGpus() <= r.gpusPerNode()) {
            if (l.dp() > 1) {
                base.option("--data-parallel-size", l.dp());
            }
            return Deployment.of("vllm", List.of(base), List.of());
        }
        // Data parallelism across nodes: every node runs its local replicas; node 0 hosts the API server.
        int localDp = Math.max(1, r.gpusPerNode() / replica);
        int nodes = (l.dp() + localDp - 1) / localDp;
        List<ArgList> perNode = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            int here = Math.min(localDp, l.dp() - n * localDp);
            ArgList cmd = base.copy().option("--data-parallel-size", l.dp()).option("--data-parallel-size-local", here)
                    .option("--data-parallel-address", HEAD_IP).word("--data-parallel-rpc-port").word(DP_RPC_PORT);
            if (n > 0) {
                cmd.option("--data-parallel-start-rank", n * localDp).word("--headless");
            }
            perNode.add(cmd);
        }
        return Deployment.of("vllm", perNode, List.of("set HEAD_IP to node 0's address on every node; "
                + "run command i on node i"));
    }

    public static Deployment sglang(Request r) {
        Layout l = r.layout();
        ArgList base = new ArgList().words("python", "-m", "sglang.launch_server").option("--model-path", r.model())
                .option("--tp-size", l.tp());
        if (l.pp() > 1) {
            base.option("--pp-size", l.pp());
        }
        if (l.dp() > 1) {
            base.option("--dp-size", l.dp());
        }
        if (l.expertParallel()) {
            base.option("--ep-size", l.expertParallelSize());
        }
        base.option("--context-length", r.maxModelLen()).option("--max-running-requests", r.maxNumSeqs() * l.dp());
        List<String> notes = new ArrayList<>();
        // --mem-fraction-static is weights plus KV pool over total memory, not vLLM's utilization (EngineViews).
        if (r.sglangMemFractionStatic() != null) {
            base.word("--mem-fraction-static").word(fraction(r.sglangMemFractionStatic()));
        } else {
            notes.add("SGLang picks its own --mem-fraction-static: its KV pool for this model is not sized here");
        }
        if (r.kvCacheDtype() == KvCacheDtype.FP8) {
            base.words("--kv-cache-dtype", "fp8_e4m3");
        }
        switch (r.quantization()) {
            case NONE -> { }
            // SGLang's --quantization fp8 is the same per-tensor online recipe (ServerArgs choices).
            case FP8, FP8_PER_TENSOR -> base.words("--quantization", "fp8");
            default -> notes.add("SGLang has no online '" + r.quantization().key() + "' scheme: serve a checkpoint "
                    + "quantized offline, or expect the 16-bit weights' memory");
        }
        if (r.languageModelOnly()) {
            notes.add("SGLang loads the encoder tower too: its memory is not left out there");
        }
        SpeculativeDecoding sd = r.speculative();
        if (sd.method() == SpeculativeDecoding.Method.EAGLE3) {
            int k = sd.numSpeculativeTokens();
            base.words("--speculative-algorithm", "EAGLE3").option("--speculative-draft-model-path", sd.draftModel())
                    .option("--speculative-num-steps", k).option("--speculative-eagle-topk", 1)
                    .option("--speculative-num-draft-tokens", k + 1);
        } else if (sd.method() == SpeculativeDecoding.Method.MTP) {
            // SGLang drafts with the checkpoint's MTP layers under EAGLE (NEXTN is its alias); a chain of k tokens is
            // k steps of top-1 with k + 1 tokens to verify (docs/basic_usage/deepseek_v3.md, server_args.py).
            int k = sd.numSpeculativeTokens();
            base.words("--speculative-algorithm", "EAGLE").option("--speculative-num-steps", k)
                    .option("--speculative-eagle-topk", 1).option("--speculative-num-draft-tokens", k + 1);
            notes.add("SGLang keeps the drafter's KV cache in a pool of its own beside --mem-fraction-static's, and captures"
                    + " speculative CUDA graphs up to 48 running requests unless --cuda-graph-max-bs says more");
        } else if (sd.method() == SpeculativeDecoding.Method.NGRAM) {
            base.words("--speculative-algorithm", "NGRAM");
            notes.add("SGLang's n-gram drafter sizes its drafts with its own flags (--speculative-num-draft-tokens, "
                    + "--speculative-ngram-*): the " + sd.numSpeculativeTokens() + " draft token(s) modelled here are vLLM's");
        }
        int nodes = nodes(l.totalGpus(), r.gpusPerNode());
        if (nodes == 1) {
            return Deployment.of("sglang", List.of(base), notes);
        }
        List<ArgList> perNode = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            perNode.add(base.copy().option("--nnodes", nodes).option("--node-rank", n)
                    .option("--dist-init-addr", HEAD_IP + ":" + SGLANG_INIT_PORT));
        }
        notes.add("set HEAD_IP to node 0's address; run command i on node i");
        return Deployment.of("sglang", perNode, notes);
    }

    /**
     * TensorRT-LLM's OpenAI-compatible server on its PyTorch backend (trtllm-serve options --backend,
     * --tp_size, --pp_size, --ep_size, --max_batch_size, --max_seq_len, --kv_cache_free_gpu_memory_fraction).
     * One command per replica; replicas beyond one node run under MPI (trtllm-llmapi-launch).
     */
    public static Deployment trtllm(Request r) {
        Layout l = r.layout();
        ArgList cmd = new ArgList().word("trtllm-serve").value(r.model()).words("--backend", "pytorch")
                .option("--tp_size", l.tp()).option("--pp_size", l.pp());
        if (l.expertParallel()) {
            cmd.option("--ep_size", l.tp());
        }
        cmd.option("--max_batch_size", r.maxNumSeqs()).option("--max_seq_len", r.maxModelLen());
        List<String> notes = new ArrayList<>();
        // A fraction of the memory free after weights and activations, not of the total (EngineViews).
        if (r.trtllmFreeGpuMemoryFraction() != null) {
            cmd.word("--kv_cache_free_gpu_memory_fraction").word(fraction(r.trtllmFreeGpuMemoryFraction()));
        } else {
            notes.add("TensorRT-LLM keeps its default kv_cache_free_gpu_memory_fraction (0.9 of the memory free after "
                    + "weights and activations): its KV cache for this model is not sized here");
        }
        if (r.speculative().enabled()) {
            cmd.option("--extra_llm_api_options", "spec.yml");
            notes.add("spec.yml: {" + trtllmSpeculativeConfig(r.speculative()) + "}");
        }
        if (l.gpusPerReplica() > r.gpusPerNode()) {
            notes.add("a replica spans " + nodes(l.gpusPerReplica(), r.gpusPerNode()) + " nodes: launch it with mpirun -n "
                    + l.gpusPerReplica() + " (or srun) in front of trtllm-llmapi-launch");
        }
        if (l.dp() > 1) {
            notes.add("run " + l.dp() + " replicas behind a load balancer");
        }
        if (r.quantization() != ServingQuantization.NONE) {
            notes.add("trtllm-serve does not quantize at load time: quantize the checkpoint to "
                    + r.quantization().key() + " with NVIDIA ModelOpt first and serve that");
        }
        return Deployment.of("trtllm", List.of(cmd), notes);
    }

    /**
     * vLLM's {@code --speculative-config} JSON: {@code method} {@code mtp} (the unified name of every model's MTP drafter
     * since vLLM PR #25232, 0.11.0) or {@code ngram} (prompt lookup, vLLM's default window), and
     * {@code num_speculative_tokens}, which vLLM requires for MTP; for {@code eagle3} the draft head as {@code model}.
     */
    static String vllmSpeculativeConfig(SpeculativeDecoding sd) {
        String model = sd.draftModel() == null ? "" : ",\"model\":\"" + jsonEscaped(sd.draftModel()) + "\"";
        return "{\"method\":\"" + sd.method().key() + "\"" + model + ",\"num_speculative_tokens\":"
                + sd.numSpeculativeTokens() + "}";
    }

    private static String jsonEscaped(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /**
     * TensorRT-LLM's {@code speculative_config} (llmapi llm_args.py, docs/source/features/speculative-decoding.md):
     * {@code MTP} with {@code num_nextn_predict_layers} draft tokens (one MTP layer is reused that many times, EAGLE
     * style), {@code Eagle3} with {@code max_draft_len} and the draft head as {@code speculative_model} (2026 docs; older
     * releases call it {@code speculative_model_dir}, kept as an alias), or {@code NGram} with {@code max_draft_len} and,
     * as vLLM's default prompt-lookup window, n-grams of 5.
     */
    static String trtllmSpeculativeConfig(SpeculativeDecoding sd) {
        int k = sd.numSpeculativeTokens();
        return switch (sd.method()) {
            case MTP -> "speculative_config: {decoding_type: MTP, num_nextn_predict_layers: " + k + "}";
            case EAGLE3 -> "speculative_config: {decoding_type: Eagle3, max_draft_len: " + k + ", speculative_model: "
                    + sd.draftModel() + "}";
            case NGRAM -> "speculative_config: {decoding_type: NGram, max_draft_len: " + k + ", max_matching_ngram_size: "
                    + VLLM_PROMPT_LOOKUP + "}";
            case NONE -> throw new IllegalArgumentException("no speculative decoding");
        };
    }

    /** vLLM's prompt-lookup n-gram size when neither bound is given (SpeculativeConfig: prompt_lookup_min = max = 5). */
    static final int VLLM_PROMPT_LOOKUP = 5;

    private static int nodes(int gpus, int perNode) {
        return (gpus + perNode - 1) / perNode;
    }

    /** A fraction in (0, 1] with at most 4 decimals and no trailing zeros: 0.9, 0.95, 1.0. */
    static String fraction(double v) {
        long tenThousandths = Math.round(v * 10_000);
        StringBuilder b = new StringBuilder().append(tenThousandths / 10_000).append('.');
        long rest = tenThousandths % 10_000;
        if (rest == 0) {
            return b.append('0').toString();
        }
        String digits = Long.toString(10_000 + rest).substring(1);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        return b.append(digits, 0, end).toString();
    }
}

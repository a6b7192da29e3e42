package dev.autoparallel.deploy;

import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.Layout;
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
     */
    public record Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                          double gpuMemoryUtilization, KvCacheDtype kvCacheDtype, ServingQuantization quantization,
                          boolean languageModelOnly) {
        public Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                       double gpuMemoryUtilization, KvCacheDtype kvCacheDtype) {
            this(model, layout, gpusPerNode, maxModelLen, maxNumSeqs, gpuMemoryUtilization, kvCacheDtype,
                    ServingQuantization.NONE, false);
        }
    }

    private Commands() {
    }

    public static Deployment vllm(Request r) {
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
        if (r.quantization() != ServingQuantization.NONE) {
            base.words("--quantization", r.quantization().key());
        }
        if (r.languageModelOnly()) {
            base.word("--language-model-only");
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
        base.option("--context-length", r.maxModelLen()).option("--max-running-requests", r.maxNumSeqs() * l.dp())
                .word("--mem-fraction-static").word(fraction(r.gpuMemoryUtilization()));
        if (r.kvCacheDtype() == KvCacheDtype.FP8) {
            base.words("--kv-cache-dtype", "fp8_e4m3");
        }
        List<String> notes = new ArrayList<>();
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
        cmd.option("--max_batch_size", r.maxNumSeqs()).option("--max_seq_len", r.maxModelLen())
                .word("--kv_cache_free_gpu_memory_fraction").word(fraction(r.gpuMemoryUtilization()));
        List<String> notes = new ArrayList<>();
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

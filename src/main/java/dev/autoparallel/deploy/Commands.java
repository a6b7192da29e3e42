package dev.autoparallel.deploy;

import dev.autoparallel.memory.KvCacheDtype;
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

    /** What a command needs to know about the serving set-up. */
    public record Request(String model, Layout layout, int gpusPerNode, int maxModelLen, int maxNumSeqs,
                          double gpuMemoryUtilization, KvCacheDtype kvCacheDtype) {
    }

    private Commands() {
    }

    public static Deployment vllm(Request r) {
        Layout l = r.layout();
        List<String> base = new ArrayList<>(28);
        base.addAll(List.of("vllm", "serve", r.model(), "--tensor-parallel-size", Integer.toString(l.tp())));
        if (l.pp() > 1) {
            base.addAll(List.of("--pipeline-parallel-size", Integer.toString(l.pp())));
        }
        if (l.expertParallel()) {
            base.add("--enable-expert-parallel");
        }
        base.addAll(List.of("--max-model-len", Integer.toString(r.maxModelLen()),
                "--max-num-seqs", Integer.toString(r.maxNumSeqs()),
                "--gpu-memory-utilization", fraction(r.gpuMemoryUtilization())));
        if (r.kvCacheDtype() == KvCacheDtype.FP8) {
            base.addAll(List.of("--kv-cache-dtype", "fp8"));
        }
        int replica = l.gpusPerReplica();
        if (replica > r.gpusPerNode()) {
            // One replica spans nodes: vLLM runs its workers on a Ray cluster; DP replicas each need their own.
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of("--distributed-executor-backend", "ray"));
            List<String> notes = new ArrayList<>(List.of(
                    "each replica spans " + nodes(replica, r.gpusPerNode()) + " nodes: start a Ray cluster over them "
                            + "('ray start --head --port=6379' on the first, 'ray start --address=${HEAD_IP}:6379' on the others) "
                            + "and run the command on the head node"));
            if (l.dp() > 1) {
                notes.add("run " + l.dp() + " such replicas (one Ray cluster each) behind a load balancer");
            }
            return new Deployment("vllm", List.of(cmd), notes);
        }
        if (l.dp() == 1 || l.totalGpus() <= r.gpusPerNode()) {
            List<String> cmd = new ArrayList<>(base);
            if (l.dp() > 1) {
                cmd.addAll(List.of("--data-parallel-size", Integer.toString(l.dp())));
            }
            return new Deployment("vllm", List.of(cmd), List.of());
        }
        // Data parallelism across nodes: every node runs its local replicas; node 0 hosts the API server.
        int localDp = Math.max(1, r.gpusPerNode() / replica);
        int nodes = (l.dp() + localDp - 1) / localDp;
        List<List<String>> perNode = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            int here = Math.min(localDp, l.dp() - n * localDp);
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of("--data-parallel-size", Integer.toString(l.dp()),
                    "--data-parallel-size-local", Integer.toString(here),
                    "--data-parallel-address", HEAD_IP,
                    "--data-parallel-rpc-port", DP_RPC_PORT));
            if (n > 0) {
                cmd.addAll(List.of("--data-parallel-start-rank", Integer.toString(n * localDp), "--headless"));
            }
            perNode.add(cmd);
        }
        return new Deployment("vllm", perNode, List.of("set HEAD_IP to node 0's address on every node; "
                + "run command i on node i"));
    }

    public static Deployment sglang(Request r) {
        Layout l = r.layout();
        List<String> base = new ArrayList<>(28);
        base.addAll(List.of("python", "-m", "sglang.launch_server", "--model-path", r.model(),
                "--tp-size", Integer.toString(l.tp())));
        if (l.pp() > 1) {
            base.addAll(List.of("--pp-size", Integer.toString(l.pp())));
        }
        if (l.dp() > 1) {
            base.addAll(List.of("--dp-size", Integer.toString(l.dp())));
        }
        if (l.expertParallel()) {
            base.addAll(List.of("--ep-size", Integer.toString(l.expertParallelSize())));
        }
        base.addAll(List.of("--context-length", Integer.toString(r.maxModelLen()),
                "--max-running-requests", Integer.toString(r.maxNumSeqs() * l.dp()),
                "--mem-fraction-static", fraction(r.gpuMemoryUtilization())));
        if (r.kvCacheDtype() == KvCacheDtype.FP8) {
            base.addAll(List.of("--kv-cache-dtype", "fp8_e4m3"));
        }
        int nodes = nodes(l.totalGpus(), r.gpusPerNode());
        if (nodes == 1) {
            return new Deployment("sglang", List.of(base), List.of());
        }
        List<List<String>> perNode = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of("--nnodes", Integer.toString(nodes), "--node-rank", Integer.toString(n),
                    "--dist-init-addr", HEAD_IP + ":" + SGLANG_INIT_PORT));
            perNode.add(cmd);
        }
        return new Deployment("sglang", perNode, List.of("set HEAD_IP to node 0's address; run command i on node i"));
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

package dev.autoparallel.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.ModelRunner;
import dev.autoparallel.memory.SpeculativeDecoding;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandsTest {
    /**
     * `vllm serve` options used here, as defined by EngineArgs.add_cli_args in vllm/engine/arg_utils.py
     * (parallel, scheduler, cache and model groups of the 0.2x releases) and the serve entry point (--headless).
     */
    static final Set<String> VLLM_FLAGS = Set.of("--tensor-parallel-size", "--pipeline-parallel-size",
            "--data-parallel-size", "--data-parallel-size-local", "--data-parallel-start-rank",
            "--data-parallel-address", "--data-parallel-rpc-port", "--headless", "--enable-expert-parallel",
            "--distributed-executor-backend", "--max-model-len", "--max-num-seqs", "--gpu-memory-utilization",
            "--kv-cache-dtype", "--speculative-config");

    private static Commands.Request req(Layout l, int perNode) {
        return new Commands.Request("meta-llama/Llama-3.1-70B-Instruct", l, perNode, 8192, 64, 0.9, KvCacheDtype.FP8);
    }

    private static void onlyKnownFlags(List<String> cmd) {
        for (String a : cmd) {
            if (a.startsWith("--")) {
                assertTrue(VLLM_FLAGS.contains(a), "unknown vllm flag " + a);
            }
        }
    }

    /**
     * Prefill/decode disaggregation: vLLM workers carry the NIXL connector (vLLM docs/features/nixl_connector_usage.md) on
     * ports 8100 and 8200 and vllm-router lists every worker (vllm-project/router); SGLang workers run in disaggregation
     * mode over NIXL and its router in PD mode (SGLang docs/advanced_features/pd_disaggregation.md).
     */
    @Test
    void disaggregated_workersCarryTheKvTransfer_andTheRouterListsThemAll() {
        Commands.Disaggregated v = Commands.vllmDisaggregated(req(new Layout(2, 1, 1, false), 8), 2, req(new Layout(8, 1, 1, false), 8), 1);
        assertEquals("vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 2 --max-model-len 8192 --max-num-seqs 64"
                + " --gpu-memory-utilization 0.9 --kv-cache-dtype fp8 --port 8100 --kv-transfer-config"
                + " '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}'", v.prefill().command());
        assertTrue(v.decode().command().contains("--tensor-parallel-size 8") && v.decode().command().contains("--port 8200"),
                v.decode().command());
        assertEquals("vllm-router --vllm-pd-disaggregation --prefill http://${PREFILL_1}:8100 --prefill http://${PREFILL_2}:8100"
                + " --decode http://${DECODE_1}:8200 --host 0.0.0.0 --port 8000", v.router());
        assertEquals(2, v.prefillWorkers());
        Commands.Disaggregated s = Commands.sglangDisaggregated(req(new Layout(2, 1, 1, false), 8), 1, req(new Layout(4, 1, 1, false), 8), 3);
        assertTrue(s.prefill().command().endsWith("--disaggregation-mode prefill --disaggregation-transfer-backend nixl --port 30000"),
                s.prefill().command());
        assertTrue(s.decode().command().contains("--disaggregation-mode decode"), s.decode().command());
        assertTrue(s.router().startsWith("python -m sglang_router.launch_router --pd-disaggregation --prefill http://${PREFILL_1}:30000"
                + " --decode http://${DECODE_1}:30001 --decode http://${DECODE_2}:30001"), s.router());
        // TensorRT-LLM (docs/source/features/disagg-serving.md): context and generation workers with their transceiver
        // options, trtllm-serve disaggregated in front of the URLs its file lists.
        Commands.Disaggregated t = Commands.trtllmDisaggregated(req(new Layout(2, 1, 1, false), 8), 2, req(new Layout(8, 1, 1, false), 8), 1);
        assertTrue(t.prefill().command().startsWith("trtllm-serve meta-llama/Llama-3.1-70B-Instruct --backend pytorch --tp_size 2")
                && t.prefill().command().endsWith("--host 0.0.0.0 --port 8001 --extra_llm_api_options ctx.yml"), t.prefill().command());
        assertTrue(t.decode().command().endsWith("--port 8002 --extra_llm_api_options gen.yml"), t.decode().command());
        assertEquals("trtllm-serve disaggregated -c disagg_config.yaml", t.router());
        assertTrue(t.notes().contains("ctx.yml: {disable_overlap_scheduler: true, cache_transceiver_config: {backend: UCX}}"));
        assertTrue(t.notes().get(3).endsWith("context_servers: {num_instances: 2, urls: [\"${PREFILL_1}:8001\", \"${PREFILL_2}:8001\"]},"
                + " generation_servers: {num_instances: 1, urls: [\"${DECODE_1}:8002\"]}}"), t.notes().get(3));
    }

    @Test
    void singleNode_tpAndDp() {
        Deployment d = Commands.vllm(req(new Layout(4, 1, 2, false), 8));
        assertEquals("vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 4 --max-model-len 8192 "
                + "--max-num-seqs 64 --gpu-memory-utilization 0.9 --kv-cache-dtype fp8 --data-parallel-size 2", d.command());
        onlyKnownFlags(d.nodeCommands().get(0));
        assertTrue(d.notes().isEmpty());
    }

    @Test
    void dataParallelAcrossNodes_givesOneCommandPerNode() {
        Deployment d = Commands.vllm(req(new Layout(8, 1, 4, true), 8));
        assertEquals(4, d.nodeCommands().size());
        assertTrue(d.commands().get(0).contains("--data-parallel-address \"${HEAD_IP}\""), d.commands().get(0));
        assertTrue(d.commands().get(3).endsWith("--data-parallel-start-rank 3 --headless"), d.commands().get(3));
        d.nodeCommands().forEach(CommandsTest::onlyKnownFlags);
    }

    @Test
    void replicaSpanningNodes_usesRay() {
        Deployment d = Commands.vllm(req(new Layout(8, 2, 1, false), 8));
        assertTrue(d.command().contains("--distributed-executor-backend ray"));
        assertTrue(d.notes().get(0).contains("ray start --head"));
    }

    @Test
    void sglang_usesItsOwnFlags() {
        // Without a memory view SGLang keeps its own default (vLLM's utilization is not SGLang's fraction).
        Deployment own = Commands.sglang(req(new Layout(8, 1, 2, false), 8));
        assertTrue(!own.command().contains("--mem-fraction-static"), own.command());
        Commands.Request r = req(new Layout(8, 1, 2, false), 8);
        Deployment d = Commands.sglang(new Commands.Request(r.model(), r.layout(), r.gpusPerNode(), r.maxModelLen(),
                r.maxNumSeqs(), r.gpuMemoryUtilization(), r.kvCacheDtype(), r.quantization(), r.languageModelOnly(), 0.9, 0.85,
                SpeculativeDecoding.NONE));
        assertEquals(2, d.nodeCommands().size());
        assertTrue(d.command().startsWith("python -m sglang.launch_server --model-path meta-llama/Llama-3.1-70B-Instruct "
                + "--tp-size 8 --dp-size 2 --context-length 8192 --max-running-requests 128 --mem-fraction-static 0.9"), d.command());
    }

    @Test
    void shellQuoting_onlyWhenNeeded() {
        assertEquals("vllm serve '/models/my model' 'it'\"'\"'s'", ShellQuote.render(List.of("vllm", "serve", "/models/my model", "it's")));
        assertEquals("0.95", Commands.fraction(0.95));
        assertEquals("0.9", Commands.fraction(0.9));
    }

    @Test
    void speculativeDecodingReachesEveryEngine() {
        // DeepSeek's MTP drafter with two draft tokens at given rates.
        SpeculativeDecoding mtp = SpeculativeDecoding.of(SpeculativeDecoding.Method.MTP, 2, List.of(0.8, 0.6));
        Commands.Request r = new Commands.Request("deepseek-ai/DeepSeek-V3", new Layout(8, 1, 1, false), 8, 4096, 64, 0.9,
                KvCacheDtype.AUTO).withSpeculative(mtp);
        // vLLM: the unified method name and the draft length it requires (vllm/config/speculative.py).
        Deployment v = Commands.vllm(r);
        onlyKnownFlags(v.nodeCommands().get(0));
        int i = v.nodeCommands().get(0).indexOf("--speculative-config");
        assertEquals("{\"method\":\"mtp\",\"num_speculative_tokens\":2}", v.nodeCommands().get(0).get(i + 1));
        assertTrue(v.command().contains("--speculative-config '{\"method\":\"mtp\",\"num_speculative_tokens\":2}'"),
                v.command());
        // SGLang: EAGLE over the MTP layers, a chain of two top-1 steps and three tokens to verify.
        Deployment s = Commands.sglang(r);
        assertTrue(s.command().contains("--speculative-algorithm EAGLE --speculative-num-steps 2 --speculative-eagle-topk 1"
                + " --speculative-num-draft-tokens 3"), s.command());
        // TensorRT-LLM: the options file carries speculative_config.
        Deployment t = Commands.trtllm(r);
        assertTrue(t.command().contains("--extra_llm_api_options spec.yml"), t.command());
        assertTrue(t.notes().contains("spec.yml: {speculative_config: {decoding_type: MTP, num_nextn_predict_layers: 2}}"),
                t.notes().toString());
        // Disaggregated TensorRT-LLM: both pools' option files, no second options flag.
        Commands.Disaggregated d = Commands.trtllmDisaggregated(r, 1, r, 1);
        assertEquals(1, d.decode().command().split("--extra_llm_api_options", -1).length - 1, d.decode().command());
        assertTrue(d.notes().stream().anyMatch(n -> n.startsWith("gen.yml") && n.contains("decoding_type: MTP")), d.notes().toString());
        assertTrue(d.notes().stream().anyMatch(n -> n.startsWith("ctx.yml") && n.contains("decoding_type: MTP")), d.notes().toString());
        // N-gram drafting: vLLM's prompt lookup; TensorRT-LLM's NGram with vLLM's default window.
        Commands.Request n = r.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.NGRAM, 3, List.of(0.5)));
        assertTrue(Commands.vllm(n).command().contains("{\"method\":\"ngram\",\"num_speculative_tokens\":3}"));
        assertTrue(Commands.sglang(n).command().contains("--speculative-algorithm NGRAM"));
        assertTrue(Commands.trtllm(n).notes().contains(
                "spec.yml: {speculative_config: {decoding_type: NGram, max_draft_len: 3, max_matching_ngram_size: 5}}"));
        // EAGLE-3: the head by id in every engine's own key.
        Commands.Request e = r.withSpeculative(SpeculativeDecoding.of(SpeculativeDecoding.Method.EAGLE3, 3, List.of(0.7),
                "RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3"));
        assertTrue(Commands.vllm(e).command().contains("{\"method\":\"eagle3\",\"model\":"
                + "\"RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3\",\"num_speculative_tokens\":3}"), Commands.vllm(e).command());
        assertTrue(Commands.sglang(e).command().contains("--speculative-algorithm EAGLE3 --speculative-draft-model-path "
                + "RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3 --speculative-num-steps 3 --speculative-eagle-topk 1 "
                + "--speculative-num-draft-tokens 4"), Commands.sglang(e).command());
        assertTrue(Commands.trtllm(e).notes().contains("spec.yml: {speculative_config: {decoding_type: Eagle3, max_draft_len: 3,"
                + " speculative_model: RedHatAI/Llama-3.1-8B-Instruct-speculator.eagle3}}"), Commands.trtllm(e).notes().toString());
        // Without speculative decoding none of it appears.
        assertTrue(!Commands.vllm(req(new Layout(8, 1, 1, false), 8)).command().contains("speculative"));
    }

    /**
     * A forced model runner is an environment variable of every vLLM process (vllm/envs.py VLLM_USE_V2_MODEL_RUNNER),
     * not a flag: the command is unchanged and the note says what to export, on every node of a multi-node layout too.
     */
    @Test
    void vllm_forcedModelRunner_isExportedNotFlagged() {
        EngineSettings v1 = EngineSettings.defaults().withModelRunner(ModelRunner.V1);
        Commands.Request r = Commands.Request.of("meta-llama/Llama-3.1-70B-Instruct", new Layout(8, 2, 1, false), 8, 8192, 64, v1,
                false);
        Deployment d = Commands.vllm(r);
        assertEquals(Commands.vllm(Commands.Request.of("meta-llama/Llama-3.1-70B-Instruct", new Layout(8, 2, 1, false), 8, 8192,
                64, EngineSettings.defaults(), false)).rendered(), d.rendered());
        assertTrue(d.notes().get(0).startsWith("export VLLM_USE_V2_MODEL_RUNNER=0 before every command"), d.notes().toString());
        assertTrue(d.notes().size() > 1, "the multi-node notes stay");
        Deployment auto = Commands.vllm(Commands.Request.of("meta-llama/Llama-3.1-70B-Instruct", new Layout(8, 1, 1, false), 8,
                8192, 64, EngineSettings.defaults(), false));
        assertTrue(auto.notes().isEmpty());
    }
}

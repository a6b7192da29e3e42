package dev.autoparallel.cli;

import dev.autoparallel.memory.Engine;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.KvCacheDtype;
import dev.autoparallel.memory.ModelRunner;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.memory.VllmVersion;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.source.ModelResolver;
import java.util.List;
import picocli.CommandLine.Option;

/** vLLM settings shared by the planning commands. */
final class EngineOptions {
    @Option(names = "--vllm-version", description = "vLLM release to model, 0.6 to 0.33 (default: " + "0.33.0" + ")")
    String vllmVersion;

    @Option(names = "--vllm-engine", description = "vLLM engine generation v0 or v1 (default: the version's default)")
    String engine;

    @Option(names = "--gpu-memory-utilization", description = "fraction of GPU memory vLLM may use (default: the release's,"
            + " 0.92 from vLLM 0.20, 0.9 before)")
    Double gpuMemoryUtilization;

    @Option(names = "--max-model-len", description = "vLLM --max-model-len (default: the sequence length, or the model's maximum)")
    Integer maxModelLen;

    @Option(names = "--max-num-seqs", description = "vLLM --max-num-seqs (default: the batch per replica, or vLLM's default)")
    Integer maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", description = "vLLM --max-num-batched-tokens (default: vLLM's default)")
    Integer maxNumBatchedTokens;

    @Option(names = "--kv-cache-dtype", defaultValue = "auto", description = "auto or fp8 (default: ${DEFAULT-VALUE})")
    String kvCacheDtype;

    @Option(names = "--block-size", description = "vLLM --block-size (default: 16, 64 for MLA)")
    Integer blockSize;

    @Option(names = "--quantization", description = "vLLM's online quantization of a 16-bit checkpoint: none, fp8, "
            + "fp8_per_tensor, fp8_per_block, mxfp8 or mxfp4 (default: none, the checkpoint as stored)")
    String quantization;

    @Option(names = "--language-model-only", description = "serve a multimodal model's language model only: its "
            + "vision tower is not loaded (vLLM --language-model-only)")
    boolean languageModelOnly;

    @Option(names = "--speculative-method", defaultValue = "none", description = "speculative decoding: none, mtp (the "
            + "checkpoint's multi-token-prediction layers draft), eagle3 (an EAGLE-3 head, --speculative-draft-model) or "
            + "ngram (prompt lookup) (default: ${DEFAULT-VALUE})")
    String speculativeMethod;

    @Option(names = "--speculative-draft-model", description = "the EAGLE-3 head's Hub id or local path (vLLM's "
            + "speculative model), read from the catalog, a local folder, the HF cache or the Hub")
    String speculativeDraftModel;

    @Option(names = "--num-speculative-tokens", description = "draft tokens per step (vLLM num_speculative_tokens; "
            + "default: 1 with a method)")
    Integer numSpeculativeTokens;

    @Option(names = "--speculative-acceptance", split = ",", description = "per-position acceptance rates as vLLM logs "
            + "them (e.g. 0.8,0.6); one rate for several tokens is each token's acceptance once those before it were "
            + "accepted (default: the published rates for the model, where there are any)")
    List<Double> speculativeAcceptance;

    @Option(names = "--model-runner", defaultValue = "auto", description = "vLLM's GPU model runner as VLLM_USE_V2_MODEL_RUNNER "
            + "forces it: auto (the release's choice), v1 (the original, =0) or v2 (Model Runner V2, =1) (default: ${DEFAULT-VALUE})")
    String modelRunner;

    EngineSettings settings() {
        VllmVersion v = vllmVersion == null ? VllmVersion.DEFAULT : VllmVersion.parse(vllmVersion);
        EngineSettings s = EngineSettings.forVersion(v);
        if (engine != null) {
            s = s.withEngine(Engine.parse(engine));
        }
        if (gpuMemoryUtilization != null) {
            s = s.withUtilization(gpuMemoryUtilization);
        }
        return s.withMaxModelLen(maxModelLen).withMaxNumSeqs(maxNumSeqs)
                .withMaxNumBatchedTokens(maxNumBatchedTokens).withKvCacheDtype(KvCacheDtype.parse(kvCacheDtype))
                .withBlockSize(blockSize)
                .withQuantization(quantization == null ? ServingQuantization.NONE : ServingQuantization.parse(quantization))
                .withLanguageModelOnly(languageModelOnly).withSpeculative(speculative())
                .withModelRunner(ModelRunner.parse(modelRunner));
    }

    private SpeculativeDecoding speculative() {
        SpeculativeDecoding.Method method = SpeculativeDecoding.Method.parse(speculativeMethod);
        int k = numSpeculativeTokens != null ? numSpeculativeTokens : method == SpeculativeDecoding.Method.NONE ? 0 : 1;
        SpeculativeDecoding sd = SpeculativeDecoding.of(method, k, speculativeAcceptance, speculativeDraftModel);
        if (sd.draftModel() == null) {
            return sd;
        }
        ModelResolver.PublishedConfig c = ModelResolver.fromEnvironment().config(sd.draftModel());
        return sd.withDraft(Eagle3Draft.parse(sd.draftModel(), c.config(), c.source()));
    }
}

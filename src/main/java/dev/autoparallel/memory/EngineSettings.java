package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.model.Eagle3Draft;
import dev.autoparallel.model.Family;
import dev.autoparallel.model.ModelSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The vLLM knobs that change memory. Null means "vLLM's default", which depends on the version,
 * the engine and the GPU (see {@link MemoryModel}).
 *
 * @param maxModelLen         {@code --max-model-len}; null: the model's max_position_embeddings
 * @param maxNumSeqs          {@code --max-num-seqs}; null: 1024 on GPUs of 70 GiB or more (not A100), else 256
 * @param maxNumBatchedTokens {@code --max-num-batched-tokens}; null: vLLM's default for the engine
 * @param blockSize           {@code --block-size}; null: 16 (64 for MLA models, FlashMLA's page size)
 * @param quantization        {@code --quantization}: vLLM's online quantization of a 16-bit checkpoint
 * @param languageModelOnly   {@code --language-model-only}: the encoder tower of a multimodal model is not loaded
 * @param kvCacheMemoryBytes  {@code --kv-cache-memory-bytes}: vLLM skips the memory profile and gives the KV cache
 *                            exactly this much per GPU (null: profile and use what gpu_memory_utilization leaves)
 * @param decodeContextParallelSize {@code --decode-context-parallel-size}: each of these ranks of a TP group keeps
 *                            {@code 1/N} of every request's tokens (1: off)
 * @param mambaCacheAlign     {@code --mamba-cache-mode align} (what prefix caching of a Mamba or Gated DeltaNet model
 *                            uses): each state group holds two blocks per request; false: mode none, one block
 * @param speculative         {@code --speculative-config}: who drafts, how many tokens, how often they are accepted
 *                            ({@link SpeculativeDecoding#NONE}: off)
 */
public record EngineSettings(VllmVersion version, Engine engine, double gpuMemoryUtilization, Integer maxModelLen,
                             Integer maxNumSeqs, Integer maxNumBatchedTokens, KvCacheDtype kvCacheDtype,
                             Integer blockSize, boolean enforceEager, ServingQuantization quantization,
                             boolean languageModelOnly, Long kvCacheMemoryBytes, int decodeContextParallelSize,
                             boolean mambaCacheAlign, SpeculativeDecoding speculative, ModelRunner modelRunner)
        implements Serializable {

    /**
     * The block sizes vLLM's --block-size accepts: the {@code BlockSize} literal of vllm/config/cache.py
     * (1, 8, 16, 32, 64, 128 through 2025; 256 added since). Read 2026-11.
     */
    /**
     * The first release --language-model-only is known in: 0.19 (projects serving Qwen3.5 text-only on vLLM 0.19
     * pass language_model_only=True to EngineArgs; read 2026-11). Older releases are refused rather than guessed.
     */
    public static final VllmVersion LANGUAGE_MODEL_ONLY_FROM = new VllmVersion(0, 19, 0);
    /**
     * The first release whose speculative methods are modelled: 0.11.0, whose {@code SpeculativeMethod} lists
     * {@code ngram} and the unified {@code mtp} (vLLM PR #25232; docs.vllm.ai/en/v0.11.0 api/vllm/config/speculative).
     */
    public static final VllmVersion SPECULATIVE_FROM = new VllmVersion(0, 11, 0);
    public static final List<Integer> BLOCK_SIZES = List.of(1, 8, 16, 32, 64, 128, 256);

    public EngineSettings {
        if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
            throw new InvalidConfigurationException("gpu_memory_utilization", "gpu_memory_utilization was "
                    + gpuMemoryUtilization + "; allowed: a fraction above 0 and at most 1");
        }
        positive(maxModelLen, "max_model_len");
        positive(maxNumSeqs, "max_num_seqs");
        positive(maxNumBatchedTokens, "max_num_batched_tokens");
        positive(blockSize, "block_size");
        if (blockSize != null && !BLOCK_SIZES.contains(blockSize)) {
            throw new InvalidConfigurationException("block_size", "block_size was " + blockSize + "; vLLM allows "
                    + BLOCK_SIZES.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(speculative, "speculative");
        Objects.requireNonNull(modelRunner, "modelRunner");
        if (kvCacheMemoryBytes != null && kvCacheMemoryBytes < 1) {
            throw new InvalidConfigurationException("kv_cache_memory", "kv_cache_memory was " + kvCacheMemoryBytes
                    + " bytes; allowed: more than 0");
        }
        if (decodeContextParallelSize < 1) {
            throw new InvalidConfigurationException("decode_context_parallel_size", "decode_context_parallel_size was "
                    + decodeContextParallelSize + "; allowed: a positive whole number");
        }
        if (maxNumBatchedTokens != null && maxNumSeqs != null && maxNumBatchedTokens < maxNumSeqs) {
            throw batchedBelowSeqs(maxNumBatchedTokens, maxNumSeqs);
        }
    }

    /** vLLM's refusal (SchedulerConfig._verify_args) when a step could not hold one token of every sequence. */
    public static InvalidConfigurationException batchedBelowSeqs(int maxNumBatchedTokens, int maxNumSeqs) {
        return new InvalidConfigurationException("max_num_batched_tokens", "max_num_batched_tokens (" + maxNumBatchedTokens
                + ") must be greater than or equal to max_num_seqs (" + maxNumSeqs + "), as vLLM requires");
    }

    private static void positive(Integer v, String field) {
        if (v != null && v < 1) {
            throw new InvalidConfigurationException(field, field + " was " + v + "; allowed: a positive whole number");
        }
    }

    public static EngineSettings defaults() {
        return forVersion(VllmVersion.DEFAULT);
    }

    /** vLLM's defaults under release {@code v}, one of the releases modelled ({@link VllmReleases#require}). */
    public static EngineSettings forVersion(VllmVersion v) {
        VllmReleases.require(v);
        return new EngineSettings(v, Engine.defaultFor(v), VllmReleases.defaultUtilization(v), null, null, null,
                KvCacheDtype.AUTO, null, false, ServingQuantization.NONE, false, null, 1, false, SpeculativeDecoding.NONE,
                ModelRunner.AUTO);
    }

    public EngineSettings withUtilization(double u) {
        return new EngineSettings(version, engine, u, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withMaxModelLen(Integer n) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, n, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withMaxNumSeqs(Integer n) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, n, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withMaxNumBatchedTokens(Integer n) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, n, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withKvCacheDtype(KvCacheDtype d) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, d, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withBlockSize(Integer b) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, b, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withEngine(Engine e) {
        return new EngineSettings(version, e, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withEnforceEager(boolean eager) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, eager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withQuantization(ServingQuantization q) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, q, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withLanguageModelOnly(boolean only) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, only, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withKvCacheMemoryBytes(Long bytes) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, bytes, decodeContextParallelSize, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withDecodeContextParallelSize(int n) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, n, mambaCacheAlign, speculative, modelRunner);
    }

    public EngineSettings withMambaCacheAlign(boolean align) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, align, speculative, modelRunner);
    }

    public EngineSettings withSpeculative(SpeculativeDecoding sd) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, sd, modelRunner);
    }

    public EngineSettings withModelRunner(ModelRunner r) {
        return new EngineSettings(version, engine, gpuMemoryUtilization, maxModelLen, maxNumSeqs, maxNumBatchedTokens, kvCacheDtype, blockSize, enforceEager, quantization, languageModelOnly, kvCacheMemoryBytes, decodeContextParallelSize, mambaCacheAlign, speculative, r);
    }

    /**
     * These settings for serving {@code spec} (the model as served), whose checkpoint holds {@code mtpModules} MTP
     * modules ({@link ModelSpec#mtpModules}): a speculative drafter checked against the release and the checkpoint (MTP
     * needs MTP layers, and vLLM cycles through them, so the draft length is a multiple of their count) and its
     * acceptance rates looked up where none were given.
     */
    EngineSettings forModel(ModelSpec spec, int mtpModules) {
        if (!speculative.enabled()) {
            return this;
        }
        if (!version.atLeast(SPECULATIVE_FROM)) {
            throw new InvalidConfigurationException("speculative_method", "vLLM " + version + " is not modelled with"
                    + " speculative decoding; its --speculative-config methods are read from " + SPECULATIVE_FROM + " on");
        }
        if (speculative.method() == SpeculativeDecoding.Method.MTP) {
            if (mtpModules == 0) {
                throw new InvalidConfigurationException("speculative_method", spec.modelId() + " has no multi-token-"
                        + "prediction layers in its checkpoint (its config gives no num_nextn_predict_layers or"
                        + " mtp_num_hidden_layers, or its family ships none); allowed for it: ngram, or none");
            }
            if (speculative.numSpeculativeTokens() % mtpModules != 0) {
                throw new InvalidConfigurationException("num_speculative_tokens", "num_speculative_tokens was "
                        + speculative.numSpeculativeTokens() + "; vLLM requires a multiple of the " + mtpModules + " MTP"
                        + " modules of " + spec.modelId() + " (it cycles through them)");
            }
        }
        if (speculative.method() == SpeculativeDecoding.Method.EAGLE3) {
            Eagle3Draft d = speculative.draft();
            if (d == null) {
                throw new InvalidConfigurationException("speculative_draft_model", "the EAGLE-3 draft head "
                        + speculative.draftModel() + " was not read");
            }
            if (d.targetHidden() != spec.hiddenSize()) {
                throw new InvalidConfigurationException("speculative_draft_model", "the EAGLE-3 head " + d.modelId()
                        + " reads hidden states of " + d.targetHidden() + " (its target_hidden_size or hidden_size); "
                        + spec.modelId() + "'s are " + spec.hiddenSize() + ": it drafts for another model");
            }
        }
        SpeculativeDecoding resolved = speculative.resolvedFor(spec);
        return resolved == speculative ? this : withSpeculative(resolved);
    }

    /**
     * The model as this vLLM set-up holds it on {@code gpu}: quantized at load time when
     * {@code --quantization} is set, without its encoder tower with {@code --language-model-only} or where vLLM's class
     * for the architecture loads none ({@link Family#vllmLoadsEncoderTowers}).
     */
    public ModelSpec served(ModelSpec spec, Gpu gpu) {
        ModelSpec s = quantization.apply(spec, gpu, version);
        if (s.hasEncoderTower() && !s.family().vllmLoadsEncoderTowers()) {
            return s.languageModelOnly();
        }
        if (languageModelOnly && s.hasEncoderTower()) {
            if (!version.atLeast(LANGUAGE_MODEL_ONLY_FROM)) {
                throw new InvalidConfigurationException("language_model_only", "vLLM " + version
                        + " has no --language-model-only; it is used with " + LANGUAGE_MODEL_ONLY_FROM + " and later");
            }
            s = s.languageModelOnly();
        }
        return s;
    }
}

package dev.autoparallel.cli;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.core.EvaluateRequest;
import dev.autoparallel.core.Evaluation;
import dev.autoparallel.core.Planner;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.layout.Cluster;
import dev.autoparallel.memory.CaptureLadder;
import dev.autoparallel.memory.Engine;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.EngineViews;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryEstimate;
import dev.autoparallel.memory.ModelRunner;
import dev.autoparallel.memory.RejectionReason;
import dev.autoparallel.memory.ServingQuantization;
import dev.autoparallel.memory.SpeculativeDecoding;
import dev.autoparallel.memory.VllmReleases;
import dev.autoparallel.cost.PriceTable;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.perf.PerfEstimate;
import dev.autoparallel.perf.ServingEngine;
import dev.autoparallel.perf.WeightDtype;
import dev.autoparallel.perf.Workload;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "vLLM's engine view of one layout: weights, activations, overhead, KV cache per GPU.")
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--tp", defaultValue = "1")
    int tp;

    @Option(names = "--pp", defaultValue = "1")
    int pp;

    @Option(names = "--dp", defaultValue = "1")
    int dp;

    @Option(names = "--expert-parallel")
    boolean expertParallel;

    @Option(names = "--gpu", description = "GPU type (see analyze --help)")
    String gpu;

    @Option(names = {"--gpu-memory-gib", "--gpu-memory-gb"}, description = "GPU memory in GiB as the runtime reports it")
    Double gpuMemoryGib;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--input-tokens", description = "prompt tokens per request (with --output-tokens and --concurrency: speed estimates)")
    Integer inputTokens;

    @Option(names = "--output-tokens", description = "generated tokens per request")
    Integer outputTokens;

    @Option(names = "--concurrency", description = "requests in flight (default: --max-num-seqs, else 1)")
    Integer concurrency;

    @Option(names = "--engine", defaultValue = "vllm", description = "serving engine for speed: vllm, sglang or trtllm (default: ${DEFAULT-VALUE})")
    String servingEngine;

    @Option(names = "--weight-dtype", description = "weights as served, kept for scripts: checkpoint (as stored), fp8 "
            + "(same as --quantization fp8) or fp4 (same as --quantization mxfp4); the memory, the layouts that fit and "
            + "the speed all follow it")
    String weightDtype;

    @Option(names = "--kv-cache-memory", paramLabel = "GIB", description = "vLLM --kv-cache-memory-bytes in GiB: skip the "
            + "memory profile and give the KV cache exactly this much per GPU")
    Double kvCacheMemoryGib;

    @Option(names = "--decode-context-parallel-size", defaultValue = "1", description = "vLLM "
            + "--decode-context-parallel-size: ranks of a TP group that split every request's KV cache (default: ${DEFAULT-VALUE})")
    int decodeContextParallelSize;

    @Option(names = "--mamba-cache-mode", defaultValue = "none", description = "vLLM --mamba-cache-mode: none (one "
            + "state block per request) or align (two, as prefix caching of Mamba/GDN models uses) (default: ${DEFAULT-VALUE})")
    String mambaCacheMode;

    @Option(names = "--price-usd-per-gpu-hour", description = "price for cost per token (default: the cheapest offer in the price table)")
    Double pricePerGpuHour;

    @Option(names = "--json")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The JSON of {@code evaluate}: bytes per GPU on the most loaded rank. */
    record Result(String modelId, String gpu, long gpuMemoryBytes, int tp, int pp, int dp, int expertParallel,
                  String vllmVersion, String engine, String modelRunner, double gpuMemoryUtilization, int maxModelLen, int maxNumSeqs,
                  int maxNumBatchedTokens, int blockSize, long budgetBytes, long weightsBytes, long activationBytes,
                  long overheadBytes, long nonTorchBytes, long runnerStateBytes, long cudaGraphBytes, long kvCacheBytes,
                  long kvCacheTokens,
                  long kvBytesPerToken, double maxConcurrency, boolean fits, String reason, String detail,
                  Integer inputTokens, Integer outputTokens, Integer concurrency, String engineForSpeed, Double ttftMs,
                  Double tpotMs, Double tokensPerSecond, Double tokensPerSecondPerGpu, Double requestsPerSecond,
                  String bound, String speedSource, Double costPerMillionTokensUsd, String quantization,
                  boolean languageModelOnly,
                  Long kvCacheMemoryBytes, int decodeContextParallelSize, long numGpuBlocks,
                  List<MemoryEstimate.KvCacheGroup> kvCacheGroups, long kvCacheNeededBytes, Long estimatedMaxModelLen,
                  EngineFigures engineFigures, Speculative speculative) {
    }

    /**
     * The speculative decoding evaluated (absent when off): the drafter, draft tokens per step, vLLM-style per-position
     * acceptance rates, the tokens a step yields per sequence (vLLM's mean acceptance length) and where the rates come from.
     */
    record Speculative(String method, int numSpeculativeTokens, List<Double> acceptance, double meanAcceptanceLength,
                       String acceptanceSource) {
    }

    /**
     * SGLang's or TensorRT-LLM's own memory figures (with {@code --engine sglang|trtllm}): the flag, its
     * default for this GPU, the KV cache and tokens at that default, and the value of the flag that
     * gives the KV cache vLLM gets. SGLang's hybrid pools add the sliding layers' own tokens ({@code swaTokens}) or
     * the state pool's slots and bytes and the running requests it allows; null where the model has none.
     */
    record EngineFigures(String engine, String flag, double defaultFraction, long kvCacheBytes, long maxTokens,
                         double matchingFraction, Long swaTokens, Long stateSlots, Long stateBytes, Long stateRunningRequests) {
    }

    @Override
    public Integer call() {
        if (tp < 1 || pp < 1 || dp < 1) {
            throw new InvalidConfigurationException("tp", "--tp, --pp and --dp must be at least 1");
        }
        Gpu g;
        long memory;
        if (gpu != null) {
            g = GpuCatalog.require(gpu, gpuMemoryGib, "gpu");
            memory = gpuMemoryGib == null ? g.memoryBytes() : Math.round(gpuMemoryGib * (1L << 30));
        } else if (gpuMemoryGib != null) {
            if (!(gpuMemoryGib > 0 && gpuMemoryGib <= 4096)) {
                throw new InvalidConfigurationException("gpu_memory_gib", "--gpu-memory-gib was " + gpuMemoryGib
                        + "; allowed: more than 0 and at most 4096");
            }
            g = Cluster.fromMap(Map.of("gpu_memory_gb", gpuMemoryGib,
                    "gpus_per_node", 1, "num_nodes", 1)).gpu();
            memory = g.memoryBytes();
        } else {
            throw new InvalidConfigurationException("gpu", "give --gpu NAME or --gpu-memory-gib GIB");
        }
        EngineSettings settings = this.engine.settings();
        if (kvCacheMemoryGib != null) {
            if (!(kvCacheMemoryGib > 0 && kvCacheMemoryGib <= 4096)) {
                throw new InvalidConfigurationException("kv_cache_memory", "--kv-cache-memory was " + kvCacheMemoryGib
                        + "; allowed: more than 0 and at most 4096 GiB");
            }
            settings = settings.withKvCacheMemoryBytes(Math.round(kvCacheMemoryGib * (1L << 30)));
        }
        if (decodeContextParallelSize < 1 || decodeContextParallelSize > tp) {
            throw new InvalidConfigurationException("decode_context_parallel_size", "--decode-context-parallel-size was "
                    + decodeContextParallelSize + "; allowed: 1 to --tp (" + tp + ")");
        }
        settings = settings.withDecodeContextParallelSize(decodeContextParallelSize);
        switch (mambaCacheMode) {
            case "none" -> { }
            case "align" -> settings = settings.withMambaCacheAlign(true);
            default -> throw new InvalidConfigurationException("mamba_cache_mode", "--mamba-cache-mode was '"
                    + mambaCacheMode + "'; allowed: none, align");
        }
        if (weightDtype != null) {
            settings = settings.withQuantization(weightDtypeAsQuantization(weightDtype, settings.quantization()));
        }
        ModelSpec checkpoint = AutoParallel.model(model);
        Layout layout = new Layout(tp, pp, dp, expertParallel);
        if (concurrency != null && concurrency < 1) {
            throw new InvalidConfigurationException("concurrency", "--concurrency was " + concurrency + "; allowed: at least 1");
        }
        if (concurrency != null && inputTokens == null && outputTokens == null) {
            throw new InvalidConfigurationException("concurrency", "--concurrency applies to the speed estimate: give it with"
                    + " --input-tokens and --output-tokens");
        }
        Workload workload = null;
        if (inputTokens != null || outputTokens != null) {
            if (inputTokens == null || outputTokens == null) {
                throw new InvalidConfigurationException("input_tokens", "give both --input-tokens and --output-tokens");
            }
            if (inputTokens < 1 || outputTokens < 1 || (long) inputTokens + outputTokens > Planner.MAX_SEQUENCE_LENGTH) {
                throw new InvalidConfigurationException("input_tokens", "--input-tokens and --output-tokens were " + inputTokens
                        + " and " + outputTokens + "; allowed: at least 1 each, " + Planner.MAX_SEQUENCE_LENGTH + " together at most");
            }
            int c = concurrency != null ? concurrency : settings.maxNumSeqs() != null ? settings.maxNumSeqs() : 1;
            workload = new Workload(inputTokens, outputTokens, c);
        }
        if (pricePerGpuHour != null && !(pricePerGpuHour > 0 && pricePerGpuHour < 1000)) {
            throw new InvalidConfigurationException("price_usd_per_gpu_hour", "--price-usd-per-gpu-hour was " + pricePerGpuHour
                    + "; allowed: more than 0 and less than 1000 (USD per GPU-hour)");
        }
        PriceTable prices = pricePerGpuHour == null ? PriceTable.builtIn()
                : PriceTable.ownPrice(g.name(), pricePerGpuHour, "--price-usd-per-gpu-hour", "--price-usd-per-gpu-hour");
        ServingEngine serving = ServingEngine.parse(servingEngine);
        // Speed assumes the usual 8-GPU nodes: TP within a node, PP across.
        Evaluation ev = Planner.shared().evaluate(new EvaluateRequest(checkpoint, g, memory, 8, layout, settings, serving,
                workload, prices));
        settings = ev.settings();
        ModelSpec s = ev.served();
        MemoryEstimate e = ev.memory();
        PerfEstimate speed = ev.speed();
        Double costPerMillion = ev.usdPerMillionTokens() == null ? null : round(ev.usdPerMillionTokens());
        if (speed == null) {
            workload = null;
        }
        EngineFigures figures = null;
        boolean matchesRequests = false;
        boolean cappedAtVllmShare = false;
        if (ev.sglang() != null) {
            EngineViews.Sglang v = ev.sglang();
            boolean state = v.stateSlots() > 0 || ev.memory().enginePools().stateLayers() > 0;
            figures = new EngineFigures("sglang", "--mem-fraction-static", v.defaultMemFractionStatic(), v.kvPoolBytes(),
                    v.maxTotalNumTokens(), v.matchingMemFractionStatic(), v.swaTokens() > 0 ? v.swaTokens() : null,
                    state ? v.stateSlots() : null, state ? v.stateBytes() : null, state ? v.stateRunningRequests() : null);
            matchesRequests = v.matchesRequests();
            cappedAtVllmShare = v.cappedAtVllmShare();
        } else if (ev.trtllm() != null) {
            EngineViews.Trtllm v = ev.trtllm();
            figures = new EngineFigures("trtllm", "--kv_cache_free_gpu_memory_fraction",
                    EngineViews.TRTLLM_DEFAULT_FREE_FRACTION, v.defaultKvBytes(), v.defaultMaxTokens(), v.matchingFraction(),
                    null, null, v.stateBytes() > 0 ? v.stateBytes() : null, null);
            matchesRequests = v.matchesRequests();
        }
        // The V1 engine's model runner these figures assume: v2 (Model Runner V2) or v1 (the original); none under V0.
        boolean newRunner = settings.engine() == Engine.V1 && VllmReleases.newRunner(settings, s.moe() != null, layout.pp());
        String runner = settings.engine() != Engine.V1 ? null : (newRunner ? ModelRunner.V2 : ModelRunner.V1).key();
        Result r = new Result(s.modelId(), g.name(), memory, tp, pp, dp, layout.expertParallelSize(),
                settings.version().toString(), settings.engine().name().toLowerCase(Locale.ROOT), runner, settings.gpuMemoryUtilization(),
                e.maxModelLen(), e.maxNumSeqs(), e.maxNumBatchedTokens(), e.blockSize(), e.budgetBytes(), e.weightsBytes(),
                e.activationBytes(), e.overheadBytes(), e.nonTorchBytes(), e.runnerStateBytes(), e.cudaGraphBytes(), e.kvCacheBytes(),
                e.kvCacheTokens(), e.kvBytesPerToken(), Math.round(e.maxConcurrency() * 100) / 100.0, e.fits(),
                e.fits() ? null : e.rejection().reason().name().toLowerCase(Locale.ROOT),
                e.fits() ? null : e.rejection().detail(),
                workload == null ? null : workload.inputTokens(), workload == null ? null : workload.outputTokens(),
                workload == null ? null : workload.concurrency(), speed == null ? null : serving.key(),
                speed == null ? null : round(speed.ttftMs()), speed == null ? null : round(speed.tpotMs()),
                speed == null ? null : round(speed.tokensPerSecond()), speed == null ? null : round(speed.tokensPerSecondPerGpu()),
                speed == null ? null : round(speed.requestsPerSecond()), speed == null ? null : speed.bound(),
                ev.speedSource() == null ? null : ev.speedSource().key(), costPerMillion,
                s.quantization().method(), ev.towerLeftOut(),
                settings.kvCacheMemoryBytes(), decodeContextParallelSize, e.numGpuBlocks(), e.kvCacheGroups(),
                e.kvCacheNeededBytes(), e.estimatedMaxModelLen(), figures, speculative(e.speculative()));
        PrintWriter out = spec.commandLine().getOut();
        int exit = e.fits() ? 0 : Main.EXIT_DOES_NOT_FIT;
        if (json) {
            out.println(Json.write(r));
            return exit;
        }
        double gib = 1L << 30;
        out.printf(Locale.ROOT, "%s on %s (%.2f GiB), TP %d PP %d DP %d, vLLM %s (%s%s), utilization %.2f%n", s.modelId(),
                g.name(), memory / gib, tp, pp, dp, r.vllmVersion(), r.engine(),
                runner == null ? "" : ", model runner " + runner, r.gpuMemoryUtilization());
        out.printf(Locale.ROOT, "  max_model_len %d, max_num_seqs %d, max_num_batched_tokens %d, block %d%n",
                r.maxModelLen(), r.maxNumSeqs(), r.maxNumBatchedTokens(), r.blockSize());
        if (settings.quantization() != ServingQuantization.NONE || r.languageModelOnly()) {
            out.printf(Locale.ROOT, "  weights %s%s%n", settings.quantization() == ServingQuantization.NONE ? "as stored"
                    : "quantized to " + settings.quantization().key() + " at load time",
                    r.languageModelOnly() ? ", language model only (vision tower not loaded)" : "");
        }
        if (!e.fits() && e.rejection().reason() == RejectionReason.INVALID_LAYOUT) {
            // vLLM stops at the layout before it loads a weight: there is no budget to show.
            out.println("  does not fit: " + e.rejection().detail());
            return exit;
        }
        if (settings.kvCacheMemoryBytes() != null) {
            out.printf(Locale.ROOT, "  weights %.2f + overhead %.2f GiB; KV cache %.2f GiB as given (--kv-cache-memory: no profile)%n",
                    e.weightsBytes() / gib, e.overheadBytes() / gib, e.kvCacheBytes() / gib);
        } else {
            out.printf(Locale.ROOT, "  budget %.2f GiB = weights %.2f + activations %.2f + overhead %.2f + KV cache %.2f GiB%n",
                    e.budgetBytes() / gib, e.weightsBytes() / gib, e.activationBytes() / gib, e.overheadBytes() / gib,
                    e.kvCacheBytes() / gib);
            if (e.cudaGraphBytes() > 0) {
                CaptureLadder ladder = CaptureLadder.of(e.maxNumSeqs(), e.maxNumBatchedTokens(), e.speculative());
                out.printf(Locale.ROOT, "  of the overhead, %.2f GiB is vLLM's CUDA-graph estimate: %d PIECEWISE graphs (to %d tokens)"
                                + " and %d FULL (to %d), fewer with a smaller --max-num-seqs%n", e.cudaGraphBytes() / gib,
                        ladder.piecewise(), ladder.largestPiecewise(), ladder.full(), ladder.largestFull());
            }
        }
        if (e.runnerStateBytes() > 0) {
            out.printf(Locale.ROOT, "  of the overhead, %.2f GiB is vLLM's penalty state for %d sequence slots (4 B per logit each),"
                    + " less with a smaller --max-num-seqs%n", e.runnerStateBytes() / gib, e.maxNumSeqs());
        }
        out.printf(Locale.ROOT, "  KV cache: %,d tokens, %.2fx concurrency at %d tokens per request%n", e.kvCacheTokens(),
                e.maxConcurrency(), e.maxModelLen());
        if (e.fits() && settings.kvCacheMemoryBytes() == null && !settings.enforceEager() && newRunner) {
            out.printf(Locale.ROOT, "  a warm start's figures: a first start with an empty torch.compile cache counts the compile's"
                            + " scratch as activations (vLLM #54122) and logs %.1f-%.1f GiB less KV cache in published starts;"
                            + " keep the compile cache (VLLM_CACHE_ROOT) or pass --kv-cache-memory%n",
                    VllmReleases.COLD_COMPILE_MIN_GIB, VllmReleases.COLD_COMPILE_MAX_GIB);
        }
        if (!e.kvCacheGroups().isEmpty()) {
            out.printf(Locale.ROOT, "  %,d blocks in %d KV cache group(s): %s%n", e.numGpuBlocks(), e.kvCacheGroups().size(),
                    e.kvCacheGroups().stream().map(k -> String.format(Locale.ROOT, "%s x%d (block %d, %d per request)",
                            k.kind(), k.layers(), k.blockSize(), k.blocksPerRequest())).collect(Collectors.joining("; ")));
        }
        if (e.estimatedMaxModelLen() != null) {
            out.printf(Locale.ROOT, "  %.2f GiB KV cache is needed for one request; estimated maximum model length %d%n",
                    e.kvCacheNeededBytes() / gib, e.estimatedMaxModelLen());
        }
        if (r.speculative() != null) {
            Speculative sp = r.speculative();
            out.printf(Locale.ROOT, "  speculative decoding: %s, %d draft token(s) per step, per-position acceptance %s"
                            + " (%s): %.2f tokens per step%n", sp.method(), sp.numSpeculativeTokens(),
                    sp.acceptance().stream().map(a -> String.format(Locale.ROOT, "%.3f", a)).collect(Collectors.joining(", ")),
                    sp.acceptanceSource(), sp.meanAcceptanceLength());
        }
        out.println(e.fits() ? "  fits" : "  does not fit: " + e.rejection().detail());
        if (figures != null) {
            String matched = !matchesRequests ? String.format(Locale.ROOT, "vLLM's %.2f GiB", e.kvCacheBytes() / gib)
                    : cappedAtVllmShare ? String.format(Locale.ROOT, "vLLM's share of the GPU, too little for its %.2f requests of %d tokens",
                    EngineViews.heldRequests(e), e.maxModelLen())
                    : String.format(Locale.ROOT, "room for vLLM's %.2f requests of %d tokens", EngineViews.heldRequests(e),
                    e.maxModelLen());
            out.printf(Locale.ROOT, "  %s: %s default %s gives %.2f GiB KV cache, %,d tokens; %s %s gives %s%n",
                    figures.engine(), figures.flag(), figures.defaultFraction(), figures.kvCacheBytes() / gib,
                    figures.maxTokens(), figures.flag(), figures.matchingFraction(), matched);
            if (figures.swaTokens() != null) {
                out.printf(Locale.ROOT, "  %s: the sliding layers' own pool holds %,d tokens (--swa-full-tokens-ratio %s)%n",
                        figures.engine(), figures.swaTokens(), EngineViews.SGLANG_SWA_FULL_TOKENS_RATIO);
            }
            if (figures.stateSlots() == null && figures.stateBytes() != null) {
                out.printf(Locale.ROOT, "  %s: the Mamba state of --max_batch_size %d requests takes %.2f GiB before the free"
                        + " memory is measured%n", figures.engine(), e.maxNumSeqs(), figures.stateBytes() / gib);
            }
            if (figures.stateSlots() != null) {
                out.printf(Locale.ROOT, "  %s: of which the state pool takes %,d slots (%.2f GiB, --mamba-full-memory-ratio %s);"
                                + " max_running_requests at most %,d (%d slots per request)%n", figures.engine(), figures.stateSlots(),
                        figures.stateBytes() / gib, EngineViews.SGLANG_MAMBA_FULL_MEMORY_RATIO, figures.stateRunningRequests(),
                        EngineViews.SGLANG_STATE_SLOTS_PER_REQUEST);
            }
        }
        if (speed != null) {
            int dp = layout.dp();
            String held = dp > 1
                    ? String.format(Locale.ROOT, "%d per DP rank, %.0f of them held by its KV cache",
                    (workload.concurrency() + dp - 1) / dp, speed.effectiveConcurrency())
                    : String.format(Locale.ROOT, "%.0f held by the KV cache", speed.effectiveConcurrency());
            out.printf(Locale.ROOT, "  %s, %d in / %d out tokens, %d in flight (%s): TTFT %.0f ms, "
                            + "TPOT %.1f ms, %.0f tokens/s (%.0f per GPU), %s-bound (%s)%s%n", serving.key(), workload.inputTokens(),
                    workload.outputTokens(), workload.concurrency(), held, speed.ttftMs(), speed.tpotMs(),
                    speed.tokensPerSecond(), speed.tokensPerSecondPerGpu(), speed.bound(),
                    ev.speedSource().description(),
                    costPerMillion == null ? "" : String.format(Locale.ROOT, ", $%.3f per million generated tokens", costPerMillion));
        }
        return exit;
    }

    private static Speculative speculative(SpeculativeDecoding sd) {
        if (!sd.enabled()) {
            return null;
        }
        return new Speculative(sd.method().key(), sd.numSpeculativeTokens(), sd.acceptance(), round(sd.meanTokensPerStep()),
                sd.acceptanceSource());
    }

    /** The old --weight-dtype values as online quantization schemes; one of the two flags, not both. */
    static ServingQuantization weightDtypeAsQuantization(String value, ServingQuantization given) {
        ServingQuantization q = switch (WeightDtype.parse(value)) {
            case CHECKPOINT, BF16 -> ServingQuantization.NONE;
            case FP8 -> ServingQuantization.FP8;
            case FP4 -> ServingQuantization.MXFP4;
        };
        if (given != ServingQuantization.NONE && given != q) {
            throw new InvalidConfigurationException("weight_dtype", "--weight-dtype " + value + " and --quantization "
                    + given.key() + " disagree; give --quantization alone");
        }
        return given != ServingQuantization.NONE ? given : q;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

package dev.autoparallel.cli;

import dev.autoparallel.source.ModelResolver;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Architecture, exact parameter counts, weight bytes and KV-cache bytes per token of a model.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "Hugging Face ID, catalog name, or path to a config.json (or a folder holding one)")
    String model;

    @Option(names = "--json", description = "print one JSON object (snake_case keys)")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelSummary s = ModelSummary.of(ModelResolver.fromEnvironment().resolve(model));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(s));
            return 0;
        }
        var a = s.architecture();
        out.printf(Locale.ROOT, "%s  (%s, from the %s: %s)%n", s.modelId(), s.modelType(), s.source().origin(), s.source().location());
        out.printf(Locale.ROOT, "  layers %d, hidden %d, heads %d, kv heads %d (%s), head dim %d, vocab %d, max positions %d%n",
                a.numLayers(), a.hiddenSize(), a.numAttentionHeads(), a.numKeyValueHeads(), a.attention().toUpperCase(Locale.ROOT),
                a.headDim(), a.vocabSize(), a.maxPositionEmbeddings());
        var plan = s.layerPlan();
        out.printf(Locale.ROOT, "  layer plan: mixers %s; feed-forward %s%s%n", counts(plan.mixers()), counts(plan.feedForward()),
                plan.windows().isEmpty() ? "" : "; windows " + plan.windows());
        if (a.moe() != null) {
            out.printf(Locale.ROOT, "  experts %d (top-%d), expert intermediate %d, shared intermediate %d, MoE layers %d%n",
                    a.moe().numExperts(), a.moe().expertsPerToken(), a.moe().expertIntermediateSize(),
                    a.moe().sharedIntermediateSize(), a.moe().moeLayers());
        }
        if (a.slidingWindow() != null) {
            out.printf(Locale.ROOT, "  sliding window %d tokens on %d of %d layers%n", a.slidingWindow(), a.slidingLayers(), a.numLayers());
        }
        out.printf(Locale.ROOT, "  dtype %s, quantization %s%s%n", s.dtype(), s.quantization(),
                s.quantizationDetail().scaleBytes() > 0
                        ? String.format(Locale.ROOT, ", scales %,d bytes", s.quantizationDetail().scaleBytes()) : "");
        out.printf(Locale.ROOT, "  parameters %,d (active per token %,d)%n", s.paramCount(), s.activeParamCount());
        for (Map.Entry<String, Long> e : s.paramBreakdown().entrySet()) {
            if (e.getValue() > 0) {
                out.printf(Locale.ROOT, "    %-16s %,18d%n", e.getKey(), e.getValue());
            }
        }
        if (s.visionParamCount() > 0) {
            out.printf(Locale.ROOT, "  vision tower (in the total above): %,d%n", s.visionParamCount());
        }
        if (s.mtpParamCount() > 0) {
            out.printf(Locale.ROOT, "  multi-token-prediction layers in the checkpoint (not served): %,d%n", s.mtpParamCount());
        }
        out.printf(Locale.ROOT, "  weights %,d bytes (%.2f GiB) at the checkpoint's dtype%n", s.weightBytes(), s.weightGib());
        out.printf(Locale.ROOT, "  KV cache %,d bytes per token (%s, all layers, unsharded)%n", s.kvCacheBytesPerToken(), s.kvCacheDtype());
        for (String w : s.warnings()) {
            out.println("  warning: " + w);
        }
        return 0;
    }

    private static String counts(Map<String, Long> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(" x ").append(k));
        return b.toString();
    }
}

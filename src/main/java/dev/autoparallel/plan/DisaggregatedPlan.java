package dev.autoparallel.plan;

import dev.autoparallel.memory.Layout;
import dev.autoparallel.perf.PerfModel.StepSource;
import dev.autoparallel.perf.ServingEngine;
import java.io.Serializable;
import java.util.List;

/**
 * A disaggregated fleet on one hardware option: {@code prefillWorkers} engine instances of {@code prefillLayout} that
 * only prefill, {@code decodeWorkers} of {@code decodeLayout} that only decode, each prompt's KV cache moved between
 * them, and a router in front. Latencies at the target percentile from the analytic pool model (not simulated); base
 * units and raw values.
 *
 * @param decodeMaxNumSeqs the sequences a decode worker admits: the most whose decode step meets the TPOT bound
 * @param kvTransferMs     one mean prompt's KV cache from its prefill worker to its decode worker
 * @param prefillCommands  one prefill worker's command, one line per node it spans (node 0 first)
 * @param decodeCommands   one decode worker's command, likewise
 * @param routerCommand    the router in front of both pools
 */
public record DisaggregatedPlan(String hardware, String gpu, int gpusPerNode, ServingEngine engine, Layout prefillLayout,
                                int prefillWorkers, Layout decodeLayout, int decodeWorkers, int decodeMaxNumSeqs, int maxModelLen,
                                int totalGpus, int nodes, int percentile, double ttftMs, double tpotMs, double kvTransferMs,
                                boolean meetsSlo, Double monthlyCostUsd, Double costPerMillionTokensUsd, String priceSource,
                                List<String> prefillCommands, List<String> decodeCommands, String routerCommand, List<String> notes,
                                StepSource prefillSource, StepSource decodeSource)
        implements Serializable {
    public DisaggregatedPlan {
        prefillCommands = List.copyOf(prefillCommands);
        decodeCommands = List.copyOf(decodeCommands);
        notes = List.copyOf(notes);
    }

    /**
     * Whether this fleet meets its targets and beats the aggregated {@code p}: cheaper, or as cheap on fewer GPUs (fewer
     * GPUs where either is unpriced); any fleet that meets them beats a missing one.
     */
    public boolean beats(FleetPlan p) {
        return FleetPlanner.beats(meetsSlo, monthlyCostUsd, totalGpus, p);
    }
}

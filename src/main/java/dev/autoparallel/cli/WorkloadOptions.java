package dev.autoparallel.cli;

import picocli.CommandLine.Option;

/** The workload and ranking options shared by analyze and best. */
final class WorkloadOptions {
    @Option(names = "--seq", defaultValue = "2048", description = "sequence length in tokens (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--batch", defaultValue = "32", description = "concurrent sequences (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--objective", defaultValue = "minimize_gpus",
            description = "minimize_gpus, maximize_batch, balanced, maximize_throughput or minimize_cost_per_token (default: ${DEFAULT-VALUE})")
    String objective;
}

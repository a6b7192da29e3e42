package dev.autoparallel.sweep;

/**
 * One row of the sweep's output: a ranked layout of a cell, or the cell's failure. Columns
 * (snake_case in Parquet and CSV) are documented in the README; memory is GiB per GPU.
 *
 * @param status       {@code ok} or {@code failed}
 * @param rank         1 = best for the cell's objective; 0 on a failure row
 * @param failureReason {@code does_not_fit}, {@code invalid_input}, {@code model_unavailable} or {@code error}
 */
public record ResultRow(long cellId, String model, String cluster, String gpu, int gpusPerNode, int nodes,
                        int sequenceLength, int batchSize, String objective, String status, int rank,
                        Integer tensorParallel, Integer pipelineParallel, Integer dataParallel, Integer expertParallel,
                        Integer totalGpus, Double memoryPerGpuGb, Double memoryUtilization, Double weightsGb,
                        Double activationsGb, Double kvCacheGb, Double frameworkOverheadGb, Long kvCacheTokens,
                        Double maxConcurrency, Double ttftMs, Double tpotMs, Double tokensPerSecond,
                        Double usdPerGpuHour, Double monthlyCostUsd, Double costPerMillionTokensUsd, String priceSource,
                        String deploymentCommand, String failureReason, String failureDetail) {

    /** Column names in order, as written to Parquet and CSV. */
    public static final String[] COLUMNS = {"cell_id", "model", "cluster", "gpu", "gpus_per_node", "nodes",
            "sequence_length", "batch_size", "objective", "status", "rank", "tensor_parallel", "pipeline_parallel",
            "data_parallel", "expert_parallel", "total_gpus", "memory_per_gpu_gb", "memory_utilization", "weights_gb",
            "activations_gb", "kv_cache_gb", "framework_overhead_gb", "kv_cache_tokens", "max_concurrency", "ttft_ms",
            "tpot_ms", "tokens_per_second", "usd_per_gpu_hour", "monthly_cost_usd", "cost_per_million_tokens_usd",
            "price_source", "deployment_command", "failure_reason", "failure_detail"};

    public boolean ok() {
        return "ok".equals(status);
    }

    /** The values in {@link #COLUMNS} order (nulls kept). */
    public Object[] values() {
        return new Object[] {cellId, model, cluster, gpu, gpusPerNode, nodes, sequenceLength, batchSize, objective, status,
                rank, tensorParallel, pipelineParallel, dataParallel, expertParallel, totalGpus, memoryPerGpuGb,
                memoryUtilization, weightsGb, activationsGb, kvCacheGb, frameworkOverheadGb, kvCacheTokens, maxConcurrency,
                ttftMs, tpotMs, tokensPerSecond, usdPerGpuHour, monthlyCostUsd, costPerMillionTokensUsd, priceSource,
                deploymentCommand, failureReason, failureDetail};
    }
}

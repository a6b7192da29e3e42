package dev.autoparallel.report;

/**
 * One row of a sweep's output: a ranked layout of a cell, a fleet for a cell's traffic, or the
 * cell's failure. Columns (snake_case in Parquet and CSV) are documented in the README; memory
 * is GiB per GPU. Built by name with {@link #builder()}; {@link #COLUMNS} and {@link #values()}
 * give the order the files use.
 *
 * @param status        a {@link RowStatus} key: {@code ok} or {@code failed}
 * @param rank          1 = best for the cell's objective; 0 on a failure row
 * @param failureReason a {@link FailureReason} key ({@code does_not_fit}, {@code invalid_input}, ...)
 * @param meetsSlo      traffic cells: whether the fleet meets the latency targets; null for workload cells
 * @param simulated     traffic cells: whether the latencies come from the scheduler simulation (else the analytic model)
 * @param servingMode   traffic cells: {@code aggregated} (replicas that prefill and decode) or {@code disaggregated} (a
 *                      prefill pool of {@code prefillWorkers} x TP {@code prefillTensorParallel} x PP
 *                      {@code prefillPipelineParallel}, and a decode pool of {@code replicas} workers of the row's layout)
 */
public record ResultRow(long cellId, String model, String cluster, String gpu, int gpusPerNode, int nodes,
                        int sequenceLength, int batchSize, String objective, String status, int rank,
                        Integer tensorParallel, Integer pipelineParallel, Integer dataParallel, Integer expertParallel,
                        Integer totalGpus, Double memoryPerGpuGb, Double memoryUtilization, Double weightsGb,
                        Double activationsGb, Double kvCacheGb, Double frameworkOverheadGb, Long kvCacheTokens,
                        Double maxConcurrency, Double ttftMs, Double tpotMs, Double tokensPerSecond,
                        Double usdPerGpuHour, Double monthlyCostUsd, Double costPerMillionTokensUsd, String priceSource,
                        Double requestRate, Double ttftSloMs, Double tpotSloMs, Integer percentile, Integer replicas,
                        Boolean meetsSlo, Boolean simulated, Double ownedMonthlyCostUsd,
                        String deploymentCommand, String failureReason, String failureDetail, String speedSource,
                        String servingMode, Integer prefillWorkers, Integer prefillTensorParallel, Integer prefillPipelineParallel) {

    /** Column names in order, as written to Parquet and CSV. */
    public static final String[] COLUMNS = {"cell_id", "model", "cluster", "gpu", "gpus_per_node", "nodes",
            "sequence_length", "batch_size", "objective", "status", "rank", "tensor_parallel", "pipeline_parallel",
            "data_parallel", "expert_parallel", "total_gpus", "memory_per_gpu_gb", "memory_utilization", "weights_gb",
            "activations_gb", "kv_cache_gb", "framework_overhead_gb", "kv_cache_tokens", "max_concurrency", "ttft_ms",
            "tpot_ms", "tokens_per_second", "usd_per_gpu_hour", "monthly_cost_usd", "cost_per_million_tokens_usd",
            "price_source", "request_rate", "ttft_slo_ms", "tpot_slo_ms", "percentile", "replicas", "meets_slo",
            "simulated", "owned_monthly_cost_usd", "deployment_command", "failure_reason", "failure_detail", "speed_source",
            "serving_mode", "prefill_workers", "prefill_tensor_parallel", "prefill_pipeline_parallel"};

    public boolean ok() {
        return RowStatus.OK.key().equals(status);
    }

    /** The values in {@link #COLUMNS} order (nulls kept). */
    public Object[] values() {
        return new Object[] {cellId, model, cluster, gpu, gpusPerNode, nodes, sequenceLength, batchSize, objective, status,
                rank, tensorParallel, pipelineParallel, dataParallel, expertParallel, totalGpus, memoryPerGpuGb,
                memoryUtilization, weightsGb, activationsGb, kvCacheGb, frameworkOverheadGb, kvCacheTokens, maxConcurrency,
                ttftMs, tpotMs, tokensPerSecond, usdPerGpuHour, monthlyCostUsd, costPerMillionTokensUsd, priceSource,
                requestRate, ttftSloMs, tpotSloMs, percentile, replicas, meetsSlo, simulated, ownedMonthlyCostUsd,
                deploymentCommand, failureReason, failureDetail, speedSource, servingMode, prefillWorkers, prefillTensorParallel,
                prefillPipelineParallel};
    }

    /** A row from values in {@link #COLUMNS} order (as a Parquet row holds them). */
    public static ResultRow fromValues(Object[] v) {
        return new ResultRow((Long) v[0], (String) v[1], (String) v[2], (String) v[3], (Integer) v[4], (Integer) v[5],
                (Integer) v[6], (Integer) v[7], (String) v[8], (String) v[9], (Integer) v[10], (Integer) v[11],
                (Integer) v[12], (Integer) v[13], (Integer) v[14], (Integer) v[15], (Double) v[16], (Double) v[17],
                (Double) v[18], (Double) v[19], (Double) v[20], (Double) v[21], (Long) v[22], (Double) v[23], (Double) v[24],
                (Double) v[25], (Double) v[26], (Double) v[27], (Double) v[28], (Double) v[29], (String) v[30],
                (Double) v[31], (Double) v[32], (Double) v[33], (Integer) v[34], (Integer) v[35], (Boolean) v[36],
                (Boolean) v[37], (Double) v[38], (String) v[39], (String) v[40], (String) v[41], (String) v[42], (String) v[43],
                (Integer) v[44], (Integer) v[45], (Integer) v[46]);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a row by column name; unset columns are null (0 for the cell's always-present numbers). */
    public static final class Builder {
        private final Object[] v = new Object[COLUMNS.length];

        private Builder() {
            v[0] = 0L;
            v[4] = 0;
            v[5] = 0;
            v[6] = 0;
            v[7] = 0;
            v[10] = 0;
        }

        private Builder set(int i, Object value) {
            v[i] = value;
            return this;
        }

        public Builder cell(long id, String model, String cluster, String gpu, int gpusPerNode, int nodes) {
            return set(0, id).set(1, model).set(2, cluster).set(3, gpu).set(4, gpusPerNode).set(5, nodes);
        }

        public Builder workload(int sequenceLength, int batchSize, String objective) {
            return set(6, sequenceLength).set(7, batchSize).set(8, objective);
        }

        /** A result, ranked (1 = best for the cell's objective). */
        public Builder ok(int rank) {
            return set(9, RowStatus.OK.key()).set(10, rank);
        }

        /** The cell's failure: rank 0, the reason and what would help. */
        public Builder failed(FailureReason reason, String detail) {
            return set(9, RowStatus.FAILED.key()).set(10, 0).set(40, reason.key()).set(41, detail);
        }

        public Builder layout(int tp, int pp, int dp, int ep, int totalGpus) {
            return set(11, tp).set(12, pp).set(13, dp).set(14, ep).set(15, totalGpus);
        }

        public Builder memory(Double perGpuGb, Double utilization, Double weightsGb, Double activationsGb, Double kvCacheGb,
                              Double overheadGb) {
            return set(16, perGpuGb).set(17, utilization).set(18, weightsGb).set(19, activationsGb).set(20, kvCacheGb)
                    .set(21, overheadGb);
        }

        public Builder kv(Long tokens, Double maxConcurrency) {
            return set(22, tokens).set(23, maxConcurrency);
        }

        public Builder speed(Double ttftMs, Double tpotMs, Double tokensPerSecond) {
            return set(24, ttftMs).set(25, tpotMs).set(26, tokensPerSecond);
        }

        public Builder price(Double usdPerGpuHour, Double monthlyUsd, Double perMillionTokensUsd, String source) {
            return set(27, usdPerGpuHour).set(28, monthlyUsd).set(29, perMillionTokensUsd).set(30, source);
        }

        public Builder traffic(Double requestRate, Double ttftSloMs, Double tpotSloMs, Integer percentile) {
            return set(31, requestRate).set(32, ttftSloMs).set(33, tpotSloMs).set(34, percentile);
        }

        public Builder fleet(Integer replicas, Boolean meetsSlo, Boolean simulated, Double ownedMonthlyUsd) {
            return set(35, replicas).set(36, meetsSlo).set(37, simulated).set(38, ownedMonthlyUsd);
        }

        public Builder command(String deploymentCommand) {
            return set(39, deploymentCommand);
        }

        /** Where the row's latencies come from: a {@code PerfModel.StepSource} key. */
        public Builder speedSource(String source) {
            return set(42, source);
        }

        /** An aggregated fleet (traffic cells). */
        public Builder aggregated() {
            return set(43, "aggregated");
        }

        /** A disaggregated fleet: its prefill pool (the row's layout and replicas are the decode pool's). */
        public Builder disaggregated(int prefillWorkers, int prefillTp, int prefillPp) {
            return set(43, "disaggregated").set(44, prefillWorkers).set(45, prefillTp).set(46, prefillPp);
        }

        public ResultRow build() {
            return fromValues(v);
        }
    }
}

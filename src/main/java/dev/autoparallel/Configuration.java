package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One ranked layout, with exactly the seed's keys (tensor_parallel ... deployment_command) and
 * what we add after them. Memory figures are GiB per GPU on the most loaded rank.
 *
 * @param expertParallel size of the expert-parallel group (TP x DP with expert parallelism, else 1)
 * @param ttftMs         the throughput model's time to first token for the workload: speedInputTokens of prompt
 *                       (3/4 of sequence_length) and speedOutputTokens generated (1/4, at most 1,024), batch_size in
 *                       flight, served by vLLM; likewise tpotMs, tokensPerSecond (generated tokens, all replicas)
 * @param costPerMillionTokensUsd USD per million generated tokens on the cheapest priced offer; null without a price
 * @param speedSource    where the speed's step times come from: {@code measured_kernels} of this GPU, or {@code roofline}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Configuration(int tensorParallel, int pipelineParallel, int expertParallel, int dataParallel,
                            int totalGpus, double memoryPerGpuGb, double memoryUtilization,
                            MemoryBreakdown memoryBreakdown, String deploymentCommand,
                            List<String> deploymentCommands, List<String> deploymentNotes, String sglangCommand,
                            String trtllmCommand, String gpu, double gpuMemoryGb, int sequenceLength, int batchSize,
                            EngineView engineView, Double ttftMs, Double tpotMs, Double tokensPerSecond,
                            Double tokensPerSecondPerGpu, Double costPerMillionTokensUsd, Integer speedInputTokens,
                            Integer speedOutputTokens, String speedSource) {

    public Configuration {
        deploymentCommands = List.copyOf(deploymentCommands);
        deploymentNotes = List.copyOf(deploymentNotes);
    }
}

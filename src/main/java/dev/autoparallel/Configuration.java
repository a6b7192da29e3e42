package dev.autoparallel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One ranked layout, with exactly the seed's keys (tensor_parallel ... deployment_command) and
 * what we add after them. Memory figures are GiB per GPU on the most loaded rank.
 *
 * @param expertParallel size of the expert-parallel group (TP x DP with expert parallelism, else 1)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Configuration(int tensorParallel, int pipelineParallel, int expertParallel, int dataParallel,
                            int totalGpus, double memoryPerGpuGb, double memoryUtilization,
                            MemoryBreakdown memoryBreakdown, String deploymentCommand,
                            List<String> deploymentCommands, List<String> deploymentNotes, String sglangCommand,
                            String gpu, double gpuMemoryGb, int sequenceLength, int batchSize, EngineView engineView) {
    public Configuration {
        deploymentCommands = List.copyOf(deploymentCommands);
        deploymentNotes = List.copyOf(deploymentNotes);
    }
}

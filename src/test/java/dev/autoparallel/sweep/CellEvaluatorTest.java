package dev.autoparallel.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.report.ResultRow;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic cells of a sweep, evaluated without Spark. */
class CellEvaluatorTest {
    /**
     * Llama-3.3-70B on H100 at 10 requests/s, p90 TTFT 3 s and TPOT 25 ms: with 8,192-token prompts the disaggregated
     * fleet (12 prefill workers at TP 2, one decode worker at TP 8: 32 GPUs) beats the aggregated ones and follows them as
     * a row; with 2,048-token prompts it does not, and no such row is written (FleetPlannerTest has the figures).
     */
    @Test
    void trafficCell_addsTheDisaggregatedFleetWhereItBeatsTheAggregated(@TempDir Path dir) throws Exception {
        String spec = """
                {"name": "split", "models": ["meta-llama/Llama-3.3-70B-Instruct"], "clusters": [{"name": "H100", "gpu": "H100"}],
                 "traffic": {"request_rates": [10], "input_tokens": %d, "output_tokens": %d},
                 "slo": {"ttft_ms": %d, "tpot_ms": %d, "percentile": 90}, "max_configs": 3}""";
        SweepPlan longPrompts = SweepJobTest.plan(spec.formatted(8192, 256, 3000, 25), "test", dir, dir);
        List<ResultRow> rows = CellEvaluator.traffic(longPrompts, longPrompts.cell(0), false);
        ResultRow last = rows.get(rows.size() - 1);
        assertEquals("disaggregated", last.servingMode(), rows.toString());
        assertEquals(List.of(12, 2, 1, 8, 1, 32), List.of(last.prefillWorkers(), last.prefillTensorParallel(),
                last.prefillPipelineParallel(), last.tensorParallel(), last.replicas(), last.totalGpus()));
        assertTrue(last.monthlyCostUsd() < rows.get(0).monthlyCostUsd(), rows.toString());
        assertTrue(last.deploymentCommand().startsWith("prefill (12 workers): vllm serve") && last.deploymentCommand()
                .endsWith(" ; router: vllm-router in PD mode over all workers (plan prints it)"), last.deploymentCommand());
        assertEquals(rows.size(), last.rank());
        assertTrue(rows.subList(0, rows.size() - 1).stream().allMatch(r -> "aggregated".equals(r.servingMode())
                && r.prefillWorkers() == null));

        SweepPlan shortPrompts = SweepJobTest.plan(spec.formatted(2048, 512, 2000, 50), "test", dir, dir);
        assertTrue(CellEvaluator.traffic(shortPrompts, shortPrompts.cell(0), false).stream()
                .allMatch(r -> "aggregated".equals(r.servingMode())));
    }
}

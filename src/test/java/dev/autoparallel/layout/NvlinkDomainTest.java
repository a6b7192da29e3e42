package dev.autoparallel.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.AutoParallel;
import dev.autoparallel.core.Planner;
import dev.autoparallel.hardware.Gpu;
import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.RejectionReason;
import dev.autoparallel.model.ModelSpec;
import org.junit.jupiter.api.Test;

/**
 * Rack-scale NVLink: a GB200 NVL72 joins 72 GPUs (18 trays of four) by NVLink, so tensor
 * parallelism may span trays there, while on B200 nodes of four it may not (NVIDIA GB200 NVL72).
 */
class NvlinkDomainTest {
    private static final ModelSpec DEEPSEEK_V3 = AutoParallel.model("deepseek-ai/DeepSeek-V3");

    private static RejectionReason tp8(String gpu) {
        Gpu g = GpuCatalog.require(gpu, "gpu");
        Cluster trays = new Cluster(g, g.memoryBytes(), 4, 4, false);
        Candidate c = LayoutSearch.candidate(Planner.shared().memoryModel(DEEPSEEK_V3, g), trays, new Layout(8, 1, 1, false),
                4096, 8, EngineSettings.defaults());
        return c.reason();
    }

    @Test
    void tensorParallelism_spansTraysWithinTheNvlinkDomain_only() {
        assertEquals(72, GpuCatalog.require("GB200", "gpu").nvlinkGpus(4));
        assertEquals(4, GpuCatalog.require("B200", "gpu").nvlinkGpus(4));
        assertNotEquals(RejectionReason.TP_CROSSES_NODES, tp8("GB200"));
        assertEquals(RejectionReason.TP_CROSSES_NODES, tp8("B200"));
    }

    @Test
    void theLayoutSearch_offersTpAcrossTrays_onGb200() {
        Gpu gb200 = GpuCatalog.require("GB200", "gpu");
        boolean acrossTrays = LayoutSearch.evaluate(Planner.shared().memoryModel(DEEPSEEK_V3, gb200),
                        new Cluster(gb200, gb200.memoryBytes(), 4, 4, false), 4096, 8, EngineSettings.defaults())
                .stream().anyMatch(c -> c.fits() && c.layout().tp() > 4);
        assertTrue(acrossTrays, "a fitting TP 8 or 16 layout of DeepSeek-V3 over GB200 trays");
    }
}

package dev.autoparallel.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.hardware.GpuCatalog;
import dev.autoparallel.memory.EngineSettings;
import dev.autoparallel.memory.Layout;
import dev.autoparallel.memory.MemoryModel;
import dev.autoparallel.model.ModelSpec;
import dev.autoparallel.source.Catalog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Invariants over many random (model, GPU, layout, workload) draws from the catalog: a fixed
 * seed keeps failures reproducible; each property is checked on 300 draws.
 */
class LayoutPropertiesTest {
    private static final List<ModelSpec> MODELS = Catalog.embedded().entries().stream()
            .map(Catalog.Entry::spec).toList();
    private static final int DRAWS = 300;
    private final Random random = new Random(20261125);

    private ModelSpec model() {
        return MODELS.get(random.nextInt(MODELS.size()));
    }

    private Cluster cluster() {
        var gpus = GpuCatalog.all();
        return Cluster.of(gpus.get(random.nextInt(gpus.size())).name(), 8, 1 + random.nextInt(4));
    }

    private Layout validLayout(MemoryModel m) {
        while (true) {
            int tp = 1 << random.nextInt(4);
            int pp = 1 + random.nextInt(4);
            Layout l = new Layout(tp, pp, 1 + random.nextInt(3), m.spec().isMoe() && random.nextBoolean());
            if (m.invalidLayout(l) == null) {
                return l;
            }
        }
    }

    private int seq(ModelSpec s) {
        return 1 + random.nextInt(Math.min(s.maxPositionEmbeddings(), 32768));
    }

    @Test
    void memory_neverDecreasesWithSequenceLengthOrBatch() {
        for (int i = 0; i < DRAWS; i++) {
            ModelSpec s = model();
            Cluster c = cluster();
            MemoryModel m = new MemoryModel(s, c.gpu());
            Layout l = validLayout(m);
            int seq = seq(s);
            int longer = Math.min(s.maxPositionEmbeddings(), seq + 1 + random.nextInt(4096));
            int batch = 1 + random.nextInt(64);
            EngineSettings fixed = EngineSettings.defaults().withMaxModelLen(s.maxPositionEmbeddings()).withMaxNumSeqs(256);
            Candidate a = LayoutSearch.candidate(m, c, l, seq, batch, fixed);
            Candidate b = LayoutSearch.candidate(m, c, l, longer, batch, fixed);
            Candidate d = LayoutSearch.candidate(m, c, l, seq, batch + 1 + random.nextInt(64), fixed);
            assertTrue(b.totalBytes() >= a.totalBytes(), s.modelId() + " " + l + " seq " + seq + " -> " + longer);
            assertTrue(d.totalBytes() >= a.totalBytes(), s.modelId() + " " + l + " batch " + batch);
        }
    }

    @Test
    void moreTp_neverIncreasesWeightsPerGpu() {
        for (int i = 0; i < DRAWS; i++) {
            ModelSpec s = model();
            Cluster c = cluster();
            MemoryModel m = new MemoryModel(s, c.gpu());
            int pp = 1 + random.nextInt(3);
            long previous = Long.MAX_VALUE;
            for (int tp = 1; tp <= 16; tp *= 2) {
                Layout l = new Layout(tp, pp, 1, false);
                if (m.invalidLayout(l) != null) {
                    continue;
                }
                long w = m.evaluate(l, EngineSettings.defaults(), c.gpuMemoryBytes()).weightsBytes();
                assertTrue(w <= previous, s.modelId() + " TP " + tp + " PP " + pp);
                previous = w;
            }
        }
    }

    @Test
    void everyReturnedLayoutFits_andBreakdownSumsToTotal() {
        for (int i = 0; i < 60; i++) {
            ModelSpec s = model();
            Cluster c = cluster();
            MemoryModel m = new MemoryModel(s, c.gpu());
            int seq = seq(s);
            int batch = 1 + random.nextInt(128);
            for (Candidate cand : LayoutSearch.evaluate(m, c, seq, batch, EngineSettings.defaults())) {
                long parts = cand.engine().weightsBytes() + cand.engine().activationBytes() + cand.workloadKvBytes()
                        + cand.engine().overheadBytes();
                assertEquals(parts, cand.totalBytes());
                if (cand.fits()) {
                    assertTrue(cand.totalBytes() <= cand.engine().budgetBytes(), s.modelId() + " " + cand.layout());
                    assertTrue(cand.engine().maxConcurrency() * cand.layout().dp() >= 1, s.modelId() + " " + cand.layout());
                    assertTrue(cand.layout().totalGpus() <= c.totalGpus());
                    assertTrue(cand.layout().tp() <= c.gpu().nvlinkGpus(c.gpusPerNode()), "TP within NVLink's reach");
                }
            }
        }
    }

    @Test
    void ranking_isStableUnderInputOrder() {
        for (int i = 0; i < 40; i++) {
            ModelSpec s = model();
            Cluster c = cluster();
            MemoryModel m = new MemoryModel(s, c.gpu());
            List<Candidate> all = new ArrayList<>(LayoutSearch.evaluate(m, c, seq(s), 1 + random.nextInt(64),
                    EngineSettings.defaults()).stream().filter(Candidate::fits).toList());
            for (Objective o : Objective.values()) {
                List<Candidate> sorted = all.stream().sorted(o.order()).toList();
                List<Candidate> shuffled = new ArrayList<>(all);
                Collections.shuffle(shuffled, random);
                assertEquals(sorted.stream().map(Candidate::layout).toList(),
                        shuffled.stream().sorted(o.order()).map(Candidate::layout).toList(), o.key());
            }
        }
    }
}

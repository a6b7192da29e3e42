package dev.autoparallel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Measured length histograms: parsed as 'tokens,count' lines, sampled in proportion, refused by name when broken. */
class LengthDistributionTest {
    @Test
    void histogram_isSampledInProportion_andSkipsEmptyBins() {
        LengthDistribution h = LengthDistribution.parseHistogram("tokens,count\n# chat prompts\n128,3\n512,0\n\n2048,1\n",
                "input_histogram", "lengths.csv");
        assertEquals((128 * 3 + 2048) / 4.0, h.mean(), 1e-9);
        assertEquals(2048, h.max());
        SplittableRandom random = new SplittableRandom(1);
        int[] seen = new int[3];
        for (int i = 0; i < 40_000; i++) {
            int v = h.sample(random);
            seen[v == 128 ? 0 : v == 512 ? 1 : 2]++;
        }
        assertEquals(0, seen[1], "a bin of count 0 is never drawn");
        assertEquals(0.75, seen[0] / 40_000.0, 0.01);
        assertEquals(LengthDistribution.histogram(new int[] {128, 512, 2048}, new long[] {3, 0, 1}), h,
                "equal histograms are the same traffic (a layout table's key)");
    }

    @Test
    void brokenHistograms_nameTheFieldAndLine() {
        String[][] cases = {
                {"128,3\n512\n", "lengths.csv line 2"},
                {"128,3\n512,x\n", "lengths.csv line 2"},
                {"128,0\n", "counts 0"},
                {"0,5\n", "length was 0"},
                {"128,-1\n", "count was -1"},
                {"# nothing\n", "no bins"},
        };
        for (String[] c : cases) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> LengthDistribution.parseHistogram(c[0], "input_histogram", "lengths.csv"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}

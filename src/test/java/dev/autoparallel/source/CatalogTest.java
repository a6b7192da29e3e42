package dev.autoparallel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.model.Family;
import dev.autoparallel.model.ModelSpec;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private final Catalog catalog = Catalog.embedded();

    @Test
    void catalog_holdsAtLeast40Models_coveringEveryFamily() {
        assertTrue(catalog.entries().size() >= 40, "catalog has " + catalog.entries().size());
        Set<Family> seen = EnumSet.noneOf(Family.class);
        for (Catalog.Entry e : catalog.entries()) {
            ModelSpec s = e.spec();
            seen.add(s.family());
            assertTrue(e.source().length() > 20, e.id() + " has no source");
        }
        Set<Family> expected = EnumSet.allOf(Family.class);
        expected.remove(Family.GENERIC);
        assertEquals(expected, seen);
    }

    @Test
    void find_ignoresCase_andAcceptsNameWithoutOrganisation() {
        assertEquals("mistralai/Mixtral-8x7B-v0.1", catalog.find("MISTRALAI/mixtral-8x7b-v0.1").orElseThrow().id());
        assertEquals("deepseek-ai/DeepSeek-R1", catalog.find("deepseek-r1").orElseThrow().id());
        assertTrue(catalog.find("nobody/nothing").isEmpty());
    }

    @Test
    void suggestions_findCloseNames() {
        assertEquals("Qwen/Qwen2.5-72B-Instruct", catalog.suggestions("Qwen/Qwen2.5-72B-Instuct").get(0));
        assertTrue(catalog.suggestions("zzzzzzzzzzzzzz").isEmpty());
    }
}

package dev.autoparallel.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autoparallel.model.Family;
import dev.autoparallel.model.ModelSpec;
import java.util.EnumSet;
import java.util.List;
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
    void catalog_holdsAtLeast150Models_eachNamingItsConfigAndDate() {
        // Issue 8: a catalog of at least 150 models, current releases first, each naming its published config.
        assertTrue(catalog.entries().size() >= 150, "catalog has " + catalog.entries().size());
        for (String id : List.of("deepseek-ai/DeepSeek-V4-Flash", "nvidia/DeepSeek-V4-Flash-NVFP4", "nvidia/DeepSeek-V4-Pro-NVFP4",
                "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "Qwen/Qwen3.6-35B-A3B", "moonshotai/Kimi-K2.6",
                "google/gemma-4-31B-it", "nvidia/Qwen3-30B-A3B-NVFP4", "Qwen/Qwen3-8B-FP8", "nvidia/Llama-3.1-8B-Instruct-FP8")) {
            Catalog.Entry e = catalog.find(id).orElseThrow(() -> new AssertionError(id + " is not in the catalog"));
            assertTrue(e.source().contains("config"), id);
            assertEquals("2026-11-30", e.configDate(), id);
        }
    }

    @Test
    void find_resolvesAliases_toTheirEntry() {
        // measured-latency.csv of the reference set names GLM-5 zhipuai/GLM-5; the Hub repository is zai-org/GLM-5.
        assertEquals("zai-org/GLM-5", catalog.find("zhipuai/GLM-5").orElseThrow().id());
        assertEquals("zai-org/GLM-5", catalog.find("ZHIPUAI/glm-5").orElseThrow().id());
        assertTrue(catalog.aliases().stream().allMatch(a -> a.source().length() > 20));
    }

    @Test
    void alias_toAMissingEntry_isRefusedWhenTheCatalogLoads() {
        Catalog.Entry glm = catalog.find("zai-org/GLM-5").orElseThrow();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Catalog(List.of(glm),
                List.of(new Catalog.Alias("x/y", "nobody/nothing", "a test alias naming no entry"))));
        assertTrue(e.getMessage().contains("nobody/nothing"), e.getMessage());
    }

    @Test
    void nvidiaLlama31_8bFp8_isModelOptFp8OfTheLlama31_8bShapes() {
        ModelSpec fp8 = catalog.find("nvidia/Llama-3.1-8B-Instruct-FP8").orElseThrow().spec();
        ModelSpec bf16 = catalog.find("meta-llama/Llama-3.1-8B-Instruct").orElseThrow().spec();
        assertEquals(bf16.paramCount(), fp8.paramCount());
        assertEquals("modelopt", fp8.quantization().method());
        assertTrue(fp8.weightBytes() < bf16.weightBytes() * 0.6, fp8.weightBytes() + " vs " + bf16.weightBytes());
    }

    @Test
    void suggestions_findCloseNames() {
        assertEquals("Qwen/Qwen2.5-72B-Instruct", catalog.suggestions("Qwen/Qwen2.5-72B-Instuct").get(0));
        assertTrue(catalog.suggestions("zzzzzzzzzzzzzz").isEmpty());
    }
}

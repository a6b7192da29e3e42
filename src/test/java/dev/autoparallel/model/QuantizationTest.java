package dev.autoparallel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.source.Catalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizationTest {
    private static final Tensor DOWN = new Tensor("model.layers.0.mlp.down_proj.weight", Component.DENSE_MLP,
            TensorKind.LINEAR, Sharding.ROW, 0, 4096, 14336, 1);

    @Test
    void awq_packsEightValuesPerInt32_withFp16ScalesAndPackedZeros() {
        var q = new Quantization.IntGroup("awq", 4, 128, List.of());
        long groups = 14336 / 128;
        // qweight: 4096 x 14336 x 4 bit; scales: groups x 4096 fp16; qzeros: groups x 4096 x 4 bit.
        assertEquals(4096L * 14336 / 2 + groups * 4096 * 2 + groups * 4096 / 2, q.bytes(DOWN, DType.FLOAT16));
    }

    @Test
    void gptq_addsGIdxPerInputFeature() {
        var awq = new Quantization.IntGroup("awq", 4, 128, List.of());
        var gptq = new Quantization.IntGroup("gptq", 4, 128, List.of());
        assertEquals(14336L * 4, gptq.bytes(DOWN, DType.FLOAT16) - awq.bytes(DOWN, DType.FLOAT16));
    }

    @Test
    void fp8Block_storesOneFp32ScalePerBlock() {
        var q = new Quantization.Fp8(128, 128, false, List.of());
        assertEquals(4096L * 14336 + 32L * 112 * 4, q.bytes(DOWN, DType.BFLOAT16));
    }

    @Test
    void embeddingsLmHeadAndRouters_stayUnpacked() {
        var q = new Quantization.IntGroup("awq", 4, 128, List.of());
        Tensor head = new Tensor("lm_head.weight", Component.LM_HEAD, TensorKind.EMBEDDING, Sharding.VOCAB, -1, 1000, 64, 1);
        Tensor router = new Tensor("model.layers.0.mlp.gate.weight", Component.ROUTER, TensorKind.LINEAR,
                Sharding.REPLICATED, 0, 8, 4096, 1);
        assertFalse(q.packs(head));
        assertFalse(q.packs(router));
        assertEquals(8L * 4096 * 2, q.bytes(router, DType.FLOAT16));
    }

    @Test
    void exclusionPatterns_followHuggingFaceSemantics() {
        assertTrue(Quantization.matches("model.layers.*.self_attn", "model.layers.7.self_attn.q_proj"));
        assertFalse(Quantization.matches("model.layers.*.self_attn", "model.layers.7.mlp.experts"));
        assertTrue(Quantization.matches("lm_head", "lm_head"));
        assertTrue(Quantization.matches("re:.*mlp.gate$", "model.layers.3.mlp.gate"));
        assertFalse(Quantization.matches("re:.*mlp.gate$", "model.layers.3.mlp.gate_proj"));
        var q = new Quantization.IntGroup("gptq", 4, 128, List.of("down_proj"));
        assertFalse(q.packs(DOWN));
    }

    @Test
    void mxfp4_gptOss_packsOnlyRoutedExperts() {
        ModelSpec s = ReferenceModels.spec("openai/gpt-oss-120b");
        long experts = s.paramBreakdown().get(Component.ROUTED_EXPERTS);
        long rest = s.paramCount() - experts;
        // 4.25 bits per expert weight (e2m1 + one e8m0 scale per 32) except the 16-bit expert biases; the rest bf16.
        long expertBiases = s.tensors().stream()
                .filter(t -> t.component() == Component.ROUTED_EXPERTS && t.kind() == TensorKind.BIAS)
                .mapToLong(Tensor::numel).sum();
        long expected = (experts - expertBiases) / 2 + (experts - expertBiases) / 32 + (rest + expertBiases) * 2;
        assertEquals(expected, s.weightBytes());
        // 60.8 GiB: vLLM's "Model loading took 64.38 GiB" on H100 adds Hopper's padded MXFP4 layout (memory model, not here).
        assertEquals(60.77, s.weightBytes() / (double) (1L << 30), 0.01);
    }

    @Test
    void bitsAndBytes4bit_halfByteValuesAndAbsmax() throws Exception {
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree(
                "{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true, \"bnb_4bit_quant_type\": \"nf4\","
                        + " \"bnb_4bit_use_double_quant\": true}"));
        ModelSpec s = ConfigParser.parse("x", cfg, "cfg");
        assertEquals("bitsandbytes", s.quantization().method());
        // 6.98B linear weights at 4 bits + an int8 absmax per 64 + 1.05B embedding and head at 16 bits: 5.7 GB,
        // the published size of unsloth/Meta-Llama-3.1-8B-bnb-4bit (nf4, double quantization).
        assertEquals(5.70e9, s.weightBytes(), 0.05e9);
    }

    @Test
    void bitsAndBytes_bothOrNeitherMode_isRefused() throws Exception {
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("{\"quant_method\": \"bitsandbytes\"}"));
        var e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertEquals("load_in_4bit", e.field());
    }

    @Test
    void compressedTensors_fp8Channel_andInt4Group() throws Exception {
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "compressed-tensors", "format": "float-quantized", "ignore": ["lm_head"],
                 "config_groups": {"group_0": {"targets": ["Linear"],
                   "weights": {"num_bits": 8, "type": "float", "strategy": "channel", "symmetric": true}}}}"""));
        ModelSpec fp8 = ConfigParser.parse("x", cfg, "cfg");
        // 6.98B linear weights at 1 byte + per-channel bf16 scales + 1.05B embedding/head at 2 bytes: about 8.5 GiB.
        assertEquals(8.46, fp8.weightBytes() / (double) (1L << 30), 0.05);
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "compressed-tensors", "format": "pack-quantized", "ignore": ["lm_head"],
                 "config_groups": {"group_0": {"targets": ["Linear"],
                   "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128, "symmetric": true}}}}"""));
        ModelSpec int4 = ConfigParser.parse("x", cfg, "cfg");
        assertTrue(int4.weightBytes() < fp8.weightBytes() * 0.7);
    }

    @Test
    void awqCatalogModel_weighsAboutAQuarterOfBf16PlusEmbeddings() {
        // Qwen2.5-72B-Instruct-AWQ: the Hub repo's safetensors total about 41.6 GB (published repo size).
        ModelSpec s = Catalog.embedded().find("Qwen/Qwen2.5-72B-Instruct-AWQ")
                .map(Catalog.Entry::spec).orElseThrow();
        assertEquals(41.5e9, s.weightBytes(), 0.3e9);
    }

    @Test
    void nvfp4_packsTwoValuesPerByte_withAnFp8ScalePer16_andTwoFp32Scalars() {
        var q = new Quantization.ModelOpt("NVFP4", List.of(), Map.of());
        // weight U8 [4096, 7168], weight_scale F8_E4M3 [4096, 896], weight_scale_2 F32 [], input_scale F32 [].
        assertEquals(4096L * 14336 / 2 + 4096L * 14336 / 16 + 4 + 4, q.bytes(DOWN, DType.BFLOAT16));
        assertEquals(4096L * 14336 / 16 + 8, q.scaleBytes(DOWN, DType.BFLOAT16));
        // W4A16 (weight-only) has no input_scale.
        var w4a16 = new Quantization.ModelOpt("MIXED_PRECISION", List.of(),
                Map.of("model.layers.0.mlp.down_proj", "W4A16_NVFP4"));
        assertEquals(q.bytes(DOWN, DType.BFLOAT16) - 4, w4a16.bytes(DOWN, DType.BFLOAT16));
    }

    @Test
    void modelOpt_excludeModules_useFnmatchPatterns() {
        var q = new Quantization.ModelOpt("NVFP4", List.of("model.layers.0*", "*.self_attn*"), Map.of());
        assertFalse(q.packs(DOWN));
        Tensor other = new Tensor("model.layers.12.mlp.down_proj.weight", Component.DENSE_MLP, TensorKind.LINEAR,
                Sharding.ROW, 12, 4096, 14336, 1);
        assertTrue(q.packs(other));
        Tensor attn = new Tensor("model.layers.12.self_attn.q_proj.weight", Component.ATTENTION, TensorKind.LINEAR,
                Sharding.COLUMN, 12, 4096, 4096, 1);
        assertFalse(q.packs(attn));
    }

    @Test
    void nemotron3NanoNvfp4_hubTotalCountsPackedBytesAndBlockScales() {
        // nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4: config.json has no quantization_config; its
        // hf_quant_config.json (ModelOpt 0.29.0, NVFP4, attention and 6 Mamba layers excluded) is read beside it.
        ModelSpec s = Configs2026.spec("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4");
        var q = assertInstanceOf(Quantization.ModelOpt.class, s.quantization());
        long scalars = s.tensors().stream().mapToLong(q::scalarScales).sum();
        // Hub total 18,237,772,608: U8 packed values + F8 block scales + the 16-bit remainder; the per-tensor
        // FP32 scalars (0-dimensional tensors, 11,936 of them) are not in it.
        assertEquals(11_936L, scalars);
        assertEquals(18_237_772_608L, s.checkpointElements() - scalars);
    }

    @Test
    void modelOptFp8_withoutQuantMethod_isReadFromItsProducer() {
        // Qwen/Qwen3-32B-FP8-Static-PerTensor: quantization_config names quant_algo FP8 and producer modelopt, no quant_method.
        ModelSpec s = Configs2026.spec("Qwen--Qwen3-32B-FP8-Static-PerTensor");
        assertEquals("modelopt", s.quantization().method());
        // Every linear layer but lm_head (ignore): 1 byte per value plus two FP32 scalars; the rest bf16.
        List<Tensor> packed = s.servedTensors().stream().filter(t -> s.quantization().packs(t)).toList();
        assertEquals(64 * 7, packed.size());
        long packedValues = packed.stream().mapToLong(Tensor::numel).sum();
        assertEquals((s.paramCount() - packedValues) * 2 + packedValues + packed.size() * 8L, s.weightBytes());
    }

    @Test
    void fp8WithoutQuantMethod_andNoFormatField_isRefused() {
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.putObject("quantization_config").put("bits", 8);
        var e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg"));
        assertEquals("quant_method", e.field());
    }

    @Test
    void compressedTensorsNvfp4_packsLikeNvfp4_withGlobalScales() throws Exception {
        // The quantization_config llm-compressor writes for NVFP4 (format nvfp4-pack-quantized, e.g. the
        // RedHatAI/*-NVFP4 checkpoints): 4-bit float weights and activations, strategy tensor_group, group 16.
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized", "ignore": ["lm_head"],
                 "config_groups": {"group_0": {"targets": ["Linear"],
                   "weights": {"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16, "symmetric": true},
                   "input_activations": {"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16}}}}
                """));
        ModelSpec s = ConfigParser.parse("x", cfg, "cfg");
        var q = assertInstanceOf(Quantization.CompressedNvfp4.class, s.quantization());
        // weight_packed 4096 x 7168 bytes, weight_scale 4096 x 896 FP8, weight_global_scale and input_global_scale FP32.
        assertEquals(4096L * 14336 / 2 + 4096L * 14336 / 16 + 8, q.bytes(DOWN, DType.BFLOAT16));
        assertTrue(s.weightBytes() < s.paramCount() * 0.8, "16-bit embeddings and head, 4.5 bits per packed weight");
    }

    @Test
    void compressedTensorsMxfp4_packsTwoValuesAByteWithE8m0Scales() throws Exception {
        // Kimi-K3's quantization_config (format mxfp4-pack-quantized, 4-bit float weights in groups of 32,
        // scale_dtype torch.uint8): its listing stores w1 [3072, 3584] as weight_packed [3072, 1792] uint8 and
        // weight_scale [3072, 112] uint8.
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "compressed-tensors", "format": "mxfp4-pack-quantized", "ignore": ["lm_head"],
                 "config_groups": {"group_0": {"format": "mxfp4-pack-quantized", "targets": ["Linear"],
                   "weights": {"num_bits": 4, "type": "float", "strategy": "group", "group_size": 32,
                               "scale_dtype": "torch.uint8", "symmetric": true}}}}
                """));
        ModelSpec s = ConfigParser.parse("x", cfg, "cfg");
        var q = assertInstanceOf(Quantization.CompressedMxfp4.class, s.quantization());
        assertEquals(4096L * 14336 / 2 + 4096L * 14336 / 32, q.bytes(DOWN, DType.BFLOAT16));
        assertEquals(4096L * 14336 / 32, q.scaleBytes(DOWN, DType.BFLOAT16));
        // 4-bit floats in groups of 16 without the NVFP4 strategy are not MXFP4: refused by field.
        ((ObjectNode) cfg.get("quantization_config").get("config_groups").get("group_0").get("weights"))
                .put("group_size", 16);
        assertEquals("strategy", assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg")).field());
    }

    @Test
    void compressedTensorsTensorGroup_withIntWeights_isRefused() throws Exception {
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "compressed-tensors", "config_groups": {"group_0": {
                   "weights": {"num_bits": 4, "type": "int", "strategy": "tensor_group", "group_size": 16}}}}
                """));
        assertEquals("strategy", assertThrows(InvalidConfigurationException.class,
                () -> ConfigParser.parse("x", cfg, "cfg")).field());
    }

    @Test
    void fbgemmFp8_storesOneFp32ScalePerOutputChannel() throws Exception {
        // The quantization_config of meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8 (quant_method fbgemm_fp8,
        // vLLM fbgemm_fp8.py: per-channel weight scales, dynamic per-token activations).
        ObjectNode cfg = ReferenceModels.get("meta-llama/Llama-3.1-8B").get("config").deepCopy();
        cfg.set("quantization_config", new ObjectMapper().readTree("""
                {"quant_method": "fbgemm_fp8", "activation_scale_ub": 1200.0, "modules_to_not_convert": ["lm_head"]}
                """));
        ModelSpec s = ConfigParser.parse("x", cfg, "cfg");
        var q = assertInstanceOf(Quantization.FbgemmFp8.class, s.quantization());
        assertEquals(4096L * 14336 + 4096L * 4, q.bytes(DOWN, DType.BFLOAT16));
        assertEquals(4096L * 4, q.scaleBytes(DOWN, DType.BFLOAT16));
    }
}

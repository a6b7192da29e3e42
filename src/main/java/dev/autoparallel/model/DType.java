package dev.autoparallel.model;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element types of checkpoint tensors and of the KV cache, with their size in bytes. */
public enum DType {
    FLOAT32(4, "float32", "float", "fp32", "torch.float32"),
    FLOAT16(2, "float16", "half", "fp16", "torch.float16"),
    BFLOAT16(2, "bfloat16", "bf16", "torch.bfloat16"),
    FLOAT8(1, "float8_e4m3fn", "fp8", "fp8_e4m3", "fp8_e5m2", "float8_e5m2");

    private final int bytes;
    private final String[] names;

    DType(int bytes, String... names) {
        this.bytes = bytes;
        this.names = names;
    }

    public int bytes() {
        return bytes;
    }

    /** The name Hugging Face configs use. */
    public String configName() {
        return names[0];
    }

    /** Parses a config's {@code torch_dtype}/{@code dtype} value; {@code field} names it in the error. */
    public static DType parse(String value, String field) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (DType t : values()) {
            for (String n : t.names) {
                if (n.equals(v)) {
                    return t;
                }
            }
        }
        String allowed = Arrays.stream(values())
                .flatMap(t -> Arrays.stream(t.names))
                .collect(Collectors.joining(", "));
        throw new InvalidConfigurationException(field,
                field + " was '" + value + "'; allowed: " + allowed);
    }
}

package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.Locale;

/** vLLM's {@code --kv-cache-dtype}: {@code auto} keeps the model dtype, {@code fp8} stores one byte per element. */
public enum KvCacheDtype {
    AUTO("auto"), FP8("fp8");

    private final String flag;

    KvCacheDtype(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public static KvCacheDtype parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return AUTO;
        }
        if (v.equals("fp8") || v.equals("fp8_e4m3") || v.equals("fp8_e5m2")) {
            return FP8;
        }
        throw new InvalidConfigurationException("kv_cache_dtype", "kv_cache_dtype was '" + s + "'; allowed: auto, fp8");
    }
}

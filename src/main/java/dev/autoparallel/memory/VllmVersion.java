package dev.autoparallel.memory;

import dev.autoparallel.error.InvalidConfigurationException;
import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A vLLM release, as {@code major.minor.patch}; development suffixes are dropped. */
public record VllmVersion(int major, int minor, int patch) implements Comparable<VllmVersion>, Serializable {
    /** The release AutoParallel models by default: the newest one this project has seen published (2026-11; see {@link VllmReleases}). */
    public static final VllmVersion DEFAULT = new VllmVersion(0, 33, 0);
    /** V1 became vLLM's default engine in 0.8.0. */
    public static final VllmVersion V1_DEFAULT_FROM = new VllmVersion(0, 8, 0);

    private static final Pattern FORM = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

    public static VllmVersion parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidConfigurationException("vllm_version", "vllm_version was '" + text
                    + "'; expected a release such as 0.29.0 or v0.9.2");
        }
        return new VllmVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    public boolean atLeast(VllmVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(VllmVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}

package dev.autoparallel.perf;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TensorRT-LLM release as its version reads ({@code 1.0.0rc3}, {@code 1.2.0rc6.post1}, {@code 1.1.0}): a release
 * candidate comes before its final release, a {@code .postN} rebuild is its release.
 *
 * @param candidate the release candidate's number, {@link #FINAL} for a final release
 */
public record TrtllmRelease(int major, int minor, int patch, int candidate) implements Comparable<TrtllmRelease> {
    /** A final release: after every candidate of its version. */
    public static final int FINAL = Integer.MAX_VALUE;

    /**
     * 1.0.0, the first release whose PyTorch backend hands some FP8 linears their input already quantized: its release
     * notes (docs/source/release-notes.md, 1.0) list PR #6540 ("Enable fp8 SwiGLU", the down projection's input) and name
     * {@code TRTLLM_LLAMA_EAGER_FUSION_DISABLED}, which PR #6205 added with Llama's all-reduce + RMSNorm + FP8 quantization
     * fusion (opened 2025-07-20, after 1.0.0rc3 was cut: PR #6086 bumped the version to 1.0.0rc4 on 2025-07-16).
     */
    public static final TrtllmRelease FUSED_FP8_INPUTS = new TrtllmRelease(1, 0, 0, FINAL);

    private static final Pattern FORM = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)(?:rc(\\d+))?(?:\\.post\\d+)?");

    /**
     * The release {@code text} names, or empty where it names none: anything but {@code MAJOR.MINOR.PATCH[rcN][.postN]}
     * from 1.0 on. measured-latency.csv's rows of NVIDIA Dynamo's TensorRT-LLM runtime give Dynamo's own version there
     * ({@code 0.8.1.post1}, image {@code ai-dynamo/tensorrtllm-runtime:0.8.1.post1}), so a version before 1.0 is not
     * read as TensorRT-LLM's.
     */
    public static Optional<TrtllmRelease> parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            return Optional.empty();
        }
        return Optional.of(new TrtllmRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4) == null ? FINAL : Integer.parseInt(m.group(4))));
    }

    /** Whether this release comes before {@code other}. */
    public boolean before(TrtllmRelease other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(TrtllmRelease o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        return c != 0 ? c : Integer.compare(candidate, o.candidate);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (candidate == FINAL ? "" : "rc" + candidate);
    }
}

package dev.autoparallel.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Matches quantization exclusion patterns against module paths, fast: checkpoints list hundreds
 * of patterns (GLM-5-FP8: 712) and models have thousands of tensors, so literal and prefix
 * patterns are decided with string operations and the rest compile once into a shared cache.
 */
final class ModulePatterns {
    /** Compiled regular expressions by their source, shared by every model parsed in this process. */
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();
    /** A bound on the cache, so hostile configs cannot grow it without end. */
    private static final int MAX_CACHED = 100_000;

    private ModulePatterns() {
    }

    private static Pattern compiled(String regex) {
        Pattern p = COMPILED.get(regex);
        if (p == null) {
            p = Pattern.compile(regex);
            if (COMPILED.size() < MAX_CACHED) {
                COMPILED.put(regex, p);
            }
        }
        return p;
    }

    /**
     * Hugging Face's exclusion semantics: {@code re:} patterns are regular expressions over the
     * module path; other patterns match whole dot-separated parts of it, {@code *} matching one part.
     */
    static boolean hfMatches(String pattern, String module) {
        if (pattern.startsWith("re:")) {
            return compiled(pattern.substring(3)).matcher(module).matches();
        }
        if (pattern.indexOf('*') < 0) {
            return module.equals(pattern) || module.startsWith(pattern + ".") || module.endsWith("." + pattern)
                    || module.contains("." + pattern + ".");
        }
        String glob = Pattern.quote(pattern).replace("*", "\\E[^.]+\\Q");
        return compiled("(^|.*\\.)" + glob + "(\\..*|$)").matcher(module).matches();
    }

    /**
     * Python's fnmatch, as ModelOpt writes its exclusions: {@code *} any run of characters (dots
     * included), {@code ?} one character; a pattern naming a module also covers its sub-modules.
     */
    static boolean fnmatch(String pattern, String module) {
        if (module.length() > pattern.length() && module.startsWith(pattern) && module.charAt(pattern.length()) == '.') {
            return true;
        }
        int star = pattern.indexOf('*');
        boolean question = pattern.indexOf('?') >= 0;
        if (star < 0 && !question) {
            return module.equals(pattern);
        }
        if (!question && star == pattern.length() - 1) {
            return module.regionMatches(0, pattern, 0, star);
        }
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return compiled(re.toString()).matcher(module).matches();
    }
}

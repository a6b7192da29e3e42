package dev.autoparallel.deploy;

import java.util.List;
import java.util.regex.Pattern;

/** Renders an argument list as one POSIX shell line; quoting happens only here. */
public final class ShellQuote {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");
    /** Arguments meant to be expanded by the shell where the user runs them (${HEAD_IP}). */
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]*\\$\\{[A-Z_]+}[A-Za-z0-9_./:=@%+,-]*");

    private ShellQuote() {
    }

    public static String render(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            if (SAFE.matcher(a).matches()) {
                b.append(a);
            } else if (VARIABLE.matcher(a).matches()) {
                b.append('"').append(a).append('"');
            } else {
                b.append('\'').append(a.replace("'", "'\"'\"'")).append('\'');
            }
        }
        return b.toString();
    }
}

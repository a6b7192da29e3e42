package dev.autoparallel.deploy;

import java.util.List;
import java.util.regex.Pattern;

/** Renders an argument list as one POSIX shell line; quoting happens only here. */
public final class ShellQuote {
    /** Arguments meant to be expanded by the shell where the user runs them (${HEAD_IP}). */
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]*\\$\\{[A-Z_]+}[A-Za-z0-9_./:=@%+,-]*");

    private ShellQuote() {
    }

    /** ASCII characters a POSIX shell passes through unquoted. */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PLAIN[c] = true;
            PLAIN[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            PLAIN[c] = true;
        }
        for (char c : "_./:=@%+,-".toCharArray()) {
            PLAIN[c] = true;
        }
    }

    private static boolean safe(String a) {
        if (a.isEmpty()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c >= 128 || !PLAIN[c]) {
                return false;
            }
        }
        return true;
    }

    /** One argument as the shell needs it: as it is, in double quotes around a ${VAR}, or in single quotes. */
    public static String quote(String a) {
        if (safe(a)) {
            return a;
        }
        if (VARIABLE.matcher(a).matches()) {
            return '"' + a + '"';
        }
        return "'" + a.replace("'", "'\"'\"'") + "'";
    }

    public static String render(List<String> args) {
        StringBuilder b = new StringBuilder(args.size() * 12);
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            if (safe(a)) {
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

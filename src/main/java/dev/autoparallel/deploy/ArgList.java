package dev.autoparallel.deploy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Builds a command's argument list and its shell rendering in one pass. Flags and numbers are
 * added as they are (they never need quotes); values from users (model IDs, paths) go through
 * {@link ShellQuote#quote(String)}.
 */
final class ArgList {
    private final List<String> args = new ArrayList<>(32);
    private final StringBuilder line = new StringBuilder(192);

    /** A word that never needs quoting: a program name or a --flag. */
    ArgList word(String w) {
        args.add(w);
        separate().append(w);
        return this;
    }

    ArgList words(String... ws) {
        for (String w : ws) {
            word(w);
        }
        return this;
    }

    ArgList value(String v) {
        args.add(v);
        separate().append(ShellQuote.quote(v));
        return this;
    }

    ArgList value(int n) {
        String s = Integer.toString(n);
        args.add(s);
        separate().append(s);
        return this;
    }

    ArgList option(String flag, int n) {
        return word(flag).value(n);
    }

    ArgList option(String flag, String v) {
        return word(flag).value(v);
    }

    /** An argument list built before, from its arguments and their rendering, to extend. */
    static ArgList of(List<String> args, String line) {
        ArgList a = new ArgList();
        a.args.addAll(args);
        a.line.append(line);
        return a;
    }

    /** A copy to extend (per-node variants of one base command). */
    ArgList copy() {
        ArgList c = new ArgList();
        c.args.addAll(args);
        c.line.append(line);
        return c;
    }

    private StringBuilder separate() {
        return line.isEmpty() ? line : line.append(' ');
    }

    /** A read-only view: the list is not touched after the command is built. */
    List<String> args() {
        return Collections.unmodifiableList(args);
    }

    String line() {
        return line.toString();
    }
}

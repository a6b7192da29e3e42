package dev.autoparallel.deploy;

import java.util.ArrayList;
import java.util.List;

/**
 * How to start a layout: one argument list per node (node 0 first), the same rendered for a
 * shell, and what to do before. Commands stay argument lists; only {@code rendered} is quoted.
 *
 * @param notes steps a person must take first (start Ray, set HEAD_IP), empty for one node
 */
public record Deployment(String engine, List<List<String>> nodeCommands, List<String> rendered, List<String> notes) {
    public Deployment {
        nodeCommands = List.copyOf(nodeCommands);
        rendered = List.copyOf(rendered);
        notes = notes.isEmpty() ? List.of() : List.copyOf(notes);
        if (nodeCommands.size() != rendered.size() || nodeCommands.isEmpty()) {
            throw new IllegalArgumentException("one rendered line per node command");
        }
    }

    static Deployment of(String engine, List<ArgList> nodes, List<String> notes) {
        if (nodes.size() == 1) {
            return new Deployment(engine, List.of(nodes.get(0).args()), List.of(nodes.get(0).line()), notes);
        }
        List<List<String>> args = new ArrayList<>(nodes.size());
        List<String> lines = new ArrayList<>(nodes.size());
        for (ArgList n : nodes) {
            args.add(n.args());
            lines.add(n.line());
        }
        return new Deployment(engine, args, lines, notes);
    }

    /** The same deployment with {@code flag value} after every node's command ({@code value} quoted where the shell needs it). */
    Deployment withOption(String flag, String value) {
        List<ArgList> nodes = new ArrayList<>(nodeCommands.size());
        for (int i = 0; i < nodeCommands.size(); i++) {
            nodes.add(ArgList.of(nodeCommands.get(i), rendered.get(i)).option(flag, value));
        }
        return of(engine, nodes, notes);
    }

    /** The command for node 0 (the only one on a single node), rendered for a shell. */
    public String command() {
        return rendered.get(0);
    }

    public List<String> commands() {
        return rendered;
    }
}

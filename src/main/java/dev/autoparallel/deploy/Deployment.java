package dev.autoparallel.deploy;

import java.util.List;

/**
 * How to start a layout: one argument list per node (node 0 first), and what to do before.
 * Commands stay argument lists; {@link ShellQuote} renders them.
 *
 * @param notes steps a person must take first (start Ray, set HEAD_IP), empty for one node
 */
public record Deployment(String engine, List<List<String>> nodeCommands, List<String> notes) {
    public Deployment {
        List<List<String>> copy = new java.util.ArrayList<>(nodeCommands.size());
        for (List<String> c : nodeCommands) {
            copy.add(List.copyOf(c));
        }
        nodeCommands = List.copyOf(copy);
        notes = List.copyOf(notes);
    }

    /** The command for node 0 (the only one on a single node), rendered for a shell. */
    public String command() {
        return ShellQuote.render(nodeCommands.get(0));
    }

    public List<String> commands() {
        if (nodeCommands.size() == 1) {
            return List.of(command());
        }
        String[] out = new String[nodeCommands.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ShellQuote.render(nodeCommands.get(i));
        }
        return List.of(out);
    }
}

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
        nodeCommands = nodeCommands.stream().map(List::copyOf).toList();
        notes = List.copyOf(notes);
    }

    /** The command for node 0 (the only one on a single node), rendered for a shell. */
    public String command() {
        return ShellQuote.render(nodeCommands.get(0));
    }

    public List<String> commands() {
        return nodeCommands.stream().map(ShellQuote::render).toList();
    }
}

package dev.autoparallel.cli;

import dev.autoparallel.error.InsufficientMemoryException;
import dev.autoparallel.error.InvalidConfigurationException;
import dev.autoparallel.error.ModelNotFoundException;
import dev.autoparallel.error.ModelUnreachableException;
import dev.autoparallel.source.Secrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar autoparallel.jar <command>}. Exit codes: 0 success, 2 bad input (a malformed
 * config, a bad option), 3 model not found or not reachable, 4 the model does not fit the
 * cluster (the message says what would), 1 anything unexpected.
 */
@Command(name = "autoparallel", mixinStandardHelpOptions = true, version = "autoparallel 0.1.0",
        description = "Capacity planning for serving LLMs with vLLM: model inspection, memory, layouts.",
        subcommands = {InspectCommand.class, ModelsCommand.class, AnalyzeCommand.class, BestCommand.class,
                MemoryCommand.class, CostCommand.class, EvaluateCommand.class, PlanCommand.class, ValidateLatencyCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_BAD_INPUT = 2;
    public static final int EXIT_MODEL_UNAVAILABLE = 3;
    public static final int EXIT_DOES_NOT_FIT = 4;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.println("run 'autoparallel help " + (ex.getCommandLine().getCommandName()) + "' for usage");
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            err.println("error: " + Secrets.redact(ex.getMessage()));
            if (ex instanceof InvalidConfigurationException) {
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof ModelNotFoundException || ex instanceof ModelUnreachableException) {
                return EXIT_MODEL_UNAVAILABLE;
            }
            if (ex instanceof InsufficientMemoryException) {
                return EXIT_DOES_NOT_FIT;
            }
            // Unexpected: the trace helps a bug report; the token never appears in it.
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            err.print(Secrets.redact(trace.toString()));
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}

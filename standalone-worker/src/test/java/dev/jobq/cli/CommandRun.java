package dev.jobq.cli;

import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.cli.context.StopSignals;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One in-process run of the {@code jobq} command with its stdout and stderr captured. */
public record CommandRun(int exitCode, String out, String err) {

    /** With an empty environment, queues built from the config, and no way to stop a worker. */
    public static CommandRun of(String... args) {
        return in(context(Map.of(), QueueOpener.building()), args);
    }

    /** With this context. */
    public static CommandRun in(CommandContext context, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exitCode = execute(context, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /** Runs the command line, writing to these writers as it goes (for commands that run until stopped). */
    public static int execute(CommandContext context, PrintWriter out, PrintWriter err, String... args) {
        var commandLine = JobqCommand.commandLine(context);
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    public static CommandContext context(Map<String, String> environment, QueueOpener opener) {
        return new CommandContext(environment, opener, () -> {
            throw new IllegalStateException("this test gives no stop signals; use a ManualStop");
        });
    }

    /** The context with these stop signals. */
    public static CommandContext context(Map<String, String> environment, QueueOpener opener, StopSignals signals) {
        return new CommandContext(environment, opener, () -> signals);
    }
}

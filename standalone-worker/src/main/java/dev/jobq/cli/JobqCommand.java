package dev.jobq.cli;

import dev.jobq.cli.admin.ConfigCommand;
import dev.jobq.cli.admin.DeadLettersCommand;
import dev.jobq.cli.admin.EnqueueCommand;
import dev.jobq.cli.admin.RecurringCommand;
import dev.jobq.cli.admin.ScheduleCommand;
import dev.jobq.cli.admin.StatsCommand;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.cli.demo.DemoCommand;
import dev.jobq.cli.run.EarlySignals;
import dev.jobq.cli.run.OsSignals;
import dev.jobq.cli.run.RunCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code jobq} command: the standalone worker's entry point and the parent of every subcommand.
 * Exit statuses: 0 done, 1 failed at run time, 2 bad usage or configuration, 128 + N ended by signal N
 * ({@link dev.jobq.cli.context.ExitStatus}).
 */
@Command(name = "jobq",
        mixinStandardHelpOptions = true,
        versionProvider = JobqCommand.Version.class,
        description = "jobq, a background job queue for Java 21+.",
        subcommands = {RunCommand.class, EnqueueCommand.class, ScheduleCommand.class, RecurringCommand.class,
                DeadLettersCommand.class, StatsCommand.class, ConfigCommand.class, DemoCommand.class,
                HelpPath.class},
        footer = {"", "Exit status: 0 done, 1 failed at run time, 2 bad usage or configuration,",
                "128 + N ended by signal N (143 TERM, 130 INT); jobq run drains on the first",
                "TERM or INT and exits 0, and exits 143 or 130 on a second one."})
public final class JobqCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        // First: reading the command line takes a second or more, and a TERM then would end `jobq run` with 143.
        EarlySignals.catchUntilTheCommandIsKnown();
        var context = new CommandContext(System.getenv(), QueueOpener.building(), OsSignals::new);
        Charset arguments = ArgumentEncoding.ofThisProcess();
        CommandLine commandLine = commandLine(context, arguments);
        commandLine.setExecutionStrategy(parsed -> {
            if (!(parsed.asCommandLineList().getLast().getCommand() instanceof RunCommand)) {
                exitIfSignalled(EarlySignals.release());
            }
            return runLast(parsed, context, arguments);
        });
        int status = commandLine.execute(args);
        exitIfSignalled(EarlySignals.release());
        System.exit(status);
    }

    /** A signal came before the command could take it: the JVM's answer to it, 128 + its number. */
    private static void exitIfSignalled(OptionalInt status) {
        status.ifPresent(System::exit);
    }

    /**
     * The command line with every subcommand given {@code context}; tests run it in process with
     * their own environment and queues.
     */
    public static CommandLine commandLine(CommandContext context) {
        return commandLine(context, StandardCharsets.UTF_8);
    }

    /** As {@link #commandLine(CommandContext)}, for a command line Java read in {@code arguments} (its locale's). */
    static CommandLine commandLine(CommandContext context, Charset arguments) {
        var commandLine = new CommandLine(new JobqCommand(), new ContextFactory(context));
        commandLine.setExecutionExceptionHandler(new FailureReporter());
        commandLine.setParameterExceptionHandler(new CommandFirst(commandLine.getParameterExceptionHandler(),
                context.environment(), arguments));
        commandLine.setExecutionStrategy(parsed -> runLast(parsed, context, arguments));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // No '@FILE' argument is a file of arguments: --schedule @daily, a documented nickname, was read as the file
        // daily of the working directory where there was one ('Could not read argument file @daily' for a directory).
        commandLine.setExpandAtFiles(false);
        WholeNumbers.registerOn(commandLine);
        giveEveryCommandTheVersion(commandLine);
        return commandLine;
    }

    /**
     * Every command's help offers {@code --version}; without the provider, {@code jobq run --version}
     * printed nothing.
     */
    private static void giveEveryCommandTheVersion(CommandLine command) {
        command.getCommandSpec().versionProvider(new Version());
        command.getSubcommands().values().forEach(JobqCommand::giveEveryCommandTheVersion);
    }

    /**
     * Runs the command, a {@link LinkageError} out of it (code of a jar in --handlers that lacks a class, or was built
     * against another version of one) made a usage error naming the class and the fix: picocli passes Errors on, and
     * they ended the JVM with a raw "Exception in thread main" stack trace and exit 1, which systemd restarts. An argument
     * the locale's encoding ({@code arguments}) could not read is a usage error first, before anything is done
     * ({@link ArgumentEncoding}).
     */
    private static int runLast(CommandLine.ParseResult parsed, CommandContext context, Charset arguments) {
        String unread = ArgumentEncoding.problem(parsed.originalArgs(), arguments, context.environment());
        if (unread != null) {
            throw new CommandLine.ExecutionException(parsed.asCommandLineList().getLast(), unread,
                    CommandFailure.usage(unread));
        }
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (LinkageError e) {
            CommandLine command = parsed.asCommandLineList().getLast();
            throw new CommandLine.ExecutionException(command, e.toString(), CommandFailure.usage(linkageProblem(e)));
        }
    }

    private static String linkageProblem(LinkageError e) {
        if (e instanceof NoClassDefFoundError && e.getMessage() != null) {
            return "class " + e.getMessage().replace('/', '.') + " is missing (" + e + "); put the jar that holds it in "
                    + "--handlers or on the class path, in the version your handler jars were built against";
        }
        return "classes do not fit together (" + e + "); a jar in --handlers was likely built against another version "
                + "of a library than the one found at run time: build it against the versions jobq.jar carries, or "
                + "shade and relocate that library into your jar";
    }

    /** Run without a subcommand: a usage error that lists the commands. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "Missing a command; try `jobq run`, `jobq demo` or `jobq --help`");
    }

    /** Creates commands with a {@code (CommandContext)} constructor through it, the others as picocli would. */
    private record ContextFactory(CommandContext context) implements CommandLine.IFactory {

        @Override
        public <K> K create(Class<K> type) throws Exception {
            Constructor<K> withContext;
            try {
                withContext = type.getDeclaredConstructor(CommandContext.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
            withContext.setAccessible(true);
            return withContext.newInstance(context);
        }
    }

    /** The version from {@code version.properties}, filled in by the build. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            var properties = new Properties();
            try (InputStream in = JobqCommand.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("dev/jobq/cli/version.properties is missing from the jar; "
                            + "rebuild it with ./mvnw package");
                }
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("reading dev/jobq/cli/version.properties failed", e);
            }
            return new String[] {"jobq " + properties.getProperty("version"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}

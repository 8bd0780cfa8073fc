package dev.jobq.cli;

import dev.jobq.cli.demo.DemoCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code jobq} command: the standalone worker's entry point and the parent of every subcommand. */
@Command(name = "jobq",
        mixinStandardHelpOptions = true,
        versionProvider = JobqCommand.Version.class,
        description = "jobq, a background job queue for Java 21+.",
        subcommands = {DemoCommand.class, HelpCommand.class})
public final class JobqCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new JobqCommand()).execute(args));
    }

    /** Run without a subcommand: a usage error that lists the commands. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a command; try `jobq demo` or `jobq --help`");
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

package dev.jobq.cli;

import dev.jobq.ConfigException;
import dev.jobq.JobRejectedException;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.ExitStatus;
import dev.jobq.cli.context.FailureText;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command threw into a message on stderr and an exit status: a bad config file (every
 * problem with its key path) or a rejected job is 2, like a usage error; a {@link CommandFailure}
 * carries its own, its message escaped; anything else is a run-time failure, 1, with its stack trace at DEBUG. A
 * run-time failure's text is a provider's, a driver's or an SDK's, which may quote the URL it was given: it is
 * shown with the secrets of its URLs masked, as {@code /health} and the logs show it, and with only those of its
 * causes that it does not already quote ({@link FailureText}).
 */
final class FailureReporter implements IExecutionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(FailureReporter.class);

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        int status;
        switch (ex) {
            case ConfigException config -> {
                err.println(config.getMessage());
                status = ExitStatus.USAGE;
            }
            case CommandFailure failure -> {
                // escaped, whoever built it: a --handlers jar's or directory's name, a path, repeated raw with its
                // line breaks began lines that read as jobq's own; escaping what is escaped already changes nothing
                err.println(name + ": " + UntrustedText.escape(String.valueOf(failure.getMessage())));
                status = failure.exitStatus();
            }
            case JobRejectedException rejected -> {
                err.println(name + ": " + rejected.getMessage());
                status = ExitStatus.USAGE;
            }
            default -> {
                err.println(name + " failed: " + FailureText.of(ex));
                log.debug("{} failed", name, LoggableThrowables.loggable(ex));
                status = ExitStatus.FAILURE;
            }
        }
        err.flush();
        return status;
    }
}

package dev.jobq.cli.context;

/**
 * A command ends with this message on stderr and this exit status, without a usage text: for
 * problems found after the command line parsed (no scheduler configured, an unknown job id).
 */
public final class CommandFailure extends RuntimeException {

    private final int exitStatus;

    private CommandFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** The request cannot work with this configuration or these arguments: exit 2. */
    public static CommandFailure usage(String message) {
        return new CommandFailure(ExitStatus.USAGE, message);
    }

    /** The request was fine but did not succeed: exit 1. */
    public static CommandFailure failed(String message) {
        return new CommandFailure(ExitStatus.FAILURE, message);
    }

    public int exitStatus() {
        return exitStatus;
    }
}

package dev.jobq.cli.context;

/**
 * The exit statuses of every {@code jobq} command: 0 done, 1 the work failed at run time, 2 the
 * command line or the configuration is wrong (fix what you typed or wrote, then run again). A
 * worker stopped by a signal drains (or, still starting, does not start) and exits 0; one stopped by
 * a second signal exits at once with 128 + the signal's number (143 for TERM, 130 for INT), as shells
 * report a process ended by that signal, and so does any process the JVM's default ends: a worker
 * before it has read its command line, any other command.
 */
public final class ExitStatus {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private ExitStatus() {
    }
}

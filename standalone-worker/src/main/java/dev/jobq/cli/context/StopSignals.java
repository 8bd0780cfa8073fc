package dev.jobq.cli.context;

/**
 * Where a running worker learns that it should stop: the operating system's TERM and INT signals
 * in the {@code jobq} process, a test's hand elsewhere. One instance per run.
 */
public interface StopSignals extends AutoCloseable {

    /** Starts listening. From here on, the first stop request releases {@link #awaitStop()}. */
    void arm();

    /**
     * Blocks until a stop is requested.
     *
     * @throws InterruptedException if the waiting thread is interrupted; the flag is not kept
     */
    void awaitStop() throws InterruptedException;

    /** The worker has drained: stop listening, and let anything waiting for the drain go on. */
    @Override
    void close();
}

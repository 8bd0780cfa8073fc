package dev.jobq.cli.context;

/**
 * Where a running worker learns that it should stop: the operating system's TERM and INT signals
 * in the {@code jobq} process, a test's hand elsewhere. One instance per run.
 */
public interface StopSignals extends AutoCloseable {

    /**
     * Starts listening, before the worker starts: from here on, the first stop request releases
     * {@link #awaitStop()}, and one that comes while the worker is still starting lets it give up
     * before it works ({@link #stopRequested()}).
     */
    void arm();

    /** Whether a stop was requested since {@link #arm()}; does not block. */
    boolean stopRequested();

    /**
     * The worker has started: from here until {@link #close()}, the process ending by other means
     * ({@code System.exit} in a handler) first lets the worker drain. Not before: a start-up that
     * calls {@code System.exit} (a handler module's constructor, say) just ends.
     */
    void workerStarted();

    /**
     * The worker asks to stop by itself ({@code --max-jobs}): as a first signal, but a signal after it is
     * still a first one, which lets the drain go on rather than cutting it short. Thread-safe.
     *
     * @param reason why, for the log: {@code --max-jobs 1000 reached}
     */
    void requestStop(String reason);

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

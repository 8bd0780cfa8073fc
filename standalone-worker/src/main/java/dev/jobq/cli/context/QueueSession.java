package dev.jobq.cli.context;

import dev.jobq.JobQueue;

/**
 * A queue a command works with, and what closing the session does to it: closes it (the queue was
 * built for this command) or nothing (it belongs to someone else, e.g. a test).
 */
public final class QueueSession implements AutoCloseable {

    private final JobQueue queue;
    private final boolean owned;

    private QueueSession(JobQueue queue, boolean owned) {
        this.queue = queue;
        this.owned = owned;
    }

    /** Closing the session closes the queue, gracefully (it drains a running worker). */
    public static QueueSession owning(JobQueue queue) {
        return new QueueSession(queue, true);
    }

    /** Closing the session leaves the queue open. */
    public static QueueSession borrowing(JobQueue queue) {
        return new QueueSession(queue, false);
    }

    public JobQueue queue() {
        return queue;
    }

    /** True when the queue was built for this command and ends with it. */
    public boolean ownsQueue() {
        return owned;
    }

    @Override
    public void close() {
        if (owned) {
            queue.close();
        }
    }
}

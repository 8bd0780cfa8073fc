package dev.jobq;

/**
 * Thrown by {@link JobContext#throwIfCancelled()} once the attempt has timed out or the worker is
 * shutting down. The worker already knows why; the handler only has to let it propagate.
 */
public final class JobCancelledException extends JobQueueException {

    public JobCancelledException(String message) {
        super(message);
    }
}

package dev.jobq;

/**
 * Thrown by {@link JobContext#throwIfCancelled()} once the attempt has timed out, the worker's shutdown
 * cancelled it ({@code shutdownTimeout} passed while it ran), or the attempt's lease was lost
 * ({@link JobContext#isCancelled()}). The worker already knows why; the handler only has to let it propagate.
 */
public final class JobCancelledException extends JobQueueException {

    public JobCancelledException(String message) {
        super(message);
    }

    /** The worker's exception for attempt {@code attempt} of job {@code jobId}, once it is cancelled. */
    public static JobCancelledException ofAttempt(String jobId, int attempt) {
        return new JobCancelledException("job " + jobId + " attempt " + attempt
                + " was cancelled (timed out, the worker is shutting down, or its lease was lost)");
    }
}

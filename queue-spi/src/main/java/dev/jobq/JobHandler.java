package dev.jobq;

/**
 * Runs jobs of one type. Returning normally completes the job; throwing fails the attempt (retried
 * with backoff while attempts remain); {@link NonRetryableJobException} dead-letters it at once.
 *
 * <p>Delivery is at least once: a job can run again after a crash or a lost acknowledgement, so
 * handlers must be idempotent. On timeout or shutdown the handler's thread is interrupted and
 * {@link JobContext#isCancelled()} turns true.
 */
@FunctionalInterface
public interface JobHandler<T> {

    void handle(Job<T> job, JobContext context) throws Exception;
}

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

    /**
     * Runs one attempt of {@code job}, on a virtual thread of the worker, while its lease is extended.
     * Return to complete the job; throw to fail the attempt. Called from many threads at once for
     * different jobs: keep shared state thread-safe.
     *
     * @param job     the job, its payload bound to the type given at registration
     * @param context this attempt's context: its log, progress and cancellation
     * @throws Exception any failure: the attempt fails, and the job is retried after its backoff while it has
     *                   attempts left, else dead-lettered with the error
     */
    void handle(Job<T> job, JobContext context) throws Exception;
}

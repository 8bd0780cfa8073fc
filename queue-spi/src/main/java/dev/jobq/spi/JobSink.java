package dev.jobq.spi;

/**
 * Where a scheduler hands a job once it is due: the core enqueues it on the provider of its queue.
 * Thread-safe.
 */
@FunctionalInterface
public interface JobSink {

    /**
     * Enqueues a due job now. Submitting the same job id again while it is pending or running is
     * recognised by providers that can (memory, SQS FIFO) and returns it as a duplicate.
     *
     * @throws dev.jobq.JobQueueException when the provider rejects or cannot be reached; the
     *                                    scheduler keeps the row and tries again
     */
    EnqueueResult submit(JobEnvelope envelope);
}

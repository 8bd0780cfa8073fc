package dev.jobq.spi;

/**
 * Where a scheduler hands a job once it is due: the core enqueues it on the provider of its queue.
 * Thread-safe.
 */
@FunctionalInterface
public interface JobSink {

    /**
     * Enqueues a due job now. Submitting the same job id again is recognised by providers that can, and
     * returns it as a duplicate: the memory provider while the job is waiting, delayed or running, SQS FIFO within 5
     * minutes of the first submission whether or not the job is still there (docs/semantics.md).
     *
     * @throws dev.jobq.JobQueueException when the provider rejects or cannot be reached; the
     *                                    scheduler keeps the row and tries again
     */
    EnqueueResult submit(JobEnvelope envelope);

    /**
     * Whether this process has {@code queue}. False for a queue its configuration does not name: another process
     * sharing the scheduler's database may serve it (a rolling deploy, workers split by queue), and the scheduler
     * leaves that queue's due jobs to it as they are rather than trying them here. True unless the sink knows
     * otherwise; one that throws is taken as true, and the scheduler logs it at WARN once per queue.
     */
    default boolean serves(String queue) {
        return true;
    }
}

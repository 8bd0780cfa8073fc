package dev.jobq;

/**
 * An enqueue that the queue cannot honour as asked: a payload over the provider's size limit or one
 * that cannot be written as JSON, a delay the provider cannot hold with no scheduler configured, a
 * priority or deduplication key on a provider without that capability, an unknown queue, a
 * deduplication key given to several jobs of one {@code enqueueAll}. Nothing was enqueued. (A job
 * type needs no handler in the enqueuing process: a worker without one dead-letters the job at once, so
 * deploy the workers that have it before the producers.)
 */
public final class JobRejectedException extends JobQueueException {

    public JobRejectedException(String message) {
        super(message);
    }

    /** With what made the queue refuse the job: Jackson's exception for a payload it cannot write, say. */
    public JobRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

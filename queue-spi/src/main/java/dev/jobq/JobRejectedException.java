package dev.jobq;

/**
 * An enqueue that the queue cannot honour as asked: a payload over the provider's size limit, a
 * delay the provider cannot hold with no scheduler configured, a priority or deduplication key on
 * a provider without that capability, a job type with no handler where that is checked. Nothing
 * was enqueued.
 */
public final class JobRejectedException extends JobQueueException {

    public JobRejectedException(String message) {
        super(message);
    }
}

package dev.jobq.spi;

/**
 * The outcome of {@link QueueProvider#enqueue}.
 *
 * @param jobId     the id of the job that now stands for this enqueue
 * @param duplicate true when an existing job (same id, or same deduplication key while pending or
 *                  running) was returned instead of a new one
 */
public record EnqueueResult(String jobId, boolean duplicate) {

    public static EnqueueResult accepted(String jobId) {
        return new EnqueueResult(jobId, false);
    }

    public static EnqueueResult duplicateOf(String jobId) {
        return new EnqueueResult(jobId, true);
    }
}

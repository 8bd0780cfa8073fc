package dev.jobq.testing;

import dev.jobq.JobOptions;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job an enqueue call put on a queue, as {@link EnqueuedJobs} recorded it when the queue accepted it.
 *
 * @param id              the job's id, as the enqueue call returned it
 * @param type            its job type
 * @param queue           the named queue it went to
 * @param runAt           when it is due: the instant of the call for a job to run now
 * @param heldByScheduler whether the scheduler holds it until {@code runAt} (a job for an instant, or a delay beyond
 *                        what the provider can hold) rather than the queue's provider
 * @param options         its options, as resolved (the handler's defaults for its type filled in)
 * @param payloadJson     its payload as enqueued, as JSON text (the text {@code null} for a job enqueued without one)
 * @param traceId         the trace id it was enqueued with, if any
 */
public record EnqueuedJob(String id, String type, String queue, Instant runAt, boolean heldByScheduler,
                          JobOptions options, String payloadJson, @Nullable String traceId) {

    public EnqueuedJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(runAt, "runAt");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }

    /**
     * The record's fields, its payload whole up to 500 characters and past that its start and its length: a failed
     * assertion on the records (AssertJ, JUnit) prints each one, and a report of 100,000 characters buried the rest.
     * {@link #payloadJson()} has all of it.
     */
    @Override
    public String toString() {
        return "EnqueuedJob[id=" + id + ", type=" + type + ", queue=" + queue + ", runAt=" + runAt
                + ", heldByScheduler=" + heldByScheduler + ", options=" + options
                + ", payloadJson=" + EnqueuedJobs.shown(payloadJson) + ", traceId=" + traceId + "]";
    }
}

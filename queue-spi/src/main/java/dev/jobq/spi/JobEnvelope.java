package dev.jobq.spi;

import dev.jobq.JobOptions;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job as it travels and is stored (DESIGN §5). The payload stays JSON text until a handler binds
 * it to its type, so providers never need the handler's classes.
 *
 * @param version      the envelope version it was read as (0: ChaasKit shape, 1: current)
 * @param jobId        the job id; deterministic for scheduler occurrences
 * @param payloadJson  the payload as JSON text ({@code null} payloads are the text {@code null})
 * @param attempt      attempts made before this copy was written (0 for a new job)
 * @param scheduledFor when it was due, if it was delayed or scheduled
 * @param traceId      an optional id for tracing across producers and workers
 */
public record JobEnvelope(int version, String jobId, String type, String payloadJson, JobOptions options, int attempt,
                          Instant createdAt, @Nullable Instant scheduledFor, @Nullable String traceId) {

    public static final int CURRENT_VERSION = 1;

    public JobEnvelope {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payloadJson, "payloadJson");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(createdAt, "createdAt");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be ≥ 0, got " + attempt);
        }
    }

    /** The queue this job belongs to. */
    public String queue() {
        return options.queue();
    }

    /** A copy with {@code attempt} attempts already made. */
    public JobEnvelope withAttempt(int attempt) {
        return new JobEnvelope(version, jobId, type, payloadJson, options, attempt, createdAt, scheduledFor, traceId);
    }
}

package dev.jobq;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One job as its handler sees it.
 *
 * @param id           the job id (a UUIDv7 unless the producer chose another)
 * @param type         the job type the handler was registered for
 * @param payload      the payload, bound to the handler's declared type
 * @param attempt      this attempt, 1-based
 * @param options      the job's options
 * @param createdAt    when the job was first enqueued
 * @param scheduledFor when it was due, if it was delayed or scheduled
 */
public record Job<T>(String id, String type, T payload, int attempt, JobOptions options, Instant createdAt,
                     @Nullable Instant scheduledFor) {
}

package dev.jobq;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A one-time job held by the scheduler.
 *
 * @param scheduledFor when it is due
 * @param error        why a hand-off to its queue failed (the job is kept and tried again), or why the listing
 *                     process cannot read the job (a newer version's options: it leaves the job to processes that
 *                     can), or, where a scheduler that could not read it pushed it on, until when; or null
 */
public record ScheduledJobInfo(String id, String type, String queue, Instant scheduledFor, Status status,
                               Instant createdAt, Instant updatedAt, @Nullable String error) {

    /** Where a scheduled job is. */
    public enum Status {
        SCHEDULED, ENQUEUED, CANCELLED
    }
}

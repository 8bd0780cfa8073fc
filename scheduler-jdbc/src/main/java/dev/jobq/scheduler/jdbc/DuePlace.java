package dev.jobq.scheduler.jdbc;

import dev.jobq.scheduler.jdbc.schema.tables.records.JobqScheduledJobRecord;
import java.time.Instant;

/** A one-time row's place in the due index, whose order is due time, then id. */
record DuePlace(String id, Instant dueAt) {

    static DuePlace of(JobqScheduledJobRecord row) {
        return new DuePlace(row.getId(), row.getDueAt());
    }
}

package dev.jobq.scheduler.jdbc;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Job ids of recurring occurrences: a name-based UUID (RFC 9562 version 3) of the job's name and
 * the occurrence's instant. Every scheduler instance computes the same id for the same occurrence,
 * so an occurrence handed on again after a crash is recognised by the provider as a duplicate.
 */
final class OccurrenceIds {

    private OccurrenceIds() {
    }

    static String of(String recurringName, Instant occurrence) {
        byte[] name = ("jobq:recurring:" + recurringName + "@" + occurrence).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name).toString();
    }
}

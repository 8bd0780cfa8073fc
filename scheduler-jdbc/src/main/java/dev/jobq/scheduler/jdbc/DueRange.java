package dev.jobq.scheduler.jdbc;

import java.time.Instant;

/**
 * The instants a job can be held for: years 1 to 9999, to the microsecond the columns keep. Both
 * databases store more (PostgreSQL up to the year 294276, H2 further), but not the same more, and
 * an instant beyond PostgreSQL's reached it as "timestamp out of range" while H2 took it; so one
 * range for both, checked before anything is written. An instant in the past is due at once.
 */
final class DueRange {

    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private DueRange() {
    }

    static boolean holds(Instant at) {
        return !at.isBefore(EARLIEST) && !at.isAfter(LATEST);
    }

    /** Which end {@code at} lies beyond, for a message: "after 9999-12-31T23:59:59.999999Z, the latest …". */
    static String beyond(Instant at) {
        return at.isAfter(LATEST)
                ? "after " + LATEST + ", the latest instant the scheduler holds"
                : "before " + EARLIEST + ", the earliest instant the scheduler holds";
    }
}

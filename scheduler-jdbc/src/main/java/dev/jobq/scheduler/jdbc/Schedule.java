package dev.jobq.scheduler.jdbc;

import java.time.Instant;

/**
 * When a recurring job fires: a cron expression read in a timezone, or a fixed interval. Every
 * occurrence is computed from an earlier occurrence, never from the time a scheduler happens to
 * look, so schedules do not drift. Immutable and thread-safe.
 */
sealed interface Schedule permits CronSchedule, IntervalSchedule {

    /** The first occurrence of a job registered (or given this schedule) at {@code now}: after {@code now}. */
    Instant first(Instant now);

    /**
     * The first occurrence strictly after {@code instant}, on the grid that passes through the
     * occurrence {@code gridPoint} (intervals keep their grid; cron ignores it).
     */
    Instant nextAfter(Instant gridPoint, Instant instant);

    /** The occurrence after {@code occurrence}. */
    default Instant next(Instant occurrence) {
        return nextAfter(occurrence, occurrence);
    }
}

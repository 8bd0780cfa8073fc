package dev.jobq.scheduler.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code every N unit}: occurrences a fixed duration apart (a day is 24 hours, a week 7 days,
 * whatever the clocks do on a DST day; use cron for wall-clock times). The grid starts at the
 * second of registration: the first run is one interval later.
 */
record IntervalSchedule(Duration step) implements Schedule {

    @Override
    public Instant first(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).plus(step);
    }

    @Override
    public Instant nextAfter(Instant gridPoint, Instant instant) {
        long steps = Math.floorDiv(Duration.between(gridPoint, instant).toNanos(), step.toNanos()) + 1;
        return gridPoint.plus(step.multipliedBy(steps));
    }
}

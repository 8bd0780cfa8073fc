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
        // Whole steps from the grid point, floored; Duration's own division, exact across any span
        // (nanoseconds in a long end at 292 years, and a clock set right after years wrong can span more).
        Duration elapsed = Duration.between(gridPoint, instant);
        long steps = elapsed.dividedBy(step);
        if (elapsed.isNegative() && !step.multipliedBy(steps).equals(elapsed)) {
            steps--;
        }
        return gridPoint.plus(step.multipliedBy(steps + 1));
    }
}

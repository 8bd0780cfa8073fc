package dev.jobq.scheduler.jdbc;

import com.cronutils.model.time.ExecutionTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;

/**
 * A 5-field cron expression matched against the wall clock of {@code zone}. Matching happens on
 * local date-times (cron-utils on a zone without transitions), and each match is then placed in
 * the zone by two rules: a wall-clock time that does not exist because the clocks jumped forward
 * fires at the instant the gap ends, and one that exists twice because they fell back fires once,
 * at its first (daylight-time) occurrence.
 */
record CronSchedule(String expression, ZoneId zone, ExecutionTime execution) implements Schedule {

    /** Enough for any expression that fires at all: matches are at most a few years apart. */
    private static final int MAX_STEPS = 10_000;

    @Override
    public Instant first(Instant now) {
        return nextAfter(now, now);
    }

    @Override
    public Instant nextAfter(Instant gridPoint, Instant instant) {
        ZonedDateTime probe = LocalDateTime.ofInstant(instant, zone).atZone(ZoneOffset.UTC);
        for (int i = 0; i < MAX_STEPS; i++) {
            ZonedDateTime match = execution.nextExecution(probe).orElseThrow(() -> new IllegalStateException(
                    "cron expression '" + expression + "' has no occurrence after " + instant));
            Instant candidate = place(match.toLocalDateTime());
            if (candidate.isAfter(instant)) {
                return candidate;
            }
            // A wall-clock time repeated by a fall-back, already passed in its first occurrence.
            probe = match;
        }
        throw new IllegalStateException("cron expression '" + expression + "' found no occurrence after " + instant
                + " in " + MAX_STEPS + " steps");
    }

    private Instant place(LocalDateTime wallClock) {
        ZoneOffsetTransition transition = zone.getRules().getTransition(wallClock);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        // For an overlap, atZone keeps the earlier offset: the first of the two occurrences.
        return wallClock.atZone(zone).toInstant();
    }
}

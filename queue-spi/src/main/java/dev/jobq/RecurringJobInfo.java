package dev.jobq;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A registered recurring job with its next and last run.
 *
 * <p>A job whose stored timezone this Java runtime cannot read (a zone added by newer time-zone data than this
 * runtime's, registered by another process that shares the scheduler's database, or text that is no zone id at all)
 * is listed too, with {@code timezone} null, the stored text in {@code timezoneId} and the reason in
 * {@code problem}; so is one whose misfire policy this version of jobq does not know (a newer version registered it),
 * with {@code misfirePolicy} null, and one whose schedule it cannot read (a form a newer version added, or the row
 * changed by hand). Such a job does not fire in this process until that is fixed (a scheduler here
 * leaves its row as it is, for processes that can read it to fire it on time, logs the reason at WARN, and looks
 * again every 5 minutes or once the row changes), and it can still be disabled and deleted.
 *
 * @param timezone      the zone its cron fields are read in; null when this runtime cannot read the stored one
 *                      (see {@code problem})
 * @param misfirePolicy what it does about occurrences missed while no scheduler ran; null when this version of jobq
 *                      does not know the stored one (see {@code problem})
 * @param nextRunAt     the next occurrence it fires for; null while it is disabled
 * @param lastRunAt     when an occurrence of it was last handed to its queue; null before the first
 * @param lastError     why its last hand-off failed (it is tried again), or why it was disabled at the end of
 *                      the instants the scheduler holds; null after a hand-off succeeded
 * @param timezoneId    the zone's text as the scheduler stores it ({@code timezone.getId()} of the zone it was
 *                      registered with), also when this runtime cannot read it
 * @param problem       why this runtime cannot read the job in full (its timezone, its misfire policy, its schedule),
 *                      naming the job, the value and the fix; null when it can
 * @param queue         the queue its occurrences go to: a scheduler leaves a job of a queue its process does not have
 *                      to the processes that have it, with no error in its row, so that where none has it this is
 *                      what says why it does not fire; null from a scheduler that does not say
 */
public record RecurringJobInfo(String name, String type, String schedule, @Nullable ZoneId timezone, boolean enabled,
                               @Nullable MisfirePolicy misfirePolicy, @Nullable Instant nextRunAt,
                               @Nullable Instant lastRunAt, @Nullable String lastError, Instant createdAt,
                               Instant updatedAt, String timezoneId, @Nullable String problem,
                               @Nullable String queue) {

    /** A job without its queue, as a scheduler that does not say it lists it. */
    public RecurringJobInfo(String name, String type, String schedule, @Nullable ZoneId timezone, boolean enabled,
                            @Nullable MisfirePolicy misfirePolicy, @Nullable Instant nextRunAt,
                            @Nullable Instant lastRunAt, @Nullable String lastError, Instant createdAt,
                            Instant updatedAt, String timezoneId, @Nullable String problem) {
        this(name, type, schedule, timezone, enabled, misfirePolicy, nextRunAt, lastRunAt, lastError, createdAt,
                updatedAt, timezoneId, problem, null);
    }

    /** A job this runtime reads in full: {@code timezoneId} is the zone's id, and there is no problem. */
    public RecurringJobInfo(String name, String type, String schedule, ZoneId timezone, boolean enabled,
                            MisfirePolicy misfirePolicy, @Nullable Instant nextRunAt, @Nullable Instant lastRunAt,
                            @Nullable String lastError, Instant createdAt, Instant updatedAt) {
        this(name, type, schedule, timezone, enabled, misfirePolicy, nextRunAt, lastRunAt, lastError, createdAt,
                updatedAt, Objects.requireNonNull(timezone, "timezone").getId(), null);
    }
}

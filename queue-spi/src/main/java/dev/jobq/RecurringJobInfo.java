package dev.jobq;

import java.time.Instant;
import java.time.ZoneId;
import org.jspecify.annotations.Nullable;

/**
 * A registered recurring job with its next and last run.
 *
 * @param nextRunAt the next occurrence it fires for; null while it is disabled
 * @param lastRunAt when an occurrence of it was last handed to its queue; null before the first
 * @param lastError why its last hand-off failed (it is tried again), or why it was disabled at the end of
 *                  the instants the scheduler holds; null after a hand-off succeeded
 */
public record RecurringJobInfo(String name, String type, String schedule, ZoneId timezone, boolean enabled,
                               MisfirePolicy misfirePolicy, @Nullable Instant nextRunAt, @Nullable Instant lastRunAt,
                               @Nullable String lastError, Instant createdAt, Instant updatedAt) {
}

package dev.jobq;

import java.time.Instant;
import java.time.ZoneId;
import org.jspecify.annotations.Nullable;

/** A registered recurring job with its next and last run. */
public record RecurringJobInfo(String name, String type, String schedule, ZoneId timezone, boolean enabled,
                               MisfirePolicy misfirePolicy, @Nullable Instant nextRunAt, @Nullable Instant lastRunAt,
                               @Nullable String lastError, Instant createdAt, Instant updatedAt) {
}

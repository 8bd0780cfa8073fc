package dev.jobq.scheduler.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-time jobs this process cannot read (options a newer jobq wrote, or a row changed by hand), each with the
 * time until which it leaves it alone. As with {@link UnreadableRecurringJobs}: a process that can read the job hands
 * it on on time, so this one does not touch the row (a retry time written there made that process hand it on late),
 * and leaves it out of its claims and of its look at the earliest due row; it looks at it again once the time is up.
 * Empty, it adds nothing to those statements. Thread-safe: the firing thread and its helpers share it.
 */
final class UnreadableScheduledJobs {

    private final Map<String, Instant> jobs = new ConcurrentHashMap<>();

    /** Leaves job {@code id} alone until {@code until}. */
    void leaveAlone(String id, Instant until) {
        jobs.put(id, until);
    }

    /** The ids of the jobs still left alone at {@code now} (the others forgotten); empty while there are none. */
    List<String> ids(Instant now) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        jobs.values().removeIf(until -> !now.isBefore(until));
        return List.copyOf(jobs.keySet());
    }

    /** The earliest instant at which a job is no longer left alone, when there is one. */
    Optional<Instant> nextLook() {
        if (jobs.isEmpty()) {
            return Optional.empty();
        }
        return jobs.values().stream().min(Instant::compareTo);
    }
}

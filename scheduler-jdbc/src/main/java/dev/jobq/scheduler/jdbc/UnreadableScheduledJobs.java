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

    /**
     * The most jobs left alone at once. Every claim and look at the earliest due row carries their ids, and costs more
     * with each (H2 checks the list row by row: 20,000 ids made the first pass 147 s, and each after it 2 s): past
     * this many, a job this process cannot read is pushed on by {@link HandOff#MAX_RETRY}, no try counted.
     */
    static final int MAX_LEFT_ALONE = 100;

    private final Map<String, Instant> jobs = new ConcurrentHashMap<>();

    /**
     * Leaves job {@code id} alone until {@code until}; false, and nothing kept, when {@link #MAX_LEFT_ALONE} others
     * are left alone already (claims side by side may pass that by a few: harmless).
     */
    boolean leaveAlone(String id, Instant until) {
        if (jobs.size() >= MAX_LEFT_ALONE && !jobs.containsKey(id)) {
            return false;
        }
        jobs.put(id, until);
        return true;
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

package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqRecurringJob.JOBQ_RECURRING_JOB;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * The recurring jobs this process cannot read (a zone its Java runtime does not know, a misfire policy or a
 * schedule of a newer jobq), each as its row was when it tried ({@code updated_at}), until when it leaves it alone.
 * Processes of different versions share the table during a rolling deploy, and one that can read the job fires it on
 * time, so this process does not touch the row: it leaves it out of its claims and of its look at the earliest due
 * row (lest it wake at once, again and again, for a row it will not fire), and looks at it again once the row changes
 * or the time is up. Empty, it adds nothing to those queries. Thread-safe.
 */
final class UnreadableRecurringJobs {

    private record Left(Instant updatedAt, Instant until) {
    }

    private final Map<String, Left> jobs = new ConcurrentHashMap<>();

    /** Leaves job {@code name}, its row as last updated at {@code updatedAt}, alone until {@code until}. */
    void leaveAlone(String name, Instant updatedAt, Instant until) {
        jobs.put(name, new Left(updatedAt, until));
    }

    /**
     * The condition that leaves the rows out which are still to be left alone at {@code now} (forgetting the others);
     * null when there are none.
     */
    @Nullable Condition leftOut(Instant now) {
        if (jobs.isEmpty()) {
            return null;
        }
        jobs.values().removeIf(left -> !now.isBefore(left.until()));
        Condition condition = null;
        for (Map.Entry<String, Left> job : jobs.entrySet()) {
            Condition other = DSL.not(JOBQ_RECURRING_JOB.NAME.eq(job.getKey())
                    .and(JOBQ_RECURRING_JOB.UPDATED_AT.eq(job.getValue().updatedAt())));
            condition = condition == null ? other : condition.and(other);
        }
        return condition;
    }

    /** The earliest instant at which a job is no longer left alone, when there is one. */
    Optional<Instant> nextLook() {
        if (jobs.isEmpty()) {
            return Optional.empty();
        }
        return jobs.values().stream().map(Left::until).min(Instant::compareTo);
    }
}

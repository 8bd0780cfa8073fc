package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqRecurringJob.JOBQ_RECURRING_JOB;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
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

    private record Left(Instant updatedAt, Instant until, @Nullable String reason) {
    }

    /**
     * The most jobs left alone at once, as many as one-time jobs ({@link UnreadableScheduledJobs#MAX_LEFT_ALONE}):
     * every claim and look at the earliest due row carries a condition for each, and costs more with each. Past this
     * many, a job this process cannot read is pushed on by {@link HandOff#MAX_RETRY}, no try counted.
     */
    static final int MAX_LEFT_ALONE = UnreadableScheduledJobs.MAX_LEFT_ALONE;

    private final Map<String, Left> jobs = new ConcurrentHashMap<>();

    /**
     * Whether job {@code name} is not left alone and {@link #MAX_LEFT_ALONE} others are (claims side by side may pass
     * that by a few: harmless).
     */
    boolean full(String name) {
        return jobs.size() >= MAX_LEFT_ALONE && !jobs.containsKey(name);
    }

    /**
     * Leaves job {@code name}, its row as last updated at {@code updatedAt}, alone until {@code until}, as it cannot be
     * read for {@code reason}; true when that is to be warned of. A row that changed while left alone for the same
     * reason (a process that can read it fired it: at every occurrence) is left alone until the time set before, not
     * warned of again: that was a WARN at each occurrence this process claimed first, up to one a minute.
     */
    boolean leaveAlone(String name, Instant updatedAt, Instant until, @Nullable String reason) {
        Left before = jobs.get(name);
        if (before != null && Objects.equals(before.reason(), reason)) {
            jobs.put(name, new Left(updatedAt, before.until(), reason));
            return false;
        }
        jobs.put(name, new Left(updatedAt, until, reason));
        return true;
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

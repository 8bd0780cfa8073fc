package dev.jobq;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One-time jobs at an instant and recurring jobs, held in a database until due and then enqueued
 * exactly once, however many scheduler instances share the database. Get it from
 * {@link JobQueue#scheduler()}. Thread-safe.
 */
public interface Scheduler {

    /** Holds a job until {@code at}, then enqueues it; returns the job id. {@code payload} may be null, as in enqueue. */
    default String schedule(String type, @Nullable Object payload, Instant at) {
        return schedule(type, payload, at, EnqueueOptions.none());
    }

    /** As {@link #schedule(String, Object, Instant)} with options; {@code options} must not set a delay. */
    String schedule(String type, @Nullable Object payload, Instant at, EnqueueOptions options);

    /** Cancels a scheduled job; false if it is unknown or was already enqueued or cancelled ({@link #status}). */
    boolean cancel(String id);

    /**
     * Where a one-time job is: {@code SCHEDULED} while held, {@code ENQUEUED} once handed to its queue,
     * {@code CANCELLED}; the last two until the scheduler purges their record ({@code scheduler.retention}).
     * Empty when the id is unknown. After a job is handed on, {@link JobQueue#getJob} follows it on its queue.
     */
    Optional<ScheduledJobInfo.Status> status(String id);

    /** Jobs still waiting, earliest first, at most {@code limit}. */
    List<ScheduledJobInfo> listScheduled(int limit);

    /** Registers or updates a recurring job by name; an unchanged schedule keeps its next run time. */
    RecurringJobInfo registerRecurring(RecurringJob job);

    boolean enableRecurring(String name);

    boolean disableRecurring(String name);

    boolean deleteRecurring(String name);

    Optional<RecurringJobInfo> getRecurring(String name);

    /** Every recurring job, by name (as {@link String#compareTo} orders names, on every database). */
    List<RecurringJobInfo> listRecurring();

    /**
     * Why this process is not handing due jobs on now, while its firing passes keep failing (the
     * database cannot be reached, say); empty while firing works or when this process does not fire.
     * {@code jobq run}'s {@code /health} reports it as degraded.
     */
    Optional<String> firingProblem();
}

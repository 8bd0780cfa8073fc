package dev.jobq;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One-time jobs at an instant and recurring jobs, held in a database until due and then enqueued
 * exactly once, however many scheduler instances share the database. Get it from
 * {@link JobQueue#scheduler()}. Thread-safe; a call that reads or writes jobs is a round trip to the
 * database. Once its {@link JobQueue}'s worker has stopped in {@link JobQueue#close()}, such a call
 * throws {@link JobQueueException} saying the queue is closed; a handler may call it during the drain.
 * A null id, name or job is refused with a {@link NullPointerException} that names it.
 */
public interface Scheduler {

    /** Holds a job until {@code at}, then enqueues it; returns the job id. {@code payload} may be null, as in enqueue. */
    default String schedule(String type, @Nullable Object payload, Instant at) {
        return schedule(type, payload, at, EnqueueOptions.none());
    }

    /**
     * As {@link #schedule(String, Object, Instant)} with options; {@code options} must not set a delay.
     * An instant that has passed is due at once.
     *
     * @throws IllegalArgumentException if {@code type} is blank, {@code options} set a delay or
     *                                  {@code scheduledFor}, {@code at} is outside what the scheduler holds
     *                                  ({@code 0001-01-01T00:00:00Z} to {@code 9999-12-31T23:59:59.999999Z}, kept
     *                                  to the microsecond and rounded up: docs/scheduler.md), the type or queue
     *                                  name is longer than the scheduler holds (255), or the type has a control
     *                                  character
     * @throws NullPointerException     if {@code at} or {@code options} is null
     * @throws JobRejectedException     as {@link JobQueue#enqueue} for what the job's queue cannot take
     */
    String schedule(String type, @Nullable Object payload, Instant at, EnqueueOptions options);

    /** Cancels a scheduled job; false if it is unknown or was already enqueued or cancelled ({@link #status}). */
    boolean cancel(String id);

    /**
     * Where a one-time job is: {@code SCHEDULED} while held, {@code ENQUEUED} once handed to its queue,
     * {@code CANCELLED}; the last two until the scheduler purges their record ({@code scheduler.retention}).
     * Empty when the id is unknown. After a job is handed on, {@link JobQueue#getJob} follows it on its queue.
     */
    Optional<ScheduledJobInfo.Status> status(String id);

    /**
     * Jobs still waiting, earliest first, at most {@code limit}.
     *
     * @throws IllegalArgumentException if {@code limit} is below 1
     */
    List<ScheduledJobInfo> listScheduled(int limit);

    /**
     * Registers or updates a recurring job by name; an unchanged schedule and timezone keep its next run
     * time. The definition's {@link RecurringJob#enabled()} is stored too: registering again with
     * {@code enabled(true)} (the builder's default) turns on a job that {@link #disableRecurring} stopped,
     * as an application registering its jobs at start-up does at each deploy; register it with
     * {@code enabled(false)} to keep it off. The schedule, timezone, queue and payload are checked here,
     * before anything is stored. Each occurrence is a job of its own, handed on when due even while the one
     * before still runs: runs longer than the interval overlap; a {@code deduplicationKey} in the job's options
     * skips an occurrence while the one before waits or runs instead (docs/scheduler.md, Overlapping runs).
     *
     * @throws IllegalArgumentException for a bad cron expression or interval, a {@code traceId} in its
     *                                  options, a name, type or schedule longer than 255 characters, or a type
     *                                  with a control character
     * @throws JobRejectedException     as {@link JobQueue#enqueue} for a payload or options its queue
     *                                  cannot take
     */
    RecurringJobInfo registerRecurring(RecurringJob job);

    /**
     * Lets a recurring job fire again, from its next occurrence after now; true if a recurring job has
     * this name (enabled already or not), false if none has.
     */
    boolean enableRecurring(String name);

    /**
     * Stops a recurring job from firing until it is enabled again; occurrences already handed on stay
     * on their queue. True if a recurring job has this name, false if none has.
     */
    boolean disableRecurring(String name);

    /** Deletes a recurring job's definition; occurrences already handed on stay. False if none had the name. */
    boolean deleteRecurring(String name);

    /**
     * The recurring job of this name; empty if none has it. A job whose stored timezone or misfire policy this runtime
     * cannot read is returned too, with {@link RecurringJobInfo#problem()} saying why.
     */
    Optional<RecurringJobInfo> getRecurring(String name);

    /**
     * Every recurring job, by name (as {@link String#compareTo} orders names, on every database). A job whose stored
     * timezone or misfire policy this runtime cannot read is listed with the others, with
     * {@link RecurringJobInfo#problem()} saying why.
     */
    List<RecurringJobInfo> listRecurring();

    /**
     * Why this process is not handing due jobs on now, while its firing passes keep failing (the
     * database cannot be reached, say); empty while firing works or when this process does not fire.
     * {@code jobq run}'s {@code /health} reports it as degraded.
     */
    Optional<String> firingProblem();
}

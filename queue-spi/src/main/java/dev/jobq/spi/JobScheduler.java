package dev.jobq.spi;

import dev.jobq.JobInfo;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store of one-time and recurring jobs that hands each due job to its {@link JobSink} exactly
 * once, however many instances share the store. Payloads arrive already encoded as JSON text; the
 * core's {@link dev.jobq.Scheduler} does the encoding. Thread-safe.
 */
public interface JobScheduler extends AutoCloseable {

    /** Starts firing due jobs (a background thread); registering and listing work before it. */
    void start();

    /**
     * Asks the firing to stop, and returns at once: no new claim starts (a batch in hand is still
     * handed on), while storing, listing and {@link #close()} work as before. The queue calls it
     * as it begins to close, before its worker drains, so that jobs falling due meanwhile stay in
     * the store for the next scheduler instead of going to a queue that is closing.
     */
    default void stopFiring() {
    }

    /** Holds {@code envelope} until {@code at}; returns its job id. */
    String schedule(JobEnvelope envelope, Instant at);

    /**
     * Cancels a one-time job it holds; true if it was held and is now {@code CANCELLED}, false if the id is
     * unknown, or the job was handed on or cancelled already.
     */
    boolean cancel(String jobId);

    /**
     * The id of the one-time job this scheduler holds for {@code queue} with {@code deduplicationKey},
     * so that a job enqueued for now with that key is deduplicated against it; empty when none is held.
     * The default knows none.
     */
    default Optional<String> jobHoldingKey(String queue, String deduplicationKey) {
        return Optional.empty();
    }

    /**
     * Where a one-time job is: {@code SCHEDULED} while held, {@code ENQUEUED} once handed to its queue,
     * {@code CANCELLED}; the last two while the scheduler keeps their record (its retention). Empty
     * when the id is unknown to it. The default knows nothing.
     */
    default Optional<ScheduledJobInfo.Status> status(String jobId) {
        return Optional.empty();
    }

    /**
     * The one-time jobs it holds, earliest first, at most {@code limit}. Through
     * {@link dev.jobq.Scheduler#listScheduled}, the core calls it with a limit of at least 1 only.
     */
    List<ScheduledJobInfo> listScheduled(int limit);

    /**
     * Why this process's scheduler is not handing due jobs on now (its database cannot be read, say),
     * while its passes keep failing; empty while firing works or when this process does not fire.
     */
    default Optional<String> firingProblem() {
        return Optional.empty();
    }

    /**
     * A one-time job this scheduler still holds, as {@link dev.jobq.JobState#DELAYED} with its payload
     * and options; empty once it was handed to its queue or cancelled, or when the id is unknown. One whose options
     * this version of jobq cannot read (a newer version scheduled it) is returned with the default options on its
     * queue and the reason in {@link JobInfo#lastError()}, not thrown.
     */
    default Optional<JobInfo> getJob(String jobId) {
        return Optional.empty();
    }

    /**
     * Registers or updates a recurring job; the definition's payload is ignored in favour of
     * {@code payloadJson}. Throws {@link IllegalArgumentException} for a bad schedule or timezone.
     */
    RecurringJobInfo registerRecurring(RecurringJob definition, String payloadJson);

    /**
     * Enables (from its next occurrence after now) or disables a recurring job; true if one has this name,
     * whether it changed or not, false if none has.
     */
    boolean setRecurringEnabled(String name, boolean enabled);

    /** Deletes a recurring job's definition; true if one had this name. */
    boolean deleteRecurring(String name);

    /**
     * The recurring job of this name; empty if none has it. One whose stored timezone or misfire policy this runtime
     * cannot read is returned with {@link RecurringJobInfo#problem()} set, not thrown.
     */
    Optional<RecurringJobInfo> getRecurring(String name);

    /**
     * Every recurring job, by name as {@link String#compareTo} orders names. One whose stored timezone or misfire
     * policy this runtime cannot read is listed with {@link RecurringJobInfo#problem()} set: it must not hide the others.
     */
    List<RecurringJobInfo> listRecurring();

    /** Stops firing and releases the store; rows claimed but not handed on are retried by others. */
    @Override
    void close();
}

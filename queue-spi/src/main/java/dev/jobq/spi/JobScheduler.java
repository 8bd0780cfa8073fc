package dev.jobq.spi;

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

    /** Holds {@code envelope} until {@code at}; returns its job id. */
    String schedule(JobEnvelope envelope, Instant at);

    boolean cancel(String jobId);

    List<ScheduledJobInfo> listScheduled(int limit);

    /**
     * Registers or updates a recurring job; the definition's payload is ignored in favour of
     * {@code payloadJson}. Throws {@link IllegalArgumentException} for a bad schedule or timezone.
     */
    RecurringJobInfo registerRecurring(RecurringJob definition, String payloadJson);

    boolean setRecurringEnabled(String name, boolean enabled);

    boolean deleteRecurring(String name);

    Optional<RecurringJobInfo> getRecurring(String name);

    List<RecurringJobInfo> listRecurring();

    /** Stops firing and releases the store; rows claimed but not handed on are retried by others. */
    @Override
    void close();
}

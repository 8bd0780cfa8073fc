package dev.jobq.internal.runtime;

import dev.jobq.EnqueueOptions;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.Scheduler;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The user's {@link Scheduler}: encodes payloads and options, then delegates to the SPI scheduler. */
final class SchedulerFacade implements Scheduler {

    private final JobScheduler scheduler;
    private final Enqueuer enqueuer;

    SchedulerFacade(JobScheduler scheduler, Enqueuer enqueuer) {
        this.scheduler = scheduler;
        this.enqueuer = enqueuer;
    }

    @Override
    public String schedule(String type, @Nullable Object payload, Instant at, EnqueueOptions options) {
        JobEnvelope envelope = enqueuer.envelopeForScheduler(type, payload, at, options);
        return enqueuer.schedule(enqueuer.binding(envelope.queue()), scheduler, envelope, at);
    }

    @Override
    public boolean cancel(String id) {
        return scheduler.cancel(id);
    }

    @Override
    public Optional<ScheduledJobInfo.Status> status(String id) {
        return scheduler.status(id);
    }

    @Override
    public List<ScheduledJobInfo> listScheduled(int limit) {
        return scheduler.listScheduled(limit);
    }

    @Override
    public RecurringJobInfo registerRecurring(RecurringJob job) {
        if (job.options().traceId() != null) {
            // Only the job options are stored with the definition: it would be dropped without a word.
            throw new IllegalArgumentException("recurring job '" + job.name() + "': a traceId is not kept for "
                    + "recurring jobs (each occurrence is a new job, traced on its own); leave it unset");
        }
        // The type's own defaults are stored with the definition, as an enqueue would give them to a job.
        EnqueueOptions options = enqueuer.withTypeDefaults(job.type(), job.options());
        RecurringJob stored = options == job.options() ? job : job.toBuilder().options(options).build();
        // Checks the queue and options the same way an enqueue would, before anything is stored.
        JobEnvelope sample = enqueuer.envelopeForScheduler(job.type(), job.payload(), Instant.EPOCH, options);
        return scheduler.registerRecurring(stored, sample.payloadJson());
    }

    @Override
    public boolean enableRecurring(String name) {
        return scheduler.setRecurringEnabled(name, true);
    }

    @Override
    public boolean disableRecurring(String name) {
        return scheduler.setRecurringEnabled(name, false);
    }

    @Override
    public boolean deleteRecurring(String name) {
        return scheduler.deleteRecurring(name);
    }

    @Override
    public Optional<RecurringJobInfo> getRecurring(String name) {
        return scheduler.getRecurring(name);
    }

    @Override
    public List<RecurringJobInfo> listRecurring() {
        return scheduler.listRecurring();
    }

    @Override
    public Optional<String> firingProblem() {
        return scheduler.firingProblem();
    }
}

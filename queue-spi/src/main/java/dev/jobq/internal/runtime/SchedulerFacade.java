package dev.jobq.internal.runtime;

import dev.jobq.EnqueueOptions;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.Scheduler;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.UntrustedText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The user's {@link Scheduler}: encodes payloads and options, then delegates to the SPI scheduler. Its calls
 * go through the queue's {@link Calls}, as enqueue calls do: open while the worker drains (a handler's
 * follow-up), waited for by close() before it closes the scheduler, refused once the worker has stopped.
 */
final class SchedulerFacade implements Scheduler {

    /** How the queue admits a call that reaches the scheduler's store, and refuses one once it is closed. */
    interface Calls {
        <T> T admit(Supplier<T> call);
    }

    /** A null id or name is refused here, naming it, for every scheduler: scheduler-jdbc's was a bare NPE ("jobId"). */
    private static final String NULL_ID = "id must not be null; give the id schedule(...) returned";
    private static final String NULL_NAME = "name must not be null; give the recurring job's name";

    private final JobScheduler scheduler;
    private final Enqueuer enqueuer;
    private final Calls calls;

    SchedulerFacade(JobScheduler scheduler, Enqueuer enqueuer, Calls calls) {
        this.scheduler = scheduler;
        this.enqueuer = enqueuer;
        this.calls = calls;
    }

    @Override
    public String schedule(String type, @Nullable Object payload, Instant at, EnqueueOptions options) {
        Objects.requireNonNull(at, "at must not be null; give the instant the job is due");
        Objects.requireNonNull(options, JobQueueRuntime.NULL_OPTIONS);
        return calls.admit(() -> {
            JobEnvelope envelope = enqueuer.envelopeForScheduler(type, payload, at, options);
            return enqueuer.schedule(enqueuer.binding(envelope.queue()), scheduler, envelope, at);
        });
    }

    @Override
    public boolean cancel(String id) {
        Objects.requireNonNull(id, NULL_ID);
        return calls.admit(() -> scheduler.cancel(id));
    }

    @Override
    public Optional<ScheduledJobInfo.Status> status(String id) {
        Objects.requireNonNull(id, NULL_ID);
        return calls.admit(() -> scheduler.status(id));
    }

    @Override
    public List<ScheduledJobInfo> listScheduled(int limit) {
        if (limit < 1) { // here, so that every JobScheduler is asked for one job at least, as the SPI says
            throw new IllegalArgumentException("listScheduled(limit): limit must be ≥ 1, got " + limit
                    + "; pass how many of the earliest waiting jobs to list");
        }
        return calls.admit(() -> scheduler.listScheduled(limit));
    }

    @Override
    public RecurringJobInfo registerRecurring(RecurringJob job) {
        Objects.requireNonNull(job, "job must not be null; build one with RecurringJob.builder(name, type)");
        return calls.admit(() -> register(job));
    }

    private RecurringJobInfo register(RecurringJob job) {
        if (job.options().traceId() != null) {
            // Only the job options are stored with the definition: it would be dropped without a word.
            // the name escaped, as RecurringJob's own refusals name it: a newline in it started a line of its own
            throw new IllegalArgumentException("recurring job " + UntrustedText.singleQuote(job.name(), 255)
                    + ": a traceId is not kept for recurring jobs (each occurrence is a new job, traced on its own); "
                    + "leave it unset");
        }
        // The type's own defaults are stored with the definition, as an enqueue would give them to a job.
        EnqueueOptions options = enqueuer.withTypeDefaults(job.type(), job.options());
        RecurringJob stored = options == job.options() ? job : job.toBuilder().options(options).build();
        // Checks the queue and options the same way an enqueue would, before anything is stored; given the definition's
        // own options, not those filled in above, so that a refusal names a limit the type's defaults broke as theirs.
        JobEnvelope sample = enqueuer.envelopeForScheduler(job.type(), job.payload(), Instant.EPOCH, job.options());
        return scheduler.registerRecurring(stored, sample.payloadJson());
    }

    @Override
    public boolean enableRecurring(String name) {
        Objects.requireNonNull(name, NULL_NAME);
        return calls.admit(() -> scheduler.setRecurringEnabled(name, true));
    }

    @Override
    public boolean disableRecurring(String name) {
        Objects.requireNonNull(name, NULL_NAME);
        return calls.admit(() -> scheduler.setRecurringEnabled(name, false));
    }

    @Override
    public boolean deleteRecurring(String name) {
        Objects.requireNonNull(name, NULL_NAME);
        return calls.admit(() -> scheduler.deleteRecurring(name));
    }

    @Override
    public Optional<RecurringJobInfo> getRecurring(String name) {
        Objects.requireNonNull(name, NULL_NAME);
        return calls.admit(() -> scheduler.getRecurring(name));
    }

    @Override
    public List<RecurringJobInfo> listRecurring() {
        return calls.admit(scheduler::listRecurring);
    }

    @Override
    public Optional<String> firingProblem() {
        return scheduler.firingProblem();
    }
}

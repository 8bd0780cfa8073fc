package dev.jobq.cli;

import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A scheduler that only keeps lists and never fires: what the {@code schedule} and
 * {@code recurring} commands are tested against until scheduler-jdbc joins the build. It checks
 * what the JDBC scheduler checks at registration that the commands surface (a blank or bad
 * schedule), and keeps the payload JSON it was handed so a test can see it arrived untouched.
 */
public final class ListScheduler implements JobScheduler {

    private final InstantSource clock;
    private final Map<String, ScheduledJobInfo> scheduled = new ConcurrentHashMap<>();
    private final Map<String, String> payloads = new ConcurrentHashMap<>();
    private final Map<String, RecurringJobInfo> recurring = new ConcurrentSkipListMap<>();

    public ListScheduler(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public void start() {
        throw new IllegalStateException("ListScheduler never fires; no command may start it");
    }

    @Override
    public String schedule(JobEnvelope envelope, Instant at) {
        Instant now = clock.instant();
        scheduled.put(envelope.jobId(), new ScheduledJobInfo(envelope.jobId(), envelope.type(), envelope.queue(), at,
                ScheduledJobInfo.Status.SCHEDULED, now, now, null));
        payloads.put(envelope.jobId(), envelope.payloadJson());
        return envelope.jobId();
    }

    @Override
    public boolean cancel(String jobId) {
        ScheduledJobInfo job = scheduled.get(jobId);
        if (job == null || job.status() != ScheduledJobInfo.Status.SCHEDULED) {
            return false;
        }
        scheduled.put(jobId, new ScheduledJobInfo(job.id(), job.type(), job.queue(), job.scheduledFor(),
                ScheduledJobInfo.Status.CANCELLED, job.createdAt(), clock.instant(), null));
        return true;
    }

    @Override
    public List<ScheduledJobInfo> listScheduled(int limit) {
        return scheduled.values().stream().filter(j -> j.status() == ScheduledJobInfo.Status.SCHEDULED)
                .sorted(Comparator.comparing(ScheduledJobInfo::scheduledFor)).limit(limit).toList();
    }

    /** The payload JSON of a scheduled job or recurring job (by id or name), as handed over. */
    public String payloadOf(String idOrName) {
        return payloads.get(idOrName);
    }

    @Override
    public RecurringJobInfo registerRecurring(RecurringJob definition, String payloadJson) {
        if (!definition.schedule().startsWith("every ") && definition.schedule().split(" ").length != 5) {
            throw new IllegalArgumentException("schedule '" + definition.schedule() + "' is neither a 5-field cron "
                    + "expression nor 'every N unit'");
        }
        Instant now = clock.instant();
        var info = new RecurringJobInfo(definition.name(), definition.type(), definition.schedule(),
                definition.timezone(), definition.enabled(), definition.misfirePolicy(), null, null, null, now, now);
        recurring.put(definition.name(), info);
        payloads.put(definition.name(), payloadJson);
        return info;
    }

    @Override
    public boolean setRecurringEnabled(String name, boolean enabled) {
        return recurring.computeIfPresent(name, (n, j) -> new RecurringJobInfo(j.name(), j.type(), j.schedule(),
                j.timezone(), enabled, j.misfirePolicy(), j.nextRunAt(), j.lastRunAt(), j.lastError(), j.createdAt(),
                clock.instant())) != null;
    }

    @Override
    public boolean deleteRecurring(String name) {
        return recurring.remove(name) != null;
    }

    @Override
    public Optional<RecurringJobInfo> getRecurring(String name) {
        return Optional.ofNullable(recurring.get(name));
    }

    @Override
    public List<RecurringJobInfo> listRecurring() {
        return List.copyOf(recurring.values());
    }

    @Override
    public void close() {
    }
}

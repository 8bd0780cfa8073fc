package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.RecurringJob;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.testing.EnqueuedJob;
import dev.jobq.testing.EnqueuedJobs;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link EnqueuedJobs} on a queue with a scheduler: jobs it holds are recorded once, when enqueued. */
class EnqueuedJobsWithSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Reminder(String user) {
    }

    private final SettableClock clock = new SettableClock(T0);

    @Test
    @DisplayName("a job for an instant, one scheduled, and a delay beyond the provider are recorded once each, held by "
            + "the scheduler, when enqueued; not again when handed to the queue, nor a recurring job's occurrences")
    void jobsTheSchedulerHoldsAreRecordedOnceWhenEnqueued() {
        var provider = new ShortDelayProvider(MemoryProviderFactory.builder().clock(clock).build());
        var ran = new CopyOnWriteArrayList<Reminder>();
        var handedOn = new CopyOnWriteArrayList<String>();
        try (JobQueue jobs = JobQueue.builder().provider(provider).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:jobq-enqueued-" + DATABASES.incrementAndGet()
                        + ";DB_CLOSE_DELAY=-1", "pollInterval", "1h")).build();
             EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            jobs.addListener(event -> {
                if (event instanceof JobEvent.Enqueued job && !job.viaScheduler()) {
                    handedOn.add(job.jobId());
                }
            });
            jobs.registerJobHandler("reminder:send", Reminder.class, (job, ctx) -> ran.add(job.payload()));
            jobs.start();
            Instant at = T0.plus(Duration.ofHours(1));

            String forInstant = jobs.enqueue("reminder:send", new Reminder("ada"),
                    EnqueueOptions.builder().scheduledFor(at).build());
            String scheduled = jobs.scheduler().schedule("reminder:send", new Reminder("bob"), at);
            String beyond = jobs.enqueue("reminder:send", new Reminder("cy"),
                    EnqueueOptions.delay(Duration.ofHours(1)));
            String inProvider = jobs.enqueue("reminder:send", new Reminder("dee"),
                    EnqueueOptions.delay(Duration.ofMinutes(10)));
            jobs.scheduler().registerRecurring(RecurringJob.builder("nudge", "reminder:send")
                    .schedule("every 1 hour").payload(new Reminder("eve")).build());

            List<EnqueuedJob> held = List.of(
                    new EnqueuedJob(forInstant, "reminder:send", "default", at, true, JobOptions.defaults(),
                            "{\"user\":\"ada\"}", null),
                    new EnqueuedJob(scheduled, "reminder:send", "default", at, true, JobOptions.defaults(),
                            "{\"user\":\"bob\"}", null),
                    new EnqueuedJob(beyond, "reminder:send", "default", at, true, JobOptions.defaults(),
                            "{\"user\":\"cy\"}", null),
                    new EnqueuedJob(inProvider, "reminder:send", "default", T0.plus(Duration.ofMinutes(10)), false,
                            JobOptions.defaults(), "{\"user\":\"dee\"}", null));
            assertThat(enqueued.all()).containsExactlyElementsOf(held);

            clock.advance(Duration.ofHours(1));
            await().atMost(WAIT).until(() -> ran.size() == 5);
            // each hand-off's Enqueued may come after its job's Started, on the firing thread: waited for, not assumed
            await().atMost(WAIT).until(() -> handedOn.size() == 5);

            assertThat(ran).containsExactlyInAnyOrder(new Reminder("ada"), new Reminder("bob"), new Reminder("cy"),
                    new Reminder("dee"), new Reminder("eve"));
            assertThat(handedOn).as("Enqueued, not via the scheduler: the job in the provider's delay, the three held "
                    + "jobs handed on, and the recurring job's occurrence").hasSize(5)
                    .contains(inProvider, forInstant, scheduled, beyond);
            assertThat(enqueued.all()).as("recorded as before").containsExactlyElementsOf(held);
            assertThat(enqueued.payloads("reminder:send", Reminder.class)).containsExactly(new Reminder("ada"),
                    new Reminder("bob"), new Reminder("cy"), new Reminder("dee"));
        }
    }
}

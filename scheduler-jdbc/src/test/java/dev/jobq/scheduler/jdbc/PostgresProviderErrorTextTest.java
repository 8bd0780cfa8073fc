package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A provider's error whose message holds a NUL character (a provider quoting bytes it was given), on PostgreSQL,
 * whose text columns cannot hold one: the failed hand-off is kept with its error as any other is, and the rest of
 * its batch is handed on, rather than the batch's mark failing at every pass with the other jobs held behind it.
 */
class PostgresProviderErrorTextTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink recorded = new RecordingSink(clock);

    @Test
    void aFailedHandOffWhoseErrorHoldsANulIsKeptAndTheRestOfItsBatchIsHandedOn() {
        var failed = new AtomicBoolean();
        JobSink sink = envelope -> {
            if ((envelope.type().equals("report:broken") || envelope.type().equals("report:tick"))
                    && !failed.get()) {
                throw new JobQueueException("provider refused a body starting \u0000\u0001 (refused by the test)");
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder()
                .jdbcUrl(PostgresServer.get().newDatabase("jobq-nul-error")).pollInterval(Duration.ofHours(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            JobEnvelope broken = job("report:broken");
            JobEnvelope fine = job("report:fine");
            scheduler.schedule(broken, T0);
            scheduler.schedule(fine, T0.plusMillis(1));
            scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("every 1 minute").build(),
                    "{}");
            clock.set(T0.plus(Duration.ofMinutes(1)));

            scheduler.fireDue();

            assertThat(recorded.ofType("report:fine")).hasSize(1);
            assertThat(scheduler.listScheduled(10)).singleElement().satisfies(info -> {
                assertThat(info.id()).isEqualTo(broken.jobId());
                assertThat(info.error()).startsWith("JobQueueException: provider refused a body starting ")
                        .doesNotContain("\u0000");
            });
            assertThat(scheduler.getRecurring("tick").orElseThrow().lastError())
                    .startsWith("JobQueueException: provider refused a body starting ").doesNotContain("\u0000");

            failed.set(true);
            clock.advance(Duration.ofMinutes(10));
            scheduler.fireDue();
            await().atMost(WAIT).until(() -> recorded.ofType("report:broken").size() == 1);
            assertThat(recorded.duplicates()).isEmpty();
        }
    }

    private JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

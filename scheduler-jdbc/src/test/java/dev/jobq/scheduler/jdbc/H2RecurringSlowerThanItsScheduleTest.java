package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
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
 * A recurring job whose occurrences take longer to hand on than the schedule leaves between them (a slow
 * provider, or many recurring jobs on a short schedule): each occurrence handed on leaves the job due again.
 * A drain hands on the recurring occurrences due when it began and leaves later ones to the next pass, as
 * {@link HandOff#drain()} says; it must not go on with them for good while one-time jobs wait behind it.
 */
class H2RecurringSlowerThanItsScheduleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink recorded = new RecordingSink(clock);

    @Test
    void aOneTimeJobIsHandedOnWhileARecurringJobStaysDueAfterEachOccurrence() {
        var slow = new AtomicBoolean(true);
        // Each occurrence takes 2 s of the scheduler's clock to hand on, on a schedule of one a second.
        JobSink sink = envelope -> {
            if (envelope.type().equals("report:tick") && slow.get()) {
                clock.advance(Duration.ofSeconds(2));
            }
            return recorded.submit(envelope);
        };
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:jobq-recurring-slow-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .pollInterval(Duration.ofMillis(200)).misfireThreshold(Duration.ofSeconds(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("every 1 second").build(),
                    "{}");
            JobEnvelope once = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:once",
                    "{}", JobOptions.defaults(), 0, T0, null, null);
            scheduler.schedule(once, T0.plus(Duration.ofSeconds(3)));
            scheduler.start();
            clock.set(T0.plus(Duration.ofSeconds(1)));

            try {
                await().atMost(WAIT).until(() -> recorded.ofType("report:once").size() == 1);
                assertThat(recorded.ofType("report:tick")).isNotEmpty();
            } finally {
                slow.set(false);
            }
        }
    }
}

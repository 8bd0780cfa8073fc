package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.RecurringJob;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §6, Precision: "the scheduler sleeps until the earliest due time (bounded by pollInterval …) and wakes
 * at once on a local insert. A job due at 09:00:00.000 is enqueued within milliseconds, not at the next poll."
 * JdbcSchedulerContract drives the firing thread with a settable clock, whose moves wake it; this runs it on the
 * system clock, where only its own sleep until the due time can hand a job on in time.
 */
@DisplayName("the firing thread on the system clock hands jobs on at their instant, not at the next poll")
class RealClockPrecisionTest {

    /** Far more than the firing thread needs on a loaded machine; far less than the hour-long poll interval. */
    private static final Duration LATE_AT_MOST = Duration.ofMillis(500);

    private final InstantSource clock = InstantSource.system();
    private final RecordingSink sink = new RecordingSink(clock);
    private JdbcJobScheduler scheduler;

    @AfterEach
    void close() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    @Test
    @DisplayName("a job stored before start, one stored after, and a recurring occurrence each go out within "
            + "milliseconds of their instant with a poll interval of an hour")
    void handsOnEachJobAtItsInstant() {
        scheduler = JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:jobq-precision-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .pollInterval(Duration.ofHours(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        Instant beforeStart = clock.instant().plusMillis(1200);
        String first = scheduler.schedule(job("precision:before"), beforeStart);
        scheduler.start();
        Instant afterStart = clock.instant().plusMillis(1700);
        String second = scheduler.schedule(job("precision:after"), afterStart);
        scheduler.registerRecurring(RecurringJob.builder("tick", "precision:tick").schedule("every 2 seconds").build(),
                "{}");
        Instant occurrence = scheduler.getRecurring("tick").orElseThrow().nextRunAt();

        await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() >= 3);

        assertThat(handedOnAt(first)).as("the job stored before start").isBetween(beforeStart,
                beforeStart.plus(LATE_AT_MOST));
        assertThat(handedOnAt(second)).as("the job stored after start").isBetween(afterStart,
                afterStart.plus(LATE_AT_MOST));
        assertThat(sink.submissions()).filteredOn(s -> s.envelope().type().equals("precision:tick"))
                .first().satisfies(s -> assertThat(s.at()).as("the recurring job's first occurrence, due %s",
                        occurrence).isBetween(occurrence, occurrence.plus(LATE_AT_MOST)));
    }

    private Instant handedOnAt(String jobId) {
        return sink.submissions().stream().filter(s -> s.envelope().jobId().equals(jobId)).findFirst()
                .orElseThrow().at();
    }

    private JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A purge that keeps failing (a cancelled row past retention held by an operator's transaction left
 * open) while hand-offs work: the firing thread still wakes for each due job at its instant, rather
 * than only after the growing pause of a failed pass.
 */
class H2PurgeBehindLockTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    void aFailingPurgeDelaysNoDueJob() throws Exception {
        String url = "jdbc:h2:mem:jobq-purge-lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=200";
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).retention(RETENTION)
                .pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
             Connection operator = DriverManager.getConnection(url)) {
            JobEnvelope cancelled = job("report:old");
            scheduler.schedule(cancelled, T0.plus(Duration.ofDays(1)));
            assertThat(scheduler.cancel(cancelled.jobId())).isTrue();
            clock.advance(RETENTION.plusMinutes(1));
            Instant start = clock.instant();
            operator.setAutoCommit(false);
            try (PreparedStatement hold = operator.prepareStatement(
                    "UPDATE jobq_scheduled_job SET error = error WHERE id = ?")) {
                hold.setString(1, cancelled.jobId());
                assertThat(hold.executeUpdate()).isOne();
            }
            JobEnvelope due = job("report:due");
            Instant dueAt = start.plus(Duration.ofSeconds(10));
            scheduler.schedule(due, dueAt);

            scheduler.start();
            // Passes at start, +1 s, +3 s, +7 s each fail on the purge; the next failed pass would wait 8 s, to +15 s.
            Instant at = start;
            for (int failed = 1; failed <= 4; failed++) {
                int expected = failed;
                await().atMost(WAIT).until(() -> scheduler.firingProblem().orElse("")
                        .contains("failed " + expected + " time(s) in a row"));
                at = at.plus(HandOff.retryDelay(failed));
                if (failed < 4) {
                    clock.set(at);
                }
            }
            assertThat(sink.count()).isZero();
            // Only the purge fails: the problem says so, not that firing failed (/health shows it as it is).
            assertThat(scheduler.firingProblem()).hasValueSatisfying(problem -> assertThat(problem)
                    .startsWith("purging old one-time jobs from H2 at mem:jobq-purge-lock-")
                    .containsPattern(" failed 4 time\\(s\\) in a row, last at \\S+ \\(due jobs are still handed on\\): a row it "
                            + "needed stayed locked by another transaction longer than H2's lock timeout"));

            clock.set(dueAt);
            await().atMost(WAIT).until(() -> sink.count() == 1);
            assertThat(sink.submissions().getFirst().at()).isEqualTo(dueAt);
            operator.rollback();
            clock.set(at.plus(HandOff.retryDelay(4)));
            await().atMost(WAIT).until(() -> scheduler.firingProblem().isEmpty());
        }
    }

    private JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

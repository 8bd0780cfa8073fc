package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A recurring job's hand-off holds its row until the queue has taken the occurrence; registering, disabling or
 * deleting that job meanwhile waits at most H2's own lock timeout. H2's message for that spells out the whole
 * locked row, the job's payload too: it must not reach the user's log as the message.
 */
@DisplayName("JDBC scheduler on H2: changes behind a held row lock")
class H2RecurringBehindHandOffTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(25);
    private static final String SECRET = "{\"apiKey\":\"sk-live-4f2a\"}";

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    @DisplayName("register, disable and delete behind a hand-off longer than H2's lock timeout fail saying so, "
            + "without the row in the message or in a caller's log of it, and work once it ends")
    void changesBehindASlowHandOffFailSayingSoWithoutTheRow() throws Exception {
        var slow = new HeldHandOff(sink, BOUND);
        String url = "jdbc:h2:mem:jobq-recurring-hand-off-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=500";
        try (JdbcJobScheduler scheduler = slow.scheduler(JdbcSchedulerFactory.builder().jdbcUrl(url), clock)) {
            RecurringJob digest = RecurringJob.builder("digest", "report:digest").schedule("every 1 minute").build();
            scheduler.registerRecurring(digest, SECRET);
            clock.advance(Duration.ofMinutes(1));
            slow.whileHandingOn(scheduler, () -> {
                assertThatThrownBy(() -> scheduler.registerRecurring(digest, SECRET))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageStartingWith("scheduler: registering recurring job 'digest' failed on H2 ")
                        .hasMessageNotContaining("sk-live")
                        .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain("sk-live"))
                        .hasMessageEndingWith(behindHandOff("register"));
                assertThatThrownBy(() -> scheduler.setRecurringEnabled("digest", false))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageNotContaining("sk-live")
                        .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain("sk-live"))
                        .hasMessageEndingWith(behindHandOff("disable"));
                assertThatThrownBy(() -> scheduler.deleteRecurring("digest"))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageNotContaining("sk-live")
                        .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain("sk-live"))
                        .hasMessageEndingWith(behindHandOff("delete"));
            });
            assertThat(scheduler.setRecurringEnabled("digest", false)).isTrue();
            assertThat(scheduler.deleteRecurring("digest")).isTrue();
        }
    }

    @Test
    @DisplayName("any other wait past H2's lock timeout (a purge behind an open transaction) fails saying so, "
            + "without the row in the message or in a caller's log of it")
    void otherLockWaitsFailWithoutTheRow() throws Exception {
        String name = "jobq-purge-lock-" + UUID.randomUUID();
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=500";
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url)
                .pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
             Connection operator = DriverManager.getConnection(url)) {
            JobEnvelope job = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send",
                    SECRET, JobOptions.defaults(), 0, clock.instant(), null, null);
            scheduler.schedule(job, T0.plus(Duration.ofHours(1)));
            assertThat(scheduler.cancel(job.jobId())).isTrue();
            operator.setAutoCommit(false);
            try (Statement locking = operator.createStatement()) {
                locking.executeQuery("SELECT * FROM jobq_scheduled_job FOR UPDATE").close();
            }
            clock.advance(JdbcSchedulerFactory.DEFAULT_RETENTION.plus(Duration.ofDays(1)));

            assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::purgeNow)
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageNotContaining("sk-live")
                        .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain("sk-live"))
                    .hasMessage("scheduler: purging old jobs failed on H2 at mem:" + name + ": a row it needed stayed locked by another transaction longer than H2's lock timeout; "
                            + "raise H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds), or find the transaction that "
                            + "holds jobq_* rows so long"));

            operator.rollback();
            assertThat(scheduler.purgeNow()).isEqualTo(1);
        }
    }

    private static String behindHandOff(String change) {
        return "; its row stayed locked longer than H2's lock timeout: most likely an occurrence of it is being handed "
                + "on to its queue now (the hand-off holds the row until the queue has taken the job, as long as its "
                + "provider takes to answer), else another session holds it; " + change + " it again once the "
                + "hand-off ends, or raise H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds) so that " + change
                + " waits for it";
    }
}

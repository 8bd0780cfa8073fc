package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H2's side of {@code PostgresLockWaitTest.cancelBehindASlowHandOffFailsSayingSo}: a hand-off holds its job's row
 * until the queue has taken the job, and a {@code cancel} of that job waits at most H2's own lock timeout.
 */
@DisplayName("JDBC scheduler on H2: cancel() behind a slow hand-off")
class H2CancelBehindHandOffTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(25);
    private static final String SECRET = "sk_live_9c1e77a0";

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    @DisplayName("cancel() of a job whose hand-off holds its row longer than H2's lock timeout fails saying so and "
            + "what to do, then says false once the job was handed on")
    void cancelBehindASlowHandOffFailsSayingSo() throws Exception {
        var slow = new HeldHandOff(sink, BOUND);
        String url = "jdbc:h2:mem:jobq-cancel-hand-off-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=500";
        try (JdbcJobScheduler scheduler = slow.scheduler(JdbcSchedulerFactory.builder().jdbcUrl(url), clock)) {
            JobEnvelope job = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send",
                    "{\"apiKey\":\"" + SECRET + "\"}", JobOptions.defaults(), 0, clock.instant(), null, null);
            scheduler.schedule(job, T0);
            slow.whileHandingOn(scheduler, () -> assertThatThrownBy(() -> scheduler.cancel(job.jobId()))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cancelling job " + job.jobId() + " failed on H2 ")
                    .hasMessageEndingWith("; its row stayed locked longer than H2's lock timeout: most likely it "
                            + "is being handed on to its queue now (the hand-off holds the row until the queue has "
                            + "taken the job, as long as its provider takes to answer), else another session holds "
                            + "it; call cancel again once the hand-off ends (false then means the job was handed "
                            + "on: status ENQUEUED), or raise H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds) "
                            + "so that cancel waits for it")
                    // What the caller's log.error("...", e) prints: H2's message, a cause before, has the whole row.
                    .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain(SECRET)
                            .contains("at dev.jobq.scheduler.jdbc.")));
            assertThat(scheduler.cancel(job.jobId())).isFalse();
            assertThat(scheduler.status(job.jobId())).contains(ScheduledJobInfo.Status.ENQUEUED);
        }
    }
}

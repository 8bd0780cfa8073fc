package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobSink;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * close() called on the firing thread itself: a {@code JobSink} of the application's that closes the scheduler in a
 * hand-off (on a fatal error of its own, say). close() waited for the firing thread, that is for itself, 10 s, interrupted
 * it, waited 10 s more, said it gave up on it, and closed the pool under its own batch, whose commit then failed: the
 * next scheduler handed its jobs on again.
 */
@DisplayName("JDBC scheduler on H2: close() called on the firing thread")
class H2CloseOnTheFiringThreadTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void closeInAHandOffLetsTheBatchCommitThenClosesThePool() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-close-on-firing", T0);
        var sink = toClose.sink;
        var closeReturned = new CountDownLatch(1);
        JobSink closing = envelope -> {
            EnqueueResult result = sink.submit(envelope);
            toClose.scheduler().close();
            closeReturned.countDown();
            return result;
        };
        JdbcJobScheduler scheduler = toClose.open(toClose.builder()
                .threadFactory(toClose.threadsNamed(made -> "jobq-test-firing")), closing);
        try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
            toClose.scheduleDue(scheduler, 1);
            scheduler.start();
            assertThat(closeReturned.await(60, TimeUnit.SECONDS)).as("close() returned in the hand-off").isTrue();
            Thread firing = toClose.threads.getFirst();
            firing.join(Duration.ofSeconds(60));
            assertThat(firing.isAlive()).as("the firing thread, after its batch").isFalse();
            assertThat(log.warnings()).as("WARN lines of close()").isEmpty();
        } finally {
            scheduler.close();
        }

        JdbcJobScheduler next = toClose.openNext();
        try {
            assertThat(next.fireDue()).as("jobs the next scheduler handed on again").isZero();
        } finally {
            next.close();
        }
        assertThat(sink.duplicates()).as("jobs handed on twice").isEmpty();
    }

    /**
     * As above, close() called in the hand-off of a thread helping through a backlog (fireThreads 2): it waited 10 s for
     * the firing thread, which waited for that helper's batch, interrupted it, then waited 10 s for itself among the
     * helpers and closed the pool under its own batch.
     */
    @Test
    void closeInAHelpersHandOffLetsItsBatchCommitThenClosesThePool() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-close-on-helper", T0);
        var sink = toClose.sink;
        var closeReturned = new CountDownLatch(1);
        JobSink closing = envelope -> {
            EnqueueResult result = sink.submit(envelope);
            if (!toClose.onFiringThread()) {
                if (closeReturned.getCount() > 0) {
                    toClose.scheduler().close();
                    closeReturned.countDown();
                }
            } else {
                toClose.leaveAHelperABatch(closeReturned);
            }
            return result;
        };
        JdbcJobScheduler scheduler = toClose.openBacklog(made -> "jobq-test-fire-" + made, closing);
        try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class); CapturedLog handOff = CapturedLog.of(HandOff.class)) {
            toClose.scheduleDue(scheduler, SchedulerToClose.BACKLOG);
            scheduler.start();
            assertThat(closeReturned.await(60, TimeUnit.SECONDS)).as("close() returned in the helper's hand-off").isTrue();
            for (Thread thread : toClose.threads) {
                thread.join(Duration.ofSeconds(60));
                assertThat(thread.isAlive()).as("thread %s, after its batch", thread.getName()).isFalse();
            }
            assertThat(log.warnings()).as("WARN lines of close()").isEmpty();
            assertThat(handOff.warnings()).as("WARN lines of the hand-off").isEmpty();
        } finally {
            scheduler.close();
        }

        JdbcJobScheduler next = toClose.openNext();
        try {
            next.fireDue();
        } finally {
            next.close();
        }
        assertThat(sink.envelopes()).as("jobs handed on").hasSize(20);
        assertThat(sink.duplicates()).as("jobs handed on twice").isEmpty();
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobQueueException;
import dev.jobq.spi.JobSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A second close() while the first waits for the firing thread's batch (a shutdown hook beside the application's own):
 * it returned at once, and its caller went on to close what the batch still used, as JobQueue.close()'s second call
 * no longer does.
 */
@DisplayName("JDBC scheduler on H2: close() called twice at once")
class H2CloseTwiceTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void aSecondCloseWaitsForTheFirstToEnd() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-close-twice", T0);
        var sink = toClose.sink;
        var inHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobSink holding = envelope -> {
            inHandOff.countDown();
            SchedulerToClose.hold(release, BOUND);
            return sink.submit(envelope);
        };
        JdbcJobScheduler scheduler = toClose.open(toClose.builder()
                .threadFactory(toClose.threadsNamed(made -> "jobq-test-firing")), holding);
        try {
            toClose.scheduleDue(scheduler, 1);
            scheduler.start();
            assertThat(inHandOff.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the firing thread in its hand-off").isTrue();
            Thread firing = toClose.threads.getFirst();

            Thread first = Thread.ofPlatform().start(scheduler::close);
            await().atMost(BOUND).until(() -> closed(scheduler));
            var firingAliveWhenSecondReturned = new AtomicReference<Boolean>();
            Thread second = Thread.ofPlatform().start(() -> {
                scheduler.close();
                firingAliveWhenSecondReturned.set(firing.isAlive());
            });
            await().atMost(BOUND).until(() -> second.getState() == Thread.State.WAITING
                    || second.getState() == Thread.State.TIMED_WAITING || second.getState() == Thread.State.TERMINATED);
            release.countDown();
            first.join(BOUND);
            second.join(BOUND);

            assertThat(second.isAlive()).as("the second close(), after the first ended").isFalse();
            assertThat(firingAliveWhenSecondReturned.get()).as("the firing thread still in its batch when the second "
                    + "close() returned").isFalse();
            assertThat(sink.envelopes()).as("the batch in hand, handed on").hasSize(1);
        } finally {
            release.countDown();
            scheduler.close();
        }
    }

    /**
     * The first close() called in a hand-off on the firing thread (a JobSink of the application's that closes the
     * scheduler), whose batch then goes on longer than the second close() waits (the sink's next call hangs): the second
     * gave up after 40 s and returned without a word, the firing thread still in its batch and the pool open.
     */
    @Test
    void aSecondCloseThatGivesUpOnTheFirstSaysSo() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-close-twice-gives-up", T0);
        var closedInHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobSink closingThenHanging = envelope -> {
            toClose.scheduler().close();
            closedInHandOff.countDown();
            SchedulerToClose.hold(release, BOUND.multipliedBy(2));
            return toClose.sink.submit(envelope);
        };
        List<Thread> threads = toClose.threads;
        JdbcJobScheduler scheduler = toClose.open(toClose.builder()
                .threadFactory(toClose.threadsNamed(made -> "jobq-test-firing\nFORGED line")), closingThenHanging);
        try {
            toClose.scheduleDue(scheduler, 1);
            scheduler.start();
            assertThat(closedInHandOff.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("close() called in the hand-off")
                    .isTrue();

            try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
                scheduler.close();
                assertThat(threads.getFirst().isAlive()).as("the firing thread, in its batch").isTrue();
                assertThat(log.warnings()).as("WARN lines of the second close()")
                        .filteredOn(line -> line.contains("did not end")).singleElement().asString()
                        .contains("on the firing thread (jobq-test-firing").doesNotContain("\n");
            }
        } finally {
            release.countDown();
            for (Thread thread : threads) {
                thread.join(BOUND);
            }
        }
        assertThat(threads).as("the firing thread, once let go").noneMatch(Thread::isAlive);
    }

    /**
     * As above, the first close() called in the hand-off of a thread helping through a backlog (fireThreads 2), whose
     * sink's next call hangs: the WARN named the firing thread as the one still in its batch, where the firing thread
     * waits for that helper, whose call it is that hangs.
     */
    @Test
    void aSecondCloseThatGivesUpOnAFirstCalledOnAHelperNamesTheHelper() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-close-twice-gives-up-on-helper", T0);
        var closedInHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobSink closingThenHanging = envelope -> {
            if (!toClose.onFiringThread()) {
                if (closedInHandOff.getCount() > 0) {
                    toClose.scheduler().close();
                    closedInHandOff.countDown();
                    SchedulerToClose.hold(release, BOUND.multipliedBy(2));
                }
            } else {
                toClose.leaveAHelperABatch(closedInHandOff);
            }
            return toClose.sink.submit(envelope);
        };
        JdbcJobScheduler scheduler = toClose.openBacklog(made -> made == 0 ? "jobq-test-firing" : "jobq-test-helper\nFORGED",
                closingThenHanging);
        try {
            toClose.scheduleDue(scheduler, SchedulerToClose.BACKLOG);
            scheduler.start();
            assertThat(closedInHandOff.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("close() called in a helper's "
                    + "hand-off").isTrue();

            try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
                scheduler.close();
                assertThat(log.warnings()).as("WARN lines of the second close()")
                        .filteredOn(line -> line.contains("did not end")).singleElement().asString()
                        .contains("on a thread helping through a backlog (jobq-test-helper").doesNotContain("\n");
            }
        } finally {
            release.countDown();
            for (Thread thread : toClose.threads) {
                thread.join(BOUND);
            }
        }
        assertThat(toClose.threads).as("the firing thread and the helper, once let go").noneMatch(Thread::isAlive);
    }

    private static boolean closed(JdbcJobScheduler scheduler) {
        try {
            scheduler.start();
            return false;
        } catch (JobQueueException e) {
            return true;
        }
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
        var clock = new SettableClock(T0);
        var sink = new RecordingSink(clock);
        var self = new AtomicReference<JdbcJobScheduler>();
        var closeReturned = new CountDownLatch(1);
        JobSink closing = envelope -> {
            EnqueueResult result = sink.submit(envelope);
            self.get().close();
            closeReturned.countDown();
            return result;
        };
        List<Thread> threads = new CopyOnWriteArrayList<>();
        String url = "jdbc:h2:mem:jobq-close-on-firing-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMillis(200))
                .threadFactory(task -> {
                    Thread thread = new Thread(task, "jobq-test-firing");
                    thread.setDaemon(true);
                    threads.add(thread);
                    return thread;
                })
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, closing));
        self.set(scheduler);
        try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
            scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send",
                    "{}", JobOptions.defaults(), 0, T0, null, null), T0);
            scheduler.start();
            assertThat(closeReturned.await(60, TimeUnit.SECONDS)).as("close() returned in the hand-off").isTrue();
            Thread firing = threads.getFirst();
            firing.join(Duration.ofSeconds(60));
            assertThat(firing.isAlive()).as("the firing thread, after its batch").isFalse();
            assertThat(log.warnings()).as("WARN lines of close()").isEmpty();
        } finally {
            scheduler.close();
        }

        JdbcJobScheduler next = JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
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
        var clock = new SettableClock(T0);
        var sink = new RecordingSink(clock);
        var self = new AtomicReference<JdbcJobScheduler>();
        var closeReturned = new CountDownLatch(1);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        var byFiringThread = new AtomicInteger();
        JobSink closing = envelope -> {
            EnqueueResult result = sink.submit(envelope);
            if (Thread.currentThread() != threads.getFirst() && closeReturned.getCount() > 0) {
                self.get().close();
                closeReturned.countDown();
            } else if (Thread.currentThread() == threads.getFirst() && byFiringThread.incrementAndGet() > 1) {
                // leaves a helper a batch to claim: the firing thread alone could hand on all twenty
                JdbcSchedulerContract.awaitBounded(closeReturned);
            }
            return result;
        };
        String url = "jdbc:h2:mem:jobq-close-on-helper-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMillis(200))
                .batchSize(1).fireThreads(2)
                .threadFactory(task -> {
                    Thread thread = new Thread(task, "jobq-test-fire-" + threads.size());
                    thread.setDaemon(true);
                    threads.add(thread);
                    return thread;
                })
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, closing));
        self.set(scheduler);
        try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class); CapturedLog handOff = CapturedLog.of(HandOff.class)) {
            for (int i = 0; i < 20; i++) {
                scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(),
                        "report:send", "{}", JobOptions.defaults(), 0, T0, null, null), T0);
            }
            scheduler.start();
            assertThat(closeReturned.await(60, TimeUnit.SECONDS)).as("close() returned in the helper's hand-off").isTrue();
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(60));
                assertThat(thread.isAlive()).as("thread %s, after its batch", thread.getName()).isFalse();
            }
            assertThat(log.warnings()).as("WARN lines of close()").isEmpty();
            assertThat(handOff.warnings()).as("WARN lines of the hand-off").isEmpty();
        } finally {
            scheduler.close();
        }

        JdbcJobScheduler next = JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        try {
            next.fireDue();
        } finally {
            next.close();
        }
        assertThat(sink.envelopes()).as("jobs handed on").hasSize(20);
        assertThat(sink.duplicates()).as("jobs handed on twice").isEmpty();
    }
}

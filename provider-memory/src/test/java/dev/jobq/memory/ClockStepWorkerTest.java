package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The queue's clock stepping an hour while handlers run (NTP, a resumed VM): the worker's handler timeouts
 * and lease heartbeats are on elapsed time ({@code System.nanoTime}), so a step neither times out every
 * running handler at once nor keeps a timeout from firing. The memory provider's leases are on its clock,
 * so these tests keep the step within the lease (docs/scheduler.md, Clocks).
 */
@DisplayName("worker: the clock steps an hour while handlers run")
class ClockStepWorkerTest {

    private static final int JOBS = 5;

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch finish = new CountDownLatch(1);
    private final SettableClock clock = SettableClock.atEpochOf2026();

    @AfterEach
    void close() throws Exception {
        finish.countDown();
        fixture.close();
    }

    @Test
    @DisplayName("forward an hour: no running handler times out, each completes at its first attempt")
    void aStepForwardTimesOutNothing() {
        JobQueue jobs = queue(Duration.ofHours(3));
        jobs.enqueueAll("report:build", IntStream.range(0, JOBS).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(30)).maxAttempts(1).build());
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, JOBS);

        clock.advance(Duration.ofHours(1));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> fixture.events.all(JobEvent.Dead.class).isEmpty());
        finish.countDown();

        assertThat(fixture.events.awaitCount(JobEvent.Completed.class, JOBS))
                .allSatisfy(completed -> assertThat(completed.attempt()).isEqualTo(1));
        assertThat(fixture.events.all(JobEvent.Dead.class)).isEmpty();
    }

    @Test
    @DisplayName("back an hour: a 1 s timeout still ends each handler after about a second, and heartbeats keep "
            + "the 3 s leases meanwhile")
    void aStepBackDelaysNoTimeout() {
        JobQueue jobs = queue(Duration.ofSeconds(3));
        jobs.enqueueAll("report:build", IntStream.range(0, JOBS).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(1)).maxAttempts(1).build());
        long began = System.nanoTime();
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, JOBS);

        clock.advance(Duration.ofHours(-1));

        assertThat(fixture.events.awaitCount(JobEvent.Dead.class, JOBS))
                .allSatisfy(dead -> assertThat(dead.error()).contains("timed out"));
        assertThat(Duration.ofNanos(System.nanoTime() - began)).as("from start to the last timeout")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(fixture.events.all(JobEvent.Started.class)).as("deliveries: none again").hasSize(JOBS);
    }

    @Test
    @DisplayName("forward past a lease with no heartbeat to notice: the job runs again, and its first attempt, "
            + "ending after the second, is refused by the provider: the job is Completed and counted once, with a WARN")
    void aLeaseRunOutUnnoticedCountsItsJobOnce() {
        StaleRun run = firstAttemptOutlivesItsLease(() -> { });

        // The provider refuses the first attempt's acknowledgement (another delivery settled the job): the worker
        // neither announces nor counts it (semantics.md, "Delivery: at least once").
        assertThat(fixture.events.all(JobEvent.Completed.class)).as("the delivery after the lease ran out")
                .extracting(JobEvent.Completed::jobId, JobEvent.Completed::attempt)
                .containsExactly(tuple(run.id(), 2));
        assertThat(run.jobs().stats("default").completed()).as("completed").isEqualTo(1);
        assertThat(run.jobs().stats("default").waiting()).as("waiting").isZero();
        assertThat(run.jobs().stats("default").inFlight()).as("in flight").isZero();
        assertThat(run.jobs().stats("default").active()).as("active").isZero();
        assertThat(run.warnings()).singleElement().asString()
                .startsWith("job " + run.id() + " (report:build) on queue 'default' attempt 1 completed after its "
                        + "lease was lost")
                .contains("not announced or counted");
    }

    @Test
    @DisplayName("forward past a lease with no heartbeat to notice: a first attempt that then fails for good is refused "
            + "by the provider, and is neither announced Dead nor counted; the second attempt completes the job")
    void aLeaseRunOutUnnoticedAnnouncesNoDeadForTheStaleAttempt() {
        StaleRun run = firstAttemptOutlivesItsLease(() -> {
            throw new NonRetryableJobException("the report's template is gone");
        });

        assertThat(fixture.events.all(JobEvent.Dead.class)).as("Dead events").isEmpty();
        assertThat(run.jobs().stats("default").dead()).as("dead").isZero();
        assertThat(run.jobs().stats("default").failed()).as("failed").isZero();
        assertThat(run.jobs().stats("default").completed()).as("completed").isEqualTo(1);
        assertThat(run.warnings()).singleElement().asString()
                .startsWith("job " + run.id() + " (report:build) on queue 'default' attempt 1 failed after its lease "
                        + "was lost");
    }

    @Test
    @DisplayName("forward past a lease with no heartbeat to notice: a first attempt that then fails for a retry is "
            + "refused by the provider, and its Failed is neither announced nor counted; the job runs no third time")
    void aLeaseRunOutUnnoticedRetriesNothing() {
        StaleRun run = firstAttemptOutlivesItsLease(() -> {
            throw new IllegalStateException("the report's data is late");
        });

        assertThat(fixture.events.all(JobEvent.Failed.class)).as("Failed events").isEmpty();
        assertThat(run.jobs().stats("default").failed()).as("failed").isZero();
        assertThat(fixture.events.all(JobEvent.Started.class)).as("attempts").hasSize(2);
        assertThat(run.jobs().stats("default").completed()).as("completed").isEqualTo(1);
        assertThat(run.jobs().stats("default").waiting() + run.jobs().stats("default").delayed())
                .as("waiting or delayed").isZero();
        assertThat(run.warnings()).singleElement().asString()
                .startsWith("job " + run.id() + " (report:build) on queue 'default' attempt 1 failed after its lease "
                        + "was lost, unnoticed, and the provider refused its retry")
                .contains("not announced or counted");
    }

    /** How the first attempt of {@link #firstAttemptOutlivesItsLease} ends once let go. */
    private interface AttemptEnd {
        void run() throws Exception;
    }

    /** A run of {@link #firstAttemptOutlivesItsLease}: its queue (closed), the job and the worker's WARN lines. */
    private record StaleRun(JobQueue jobs, String id, List<String> warnings) {
    }

    /**
     * One job whose first attempt outlives its 3-hour lease unnoticed (the clock moves four hours; heartbeats come
     * every hour of the lease's three, none here, so the worker never learns of the loss until it settles), is delivered
     * again and completed by its second, and only then ends as {@code firstEnds} says; the queue is then closed, which
     * waits until every attempt is settled, the first one's too.
     */
    private StaleRun firstAttemptOutlivesItsLease(AttemptEnd firstEnds) {
        Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker");
        var log = new CapturedLog();
        log.start();
        workerLog.addAppender(log);
        try {
            JobQueue jobs = queue(Duration.ofHours(3), (n, ctx) -> {
                if (ctx.attempt() == 1) {
                    finish.await(30, TimeUnit.SECONDS);
                    firstEnds.run();
                }
            });
            String id = jobs.enqueue("report:build", 1);
            jobs.start();
            fixture.events.awaitCount(JobEvent.Started.class, 1);

            clock.advance(Duration.ofHours(4));
            fixture.events.awaitCount(JobEvent.Completed.class, 1);
            finish.countDown();
            jobs.close();
            return new StaleRun(jobs, id, log.list.stream()
                    .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList());
        } finally {
            workerLog.detachAppender(log);
        }
    }

    private JobQueue queue(Duration leaseDuration) {
        return queue(leaseDuration, (n, ctx) -> finish.await(30, TimeUnit.SECONDS));
    }

    private JobQueue queue(Duration leaseDuration, JobHandler<Integer> handler) {
        QueueProvider provider = fixture.closeLater(MemoryProviderFactory.builder().clock(clock)
                .leaseDuration(leaseDuration).build());
        JobQueue jobs = fixture.closeLater(JobQueue.builder().clock(clock).provider(provider).concurrency(JOBS)
                .shutdownTimeout(Duration.ofSeconds(5)).backoff(Backoff.none()).listener(fixture.events).build());
        jobs.registerJobHandler("report:build", Integer.class, handler);
        return jobs;
    }
}

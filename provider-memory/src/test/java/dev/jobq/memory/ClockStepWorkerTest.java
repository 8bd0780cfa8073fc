package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
            + "ending after the second, is still announced and counted: one job Completed twice (semantics.md)")
    void aLeaseRunOutUnnoticedCountsItsJobTwice() {
        JobQueue jobs = queue(Duration.ofHours(3), (n, ctx) -> {
            if (ctx.attempt() == 1) {
                finish.await(30, TimeUnit.SECONDS);
            }
        });
        String id = jobs.enqueue("report:build", 1);
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, 1);

        // Heartbeats come every hour of the lease's three: none in this test, so the worker never learns of the loss.
        clock.advance(Duration.ofHours(4));
        assertThat(fixture.events.awaitCount(JobEvent.Completed.class, 1)).as("the delivery after the lease ran out")
                .extracting(JobEvent.Completed::attempt).containsExactly(2);
        finish.countDown();

        // The provider ignores the first attempt's acknowledgement (it no longer holds that delivery), but the worker
        // announces and counts it all the same: what semantics.md ("Delivery: at least once") warns of.
        assertThat(fixture.events.awaitCount(JobEvent.Completed.class, 2)).extracting(JobEvent.Completed::jobId)
                .containsExactly(id, id);
        assertThat(jobs.stats("default").completed()).as("completed").isEqualTo(2);
        assertThat(jobs.stats("default").waiting()).as("waiting").isZero();
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

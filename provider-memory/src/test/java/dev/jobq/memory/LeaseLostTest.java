package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.Failure;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A provider that answers a heartbeat with {@link LeaseLostException} (SQS: ReceiptHandleIsInvalid): the
 * attempt is cancelled as at a timeout, its heartbeats stop, and it ends without an outcome.
 */
class LeaseLostTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a lost lease cancels the attempt: isCancelled, the handler interrupted, no more heartbeats, "
            + "no Completed, Failed or Dead")
    void lostLeaseCancelsTheAttempt() throws Exception {
        var losing = new LosingLeases(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(losing, 1, Duration.ofSeconds(5));
        var cancelledWhenInterrupted = new CompletableFuture<Boolean>();
        var closed = new CountDownLatch(1);
        var returned = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                cancelledWhenInterrupted.complete(false); // not interrupted
            } catch (InterruptedException e) {
                cancelledWhenInterrupted.complete(ctx.isCancelled());
                // Keeps the only permit until close() stopped the poll loop: the lease, no longer extended, runs out
                // 200 ms after the loss, and a free permit took the job's next delivery (a second Started and
                // heartbeat) whenever this thread was that late to close().
                closed.await(30, TimeUnit.SECONDS);
                throw e;
            } finally {
                returned.countDown();
            }
        });
        jobs.start();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());

        // Before, the loss was not the handler's to know: it ran on for its 30 s, and on to its end.
        assertThat(cancelledWhenInterrupted.get(10, TimeUnit.SECONDS)).as("ctx.isCancelled() once interrupted")
                .isTrue();
        jobs.close(); // waits for the attempt to be settled
        closed.countDown();
        assertThat(returned.await(10, TimeUnit.SECONDS)).as("the handler returned").isTrue();

        assertThat(losing.heartbeats()).as("heartbeats: the one that found the lease lost").isEqualTo(1);
        assertThat(fixture.events.all(JobEvent.Started.class)).extracting(JobEvent.Started::jobId).containsExactly(id);
        assertThat(fixture.events.all(JobEvent.class)).as("an outcome of the cancelled attempt")
                .noneMatch(e -> e instanceof JobEvent.Completed || e instanceof JobEvent.Failed
                        || e instanceof JobEvent.Dead);
    }

    @Test
    @DisplayName("a handler that ignores the interrupt after a lost lease and returns: its result is not recorded "
            + "(no acknowledge, no Completed, not counted), as BullMQ's \"Missing lock\" discards it")
    void handlerReturningAfterALostLeaseRecordsNothing() throws Exception {
        // Before, it published Completed, counted a completion and acknowledged a delivery it no longer held.
        JobQueue jobs = runUntilTheHandlerEndsAfterItsLeaseIsLost(false);
        assertThat(jobs.stats("default").completed()).as("completed").isZero();
    }

    @Test
    @DisplayName("a handler that throws after a lost lease: no Failed, not counted, the provider not told")
    void handlerThrowingAfterALostLeaseRecordsNothing() throws Exception {
        JobQueue jobs = runUntilTheHandlerEndsAfterItsLeaseIsLost(true);
        assertThat(jobs.stats("default").failed()).as("failed").isZero();
    }

    /**
     * Runs one job whose handler waits until its lease is lost, ignoring the interrupt, then returns or throws;
     * checks that no outcome was announced and the provider was told nothing, and returns the closed queue.
     */
    private JobQueue runUntilTheHandlerEndsAfterItsLeaseIsLost(boolean throwsAtTheEnd) throws Exception {
        var losing = new LosingLeases(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(losing, 1, Duration.ofSeconds(5));
        var returned = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                awaitCancelledIgnoringInterrupts(ctx);
                if (throwsAtTheEnd) {
                    throw new IllegalStateException("the report's upstream closed");
                }
            } finally {
                returned.countDown();
            }
        });
        jobs.start();
        // Its memory lease runs out unextended, so later deliveries may come: attempts enough that none is dead.
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).maxAttempts(20)
                .build());

        assertThat(returned.await(10, TimeUnit.SECONDS)).as("the handler ended").isTrue();
        jobs.close();

        assertThat(fixture.events.all(JobEvent.class)).as("an outcome of the attempt whose lease was lost")
                .noneMatch(e -> e instanceof JobEvent.Completed || e instanceof JobEvent.Failed
                        || e instanceof JobEvent.Dead);
        assertThat(losing.settles()).as("acknowledge or fail calls for the lost delivery").isZero();
        return jobs;
    }

    @Test
    @DisplayName("a lost lease's handler still running at its timeout: the timeout reports no Failed for a job another "
            + "delivery owns, and the handler counts as overdue (it holds a permit) until it returns")
    void timeoutAfterALostLeaseRecordsNothing() throws Exception {
        var losing = new LosingLeases(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(losing, 1, Duration.ofSeconds(5));
        var release = new CountDownLatch(1);
        var returned = new CountDownLatch(1);
        // Past the heartbeat that loses the lease (a third of the 300 ms lease) by more than a loaded machine delays it:
        // at 500 ms, a heartbeat 400 ms late let the timeout come first, which failed the attempt (Failed, fail()).
        Duration timeout = Duration.ofSeconds(2);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                awaitCancelledIgnoringInterrupts(ctx);
                while (release.getCount() > 0) { // runs on past its timeout, ignoring interrupts
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        // on purpose
                    }
                }
            } finally {
                returned.countDown();
            }
        });
        jobs.start();
        // Its memory lease runs out while it blocks, so later deliveries come: attempts enough that none is dead.
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().timeout(timeout).maxAttempts(20).build());

        var runtime = (JobQueueRuntime) jobs;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> runtime.overdueHandlers() == 1);
        release.countDown();
        assertThat(returned.await(10, TimeUnit.SECONDS)).as("the handler returned").isTrue();
        jobs.close();

        // Before, the timeout failed the lost delivery: Failed or Dead announced, a failure counted, fail() called.
        assertThat(fixture.events.all(JobEvent.class)).as("an outcome of the attempt whose lease was lost")
                .noneMatch(e -> e instanceof JobEvent.Completed || e instanceof JobEvent.Failed
                        || e instanceof JobEvent.Dead);
        assertThat(jobs.stats("default").failed()).as("failed").isZero();
        assertThat(losing.settles()).as("acknowledge or fail calls for the lost delivery").isZero();
    }

    /** Waits until the attempt is cancelled (its lease lost), swallowing the interrupt that comes with it. */
    private static void awaitCancelledIgnoringInterrupts(dev.jobq.JobContext ctx) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    Thread.interrupted();
                    return ctx.isCancelled();
                });
        Thread.interrupted();
    }

    private static final class LosingLeases extends ForwardingQueueProvider {

        private final AtomicInteger heartbeats = new AtomicInteger();
        private final AtomicInteger settles = new AtomicInteger();

        LosingLeases(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            heartbeats.incrementAndGet();
            throw new LeaseLostException("job " + job.jobId() + " lost its lease", new IllegalStateException("gone"));
        }

        @Override
        public void acknowledge(ReceivedJob job) {
            settles.incrementAndGet();
            super.acknowledge(job);
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            settles.incrementAndGet();
            super.fail(job, failure);
        }

        int settles() {
            return settles.get();
        }

        int heartbeats() {
            return heartbeats.get();
        }
    }
}

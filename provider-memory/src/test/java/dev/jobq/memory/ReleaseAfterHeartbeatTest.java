package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Failure;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §7: the graceful shutdown releases unfinished jobs "so none is lost, none waits out a lease", and
 * docs/semantics.md: a heartbeat already under way finishes before the attempt is released, never beside it. A
 * heartbeat on the wire as close() released its job (on SQS a ChangeMessageVisibility to the whole lease) reached a
 * provider that does not serialize the two itself after the release, and hid the released job for a whole lease.
 */
class ReleaseAfterHeartbeatTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("close() releases a running job only once its heartbeat under way has returned, and no heartbeat "
            + "starts after the release")
    void theReleaseComesAfterTheHeartbeatUnderWay() throws Exception {
        // The heartbeat is held until close() begins, then a second: held a second from its own start, it returned
        // before a close() a second late had begun, the next heartbeat began, and the order seen was not the one
        // checked. Heartbeats are timed from the previous one's start: with a 15 s lease (every 5 s) the next begins
        // about 4 s after the held one returns, so the order checked holds for a release up to about 4 s late (with
        // 6 s, every 2 s, about 1 s), and the lease the held one extends as it returns runs 15 s past that.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "15s"));
        var provider = new HeldHeartbeat(memory);
        provider.holdUntilGoOn = true;
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofMillis(100));
        String id = runUntilAHeartbeatIsHeld(jobs, provider);

        provider.goOn.countDown();
        jobs.close();

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> provider.calls.contains("extendLease returns"));
        assertThat(provider.calls).as("the calls the provider saw from the heartbeat under way on")
                .containsExactly("extendLease begins", "extendLease returns", "release");
        assertThat(memory.receive(1, Duration.ZERO)).as("the released job, received again at once")
                .extracting(ReceivedJob::jobId).containsExactly(id);
    }

    @Test
    @DisplayName("a heartbeat that hangs in the provider holds the release back for a bounded time only: the job is "
            + "still released, and close() returns within its deadlines")
    void aHeartbeatThatHangsDoesNotHoldTheReleaseForEver() throws Exception {
        // A 9 s lease (heartbeats every 3 s): the held one's lease ends 6 s after it began, past the release (about
        // 2.6 s after it). With 3 s, the lease ended first, and the job was received again though no release came.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "9s"));
        var provider = new HeldHeartbeat(memory);
        provider.holdFor = Duration.ofSeconds(30); // far past the release's wait for it
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofMillis(100));
        String id = runUntilAHeartbeatIsHeld(jobs, provider);

        long closing = System.nanoTime();
        jobs.close();

        assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("how long close() took")
                .isLessThan(Duration.ofSeconds(5));
        // the release let the held heartbeat go on, so its return may follow
        assertThat(provider.calls.subList(0, 2)).as("the calls the provider saw from the heartbeat under way on")
                .containsExactly("extendLease begins", "release");
        assertThat(provider.calls).as("heartbeats begun").filteredOn("extendLease begins"::equals).hasSize(1);
        assertThat(memory.receive(1, Duration.ZERO)).as("the released job, received again at once")
                .extracting(ReceivedJob::jobId).containsExactly(id);
    }

    @Test
    @DisplayName("a timed-out attempt's retry is handed to the provider only once its heartbeat under way has returned")
    void aTimeOutsRetryComesAfterTheHeartbeatUnderWay() throws Exception {
        // Heartbeats every 5 s (a 15 s lease), timed from the previous one's start; the first, held 2.4 s, is under way
        // from 5 s to 7.4 s, and the timeout (6.5 s) falls in it: a heartbeat up to 1.5 s late still begins before the
        // timeout and returns within the 2.5 s a retry waits for it, and a timeout up to 3.5 s late still comes before
        // the next heartbeat (10 s), its lease check right after the held one's. With a 6 s lease, a heartbeat held
        // 2 s and a 3 s timeout, the next heartbeat began as the held one returned (4 s): a timeout a second late found
        // it under way. With a 3 s lease, a heartbeat held 1 s and a 1.7 s timeout, a timeout 350 ms late did.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "15s"));
        var provider = new HeldHeartbeat(memory);
        provider.holdFor = Duration.ofMillis(2400);
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var started = new CountDownLatch(1);
        jobs.registerJobHandler("slow-once", Integer.class, (n, ctx) -> {
            if (ctx.attempt() == 1) {
                started.countDown();
                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until its timeout interrupts it
            }
        });
        jobs.start();
        // heartbeats every 5 s (a third of the lease); the first one is held across the timeout
        jobs.enqueue("slow-once", 1, EnqueueOptions.builder().timeout(Duration.ofMillis(6500)).maxAttempts(2).build());
        assertThat(started.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        provider.holdOne();

        fixture.events.awaitCount(JobEvent.Completed.class, 1);

        // the second extension: the retry's check that the lease is still held, before its Failed (semantics.md)
        assertThat(provider.calls).as("the calls the provider saw from the heartbeat under way on")
                .containsExactly("extendLease begins", "extendLease returns", "extendLease begins",
                        "extendLease returns", "fail");
    }

    @Test
    @DisplayName("a handler's own failure is handed to the provider only once its heartbeat under way has returned, "
            + "its retry as its dead letter")
    void aHandlersFailureComesAfterTheHeartbeatUnderWay() throws Exception {
        // As for close() above: the heartbeat is held until the handler is let fail, then a second. Held a second from
        // its own start, it returned before a handler a second late had failed, the next heartbeat began, and the order
        // seen was not the one checked. With a 15 s lease (heartbeats every 5 s, timed from the previous one's start)
        // the order checked holds for a failure up to about 4 s late, and the lease the held heartbeat extends as it
        // returns covers a retry about 14 s late. With a 6 s lease, a stall of a few seconds on a loaded machine (a
        // final CI) let the lease run out before the retry's lease check: attempt 1's failure was refused, the job
        // came back by its lease, one fail() was seen.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "15s"));
        var provider = new HeldHeartbeat(memory);
        provider.holdUntilGoOn = true;
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var started = new CountDownLatch(1);
        var heartbeatHeld = new CountDownLatch(1);
        jobs.registerJobHandler("fails", Integer.class, (n, ctx) -> {
            started.countDown();
            if (!heartbeatHeld.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("no heartbeat was held");
            }
            throw new IllegalStateException("attempt " + ctx.attempt() + " fails");
        });
        jobs.start();
        jobs.enqueue("fails", 1, EnqueueOptions.builder().maxAttempts(2).build());
        assertThat(started.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        provider.holdOne(); // its second attempt's heartbeats are not held: held is counted down for good
        provider.goOn.countDown();
        heartbeatHeld.countDown();

        fixture.events.awaitCount(JobEvent.Dead.class, 1);

        // the second extension: the retry's check that the lease is still held, before its Failed (semantics.md)
        assertThat(provider.calls).as("the calls the provider saw from the heartbeat under way on")
                .containsExactly("extendLease begins", "extendLease returns", "extendLease begins",
                        "extendLease returns", "fail", "fail");
    }

    @Test
    @DisplayName("a heartbeat that hangs in the provider holds a handler's retry back for a bounded time only, and the "
            + "retry's lease check is then left out: the job is retried and completes")
    void aHeartbeatThatHangsDoesNotHoldARetryForEver() throws Exception {
        // A 12 s lease (heartbeats every 4 s): the first delivery's lease ends 12 s after its receive at the earliest,
        // and the retry (the held heartbeat's start, then the failure's 2.5 s wait for it) starts well before that.
        // With 3 s, the retry came after the lease had ended, and the job came back because the lease ran out: a fail()
        // that did nothing passed.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "12s"));
        var provider = new HeldHeartbeat(memory);
        provider.holdFor = Duration.ofSeconds(30); // far past the retry's wait for it
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var started = new CountDownLatch(1);
        var heartbeatHeld = new CountDownLatch(1);
        var retried = new AtomicLong();
        jobs.registerJobHandler("fails-once", Integer.class, (n, ctx) -> {
            if (ctx.attempt() > 1) {
                retried.set(System.nanoTime());
            } else {
                started.countDown();
                if (!heartbeatHeld.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("no heartbeat was held");
                }
                throw new IllegalStateException("attempt 1 fails");
            }
        });
        jobs.start();
        long began = System.nanoTime();
        jobs.enqueue("fails-once", 1, EnqueueOptions.builder().maxAttempts(2).build());
        assertThat(started.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        provider.holdOne();
        heartbeatHeld.countDown();

        fixture.events.awaitCount(JobEvent.Completed.class, 1);

        assertThat(Duration.ofNanos(retried.get() - began)).as("from the enqueue to the retry's start, within the "
                + "first delivery's lease: the retry came from the fail(), not from the lease running out")
                .isLessThan(Duration.ofSeconds(12));
        assertThat(provider.calls.subList(0, 2)).as("the calls the provider saw from the heartbeat under way on")
                .containsExactly("extendLease begins", "fail");
    }

    /** Runs job "long", whose handler blocks until interrupted, and returns its id once a heartbeat of it is held. */
    private static String runUntilAHeartbeatIsHeld(JobQueue jobs, HeldHeartbeat provider) throws InterruptedException {
        var started = new CountDownLatch(1);
        jobs.registerJobHandler("long", Integer.class, (n, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until close() interrupts it
        });
        jobs.start();
        String id = jobs.enqueue("long", 1);
        assertThat(started.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        provider.holdOne();
        return id;
    }

    /**
     * Holds the heartbeat under way once {@link #hold} is set, as the network holds one, until the job is released
     * failed, or {@link #holdFor} passed; records the calls from then on.
     */
    private static final class HeldHeartbeat extends ForwardingQueueProvider {

        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        volatile boolean hold;
        /** How long a held heartbeat waits for the release before it goes on. */
        volatile Duration holdFor = Duration.ofSeconds(1);
        /**
         * Set: a held heartbeat first waits for {@link #goOn} (the test's next step: close(), the handler's failure),
         * and counts {@link #holdFor} from there, however late that step comes.
         */
        volatile boolean holdUntilGoOn;
        final CountDownLatch goOn = new CountDownLatch(1);

        /** Holds the next heartbeat, and waits until one is under way. */
        void holdOne() throws InterruptedException {
            hold = true;
            assertThat(held.await(10, TimeUnit.SECONDS)).as("a heartbeat is under way").isTrue();
        }

        HeldHeartbeat(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            if (!hold) {
                super.extendLease(job, extension);
                return;
            }
            calls.add("extendLease begins");
            held.countDown();
            try {
                if (holdUntilGoOn) {
                    goOn.await(30, TimeUnit.SECONDS);
                }
                released.await(holdFor.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                super.extendLease(job, extension);
            } finally {
                calls.add("extendLease returns");
            }
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            calls.add("fail");
            released.countDown();
            super.fail(job, failure);
        }

        @Override
        public void release(ReceivedJob job) {
            calls.add("release");
            released.countDown();
            super.release(job);
        }
    }
}

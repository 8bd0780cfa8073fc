package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * close() called on a thread that is interrupted: before the call (the caller restored the flag after catching an
 * InterruptedException, and closes in a finally block), or while close() waits (docs/semantics.md#shutdown).
 */
class InterruptedCloseTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();
    private final EventRecorder events = fixture.events;
    private final CountDownLatch finish = new CountDownLatch(1);

    @AfterEach
    void closeAll() throws Exception {
        finish.countDown();
        fixture.close();
    }

    /** A provider that says when it is closed, and whose release waits (bounded) for that, recording it. */
    static final class WatchedProvider extends ForwardingQueueProvider {
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch releasing = new CountDownLatch(1);
        final AtomicBoolean closedUnderARelease = new AtomicBoolean();

        WatchedProvider(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void release(ReceivedJob job) {
            releasing.countDown();
            try {
                // A release on the wire (an SQS call): the provider must not be closed before it returns.
                closedUnderARelease.set(closed.await(2, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.release(job);
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private JobQueue queue(QueueProvider provider, Duration shutdownTimeout) {
        JobQueue jobs = fixture.closeLater(JobQueue.builder().provider(provider).concurrency(1)
                .shutdownTimeout(shutdownTimeout).listener(events).build());
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> {
            if (!finish.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never told to finish");
            }
        });
        jobs.start();
        jobs.enqueue("work", new Work(1));
        events.awaitCount(JobEvent.Started.class, 1);
        return jobs;
    }

    private static boolean pollLoopRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("jobq-poll-default"));
    }

    @Test
    @DisplayName("close() on a thread interrupted before the call still lets running handlers finish, and leaves "
            + "the flag set")
    void closeOnAnInterruptedThreadStillDrains() throws Exception {
        JobQueue jobs = queue(new KeepOpen(fixture.memoryProvider(Map.of())), Duration.ofSeconds(15));
        var flagAfterClose = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt(); // restored by a catch of InterruptedException, then close() in finally
            jobs.close();
            flagAfterClose.set(Thread.currentThread().isInterrupted());
        });
        await().atMost(EventRecorder.WAIT).until(() -> !pollLoopRuns()); // close() began: receiving stopped

        // Before, every wait of the drain returned at once on the flag: the handler was cancelled and its job released
        // at once, not finished.
        assertThat(events.all(JobEvent.Released.class)).isEmpty();
        assertThat(closer.isAlive()).as("close() waits for the running handler").isTrue();
        finish.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(closer.isAlive()).isFalse();
        assertThat(events.all(JobEvent.Completed.class)).hasSize(1);
        assertThat(events.all(JobEvent.Released.class)).isEmpty();
        assertThat(flagAfterClose).as("the caller's interrupt is left as it was").isTrue();
    }

    @Test
    @DisplayName("an interrupt while close() drains cuts the drain short, but the release of the cancelled job is "
            + "still waited for before the provider is closed")
    void interruptDuringTheDrainStillWaitsForTheReleases() throws Exception {
        var provider = new WatchedProvider(fixture.memoryProvider(Map.of()));
        JobQueue jobs = queue(provider, Duration.ofSeconds(15));
        var flagAfterClose = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            jobs.close();
            flagAfterClose.set(Thread.currentThread().isInterrupted());
        });
        await().atMost(EventRecorder.WAIT).until(() -> !pollLoopRuns()); // close() began: receiving stopped
        closer.interrupt(); // an impatient caller: don't wait out shutdownTimeout

        assertThat(provider.releasing.await(10, TimeUnit.SECONDS)).as("the running job is released at once").isTrue();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(closer.isAlive()).isFalse();
        // Before, close() stopped waiting for the release at the interrupt and closed the provider under it: on SQS
        // the release failed on the closed client and the job waited out its visibility timeout.
        assertThat(provider.closedUnderARelease).as("the provider was closed while the release was under way").isFalse();
        assertThat(events.all(JobEvent.Released.class)).hasSize(1);
        assertThat(flagAfterClose).as("the interrupt is left set").isTrue();
    }

    @Test
    @DisplayName("a second close() on an interrupted thread, while the first drains, returns when that shutdown has "
            + "ended, with its flag left set")
    void secondCloseOnAnInterruptedThreadWaitsForTheFirst() throws Exception {
        JobQueue jobs = queue(new KeepOpen(fixture.memoryProvider(Map.of())), Duration.ofSeconds(15));
        Thread first = Thread.ofPlatform().start(jobs::close);
        await().atMost(EventRecorder.WAIT).until(() -> !pollLoopRuns()); // the first close() began
        var secondReturned = new CountDownLatch(1);
        var flagAfterClose = new AtomicBoolean();
        Thread second = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            jobs.close();
            flagAfterClose.set(Thread.currentThread().isInterrupted());
            secondReturned.countDown();
        });

        // Before, it returned at once: its caller went on to close what the draining handler still used.
        assertThat(secondReturned.await(1, TimeUnit.SECONDS)).as("the second close() returned during the drain")
                .isFalse();
        finish.countDown();
        first.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(secondReturned.await(20, TimeUnit.SECONDS)).isTrue();
        second.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(events.all(JobEvent.Completed.class)).hasSize(1);
        assertThat(flagAfterClose).isTrue();
    }

    /** A provider whose first enqueue is a call on the wire: it waits (bounded) until the test lets it finish. */
    static final class SlowFirstEnqueue extends ForwardingQueueProvider {
        final CountDownLatch enqueuing = new CountDownLatch(1);
        final CountDownLatch letFinish = new CountDownLatch(1);

        SlowFirstEnqueue(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public dev.jobq.spi.EnqueueResult enqueue(dev.jobq.spi.JobEnvelope envelope, Duration delay) {
            if (enqueuing.getCount() > 0) {
                enqueuing.countDown();
                try {
                    letFinish.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.enqueue(envelope, delay);
        }
    }

    @Test
    @DisplayName("an interrupt while close() waits for an enqueue call under way does not make that wait a busy loop: "
            + "the flag is taken while it waits, and set again when close() returns")
    void interruptWhileCloseWaitsForAnEnqueueDoesNotSpin() throws Exception {
        var provider = new SlowFirstEnqueue(fixture.memoryProvider(Map.of()));
        JobQueue jobs = fixture.closeLater(JobQueue.builder().provider(provider).shutdownTimeout(Duration.ofSeconds(15))
                .build());
        var enqueued = java.util.concurrent.CompletableFuture.supplyAsync(() -> jobs.enqueue("work", new Work(1)));
        assertThat(provider.enqueuing.await(10, TimeUnit.SECONDS)).as("the enqueue is under way").isTrue();
        var flagAfterClose = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            jobs.close();
            flagAfterClose.set(Thread.currentThread().isInterrupted());
        });
        // A redrive is admitted as an enqueue is: refused once close() waits for the enqueues under way.
        await().atMost(EventRecorder.WAIT).until(() -> {
            try {
                jobs.deadLetters("default").orElseThrow().redrive("none");
                return false;
            } catch (dev.jobq.JobQueueException closing) {
                return true;
            }
        });

        closer.interrupt();

        // Before, every park of the wait returned at once on the flag, which stayed set: close() spun a core until the
        // enqueue ended or shutdownTimeout (30 s by default) passed.
        await().atMost(EventRecorder.WAIT).untilAsserted(() -> assertThat(closer.isInterrupted())
                .as("close()'s thread still holds the interrupt while it waits").isFalse());
        assertThat(closer.isAlive()).as("close() still waits for the enqueue").isTrue();
        provider.letFinish.countDown();
        assertThat(enqueued.get(10, TimeUnit.SECONDS)).isNotBlank();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(closer.isAlive()).isFalse();
        assertThat(flagAfterClose).as("the interrupt is set again when close() returns").isTrue();
    }
}

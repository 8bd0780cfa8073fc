package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * close() waits until every attempt is settled with the provider (docs/semantics.md#shutdown), also one that timed out
 * and whose handler already returned while its failure is still on its way to the provider.
 */
class TimeoutAtCloseTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    /** A provider whose fail() is a call on the wire: it waits (bounded) for the provider's close, and says if it came. */
    static final class SlowToFail extends ForwardingQueueProvider {
        final CountDownLatch failing = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicBoolean closedUnderAFail = new AtomicBoolean();

        SlowToFail(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            failing.countDown();
            try {
                closedUnderAFail.set(closed.await(2, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.fail(job, failure);
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private static boolean handlerThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("jobq-worker-default-"));
    }

    @Test
    @DisplayName("close() waits for the failure of a timed-out attempt whose handler already returned, before it "
            + "closes the provider")
    void closeWaitsForATimedOutAttemptsFailure() {
        var provider = new SlowToFail(fixture.memoryProvider(Map.of()));
        JobQueue jobs = fixture.closeLater(JobQueue.builder().provider(provider).concurrency(1)
                .shutdownTimeout(Duration.ofSeconds(10)).listener(fixture.events).build());
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            new CountDownLatch(1).await(20, TimeUnit.SECONDS); // ends at the timeout's interrupt
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1)
                .build());
        await().atMost(EventRecorder.WAIT).until(() -> provider.failing.getCount() == 0 && !handlerThreadRuns());

        jobs.close();

        // Before, close() looked only at the attempts of running handler threads: it closed the provider under the
        // failure on its way (on SQS the dead-letter copy was not written, and the job came back after its lease to be
        // dead-lettered as "earlier attempts ended without finishing"), and its Dead came after close() returned.
        assertThat(provider.closedUnderAFail).as("the provider was closed while the failure was under way").isFalse();
        assertThat(fixture.events.all(JobEvent.Dead.class)).hasSize(1);
    }

    @Test
    @DisplayName("a timed-out attempt whose failure is still on its way to the provider when shutdownTimeout passes gets "
            + "the cancelled attempts' release wait before the provider is closed, not none")
    void aTimeOutBeingRecordedAsShutdownTimeoutPassesIsWaitedForAsAReleaseIs() {
        var provider = new SlowToFail(fixture.memoryProvider(Map.of()));
        JobQueue jobs = fixture.closeLater(JobQueue.builder().provider(provider).concurrency(1)
                .shutdownTimeout(Duration.ofMillis(200)).listener(fixture.events).build());
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            new CountDownLatch(1).await(20, TimeUnit.SECONDS); // ends at the timeout's interrupt
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1)
                .build());
        await().atMost(EventRecorder.WAIT).until(() -> provider.failing.getCount() == 0);

        jobs.close();

        // Before, the drain gave up on it with shutdownTimeout and its cancel skipped it (its timeout settles it), so
        // close() closed the provider under its fail(): on SQS its dead-letter copy (or its retry) was lost and the job
        // came back after its lease. A timeout firing just after the drain's wait, before its cancel, was the same.
        assertThat(provider.closedUnderAFail).as("the provider was closed while the failure was under way").isFalse();
        assertThat(fixture.events.all(JobEvent.Dead.class)).hasSize(1);
    }

    /** A provider that records its fail() and close() calls, in order. */
    static final class CallOrder extends ForwardingQueueProvider {
        final List<String> calls = new CopyOnWriteArrayList<>();

        CallOrder(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            calls.add("fail");
            super.fail(job, failure);
        }

        @Override
        public void close() {
            calls.add("close");
            super.close();
        }
    }

    @Test
    @DisplayName("close() from a listener of a timed-out attempt's Failed, on the thread recording the timeout, returns at "
            + "once and shuts down in the background: the failure reaches the provider before it is closed")
    void closeFromAListenerOfATimeoutReturnsAtOnce() throws Exception {
        var provider = new CallOrder(fixture.memoryProvider(Map.of()));
        JobQueue jobs = fixture.closeLater(JobQueue.builder().provider(provider).concurrency(1)
                .shutdownTimeout(Duration.ofSeconds(10)).listener(fixture.events).build());
        var closing = new CompletableFuture<List<String>>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Failed) {
                jobs.close();
                closing.complete(List.copyOf(provider.calls));
            }
        });
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            new CountDownLatch(1).await(20, TimeUnit.SECONDS); // ends at the timeout's interrupt
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(2)
                .build());

        // Before, close() ran there and waited for the attempt it was announcing to be settled: shutdownTimeout (10 s)
        // for itself, then it closed the provider, and the failure was told to a closed provider. Told by order, not by
        // how long close() took: the shutdown in the background closes the provider only once this attempt is settled.
        assertThat(closing.get(EventRecorder.WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the provider's calls when close() in the listener returned").doesNotContain("close");
        fixture.events.awaitCount(JobEvent.WorkerStopped.class, 1);
        await().atMost(EventRecorder.WAIT).until(() -> provider.calls.contains("close"));
        assertThat(provider.calls).containsExactly("fail", "close");
    }
}

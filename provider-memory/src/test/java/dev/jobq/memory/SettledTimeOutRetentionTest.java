package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Failure;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A timed-out attempt whose handler returned while its failure was still on its way to the provider is kept by the
 * worker so that close() waits for it; once that failure is recorded, the worker lets it go.
 */
class SettledTimeOutRetentionTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();
    /** What the provider's fail() waits for; counted down at the end, so that no test leaves one waiting. */
    private final CountDownLatch failGoesOn = new CountDownLatch(1);

    @AfterEach
    void closeAll() throws Exception {
        failGoesOn.countDown();
        fixture.close();
    }

    private static boolean handlerThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("jobq-worker-default-"));
    }

    @Test
    @DisplayName("a timed-out attempt whose handler returned before its failure was recorded is not kept once that "
            + "failure is recorded: no later timeout is needed to let it go")
    void aRecordedTimeOutIsNotKept() {
        var failing = new CountDownLatch(1);
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of())) {
            @Override
            public void fail(ReceivedJob job, Failure failure) {
                failing.countDown();
                try {
                    failGoesOn.await(20, TimeUnit.SECONDS); // a call on the wire, until the test lets it go on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.fail(job, failure);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var attempt = new AtomicReference<WeakReference<JobContext>>();
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            attempt.set(new WeakReference<>(ctx));
            new CountDownLatch(1).await(20, TimeUnit.SECONDS); // ends at the timeout's interrupt
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1)
                .build());
        // The handler returned at the timeout's interrupt while the failure is still on its way to the provider.
        await().atMost(EventRecorder.WAIT).until(() -> failing.getCount() == 0 && !handlerThreadRuns());
        failGoesOn.countDown();
        fixture.events.awaitCount(JobEvent.Dead.class, 1);

        // Before, the worker kept the attempt (its job's payload, its handler's context) until the next timeout of a
        // handler that returned first: on a worker where that happened once, for as long as the worker lived.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return attempt.get().get() == null;
        });
    }
}

package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §4, Timeouts: "On timeout the context is cancelled, the thread interrupted, the attempt recorded as
 * failed at once, and its lease no longer extended." A handler that ignores its interrupt runs on past its
 * timeout; its job's lease must not be kept alive for it.
 */
class TimedOutHeartbeatsTest {

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        fixture.close();
    }

    @Test
    @DisplayName("a timed-out handler that ignores its interrupt runs on, but its job's lease is no longer extended "
            + "while a job beside it still gets its heartbeats")
    void aTimedOutAttemptGetsNoMoreHeartbeats() throws Exception {
        var counting = new CountingLeases(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(counting, 2, Duration.ofSeconds(5));
        var stubbornStarted = new CountDownLatch(1);
        jobs.registerJobHandler("stubborn", Integer.class, (n, ctx) -> {
            stubbornStarted.countDown();
            awaitIgnoringInterrupts(release);
        });
        jobs.registerJobHandler("steady", Integer.class, (n, ctx) -> release.await(30, TimeUnit.SECONDS));
        jobs.start();
        String steady = jobs.enqueue("steady", 1, EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        String stubborn = jobs.enqueue("stubborn", 2,
                EnqueueOptions.builder().timeout(Duration.ofSeconds(1)).maxAttempts(1).build());
        assertThat(stubbornStarted.await(10, TimeUnit.SECONDS)).as("the stubborn handler started").isTrue();

        // before its timeout the stubborn job is heartbeaten like any other (the lease is 300 ms, the timeout 1 s)
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counting.heartbeats(stubborn) >= 2);
        JobEvent.Dead dead = fixture.events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(stubborn);
        assertThat(dead.error()).contains("timed out");

        // a heartbeat begun just before the timeout may still land; two of the steady job's later ones bound that
        awaitMoreHeartbeats(counting, steady, 2);
        int atTimeout = counting.heartbeats(stubborn);
        awaitMoreHeartbeats(counting, steady, 3);

        assertThat(stubbornStarted.getCount()).isZero();
        assertThat(release.getCount()).as("the stubborn handler is still running").isOne();
        assertThat(counting.heartbeats(stubborn)).as("heartbeats of the timed-out job while its handler ran on")
                .isEqualTo(atTimeout);
    }

    private static void awaitMoreHeartbeats(CountingLeases counting, String jobId, int more) {
        int from = counting.heartbeats(jobId);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counting.heartbeats(jobId) >= from + more);
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                if (latch.await(30, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts extendLease calls per job id. */
    private static final class CountingLeases extends ForwardingQueueProvider {

        private final Map<String, AtomicInteger> heartbeats = new ConcurrentHashMap<>();

        CountingLeases(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            heartbeats.computeIfAbsent(job.jobId(), id -> new AtomicInteger()).incrementAndGet();
            super.extendLease(job, extension);
        }

        int heartbeats(String jobId) {
            AtomicInteger count = heartbeats.get(jobId);
            return count == null ? 0 : count.get();
        }
    }
}

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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Timeouts against a provider whose {@code fail} hangs (a dead-letter queue out of reach): recording them uses a
 * bounded number of threads, and every handler is still cancelled at its timeout (DESIGN §4).
 */
class TimeoutThreadsTest {

    /** Watchdog.HEARTBEAT_THREADS: the most threads that record one queue's timeouts. */
    private static final int TIMEOUT_THREADS = 64;
    private static final int JOBS = 300;

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch provider = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        provider.countDown();
        fixture.close();
    }

    @Test
    @DisplayName("300 jobs time out together while fail() hangs: at most 64 timeout threads, each handler "
            + "interrupted at its timeout all the same, and every timeout recorded once the provider answers")
    void hungFailsUseBoundedThreads() {
        var hanging = new HangingFails(fixture.memoryProvider(Map.of("leaseDuration", "60s")), provider);
        JobQueue jobs = fixture.queue(hanging, JOBS, Duration.ofSeconds(5));
        var interrupted = new AtomicInteger();
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        });
        jobs.enqueueAll("report:build", IntStream.range(0, JOBS).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(1)).maxAttempts(1).build());
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, JOBS);

        // The handlers are cancelled by the sweep itself, not behind the hung records.
        await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.get() == JOBS);
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.outstanding() >= TIMEOUT_THREADS);
        // Before, a platform thread per timeout: 300 of them, each waiting in fail().
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> timeoutThreads() <= TIMEOUT_THREADS);
        assertThat(hanging.outstanding()).as("fail() calls under way").isEqualTo(TIMEOUT_THREADS);

        provider.countDown();
        assertThat(fixture.events.awaitCount(JobEvent.Dead.class, JOBS)).as("every timeout recorded")
                .hasSize(JOBS).allSatisfy(dead -> assertThat(dead.error()).contains("timed out"));
    }

    private static long timeoutThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jobq-timeout-") && t.isAlive()).count();
    }

    /** A provider whose fail waits for {@code gate}. */
    private static final class HangingFails extends ForwardingQueueProvider {

        private final CountDownLatch gate;
        private final AtomicInteger outstanding = new AtomicInteger();

        HangingFails(QueueProvider delegate, CountDownLatch gate) {
            super(delegate);
            this.gate = gate;
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            outstanding.incrementAndGet();
            try {
                TestGate.pass(gate);
            } finally {
                outstanding.decrementAndGet();
            }
            super.fail(job, failure);
        }

        int outstanding() {
            return outstanding.get();
        }
    }
}

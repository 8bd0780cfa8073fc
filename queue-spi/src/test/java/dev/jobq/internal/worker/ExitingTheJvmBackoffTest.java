package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.Backoff;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.internal.runtime.EventBus;
import dev.jobq.internal.runtime.HandlerRegistry;
import dev.jobq.internal.runtime.QueueCounters;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A handler that called System.exit is failed at shutdown ({@link AttemptRun#failExitingTheJvm}) on a release thread,
 * which asks the job's backoff: user code that may block (I/O, a lock). The attempt's lease must be kept meanwhile,
 * as for a handler's failure and a timeout's, or it runs out and the job runs again while its failure still waits.
 */
class ExitingTheJvmBackoffTest {

    @Test
    @DisplayName("a backoff that blocks while a System.exit's failure is recorded: the attempt's heartbeats go on")
    void aBackoffThatBlocksAtTheExitKeepsTheLease() throws Exception {
        var extensions = new AtomicInteger();
        var handlerIn = new CountDownLatch(1);
        var handlerEnds = new CountDownLatch(1);
        var inBackoff = new CountDownLatch(1);
        var backoffGoesOn = new CountDownLatch(1);
        var provider = new CountingProvider(extensions);
        var handlers = new HandlerRegistry();
        Backoff blocking = failedAttempt -> {
            inBackoff.countDown();
            try {
                backoffGoesOn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
            return Duration.ZERO;
        };
        handlers.registering(new ObjectMapper()).registerJobHandler("test", Object.class, (job, ctx) -> {
            handlerIn.countDown();
            // As a thread inside System.exit: it never returns to the worker's interrupt
            while (true) {
                try {
                    if (handlerEnds.await(30, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException ignored) {
                    // the shutdown's cancel
                }
            }
        }, blocking);
        var env = new RunEnvironment(handlers, new EventBus(List.of()), Clock.systemUTC(), Backoff.defaultBackoff(),
                null);
        var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-1", "test", "null",
                JobOptions.defaults(), 0, Instant.EPOCH, null, null);
        var delivery = new ReceivedJob(envelope, 1, "receipt-1", Duration.ofMillis(300));
        var run = new AttemptRun(new QueueBinding("default", provider, new QueueCounters()), delivery, env, () -> { },
                null, new AttemptRun.WorkerSide() {
                    @Override
                    public boolean stopping() {
                        return false;
                    }

                    @Override
                    public void endedWithoutOutcome() {
                    }

                    @Override
                    public void endedWithOutcome() {
                    }
                });
        var watchdog = new Watchdog("default", List.of("default"), () -> List.of(run), now -> { }, 1);
        Thread handler = Thread.ofVirtual().start(run);
        Thread failing = null;
        try {
            watchdog.start();
            assertThat(handlerIn.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
            assertThat(run.cancelForShutdown()).as("cancelled at shutdown").isTrue();
            failing = Thread.ofVirtual().start(run::failExitingTheJvm);
            assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the backoff was asked").isTrue();
            int before = extensions.get();

            // Heartbeats every 100 ms: three over a second and more while the backoff blocks
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(extensions.get() - before)
                    .as("lease extensions while the backoff blocks").isGreaterThanOrEqualTo(3));

            backoffGoesOn.countDown();
            assertThat(failing.join(Duration.ofSeconds(10))).as("the failure recorded").isTrue();
            assertThat(provider.failures).singleElement().isInstanceOf(Failure.RetryAfter.class);
        } finally {
            backoffGoesOn.countDown();
            handlerEnds.countDown();
            watchdog.close();
            handler.join(Duration.ofSeconds(10));
            if (failing != null) {
                failing.join(Duration.ofSeconds(10));
            }
        }
    }

    /** Counts lease extensions and keeps the failures it is told; holds no job. */
    private static final class CountingProvider implements QueueProvider {
        final List<Failure> failures = new CopyOnWriteArrayList<>();
        private final AtomicInteger extensions;

        CountingProvider(AtomicInteger extensions) {
            this.extensions = extensions;
        }

        @Override
        public Capabilities capabilities() {
            return new Capabilities(Duration.ZERO, 1024, EnumSet.noneOf(dev.jobq.spi.Feature.class), 1);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            return List.of();
        }

        @Override
        public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void acknowledge(ReceivedJob job) {
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            failures.add(failure);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            extensions.incrementAndGet();
        }

        @Override
        public void release(ReceivedJob job) {
        }

        @Override
        public Optional<JobInfo> getJob(String jobId) {
            return Optional.empty();
        }

        @Override
        public ProviderStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}

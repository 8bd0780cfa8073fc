package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Failure;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The message of a provider's {@link LeaseLostException} is a third party's text, which the SPI does not bound: a
 * provider's line break, ESC or 100,000 characters in it reach each WARN that repeats it as one line of at most
 * {@code LoggableThrowables.MAX_MESSAGE_CHARS} characters, escaped, as a handler's message does.
 */
class LeaseLostMessageTest {

    /** What a provider's lease-lost message says before its 100,000 characters: a forged log line and a colour. */
    private static final String PREFIX = "lease gone\n22:00:00.000 [main] INFO  dev.jobq - job 7 completed \u001b[31m";
    private static final String MESSAGE = PREFIX + "x".repeat(100_000);
    /** How each WARN shows it: escaped, cut after its first 1,000 characters, the rest counted. */
    private static final String SHOWN = "lease gone\\n22:00:00.000 [main] INFO  dev.jobq - job 7 completed \\u001b[31m"
            + "x".repeat(1000 - PREFIX.length()) + "… (" + (MESSAGE.length() - 1000) + " more characters)";

    private final WorkerFixture fixture = new WorkerFixture();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void record() {
        logged.start();
        workerLog.addAppender(logged);
    }

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
        workerLog.detachAppender(logged);
    }

    @Test
    @DisplayName("a heartbeat's lease-lost message with a line break, an ESC and 100,000 characters is one bounded "
            + "line in the WARN that cancels the attempt")
    void heartbeatsLostLeaseMessageIsOneBoundedLine() throws Exception {
        var cancelled = new CountDownLatch(1);
        var provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "300ms"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                throw new LeaseLostException(MESSAGE);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                cancelled.countDown();
            }
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).maxAttempts(20)
                .build());
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the attempt cancelled").isTrue();

        assertOneBoundedLine(awaitWarning("the attempt is cancelled"), "; the attempt is cancelled");
    }

    @Test
    @DisplayName("an acknowledgement refused with such a message: one bounded line in its WARN")
    void refusedAcknowledgementsMessageIsOneBoundedLine() {
        var provider = new ForwardingQueueProvider(longLease()) {
            @Override
            public void acknowledge(ReceivedJob job) {
                throw new LeaseLostException(MESSAGE);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> { });
        jobs.start();
        jobs.enqueue("report:build", 1);

        assertOneBoundedLine(awaitWarning("refused its acknowledgement"), "; not announced or counted");
    }

    @Test
    @DisplayName("a dead-lettering refused with such a message: one bounded line in its WARN")
    void refusedDeadLetteringsMessageIsOneBoundedLine() {
        enqueueOneFailingJob(refusingEachFail(), 1);

        assertOneBoundedLine(awaitWarning("refused its dead-lettering"), "; not announced or counted");
    }

    @Test
    @DisplayName("a retry refused with such a message after its Failed was announced: one bounded line in its WARN")
    void refusedRetrysMessageIsOneBoundedLine() {
        enqueueOneFailingJob(refusingEachFail(), 3);

        assertOneBoundedLine(awaitWarning("refused its retry"), "; its Failed was announced");
    }

    @Test
    @DisplayName("a lease found lost with such a message as a retry is about to be announced: one bounded line in its "
            + "WARN")
    void leaseFoundLostBeforeARetrysMessageIsOneBoundedLine() {
        // The lease lasts 10 minutes: the only extendLease is the one the worker sends before announcing the retry.
        var provider = new ForwardingQueueProvider(longLease()) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                throw new LeaseLostException(MESSAGE);
            }
        };
        enqueueOneFailingJob(provider, 3);

        assertOneBoundedLine(awaitWarning("refused its retry"), "; not announced or counted");
    }

    @Test
    @DisplayName("the lease of a job leased with an acknowledgement found lost with such a message: one bounded line "
            + "in its WARN")
    void nextJobsLostLeaseMessageIsOneBoundedLine() throws Exception {
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var bId = new AtomicReference<String>();
        var provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "1s"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (job.jobId().equals(bId.get()) && job.attempt() == 1) {
                    throw new LeaseLostException(MESSAGE);
                }
                super.extendLease(job, extension);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("step", Integer.class, (n, ctx) -> {
            if (n.payload() == 1) {
                aRunning.countDown();
                aGoesOn.await(20, TimeUnit.SECONDS);
            }
        });
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Completed completed && !completed.jobId().equals(bId.get())) {
                // Slow on A's Completed until a heartbeat found the lease of B, leased with A's acknowledgement, lost.
                await().atMost(Duration.ofSeconds(20)).until(() -> logged.list.stream()
                        .anyMatch(line -> line.getFormattedMessage().contains("it is not run here")));
            }
        });
        jobs.start();
        jobs.enqueue("step", 1);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
        bId.set(jobs.enqueue("step", 2));
        aGoesOn.countDown();

        assertOneBoundedLine(awaitWarning("it is not run here"), "; it is not run here");
    }

    /** A {@link #longLease()} provider whose every {@code fail()} throws a LeaseLostException with {@link #MESSAGE}. */
    private QueueProvider refusingEachFail() {
        return new ForwardingQueueProvider(longLease()) {
            @Override
            public void fail(ReceivedJob job, Failure failure) {
                throw new LeaseLostException(MESSAGE);
            }
        };
    }

    /** Starts a queue on {@code provider} (one permit) and enqueues one job of {@code maxAttempts} whose handler throws. */
    private void enqueueOneFailingJob(QueueProvider provider, int maxAttempts) {
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("no rows");
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(maxAttempts).build());
    }

    /** A memory provider whose lease outlasts each test: no heartbeat is due, no delivery comes back. */
    private QueueProvider longLease() {
        return fixture.memoryProvider(Map.of("leaseDuration", "10m"));
    }

    private String awaitWarning(String containing) {
        await().atMost(EventRecorder.WAIT).until(() -> warnings().stream().anyMatch(line -> line.contains(containing)));
        return warnings().stream().filter(line -> line.contains(containing)).findFirst().orElseThrow();
    }

    private List<String> warnings() {
        return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The provider's message is in {@code warning}, shown escaped and cut, and followed by {@code then}. */
    private static void assertOneBoundedLine(String warning, String then) {
        assertThat(warning).contains(": " + SHOWN + then).doesNotContain("\n", "\r", "\u001b")
                .hasSizeLessThan(2 * 1000);
    }
}

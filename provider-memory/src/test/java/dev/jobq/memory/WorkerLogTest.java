package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the worker logs: about a job's attempts, the job, its type, its queue and the attempt; durations as the config writes them. */
class WorkerLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker");
    private final CapturedLog appender = new CapturedLog();
    private final JobQueue jobs = JobQueue.builder().provider("memory").queue("reports", "memory", Map.of())
            .backoff(Backoff.fixed(Duration.ofMillis(10))).shutdownTimeout(Duration.ofMillis(200)).build();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void close() {
        jobs.close();
        logger.detachAppender(appender);
    }

    @Test
    @DisplayName("the warnings of a failed and a dead attempt name the queue besides the job, its type and attempt")
    void failureWarningsNameTheQueue() throws InterruptedException {
        var announced = failingReportBuildStarted();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().queue("reports").maxAttempts(2).build());
        assertThat(announced.await(10, TimeUnit.SECONDS)).isTrue();

        // Before, "job … (report:build) attempt 1 failed": with several queues, which one was not said.
        assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactly(
                        failed -> assertThat(failed).startsWith("job " + id + " (report:build) on queue 'reports' "
                                + "attempt 1 failed: IllegalStateException: no data; retrying in"),
                        dead -> assertThat(dead).startsWith("job " + id + " (report:build) on queue 'reports' "
                                + "attempt 2 is dead: IllegalStateException: no data"));
    }

    @Test
    @DisplayName("a job failing attempt after attempt logs its stack trace at the first failure and when it is "
            + "dead, one line for the retries in between")
    void stackTracesAtTheFirstFailureAndTheDeadOneOnly() throws InterruptedException {
        var announced = failingReportBuildStarted();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().queue("reports").maxAttempts(4).build());
        assertThat(announced.await(10, TimeUnit.SECONDS)).isTrue();

        // Before, all four warnings carried the same 40-line stack trace.
        assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .satisfiesExactly(
                        first -> assertThat(first.getThrowableProxy()).isNotNull(),
                        second -> assertThat(second.getThrowableProxy()).isNull(),
                        third -> {
                            assertThat(third.getThrowableProxy()).isNull();
                            assertThat(third.getFormattedMessage()).endsWith(" (stack trace at attempt 1's warning)");
                        },
                        dead -> assertThat(dead.getThrowableProxy()).isNotNull());
    }

    @Test
    @DisplayName("the warning that shutdownTimeout passed writes it as the config does (200ms), not as PT0.2S")
    void shutdownWarningWritesTheTimeoutAsTheConfigDoes() throws InterruptedException {
        var started = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the shutdown interrupts it
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.queue("reports"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        jobs.close();

        assertThat(workerWarnings()).containsExactly("jobq worker: shutdownTimeout 200ms passed with handlers still running; released 1 "
                        + "unfinished job(s) for redelivery");
    }

    @Test
    @DisplayName("a handler that ignores its timeout's interrupt is named in one warning, saying where it is stuck, "
            + "what it holds and what to do, and its return is logged")
    void handlerIgnoringItsTimeoutIsNamedInTheLog() {
        var mayReturn = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> ignoreInterruptsUntil(mayReturn));
        jobs.start();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().queue("reports")
                .timeout(Duration.ofMillis(100)).maxAttempts(1).build());
        String warned = "job " + id + " (report:build) on queue 'reports' attempt 1: its handler has not returned";
        try {
            // Before, the timeout's "is dead: timed out after 100ms" was all: nothing said that the handler runs on,
            // holding a permit, nor which job it is, however long it held it.
            await().atMost(Duration.ofSeconds(30)).until(() -> messages(Level.WARN).anyMatch(m -> m.startsWith(warned)));
        } finally {
            mayReturn.countDown();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> messages(Level.INFO).anyMatch(m -> m.startsWith(
                "job " + id + " (report:build) on queue 'reports' attempt 1: its handler, named in a warning as running "
                        + "past its timeout, returned ")));

        assertThat(messages(Level.WARN).filter(m -> m.startsWith(warned)).toList()).singleElement().satisfies(m -> {
            assertThat(m).startsWith(warned + " 5s after its timeout (100ms), whose interrupt it ignores; it is at "
                    + WorkerLogTest.class.getName() + ".ignoreInterruptsUntil(WorkerLogTest.java:");
            assertThat(m).endsWith("its attempt was failed at the timeout and what the handler does now is "
                    + "discarded, but it keeps its thread and one of this worker's 5 permits until it returns: have "
                    + "it stop when interrupted, or call ctx.throwIfCancelled() between steps");
        });
    }

    @Test
    @DisplayName("a handler that ignores the shutdown's interrupt is named when close() returns past it: its job was "
            + "released, and it runs on")
    void handlerIgnoringTheShutdownIsNamedAtClose() throws InterruptedException {
        var started = new CountDownLatch(1);
        var mayReturn = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> {
            started.countDown();
            ignoreInterruptsUntil(mayReturn);
        });
        jobs.start();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().queue("reports")
                .timeout(Duration.ofMinutes(5)).build());
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            jobs.close();
        } finally {
            mayReturn.countDown();
        }

        // Before, "released 1 unfinished job(s) for redelivery" was all: nothing said that its handler ran on in this
        // process, beside the job's next delivery, after close() had returned.
        assertThat(workerWarnings()).anySatisfy(m -> assertThat(m).startsWith("jobq worker: 1 handler(s) still run, ignoring the "
                                + "interrupt, after their attempts ended without them: job " + id + " (report:build) "
                                + "on queue 'reports' attempt 1 (released at shutdown), at " + WorkerLogTest.class.getName()
                                + ".ignoreInterruptsUntil(WorkerLogTest.java:")
                        .endsWith("; close() does not wait for them: their threads run on in this process until they "
                                + "return, what they do then is discarded, and their jobs may run again elsewhere "
                                + "meanwhile: have handlers stop when interrupted, or call ctx.throwIfCancelled() "
                                + "between steps"));
    }

    @Test
    @DisplayName("a handler still running past its timeout, ignoring the interrupt, is named when close() returns past "
            + "it, as one cancelled at shutdown is")
    void handlerRunningPastItsTimeoutIsNamedAtClose() throws InterruptedException {
        var dead = new CountDownLatch(1);
        var mayReturn = new CountDownLatch(1);
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Dead) {
                dead.countDown();
            }
        });
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> ignoreInterruptsUntil(mayReturn));
        jobs.start();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().queue("reports")
                .timeout(Duration.ofMillis(100)).maxAttempts(1).build());
        try {
            assertThat(dead.await(10, TimeUnit.SECONDS)).as("the attempt's timeout made the job dead").isTrue();
            jobs.close();
        } finally {
            mayReturn.countDown();
        }

        // Before, nothing: the timed-out attempt was settled, so close() found nothing to drain or cancel and returned
        // at once, the handler running on in this process, unnamed, while the application closed what it uses.
        assertThat(workerWarnings()).anySatisfy(m -> assertThat(m).startsWith("jobq worker: 1 handler(s) still run, ignoring the "
                        + "interrupt, after their attempts ended without them: job " + id + " (report:build) on queue "
                        + "'reports' attempt 1 (failed at its timeout), at " + WorkerLogTest.class.getName()
                        + ".ignoreInterruptsUntil(WorkerLogTest.java:"));
    }

    /** The WARN lines the worker itself logged, formatted, in order. */
    private List<String> workerWarnings() {
        return appender.list.stream().filter(event -> event.getLoggerName().endsWith(".Worker"))
                .filter(event -> event.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** What a handler stuck in a call that swallows interrupts does. */
    private static void ignoreInterruptsUntil(CountDownLatch latch) {
        while (true) {
            try {
                if (latch.await(30, TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException ignoredOnPurpose) {
                // swallowed, as the handler this stands for does
            }
        }
    }

    private Stream<String> messages(Level level) {
        return appender.list.stream().filter(event -> event.getLevel() == level).map(ILoggingEvent::getFormattedMessage);
    }

    /** Starts the queue with a handler of {@code report:build} that always throws; counts down when a job is dead. */
    private CountDownLatch failingReportBuildStarted() {
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> {
            throw new IllegalStateException("no data");
        });
        var announced = new CountDownLatch(1);
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Dead) {
                announced.countDown(); // after its warning
            }
        });
        jobs.start();
        return announced;
    }
}

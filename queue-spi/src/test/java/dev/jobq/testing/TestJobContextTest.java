package dev.jobq.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobHandler;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TestJobContextTest {

    /** A handler as users write them: it reports progress, logs, and stops between steps once cancelled. */
    private static final JobHandler<Integer> STEPS = (Job<Integer> job, JobContext context) -> {
        for (int step = 1; step <= job.payload(); step++) {
            context.throwIfCancelled();
            context.log("step {} of {} for {}", step, job.payload(), context.traceId().orElse("no trace"));
            context.progress(100 * step / job.payload());
        }
    };

    private final Job<Integer> job = new Job<>("job-7", "steps", 4, 2, JobOptions.defaults(), Instant.EPOCH, null);

    @Test
    void recordsWhatTheHandlerReportedAndLogged() throws Exception {
        var context = TestJobContext.of(job).withTraceId("trace-1");

        STEPS.handle(job, context);

        assertThat(context.jobId()).isEqualTo("job-7");
        assertThat(context.attempt()).isEqualTo(2);
        assertThat(context.progress()).containsExactly(25, 50, 75, 100);
        assertThat(context.logs()).first().isEqualTo("step 1 of 4 for trace-1");
        assertThat(context.logs()).hasSize(4);
    }

    /**
     * A test keeps the context it made and hands the handler a copy with a queue or a trace id: before, each copy
     * recorded into lists of its own, so the context the test held read no logs and no progress, and cancelling it did
     * not stop the handler holding the copy.
     */
    @Test
    void aCopyWithAQueueOrATraceIdRecordsIntoTheContextItWasMadeFrom() throws Exception {
        var context = TestJobContext.of(job);
        var queue = (JobQueue) Proxy.newProxyInstance(JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName()); // the handler enqueues nothing
                });
        JobContext given = context.withQueue(queue).withTraceId("trace-2");

        STEPS.handle(job, given);

        assertThat(context.logs()).as("lines the handler logged through the copy").hasSize(4)
                .first().isEqualTo("step 1 of 4 for trace-2");
        assertThat(context.progress()).as("progress reported through the copy").containsExactly(25, 50, 75, 100);
        context.cancel();
        assertThat(given.isCancelled()).as("the copy, once the context it came from is cancelled").isTrue();
        assertThat(context.traceId()).as("the context the copy came from keeps its own trace id").isEmpty();
    }

    @Test
    void aCancelledAttemptStopsAtTheNextCheck() {
        var context = TestJobContext.of("job-7", 1);
        context.cancel();

        assertThat(context.isCancelled()).isTrue();
        assertThatThrownBy(() -> STEPS.handle(job, context)).isInstanceOf(JobCancelledException.class)
                .hasMessage("job job-7 attempt 1 was cancelled (timed out, the worker is shutting down, or its lease was lost)");
        assertThat(context.progress()).isEmpty();
    }

    @Test
    void cancelLeavesTheHandlersThreadAlone_aTestInterruptsItAsTheWorkerDoes() throws Exception {
        var context = TestJobContext.of("job-7", 1);
        var waiting = new CountDownLatch(1);
        var stopped = new CompletableFuture<String>();
        JobHandler<Integer> waitsForWork = (job, ctx) -> {
            waiting.countDown();
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // never counted down: only an interrupt ends it
                stopped.complete("waited it out");
            } catch (InterruptedException e) {
                stopped.complete(ctx.isCancelled() ? "interrupted, cancelled" : "interrupted, not cancelled");
                throw e;
            }
        };
        Thread handlerThread = Thread.ofVirtual().start(() -> {
            try {
                waitsForWork.handle(job, context);
            } catch (Exception expected) {
                // the InterruptedException, recorded in stopped
            }
        });
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();

        context.cancel();
        assertThat(handlerThread.isInterrupted()).as("cancel() does not interrupt the handler's thread").isFalse();
        handlerThread.interrupt(); // what the worker does with its own handler thread

        assertThat(stopped.get(10, TimeUnit.SECONDS)).isEqualTo("interrupted, cancelled");
        handlerThread.join(Duration.ofSeconds(10));
    }

    @Test
    void logsAreFormattedAsSlf4jFormatsTheLine_aTrailingExceptionIsTheLinesThrowableNotAnArgument() {
        var exception = new java.io.IOException("boom");
        var context = TestJobContext.of(job);
        context.log("retrying {} after {}", 3, exception);
        context.log("sent to {}", "ada@example.com", exception);
        context.log("sent to {}", "ada@example.com");

        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TestJobContextTest.class.getName() + ".lines");
        var lines = new ListAppender<ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        logger.setAdditive(false);
        try {
            logger.info("retrying {} after {}", 3, exception);
            logger.info("sent to {}", "ada@example.com", exception);
            logger.info("sent to {}", "ada@example.com");
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(context.logs()).containsExactlyElementsOf(
                lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void aLineLoggedFromANullMessageIsRecordedAsTheWorkersLogWritesIt() {
        var context = TestJobContext.of(job);
        String message = new IllegalStateException().getMessage(); // null, as many exceptions' messages are

        context.log(message);
        context.log("after it");

        // The worker's log line reads "null"; the other lines are still there to read.
        assertThat(context.logs()).containsExactly("null", "after it");
    }

    @Test
    void keepsTheWorkersRules() {
        var context = TestJobContext.of(job);

        assertThat(context.traceId()).isEmpty();
        assertThatThrownBy(() -> context.progress(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("progress must be between 0 and 100, got 101");
        assertThatThrownBy(() -> TestJobContext.of("job-7", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt is 1-based, got 0");
    }
}

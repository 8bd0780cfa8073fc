package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.HandlerOptions;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An in-process worker's start warns of handlers whose type's queue it does not work, as {@code jobq run} does. */
class UnworkedHandlerQueueTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final CapturedLog appender = new CapturedLog();
    private final JobQueue jobs = JobQueue.builder().provider("memory")
            .queue("reports", "memory", Map.of()).queue("mail", "memory", Map.of())
            .workerQueues("default", "mail").shutdownTimeout(Duration.ofMillis(200)).build();

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
    @DisplayName("start() logs a WARN naming a handler whose queue the worker does not work, that queue, the queues "
            + "it works and the fix; a handler on a worked queue, or naming none, is not named")
    void startWarnsOfAHandlerWhoseQueueTheWorkerDoesNotWork() {
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> { }, HandlerOptions.defaults().queue("reports"));
        jobs.registerJobHandler("report:mail", String.class, (job, ctx) -> { }, HandlerOptions.defaults().queue("mail"));
        jobs.registerJobHandler("ping", String.class, (job, ctx) -> { });

        jobs.start();

        // Before, only `jobq run` said it: an application's own worker left report:build's jobs waiting unseen.
        assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("jobq worker has handlers for report:build (queue reports) but works only [default, mail]: "
                        + "jobs sent there (enqueued, or fired by the scheduler) wait until a worker that works "
                        + "reports takes them; if no other worker does, add reports to worker.queues (or the "
                        + "builder's workerQueues)");
    }

    @Test
    @DisplayName("the WARN writes a queue name and a job type with a bidirectional override (U+202E) escaped: raw, "
            + "it showed the rest of the line reversed")
    void theWarningEscapesABidiOverrideInAQueueNameAndAType() {
        try (JobQueue bidi = JobQueue.builder().provider("memory")
                .queue("rep\u202eorts", "memory", Map.of()).queue("ma\u202eil", "memory", Map.of())
                .workerQueues("default", "ma\u202eil").shutdownTimeout(Duration.ofMillis(200)).build()) {
            bidi.registerJobHandler("report:\u202ebuild", String.class, (job, ctx) -> { },
                    HandlerOptions.defaults().queue("rep\u202eorts"));

            bidi.start();

            assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("jobq worker has handlers for report:\\u202ebuild (queue rep\\u202eorts) but "
                            + "works only [default, ma\\u202eil]: jobs sent there (enqueued, or fired by the scheduler) "
                            + "wait until a worker that works rep\\u202eorts takes them; if no other worker does, add "
                            + "rep\\u202eorts to worker.queues (or the builder's workerQueues)");
        }
    }

    @Test
    @DisplayName("a worker that works every queue its handlers name warns of none")
    void noWarningWhenTheWorkerWorksEveryHandlersQueue() {
        jobs.registerJobHandler("report:mail", String.class, (job, ctx) -> { }, HandlerOptions.defaults().queue("mail"));
        jobs.registerJobHandler("ping", String.class, (job, ctx) -> { });

        jobs.start();

        assertThat(appender.list).filteredOn(event -> event.getLevel() == Level.WARN).isEmpty();
    }
}

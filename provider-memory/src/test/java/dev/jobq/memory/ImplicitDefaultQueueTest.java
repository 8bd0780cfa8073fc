package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A "default" queue nobody configured is in memory; beside named queues on another provider (SQS in
 * production) a plain enqueue would stay in the process, so building such a queue warns.
 */
class ImplicitDefaultQueueTest {

    /** A provider type other than memory (its queues are memory queues underneath). */
    public static final class ElsewhereProviderFactory implements QueueProviderFactory {

        @Override
        public String type() {
            return "elsewhere";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            return MemoryProviderFactory.builder().clock(context.clock()).build();
        }
    }

    @TempDir
    Path dir;

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.jobq.internal.runtime");
    private final CapturedLog appender = new CapturedLog();
    private final ClassLoader withElsewhere = new URLClassLoader(new URL[] {Objects.requireNonNull(
            getClass().getResource("/elsewhere-provider/"))}, getClass().getClassLoader());

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
    }

    private List<String> warnings() {
        return appender.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    @DisplayName("named queues on another provider and no default provider: a warning that plain enqueues stay "
            + "in this process, with the fix")
    void warnsWhenOnlyTheUnconfiguredDefaultQueueIsInMemory() {
        try (JobQueue jobs = JobQueue.builder().classLoader(withElsewhere).queue("jobs", "elsewhere", Map.of())
                .environment(Map.of()).build()) {
            assertThat(jobs.queueNames()).containsExactly("default", "jobs");
        }

        assertThat(warnings()).containsExactly("jobq: no 'provider:' section, so the \"default\" queue is in memory, "
                + "while 'jobs' (elsewhere) is not: a job enqueued without EnqueueOptions.queue(...) waits in this "
                + "process only and is lost when it ends; configure the default queue under 'provider:' (or "
                + "JobQueue.builder().provider(...)), or write 'provider: {type: memory}' to keep it in memory "
                + "without this warning");
    }

    @Test
    @DisplayName("the warning writes a queue name with a bidirectional override (U+202E) escaped: raw, it showed the "
            + "rest of the line reversed")
    void theWarningEscapesABidiOverrideInAQueueName() {
        try (JobQueue jobs = JobQueue.builder().classLoader(withElsewhere).queue("rep\u202eorts", "elsewhere", Map.of())
                .environment(Map.of()).build()) {
            assertThat(jobs.queueNames()).containsExactly("default", "rep\u202eorts");
        }

        assertThat(warnings()).singleElement().asString().startsWith("jobq: no 'provider:' section, so the "
                + "\"default\" queue is in memory, while 'rep\\u202eorts' (elsewhere) is not: ");
    }

    @Test
    @DisplayName("the same from a jobq.yaml with only queues: on another provider")
    void warnsForAFileWithoutProvider() throws IOException {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "queues:\n  jobs:\n    type: elsewhere\n");
        try (JobQueue jobs = JobQueue.builder().classLoader(withElsewhere).config(file).environment(Map.of()).build()) {
            assertThat(jobs.queueNames()).containsExactly("default", "jobs");
        }

        assertThat(warnings()).singleElement().asString().startsWith("jobq: no 'provider:' section, so the "
                + "\"default\" queue is in memory, while 'jobs' (elsewhere) is not");
    }

    @Test
    @DisplayName("no warning when the default queue is configured, even in memory, or when every queue is in memory")
    void quietWhenTheDefaultQueueIsChosenOrAllQueuesAreInMemory() {
        try (JobQueue chosen = JobQueue.builder().classLoader(withElsewhere).provider("memory")
                .queue("jobs", "elsewhere", Map.of()).environment(Map.of()).build();
             JobQueue allInMemory = JobQueue.builder().classLoader(withElsewhere).queue("reports", "memory", Map.of())
                     .environment(Map.of()).build()) {
            assertThat(chosen.queueNames()).containsExactly("default", "jobs");
            assertThat(allInMemory.queueNames()).containsExactly("default", "reports");
        }

        assertThat(warnings()).isEmpty();
    }
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.Backoff;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A JobQueue on SQS (ElasticMQ) with the JDBC scheduler (H2) built, used and closed again and again in one
 * JVM, as a test suite or a Spring context refresh does: after each close no jobq thread is left, and the
 * provider's two SDK clients (the long polls have their own) leave no socket or SDK thread.
 */
@DisplayName("SQS provider: nothing left behind after close(), cycle after cycle (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated("counts the JVM's threads and sockets")
class SqsLifecycleLeakTest {

    private static final int CYCLES = 6;
    private static final Duration WAIT = Duration.ofSeconds(30);

    static List<String> jobqThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("jobq") || name.contains("jobq-scheduler")).sorted().toList();
    }

    /** The AWS SDK's platform threads (its clients' schedulers, connection reapers), the test's own client's too. */
    static long sdkThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("sdk-") || t.getName().contains("connection-reaper")).count();
    }

    /** Sockets this JVM holds open: ElasticMQ's ends too, which close when the client's do. */
    static long sockets() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listed
                }
            }).count();
        }
    }

    private static void cycle(Map<String, Object> settings, int n) throws InterruptedException {
        var done = new CountDownLatch(2);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("sqs", settings).backoff(Backoff.none())
                .concurrency(2).pollInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5))
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:jobq-sqs-lifecycle;DB_CLOSE_DELAY=-1",
                        "pollInterval", "200ms"))
                .listener(e -> {
                    if (e instanceof JobEvent.Completed) {
                        done.countDown();
                    }
                }).build();
        try {
            jobs.registerJobHandler("report", String.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("report", "now " + n);
            jobs.scheduler().schedule("report", "held " + n, Instant.now());
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both jobs ran").isTrue();
        } finally {
            jobs.close();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after close()").isEmpty());
    }

    @Test
    void closeLeavesNoThreadAndNoSocket() throws Exception {
        Map<String, Object> settings = ElasticMq.settings(ElasticMq.newQueues("lifecycle", false),
                Map.of("visibilityTimeout", "5s"));
        cycle(settings, 0); // classes loaded, the test's own client connected
        long before = sockets();
        long sdkBefore = sdkThreads();
        for (int i = 1; i <= CYCLES; i++) {
            cycle(settings, i);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(sockets()).as("sockets after %d more cycles (%d after the "
                + "first)", CYCLES, before).isLessThanOrEqualTo(before));
        await().atMost(WAIT).untilAsserted(() -> assertThat(sdkThreads()).as("AWS SDK threads after %d more cycles",
                CYCLES).isLessThanOrEqualTo(sdkBefore));
    }
}

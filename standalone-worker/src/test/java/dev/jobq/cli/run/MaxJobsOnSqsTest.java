package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.ManualStop;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.examples.EmailHandler;
import dev.jobq.localsqs.LocalSqs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code jobq run --max-jobs N} on SQS (ElasticMQ in this JVM): N counts the jobs this worker ran, not the
 * messages its provider ends on its own (an unreadable body it dead-letters without running anything).
 */
class MaxJobsOnSqsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LocalSqs sqs;

    @TempDir
    Path dir;

    private final ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger completed = new AtomicInteger();
    private final ManualStop stop = new ManualStop();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startSqs() {
        sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0);
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
    }

    @AfterEach
    void stopWorker() {
        stop.requestStop();
        runner.close();
    }

    @Test
    @DisplayName("--max-jobs 5: three unreadable messages the provider dead-letters on its own do not count; the "
            + "worker runs five jobs of its own before it stops, and the other five still wait")
    void messagesTheProviderEndsOnItsOwnDoNotCount() throws Exception {
        LocalSqs.Queues queues = sqs.createQueues("max-jobs-" + UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            sqs.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("not a job"));
        }
        Map<String, Object> provider = new java.util.LinkedHashMap<>(sqs.connectionSettings());
        provider.put("queueUrl", queues.url());
        provider.put("deadLetterQueueUrl", queues.deadLetterUrl());
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider:\n"
                + provider.entrySet().stream().map(e -> "  " + e.getKey() + ": " + e.getValue() + "\n")
                        .collect(Collectors.joining())
                + "worker: { concurrency: 1, pollInterval: 200ms, shutdownTimeout: 5s }\n");
        Future<Integer> exit = start("run", "--config", file.toString(), "--max-jobs", "5");

        // The three are dead-lettered before any job is there to run.
        await().atMost(WAIT).until(() -> count(queues.deadLetterUrl()) == 3);
        for (int i = 0; i < 10; i++) {
            send(queues.url(), i);
        }

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exit; err: %s", err).isZero();
        // Before, the three Dead events counted: the worker stopped after two jobs of its own.
        assertThat(completed).as("completed; out: %s", out).hasValue(5);
        assertThat(count(queues.url())).as("jobs still waiting").isEqualTo(5);
        assertThat(out.toString()).contains("jobq run: 5 jobs ended (--max-jobs 5): stopping: no new jobs");
    }

    private Future<Integer> start(String... args) {
        CommandContext context = CommandRun.context(Map.of(), builder -> {
            JobQueue queue = builder.listener(e -> {
                if (e instanceof JobEvent.Completed) {
                    completed.incrementAndGet();
                }
            }).build();
            return QueueSession.owning(queue);
        }, stop);
        return runner.submit(() -> CommandRun.execute(context, new PrintWriter(out, true), new PrintWriter(err, true),
                args));
    }

    private static void send(String url, int n) {
        String body = """
                {"envelopeVersion": 1, "jobId": "%s", "type": "%s",
                 "payload": {"to": "a%d@example.com", "subject": "hello"},
                 "options": {"maxAttempts": 3, "timeoutMs": 30000, "priority": 0, "deduplicationKey": null,
                             "queue": "default"},
                 "attempt": 0, "createdAt": "2026-11-23T10:00:00Z", "scheduledFor": null, "traceId": null}
                """.formatted(UUID.randomUUID(), EmailHandler.TYPE, n);
        sqs.client().sendMessage(r -> r.queueUrl(url).messageBody(body));
    }

    /** Messages on the queue: visible, in flight and delayed (exact on ElasticMQ). */
    private static long count(String url) {
        Map<QueueAttributeName, String> attributes = sqs.client().getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum();
    }
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.ConfigException;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A queue URL is a config value, and jobq shows a config URL with its secrets masked (docs/configuration.md,
 * "Secrets in errors, logs and output"): a token parameter ({@code X-Amz-Security-Token=}) or a password in it
 * must not reach an error, a log line or {@code /health} as it is.
 */
@DisplayName("SQS provider: a queue URL's secret in errors and log lines")
@ExtendWith(ElasticMq.class)
class SqsQueueUrlSecretsTest {

    private static final String SECRET = "S3CRET-token-value";

    @Test
    @DisplayName("a start-up refusal of a queue URL with a token shows the URL with the token masked")
    void startUpRefusalMasksTheQueueUrlsToken() {
        String url = ElasticMq.createQueue("secret-" + UUID.randomUUID(), Map.of())
                + "?X-Amz-Security-Token=" + SECRET;
        Map<String, Object> values = ElasticMq.connectionSettings();
        values.put("queueUrl", url);

        assertThatThrownBy(() -> create(values).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("X-Amz-Security-Token=****")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(SECRET));
    }

    @Test
    @DisplayName("a queue that cannot be reached is named with its URL's token masked")
    void unreachableQueueMasksTheQueueUrlsToken() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, Object> values = ElasticMq.connectionSettings();
        values.put("endpoint", "http://127.0.0.1:" + port);
        values.put("queueUrl", "http://127.0.0.1:" + port + "/000000000000/jobs?X-Amz-Security-Token=" + SECRET);
        values.put("deadLetter", "discard");
        values.put("requestTimeout", "2s");

        assertThatThrownBy(() -> create(values).close())
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("X-Amz-Security-Token=****")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(SECRET));
    }

    @Test
    @DisplayName("log lines and errors name a queue by a label with its URL's token and password masked")
    void theQueuesLabelMasksItsUrl() {
        var queue = new SqsQueue("default", "http://user:" + SECRET + "@127.0.0.1:4566/000000000000/jobs"
                + "?X-Amz-Security-Token=" + SECRET, false, null, Duration.ofSeconds(30), 262_144);

        assertThat(queue.label()).doesNotContain(SECRET)
                .isEqualTo("SQS queue 'default' (http://user:****@127.0.0.1:4566/000000000000/jobs"
                        + "?X-Amz-Security-Token=****)");
    }

    @Test
    @DisplayName("the label shows a long URL masked, escaped and cut after 200 characters, with its length: a server "
            + "may answer a queueName with any URL, and ~50 log lines and errors name the queue by it")
    void labelEscapesAndCutsALongUrl() {
        String tail = "\n\u001b[31mforged" + "x".repeat(100_000);
        var queue = new SqsQueue("default", "http://user:" + SECRET + "@127.0.0.1:4566/000000000000/jobs" + tail,
                false, null, Duration.ofSeconds(30), 262_144);
        String masked = "http://user:****@127.0.0.1:4566/000000000000/jobs";

        // The cut keeps 200 characters of the masked URL, and then writes the line break and the ESC as escapes.
        assertThat(queue.label()).isEqualTo("SQS queue 'default' (" + masked + "\\n\\u001b[31mforged"
                + "x".repeat(200 - masked.length() - "\n\u001b[31mforged".length()) + "… ("
                + (masked + tail).length() + " characters))");
    }

    @Test
    @DisplayName("a dead job whose delete fails after its copy is named with its dead-letter queue URL's password masked")
    void deadLetterDeleteFailureMasksTheDeadLetterUrlsPassword() {
        SqsServer.Queues queues = ElasticMq.newQueues("secret-dlq", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("secret-dlq-scratch-" + System.nanoTime(), Map.of()));
        Logger deadLetterLog = (Logger) LoggerFactory.getLogger(DeadLetterCopies.class);
        var logged = new CapturedLog();
        logged.start();
        deadLetterLog.addAppender(logged);
        try (var workers = new WorkerQueues()) {
            String deadLetterUrl = queues.deadLetterUrl().replaceFirst("^http://", "http://jobq:" + SECRET + "@");
            JobQueue jobs = workers.open(queues, Map.of("deadLetterQueueUrl", deadLetterUrl), Duration.ofSeconds(5));
            jobs.registerJobHandler("mail:send", String.class, (payload, ctx) -> {
                throw new NonRetryableJobException("bounced");
            });
            BatchEntryFaults.arm(queues.url(), "DeleteMessageBatch", BatchEntryFaults.any(), "AccessDenied", true, 1);
            String id = jobs.enqueue("mail:send", "x");
            jobs.start();

            workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
            ILoggingEvent warning = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> logged.list.stream().filter(e -> e.getFormattedMessage().contains(id)).findFirst()
                            .orElse(null), found -> found != null);
            assertThat(warning.getFormattedMessage()).contains("deleting it from", "jobq:****@")
                    .doesNotContain(SECRET);
        } finally {
            deadLetterLog.detachAppender(logged);
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("a dead-letter copy names the queue it died on by its URL with the password masked")
    void deadLetterCopyMasksTheSourceQueueUrlsPassword() {
        SqsServer.Queues queues = ElasticMq.newQueues("secret-source", false);
        try (var workers = new WorkerQueues()) {
            String url = queues.url().replaceFirst("^http://", "http://jobq:" + SECRET + "@");
            JobQueue jobs = workers.open(queues, Map.of("queueUrl", url), Duration.ofSeconds(5));
            jobs.registerJobHandler("mail:send", String.class, (payload, ctx) -> {
                throw new NonRetryableJobException("bounced");
            });
            String id = jobs.enqueue("mail:send", "x");
            jobs.start();
            workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        }

        var copies = QueueContents.receive(queues.deadLetterUrl(), 5);
        assertThat(copies).hasSize(1);
        // Whoever reads the dead-letter queue (its console, a redrive tool) reads this: the URL as a log line shows it.
        assertThat(QueueContents.attribute(copies.get(0), DeadLetterCopies.SOURCE_QUEUE)).doesNotContain(SECRET)
                .isEqualTo(queues.url().replaceFirst("^http://", "http://jobq:****@"));
    }

    @Test
    @DisplayName("a queue refused as its own dead-letter queue is named, by both URLs, with their passwords masked")
    void ownDeadLetterQueueRefusalMasksBothUrlsPasswords() {
        SqsServer.Queues queues = ElasticMq.newQueues("secret-self", false);
        String url = queues.url().replaceFirst("^http://", "http://jobq:" + SECRET + "@");
        Map<String, Object> values = ElasticMq.connectionSettings();
        values.put("queueUrl", url);
        values.put("deadLetterQueueUrl", url.replace("jobq:", "other:"));
        String masked = queues.url().replaceFirst("^http://", "http://jobq:****@");

        assertThatThrownBy(() -> create(values).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SQS queue " + masked.replace("jobq:", "other:") + " is the queue itself ("
                        + masked + ")")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(SECRET));
    }

    private static dev.jobq.spi.QueueProvider create(Map<String, Object> values) {
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("jobq.yaml", "provider", values), Clock.systemUTC()));
    }

    /** What {@code log.error("...", e)} prints of it: its message, every cause's and every suppressed one's. */
    private static String printed(Throwable e) {
        var out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}

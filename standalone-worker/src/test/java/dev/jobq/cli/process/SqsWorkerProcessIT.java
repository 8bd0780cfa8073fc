package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobHandlerModule;
import dev.jobq.cli.process.handlers.HoldModule;
import dev.jobq.cli.process.handlers.SleepModule;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code java -jar jobq.jar run} on SQS: ElasticMQ in this JVM on 127.0.0.1 (a port of the system's
 * choosing), jobs sent by a plain AWS SDK client in the wire format of docs/wire-format.md, and
 * workers that are killed with SIGKILL or stopped with SIGTERM while they hold a job.
 */
class SqsWorkerProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);

    private static SQSRestServer server;
    private static URI endpoint;
    private static SqsClient sqs;

    @TempDir
    Path dir;

    private Path handlers;
    private String queueUrl;
    private String deadLetterUrl;

    @BeforeAll
    static void startSqs() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        endpoint = URI.create("http://127.0.0.1:" + server.waitUntilStarted().localAddress().getPort());
        sqs = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    @AfterAll
    static void stopSqs() {
        if (sqs != null) {
            sqs.close();
        }
        if (server != null) {
            server.stopAndWait();
        }
    }

    @BeforeEach
    void queuesAndHandlers() {
        String name = "process-" + UUID.randomUUID();
        deadLetterUrl = sqs.createQueue(r -> r.queueName(name + "-dlq")).queueUrl();
        queueUrl = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        handlers = dir.resolve("handlers");
        new JarBuilder()
                .addClass(SleepModule.class)
                .addClass(HoldModule.class)
                .service(JobHandlerModule.class, SleepModule.class.getName(), HoldModule.class.getName())
                .writeTo(handlers.resolve("test-handlers.jar"));
    }

    private Path config(int concurrency) throws Exception {
        return Files.writeString(dir.resolve("jobq-" + concurrency + ".yaml"), """
                provider:
                  type: sqs
                  region: us-east-1
                  endpoint: %s
                  accessKeyId: test
                  secretAccessKey: test
                  queueUrl: %s
                  deadLetterQueueUrl: %s
                  visibilityTimeout: 2s
                worker:
                  concurrency: %d
                  pollInterval: 5s
                  shutdownTimeout: 1s
                """.formatted(endpoint, queueUrl, deadLetterUrl, concurrency));
    }

    private JobqProcess worker(boolean finishHeldJobs) throws Exception {
        return worker(finishHeldJobs, 2);
    }

    private JobqProcess worker(boolean finishHeldJobs, int concurrency) throws Exception {
        return JobqProcess.jar().directory(dir)
                .env(HoldModule.RELEASE_ENV, finishHeldJobs ? "yes" : "no")
                .args("run", "--config", config(concurrency).toString(), "--handlers", handlers.toString()).start();
    }

    /** Sends a job as another producer would: the envelope as JSON, and the JobId and JobType attributes. */
    private String sendJob(String type, String payloadJson) {
        String jobId = UUID.randomUUID().toString();
        String body = """
                {"envelopeVersion": 1, "jobId": "%s", "type": "%s", "payload": %s,
                 "options": {"maxAttempts": 3, "timeoutMs": 900000, "priority": 0, "deduplicationKey": null,
                             "queue": "default"},
                 "attempt": 0, "createdAt": "2026-11-23T10:00:00Z", "scheduledFor": null, "traceId": null}
                """.formatted(jobId, type, payloadJson);
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).messageAttributes(Map.of(
                "JobId", MessageAttributeValue.builder().dataType("String").stringValue(jobId).build(),
                "JobType", MessageAttributeValue.builder().dataType("String").stringValue(type).build())));
        return jobId;
    }

    private long messagesLeft() {
        return sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().values().stream().mapToLong(Long::parseLong).sum();
    }

    private static List<String> outcome(JobqProcess worker, String jobId, String outcome) {
        return worker.stderr().await(l -> l.contains("job=" + jobId) && l.contains("outcome=" + outcome), 1, START,
                "with job=" + jobId + " and outcome=" + outcome);
    }

    @Test
    @DisplayName("a job sent by a plain SDK client in the wire format is run by jobq run")
    void jobFromAnotherClientIsRun() throws Exception {
        String jobId = sendJob(SleepModule.TYPE, "{\"millis\": 10}");

        try (JobqProcess worker = worker(false)) {
            List<String> done = outcome(worker, jobId, "completed");

            assertThat(done.get(0)).contains("type=test:sleep", "attempt=1");
            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
        assertThat(messagesLeft()).isZero();
    }

    @Test
    @DisplayName("SIGKILL while a job runs: another worker runs it after its lease, as attempt 2; nothing is lost")
    void killedWorkersJobRunsAgain() throws Exception {
        String jobId = sendJob(HoldModule.TYPE, "\"order-7\"");

        // One handler: no idle long poll is open when the worker dies. (An open one could still be handed
        // a message by SQS after the kill; that delivery would count too. docs/sqs.md says so.)
        try (JobqProcess first = worker(false, 1)) {
            first.stderr().await(l -> l.contains("hold started on attempt 1"), 1, START, "holding the job");
            first.kill();
            assertThat(first.awaitExit(EXIT)).isEqualTo(137);
        }
        try (JobqProcess second = worker(true)) {
            List<String> done = outcome(second, jobId, "completed");

            assertThat(done.get(0)).contains("attempt=2");
            second.terminate();
            assertThat(second.awaitExit(EXIT)).isZero();
        }
        assertThat(messagesLeft()).isZero();
    }

    @Test
    @DisplayName("SIGTERM past shutdownTimeout releases the job: another worker runs it at once, still attempt 1")
    void stoppedWorkersJobIsReleased() throws Exception {
        String jobId = sendJob(HoldModule.TYPE, "\"order-8\"");

        try (JobqProcess first = worker(false)) {
            first.stderr().await(l -> l.contains("hold started on attempt 1"), 1, START, "holding the job");
            first.terminate();
            assertThat(first.awaitExit(EXIT)).isZero();
            assertThat(first.stderr().linesMatching(l -> l.contains("job=" + jobId) && l.contains("outcome=released")))
                    .hasSize(1);
        }
        try (JobqProcess second = worker(true)) {
            List<String> done = outcome(second, jobId, "completed");

            assertThat(done.get(0)).as("the released delivery is not counted").contains("attempt=1");
            second.terminate();
            assertThat(second.awaitExit(EXIT)).isZero();
        }
        assertThat(messagesLeft()).isZero();
    }
}

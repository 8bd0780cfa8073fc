package dev.jobq.cli.process;

import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import dev.jobq.localsqs.LocalSqs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A fresh queue and dead-letter queue on the test class's {@link LocalSqs}, with the ways a test
 * puts jobs on it — as a foreign producer in the wire format, or as an application through jobq's
 * SQS provider — and reads what is left on it.
 */
record SqsQueue(LocalSqs sqs, LocalSqs.Queues queues) {

    /** A new queue pair named {@code prefix-<random>} (and {@code -dlq}). */
    static SqsQueue create(LocalSqs sqs, String prefix) {
        return new SqsQueue(sqs, sqs.createQueues(prefix + "-" + UUID.randomUUID()));
    }

    /** A config whose provider is this queue. */
    JobqYaml config() {
        return JobqYaml.sqs(sqs, queues);
    }

    /**
     * Sends a job as another producer would (docs/wire-format.md): the envelope as JSON, and the
     * JobId and JobType attributes; a 15-minute timeout so no job of the tests times out. Returns its id.
     */
    String send(String type, String payloadJson) {
        return send(type, payloadJson, 3);
    }

    /** As {@link #send(String, String)}, with {@code maxAttempts} in the job's options. */
    String send(String type, String payloadJson, int maxAttempts) {
        String jobId = UUID.randomUUID().toString();
        String body = """
                {"envelopeVersion": 1, "jobId": "%s", "type": "%s", "payload": %s,
                 "options": {"maxAttempts": %d, "timeoutMs": 900000, "priority": 0, "deduplicationKey": null,
                             "queue": "default"},
                 "attempt": 0, "createdAt": "2026-11-23T10:00:00Z", "scheduledFor": null, "traceId": null}
                """.formatted(jobId, type, payloadJson, maxAttempts);
        sqs.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(Map.of(
                "JobId", MessageAttributeValue.builder().dataType("String").stringValue(jobId).build(),
                "JobType", MessageAttributeValue.builder().dataType("String").stringValue(type).build())));
        return jobId;
    }

    /**
     * An application's queue on this SQS queue, through jobq's SQS provider: it only enqueues
     * ({@code worker.mode: standalone}); the {@code jobq run} processes work.
     */
    JobQueue producer() {
        Map<String, Object> settings = new LinkedHashMap<>(sqs.connectionSettings());
        settings.remove("type");
        settings.put("queueUrl", queues.url());
        settings.put("deadLetterQueueUrl", queues.deadLetterUrl());
        return JobQueue.builder().provider("sqs", settings).mode(WorkerMode.STANDALONE).environment(Map.of()).build();
    }

    /** Messages on the queue: visible, in flight and delayed (SQS's approximate counts; exact on ElasticMQ). */
    long messagesLeft() {
        return count(queues.url());
    }

    /** Waits, looking every 200 ms, until no message is left on the queue (every job settled). */
    void awaitEmpty(Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> messagesLeft() == 0);
    }

    /** Messages in the dead-letter queue. */
    long deadLetters() {
        return count(queues.deadLetterUrl());
    }

    private long count(String url) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().values().stream().mapToLong(Long::parseLong).sum();
    }
}

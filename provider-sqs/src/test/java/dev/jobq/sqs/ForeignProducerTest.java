package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Messages put on the queue by another SQS client, not jobq, in the format of docs/wire-format.md,
 * are run by a jobq worker: the producer side of the wire format is only JSON and two attributes.
 */
@DisplayName("Messages from other SQS producers (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class ForeignProducerTest {

    record Email(String to, String subject) {
    }

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    @Test
    @DisplayName("a job another producer sent in a FIFO message group of its own is released into that group")
    void releasedJobKeepsTheProducersMessageGroup() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-group", true);
        String body = "{\"envelopeVersion\":1,\"jobId\":\"posting-1\",\"type\":\"ledger:post\",\"payload\":7,"
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body)
                .messageGroupId("customer-42").messageDeduplicationId("posting-1"));
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()))) {
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).extracting(ReceivedJob::jobId).containsExactly("posting-1");

            provider.release(received.get(0));
        }

        List<Message> copies = ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).body()).contains("\"jobId\":\"posting-1\"");
        assertThat(copies.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .as("the released copy's message group").isEqualTo("customer-42");
    }

    @Test
    @DisplayName("a version-1 envelope sent by a plain SDK client is run with its payload, id and options")
    void versionOneEnvelopeFromAnotherClientIsRun() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-v1", false);
        String body = """
                {"envelopeVersion": 1, "jobId": "0193a1f0-5c3e-7a41-9b2f-3c1d2e4f5a6b", "type": "email:send",
                 "payload": {"to": "user@example.com", "subject": "Welcome!"},
                 "options": {"maxAttempts": 5, "timeoutMs": 30000, "priority": 0, "deduplicationKey": null,
                             "queue": "default"},
                 "attempt": 0, "createdAt": "2026-11-23T10:00:00Z", "scheduledFor": null, "traceId": null}
                """;
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(Map.of(
                "JobId", OutgoingMessage.string("0193a1f0-5c3e-7a41-9b2f-3c1d2e4f5a6b"),
                "JobType", OutgoingMessage.string("email:send"))));
        List<Email> received = new CopyOnWriteArrayList<>();
        List<Integer> maxAttempts = new CopyOnWriteArrayList<>();
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
            received.add(job.payload());
            maxAttempts.add(job.options().maxAttempts());
        });
        jobs.start();

        JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class,
                e -> e.jobId().equals("0193a1f0-5c3e-7a41-9b2f-3c1d2e4f5a6b"));

        assertThat(done.attempt()).isEqualTo(1);
        assertThat(received).containsExactly(new Email("user@example.com", "Welcome!"));
        assertThat(maxAttempts).containsExactly(5);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("a ChaasKit message (no envelopeVersion, maxRetries) is run, and retried as maxRetries says")
    void chaasKitMessageIsRunWithItsRetries() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-v0", false);
        String body = """
                {"jobId": "a1b2c3", "type": "webhook:send", "payload": {"to": "ops@example.com", "subject": "hook"},
                 "options": {"maxRetries": 2, "timeout": 60000, "priority": 0, "deduplicationKey": null},
                 "createdAt": "2026-11-23T10:00:00.000Z", "scheduledFor": null}
                """;
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("webhook:send", Email.class, (job, ctx) -> {
            attempts.add(ctx.attempt());
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("endpoint down");
            }
        });
        jobs.start();

        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals("a1b2c3"));

        assertThat(attempts).containsExactly(1, 2);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("a payload encoded twice (a JSON string holding the object) is dead-lettered with a reason that says so")
    void payloadEncodedTwiceIsNamedSo() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-twice", false);
        // A Node producer's JSON.stringify({..., payload: JSON.stringify(email)})
        String body = "{\"envelopeVersion\":1,\"jobId\":\"twice-1\",\"type\":\"email:send\","
                + "\"payload\":\"{\\\"to\\\":\\\"a@example.com\\\",\\\"subject\\\":\\\"hi\\\"}\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> { });
        jobs.start();

        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("twice-1"));

        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(dead.error()).startsWith("payload cannot be read as dev.jobq.sqs.ForeignProducerTest$Email: ")
                .endsWith("; the payload is a JSON string holding JSON, encoded twice: send the object itself (not "
                        + "JSON.stringify of JSON text; in Java, not a String of JSON)");
    }

    @Test
    @DisplayName("a body that cannot be read is dead-lettered under the JobId and JobType its producer set as attributes")
    void unreadableMessageIsNamedByItsAttributes() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-unreadable", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"jobId\": \"inv-77\", oops")
                .messageAttributes(Map.of("JobId", OutgoingMessage.string("inv-77"),
                        "JobType", OutgoingMessage.string("invoice:send"))));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("<invoice id='inv-78'/>")
                .messageAttributes(Map.of("JobId", OutgoingMessage.string("inv-78"),
                        "JobType", OutgoingMessage.string("invoice:send"))));
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.start();

        List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 2);

        assertThat(dead).extracting(JobEvent.Dead::jobId).containsExactlyInAnyOrder("inv-77", "inv-78");
        assertThat(dead).extracting(JobEvent.Dead::type).containsOnly("invoice:send");
        assertThat(dead).extracting(JobEvent.Dead::error).allSatisfy(error -> assertThat(error).contains("not JSON"));
    }

    @Test
    @DisplayName("a blank jobId or type does not name the dead job: its JobId and JobType attributes do, else the "
            + "message's id")
    void blankJobIdAndTypeAreNotTheDeadJobsName() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-blank-id", false);
        String created = "\"createdAt\":\"2026-11-23T10:00:00Z\"";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url())
                .messageBody("{\"envelopeVersion\":1,\"jobId\":\" \",\"type\":\"\"," + created + "}")
                .messageAttributes(Map.of("JobId", OutgoingMessage.string("inv-90"),
                        "JobType", OutgoingMessage.string("invoice:send"))));
        String bare = ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url())
                .messageBody("{\"envelopeVersion\":1,\"jobId\":\"\",\"type\":\"invoice:send\"," + created + "}"))
                .messageId();
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.start();

        List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 2);

        assertThat(dead).extracting(JobEvent.Dead::jobId).containsExactlyInAnyOrder("inv-90", "sqs-message-" + bare);
        assertThat(dead).extracting(JobEvent.Dead::type).containsOnly("invoice:send");
    }

    @Test
    @DisplayName("a dead message another producer sent within bytes of the queue's limit is copied within it: its "
            + "own attributes go first, then the error is cut, then jobq's other attributes")
    void deadLetterCopyOfAMessageNearTheLimitFitsTheLimit() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-full", false);
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), 256 * 1024);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), 256 * 1024);
        Map<String, MessageAttributeValue> theirs = new LinkedHashMap<>();
        theirs.put("tenant", OutgoingMessage.string("acme"));
        theirs.put("origin", OutgoingMessage.string("billing-service"));
        // room for jobq's attributes and 120 bytes of the error; and room for 45 bytes of attributes only
        String roomy = nearTheLimit("big-1", 136 + 15 + 120);
        String tight = nearTheLimit("big-2", 60);
        for (String body : List.of(roomy, tight)) {
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(theirs));
        }
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> { });
        jobs.start();

        workers.awaitEvents(JobEvent.Dead.class, e -> e.jobId().startsWith("big-"), 2);

        List<Message> copies = QueueContents.receive(queues.deadLetterUrl(), 5);
        assertThat(copies).hasSize(2).allSatisfy(copy -> {
            assertThat(sqsSize(copy)).as("the copy as SQS counts it: body and each attribute's name, type and value")
                    .isLessThanOrEqualTo(256 * 1024);
            assertThat(copy.messageAttributes()).doesNotContainKeys("tenant", "origin");
            assertThat(QueueContents.attribute(copy, DeadLetterCopies.ERROR)).startsWith("no handler").endsWith("…");
        });
        Message roomyCopy = copies.stream().filter(copy -> copy.body().equals(roomy)).findFirst().orElseThrow();
        Message tightCopy = copies.stream().filter(copy -> copy.body().equals(tight)).findFirst().orElseThrow();
        assertThat(roomyCopy.messageAttributes()).containsKeys(DeadLetterCopies.ATTEMPTS, DeadLetterCopies.SOURCE_QUEUE,
                DeadLetterCopies.DEAD_AT);
        assertThat(tightCopy.messageAttributes()).containsOnlyKeys(DeadLetterCopies.ERROR);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("a dead message larger than the worker's maxPayloadBytes, which the queues take, is copied with its "
            + "error and jobq's attributes: the copy is held to the dead-letter queue's own limit, not the setting")
    void deadLetterCopyIsHeldToTheDeadLetterQueuesLimitNotToMaxPayloadBytes() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-large", false);
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), 1024 * 1024);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), 1024 * 1024);
        Map<String, MessageAttributeValue> theirs = Map.of("tenant", OutgoingMessage.string("acme"));
        String body = nearTheLimit("large-1", 256 * 1024 - 300 * 1024); // a 300 KiB message
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(theirs));
        // A worker whose jobs are held to 256 KiB (as its producers' are), on queues that take 1 MiB.
        JobQueue jobs = workers.open(queues, Map.of("maxPayloadBytes", "256KiB"), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> { });
        jobs.start();

        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("large-1"));

        List<Message> copies = QueueContents.receive(queues.deadLetterUrl(), 5);
        assertThat(copies).singleElement().satisfies(copy -> {
            assertThat(copy.body()).isEqualTo(body);
            assertThat(copy.messageAttributes()).containsKeys("tenant", DeadLetterCopies.ATTEMPTS,
                    DeadLetterCopies.SOURCE_QUEUE, DeadLetterCopies.DEAD_AT);
            assertThat(QueueContents.attribute(copy, DeadLetterCopies.ERROR)).isEqualTo(dead.error());
        });
    }

    @Test
    @DisplayName("a message larger than the worker's maxPayloadBytes, which the queue takes, is released at shutdown as "
            + "a fresh copy, not counted: the copy is SQS's to take or refuse, not held to the setting")
    void largeMessageIsReleasedAsAFreshCopyNotCounted() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-large-release", false);
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), 1024 * 1024);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), 1024 * 1024);
        String body = "{\"envelopeVersion\":1,\"jobId\":\"large-2\",\"type\":\"email:send\",\"payload\":{\"to\":\"a\","
                + "\"subject\":\"" + "x".repeat(300 * 1024) + "\"},\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));

        releaseAtShutdownOnceStarted(queues, Map.of("maxPayloadBytes", "256KiB"));

        assertThat(QueueContents.receive(queues.url(), 5)).singleElement().satisfies(copy -> {
            assertThat(copy.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .as("receives of the message now on the queue: 1 for a fresh copy, 2 for the released delivery")
                    .isEqualTo("1");
            assertThat(copy.body()).contains("\"jobId\":\"large-2\"", "\"attempt\":0");
        });
    }

    /** Runs the queue's one email:send job until it has started, then closes the worker, which releases it. */
    private void releaseAtShutdownOnceStarted(SqsServer.Queues queues) throws InterruptedException {
        releaseAtShutdownOnceStarted(queues, Map.of());
    }

    private void releaseAtShutdownOnceStarted(SqsServer.Queues queues, Map<String, ?> settings)
            throws InterruptedException {
        var started = new CountDownLatch(1);
        JobQueue jobs = workers.open(queues, settings, Duration.ofMillis(100));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until the shutdown interrupts it
        });
        jobs.start();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        jobs.close();
    }

    /** An envelope of a type no one handles, {@code room} bytes short of a 256 KiB message with two small attributes. */
    private static String nearTheLimit(String jobId, int room) {
        String start = "{\"envelopeVersion\":1,\"jobId\":\"" + jobId + "\",\"type\":\"nobody:handles\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"payload\":\"";
        return start + "x".repeat(256 * 1024 - room - start.length() - 2) + "\"}";
    }

    private static int sqsSize(Message message) {
        int size = message.body().getBytes(StandardCharsets.UTF_8).length;
        for (var attribute : message.messageAttributes().entrySet()) {
            size += attribute.getKey().getBytes(StandardCharsets.UTF_8).length
                    + attribute.getValue().dataType().getBytes(StandardCharsets.UTF_8).length
                    + attribute.getValue().stringValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    @Test
    @DisplayName("a message with SQS's ten attributes, none of them jobq's, is released at shutdown with all ten")
    void releasedMessageKeepsAllTenOfTheProducersAttributes() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-ten", false);
        String body = "{\"envelopeVersion\":1,\"jobId\":\"j-10\",\"type\":\"email:send\","
                + "\"payload\":{\"to\":\"a\",\"subject\":\"b\"},\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        for (int i = 0; i < OutgoingMessage.MAX_ATTRIBUTES; i++) {
            attributes.put("producer-" + i, OutgoingMessage.string("value " + i));
        }
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(attributes));
        releaseAtShutdownOnceStarted(queues);

        assertThat(QueueContents.receive(queues.url(), 5)).singleElement().satisfies(copy -> {
            assertThat(copy.body()).contains("\"jobId\":\"j-10\"");
            assertThat(copy.messageAttributes()).isEqualTo(attributes);
        });
    }

    /**
     * Sends {@code body} as another producer would, starts a worker whose "order:paid" handler fails if it ever runs,
     * and hands the job's Dead event, the first that {@code which} accepts, to {@code then} with the warnings logged
     * under dev.jobq, still captured while {@code then} runs.
     */
    private void deadWithTheLogCaptured(SqsServer.Queues queues, String body, Predicate<JobEvent.Dead> which,
            BiConsumer<JobEvent.Dead, CapturedLog> then) {
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        var workerLog = (Logger) LoggerFactory.getLogger("dev.jobq");
        var logged = new CapturedLog();
        logged.start();
        workerLog.addAppender(logged);
        try {
            JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
            jobs.registerJobHandler("order:paid", Object.class, (job, ctx) -> {
                throw new IllegalStateException("the handler ran");
            });
            jobs.start();

            then.accept(workers.awaitEvent(JobEvent.Dead.class, which), logged);
        } finally {
            workerLog.detachAppender(logged);
        }
    }

    @Test
    @DisplayName("a job id from another producer with a control character (a newline, an ANSI escape) is dead-lettered "
            + "at once with the reason, the message kept as sent: run, every line about the job repeated its id, "
            + "and a newline in it forged a log line of its own")
    void jobIdWithAControlCharacterIsRefusedAtOnce() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-id-control", false);
        String body = "{\"envelopeVersion\":1,\"jobId\":\"order-7\\nWARN forged \\u001b[31m\",\"type\":\"order:paid\","
                + "\"options\":{\"maxAttempts\":1},\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        deadWithTheLogCaptured(queues, body, e -> e.jobId().startsWith("order-7"), (dead, logged) -> {
            assertThat(logged.warnings()).filteredOn(line -> line.contains("order-7")).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\u001b"));
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.error()).contains("'jobId' must not have control characters, got "
                    + "\"order-7\\nWARN forged \\u001b[31m\" (shown escaped)");
            assertThat(workers.all(JobEvent.Started.class, e -> true)).as("jobs started").isEmpty();
        });
        assertThat(QueueContents.receive(queues.deadLetterUrl(), 5)).singleElement()
                .satisfies(copy -> assertThat(copy.body()).isEqualTo(body));
    }

    /**
     * A bidirectional override (U+202E) is no control character: a job id with one is read and run. The provider's
     * lines about the job showed it as it came, and a terminal or log viewer then showed the rest of the line reversed
     * (everything after the override read right to left). Here the release at shutdown cannot send its fresh copy,
     * which its WARN says.
     */
    @Test
    @DisplayName("a job id from another producer with a bidirectional override (U+202E) is shown escaped in the "
            + "provider's warnings, not reversing the rest of the line")
    void jobIdWithABidirectionalOverrideIsShownEscapedInAWarning() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-id-bidi", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("foreign-id-bidi-scratch-" + System.nanoTime(),
                Map.of()));
        try (var logged = CapturedLog.of(SqsQueueProvider.class, DeadLetterCopies.class, IncomingMessages.class)) {
            String body = "{\"envelopeVersion\":1,\"jobId\":\"order-rlo-\u202egnp.exe\",\"type\":\"email:send\","
                    + "\"payload\":{\"to\":\"a\",\"subject\":\"b\"},\"createdAt\":\"2026-11-23T10:00:00Z\"}";
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
            BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("order-rlo-"),
                    "InvalidMessageContents", true, 5);

            releaseAtShutdownOnceStarted(queues);

            assertThat(logged.warnings()).filteredOn(line -> line.contains("order-rlo-")).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain("\u202e").contains("order-rlo-\\u202egnp.exe"));
        } finally {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("a job type from another producer with a control character (a newline, an ANSI escape) is read and "
            + "dead-lettered as an unknown type, the lines about the job showing it escaped: the line saying it was "
            + "dead repeated it as it was, and a newline in it forged a log line of its own")
    void jobTypeWithAControlCharacterIsDeadAsUnknownAndLoggedEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-type-control", false);
        String body = "{\"envelopeVersion\":1,\"jobId\":\"order-8\",\"type\":\"order:paid\\nWARN forged \\u001b[31m\","
                + "\"options\":{\"maxAttempts\":1},\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        deadWithTheLogCaptured(queues, body, e -> e.jobId().equals("order-8"), (dead, logged) -> {
            assertThat(dead.type()).as("the type as read").isEqualTo("order:paid\nWARN forged \u001b[31m");
            assertThat(dead.error()).contains("no handler for job type 'order:paid\\nWARN forged \\u001b[31m'");
            assertThat(logged.warnings()).filteredOn(line -> line.contains("order-8")).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\u001b")
                            .contains("(order:paid\\nWARN forged \\u001b[31m)"));
            assertThat(workers.all(JobEvent.Started.class, e -> true)).as("jobs started").isEmpty();
        });
    }

    @Test
    @DisplayName("a trace id from another producer is passed on by the handler; one enqueue would refuse is "
            + "dead-lettered at once with the reason, not run until the handler fails to pass it on")
    void traceIdOfAnotherProducerIsPassedOnOrRefusedAtOnce() {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-trace", false);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String[] traceIds = {traceparent, "", "t".repeat(300)};
        for (int i = 0; i < traceIds.length; i++) {
            String body = "{\"envelopeVersion\":1,\"jobId\":\"order-" + i + "\",\"type\":\"order:paid\","
                    + "\"traceId\":\"" + traceIds[i] + "\",\"createdAt\":\"2026-11-23T10:00:00Z\"}";
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        }
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("order:paid", Object.class, (job, ctx) -> {
            var options = EnqueueOptions.builder();
            ctx.traceId().ifPresent(options::traceId);
            jobs.enqueue("receipt:send", job.id(), options.build());
        });
        List<String> receiptTraces = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("receipt:send", String.class, (job, ctx) -> receiptTraces.add(ctx.traceId().orElse("")));
        jobs.start();

        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals("order-0"));
        JobEvent.Dead blank = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("order-1"));
        JobEvent.Dead tooLong = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("order-2"));
        workers.awaitEvent(JobEvent.Completed.class, e -> e.type().equals("receipt:send"));

        assertThat(receiptTraces).containsExactly(traceparent);
        assertThat(blank.attempt()).isEqualTo(1);
        assertThat(blank.error()).contains("'traceId' must be 1 to 255 characters without control characters, got \"\"");
        assertThat(tooLong.attempt()).isEqualTo(1);
        assertThat(tooLong.error()).contains("(300 characters); leave it out or null for none");
        assertThat(workers.all(JobEvent.Started.class, e -> !e.jobId().equals("order-0") && e.type().equals("order:paid")))
                .as("jobs started with a trace id their handler could not pass on").isEmpty();
    }

    @Test
    @DisplayName("a message released at shutdown keeps the fields and attributes this jobq does not know")
    void releasedMessageKeepsWhatThisWorkerDoesNotRead() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("foreign-newer", false);
        String body = """
                {"envelopeVersion": 1, "jobId": "j-9", "type": "email:send", "payload": {"to": "a", "subject": "b"},
                 "options": {"maxAttempts": 5, "backoffMs": 2500}, "attempt": 0, "tenant": "acme",
                 "createdAt": "2026-11-23T10:00:00Z"}
                """;
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body).messageAttributes(Map.of(
                "traceparent", OutgoingMessage.string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))));
        releaseAtShutdownOnceStarted(queues);

        assertThat(QueueContents.receive(queues.url(), 5)).singleElement().satisfies(copy -> {
            assertThat(copy.body()).isEqualTo(body);
            assertThat(QueueContents.attribute(copy, "traceparent"))
                    .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(QueueContents.attribute(copy, "JobId")).isEqualTo("j-9");
        });
    }
}

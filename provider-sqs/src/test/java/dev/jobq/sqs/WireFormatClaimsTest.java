package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.EnqueueOptions;
import dev.jobq.Job;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The claims of docs/wire-format.md, run as a producer in another language meets them: each message
 * is a hand-written JSON string sent with the SDK's plain {@code SendMessage} (never jobq's codec) to a
 * real SQS server (ElasticMQ), and the test checks what a jobq worker does with it — runs the handler
 * with the right payload, or dead-letters it at once with a reason that names the field, the value and
 * the fix, and never loses it. Each test names the row or sentence of the page it checks.
 */
@DisplayName("docs/wire-format.md, claim by claim, against a worker on ElasticMQ")
@ExtendWith(ElasticMq.class)
class WireFormatClaimsTest {

    record Email(String to, String subject) {
    }

    record Text(String text) {
    }

    record Numbers(long beyondDoubles, BigInteger beyondLong, double negativeZero, BigDecimal huge) {
    }

    /** What one handler run saw. */
    record Ran(Job<?> job, Optional<String> traceId, String mdcTraceId) {
    }

    private static final String CREATED = "\"createdAt\":\"2026-11-23T10:00:00Z\"";

    private final WorkerQueues workers = new WorkerQueues();
    private final Map<String, Ran> ran = new ConcurrentHashMap<>();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    @Nested
    @DisplayName("version 1: the example and the table of fields")
    class VersionOne {


        @Test
        @DisplayName("the page's example, as printed (read from the page, with its whitespace), runs with its payload and every "
                + "option")
        void theExampleAsPrintedRuns() {
            String example = docExample("## Version 1");
            SqsServer.Queues queues = sendAndWork(example);

            Ran run = ran("0193a1f0-5c3e-7a41-9b2f-3c1d2e4f5a6b");
            assertThat(run.job().payload()).isEqualTo(new Email("user@example.com", "Welcome!"));
            assertThat(run.job().attempt()).isEqualTo(1);
            assertThat(run.job().options()).isEqualTo(JobOptions.defaults());
            assertThat(run.job().createdAt()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
            assertThat(run.job().scheduledFor()).isNull();
            assertThat(run.traceId()).isEmpty();
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("required: envelopeVersion, jobId, type, createdAt; payload null and each option defaulted when absent")
        void onlyTheRequiredFields() {
            SqsServer.Queues queues = sendAndWork(v1("minimal", "wire:json", ""));

            Ran run = ran("minimal");
            assertThat(((JsonNode) run.job().payload()).isNull()).isTrue();
            assertThat(run.job().options()).isEqualTo(new JobOptions(3, Duration.ofSeconds(30), 0, null, "default"));
            assertThat(run.job().attempt()).isEqualTo(1);
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("jobId, type and createdAt missing or blank: dead at once, the reason names the field")
        void requiredFieldsMissingOrBlank() {
            SqsServer.Queues queues = sendAndWork(
                    "{\"envelopeVersion\":1,\"type\":\"wire:json\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":\"  \",\"type\":\"wire:json\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":\"no-type\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":\"blank-type\",\"type\":\"\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":\"no-created\",\"type\":\"wire:json\"}");

            List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 5);
            assertThat(dead).extracting(JobEvent.Dead::attempt).containsOnly(1);
            assertThat(dead).extracting(JobEvent.Dead::error).anySatisfy(error -> assertThat(error)
                            .contains("job envelope has no 'jobId'"))
                    .anySatisfy(error -> assertThat(error).contains("'jobId' must not be blank, got \"  \""))
                    .anySatisfy(error -> assertThat(error)
                            .contains("job envelope has no 'type' (the handler's job type, such as \"email:send\")"))
                    .anySatisfy(error -> assertThat(error).contains("'type' must not be blank, got \"\""))
                    .anySatisfy(error -> assertThat(error).contains("job envelope has no 'createdAt' (an ISO-8601 UTC "
                            + "time such as 2026-11-23T10:00:00Z)"));
            assertThat(dead).extracting(JobEvent.Dead::jobId).contains("no-type", "blank-type", "no-created");
            assertNothingLost(queues, 5);
        }

        @Test
        @DisplayName("a value of the wrong JSON type or out of range: dead at once, naming the field as written and its value")
        void wrongTypesAndRanges() {
            SqsServer.Queues queues = sendAndWork(
                    "{\"envelopeVersion\":\"1\",\"jobId\":\"t-version\",\"type\":\"wire:json\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":42,\"type\":\"wire:json\"," + CREATED + "}",
                    v1("t-options", "wire:json", ",\"options\":[]"),
                    v1("t-three", "wire:json", ",\"options\":{\"maxAttempts\":\"three\"}"),
                    v1("t-zero", "wire:json", ",\"options\":{\"maxAttempts\":0}"),
                    v1("t-timeout", "wire:json", ",\"options\":{\"timeoutMs\":0}"),
                    v1("t-fraction", "wire:json", ",\"options\":{\"timeoutMs\":1.5}"),
                    v1("t-priority", "wire:json", ",\"options\":{\"priority\":\"high\"}"),
                    v1("t-key", "wire:json", ",\"options\":{\"deduplicationKey\":7}"),
                    v1("t-queue", "wire:json", ",\"options\":{\"queue\":\"\"}"),
                    v1("t-attempt", "wire:json", ",\"attempt\":-1"),
                    v1("t-payload-ok", "wire:json", ",\"attempt\":null,\"options\":null"));

            assertThat(ran("t-payload-ok").job().options()).isEqualTo(JobOptions.defaults());
            assertThat(deadReason("t-version")).contains("'envelopeVersion' must be a whole number, got the string \"1\"; "
                    + "write it as a JSON number, without quotes: 1");
            assertThat(workers.awaitEvent(JobEvent.Dead.class, e -> e.error().contains("'jobId' must be a string"))
                    .error()).contains("'jobId' must be a string, got the number 42");
            assertThat(deadReason("t-options")).contains("'options' must be an object, got an array");
            assertThat(deadReason("t-three")).contains("'options.maxAttempts' must be a whole number, got the string \"three\"");
            assertThat(deadReason("t-zero")).contains("'options.maxAttempts' must be ≥ 1 (the runs in all, the first "
                    + "included), got 0");
            assertThat(deadReason("t-timeout")).contains("'options.timeoutMs' must be ≥ 1 (milliseconds), got 0");
            assertThat(deadReason("t-fraction")).contains("'options.timeoutMs' must be a whole number of milliseconds, got "
                    + "the number 1.5");
            assertThat(deadReason("t-priority")).contains("'options.priority' must be a whole number, got the string \"high\"");
            assertThat(deadReason("t-key")).contains("'options.deduplicationKey' must be a string, got the number 7");
            assertThat(deadReason("t-queue")).contains("'options.queue' must not be blank, got \"\"");
            assertThat(deadReason("t-attempt")).contains("'attempt' must be ≥ 0 (the attempts made before this copy "
                    + "was written; 0 for a new job), got -1");
            assertNothingLost(queues, 11);
        }

        @Test
        @DisplayName("attempt: the attempts made before; the handler's attempt is that plus the delivery count, and none "
                + "left is dead with a reason naming 'attempt'")
        void attemptCountsTheAttemptsAlreadyMade() {
            SqsServer.Queues queues = sendAndWork(
                    v1("two-made", "wire:json", ",\"attempt\":2,\"options\":{\"maxAttempts\":3}"),
                    v1("all-made", "wire:json", ",\"attempt\":3,\"options\":{\"maxAttempts\":3}"));

            assertThat(ran("two-made").job().attempt()).isEqualTo(3);
            JobEvent.Dead noneLeft = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("all-made"));
            assertThat(noneLeft.error()).isEqualTo("delivered for attempt 4 but maxAttempts is 3: its message says 3 "
                    + "attempt(s) were made already ('attempt' in the job envelope), which leaves none");
            assertNothingLost(queues, 1);
        }

        @Test
        @DisplayName("createdAt: Z, fractions, an offset (with or without its colon), a space for the T, no seconds, "
                + "Ruby's Time#to_s, epoch milliseconds (with a fraction) are read; epoch seconds and a time without "
                + "offset are dead with the fix")
        void createdAtFormats() {
            Map<String, String> readable = Map.of(
                    "c-z", "\"2026-11-23T10:00:00Z\"",
                    "c-millis", "\"2026-11-23T10:00:00.123Z\"",
                    "c-nanos", "\"2026-11-23T10:00:00.123456789Z\"",
                    "c-offset", "\"2026-11-23T12:00:00+02:00\"",
                    "c-offset-no-colon", "\"2026-11-23T12:00:00+0200\"",
                    "c-space", "\"2026-11-23 10:00:00.5+00:00\"",
                    "c-minute", "\"2026-11-23T10:00Z\"",
                    "c-epoch", "1795428000000",
                    "c-epoch-fraction", "1795428000000.123",
                    "c-ruby", "\"2026-11-23 11:00:00 +0100\"");
            Map<String, String> unreadable = Map.of(
                    "c-seconds", "1795428000",
                    "c-local", "\"2026-11-23T10:00:00.123456\"",
                    "c-local-space", "\"2026-11-23 10:00:00\"",
                    "c-words", "\"yesterday\"",
                    "c-bool", "true");
            String[] bodies = new String[readable.size() + unreadable.size()];
            int i = 0;
            for (var entry : readable.entrySet()) {
                bodies[i++] = withCreatedAt(entry.getKey(), entry.getValue());
            }
            for (var entry : unreadable.entrySet()) {
                bodies[i++] = withCreatedAt(entry.getKey(), entry.getValue());
            }
            SqsServer.Queues queues = sendAndWork(bodies);

            assertThat(ran("c-z").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-millis").job().createdAt()).isEqualTo("2026-11-23T10:00:00.123Z");
            assertThat(ran("c-nanos").job().createdAt()).isEqualTo("2026-11-23T10:00:00.123456789Z");
            assertThat(ran("c-offset").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-offset-no-colon").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-space").job().createdAt()).isEqualTo("2026-11-23T10:00:00.5Z");
            assertThat(ran("c-minute").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-epoch").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-ruby").job().createdAt()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(ran("c-epoch-fraction").job().createdAt()).isEqualTo("2026-11-23T10:00:00.000123Z");
            assertThat(deadReason("c-seconds")).contains("'createdAt' must be epoch milliseconds, got 1795428000, which "
                    + "looks like epoch seconds (2026-11-23T10:00:00Z; as milliseconds it would be 1970-01-21T18:43:48Z): "
                    + "multiply it by 1000");
            assertThat(deadReason("c-local")).contains("'createdAt' must be an ISO-8601 UTC time such as "
                    + "2026-11-23T10:00:00Z, got \"2026-11-23T10:00:00.123456\"; it has no offset: add Z when it is UTC, "
                    + "else its offset (+02:00)");
            assertThat(deadReason("c-local-space")).contains("; it has no offset");
            assertThat(deadReason("c-words")).contains("got \"yesterday\"");
            assertThat(deadReason("c-bool")).contains("'createdAt' must be an ISO-8601 time or epoch milliseconds, got true");
            assertNothingLost(queues, unreadable.size());
        }

        @Test
        @DisplayName("scheduledFor is a record, not an order: a message due in a week runs when delivered, and keeps it")
        void scheduledForIsARecord() {
            String due = Instant.now().plus(Duration.ofDays(7)).toString();
            SqsServer.Queues queues = sendAndWork(
                    v1("later", "wire:json", ",\"scheduledFor\":\"" + due + "\""),
                    v1("later-ms", "wire:json", ",\"scheduledFor\":1795428000000"),
                    v1("later-bad", "wire:json", ",\"scheduledFor\":\"next week\""));

            assertThat(ran("later").job().scheduledFor()).isEqualTo(due);
            assertThat(ran("later-ms").job().scheduledFor()).isEqualTo("2026-11-23T10:00:00Z");
            assertThat(deadReason("later-bad")).contains("'scheduledFor' must be an ISO-8601 UTC time such as "
                    + "2026-11-23T10:00:00Z, got \"next week\"");
            assertNothingLost(queues, 1);
        }

        @Test
        @DisplayName("traceId: in ctx.traceId() and the MDC; blank, too long or with a control character is dead at once")
        void traceId() {
            SqsServer.Queues queues = sendAndWork(
                    v1("trace", "wire:json", ",\"traceId\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\""),
                    v1("trace-null", "wire:json", ",\"traceId\":null"),
                    v1("trace-control", "wire:json", ",\"traceId\":\"a\\nb\""),
                    v1("trace-long", "wire:json", ",\"traceId\":\"" + "t".repeat(256) + "\""));

            Ran traced = ran("trace");
            assertThat(traced.traceId()).contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(traced.mdcTraceId()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(ran("trace-null").traceId()).isEmpty();
            assertThat(deadReason("trace-control")).contains("'traceId' must be 1 to 255 characters without control "
                    + "characters, got \"a\\nb\"; leave it out or null for none");
            assertThat(deadReason("trace-long")).contains("(256 characters)");
            assertNothingLost(queues, 2);
        }

        @Test
        @DisplayName("priority, deduplicationKey and queue from another producer are carried to the handler as written; "
                + "a whole number written as 2.0 reads as 2")
        void optionsAreCarried() {
            SqsServer.Queues queues = sendAndWork(v1("opts", "wire:json",
                    ",\"options\":{\"maxAttempts\":1,\"timeoutMs\":5000,\"priority\":-7,\"deduplicationKey\":\"order-9\","
                            + "\"queue\":\"default\"}"),
                    v1("opts-floats", "wire:json", ",\"attempt\":0.0,\"options\":{\"maxAttempts\":2.0,"
                            + "\"timeoutMs\":5000.0}"));

            assertThat(ran("opts").job().options()).isEqualTo(new JobOptions(1, Duration.ofSeconds(5), -7, "order-9",
                    "default"));
            assertThat(ran("opts-floats").job().options()).isEqualTo(new JobOptions(2, Duration.ofSeconds(5), 0, null,
                    "default"));
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("on SQS the queue a message arrives on runs it: 'queue' naming another is carried, not followed")
        void theQueueItArrivedOnRunsIt() {
            SqsServer.Queues queues = sendAndWork(v1("elsewhere", "wire:json", ",\"options\":{\"queue\":\"emails\"}"));

            assertThat(ran("elsewhere").job().options().queue()).isEqualTo("emails");
            assertThat(workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals("elsewhere")).queue())
                    .isEqualTo("default");
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("deduplicationKey in another producer's message is carried, not enforced: on SQS the producer's "
                + "MessageDeduplicationId (FIFO) is what deduplicates")
        void deduplicationKeyIsCarriedNotEnforced() {
            SqsServer.Queues queues = sendAndWork(
                    v1("same-key-1", "wire:json", ",\"options\":{\"deduplicationKey\":\"order-9\"}"),
                    v1("same-key-2", "wire:json", ",\"options\":{\"deduplicationKey\":\"order-9\"}"));

            assertThat(ran("same-key-1").job().options().deduplicationKey()).isEqualTo("order-9");
            assertThat(ran("same-key-2").job().options().deduplicationKey()).isEqualTo("order-9");
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("timeoutMs and maxAttempts as large as their types hold (a JavaScript producer's "
                + "Number.MAX_SAFE_INTEGER for 'no limit') run, the timeout cut to the 11h59m SQS can hold a job")
        void largestLimitsRun() {
            SqsServer.Queues queues = sendAndWork(
                    v1("no-limit", "wire:json", ",\"options\":{\"timeoutMs\":9007199254740991,\"maxAttempts\":2147483647}"),
                    v1("long-limit", "wire:json", ",\"options\":{\"timeoutMs\":9223372036854775807}"));

            assertThat(ran("no-limit").job().options().timeout()).isEqualTo(Lease.MAX_TIMEOUT);
            assertThat(ran("no-limit").job().options().maxAttempts()).isEqualTo(Integer.MAX_VALUE);
            assertThat(ran("long-limit").job().options().timeout()).isEqualTo(Lease.MAX_TIMEOUT);
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("unknown fields are ignored, at the top level and inside options")
        void unknownFieldsAreIgnored() {
            SqsServer.Queues queues = sendAndWork(v1("unknown", "wire:json",
                    ",\"tenant\":{\"id\":[1,2,{\"deep\":null}]},\"options\":{\"backoffMs\":2500,\"maxAttempts\":4},"
                            + "\"envelopeVersion2\":true"));

            assertThat(ran("unknown").job().options().maxAttempts()).isEqualTo(4);
            assertNothingLost(queues, 0);
        }
    }

    @Nested
    @DisplayName("version 0: ChaasKit messages")
    class VersionZero {


        @Test
        @DisplayName("version 0: the page's ChaasKit example runs with maxRetries as maxAttempts and timeout as timeoutMs, "
                + "and so does a version-1 message that kept those names")
        void versionZeroExample() {
            String example = docExample("## Version 0: ChaasKit messages");
            SqsServer.Queues queues = sendAndWork(example,
                    "{\"jobId\":\"v0-new-names\",\"type\":\"wire:json\",\"options\":{\"maxAttempts\":2,\"timeoutMs\":700,"
                            + "\"queue\":\"default\"},\"attempts\":1," + CREATED + "}",
                    "{\"jobId\":\"v0-attempt\",\"type\":\"wire:json\",\"options\":{\"maxRetries\":4},\"attempt\":2,"
                            + CREATED + "}",
                    "{\"type\":\"wire:json\"," + CREATED + "}",
                    "{\"jobId\":\"v0-zero\",\"type\":\"wire:json\",\"options\":{\"maxRetries\":0}," + CREATED + "}",
                    v1("v0-names-in-v1", "wire:json", ",\"options\":{\"maxRetries\":5,\"timeout\":120000}"));

            Ran webhook = ran("a1b2c3");
            assertThat(webhook.job().payload()).isEqualTo(Map.of("url", "https://example.com/hook"));
            assertThat(webhook.job().options()).isEqualTo(new JobOptions(5, Duration.ofMinutes(1), 0, null, "default"));
            assertThat(ran("v0-new-names").job().options()).isEqualTo(new JobOptions(2, Duration.ofMillis(700), 0, null,
                    "default"));
            assertThat(ran("v0-new-names").job().attempt()).isEqualTo(2);
            assertThat(ran("v0-attempt").job().attempt()).isEqualTo(3);
            assertThat(ran("v0-names-in-v1").job().options()).isEqualTo(new JobOptions(5, Duration.ofMinutes(2), 0, null,
                    "default"));
            assertThat(workers.awaitEvent(JobEvent.Dead.class, e -> e.error().contains("ChaasKit")).error())
                    .contains("ChaasKit-format (version 0) message has no 'jobId'; jobq does not make one up");
            assertThat(deadReason("v0-zero")).contains("'options.maxRetries' must be ≥ 1 (the runs in all, the first "
                    + "included), got 0");
            assertNothingLost(queues, 2);
        }

        @Test
        @DisplayName("version 0: a release at shutdown writes the job again in version 1 (maxRetries as maxAttempts); "
                + "a dead-letter copy keeps the body as it came")
        void versionZeroWrittenAgain() throws InterruptedException {
            String released = "{\"jobId\":\"v0-released\",\"type\":\"wire:block\",\"payload\":{\"n\":1},"
                    + "\"options\":{\"maxRetries\":4,\"timeout\":60000,\"priority\":0,\"deduplicationKey\":null},"
                    + "\"createdAt\":\"2026-11-23T10:00:00.000Z\",\"scheduledFor\":null}";
            String dead = "{\"jobId\":\"v0-dead\",\"type\":\"wire:fail\",\"options\":{\"maxRetries\":1},"
                    + "\"createdAt\":\"2026-11-23T10:00:00.000Z\"}";
            SqsServer.Queues queues = ElasticMq.newQueues("wire-v0", false);
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(dead));
            var started = new CountDownLatch(1);
            JobQueue jobs = workers.open(queues, Map.of(), Duration.ofMillis(100));
            jobs.registerJobHandler("wire:fail", JsonNode.class, (job, ctx) -> {
                throw new IllegalStateException("refused");
            });
            jobs.registerJobHandler("wire:block", JsonNode.class, (job, ctx) -> {
                started.countDown();
                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until the shutdown interrupts it
            });
            jobs.start();
            workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("v0-dead"));
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(released));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            jobs.close();

            assertThat(QueueContents.receive(queues.url(), 5)).singleElement().extracting(Message::body)
                    .isEqualTo("{\"envelopeVersion\":1,\"jobId\":\"v0-released\",\"type\":\"wire:block\","
                            + "\"payload\":{\"n\":1},\"options\":{\"maxAttempts\":4,\"timeoutMs\":60000,\"priority\":0,"
                            + "\"deduplicationKey\":null,\"queue\":\"default\"},\"attempt\":0,"
                            + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"scheduledFor\":null,\"traceId\":null}");
            assertThat(QueueContents.receive(queues.deadLetterUrl(), 5)).singleElement().extracting(Message::body)
                    .isEqualTo(dead);
        }
    }

    @Nested
    @DisplayName("compatibility: newer versions and unreadable bodies")
    class Compatibility {


        @Test
        @DisplayName("a newer envelopeVersion is postponed for a newer worker, then dead on its third delivery with the "
                + "page's reason")
        void newerVersion() {
            SqsServer.Queues queues = sendAndWork("{\"envelopeVersion\":2,\"jobId\":\"v2\",\"type\":\"wire:json\","
                    + "\"payload\":{\"x\":1}," + CREATED + "}");

            JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("v2"));
            assertThat(dead.error()).isEqualTo("job envelope version 2 is newer than this worker reads (up to 1); upgrade "
                    + "the worker's jobq to run it; no worker that reads it took it in 3 deliveries");
            assertThat(workers.all(JobEvent.Failed.class, e -> e.jobId().equals("v2"))).hasSize(2);
            assertThat(ran).doesNotContainKey("v2");
            assertNothingLost(queues, 1);
        }

        @Test
        @DisplayName("not JSON, not an object, encoded twice, or another system's object: dead at once with the reason "
                + "and the body's start")
        void unreadableBodies() {
            SqsServer.Queues queues = sendAndWork("hello", "\"hello\"", "[]", "null", "{}",
                    "{\"job\":\"Illuminate\\\\Queue\\\\CallQueuedHandler@call\",\"data\":{}}",
                    "{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:eu-west-1:123:jobs\",\"Message\":\"{}\"}",
                    "\"" + v1("twice", "wire:json", "").replace("\"", "\\\"") + "\"");

            List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 8);
            assertThat(dead).filteredOn(e -> e.jobId().equals("twice")).singleElement()
                    .satisfies(e -> assertThat(e.type()).isEqualTo("wire:json"))
                    .satisfies(e -> assertThat(e.error()).contains("message body is a JSON string holding a JSON "
                            + "object, not the job envelope object itself: the envelope was encoded twice"));
            List<String> reasons = dead.stream().map(JobEvent.Dead::error).toList();
            assertThat(reasons).anySatisfy(r -> assertThat(r).contains("message body is not JSON"))
                    .anySatisfy(r -> assertThat(r).contains("message body is the string \"hello\", not a job envelope object"))
                    .anySatisfy(r -> assertThat(r).contains("message body is an array, not a job envelope object"))
                    .anySatisfy(r -> assertThat(r).contains("message body is null, not a job envelope object"))
                    .anySatisfy(r -> assertThat(r).contains("it has no 'jobId', 'type' or 'createdAt' (it is empty)"))
                    .anySatisfy(r -> assertThat(r).contains("(its fields: job, data); body starts with: {\"job\":"))
                    .anySatisfy(r -> assertThat(r).contains("(RawMessageDelivery=true)"));
            assertNothingLost(queues, 8);
        }
    }

    @Nested
    @DisplayName("SQS message attributes and FIFO groups")
    class AttributesAndFifo {


        @Test
        @DisplayName("the body is authoritative: JobId and JobType attributes that disagree with it do not change the job")
        void bodyOverAttributes() {
            SqsServer.Queues queues = ElasticMq.newQueues("wire", false);
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(v1("body-id", "wire:json", ""))
                    .messageAttributes(Map.of("JobId", OutgoingMessage.string("attribute-id"),
                            "JobType", OutgoingMessage.string("nobody:handles"))));
            work(queues);

            assertThat(ran("body-id").job().type()).isEqualTo("wire:json");
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("FIFO: messages another producer sends in one group run in the order sent")
        void fifoGroupOrder() {
            SqsServer.Queues queues = ElasticMq.newQueues("wire-fifo", true);
            for (int i = 0; i < 5; i++) {
                String id = "fifo-" + i;
                ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(v1(id, "wire:json", ""))
                        .messageGroupId("customer-1").messageDeduplicationId(id));
            }
            work(queues);

            List<String> order = workers.awaitEvents(JobEvent.Completed.class, e -> true, 5).stream()
                    .map(JobEvent.Completed::jobId).toList();
            assertThat(order).containsExactly("fifo-0", "fifo-1", "fifo-2", "fifo-3", "fifo-4");
            assertNothingLost(queues, 0);
        }
    }

    @Nested
    @DisplayName("edge payloads a JavaScript or Python producer sends")
    class EdgePayloads {


        @Test
        @DisplayName("text: emoji as UTF-8 and as a surrogate pair escape, an escaped NUL, and a lone surrogate escape "
                + "(JSON.stringify writes one for text cut inside an emoji) reach the handler as those characters")
        void unicodeEdges() {
            SqsServer.Queues queues = sendAndWork(
                    v1("u-raw", "wire:text", ",\"payload\":{\"text\":\"🎉 ünï 𝄞\"}"),
                    v1("u-escaped", "wire:text", ",\"payload\":{\"text\":\"\\ud83c\\udf89\"}"),
                    v1("u-nul", "wire:text", ",\"payload\":{\"text\":\"a\\u0000b\"}"),
                    v1("u-lone", "wire:text", ",\"payload\":{\"text\":\"cut \\ud83d\"}"));

            assertThat(ran("u-raw").job().payload()).isEqualTo(new Text("🎉 ünï 𝄞"));
            assertThat(ran("u-escaped").job().payload()).isEqualTo(new Text("🎉"));
            assertThat(ran("u-nul").job().payload()).isEqualTo(new Text("a\u0000b"));
            assertThat(ran("u-lone").job().payload()).isEqualTo(new Text("cut \ud83d"));
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("numbers: beyond 2^53 into a long and beyond a long into a BigInteger keep every digit, -0 stays "
                + "negative, 1e400 into a BigDecimal is exact; a number a long cannot hold is dead, naming the field")
        void numberEdges() {
            SqsServer.Queues queues = sendAndWork(
                    v1("n-ok", "wire:numbers", ",\"payload\":{\"beyondDoubles\":9007199254740993,"
                            + "\"beyondLong\":123456789012345678901234567890,\"negativeZero\":-0,\"huge\":1e400}"),
                    v1("n-float-zero", "wire:numbers", ",\"payload\":{\"negativeZero\":-0.0}"),
                    v1("n-overflow", "wire:numbers", ",\"payload\":{\"beyondDoubles\":18446744073709551616}"),
                    v1("n-json", "wire:json", ",\"payload\":[9007199254740993,1e400,-0]"));

            Numbers numbers = (Numbers) ran("n-ok").job().payload();
            assertThat(numbers.beyondDoubles()).isEqualTo(9007199254740993L);
            assertThat(numbers.beyondLong()).isEqualTo(new BigInteger("123456789012345678901234567890"));
            assertThat(numbers.huge()).isEqualTo(new BigDecimal("1e400"));
            assertThat(Double.doubleToRawLongBits(((Numbers) ran("n-float-zero").job().payload()).negativeZero()))
                    .isEqualTo(Double.doubleToRawLongBits(-0.0));
            JsonNode json = (JsonNode) ran("n-json").job().payload();
            assertThat(json.get(0).longValue()).isEqualTo(9007199254740993L);
            assertThat(deadReason("n-overflow")).startsWith("payload cannot be read as " + Numbers.class.getName())
                    .contains("beyondDoubles").contains("18446744073709551616");
            assertNothingLost(queues, 1);
        }

        @Test
        @DisplayName("nesting: a payload 1000 levels deep runs; one deeper is dead at once with a reason that names the limit")
        void deepNesting() {
            SqsServer.Queues queues = sendAndWork(
                    v1("deep-1000", "wire:json", ",\"payload\":" + "[".repeat(1000) + "]".repeat(1000)),
                    v1("deep-1001", "wire:json", ",\"payload\":" + "[".repeat(1001) + "]".repeat(1001)),
                    v1("deep-5000", "wire:json", ",\"payload\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000)));

            JsonNode deep = (JsonNode) ran("deep-1000").job().payload();
            assertThat(deep.isArray()).isTrue();
            assertThat(deadReason("deep-1001")).contains("message body is nested more than 1001 levels deep, "
                    + "deeper than jobq reads: a payload may be nested up to 1000 levels (docs/wire-format.md, Payload "
                    + "binding); send a flatter payload");
            assertThat(deadReason("deep-5000")).contains("message body is nested more than 1001 levels deep");
            assertNothingLost(queues, 2);
        }

        @Test
        @DisplayName("size: a message just under SQS's 1 MiB runs, its payload whole")
        void nearTheSizeLimit() {
            String start = "{\"envelopeVersion\":1,\"jobId\":\"big\",\"type\":\"wire:text\"," + CREATED
                    + ",\"payload\":{\"text\":\"";
            int room = 1024 * 1024 - 4 * 1024 - start.length() - 3;
            SqsServer.Queues queues = sendAndWork(start + "é".repeat(room / 2) + "\"}}");

            assertThat(((Text) ran("big").job().payload()).text()).hasSize(room / 2);
            assertNothingLost(queues, 0);
        }

        @Test
        @DisplayName("a dead message of SQS's full 1 MiB, and dead messages whose id, type or reason hold characters SQS "
                + "refuses raw (escaped in their JSON), are all dead-lettered: none comes back")
        void deadLettersOfEveryShapeAreWritten() {
            String start = "{\"envelopeVersion\":1,\"jobId\":\"full\",\"type\":\"nobody:handles\"," + CREATED
                    + ",\"payload\":\"";
            String full = start + "x".repeat(1024 * 1024 - start.length() - 2) + "\"}";
            String emojiAt80 = "{\"envelopeVersion\":1,\"jobId\":\"" + "e".repeat(48) + "\",\"type\":\"🎉🎉🎉\",\"x\":1";
            SqsServer.Queues queues = sendAndWork(full,
                    "{\"envelopeVersion\":1,\"jobId\":\"nul\\u0000id\",\"type\":\"a\\u0000b\"," + CREATED + "}",
                    "{\"envelopeVersion\":1,\"jobId\":\"lone\",\"type\":\"cut \\ud83d\"," + CREATED + "}",
                    v1("bad-trace", "wire:json", ",\"traceId\":\"\\u0000\\ud83d\""),
                    emojiAt80 + ",\"createdAt\":\"🎉\"}");

            List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 5);
            assertThat(dead).extracting(JobEvent.Dead::jobId).contains("full", "nul\u0000id", "lone", "bad-trace");
            assertNothingLost(queues, 5);
        }

        @Test
        @DisplayName("a body with a byte order mark before its JSON is dead at once with a reason that names the mark")
        void byteOrderMark() {
            SqsServer.Queues queues = sendAndWork("\uFEFF" + v1("bom", "wire:json", ""));

            assertThat(deadReason("bom")).contains("message body starts with a byte order mark (U+FEFF), which JSON sent "
                    + "between systems must not have (RFC 8259, section 8.1): send the JSON without it");
            assertNothingLost(queues, 1);
        }
    }

    @Nested
    @DisplayName("the other way: what jobq writes, as a consumer in another language reads it")
    class WhatJobqWrites {


        record Invoice(String number, Instant issuedAt, BigDecimal total) {
        }

        @Test
        @DisplayName("jobq writes the envelope compact, fields in the page's order, nulls written, createdAt in UTC "
                + "ISO-8601, java.time payload fields as ISO-8601 text, with the JobId and JobType attributes")
        void whatJobqWrites() {
            SqsServer.Queues queues = ElasticMq.newQueues("wire-out", false);
            JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
            Instant before = Instant.now();
            String id = jobs.enqueue("invoice:send", new Invoice("F-1", Instant.parse("2026-11-23T10:00:00Z"),
                    new BigDecimal("12.50")), EnqueueOptions.builder().maxAttempts(5).timeout(Duration.ofSeconds(10))
                    .traceId("trace-1").build());
            String delayed = jobs.enqueue("invoice:send", null, EnqueueOptions.builder().delay(Duration.ofSeconds(1))
                    .build());

            List<Message> messages = new ArrayList<>(QueueContents.receive(queues.url(), 5));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                messages.addAll(QueueContents.receive(queues.url(), 1));
                return messages.size() == 2;
            });
            Message first = messages.stream().filter(m -> m.body().contains(id)).findFirst().orElseThrow();
            String createdAt = first.body().replaceAll(".*\"createdAt\":\"([^\"]*)\".*", "$1");
            assertThat(first.body()).isEqualTo("{\"envelopeVersion\":1,\"jobId\":\"" + id + "\",\"type\":\"invoice:send\","
                    + "\"payload\":{\"number\":\"F-1\",\"issuedAt\":\"2026-11-23T10:00:00Z\",\"total\":12.50},"
                    + "\"options\":{\"maxAttempts\":5,\"timeoutMs\":10000,\"priority\":0,\"deduplicationKey\":null,"
                    + "\"queue\":\"default\"},\"attempt\":0,\"createdAt\":\"" + createdAt + "\",\"scheduledFor\":null,"
                    + "\"traceId\":\"trace-1\"}");
            assertThat(createdAt).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3}|\\.\\d{6}|\\.\\d{9})?Z");
            assertThat(Instant.parse(createdAt)).isBetween(before, Instant.now());
            assertThat(QueueContents.attribute(first, "JobId")).isEqualTo(id);
            assertThat(QueueContents.attribute(first, "JobType")).isEqualTo("invoice:send");

            Message second = messages.stream().filter(m -> m.body().contains(delayed)).findFirst().orElseThrow();
            assertThat(second.body()).contains("\"payload\":null,").contains("\"traceId\":null}");
            String secondCreated = second.body().replaceAll(".*\"createdAt\":\"([^\"]*)\".*", "$1");
            String scheduledFor = second.body().replaceAll(".*\"scheduledFor\":\"([^\"]*)\".*", "$1");
            assertThat(Instant.parse(scheduledFor)).isEqualTo(Instant.parse(secondCreated).plusSeconds(1));
        }
    }


    /**
     * The first {@code json} block under {@code heading} in docs/wire-format.md, as printed: the page's example is what a
     * producer in another language copies, so the test sends the page's text, not a copy of it that the page can leave.
     */
    private static String docExample(String heading) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/wire-format.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("a directory above %s with docs/wire-format.md", Path.of("").toAbsolutePath()).isNotNull();
        String page;
        try {
            page = Files.readString(dir.resolve("docs/wire-format.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int section = page.indexOf("\n" + heading + "\n");
        assertThat(section).as("heading '%s' in docs/wire-format.md", heading).isNotNegative();
        int open = page.indexOf("```json\n", section);
        assertThat(open).as("a json block under '%s'", heading).isNotNegative();
        int from = open + "```json\n".length();
        return page.substring(from, page.indexOf("```", from));
    }

    /** A version-1 envelope of {@code type} with the example's createdAt and {@code more} (",field":value…). */
    private static String v1(String jobId, String type, String more) {
        return "{\"envelopeVersion\":1,\"jobId\":\"" + jobId + "\",\"type\":\"" + type + "\"," + CREATED + more + "}";
    }

    private static String withCreatedAt(String jobId, String createdAt) {
        return "{\"envelopeVersion\":1,\"jobId\":\"" + jobId + "\",\"type\":\"wire:json\",\"createdAt\":" + createdAt
                + "}";
    }

    /** Sends each body as written with the SDK's SendMessage to a new standard queue, and starts a worker on it. */
    private SqsServer.Queues sendAndWork(String... bodies) {
        SqsServer.Queues queues = ElasticMq.newQueues("wire", false);
        for (String body : bodies) {
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        }
        work(queues);
        return queues;
    }

    /** A worker on {@code queues} with handlers that record what they saw; no retry delay. */
    private void work(SqsServer.Queues queues) {
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> record(job, ctx.traceId()));
        jobs.registerJobHandler("webhook:send", Object.class, (job, ctx) -> record(job, ctx.traceId()));
        jobs.registerJobHandler("wire:json", JsonNode.class, (job, ctx) -> record(job, ctx.traceId()));
        jobs.registerJobHandler("wire:text", Text.class, (job, ctx) -> record(job, ctx.traceId()));
        jobs.registerJobHandler("wire:numbers", Numbers.class, (job, ctx) -> record(job, ctx.traceId()));
        jobs.start();
    }

    private void record(Job<?> job, Optional<String> traceId) {
        ran.put(job.id(), new Ran(job, traceId, MDC.get("traceId")));
    }

    private Ran ran(String jobId) {
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(jobId));
        return ran.get(jobId);
    }

    /** The reason of the job's dead letter, which came on its first delivery. */
    private String deadReason(String jobId) {
        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(jobId));
        assertThat(dead.attempt()).as("the delivery %s was dead-lettered on", jobId).isEqualTo(1);
        return dead.error();
    }

    /** The live queue is empty and the dead-letter queue holds {@code dead} messages: nothing looped or vanished. */
    private static void assertNothingLost(SqsServer.Queues queues, int dead) {
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
        assertThat(QueueContents.total(queues.deadLetterUrl())).as("dead letters").isEqualTo(dead);
    }

}

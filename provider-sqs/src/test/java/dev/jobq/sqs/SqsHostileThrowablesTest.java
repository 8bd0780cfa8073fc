package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Secrets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * What users' handlers and listeners really throw, on a real SQS server (ElasticMQ): each job ends in the
 * dead-letter queue with a bounded reason SQS takes, none waits out its visibility timeout, the worker goes on.
 */
@DisplayName("SQS: handlers and listeners that throw unusual things (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsHostileThrowablesTest {

    private final WorkerQueues workers = new WorkerQueues();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler before;

    @BeforeEach
    void recordUncaught() {
        before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
    }

    @AfterEach
    void closeQueues() {
        workers.close();
        Thread.setDefaultUncaughtExceptionHandler(before);
    }

    static final class NeitherExceptionNorError extends Throwable {
        NeitherExceptionNorError(String message) {
            super(message);
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** Waits for {@code count} events of a kind, with Awaitility's catching of uncaught exceptions off. */
    private <E extends JobEvent> List<E> awaitEvents(Class<E> kind, int count) {
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> workers.all(kind, e -> true).size() >= count);
        return workers.all(kind, e -> true);
    }

    @Test
    @DisplayName("a Throwable neither Exception nor Error, a stack overflow, a 10 MB message with control characters "
            + "and 10,000 causes each end in the dead-letter queue with a bounded reason; a plain job still runs")
    void unusualThrowablesAreDeadLettered() {
        SqsServer.Queues queues = ElasticMq.newQueues("hostile", false);
        // A lease longer than the waits: a job left unsettled would not come back in time.
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "60s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("odd", String.class, (job, ctx) -> sneakyThrow(new NeitherExceptionNorError("odd")));
        jobs.registerJobHandler("overflow", String.class, (job, ctx) -> recurse(0));
        jobs.registerJobHandler("huge", String.class, (job, ctx) -> {
            throw new IllegalStateException("first line\n\u0000\u001b[31m" + "x".repeat(10_000_000));
        });
        jobs.registerJobHandler("deep", String.class, (job, ctx) -> {
            RuntimeException e = new RuntimeException("root");
            for (int i = 0; i < 10_000; i++) {
                e = new RuntimeException("level " + i, e);
            }
            throw e;
        });
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", String.class, (job, ctx) -> ok.incrementAndGet());
        jobs.start();
        Map<String, String> types = new HashMap<>();
        for (String type : List.of("odd", "overflow", "huge", "deep")) {
            types.put(jobs.enqueue(type, "p", EnqueueOptions.builder().maxAttempts(2).build()), type);
        }

        // Before, "odd" and "deep" never settled (they came back after the 60 s lease), and "huge" went whole into
        // the Dead event and the log.
        assertThat(awaitEvents(JobEvent.Dead.class, 4)).allSatisfy(dead -> assertThat(dead.error()).hasSizeLessThan(2_200));
        jobs.enqueue("ok", "p");
        awaitEvents(JobEvent.Completed.class, 1);
        assertThat(ok).hasValue(1);

        Map<String, String> reasons = new HashMap<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (Message copy : QueueContents.receive(queues.deadLetterUrl(), 1)) {
                reasons.put(types.get(QueueContents.attribute(copy, OutgoingMessage.JOB_ID)),
                        QueueContents.attribute(copy, DeadLetterCopies.ERROR));
            }
            return reasons.size() == 4;
        });
        assertThat(reasons).containsEntry("odd", "NeitherExceptionNorError: odd (attempt 2 of 2)")
                .containsEntry("overflow", "StackOverflowError (attempt 2 of 2)")
                .containsEntry("deep", "RuntimeException: level 9999 (caused by RuntimeException: root) (attempt 2 of 2)");
        assertThat(reasons.get("huge")).startsWith("IllegalStateException: first line\\n\\u0000\\u001b[31mxxx")
                .hasSizeLessThanOrEqualTo(DeadLetterCopies.MAX_ERROR_CHARS + 1);
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("an error made of control characters is cut before an escape, never inside one: the copy's JobqError "
            + "ended in a backslash, a u and part of a code")
    void errorOfControlCharactersIsCutBeforeAnEscape() {
        SqsServer.Queues queues = ElasticMq.newQueues("hostile-escapes", false);
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "60s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("controls", String.class, (job, ctx) -> {
            throw new IllegalStateException("\u0001".repeat(2_000));
        });
        jobs.start();

        jobs.enqueue("controls", "p", EnqueueOptions.builder().maxAttempts(1).build());

        awaitEvents(JobEvent.Dead.class, 1);
        List<String> reasons = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (Message copy : QueueContents.receive(queues.deadLetterUrl(), 1)) {
                reasons.add(QueueContents.attribute(copy, DeadLetterCopies.ERROR));
            }
            return !reasons.isEmpty();
        });
        // 23 + 162 × 6 = 995 characters: the next escape would end at 1001, past the cut at 1000
        assertThat(reasons).containsExactly("IllegalStateException: " + "\\u0001".repeat(162) + "…");
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("an error cut to fit a copy one byte over the dead-letter queue's size ends before an escape, never "
            + "inside one: it ended in a backslash, a u and part of a code")
    void aDeadLetterCopyCutToTheQueueSizeNeverEndsInsideAnEscape() {
        SqsServer.Queues queues = ElasticMq.newQueues("hostile-fit", false);
        int limit = 256 * 1024;
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), limit);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), limit);
        String error = "IllegalStateException: " + "\\u0001".repeat(162) + "…"; // 998 bytes, cut after 1000 characters
        // The copy's attributes with the shortest JobqDeadAt an instant of this century has; a longer one is over by more
        Map<String, MessageAttributeValue> attributes = Map.of(DeadLetterCopies.ERROR, OutgoingMessage.string(error),
                DeadLetterCopies.ATTEMPTS, OutgoingMessage.number(1),
                DeadLetterCopies.SOURCE_QUEUE, OutgoingMessage.string(Secrets.maskUrl(queues.url())),
                DeadLetterCopies.DEAD_AT, OutgoingMessage.string("2026-12-07T15:20:00Z"));
        String start = "{\"envelopeVersion\":1,\"jobId\":\"fit-1\",\"type\":\"controls\","
                + "\"createdAt\":\"2026-12-07T10:00:00Z\",\"options\":{\"maxAttempts\":1},\"payload\":\"";
        int bodyBytes = limit + 1 - OutgoingMessage.attributesSize(attributes);
        String body = start + "x".repeat(bodyBytes - start.length() - 2) + "\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "60s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("controls", String.class, (job, ctx) -> {
            throw new IllegalStateException("\u0001".repeat(400));
        });
        jobs.start();

        awaitEvents(JobEvent.Dead.class, 1);
        List<String> reasons = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (Message copy : QueueContents.receive(queues.deadLetterUrl(), 1)) {
                reasons.add(QueueContents.attribute(copy, DeadLetterCopies.ERROR));
            }
            return !reasons.isEmpty();
        });
        // Over by 1, 5, 8 or 11 bytes (as JobqDeadAt is 20, 24, 27 or 30 characters): each cut ended inside an escape
        assertThat(reasons).singleElement().asString().isNotEqualTo(error)
                .matches("IllegalStateException: (\\\\u0001){158,161}…");
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("a listener overflowing its stack on Started and Failed keeps no retry from SQS: the next attempt "
            + "runs at once, not after the visibility timeout")
    void listenerOverflowingItsStackKeepsNoRetryFromSqs() {
        SqsServer.Queues queues = ElasticMq.newQueues("listener-overflow", false);
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "60s"), Duration.ofSeconds(5));
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Started || event instanceof JobEvent.Failed) {
                recurse(0);
            }
        });
        var runs = new AtomicInteger();
        jobs.registerJobHandler("flaky", String.class, (job, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt");
            }
        });
        jobs.start();
        jobs.enqueue("flaky", "p");

        // Before, the retry was never told to SQS (the message came back after 60 s), or the attempt never settled.
        assertThat(awaitEvents(JobEvent.Completed.class, 1).get(0).attempt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.url()) == 0);
    }

    @Test
    @DisplayName("a handler that leaves its thread's interrupt flag set (restored after catching an interrupt) is "
            + "still acknowledged, and its failure still told to SQS")
    void handlerLeavingItsInterruptFlagSet() {
        SqsServer.Queues queues = ElasticMq.newQueues("interrupt-flag", false);
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "60s"), Duration.ofSeconds(5));
        var runs = new AtomicInteger();
        jobs.registerJobHandler("flag", String.class, (job, ctx) -> {
            Thread.currentThread().interrupt(); // as a library does that caught an InterruptedException
            if (job.payload().equals("fails") && runs.incrementAndGet() == 1) {
                throw new IllegalStateException("the library gave up");
            }
        });
        jobs.start();
        jobs.enqueue("flag", "returns");
        jobs.enqueue("flag", "fails");

        assertThat(awaitEvents(JobEvent.Completed.class, 2)).extracting(JobEvent.Completed::attempt)
                .containsExactlyInAnyOrder(1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.url()) == 0);
    }
}

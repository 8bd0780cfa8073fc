package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.BulkEnqueueException;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Batch calls of which SQS fails some entries. ElasticMQ fails no entry for a server-side reason, so
 * those failures come from {@link BatchEntryFaults}, an SDK interceptor that takes the entry out of
 * the real request (ElasticMQ never sees it) and reports it failed in the real response.
 */
@DisplayName("SQS batch entries that fail (ElasticMQ, entry failures injected by an SDK interceptor)")
@ExtendWith(ElasticMq.class)
class SqsBatchEntryFailuresTest {

    private final WorkerQueues workers = new WorkerQueues();
    private SqsServer.Queues queues;

    private JobQueue watched(String prefix) {
        return watched(prefix, false);
    }

    private JobQueue watched(String prefix, boolean fifo) {
        queues = ElasticMq.newQueues(prefix, fifo);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue(prefix + "-scratch-" + System.nanoTime()
                + (fifo ? ".fifo" : ""), Map.of()));
        return workers.open(queues, Map.of(), Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        workers.close();
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("an enqueue whose entry SQS fails with InternalError is sent again after a backoff, and stored once")
    void serverSideEntryFailureOfAnEnqueueIsRetried() {
        JobQueue jobs = watched("entry-retry");
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("flaky"), "InternalError",
                false, 2);

        String id = jobs.enqueue("mail:send", "flaky");

        assertThat(jobIdsOn(queues.url())).containsExactly(id);
        List<BatchEntryFaults.Call> sends = BatchEntryFaults.calls(queues.url()).stream()
                .filter(c -> c.operation().equals("SendMessageBatch")).toList();
        assertThat(sends).extracting(BatchEntryFaults.Call::faulted).containsExactly(1, 1, 0);
        assertThat(Duration.ofNanos(sends.get(1).nanos() - sends.get(0).nanos())).as("backoff before the first retry")
                .isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }

    @Test
    @DisplayName("a newer envelope whose postponement SQS refuses is reported as coming back after its visibility "
            + "timeout, as it does, in one WARN that says the postponement failed")
    void aRefusedPostponementIsReportedAsItHappened() {
        queues = ElasticMq.newQueues("entry-postpone", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("entry-postpone-scratch-" + System.nanoTime(),
                Map.of()));
        String body = "{\"envelopeVersion\":99,\"jobId\":\"from-the-future\",\"type\":\"email:send\",\"payload\":\"x\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        // A first delivery that another worker gave up on at once: the provider's is the second, postponed 2 × 30 s.
        Message first = ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5))
                .messages().getFirst();
        ElasticMq.client().changeMessageVisibility(r -> r.queueUrl(queues.url()).receiptHandle(first.receiptHandle())
                .visibilityTimeout(0));
        // As SQS answers a worker without sqs:ChangeMessageVisibility.
        BatchEntryFaults.arm(queues.url(), "ChangeMessageVisibilityBatch", BatchEntryFaults.any(), "AccessDenied", true,
                1);
        var events = new CopyOnWriteArrayList<JobEvent>();
        var logger = (Logger) LoggerFactory.getLogger(IncomingMessages.class);
        var logged = new CapturedLog();
        logged.start();
        logger.addAppender(logged);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s"))),
                Clock.systemUTC(), events::add))) {
            assertThat(provider.receive(1, Duration.ofSeconds(1))).isEmpty();
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(events).singleElement().isInstanceOfSatisfying(JobEvent.Failed.class, failed -> {
            assertThat(failed.attempt()).isEqualTo(2);
            assertThat(failed.retryIn()).as("when the job comes back: its receive's visibility timeout")
                    .isEqualTo(Duration.ofSeconds(30));
        });
        // This queue's only: test classes run side by side in this JVM, and their workers log through the same logger.
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(message -> message.contains(queues.url())).singleElement().asString().contains("from-the-future", "postponing it 60 s for a newer worker failed",
                        "comes back after its visibility timeout, 30 s").doesNotContain("postponed 60 s");
    }

    @Test
    @DisplayName("an enqueue whose entry SQS refuses as the sender's fault fails at once, naming the job and the code")
    void senderFaultEntryFailureIsReportedAtOnce() {
        JobQueue jobs = watched("entry-sender");
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("refused"),
                "InvalidMessageContents", true, 5);

        assertThatThrownBy(() -> jobs.enqueue("mail:send", "refused"))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("of type 'mail:send' to SQS queue 'default'")
                .hasMessageContaining("InvalidMessageContents")
                .hasMessageMatching("(?s).*sending job [0-9a-f-]{36} .*");
        assertThat(BatchEntryFaults.calls(queues.url())).as("not sent again").hasSize(1);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("an enqueue refused with a code holding a line break and an ESC, as a server that is not SQS may "
            + "answer, fails with that code escaped, on one line")
    void refusedEnqueueNamesTheAnsweredCodeEscaped() {
        JobQueue jobs = watched("entry-forged");
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.any(),
                "InvalidMessageContents\n\u001b[31mERROR forged line", true, 5);

        assertThatThrownBy(() -> jobs.enqueue("mail:send", "refused"))
                .isInstanceOf(JobQueueException.class)
                .hasMessageEndingWith(" failed: SendMessage failed: InvalidMessageContents\\n\\u001b[31mERROR "
                        + "forged line: injected by the test's BatchEntryFaults")
                .message().doesNotContain("\n", "\u001b");
    }

    @Test
    @DisplayName("an enqueue whose entry SQS keeps failing on its side fails after four attempts, saying so")
    void serverSideEntryFailureGivesUpAfterFourAttempts() {
        JobQueue jobs = watched("entry-exhausted");
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.any(), "ServiceUnavailable", false, 10);

        assertThatThrownBy(() -> jobs.enqueue("mail:send", "never"))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("ServiceUnavailable")
                .hasMessageContaining("tried 4 times");
        assertThat(BatchEntryFaults.calls(queues.url())).hasSize(QueueCalls.MAX_ENTRY_ATTEMPTS);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("enqueueAll with one entry refused and one failing once: the refused job is named, every other is stored and reported")
    void enqueueAllReportsEachEntry() {
        JobQueue jobs = watched("entry-bulk");
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("bad-7"),
                "InvalidMessageContents", true, 5);
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("flaky-3"),
                "ServiceUnavailable", false, 1);
        List<String> payloads = IntStream.range(0, 12)
                .mapToObj(i -> i == 7 ? "bad-7" : i == 3 ? "flaky-3" : "ok-" + i).toList();

        BulkEnqueueException refused = (BulkEnqueueException) catchThrowable(() -> jobs.enqueueAll("mail:send", payloads));

        assertThat(refused).isNotNull();
        assertThat(refused.failedIndexes()).containsExactly(7);
        assertThat(refused.getMessage()).contains("1 of 12 jobs", "InvalidMessageContents");
        List<String> accepted = refused.jobIds().stream().filter(Objects::nonNull).toList();
        assertThat(accepted).hasSize(11);
        assertThat(refused.jobIds().get(7)).isNull();
        assertThat(jobIdsOn(queues.url())).containsExactlyInAnyOrderElementsOf(accepted);
    }

    @Test
    @DisplayName("enqueueAll on a FIFO queue with one job refused sends none of its group after it: the order holds")
    void fifoEnqueueAllStopsAGroupAtItsFirstRefusedJob() {
        JobQueue jobs = watched("entry-fifo", true);
        BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("p-2"),
                "InvalidMessageContents", true, 5);

        BulkEnqueueException refused = (BulkEnqueueException) catchThrowable(() -> jobs.enqueueAll("ledger:post", List.of("p-0", "p-1", "p-2", "p-3", "p-4")));

        assertThat(refused).isNotNull();
        assertThat(refused.failedIndexes()).containsExactly(2, 3, 4);
        assertThat(refused.getSuppressed()).hasSize(2).allSatisfy(later -> assertThat(later.getMessage())
                .contains("before it in message group", "was not enqueued"));
        assertThat(jobIdsOn(queues.url())).containsExactlyElementsOf(refused.jobIds().subList(0, 2));
    }

    @Test
    @DisplayName("an acknowledgement whose delete SQS fails once with ServiceUnavailable is sent again: the job runs once")
    void serverSideEntryFailureOfAnAcknowledgementIsRetried() {
        JobQueue jobs = watched("entry-ack");
        jobs.registerJobHandler("mail:send", String.class, (payload, ctx) -> { });
        BatchEntryFaults.arm(queues.url(), "DeleteMessageBatch", BatchEntryFaults.any(), "ServiceUnavailable", false, 1);
        String id = jobs.enqueue("mail:send", "once");
        jobs.start();

        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> QueueContents.total(queues.url()) == 0);

        assertThat(workers.all(JobEvent.Started.class, e -> e.jobId().equals(id))).as("runs").hasSize(1);
        assertThat(BatchEntryFaults.calls(queues.url()).stream().filter(c -> c.operation().equals("DeleteMessageBatch")))
                .extracting(BatchEntryFaults.Call::faulted).containsExactly(1, 0);
    }

    @Test
    @DisplayName("a visibility change SQS fails with InternalError is retried; a lost receipt (a sender fault) is not")
    void visibilityChangesRetryOnlyServerSideFailures() {
        SqsServer.Queues own = ElasticMq.newQueues("entry-visibility", false);
        BatchEntryFaults.watch(own.url(), ElasticMq.createQueue("entry-visibility-scratch-" + System.nanoTime(), Map.of()));
        try {
            SqsClient client = ElasticMq.client();
            var calls = new QueueCalls(client, new SqsQueue("default", own.url(), false, null, Duration.ofSeconds(30),
                    1 << 20), SqsSettings.DEFAULT_REQUEST_TIMEOUT);
            client.sendMessage(r -> r.queueUrl(own.url()).messageBody("{}"));
            Message received = QueueContents.receive(own.url(), 5).get(0);
            BatchEntryFaults.arm(own.url(), "ChangeMessageVisibilityBatch", BatchEntryFaults.any(), "InternalError",
                    false, 1);

            calls.changeVisibility(received.receiptHandle(), 0);

            assertThat(QueueContents.receive(own.url(), 5)).as("visible again at once").hasSize(1);
            assertThatThrownBy(() -> calls.changeVisibility("not-a-receipt", 0))
                    .isInstanceOf(EntryFailure.class).hasMessageContaining("ChangeMessageVisibility");
            assertThat(BatchEntryFaults.calls(own.url())).extracting(BatchEntryFaults.Call::faulted)
                    .as("the InternalError retried once; the bad receipt sent once").containsExactly(1, 0, 0);
        } finally {
            BatchEntryFaults.forget(own.url());
        }
    }

    @Test
    @DisplayName("on a FIFO queue a dead job whose delete failed after its copy dies again and is copied again, and the "
            + "dead-letter queue keeps one copy: the copy's deduplication id is dead-<message id>")
    void fifoDeadLetterCopyMadeAgainAfterAFailedDeleteIsStoredOnce() {
        JobQueue jobs = watched("entry-fifo-dead", true);
        jobs.registerJobHandler("ledger:post", String.class, (payload, ctx) -> {
            throw new NonRetryableJobException("rejected by the ledger");
        });
        BatchEntryFaults.arm(queues.url(), "DeleteMessageBatch", BatchEntryFaults.any(), "AccessDenied", true, 1);
        String id = jobs.enqueue("ledger:post", "p-1");
        jobs.start();

        workers.awaitEvents(JobEvent.Dead.class, e -> e.jobId().equals(id), 2);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> QueueContents.total(queues.url()) == 0);

        assertThat(workers.all(JobEvent.Started.class, e -> e.jobId().equals(id))).as("runs").hasSize(2);
        assertThat(jobIdsOn(queues.deadLetterUrl())).as("copies in the dead-letter queue").containsExactly(id);
    }

    private static List<String> jobIdsOn(String url) {
        List<String> ids = new ArrayList<>();
        for (List<Message> got = QueueContents.receive(url, 1); !got.isEmpty(); got = QueueContents.receive(url, 0)) {
            got.forEach(m -> ids.add(QueueContents.attribute(m, OutgoingMessage.JOB_ID)));
        }
        return ids;
    }
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Jobs on a real SQS server (ElasticMQ) run by the real worker: heartbeats, dead letters, shutdown, crashes. */
@DisplayName("SQS provider through the worker (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsWorkerTest {

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    @Test
    @DisplayName("a job running three visibility timeouts long is delivered once: heartbeats extend its lease")
    void longJobIsDeliveredOnce() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("long-job", false);
        // A four-second lease: a heartbeat (every third of it) may come 2.7 s late on a loaded machine.
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "4s"), Duration.ofSeconds(5));
        var work = new CountDownLatch(1);
        var runs = new AtomicInteger();
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            runs.incrementAndGet();
            // The job's work: twelve seconds, three times the visibility timeout. Nothing counts the latch down.
            assertThat(work.await(12, TimeUnit.SECONDS)).isFalse();
        });
        jobs.start();

        String id = jobs.enqueue("report:build", "q3", EnqueueOptions.builder().timeout(Duration.ofSeconds(40)).build());
        JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        jobs.close();

        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(12));
        assertThat(runs).hasValue(1);
        assertThat(workers.all(JobEvent.Started.class, e -> e.jobId().equals(id))).hasSize(1);
        assertThat(QueueContents.total(queues.url())).as("messages left on the queue").isZero();
    }

    @Test
    @DisplayName("a worker with more long polls than the HTTP pool holds still heartbeats: its long job is delivered once")
    void longPollsDoNotStarveHeartbeats() {
        SqsServer.Queues queues = ElasticMq.newQueues("many-polls", false);
        // A four-second lease (a heartbeat may come 2.7 s late on a loaded machine), shorter than the ten-second
        // long polls a starved heartbeat would wait behind.
        Map<String, Object> settings = ElasticMq.settings(queues, Map.of("visibilityTimeout", "4s", "waitTime", "10s"));
        // concurrency 700: seventy poll loops, each with a ten-second long poll on the wire
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("sqs", settings).backoff(Backoff.none())
                .concurrency(700).pollInterval(Duration.ofSeconds(10)).shutdownTimeout(Duration.ofSeconds(5))
                .listener(workers.events::add).build();
        var work = new CountDownLatch(1);
        var runs = new AtomicInteger();
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            runs.incrementAndGet();
            // three times the visibility timeout; nothing counts the latch down
            assertThat(work.await(12, TimeUnit.SECONDS)).isFalse();
        });
        String id = jobs.enqueue("report:build", "q4", EnqueueOptions.builder().timeout(Duration.ofSeconds(40)).build());
        try {
            jobs.start();
            JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));

            assertThat(done.attempt()).isEqualTo(1);
            assertThat(runs).as("runs of the job").hasValue(1);
        } finally {
            jobs.close();
        }
    }

    @Test
    @DisplayName("a hung handler past its timeout: heartbeats stop, its job is retried at once on another permit, once")
    void hungHandlerPastItsTimeoutIsRetried() {
        SqsServer.Queues queues = ElasticMq.newQueues("hung", false);
        // A four-second lease: a heartbeat (every third of it) may come 2.7 s late on a loaded machine.
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "4s"), Duration.ofSeconds(1));
        var unblock = new CountDownLatch(1);
        var runs = new CopyOnWriteArrayList<Integer>();
        jobs.registerJobHandler("pdf:render", String.class, (job, ctx) -> {
            runs.add(ctx.attempt());
            if (ctx.attempt() == 1) {
                awaitIgnoringInterrupts(unblock); // hung: deaf to the interrupt at its timeout
            }
        });
        jobs.start();

        // a timeout of two visibility timeouts: attempt 1 lives past its first lease only through heartbeats
        String id = jobs.enqueue("pdf:render", "big.pdf", EnqueueOptions.builder().timeout(Duration.ofSeconds(8))
                .build());
        JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        List<JobEvent.Failed> failed = workers.all(JobEvent.Failed.class, e -> e.jobId().equals(id));
        unblock.countDown();

        assertThat(done.attempt()).isEqualTo(2);
        assertThat(failed).singleElement().satisfies(f -> {
            assertThat(f.attempt()).isEqualTo(1);
            assertThat(f.error()).contains("timed out");
        });
        assertThat(runs).as("attempt 1 was not delivered again while it ran, before its timeout").containsExactly(1, 2);
        assertThat(workers.all(JobEvent.Started.class, e -> e.jobId().equals(id))).extracting(JobEvent.Started::attempt)
                .containsExactly(1, 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.url()) == 0);
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await(30, TimeUnit.SECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("a job out of attempts is copied to the dead-letter queue with its body and error, then deleted")
    void deadJobIsCopiedToTheDeadLetterQueue() {
        SqsServer.Queues queues = ElasticMq.newQueues("dead-job", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> {
            throw new IllegalStateException("mail server said no on attempt " + ctx.attempt());
        });
        jobs.start();

        String id = jobs.enqueue("email:send", "user@example.com", EnqueueOptions.builder().maxAttempts(2).build());
        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        jobs.close();

        List<Message> copies = QueueContents.receive(queues.deadLetterUrl(), 1);
        assertThat(copies).hasSize(1);
        Message copy = copies.get(0);
        assertThat(copy.body()).contains("\"jobId\":\"" + id + "\"", "\"type\":\"email:send\"",
                "\"payload\":\"user@example.com\"", "\"attempt\":0");
        assertThat(QueueContents.attribute(copy, DeadLetterCopies.ERROR))
                .isEqualTo(dead.error()).contains("mail server said no on attempt 2");
        assertThat(QueueContents.attribute(copy, DeadLetterCopies.ATTEMPTS)).isEqualTo("2");
        assertThat(QueueContents.attribute(copy, DeadLetterCopies.SOURCE_QUEUE)).isEqualTo(queues.url());
        assertThat(QueueContents.attribute(copy, DeadLetterCopies.DEAD_AT)).isNotBlank();
        assertThat(QueueContents.attribute(copy, OutgoingMessage.JOB_ID)).isEqualTo(id);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
    }

    @Test
    @DisplayName("messages that are not job envelopes go to the dead-letter queue with the reason; the worker keeps going")
    void unreadableMessagesAreDeadLettered() {
        SqsServer.Queues queues = ElasticMq.newQueues("poison", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("this is not JSON {"));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url())
                .messageBody("{\"jobId\":\"no-type-1\",\"payload\":{},\"createdAt\":\"2026-11-23T10:00:00Z\"}"));
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var ran = new CopyOnWriteArrayList<String>();
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> ran.add(job.payload()));
        jobs.start();

        String good = jobs.enqueue("email:send", "after the poison");
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(good));
        List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> true, 2);
        jobs.close();

        assertThat(ran).containsExactly("after the poison");
        assertThat(dead).extracting(JobEvent.Dead::error).anySatisfy(error -> assertThat(error).contains("not JSON"))
                .anySatisfy(error -> assertThat(error).contains("no 'type'"));
        assertThat(dead).extracting(JobEvent.Dead::jobId).contains("no-type-1");
        List<Message> copies = QueueContents.receive(queues.deadLetterUrl(), 1);
        assertThat(copies).extracting(Message::body).containsExactlyInAnyOrder("this is not JSON {",
                "{\"jobId\":\"no-type-1\",\"payload\":{},\"createdAt\":\"2026-11-23T10:00:00Z\"}");
        assertThat(copies).allSatisfy(copy -> assertThat(QueueContents.attribute(copy, DeadLetterCopies.ERROR))
                .startsWith("unreadable message"));
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
    }

    @Test
    @DisplayName("a reason quoting a control character the message escaped is escaped again in the dead letter's "
            + "attribute, which SQS would refuse")
    void reasonWithAControlCharacterIsDeadLettered() {
        SqsServer.Queues queues = ElasticMq.newQueues("control-character", false);
        String noHandler = "{\"envelopeVersion\":1,\"jobId\":\"ctl-1\",\"type\":\"t\\u0001\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        String unreadable = "{\"envelopeVersion\":1,\"jobId\":\"ctl-2\",\"type\":\"t\",\"createdAt\":\"\\u0001\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(noHandler));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(unreadable));
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.start();

        JobEvent.Dead first = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("ctl-1"));
        JobEvent.Dead second = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("ctl-2"));
        jobs.close();

        assertThat(first.error()).startsWith("no handler for job type 't\\u0001'");
        assertThat(first.attempt()).as("dead-lettered at its first delivery").isEqualTo(1);
        assertThat(second.error()).contains("'createdAt' must be an ISO-8601 UTC time such as 2026-11-23T10:00:00Z, "
                + "got \"\\u0001\"");
        Map<String, String> errors = new HashMap<>();
        QueueContents.receive(queues.deadLetterUrl(), 1).forEach(copy -> errors.put(copy.body(),
                QueueContents.attribute(copy, DeadLetterCopies.ERROR)));
        assertThat(errors).containsOnlyKeys(noHandler, unreadable);
        assertThat(errors.get(noHandler)).startsWith("no handler for job type 't\\u0001'");
        assertThat(errors.get(unreadable)).endsWith("got \"\\u0001\"");
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
    }

    @Test
    @DisplayName("an error cut inside an emoji, or holding half of one, is dead-lettered with its error at once")
    void errorWithHalfAnEmojiIsDeadLettered() {
        SqsServer.Queues queues = ElasticMq.newQueues("half-emoji", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        // 1200 characters of emoji after one or no "x": whatever comes before, one of the two is cut mid-emoji.
        jobs.registerJobHandler("reply:post", String.class, (job, ctx) -> {
            throw new NonRetryableJobException("refused: " + job.payload() + "😀".repeat(600));
        });
        String lone = "{\"envelopeVersion\":1,\"jobId\":\"lone-1\",\"type\":\"t\\ud83d\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(lone)
                .messageAttributes(Map.of(OutgoingMessage.JOB_ID, OutgoingMessage.string("lone-1"))));
        jobs.start();

        List<String> ids = List.of(jobs.enqueue("reply:post", ""), jobs.enqueue("reply:post", "x"), "lone-1");
        List<JobEvent.Dead> dead = workers.awaitEvents(JobEvent.Dead.class, e -> ids.contains(e.jobId()), 3);
        jobs.close();

        // Before, SQS refused the copy (InvalidMessageContents): the job came back after its visibility timeout
        // and died as attempt 2, "their lease expired: a worker crashed or stalled", its own error lost.
        assertThat(dead).extracting(JobEvent.Dead::attempt).containsOnly(1);
        Map<String, String> errors = new HashMap<>();
        QueueContents.receive(queues.deadLetterUrl(), 1).forEach(copy -> errors.put(
                QueueContents.attribute(copy, OutgoingMessage.JOB_ID),
                QueueContents.attribute(copy, DeadLetterCopies.ERROR)));
        assertThat(errors).containsOnlyKeys(ids);
        assertThat(errors.get(ids.get(0))).contains("refused: 😀😀").endsWith("😀…");
        assertThat(errors.get(ids.get(1))).contains("refused: x😀😀").endsWith("😀…");
        assertThat(errors.get("lone-1")).startsWith("no handler for job type 't\\ud83d'");
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
    }

    record ReportV2(String id, String format) {
    }

    @Test
    @DisplayName("during a rolling deploy a job of a type the old worker has no handler for is dead-lettered at once "
            + "with the fix, and runs on the new worker once moved back from the DLQ")
    void unknownTypeIsDeadAtOnceAndRunsWhenMovedBack() {
        SqsServer.Queues queues = ElasticMq.newQueues("rolling-deploy", false);
        String queueArn = arn(queues.url());
        String deadLetterArn = arn(queues.deadLetterUrl());
        // SQS moves messages back only from a queue that a redrive policy names as its DLQ (docs/sqs.md)
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"10\"}")));
        JobQueue old = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        old.registerJobHandler("report:v1", String.class, (job, ctx) -> { });
        old.start();
        String id = old.enqueue("report:v2", new ReportV2("r-1", "pdf")); // the new producer is deployed first

        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        old.close();
        String reason = "no handler for job type 'report:v2' in this worker (registered: report:v1); register one "
                + "with JobQueue.registerJobHandler or run this queue on workers that have it (in a rolling deploy, "
                + "deploy those workers before the producers), then redrive this dead letter";
        assertThat(dead.attempt()).as("dead on its first delivery, of the default 3").isEqualTo(1);
        assertThat(dead.error()).isEqualTo(reason);
        assertThat(workers.all(JobEvent.Failed.class, e -> e.jobId().equals(id))).as("not postponed").isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.deadLetterUrl()) == 1);

        JobQueue current = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var ran = new CopyOnWriteArrayList<ReportV2>();
        current.registerJobHandler("report:v2", ReportV2.class, (job, ctx) -> ran.add(job.payload()));
        current.start();
        ElasticMq.client().startMessageMoveTask(r -> r.sourceArn(deadLetterArn).destinationArn(queueArn));

        JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        current.close();
        assertThat(done.attempt()).as("a fresh receive count").isEqualTo(1);
        assertThat(ran).containsExactly(new ReportV2("r-1", "pdf"));
        assertThat(QueueContents.total(queues.deadLetterUrl())).as("dead letters").isZero();
    }

    private static String arn(String url) {
        return ElasticMq.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    @Test
    @DisplayName("a newer envelope version is postponed for a newer worker, then dead-lettered on its third delivery")
    void newerEnvelopeVersionIsPostponedThenDeadLettered() {
        SqsServer.Queues queues = ElasticMq.newQueues("newer-version", false);
        String body = "{\"envelopeVersion\":99,\"jobId\":\"from-the-future\",\"type\":\"email:send\",\"payload\":\"x\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "1s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        jobs.start();

        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("from-the-future"));
        jobs.close();

        assertThat(workers.all(JobEvent.Failed.class, e -> e.jobId().equals("from-the-future")))
                .extracting(JobEvent.Failed::attempt).containsExactly(1, 2);
        assertThat(dead.attempt()).isEqualTo(3);
        assertThat(dead.error()).contains("version 99");
        assertThat(workers.all(JobEvent.Started.class, e -> true)).isEmpty();
        assertThat(QueueContents.receive(queues.deadLetterUrl(), 1)).extracting(Message::body).containsExactly(body);
    }

    /**
     * A redrive policy whose maxReceiveCount is below the 3 deliveries a newer envelope is postponed for: SQS moved
     * the message to the DLQ on the receive after that count, before jobq's third delivery, without jobq's error and
     * with no Dead event.
     */
    @Test
    @DisplayName("a newer envelope version on a queue whose maxReceiveCount is 2 is dead-lettered by jobq on its "
            + "second delivery, with its error, before SQS moves it")
    void newerEnvelopeVersionIsDeadLetteredWithinMaxReceiveCount() {
        SqsServer.Queues queues = ElasticMq.newQueues("newer-version-low-count", false);
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + arn(queues.deadLetterUrl()) + "\",\"maxReceiveCount\":\"2\"}")));
        String body = "{\"envelopeVersion\":99,\"jobId\":\"soon-future\",\"type\":\"email:send\",\"payload\":\"x\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "1s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        jobs.start();

        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals("soon-future"));
        jobs.close();

        assertThat(workers.all(JobEvent.Failed.class, e -> e.jobId().equals("soon-future")))
                .extracting(JobEvent.Failed::attempt).containsExactly(1);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.error()).contains("version 99", "in 2 deliveries");
        List<Message> copies = QueueContents.receive(queues.deadLetterUrl(), 1);
        assertThat(copies).extracting(Message::body).containsExactly(body);
        assertThat(QueueContents.attribute(copies.getFirst(), DeadLetterCopies.ERROR)).isEqualTo(dead.error());
    }

    @Test
    @DisplayName("a newer envelope version on a queue with a long visibility timeout is postponed for no more than SQS holds")
    void newerEnvelopeVersionIsPostponedWithinTwelveHours() {
        SqsServer.Queues queues = ElasticMq.newQueues("newer-version-long", false);
        String body = "{\"envelopeVersion\":99,\"jobId\":\"far-future\",\"type\":\"email:send\",\"payload\":\"x\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
        // A first delivery that some other worker gave up on at once: the next one is the second.
        Message first = ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5))
                .messages().getFirst();
        ElasticMq.client().changeMessageVisibility(r -> r.queueUrl(queues.url()).receiptHandle(first.receiptHandle())
                .visibilityTimeout(0));
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "7h"), Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        jobs.start();

        JobEvent.Failed postponed = workers.awaitEvent(JobEvent.Failed.class, e -> e.jobId().equals("far-future"));
        jobs.close();

        // Twice the visibility timeout, 14 h, is beyond the 12 h SQS holds a received message invisible.
        assertThat(postponed.attempt()).isEqualTo(2);
        assertThat(postponed.retryIn()).isPositive().isLessThanOrEqualTo(Duration.ofHours(12));
    }

    @Test
    @DisplayName("jobs of one FIFO message group run in the order they were enqueued, with two handlers at once")
    void fifoGroupRunsInOrder() {
        SqsServer.Queues queues = ElasticMq.newQueues("ordered", true);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        List<Integer> ledger = new CopyOnWriteArrayList<>();
        List<Integer> audit = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("ledger:post", Integer.class, (job, ctx) -> ledger.add(job.payload()));
        jobs.registerJobHandler("audit:post", Integer.class, (job, ctx) -> audit.add(job.payload()));
        jobs.start();

        for (int i = 0; i < 12; i++) {
            jobs.enqueue("ledger:post", i);
            jobs.enqueue("audit:post", i);
        }
        workers.awaitEvents(JobEvent.Completed.class, e -> true, 24);

        List<Integer> inOrder = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(ledger).as("group ledger:post").containsExactlyElementsOf(inOrder);
        assertThat(audit).as("group audit:post").containsExactlyElementsOf(inOrder);
    }

    record Note(String text) {
    }

    @Test
    @DisplayName("payload text with characters SQS refuses in a message (lone surrogates, U+FFFE, U+FFFF) is sent, "
            + "and the handler gets it exactly")
    void payloadTextSqsRefusesIsSentEscapedAndReadBackExactly() {
        SqsServer.Queues queues = ElasticMq.newQueues("odd-text", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var ran = new java.util.concurrent.ConcurrentHashMap<String, String>();
        jobs.registerJobHandler("note:save", Note.class, (job, ctx) -> ran.put(job.id(), job.payload().text()));
        // Text cut in the middle of an emoji, a byte-order mark read the wrong way round, and fine text beside them.
        List<String> texts = List.of("cut \uD83D here", "\uDE00 low first", "bom \uFFFE and \uFFFF",
                "whole 😀 and 中文 \uFFFD");
        var sent = new HashMap<String, String>();
        for (String text : texts) {
            // Before, SQS refused each of the first three sends: "InvalidAttributeValue: InvalidMessageContents".
            sent.put(jobs.enqueue("note:save", new Note(text)), text);
        }
        jobs.start();
        workers.awaitEvents(JobEvent.Completed.class, e -> true, texts.size());
        jobs.close();

        assertThat(ran).isEqualTo(sent);
    }

    @Test
    @DisplayName("a trace id or a deduplication key with characters SQS refuses (text cut inside an emoji) is sent "
            + "escaped, and the handler gets it exactly, as a payload's text")
    void envelopeTextSqsRefusesIsSentEscapedAndReadBackExactly() {
        SqsServer.Queues queues = ElasticMq.newQueues("odd-trace", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var traces = new java.util.concurrent.ConcurrentHashMap<String, String>();
        jobs.registerJobHandler("note:save", Note.class, (job, ctx) -> traces.put(job.id(), ctx.traceId().orElseThrow()));
        // A traceparent cut at a length in the middle of an emoji, as a producer's slice() leaves it; and U+FFFF.
        List<String> ids = List.of("trace 😀 cut \uD83D", "trace \uFFFF");
        var sent = new HashMap<String, String>();
        for (String trace : ids) {
            sent.put(jobs.enqueue("note:save", new Note("x"), EnqueueOptions.builder().traceId(trace).build()), trace);
        }
        jobs.start();
        workers.awaitEvents(JobEvent.Completed.class, e -> true, ids.size());
        jobs.close();

        assertThat(traces).isEqualTo(sent);
    }

    @Test
    @DisplayName("a payload nested as deep as Jackson writes one runs, not dead-lettered as not JSON inside its envelope")
    void payloadAsDeepAsJacksonWritesRuns() {
        SqsServer.Queues queues = ElasticMq.newQueues("deep-payload", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var depths = new CopyOnWriteArrayList<Integer>();
        jobs.registerJobHandler("tree:walk", JsonNode.class, (job, ctx) -> {
            int depth = 0;
            for (JsonNode node = job.payload(); node.isArray(); node = node.get(0)) {
                depth++;
            }
            depths.add(depth);
        });
        Object nested = "leaf";
        for (int depth = 0; depth < StreamReadConstraints.DEFAULT_MAX_DEPTH; depth++) {
            nested = List.of(nested);
        }
        jobs.start();

        String id = jobs.enqueue("tree:walk", nested);
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        jobs.close();

        assertThat(depths).containsExactly(StreamReadConstraints.DEFAULT_MAX_DEPTH);
    }

    @Test
    @DisplayName("enqueueAll on a standard queue sends every job (concurrently, in batches); each runs once with its payload")
    void enqueueAllOnAStandardQueue() {
        SqsServer.Queues queues = ElasticMq.newQueues("bulk", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        List<String> ran = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("report:build", Integer.class, (job, ctx) -> ran.add(job.id() + "=" + job.payload()));
        List<Integer> payloads = IntStream.range(0, 35).boxed().toList();

        List<String> ids = jobs.enqueueAll("report:build", payloads);
        assertThat(ids).hasSize(35).doesNotHaveDuplicates();
        assertThat(QueueContents.total(queues.url())).as("messages on the queue").isEqualTo(35);
        jobs.start();
        workers.awaitEvents(JobEvent.Completed.class, e -> true, 35);
        jobs.close();

        assertThat(ran).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 35).mapToObj(i -> ids.get(i) + "=" + i).toList());
        assertThat(QueueContents.total(queues.url())).as("messages left on the queue").isZero();
    }

    @Test
    @DisplayName("enqueueAll on a FIFO queue sends the jobs in the payloads' order, and they run in it")
    void enqueueAllOnAFifoQueueKeepsTheOrder() {
        SqsServer.Queues queues = ElasticMq.newQueues("bulk-ordered", true);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        List<Integer> ledger = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("ledger:post", Integer.class, (job, ctx) -> ledger.add(job.payload()));
        List<Integer> inOrder = IntStream.range(0, 25).boxed().toList();

        jobs.enqueueAll("ledger:post", inOrder);
        jobs.start();
        workers.awaitEvents(JobEvent.Completed.class, e -> true, 25);

        assertThat(ledger).containsExactlyElementsOf(inOrder);
    }

    @Test
    @DisplayName("shutdown releases an unfinished job: another worker runs it at once, as the same attempt")
    void shutdownReleasesUnfinishedJobs() {
        SqsServer.Queues queues = ElasticMq.newQueues("shutdown", false);
        Map<String, String> longLease = Map.of("visibilityTimeout", "60s");
        JobQueue first = workers.open(queues, longLease, Duration.ofMillis(500));
        var started = new CountDownLatch(1);
        first.registerJobHandler("video:encode", String.class, (job, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await(); // runs until shutdown interrupts it
        });
        first.start();
        String id = first.enqueue("video:encode", "movie.mp4");
        workers.awaitEvent(JobEvent.Started.class, e -> e.jobId().equals(id));

        first.close();
        JobQueue second = workers.open(queues, longLease, Duration.ofSeconds(5));
        var attempts = new CopyOnWriteArrayList<Integer>();
        second.registerJobHandler("video:encode", String.class, (job, ctx) -> attempts.add(ctx.attempt()));
        second.start();
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));

        assertThat(workers.all(JobEvent.Released.class, e -> e.jobId().equals(id))).hasSize(1);
        assertThat(attempts).as("the released delivery is not counted").containsExactly(1);
    }

    @Test
    @DisplayName("a job taken by a worker that dies is run by another worker after its lease, the lost delivery counted")
    void killedWorkersJobIsRunByAnotherWorker() {
        SqsServer.Queues queues = ElasticMq.newQueues("killed", false);
        Map<String, Object> settings = ElasticMq.settings(queues, Map.of("visibilityTimeout", "2s"));
        JobQueue producer = workers.open(settings, Duration.ofSeconds(5));
        String id = producer.enqueue("invoice:send", "INV-7");
        QueueProvider dying = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", settings), Clock.systemUTC()));
        List<ReceivedJob> taken = dying.receive(1, Duration.ofSeconds(5));
        dying.close(); // the worker is gone: its delivery is never settled, released or extended

        JobQueue survivor = workers.open(settings, Duration.ofSeconds(5));
        var attempts = new CopyOnWriteArrayList<Integer>();
        survivor.registerJobHandler("invoice:send", String.class, (job, ctx) -> attempts.add(ctx.attempt()));
        survivor.start();
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));

        assertThat(taken).extracting(ReceivedJob::jobId).containsExactly(id);
        assertThat(attempts).containsExactly(2);
        assertThat(QueueContents.total(queues.url())).isZero();
    }

    @Test
    @DisplayName("close() from a listener of the Dead the provider announces on a poll loop's thread (a message it cannot "
            + "read) returns at once and drains in the background: the running handler finishes, nothing is released")
    void closeFromAListenerOnAPollLoopDrainsInTheBackground() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("close-on-poll", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(20));
        var started = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            started.countDown();
            assertThat(finish.await(30, TimeUnit.SECONDS)).as("finished by the test").isTrue();
        });
        var closing = new java.util.concurrent.CompletableFuture<Duration>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Dead) {
                long start = System.nanoTime();
                jobs.close();
                closing.complete(Duration.ofNanos(System.nanoTime() - start));
            }
        });
        jobs.start();
        String id = jobs.enqueue("report:build", "q3");
        assertThat(started.await(30, TimeUnit.SECONDS)).as("the handler started").isTrue();
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("this is not JSON {"));

        // Before, close() ran on the poll loop: it interrupted and joined its own thread (5 s, then "its provider
        // ignores interrupts"), and the interrupt cut the drain short, so the running handler was cancelled at once.
        assertThat(closing.get(30, TimeUnit.SECONDS)).as("close() on the poll loop's thread").isLessThan(
                Duration.ofSeconds(2));
        finish.countDown();
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));
        workers.awaitEvent(JobEvent.WorkerStopped.class, e -> true);
        assertThat(workers.all(JobEvent.Released.class, e -> true)).as("jobs released at shutdown").isEmpty();
        assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
    }

    @Test
    @DisplayName("an interrupt wakes a receiver in a long poll at once; a job the poll takes later is handed back, not counted")
    void interruptWakesALongPollAndLosesNothing() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("interrupted", false);
        QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("waitTime", "10s"))),
                Clock.systemUTC()));
        var result = new java.util.concurrent.atomic.AtomicReference<List<ReceivedJob>>();
        var stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        var returned = new CountDownLatch(1);
        try (provider) {
            Thread receiver = Thread.ofVirtual().name("long-poller").start(() -> {
                result.set(provider.receive(1, Duration.ofSeconds(10)));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                returned.countDown();
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    receiver.getState() == Thread.State.WAITING && java.util.Arrays.stream(receiver.getStackTrace())
                            .anyMatch(f -> f.getMethodName().equals("receive")
                                    && f.getClassName().equals(SqsQueueProvider.class.getName())));

            receiver.interrupt();
            assertThat(returned.await(5, TimeUnit.SECONDS)).as("woke before its 10 s poll ended").isTrue();
            String id = "after-the-interrupt";
            provider.enqueue(new dev.jobq.spi.JobEnvelope(1, id, "t", "1", dev.jobq.JobOptions.defaults(), 0,
                    java.time.Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> next = provider.receive(1, Duration.ofSeconds(20));

            assertThat(result.get()).isEmpty();
            assertThat(stillInterrupted).isTrue();
            assertThat(next).extracting(ReceivedJob::jobId).containsExactly(id);
            assertThat(next.get(0).attempt()).as("the abandoned poll's delivery is not counted").isEqualTo(1);
            provider.acknowledge(next.get(0));
        }
    }

    @Test
    @DisplayName("a receive on an idle queue with the worker's default wait of one second long-polls, not returns at once")
    void oneSecondWaitIsALongPoll() {
        SqsServer.Queues queues = ElasticMq.newQueues("idle", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()))) {
            for (Duration wait : List.of(Duration.ofSeconds(1), Duration.ofMillis(1500))) {
                long start = System.nanoTime();
                List<ReceivedJob> received = provider.receive(10, wait);
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(received).isEmpty();
                assertThat(took).as("receive waiting up to %s", wait).isGreaterThanOrEqualTo(Duration.ofMillis(900))
                        .isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    @DisplayName("with waitTime 0s a receive on an idle queue short-polls, then waits out its wait instead of polling "
            + "again at once; a job that is there comes at once, and close() ends the wait")
    void shortPollsWaitOutTheWaitOnAnIdleQueue() throws InterruptedException {
        SqsServer.Queues queues = ElasticMq.newQueues("short-polls", false);
        QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("waitTime", "0s"))),
                Clock.systemUTC()));
        try (provider) {
            long start = System.nanoTime();
            List<ReceivedJob> idle = provider.receive(10, Duration.ofSeconds(1));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // Before, it returned after one short poll, in milliseconds: the worker's poll loop then sent
            // ReceiveMessage after ReceiveMessage, dozens a second, for as long as the queue stayed empty.
            assertThat(idle).isEmpty();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(10));

            String id = "0193a1f0-5c3e-7a41-9b2f-3c1d2e4f5a6c";
            provider.enqueue(new dev.jobq.spi.JobEnvelope(1, id, "t", "1", dev.jobq.JobOptions.defaults(), 0,
                    java.time.Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> waiting = provider.receive(10, Duration.ofSeconds(20));
            assertThat(waiting).extracting(ReceivedJob::jobId).containsExactly(id);
            provider.acknowledge(waiting.get(0));

            var returned = new CountDownLatch(1);
            Thread receiver = Thread.ofVirtual().start(() -> {
                provider.receive(10, Duration.ofSeconds(60));
                returned.countDown();
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> java.util.Arrays.stream(
                    receiver.getStackTrace()).anyMatch(f -> f.getMethodName().equals("idle")
                            && f.getClassName().equals(LongPolls.class.getName())));
            provider.close();
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("the waiting receive returned at close").isTrue();
        }
    }

    @Test
    @DisplayName("with deadLetter: discard a dead job is deleted, with a Dead event")
    void discardDeletesDeadJobs() {
        SqsServer.Queues queues = ElasticMq.newQueues("discard", false);
        Map<String, Object> settings = ElasticMq.settings(queues, Map.of("visibilityTimeout", "2s",
                "deadLetter", "discard"));
        settings.remove("deadLetterQueueUrl");
        JobQueue jobs = workers.open(settings, Duration.ofSeconds(5));
        jobs.registerJobHandler("cache:warm", String.class, (job, ctx) -> {
            throw new IllegalStateException("cold");
        });
        jobs.start();

        String id = jobs.enqueue("cache:warm", "home", EnqueueOptions.builder().maxAttempts(1).build());
        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        jobs.close();

        assertThat(dead.error()).contains("cold");
        assertThat(QueueContents.total(queues.url())).isZero();
        assertThat(QueueContents.total(queues.deadLetterUrl())).as("the unused dead-letter queue").isZero();
    }
}

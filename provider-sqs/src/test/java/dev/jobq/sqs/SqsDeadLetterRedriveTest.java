package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * docs/sqs.md's "Dead letters on SQS", end to end: a job dies, its copy waits in the dead-letter queue,
 * and SQS's redrive ({@code aws sqs start-message-move-task --source-arn <DLQ> --destination-arn
 * <queue>}, here through the SDK) moves it back, where it runs again with a fresh set of attempts.
 */
@DisplayName("SQS dead letters redriven with SQS's message move task (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsDeadLetterRedriveTest {

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void close() {
        workers.close();
    }

    @Test
    @DisplayName("a dead job moved back from the DLQ runs again from attempt 1, and can die again with its full attempts")
    void redrivenJobRunsAgainWithFreshAttempts() {
        SqsServer.Queues queues = ElasticMq.newQueues("redrive", false);
        Runnable redrive = redrivable(queues);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var fixed = new AtomicBoolean();
        var attempts = new CopyOnWriteArrayList<Integer>();
        jobs.registerJobHandler("invoice:send", String.class, (payload, ctx) -> {
            attempts.add(ctx.attempt());
            if (!fixed.get()) {
                throw new IllegalStateException("mail server down");
            }
        });
        jobs.start();

        String id = jobs.enqueue("invoice:send", "inv-1", EnqueueOptions.builder().maxAttempts(3).build());
        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        assertThat(dead.attempt()).isEqualTo(3);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.deadLetterUrl()) == 1);

        fixed.set(true);
        redrive.run();
        JobEvent.Completed done = workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(id));

        assertThat(done.attempt()).as("the redriven job's attempt: a fresh receive count").isEqualTo(1);
        assertThat(attempts).containsExactly(1, 2, 3, 1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.url()) == 0
                && QueueContents.total(queues.deadLetterUrl()) == 0);
    }

    @Test
    @DisplayName("a redriven job that fails again dies after its full maxAttempts, one copy in the DLQ with the new error")
    void redrivenJobThatFailsAgainDiesAgain() {
        SqsServer.Queues queues = ElasticMq.newQueues("redrive-again", false);
        Runnable redrive = redrivable(queues);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        var round = new AtomicInteger(1);
        jobs.registerJobHandler("invoice:send", String.class, (payload, ctx) -> {
            throw new IllegalStateException("round " + round.get());
        });
        jobs.start();

        String id = jobs.enqueue("invoice:send", "inv-2", EnqueueOptions.builder().maxAttempts(2).build());
        workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.deadLetterUrl()) == 1);
        round.set(2);
        redrive.run();
        List<JobEvent.Dead> deaths = workers.awaitEvents(JobEvent.Dead.class, e -> e.jobId().equals(id), 2);

        assertThat(deaths).extracting(JobEvent.Dead::attempt).containsExactly(2, 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> QueueContents.total(queues.deadLetterUrl()) == 1);
        var copy = QueueContents.receive(queues.deadLetterUrl(), 5);
        assertThat(copy).singleElement().satisfies(m -> {
            assertThat(QueueContents.attribute(m, DeadLetterCopies.ERROR)).contains("round 2");
            assertThat(m.messageAttributes().get(DeadLetterCopies.ATTEMPTS).stringValue()).isEqualTo("2");
            assertThat(QueueContents.attribute(m, OutgoingMessage.JOB_ID)).isEqualTo(id);
        });
    }

    /**
     * Gives the queue a redrive policy naming its DLQ (SQS redrives only from a queue such a policy names,
     * docs/sqs.md) and returns what moves the DLQ's messages back: {@code aws sqs start-message-move-task}.
     */
    private static Runnable redrivable(SqsServer.Queues queues) {
        SqsClient sqs = ElasticMq.client();
        String queueArn = arn(queues.url());
        String deadLetterArn = arn(queues.deadLetterUrl());
        sqs.setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"10\"}")));
        return () -> sqs.startMessageMoveTask(r -> r.sourceArn(deadLetterArn).destinationArn(queueArn));
    }

    private static String arn(String url) {
        return ElasticMq.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}

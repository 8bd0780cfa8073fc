package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.NonRetryableJobException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** A FIFO message group's order under retries and dead letters, on a real SQS server (ElasticMQ). */
@DisplayName("SQS FIFO message groups under retries and dead letters (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsFifoGroupTest {

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    private JobQueue open(SqsServer.Queues queues, Backoff backoff) {
        return JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of("visibilityTimeout", "5s")))
                .backoff(backoff).concurrency(2).pollInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(5)).listener(workers.events::add).build();
    }

    @Test
    @DisplayName("a job waiting out its retry backoff holds its group: the next job of the group runs after it")
    void retryHoldsTheGroup() {
        SqsServer.Queues queues = ElasticMq.newQueues("fifo-retry", true);
        JobQueue jobs = open(queues, Backoff.fixed(Duration.ofSeconds(2)));
        List<String> runs = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("ledger:post", String.class, (job, ctx) -> {
            runs.add(job.payload() + "#" + ctx.attempt());
            if (job.payload().equals("a") && ctx.attempt() == 1) {
                throw new IllegalStateException("first try fails");
            }
        });
        jobs.enqueue("ledger:post", "a");
        jobs.enqueue("ledger:post", "b");
        try {
            jobs.start();
            workers.awaitEvents(JobEvent.Completed.class, e -> true, 2);
        } finally {
            jobs.close();
        }
        assertThat(runs).containsExactly("a#1", "a#2", "b#1");
    }

    @Test
    @DisplayName("a dead job frees its group: the next job runs, and the dead letter keeps the group")
    void deadJobFreesTheGroup() {
        SqsServer.Queues queues = ElasticMq.newQueues("fifo-dead", true);
        JobQueue jobs = open(queues, Backoff.none());
        List<String> runs = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("ledger:post", String.class, (job, ctx) -> {
            runs.add(job.payload());
            if (job.payload().equals("a")) {
                throw new NonRetryableJobException("a is bad");
            }
        });
        jobs.enqueue("ledger:post", "a");
        jobs.enqueue("ledger:post", "b");
        try {
            jobs.start();
            workers.awaitEvents(JobEvent.Completed.class, e -> true, 1);
        } finally {
            jobs.close();
        }
        assertThat(runs).containsExactly("a", "b");
        var dead = ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.deadLetterUrl()).maxNumberOfMessages(10)
                .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).attributesAsStrings()).containsEntry("MessageGroupId", "ledger:post");
    }

    @Test
    @DisplayName("a payload at the size limit on a FIFO queue is sent, runs, and its dead letter fits the DLQ")
    void payloadAtTheLimit() {
        SqsServer.Queues queues = ElasticMq.newQueues("fifo-size", true);
        JobQueue jobs = open(queues, Backoff.none());
        // Within the payload limit, but not once the envelope's fields are around it: the refusal says how much they add.
        var refused = catchThrowableOfType(JobRejectedException.class,
                () -> jobs.enqueue("blob:save", "x".repeat(1_044_400)));
        Matcher m = Pattern.compile("message of (\\d+) bytes \\(payload (\\d+) bytes\\), over the limit of (\\d+)")
                .matcher(refused.getMessage());
        assertThat(m.find()).as(refused.getMessage()).isTrue();
        int overhead = Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2));
        int limit = Integer.parseInt(m.group(3));
        String atLimit = "x".repeat(limit - overhead - 2); // the payload's JSON string adds its quotes
        assertThatThrownBy(() -> jobs.enqueue("blob:save", atLimit + "y")).isInstanceOf(JobRejectedException.class);
        jobs.registerJobHandler("blob:save", String.class, (job, ctx) -> {
            throw new NonRetryableJobException("e".repeat(5000));
        });
        String id = jobs.enqueue("blob:save", atLimit);
        try {
            jobs.start();
            workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        } finally {
            jobs.close();
        }
        var dead = QueueContents.receive(queues.deadLetterUrl(), 1);
        assertThat(dead).hasSize(1);
        assertThat(QueueContents.attribute(dead.get(0), "JobqError")).startsWith("not retryable: NonRetryableJobException: eee");
    }
}

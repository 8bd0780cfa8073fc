package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SQS queue deleted while a provider runs on it (an operator, a stack torn down): each call
 * fails with a {@link JobQueueException} that names the job where there is one, the queue and SQS's answer, and none
 * is mistaken for a lost lease or a closed provider.
 */
@DisplayName("SQS: the queue deleted under a running provider (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsQueueGoneTest {

    @Test
    @DisplayName("fails enqueue, enqueueAll, receive, a heartbeat, a retry and stats, each naming the queue and that it "
            + "does not exist")
    void everyCallOnADeletedQueueSaysItIsGone() {
        SqsServer.Queues queues = ElasticMq.newQueues("gone", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(envelope("gone-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.url()));
            String queue = "SQS queue 'default' (" + queues.url() + ")";
            String gone = "The specified queue does not exist";

            assertThatThrownBy(() -> provider.enqueue(envelope("gone-2"), Duration.ZERO))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("sending job gone-2 of type 'report:build' to " + queue + " failed: " + gone);
            List<EnqueueOutcome> outcomes = provider.enqueueAll(List.of(envelope("gone-3"), envelope("gone-4")),
                    Duration.ZERO);
            assertThat(outcomes).extracting(EnqueueOutcome::failure).allSatisfy(failure -> assertThat(failure)
                    .isExactlyInstanceOf(JobQueueException.class).hasMessageContaining(queue + " failed: " + gone));
            assertThatThrownBy(() -> provider.receive(1, Duration.ofSeconds(1)))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("receiving from " + queue + " failed: " + gone);
            assertThatThrownBy(() -> provider.extendLease(received.getFirst(), Duration.ofSeconds(30)))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("extending the lease of job gone-1 on " + queue + " failed: " + gone);
            assertThatThrownBy(() -> provider.fail(received.getFirst(), new Failure.RetryAfter(Duration.ofSeconds(1),
                    "the report service is down")))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("retry of job gone-1 on " + queue + " failed: " + gone);
            assertThatThrownBy(provider::stats)
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("for " + queue + " failed: " + gone);
        }
    }

    @Test
    @DisplayName("fails an acknowledgement and a dead-lettering, each naming the job, the queue and that it does not "
            + "exist")
    void settlingOnADeletedQueueSaysItIsGone() {
        SqsServer.Queues queues = ElasticMq.newQueues("gone-settle", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(envelope("gone-ack"), Duration.ZERO);
            provider.enqueue(envelope("gone-dead"), Duration.ZERO);
            List<ReceivedJob> received = new ArrayList<>();
            while (received.size() < 2) {
                List<ReceivedJob> batch = provider.receive(2 - received.size(), Duration.ofSeconds(5));
                assertThat(batch).as("jobs received after %d of 2", received.size()).isNotEmpty();
                received.addAll(batch);
            }
            ReceivedJob acknowledged = received.stream().filter(job -> job.jobId().equals("gone-ack")).findFirst()
                    .orElseThrow();
            ReceivedJob dead = received.stream().filter(job -> job.jobId().equals("gone-dead")).findFirst()
                    .orElseThrow();
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.url()));
            String queue = "SQS queue 'default' (" + queues.url() + ")";
            String gone = "The specified queue does not exist";

            assertThatThrownBy(() -> provider.acknowledge(acknowledged))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("acknowledge of job gone-ack on " + queue + " failed: " + gone);
            assertThatThrownBy(() -> provider.fail(dead, Failure.dead("IllegalStateException: out of attempts")))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("dead-letter of job gone-dead on " + queue + " failed: " + gone);
            assertThat(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.deadLetterUrl()).waitTimeSeconds(1))
                    .messages()).as("copies on the dead-letter queue of a job whose queue was deleted").isEmpty();
        }
    }

    @Test
    @DisplayName("fails a dead-lettering on a deleted FIFO queue, naming the job, the queue and that it does not exist, "
            + "and leaves no copy on its dead-letter queue")
    void deadLetteringOnADeletedFifoQueueSaysItIsGone() {
        SqsServer.Queues queues = ElasticMq.newQueues("gone-fifo", true);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(envelope("gone-fifo-dead"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.url()));
            String queue = "SQS queue 'default' (" + queues.url() + ")";

            assertThatThrownBy(() -> provider.fail(received.getFirst(),
                    Failure.dead("IllegalStateException: out of attempts")))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("dead-letter of job gone-fifo-dead on " + queue + " failed: The specified "
                            + "queue does not exist");
            assertThat(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.deadLetterUrl()).waitTimeSeconds(1))
                    .messages()).as("copies on the dead-letter FIFO queue of a job whose queue was deleted").isEmpty();
        }
    }

    private static JobEnvelope envelope(String id) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "report:build", "1", JobOptions.defaults(), 0,
                Instant.now(), null, null);
    }
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.spi.Failure;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Settles whose batch entry SQS refuses (as it refuses a worker without the IAM action: {@code AccessDenied}, a sender
 * fault, injected by {@link BatchEntryFaults}): each fails naming the job and the queue beside SQS's code, as a settle
 * whose whole call fails does ({@link SqsQueueGoneTest}).
 */
@DisplayName("SQS: settles whose batch entry SQS refuses name the job and the queue (ElasticMQ, faults injected)")
@ExtendWith(ElasticMq.class)
class SqsRefusedSettleTest {

    private SqsServer.Queues queues;

    @AfterEach
    void forget() {
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    private QueueProvider provider(String prefix) {
        queues = ElasticMq.newQueues(prefix, false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue(prefix + "-scratch-" + System.nanoTime(), Map.of()));
        return new SqsProviderFactory().create(new ProviderContext("default", Settings.of("test", "provider",
                ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s", "waitTime", "1s"))), Clock.systemUTC()));
    }

    private static ReceivedJob received(QueueProvider provider, String id) {
        provider.enqueue(ElasticMq.job(id), Duration.ZERO);
        List<ReceivedJob> got = provider.receive(1, Duration.ofSeconds(5));
        assertThat(got).extracting(ReceivedJob::jobId).containsExactly(id);
        return got.getFirst();
    }

    @Test
    @DisplayName("an acknowledgement whose delete SQS refuses names the job, the queue and SQS's code")
    void aRefusedAcknowledgementNamesTheJobAndTheQueue() {
        try (QueueProvider provider = provider("refused-ack")) {
            ReceivedJob job = received(provider, "refused-ack-1");
            BatchEntryFaults.arm(queues.url(), "DeleteMessageBatch", BatchEntryFaults.any(), "AccessDenied", true, 1);

            assertThatThrownBy(() -> provider.acknowledge(job))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("acknowledge of job refused-ack-1 on SQS queue 'default' (" + queues.url()
                            + ") failed: DeleteMessage failed: AccessDenied");
        }
    }

    @Test
    @DisplayName("a retry whose visibility change SQS refuses names the job, the queue and SQS's code")
    void aRefusedRetryNamesTheJobAndTheQueue() {
        try (QueueProvider provider = provider("refused-retry")) {
            ReceivedJob job = received(provider, "refused-retry-1");
            BatchEntryFaults.arm(queues.url(), "ChangeMessageVisibilityBatch", BatchEntryFaults.any(), "AccessDenied",
                    true, 1);

            assertThatThrownBy(() -> provider.fail(job, Failure.retryAfter(Duration.ofSeconds(5), "down")))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("retry of job refused-retry-1 on SQS queue 'default' (" + queues.url()
                            + ") failed: ChangeMessageVisibility failed: AccessDenied");
        }
    }
}

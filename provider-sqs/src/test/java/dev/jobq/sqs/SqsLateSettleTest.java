package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Settling a delivery whose lease ran out with no heartbeat to notice it: where the provider can tell, the settle is
 * refused with {@link LeaseLostException}, so that the worker neither announces nor counts that attempt's outcome
 * beside the other delivery's (docs/semantics.md). SQS cannot always tell (a delete with an old receipt may succeed and
 * delete nothing), so the provider does not declare {@link Feature#SETTLE_DETECTS_LOST_LEASE}.
 */
@DisplayName("SQS: a settle after the lease ran out unnoticed (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsLateSettleTest {

    @Test
    @DisplayName("received again by this provider: acknowledging or failing the old delivery is refused with "
            + "LeaseLostException, releasing it is ignored, and the new delivery keeps the message")
    void aDeliveryReceivedAgainHereIsRefused() {
        SqsServer.Queues queues = ElasticMq.newQueues("late-settle-stale", false);
        try (QueueProvider provider = provider(queues)) {
            assertThat(provider.capabilities().supports(Feature.SETTLE_DETECTS_LOST_LEASE)).as("declared").isFalse();
            enqueue(provider, "received-again");
            ReceivedJob first = provider.receive(1, Duration.ofSeconds(5)).get(0);
            var second = new AtomicReference<ReceivedJob>();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                provider.receive(1, Duration.ofSeconds(1)).forEach(second::set);
                return second.get() != null;
            });
            provider.extendLease(second.get(), Duration.ofSeconds(60)); // the new delivery holds the message

            assertThatThrownBy(() -> provider.acknowledge(first)).as("acknowledging the old delivery")
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("received-again");
            assertThatThrownBy(() -> provider.fail(first, Failure.retryAfter(Duration.ZERO, "late")))
                    .as("retrying the old delivery").isInstanceOf(LeaseLostException.class);
            assertThatThrownBy(() -> provider.fail(first, Failure.dead("late")))
                    .as("dead-lettering the old delivery").isInstanceOf(LeaseLostException.class);
            provider.release(first);

            provider.acknowledge(second.get());
            assertThat(QueueContents.total(queues.url())).as("messages after the new delivery's acknowledgement")
                    .isZero();
            assertThat(QueueContents.total(queues.deadLetterUrl())).as("dead-letter copies").isZero();
        }
    }

    @Test
    @DisplayName("received by another worker: a retry, which SQS refuses for a receipt no longer in flight, is refused "
            + "with LeaseLostException, and the other worker keeps the message")
    void aRetryOfADeliveryAnotherWorkerHoldsIsRefused() {
        SqsServer.Queues queues = ElasticMq.newQueues("late-settle-retry", false);
        try (QueueProvider provider = provider(queues)) {
            enqueue(provider, "retried-late");
            ReceivedJob job = provider.receive(1, Duration.ofSeconds(5)).get(0);
            receivedByAnotherWorker(queues);

            assertThatThrownBy(() -> provider.fail(job, Failure.retryAfter(Duration.ZERO, "late")))
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("retried-late");

            assertThat(QueueContents.total(queues.url())).as("the message, with the other worker").isEqualTo(1);
        }
    }

    /**
     * A release on a standard queue sends a fresh copy, then deletes the delivery. Of a delivery another worker holds,
     * the copy went out before the delete was refused: the job was then on the queue twice, and ran again beside the
     * other worker's run, where docs/sqs.md says a release SQS refuses for a receipt no longer in flight is ignored.
     */
    @Test
    @DisplayName("received by another worker: a release is ignored, with no fresh copy beside the other worker's "
            + "delivery")
    void aReleaseOfADeliveryAnotherWorkerHoldsIsIgnored() {
        SqsServer.Queues queues = ElasticMq.newQueues("late-settle-release", false);
        try (QueueProvider provider = provider(queues)) {
            enqueue(provider, "released-late");
            ReceivedJob job = provider.receive(1, Duration.ofSeconds(5)).get(0);
            receivedByAnotherWorker(queues);

            provider.release(job);

            assertThat(QueueContents.receive(queues.url(), 0)).as("messages visible beside the other worker's delivery")
                    .isEmpty();
            assertThat(QueueContents.total(queues.url())).as("the message, with the other worker").isEqualTo(1);
        }
    }

    private static QueueProvider provider(SqsServer.Queues queues) {
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "1s"))),
                Clock.systemUTC()));
    }

    private static void enqueue(QueueProvider provider, String jobId) {
        provider.enqueue(new JobEnvelope(1, jobId, "report:build", "1", JobOptions.defaults(), 0, Instant.now(), null,
                null), Duration.ZERO);
    }

    /** Waits out the 1 s lease (no heartbeat) until another consumer has received the message, for a minute. */
    private static void receivedByAnotherWorker(SqsServer.Queues queues) {
        var other = new AtomicReference<List<Message>>();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            other.set(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).visibilityTimeout(60)
                    .waitTimeSeconds(1)).messages());
            return !other.get().isEmpty();
        });
    }
}

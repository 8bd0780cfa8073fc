package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.spi.Failure;
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

/** Dead-lettering a delivery whose lease ran out before the worker settled it (ElasticMQ). */
@DisplayName("SQS: dead-lettering a delivery SQS no longer holds (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsLostReceiptDeadLetterTest {

    @Test
    @DisplayName("a dead job whose lease ran out and whose message another worker now holds is not copied to the "
            + "dead-letter queue, and the dead-lettering is refused with LeaseLostException: its other delivery settles it")
    void noCopyOfADeliveryNoLongerHeld() {
        SqsServer.Queues queues = ElasticMq.newQueues("dead-after-lost-lease", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "1s"))),
                Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(1, "lost-then-dead", "report:build", "1", JobOptions.defaults(), 0,
                    Instant.now(), null, null), Duration.ZERO);
            ReceivedJob job = provider.receive(1, Duration.ofSeconds(5)).get(0);
            // Its lease runs out (no heartbeat) and another worker receives the message, for a minute.
            var other = new AtomicReference<List<Message>>();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                other.set(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).visibilityTimeout(60)
                        .waitTimeSeconds(1)).messages());
                return !other.get().isEmpty();
            });

            // Refused, so that the worker neither announces nor counts this attempt's Dead beside the other delivery's.
            assertThatThrownBy(() -> provider.fail(job, Failure.dead("boom"))).isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("lost-then-dead");

            // Before, the copy went to the dead-letter queue, then the delete was refused ("it will be delivered
            // again and dead-lettered again (a second copy)"): the dead-letter queue held a job that the other
            // delivery runs on, or dead-letters a second time; a redrive then ran it again.
            assertThat(QueueContents.total(queues.deadLetterUrl())).as("copies on the dead-letter queue").isZero();
            assertThat(QueueContents.total(queues.url())).as("the message, with the other worker").isEqualTo(1);
        }
    }
}

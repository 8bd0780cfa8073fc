package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A lease extension that shortens the lease, whose call failed after SQS had made it (its answers lost): the message
 * is visible again at the shorter end, and another worker may hold it. A delete that SQS then refuses is not the
 * delete's own earlier attempt's success ({@link Lease#surelyHeldAt}): the delivery's lease did run out.
 */
@DisplayName("SQS: a lease shortened by an extension whose answer was lost is no longer surely held (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsShortenedLeaseTest {

    /**
     * While armed, drops every answer to a request naming {@code ChangeMessageVisibility} (the only calls then): that
     * connection ends.
     */
    private static final class DropVisibilityAnswers implements TcpProxy.Chunk {
        private final AtomicBoolean armed = new AtomicBoolean();
        /** Requests sent and not answered yet: a heartbeat sends a second call beside its first. */
        private final AtomicInteger unanswered = new AtomicInteger();
        private final AtomicInteger dropped = new AtomicInteger();

        @Override
        public boolean pass(boolean request) {
            return true;
        }

        @Override
        public boolean pass(boolean request, byte[] bytes, int length) {
            if (request) {
                if (armed.get() && new String(bytes, 0, length, StandardCharsets.ISO_8859_1)
                        .contains("AmazonSQS.ChangeMessageVisibility")) {
                    unanswered.incrementAndGet();
                }
                return true;
            }
            if (unanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                dropped.incrementAndGet();
                return false;
            }
            return true;
        }
    }

    private final DropVisibilityAnswers drop = new DropVisibilityAnswers();
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("an acknowledgement SQS refuses after an extension to 1 s whose answers were lost is a lost lease, "
            + "not a success: another worker holds the message")
    void aShorterExtensionThatFailedStillEndsTheSureHold() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        proxy = TcpProxy.start(server, drop);
        SqsServer.Queues queues = ElasticMq.newQueues("shortened-lease", false);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "60s", "waitTime", "1s"))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "shortened-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            ReceivedJob job = received.getFirst();

            drop.armed.set(true);
            assertThatThrownBy(() -> provider.extendLease(job, Duration.ofSeconds(1)))
                    .as("the extension whose every answer was lost").isNotInstanceOf(LeaseLostException.class);
            drop.armed.set(false);
            assertThat(drop.dropped.get()).as("answers dropped").isPositive();

            // SQS made the change all the same: the message is visible after 1 s, and another worker receives it.
            var other = new AtomicReference<List<Message>>();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                other.set(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).visibilityTimeout(60)
                        .waitTimeSeconds(1)).messages());
                return !other.get().isEmpty();
            });

            assertThatThrownBy(() -> provider.acknowledge(job)).as("acknowledging the delivery whose lease ran out")
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("shortened-1");
            assertThat(QueueContents.total(queues.url())).as("the message, with the other worker").isEqualTo(1);
        }
    }
}

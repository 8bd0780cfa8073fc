package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;


import dev.jobq.spi.Failure;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * An acknowledgement whose answer is lost on the way (the connection drops after SQS deleted the message): the SDK
 * sends the delete again, and SQS refuses that attempt's receipt, as the message it names is gone. The delivery's
 * lease had not run out, so no other delivery can hold the message: the acknowledgement succeeded, and must not be
 * refused as a lost lease (the worker then neither announced nor counted the job's Completed, and no other delivery
 * ever would). The same holds for the delete of a release, and of a dead job (discarded, or after its dead-letter
 * copy).
 */
@DisplayName("SQS: an acknowledgement whose answer is lost, sent again by the SDK, succeeds")
@ExtendWith(ElasticMq.class)
@Isolated("captures the provider's log")
class SqsLostDeleteAnswerTest {

    /**
     * Passes everything but the first answer read once {@link #dropNext} is called, after a request naming
     * {@code DeleteMessageBatch}: that connection ends there.
     */
    private static final class DropNextAnswer implements TcpProxy.Chunk {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean deleteSent = new AtomicBoolean();
        private final CountDownLatch dropped = new CountDownLatch(1);

        void dropNext() {
            armed.set(true);
        }

        @Override
        public boolean pass(boolean request) {
            return true;
        }

        @Override
        public boolean pass(boolean request, byte[] bytes, int length) {
            if (request && armed.get() && new String(bytes, 0, length, StandardCharsets.ISO_8859_1)
                    .contains("AmazonSQS.DeleteMessageBatch")) {
                deleteSent.set(true);
            }
            if (!request && deleteSent.get() && armed.compareAndSet(true, false)) {
                dropped.countDown();
                return false;
            }
            return true;
        }
    }

    private final DropNextAnswer drop = new DropNextAnswer();
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("within the lease, a delete SQS refuses on the SDK's second attempt is the first attempt's success")
    void aDeleteSentAgainAfterItsAnswerWasLostIsNotALostLease() throws Exception {
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("lost-delete-answer", false);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "60s", "waitTime", "1s"))) {
            provider.enqueue(ElasticMq.job("lost-delete-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            drop.dropNext();
            assertThatCode(() -> provider.acknowledge(received.getFirst()))
                    .as("the acknowledgement whose first answer was lost, its message deleted by that first attempt")
                    .doesNotThrowAnyException();
            assertThat(drop.dropped.await(0, TimeUnit.SECONDS)).as("the delete's answer was dropped").isTrue();
            assertThat(QueueContents.total(queues.url())).as("messages left on the queue").isZero();
        }
    }

    @Test
    @DisplayName("a release whose delete is sent again that way says nothing of the job running twice: it left one copy")
    void aReleaseWhoseDeleteAnswerWasLostWarnsOfNothing() throws Exception {
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("lost-release-delete-answer", false);
        try (CapturedLog logged = CapturedLog.of(SqsQueueProvider.class);
                QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "60s", "waitTime", "1s"))) {
            provider.enqueue(ElasticMq.job("lost-delete-2"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            drop.dropNext();
            provider.release(received.getFirst());
            assertThat(drop.dropped.await(0, TimeUnit.SECONDS)).as("the delete's answer was dropped").isTrue();
            assertThat(QueueContents.total(queues.url())).as("messages on the queue: the released copy").isEqualTo(1);
            assertThat(logged.warnings()).as("WARN lines of the release").isEmpty();
        }
    }

    @Test
    @DisplayName("under deadLetter: discard, a dead job whose delete is sent again that way is discarded, not a lost lease")
    void aDiscardWhoseDeleteAnswerWasLostIsNotALostLease() throws Exception {
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("lost-discard-delete-answer", false);
        var settings = new LinkedHashMap<String, Object>(ElasticMq.settings(queues, Map.of("visibilityTimeout", "60s",
                "waitTime", "1s", "deadLetter", "discard", "endpoint", "http://127.0.0.1:" + proxy.port())));
        settings.remove("deadLetterQueueUrl");
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", settings), Clock.systemUTC()))) {
            provider.enqueue(ElasticMq.job("lost-delete-3"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            drop.dropNext();
            assertThatCode(() -> provider.fail(received.getFirst(), Failure.dead("boom")))
                    .as("the discard whose delete's first answer was lost, its message deleted by that first attempt")
                    .doesNotThrowAnyException();
            assertThat(drop.dropped.await(0, TimeUnit.SECONDS)).as("the delete's answer was dropped").isTrue();
            assertThat(QueueContents.total(queues.url())).as("messages left on the queue").isZero();
        }
    }

    @Test
    @DisplayName("a dead-letter copy whose live delete is sent again that way warns of no second copy: there is none")
    void aDeadLetterDeleteWhoseAnswerWasLostWarnsOfNoSecondCopy() throws Exception {
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("lost-dead-letter-delete-answer", false);
        try (CapturedLog logged = CapturedLog.of(SqsQueueProvider.class, DeadLetterCopies.class);
                QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "60s", "waitTime", "1s"))) {
            provider.enqueue(ElasticMq.job("lost-delete-4"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            drop.dropNext();
            provider.fail(received.getFirst(), Failure.dead("boom"));
            assertThat(drop.dropped.await(0, TimeUnit.SECONDS)).as("the delete's answer was dropped").isTrue();
            assertThat(QueueContents.total(queues.url())).as("messages left on the live queue").isZero();
            assertThat(QueueContents.total(queues.deadLetterUrl())).as("copies on the dead-letter queue").isEqualTo(1);
            assertThat(logged.warnings()).as("WARN lines of the dead-lettering").isEmpty();
        }
    }
}

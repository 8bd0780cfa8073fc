package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import dev.jobq.JobOptions;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A visibility change that shortens the lease: a lease extension whose call failed after SQS had made it (its answers
 * lost), or the hold before a release's or a dead job's copy after an extension longer than the queue's lease. The
 * message is visible again at the shorter end, and another worker may hold it. A delete that SQS then refuses is not
 * the delete's own earlier attempt's success ({@link Lease#surelyHeldAt}): the delivery's lease did run out.
 */
@DisplayName("SQS: a lease shortened on SQS is surely held no longer than its new end (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated("captures the provider's log")
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

    /**
     * While armed, holds the first request naming {@code SendMessage} (a copy) until another consumer has received the
     * live queue's message: the hold before the copy let it become visible.
     */
    private static final class HoldCopyUntilReceivedElsewhere implements TcpProxy.Chunk {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicReference<List<Message>> other = new AtomicReference<>(List.of());
        private volatile String liveUrl = "";

        @Override
        public boolean pass(boolean request) {
            return true;
        }

        @Override
        public boolean pass(boolean request, byte[] bytes, int length) {
            if (request && new String(bytes, 0, length, StandardCharsets.ISO_8859_1).contains("AmazonSQS.SendMessage")
                    && armed.compareAndSet(true, false)) {
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                    other.set(ElasticMq.client().receiveMessage(r -> r.queueUrl(liveUrl).visibilityTimeout(60)
                            .waitTimeSeconds(1)).messages());
                    return !other.get().isEmpty();
                });
            }
            return true;
        }
    }

    /**
     * While armed, holds the answer to the next request naming {@code ChangeMessageVisibility} (a heartbeat's, the only
     * call then under way) until {@link #answer} is counted down: SQS has made the change, and the heartbeat is still
     * under way.
     */
    private static final class HoldVisibilityAnswer implements TcpProxy.Chunk {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean holdNextAnswer = new AtomicBoolean();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch answer = new CountDownLatch(1);

        @Override
        public boolean pass(boolean request) {
            return true;
        }

        @Override
        public boolean pass(boolean request, byte[] bytes, int length) throws InterruptedException {
            if (request) {
                if (new String(bytes, 0, length, StandardCharsets.ISO_8859_1).contains("AmazonSQS.ChangeMessageVisibility")
                        && armed.compareAndSet(true, false)) {
                    holdNextAnswer.set(true);
                }
            } else if (holdNextAnswer.compareAndSet(true, false)) {
                held.countDown();
                answer.await(30, TimeUnit.SECONDS);
            }
            return true;
        }
    }

    private final DropVisibilityAnswers drop = new DropVisibilityAnswers();
    private final HoldCopyUntilReceivedElsewhere holdCopy = new HoldCopyUntilReceivedElsewhere();
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
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("shortened-lease", false);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "60s", "waitTime", "1s"))) {
            provider.enqueue(ElasticMq.job("shortened-1"), Duration.ZERO);
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

    @Test
    @DisplayName("a release after an extension past the queue's lease, whose delete SQS refuses once another worker "
            + "received the message its hold let go, warns that the job may run twice")
    void aReleaseAfterALongExtensionWarnsWhenItsHoldRanOut() throws Exception {
        String warning = afterALongExtension("shortened-2", provider -> provider::release);
        assertThat(warning).as("the release's WARN").contains("shortened-2", "so the job may run twice");
    }

    @Test
    @DisplayName("a dead-letter copy after an extension past the queue's lease, whose live delete SQS refuses once "
            + "another worker received the message its hold let go, warns of the second copy")
    void aDeadLetterCopyAfterALongExtensionWarnsWhenItsHoldRanOut() throws Exception {
        String warning = afterALongExtension("shortened-3",
                provider -> job -> provider.fail(job, Failure.dead("boom")));
        assertThat(warning).as("the dead-lettering's WARN").contains("shortened-3", "(a second copy)");
    }

    @Test
    @DisplayName("a release that went ahead beside a slow heartbeat extending past the queue's lease, whose delete SQS "
            + "refuses once another worker received the message its hold let go, warns that the job may run twice")
    void aReleaseBesideASlowLongExtensionWarnsWhenItsHoldRanOut() throws Exception {
        String warning = besideASlowLongExtension("shortened-4", provider -> provider::release);
        assertThat(warning).as("the release's WARN").contains("shortened-4", "so the job may run twice");
    }

    @Test
    @DisplayName("a dead-letter copy that went ahead beside a slow heartbeat extending past the queue's lease, whose "
            + "live delete SQS refuses once another worker received the message its hold let go, warns of the second "
            + "copy")
    void aDeadLetterCopyBesideASlowLongExtensionWarnsWhenItsHoldRanOut() throws Exception {
        String warning = besideASlowLongExtension("shortened-5",
                provider -> job -> provider.fail(job, Failure.dead("boom")));
        assertThat(warning).as("the dead-lettering's WARN").contains("shortened-5", "(a second copy)");
    }

    /**
     * Receives job {@code jobId} on a lease of 2 s and extends it by 10 minutes on another thread, the extension's answer
     * held (SQS made it); settles it with {@code settle}, which goes ahead beside that heartbeat after
     * {@link SqsQueueProvider#HEARTBEAT_WAIT} and holds the delivery 2 s before its copy; the copy is held until another
     * consumer received the message and the heartbeat, its answer let go, returned. The WARN lines said meanwhile.
     */
    private String besideASlowLongExtension(String jobId,
            java.util.function.Function<QueueProvider, java.util.function.Consumer<ReceivedJob>> settle)
            throws Exception {
        var heartbeat = new HoldVisibilityAnswer();
        var heartbeatReturned = new CountDownLatch(1);
        var copyArmed = new AtomicBoolean();
        var other = new AtomicReference<List<Message>>(List.of());
        SqsServer.Queues queues = ElasticMq.newQueues("shortened-beside", false);
        TcpProxy.Chunk chunks = new TcpProxy.Chunk() {
            @Override
            public boolean pass(boolean request) {
                return true;
            }

            @Override
            public boolean pass(boolean request, byte[] bytes, int length) throws InterruptedException {
                if (!heartbeat.pass(request, bytes, length)) {
                    return false;
                }
                if (request && new String(bytes, 0, length, StandardCharsets.ISO_8859_1).contains("AmazonSQS.SendMessage")
                        && copyArmed.compareAndSet(true, false)) {
                    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                        other.set(ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).visibilityTimeout(60)
                                .waitTimeSeconds(1)).messages());
                        return !other.get().isEmpty();
                    });
                    heartbeat.answer.countDown();
                    heartbeatReturned.await(20, TimeUnit.SECONDS); // asserted below: the extension thread ended
                }
                return true;
            }
        };
        proxy = ElasticMq.proxy(chunks);
        try (CapturedLog logged = CapturedLog.of(SqsQueueProvider.class, DeadLetterCopies.class);
                QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                // The heartbeat's attempt must outlast its held answer on a loaded machine.
                Map.of("visibilityTimeout", "2s", "waitTime", "1s", "requestTimeout", "60s"))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, jobId, "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            heartbeat.armed.set(true);
            Thread extension = Thread.ofVirtual().start(() -> {
                try {
                    provider.extendLease(received.getFirst(), Duration.ofMinutes(10));
                } finally {
                    heartbeatReturned.countDown();
                }
            });
            assertThat(heartbeat.held.await(20, TimeUnit.SECONDS)).as("the heartbeat's answer held").isTrue();
            copyArmed.set(true);
            settle.apply(provider).accept(received.getFirst());
            assertThat(extension.join(Duration.ofSeconds(20))).as("the heartbeat returned").isTrue();
            assertThat(other.get()).as("the message, received by another consumer before the copy").hasSize(1);
            return String.join("\n", logged.warnings());
        }
    }

    /**
     * Receives job {@code jobId} on a lease of 2 s, extends it by 10 minutes, and settles it with {@code settle}, whose
     * copy is held until another consumer received the message (its hold before the copy set 2 s); the WARN lines
     * said meanwhile, joined.
     */
    private String afterALongExtension(String jobId,
            java.util.function.Function<QueueProvider, java.util.function.Consumer<ReceivedJob>> settle)
            throws Exception {
        proxy = ElasticMq.proxy(holdCopy);
        SqsServer.Queues queues = ElasticMq.newQueues("shortened-by-hold", false);
        holdCopy.liveUrl = queues.url();
        try (CapturedLog logged = CapturedLog.of(SqsQueueProvider.class, DeadLetterCopies.class);
                QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "2s", "waitTime", "1s"))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, jobId, "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            provider.extendLease(received.getFirst(), Duration.ofMinutes(10));
            holdCopy.armed.set(true);
            settle.apply(provider).accept(received.getFirst());
            assertThat(holdCopy.other.get()).as("the message, received by another consumer before the copy").hasSize(1);
            return String.join("\n", logged.warnings());
        }
    }
}

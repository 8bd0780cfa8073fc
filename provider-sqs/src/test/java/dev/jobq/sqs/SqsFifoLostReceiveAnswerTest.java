package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A receive on a FIFO queue whose answer is lost on the way (the connection drops after SQS handed the message out):
 * the SDK tries the call again, and SQS must answer that attempt with the same message, not with nothing while the
 * message waits out its lease, its group held up behind it. (Whether the lost answer's receive counts is the server's:
 * ElasticMQ counts it.)
 */
@DisplayName("SQS FIFO: a receive whose answer is lost is tried again and gets the same message")
@ExtendWith(ElasticMq.class)
class SqsFifoLostReceiveAnswerTest {

    /** Passes everything but the first answer read once {@link #dropNext} is called: that connection ends there. */
    private static final class DropNextAnswer implements TcpProxy.Chunk {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch dropped = new CountDownLatch(1);

        void dropNext() {
            armed.set(true);
        }

        @Override
        public boolean pass(boolean request) {
            if (!request && armed.compareAndSet(true, false)) {
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
    @DisplayName("the job comes at once, not after its 30 s lease")
    void aLostReceiveAnswerDoesNotHideTheJobForALease() throws Exception {
        proxy = ElasticMq.proxy(drop);
        SqsServer.Queues queues = ElasticMq.newQueues("fifo-lost-receive", true);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "30s", "waitTime", "2s"))) {
            provider.enqueue(ElasticMq.job("lost-answer-1"), Duration.ZERO);
            drop.dropNext();
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(4));
            assertThat(drop.dropped.await(0, TimeUnit.SECONDS)).as("the receive's answer was dropped").isTrue();
            assertThat(received).as("what the receive whose first answer was lost got (SQS handed the job to the "
                    + "lost attempt: without the same ReceiveRequestAttemptId the retry gets nothing, and the job "
                    + "waits out its 30 s lease)").extracting(ReceivedJob::jobId).containsExactly("lost-answer-1");
            provider.acknowledge(received.getFirst());
        }
    }
}

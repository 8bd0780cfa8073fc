package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.spi.Failure;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calls outside the batches (a receive, the stats, a dead job's copy) that SQS takes and never answers: ElasticMQ behind
 * a proxy that, once told, passes the requests it is told of on no more, their connections left open and silent. Each
 * fails as the batched calls and start-up do, naming requestTimeout and the key to raise, not only the SDK's milliseconds.
 */
@DisplayName("SQS: calls outside the batches that SQS never answers (ElasticMQ behind a proxy)")
@ExtendWith(ElasticMq.class)
class SqsUnansweredCallsTest {

    private static final String NOT_ANSWERED = "SQS did not answer within requestTimeout 2s";
    private static final String RAISE = "each of the SDK's attempts (raise provider.requestTimeout if the network is slow)";

    private final CountDownLatch letGo = new CountDownLatch(1);
    private volatile Predicate<String> held = request -> false;
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        letGo.countDown();
        if (proxy != null) {
            proxy.close();
        }
    }

    private QueueProvider provider(SqsServer.Queues queues, String waitTime) throws IOException {
        proxy = ElasticMq.proxy(new TcpProxy.Chunk() {
            @Override
            public boolean pass(boolean request) {
                return true;
            }

            @Override
            public boolean pass(boolean request, byte[] bytes, int length) throws InterruptedException {
                if (request && held.test(new String(bytes, 0, length, StandardCharsets.ISO_8859_1))) {
                    letGo.await(60, TimeUnit.SECONDS);
                    return false;
                }
                return true;
            }
        });
        return ElasticMq.providerThrough(proxy, queues, Map.of("visibilityTimeout", "30s", "waitTime", waitTime,
                "requestTimeout", "2s"));
    }

    /** Whether {@code request} calls SQS's {@code action} (the JSON protocol names it in a header). */
    private static Predicate<String> calling(String action) {
        return request -> request.contains("AmazonSQS." + action + "\r\n");
    }

    @Test
    @DisplayName("a receive SQS never answers fails naming the queue, requestTimeout and the key to raise")
    void anUnansweredReceiveNamesRequestTimeout() throws IOException {
        SqsServer.Queues queues = ElasticMq.newQueues("unanswered-receive", false);
        try (QueueProvider provider = provider(queues, "0s")) {
            held = calling("ReceiveMessage");

            assertThatThrownBy(() -> provider.receive(1, Duration.ZERO))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("receiving from SQS queue 'default' (" + queues.url() + ") failed: "
                            + NOT_ANSWERED)
                    .hasMessageContaining(RAISE);
        }
    }

    @Test
    @DisplayName("a long poll SQS never answers fails naming its wait, requestTimeout and the key to raise")
    void anUnansweredLongPollNamesItsWaitAndRequestTimeout() throws IOException {
        SqsServer.Queues queues = ElasticMq.newQueues("unanswered-poll", false);
        try (QueueProvider provider = provider(queues, "1s")) {
            held = calling("ReceiveMessage");

            assertThatThrownBy(() -> provider.receive(1, Duration.ofSeconds(1)))
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("receiving from SQS queue 'default' (" + queues.url() + ") failed: "
                            + NOT_ANSWERED + " after the poll's wait of 1s, " + RAISE);
        }
    }

    @Test
    @DisplayName("stats SQS never answers fail naming the queue, requestTimeout and the key to raise")
    void unansweredStatsNameRequestTimeout() throws IOException {
        SqsServer.Queues queues = ElasticMq.newQueues("unanswered-stats", false);
        try (QueueProvider provider = provider(queues, "0s")) {
            held = calling("GetQueueAttributes");

            assertThatThrownBy(provider::stats)
                    .isExactlyInstanceOf(JobQueueException.class)
                    .hasMessageContaining("for SQS queue 'default' (" + queues.url() + ") failed: " + NOT_ANSWERED)
                    .hasMessageContaining(RAISE);
        }
    }

    @Test
    @DisplayName("a dead job whose copy SQS never answers fails naming the job, requestTimeout and the key to raise, and "
            + "stays on the queue")
    void anUnansweredDeadLetterCopyNamesRequestTimeout() throws IOException {
        SqsServer.Queues queues = ElasticMq.newQueues("unanswered-copy", false);
        try (QueueProvider provider = provider(queues, "1s")) {
            provider.enqueue(ElasticMq.job("unanswered-copy-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            held = calling("SendMessage");

            assertThatThrownBy(() -> provider.fail(received.getFirst(), Failure.dead("out of attempts")))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("copying dead job unanswered-copy-1 to dead-letter queue "
                            + queues.deadLetterUrl() + " failed: " + NOT_ANSWERED)
                    .hasMessageContaining(RAISE);
            assertThat(QueueContents.total(queues.url())).as("the live message, not deleted without its copy")
                    .isEqualTo(1);
        }
    }
}

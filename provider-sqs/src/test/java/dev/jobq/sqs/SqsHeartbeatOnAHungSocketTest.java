package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.tck.LeakChecks;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A heartbeat's call that hangs on a real socket: a proxy in front of ElasticMQ that, once armed, passes the next
 * request on no more, so its call waits for an answer on an open connection (a network that hangs); requests after
 * it go through.
 */
@DisplayName("SQS: a heartbeat that hangs on the socket (ElasticMQ behind a proxy)")
@ExtendWith(ElasticMq.class)
@Isolated("counts the JVM's jobq threads")
class SqsHeartbeatOnAHungSocketTest {

    private final TcpProxy.HoldNextRequest hold = new TcpProxy.HoldNextRequest();
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        hold.letGo();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("close() returns within seconds, the hung heartbeat returns with it, and no jobq thread is left")
    void closeEndsAHeartbeatHungOnTheSocket() throws Exception {
        proxy = ElasticMq.proxy(hold);
        SqsServer.Queues queues = ElasticMq.newQueues("hung-heartbeat-socket", false);
        QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "30s", "waitTime", "1s", "requestTimeout", "60s"));
        CompletableFuture<Throwable> extending;
        try {
            provider.enqueue(ElasticMq.job("socket-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            hold.holdNext();
            extending = CompletableFuture.supplyAsync(() -> {
                try {
                    provider.extendLease(received.getFirst(), Duration.ofSeconds(30));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }, runnable -> Thread.ofVirtual().start(runnable));
            assertThat(hold.reached(30)).as("the heartbeat reached the proxy").isTrue();
        } finally {
            long began = System.nanoTime();
            provider.close();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("close()").isLessThan(Duration.ofSeconds(10));
        }
        // its requestTimeout is 60 s: only close() can end it this soon
        assertThat(extending.get(15, TimeUnit.SECONDS)).as("what the hung heartbeat is told").isNotNull();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(LeakChecks.jobqThreadsVirtualToo())
                .as("jobq threads after close()").isEmpty());
    }

    @Test
    @DisplayName("with a 3 s lease, a heartbeat whose attempt hangs is tried again in time: the lease is extended within "
            + "the 2 s a heartbeat (a third into the lease) has left, not after requestTimeout's 10 s")
    void aHungAttemptIsTriedAgainWithinTheLease() throws Exception {
        proxy = ElasticMq.proxy(hold);
        SqsServer.Queues queues = ElasticMq.newQueues("hung-heartbeat-attempt", false);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("visibilityTimeout", "3s", "waitTime", "1s"))) {
            provider.enqueue(ElasticMq.job("socket-2"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            hold.holdNext();
            var extending = CompletableFuture.runAsync(() -> provider.extendLease(received.getFirst(),
                    Duration.ofSeconds(3)), runnable -> Thread.ofVirtual().start(runnable));
            assertThat(hold.reached(30)).as("the heartbeat reached the proxy").isTrue();
            long began = System.nanoTime();
            try {
                extending.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the heartbeat whose first attempt hangs did not return within 2 s: the lease "
                        + "of 3 s it extends runs out first, and the job runs twice", e);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the heartbeat").isLessThan(Duration.ofSeconds(2));
        }
    }
}

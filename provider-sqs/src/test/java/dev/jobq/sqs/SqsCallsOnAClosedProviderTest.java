package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jobq.JobOptions;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calls of a job's delivery that fail because the provider was closed, under way or after: each says that, names the
 * queue, and what it means for the job, not the SDK's words about its executor or its connection pool.
 */
@DisplayName("SQS: calls cut by close() say the provider was closed (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsCallsOnAClosedProviderTest {

    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private final AtomicBoolean holdNext = new AtomicBoolean();
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        letGo.countDown();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("a heartbeat under way when the provider closes fails saying so: the queue, that it was closed, and "
            + "that the job comes back when its lease runs out")
    void aHeartbeatCutByClose() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        proxy = TcpProxy.start(server, this::pass);
        SqsServer.Queues queues = ElasticMq.newQueues("closed-heartbeat", false);
        QueueProvider provider = provider(queues, "http://127.0.0.1:" + proxy.port());
        CompletableFuture<Throwable> extending;
        try {
            provider.enqueue(job("closed-hb-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            holdNext.set(true);
            extending = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                    provider.extendLease(received.getFirst(), Duration.ofSeconds(30))),
                    runnable -> Thread.ofVirtual().start(runnable));
            assertThat(reached.await(30, TimeUnit.SECONDS)).as("the heartbeat reached the proxy").isTrue();
        } finally {
            provider.close();
        }
        Throwable failure = extending.get(15, TimeUnit.SECONDS);
        assertThat(failure).as("what the heartbeat cut by close() is told").isNotNull();
        assertClosedSaid(failure.getMessage(), queues, "closed-hb-1");
    }

    @Test
    @DisplayName("each call of a job received before close() and made after it says the provider was closed")
    void callsAfterClose() {
        SqsServer.Queues queues = ElasticMq.newQueues("closed-calls", false);
        QueueProvider provider = provider(queues, null);
        List<ReceivedJob> received;
        try {
            for (int i = 1; i <= 5; i++) {
                provider.enqueue(job("closed-" + i), Duration.ZERO);
            }
            received = provider.receive(5, Duration.ofSeconds(5));
            for (int more = 0; received.size() < 5 && more < 5; more++) {
                received = new java.util.ArrayList<>(received);
                received.addAll(provider.receive(5 - received.size(), Duration.ofSeconds(5)));
            }
            assertThat(received).hasSize(5);
        } finally {
            provider.close();
        }
        ReceivedJob heartbeat = received.get(0);
        ReceivedJob acknowledged = received.get(1);
        ReceivedJob retried = received.get(2);
        ReceivedJob released = received.get(3);
        ReceivedJob dead = received.get(4);
        assertClosedSaid(catchThrowable(() -> provider.extendLease(heartbeat, Duration.ofSeconds(30))).getMessage(),
                queues, heartbeat.jobId());
        assertClosedSaid(catchThrowable(() -> provider.acknowledge(acknowledged)).getMessage(), queues,
                acknowledged.jobId());
        assertClosedSaid(catchThrowable(() -> provider.fail(retried,
                new Failure.RetryAfter(Duration.ofSeconds(5), "boom"))).getMessage(), queues, retried.jobId());
        assertClosedSaid(catchThrowable(() -> provider.release(released)).getMessage(), queues, released.jobId());
        assertClosedSaid(catchThrowable(() -> provider.fail(dead, new Failure.Dead("boom"))).getMessage(), queues,
                dead.jobId());

        String enqueued = catchThrowable(() -> provider.enqueue(job("closed-6"), Duration.ZERO)).getMessage();
        assertThat(enqueued).contains(queues.url()).contains("closed").contains("closed-6");
        List<EnqueueOutcome> all = provider.enqueueAll(List.of(job("closed-7"), job("closed-8")), Duration.ZERO);
        assertThat(all).allSatisfy(outcome -> assertThat(outcome.failure()).isNotNull());
        assertThat(all.get(1).failure().getMessage()).contains(queues.url()).contains("closed").contains("closed-8");
        assertThat(provider.receive(1, Duration.ofSeconds(1))).as("a receive after close()").isEmpty();
    }

    private static void assertClosedSaid(String message, SqsServer.Queues queues, String jobId) {
        assertThat(message).as("the failure's message").contains(jobId).contains(queues.url())
                .contains("the provider was closed").contains("lease runs out").contains("delivered again")
                .doesNotContain("rejected from").doesNotContain("Connection pool shut down");
    }

    private static QueueProvider provider(SqsServer.Queues queues, String endpoint) {
        Map<String, Object> extra = endpoint == null
                ? Map.of("visibilityTimeout", "30s", "waitTime", "1s", "requestTimeout", "60s")
                : Map.of("endpoint", endpoint, "visibilityTimeout", "30s", "waitTime", "1s", "requestTimeout", "60s");
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, extra)), Clock.systemUTC()));
    }

    private static JobEnvelope job(String id) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "report:build", "1", JobOptions.defaults(), 0,
                Instant.now(), null, null);
    }

    /** The next request once {@link #holdNext} is set is not passed on until the test ends. */
    private boolean pass(boolean request) throws InterruptedException {
        if (request && holdNext.compareAndSet(true, false)) {
            reached.countDown();
            letGo.await(60, TimeUnit.SECONDS);
            return false;
        }
        return true;
    }
}

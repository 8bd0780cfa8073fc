package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * Calls of a job's delivery that fail because the provider was closed, under way or after: each says that, names the
 * queue, and what it means for the job, not the SDK's words about its executor or its connection pool.
 */
@DisplayName("SQS: calls cut by close() say the provider was closed (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated("captures every dev.jobq log line of the JVM while a worker closes")
class SqsCallsOnAClosedProviderTest {

    private final TcpProxy.HoldNextRequest hold = new TcpProxy.HoldNextRequest();
    private volatile Duration latency = Duration.ZERO;
    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        hold.letGo();
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("a heartbeat under way when the provider closes fails saying so: the queue, that it was closed, and "
            + "that the job comes back when its lease runs out")
    void aHeartbeatCutByClose() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        proxy = TcpProxy.start(server, hold);
        SqsServer.Queues queues = ElasticMq.newQueues("closed-heartbeat", false);
        QueueProvider provider = provider(queues, "http://127.0.0.1:" + proxy.port());
        CompletableFuture<Throwable> extending;
        try {
            provider.enqueue(job("closed-hb-1"), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            hold.holdNext();
            extending = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                    provider.extendLease(received.getFirst(), Duration.ofSeconds(30))),
                    runnable -> Thread.ofVirtual().start(runnable));
            assertThat(hold.reached(30)).as("the heartbeat reached the proxy").isTrue();
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

    @Test
    @DisplayName("a worker's close() that closes the provider under acknowledgements on their way warns once, counting "
            + "them, not once per job with the SDK's stack trace")
    void aWorkerCloseCuttingAcknowledgementsWarnsOnce() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        proxy = TcpProxy.start(server, new TcpProxy.Chunk() {
            @Override
            public boolean pass(boolean request) {
                return true;
            }

            @Override
            public Duration answerLatency() {
                return latency;
            }
        });
        SqsServer.Queues queues = ElasticMq.newQueues("closed-worker", false);
        Map<String, Object> settings = ElasticMq.settings(queues, Map.of("endpoint", "http://127.0.0.1:" + proxy.port(),
                "visibilityTimeout", "60s", "waitTime", "1s"));
        Logger jobqLog = (Logger) LoggerFactory.getLogger("dev.jobq");
        CapturedLog logged = new CapturedLog();
        logged.start();
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("sqs", settings).backoff(Backoff.none())
                .concurrency(10).pollInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofMillis(500))
                .listener(events::add).build();
        var finish = new CountDownLatch(1);
        var returned = new AtomicInteger();
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            finish.await();
            returned.incrementAndGet();
        });
        try {
            jobs.start();
            for (int i = 0; i < 10; i++) {
                jobs.enqueue("report:build", "r" + i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                    .filter(JobEvent.Started.class::isInstance).count() == 10);
            // SQS answers late from now on: the acknowledgements are still on their way when shutdownTimeout passes,
            // and close() closes the provider under them.
            latency = Duration.ofSeconds(3);
            jobqLog.addAppender(logged);
            finish.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> returned.get() == 10);
        } finally {
            jobs.close();
        }
        try {
            // Announced after the acknowledgement returned, failed or not, on the handlers' threads: what they log of
            // it is logged by then.
            await().atMost(Duration.ofSeconds(15)).until(() -> events.stream()
                    .filter(JobEvent.Completed.class::isInstance).count() == 10);
        } finally {
            jobqLog.detachAppender(logged);
        }
        List<String> warned = logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        assertThat(warned).as("WARN and ERROR lines of the close()").singleElement().asString()
                .contains("shutdownTimeout 500ms passed").contains("attempt(s) still being settled").contains("acknowledgement");
        assertThat(logged.list.stream().map(ILoggingEvent::getFormattedMessage))
                .as("the jobs whose acknowledgement was cut, each a line of its own below WARN")
                .anyMatch(line -> line.contains("its acknowledgement was cut as the worker stopped"));
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
}

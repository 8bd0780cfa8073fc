package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.tck.LeakChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean holdNext = new java.util.concurrent.atomic.AtomicBoolean();
    private ServerSocket proxy;

    @AfterEach
    void closeProxy() throws IOException {
        letGo.countDown();
        if (proxy != null) {
            proxy.close();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Test
    @DisplayName("close() returns within seconds, the hung heartbeat returns with it, and no jobq thread is left")
    void closeEndsAHeartbeatHungOnTheSocket() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        startProxy(server);
        SqsServer.Queues queues = ElasticMq.newQueues("hung-heartbeat-socket", false);
        QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("endpoint",
                        "http://127.0.0.1:" + proxy.getLocalPort(), "visibilityTimeout", "30s", "waitTime", "1s",
                        "requestTimeout", "60s"))), Clock.systemUTC()));
        CompletableFuture<Throwable> extending;
        try {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "socket-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            holdNext.set(true);
            extending = CompletableFuture.supplyAsync(() -> {
                try {
                    provider.extendLease(received.getFirst(), Duration.ofSeconds(30));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }, runnable -> Thread.ofVirtual().start(runnable));
            assertThat(reached.await(30, TimeUnit.SECONDS)).as("the heartbeat reached the proxy").isTrue();
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
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        startProxy(server);
        SqsServer.Queues queues = ElasticMq.newQueues("hung-heartbeat-attempt", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("endpoint",
                        "http://127.0.0.1:" + proxy.getLocalPort(), "visibilityTimeout", "3s", "waitTime", "1s"))),
                Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "socket-2", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            holdNext.set(true);
            var extending = CompletableFuture.runAsync(() -> provider.extendLease(received.getFirst(),
                    Duration.ofSeconds(3)), runnable -> Thread.ofVirtual().start(runnable));
            assertThat(reached.await(30, TimeUnit.SECONDS)).as("the heartbeat reached the proxy").isTrue();
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

    /** Forwards to {@code server}; the next request once {@link #holdNext} is set is not passed on until the test ends. */
    private void startProxy(URI server) throws IOException {
        proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(() -> {
            while (!proxy.isClosed()) {
                try {
                    Socket client = proxy.accept();
                    Socket upstream = new Socket(server.getHost(), server.getPort());
                    sockets.add(client);
                    sockets.add(upstream);
                    Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream, true));
                    Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client, false));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    private void pump(Socket from, Socket to, boolean requests) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (requests && holdNext.compareAndSet(true, false)) {
                    reached.countDown();
                    letGo.await(60, TimeUnit.SECONDS);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // a side closed
        } finally {
            try {
                to.close();
            } catch (IOException e) {
                // nothing more to close
            }
        }
    }
}

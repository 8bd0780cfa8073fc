package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A provider closed while SQS does not answer its long poll (the network hangs, SQS is unreachable):
 * against a server on 127.0.0.1 that accepts connections and never says a word.
 */
class UnansweredPollCloseTest {

    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final CountDownLatch connected = new CountDownLatch(1);

    @BeforeEach
    void silentServer() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                    connected.countDown();
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    @AfterEach
    void closeServer() throws IOException {
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Test
    @DisplayName("close() gives up on an unanswered 1 s long poll 10 s after its wait, not after the 20 s waitTime and 10 s")
    void closeWaitsForAnUnansweredPollOnlyItsOwnWaitAndAMargin() throws Exception {
        String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
        String url = endpoint + "/000000000000/jobs";
        Settings section = Settings.of("test", "provider", Map.of("type", "sqs", "region", "us-east-1",
                "endpoint", endpoint, "accessKeyId", "test", "secretAccessKey", "test", "queueUrl", url,
                "deadLetter", "discard"));
        SqsSettings settings = SqsSettings.read(section);
        assertThat(settings.waitTime()).as("the default long poll wait").isEqualTo(Duration.ofSeconds(20));
        SqsQueue queue = new SqsQueue("default", url, false, null, Duration.ofSeconds(30), 1 << 20);
        var provider = new SqsQueueProvider(new SqsConnection(settings), queue, settings,
                new ProviderContext("default", section, Clock.systemUTC()));

        // a worker whose pollInterval is 1 s receives with a wait of 1 s
        var receiving = CompletableFuture.supplyAsync(() -> provider.receive(1, Duration.ofSeconds(1)),
                runnable -> Thread.ofVirtual().start(runnable));
        assertThat(connected.await(30, TimeUnit.SECONDS)).as("the poll reached the silent server").isTrue();

        long start = System.nanoTime();
        var closing = CompletableFuture.runAsync(provider::close, runnable -> Thread.ofVirtual().start(runnable));
        // its wait of 1 s and the margin of 10 s; before, close() waited waitTime + 10 s = 30 s. A loaded machine
        // only lengthens either, so any bound short of 30 s tells them apart: 25 s leaves the right one 14 s of room.
        closing.get(60, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("1 s + 10 s, and room for a loaded machine; "
                + "not waitTime + 10 s = 30 s").isLessThan(Duration.ofSeconds(25));
        assertThat(receiving.get(30, TimeUnit.SECONDS)).as("the receiver left empty-handed at close").isEmpty();
    }
}

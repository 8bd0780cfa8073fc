package dev.jobq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An endpoint that takes each connection and closes it unanswered, counting them: an SQS client gets no answer and
 * tries again as its retry policy says, each attempt on a connection of its own, so {@link #connections()} counts the
 * attempts of every request sent there. Closed, it stops taking connections.
 */
public final class CountingEndpoint implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    public CountingEndpoint() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("counting-endpoint").start(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closedOrReset) {
                    // closed: the loop ends; reset by the client: the next one
                }
            }
        });
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The connections taken so far. */
    public int connections() {
        return connections.get();
    }

    /** The keys of an SQS provider section whose endpoint and queue are here, indented by {@code indent} spaces. */
    public String sqsKeys(int indent) {
        String keys = """
                type: sqs
                region: us-east-1
                endpoint: %1$s
                accessKeyId: test
                secretAccessKey: test
                queueUrl: %1$s/000000000000/jobs
                deadLetter: discard
                requestTimeout: 2s
                """.formatted(url()).indent(indent);
        return keys.substring(0, keys.length() - 1);
    }

    /** A config file in {@code dir}: a memory default queue, and queue {@code remote} here. */
    public Path remoteQueueFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve("remote-down.yaml"), """
                provider:
                  type: memory
                queues:
                  remote:
                %s
                """.formatted(sqsKeys(4)));
    }

    /**
     * The connections one opening of {@code file}'s queues takes here (it fails): the provider's start-up request,
     * with the SDK's retries. Counted from the start, so call it before anything else connects.
     */
    public int connectionsOfOneOpening(Path file) {
        assertThatThrownBy(() -> JobQueue.builder().config(file).environment(Map.of()).build().close())
                .isInstanceOf(JobQueueException.class);
        int once = connections();
        assertThat(once).as("connections of one opening").isPositive();
        return once;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

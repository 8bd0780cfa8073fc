package dev.jobq.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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

    @Override
    public void close() throws IOException {
        server.close();
    }
}

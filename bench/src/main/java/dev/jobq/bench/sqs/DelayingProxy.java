package dev.jobq.bench.sqs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy on 127.0.0.1 that holds every chunk it forwards, in each direction, for a fixed time:
 * a network round trip for a server in the same JVM. Chunks keep their order and are not slowed
 * beyond the delay (each direction of each connection has a reader and a writer thread), so a
 * request costs one delay out and one back, as over a real link. For measurements, not for tests.
 */
final class DelayingProxy implements AutoCloseable {

    private static final byte[] END = new byte[0];

    private final ServerSocket listener;
    private final long delayNanos;
    private final int targetPort;

    private DelayingProxy(ServerSocket listener, int targetPort, Duration oneWay) {
        this.listener = listener;
        this.targetPort = targetPort;
        this.delayNanos = oneWay.toNanos();
    }

    /** Listens on a free port and forwards to {@code targetPort}, holding each chunk {@code oneWay}. */
    static DelayingProxy start(int targetPort, Duration oneWay) throws IOException {
        var proxy = new DelayingProxy(new ServerSocket(0, 256, InetAddress.getLoopbackAddress()), targetPort, oneWay);
        Thread.ofPlatform().daemon().name("delaying-proxy").start(proxy::accept);
        return proxy;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                forward(client, server);
                forward(server, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private void forward(Socket from, Socket to) {
        BlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (InputStream in = from.getInputStream()) {
                byte[] buffer = new byte[64 * 1024];
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    held.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, read)));
                }
            } catch (IOException e) {
                // the connection closed: the writer ends it on the other side too
            }
            held.add(new Chunk(System.nanoTime() + delayNanos, END));
        });
        Thread.ofVirtual().start(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = held.take();
                    long wait = chunk.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                    if (chunk.bytes() == END) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side closed, or the JVM is ending
            }
        });
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}

package dev.jobq.sqs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on the loopback address in front of a server (ElasticMQ), for tests of a network that is slow or
 * hangs: each chunk read from either side is first shown to a {@link Chunk}, which may hold it for good, and the
 * server's answers are passed on {@link Chunk#answerLatency()} late (scheduled, in order; no thread sleeps).
 */
final class TcpProxy implements AutoCloseable {

    /** What the proxy does with each chunk before it passes it on. */
    interface Chunk {
        /**
         * Called on the chunk's own thread; {@code request}: the client's side, else the server's answer.
         *
         * @return false to pass it on no more: that direction of the connection stops, and is closed
         */
        boolean pass(boolean request) throws InterruptedException;

        /** As {@link #pass(boolean)}, shown the chunk's bytes ({@code length} of {@code bytes}); that by default. */
        default boolean pass(boolean request, byte[] bytes, int length) throws InterruptedException {
            return pass(request);
        }

        /** How late an answer's chunk read now is passed on (a far region, a loaded NAT); none by default. */
        default Duration answerLatency() {
            return Duration.ZERO;
        }
    }

    /**
     * A {@link Chunk} that passes everything but the first request once {@link #holdNext} is called: that one is held,
     * its connection silent, until {@link #letGo} (a socket that hangs).
     */
    static final class HoldNextRequest implements Chunk {
        private final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicBoolean holdNext = new java.util.concurrent.atomic.AtomicBoolean();

        /** Holds the next request the proxy reads from a client. */
        void holdNext() {
            holdNext.set(true);
        }

        /** Whether the held request reached the proxy within {@code seconds}. */
        boolean reached(long seconds) throws InterruptedException {
            return reached.await(seconds, TimeUnit.SECONDS);
        }

        /** Ends the hold: the held request is passed on no more, and its connection closes. */
        void letGo() {
            letGo.countDown();
        }

        @Override
        public boolean pass(boolean request) throws InterruptedException {
            if (request && holdNext.compareAndSet(true, false)) {
                reached.countDown();
                letGo.await(60, TimeUnit.SECONDS);
                return false;
            }
            return true;
        }
    }

    private final ServerSocket listening;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Chunk chunk;
    /** Off: a connection accepted is held unanswered, and no other is accepted ({@link #dropNewConnections}). */
    private volatile boolean accepting = true;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private TcpProxy(ServerSocket listening, Chunk chunk) {
        this.listening = listening;
        this.chunk = chunk;
    }

    /** Starts a proxy forwarding to {@code server}'s host and port. */
    static TcpProxy start(URI server, Chunk chunk) throws IOException {
        return start(server, chunk, 50);
    }

    /** The same, listening with a backlog of {@code backlog} connections (1: {@link #dropNewConnections} fills it). */
    static TcpProxy start(URI server, Chunk chunk, int backlog) throws IOException {
        var proxy = new TcpProxy(new ServerSocket(0, backlog, InetAddress.getLoopbackAddress()), chunk);
        Thread.ofVirtual().name("proxy-accept").start(() -> proxy.accept(server));
        return proxy;
    }

    /**
     * From now on new connections are not made, as at a blackholed address or behind a firewall that drops them: the
     * proxy accepts no more, and connections of its own fill its backlog (started with a backlog of 1), so that a
     * client's connection attempt waits until its connect timeout. Connections made before keep working.
     */
    void dropNewConnections() throws IOException {
        accepting = false;
        for (int i = 0; i < 64; i++) {
            var socket = new Socket();
            sockets.add(socket);
            try {
                socket.connect(listening.getLocalSocketAddress(), 300);
            } catch (java.net.SocketTimeoutException e) {
                return; // the backlog is full: this one's SYN was dropped
            }
        }
        throw new IllegalStateException("the backlog of the proxy never filled");
    }

    /** The port it listens on, at 127.0.0.1. */
    int port() {
        return listening.getLocalPort();
    }

    /** Stops listening and closes every connection, held ones too. */
    @Override
    public void close() throws IOException {
        closed.countDown();
        listening.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void accept(URI server) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                if (!accepting) {
                    sockets.add(client); // held unanswered; none accepted after it
                    closed.await();
                    return;
                }
                Socket upstream = new Socket(server.getHost(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream, true));
                Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client, false));
            } catch (IOException e) {
                return; // closed
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A chunk read from one side, to be written to the other once {@code dueNanos} has come. */
    private record Pending(long dueNanos, byte[] bytes) {
    }

    private void pump(Socket from, Socket to, boolean requests) {
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("proxy-latency").factory());
        Queue<Pending> pending = new ConcurrentLinkedQueue<>();
        long lastDue = System.nanoTime();
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (!chunk.pass(requests, buffer, n)) {
                    return;
                }
                long latency = requests ? 0 : chunk.answerLatency().toNanos();
                // Never before an earlier chunk, however the latency changed meanwhile.
                lastDue = Math.max(System.nanoTime() + latency, lastDue);
                pending.add(new Pending(lastDue, Arrays.copyOf(buffer, n)));
                later.schedule(() -> writeDue(pending, out, to), lastDue - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
        } catch (IOException | InterruptedException e) {
            // a side closed
        } finally {
            // Once every chunk read before the end is written: a task runs at or after its own chunk's due time, and
            // writes every chunk due by then, first in, first out.
            later.schedule(() -> {
                writeDue(pending, null, to);
                closeQuietly(to);
            }, Math.max(0, lastDue - System.nanoTime()), TimeUnit.NANOSECONDS);
            later.shutdown(); // its delayed tasks still run
        }
    }

    /** Writes, in order, every pending chunk now due; {@code out} null: the side ended, every chunk is due. */
    private static void writeDue(Queue<Pending> pending, OutputStream out, Socket to) {
        try {
            OutputStream target = out != null ? out : to.getOutputStream();
            for (Pending next = pending.peek(); next != null && (out == null || next.dueNanos() - System.nanoTime() <= 0);
                    next = pending.peek()) {
                pending.poll();
                target.write(next.bytes());
                target.flush();
            }
        } catch (IOException e) {
            pending.clear();
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to close
        }
    }
}

package dev.jobq.sqs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on the loopback address in front of a server (ElasticMQ), for tests of a network that is slow or
 * hangs: each chunk read from either side is first shown to a {@link Chunk}, which may delay it or hold it for good.
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
    }

    private final ServerSocket listening;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Chunk chunk;

    private TcpProxy(ServerSocket listening, Chunk chunk) {
        this.listening = listening;
        this.chunk = chunk;
    }

    /** Starts a proxy forwarding to {@code server}'s host and port. */
    static TcpProxy start(URI server, Chunk chunk) throws IOException {
        var proxy = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), chunk);
        Thread.ofVirtual().name("proxy-accept").start(() -> proxy.accept(server));
        return proxy;
    }

    /** The port it listens on, at 127.0.0.1. */
    int port() {
        return listening.getLocalPort();
    }

    /** Stops listening and closes every connection, held ones too. */
    @Override
    public void close() throws IOException {
        listening.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void accept(URI server) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket(server.getHost(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream, true));
                Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean requests) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (!chunk.pass(requests)) {
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

package dev.jobq.cli.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's operations endpoints on the JDK's own HTTP server: {@code GET /health} (JSON,
 * {@link HealthReport}; 200 or 503) and {@code GET /metrics} (Prometheus text). Any other path is
 * 404, any other method 405; a target the JDK's server routes to no context (no path: {@code //health}, read as a
 * host, or {@code *}) gets that server's own HTML 404, which no handler here can reach. Each request runs on its
 * own virtual thread.
 */
public final class OpsServer implements AutoCloseable {

    /** The content type of the Prometheus text format the registry writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    /** How much of a host its refusal repeats: all of any name DNS has (at most 253 characters). */
    private static final int MAX_HOST_SHOWN = 255;
    private static final String HOST_ADVICE = "; give --http-host one of this machine's names or addresses, "
            + "0.0.0.0 for all of them (the default), or 127.0.0.1 for this machine only";

    /**
     * How long a client has to send its request once it began it, and to take the answer once the request is read
     * (the handler's own time included: /health and /metrics wait at most 2 s for a provider). The JDK's server sets
     * neither by default, so a client that began a request and went away (a half-open connection, a port scanner)
     * held its socket and its thread for ever, and enough of them used up the descriptors that the worker's provider
     * and database connections need too. Set unless given with {@code -D}; read once per JVM, before the first server.
     */
    static final Duration MAX_REQUEST_TIME = Duration.ofSeconds(10);
    static final Duration MAX_RESPONSE_TIME = Duration.ofSeconds(60);

    static {
        setUnlessGiven("sun.net.httpserver.maxReqTime", MAX_REQUEST_TIME);
        setUnlessGiven("sun.net.httpserver.maxRspTime", MAX_RESPONSE_TIME);
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = JsonMapper.builder().build();

    private OpsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    private static void setUnlessGiven(String property, Duration seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Long.toString(seconds.toSeconds()));
        }
    }

    /**
     * Starts serving on {@code host:port} ({@code port} 0: any free port, see {@link #address()}).
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static OpsServer start(String host, int port, Supplier<HealthReport> health,
                                  PrometheusMeterRegistry registry) {
        var address = new InetSocketAddress(host, port);
        Optional<String> hostProblem = hostProblem(host, address);
        if (hostProblem.isPresent()) {
            throw new UncheckedIOException(cannotListenOn(host, port) + ": " + hostProblem.get(),
                    address.isUnresolved() ? new UnknownHostException(host) : new SocketException(hostProblem.get()));
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (BindException e) {
            String fix = isLocal(address.getAddress()) ? "; choose another --http-port, or 0 for any free port"
                    : "; " + address.getAddress().getHostAddress() + " is not an address of this machine" + HOST_ADVICE;
            throw new UncheckedIOException(cannotListenOn(host, port) + " (" + e.getMessage() + ")" + fix, e);
        } catch (IOException e) {
            throw new UncheckedIOException(cannotListenOn(host, port) + ": " + e, e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jobq-http-", 0).factory());
        var ops = new OpsServer(server, executor);
        server.setExecutor(executor);
        server.createContext("/", ops::notFound);
        server.createContext("/health", exchange -> ops.serve(exchange, "/health", () -> {
            HealthReport report = health.get();
            return new Response(report.httpStatus(), "application/json", ops.toJson(report));
        }));
        server.createContext("/metrics", exchange -> ops.serve(exchange, "/metrics",
                () -> new Response(HealthReport.OK, PROMETHEUS_TEXT, registry.scrape())));
        server.start();
        return ops;
    }

    /**
     * The start of a refusal to listen on {@code host:port}, the host escaped and cut as {@link #hostProblem} repeats
     * it: "$(cat host-file)" ends in the file's newline, which split the line before hostProblem's escaped host.
     */
    private static String cannotListenOn(String host, int port) {
        return "cannot listen on " + UntrustedText.escape(host, MAX_HOST_SHOWN) + ":" + port;
    }

    /**
     * What makes {@code host} (the {@code --http-host} option) one no server of this machine can listen on,
     * naming the option, the value and the fix: it does not resolve, or not to an address of this machine.
     * Empty for a host it can listen on, as far as that can be told before binding (a port taken is not a
     * host's problem). A configuration to fix, not a failure a restart may cure. A blank one is refused: the JDK reads
     * it as the loopback address, so {@code --http-host "$HOST"} with the variable unset listened on this machine only.
     */
    public static Optional<String> hostProblem(String host) {
        return hostProblem(host, new InetSocketAddress(host, 0));
    }

    private static Optional<String> hostProblem(String host, InetSocketAddress address) {
        if (host.isBlank()) {
            return Optional.of("--http-host is blank" + HOST_ADVICE);
        }
        if (address.isUnresolved()) {
            // quoted and escaped: "$(cat host-file)" ends in the file's newline, which split the message's line
            return Optional.of("--http-host " + UntrustedText.singleQuote(host, MAX_HOST_SHOWN)
                    + " does not resolve to an address" + HOST_ADVICE);
        }
        String ip = address.getAddress().getHostAddress();
        if (!isLocal(address.getAddress())) {
            return Optional.of("--http-host " + UntrustedText.singleQuote(host, MAX_HOST_SHOWN)
                    + (ip.equals(host) ? "" : " (" + ip + ")")
                    + " is not an address of this machine" + HOST_ADVICE);
        }
        return Optional.empty();
    }

    private static boolean isLocal(InetAddress address) {
        try {
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true; // cannot tell: keep the port advice, the likelier cause
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:8080}. */
    public URI address() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
    }

    private record Response(int status, String contentType, String body) {
    }

    private void serve(HttpExchange exchange, String path, Supplier<Response> handler) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                send(exchange, new Response(404, "text/plain; charset=utf-8", "not found; try /health or /metrics\n"));
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, new Response(405, "text/plain; charset=utf-8", method + " is not allowed; use GET or HEAD\n"));
                return;
            }
            Response response;
            try {
                response = handler.get();
            } catch (RuntimeException e) {
                log.warn("{} failed", path, e);
                // Whoever reaches the port reads it: a URL in the error (a database's, a queue's) shows its secrets masked.
                response = new Response(500, "text/plain; charset=utf-8", path + " failed: " + Secrets.maskUrl(e.toString())
                        + "\n");
            }
            send(exchange, response);
        }
    }

    private void notFound(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, new Response(404, "text/plain; charset=utf-8", "not found; try /health or /metrics\n"));
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (head) {
            // The JDK's server sends no length for HEAD, where GET's is expected (RFC 9110, 9.3.2), unless given here.
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private String toJson(HealthReport report) {
        try {
            return json.writeValueAsString(report) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing the health report as JSON failed", e);
        }
    }

    /** Stops listening at once; requests in progress are cut off. */
    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}

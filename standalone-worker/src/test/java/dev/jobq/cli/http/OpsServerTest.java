package dev.jobq.cli.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.cli.HttpProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of /health and /metrics: status codes, content types, methods, paths. */
class OpsServerTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<HealthReport> report = new AtomicReference<>();
    private OpsServer server;
    private HttpProbe http;

    @BeforeEach
    void start() {
        server = OpsServer.start("127.0.0.1", 0, report::get, registry);
        http = new HttpProbe(server.address());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static HealthReport report(HealthReport.Status status) {
        return new HealthReport(status, new HealthReport.Worker("running", 0, 5, List.of("default"), List.of("t"), null),
                List.of(new HealthReport.QueueHealth("default", 1, 2, 0, 3, 4, 5, 0.5, 0.75, 12, 1, 2, null)),
                status == HealthReport.Status.HEALTHY ? List.of() : List.of("something"));
    }

    @Test
    void healthIsJsonWithTheStatusInLowerCase() throws Exception {
        report.set(report(HealthReport.Status.HEALTHY));

        var response = http.get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        var json = JsonMapper.builder().build().readTree(response.body());
        assertThat(json.path("status").asText()).isEqualTo("healthy");
        assertThat(json.path("worker").path("startedAt").isNull()).isTrue();
        assertThat(json.path("queues").get(0).toString()).isEqualTo("{\"queue\":\"default\",\"waiting\":1,"
                + "\"delayed\":2,\"active\":0,\"completed\":3,\"failed\":4,\"dead\":5,\"throughputPerSecond\":0.5,"
                + "\"successRate\":0.75,\"averageDurationMillis\":12,\"peakActive\":1,\"inFlight\":2}");
    }

    @Test
    void degradedIs200AndUnhealthyIs503() {
        report.set(report(HealthReport.Status.DEGRADED));
        assertThat(http.get("/health").statusCode()).isEqualTo(200);

        report.set(report(HealthReport.Status.UNHEALTHY));
        var response = http.get("/health");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("\"status\":\"unhealthy\"", "\"problems\":[\"something\"]");
    }

    @Test
    void metricsIsPrometheusText() {
        Counter.builder("jobq.test").register(registry).increment();

        var response = http.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(OpsServer.PROMETHEUS_TEXT);
        assertThat(response.body()).contains("# TYPE jobq_test_total counter", "jobq_test_total 1.0");
    }

    @Test
    void otherPathsAre404AndOtherMethods405() {
        assertThat(http.get("/").statusCode()).isEqualTo(404);
        assertThat(http.get("/healthz").statusCode()).isEqualTo(404);
        assertThat(http.get("/health/x").statusCode()).isEqualTo(404);

        var post = http.send(HttpRequest.newBuilder(http.base().resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    /**
     * As operations.md says: a target the JDK's server routes to no handler (it reads {@code //health} as a host with
     * no path) gets that server's own HTML 404, never the health report; one with a path after the host gets ours.
     */
    @Test
    void aTargetWithoutAPathIsTheJdksOwn404NotTheHealthReport() throws Exception {
        report.set(report(HealthReport.Status.HEALTHY));

        assertThat(raw("GET //health")).startsWith("HTTP/1.1 404 ").contains("Content-Type: text/html")
                .doesNotContain("\"status\"", "\tat ");
        assertThat(raw("GET * ")).startsWith("HTTP/1.1 404 ").doesNotContain("\tat ");
        assertThat(raw("GET //health/x")).startsWith("HTTP/1.1 404 ").endsWith("not found; try /health or /metrics\n");
    }

    /**
     * operations.md: a target the JDK's server cannot parse gets that server's own HTML 400, before any handler here;
     * never the health report or a stack trace.
     */
    @Test
    void aTargetTheJdkCannotParseIsItsOwn400() throws Exception {
        report.set(report(HealthReport.Status.HEALTHY));

        assertThat(raw("GET /health%zz")).startsWith("HTTP/1.1 400 ").contains("Content-Type: text/html")
                .doesNotContain("\"status\"", "\tat ");
    }

    private String raw(String requestLineWithoutVersion) throws Exception {
        try (var socket = new Socket(server.address().getHost(), server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLineWithoutVersion.strip() + " HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), US_ASCII);
        }
    }

    @Test
    void clientsThatSendTheirRequestSlowlyOrNeverKeepNoOneElseFromHealth() throws Exception {
        report.set(report(HealthReport.Status.HEALTHY));
        var slow = new ArrayList<Socket>();
        try {
            for (int i = 0; i < 50; i++) {
                var socket = new Socket(server.address().getHost(), server.address().getPort());
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket); // the header is never finished
            }

            long started = System.nanoTime();
            assertThat(http.get("/health").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /**
     * A client that starts a request and never finishes it (a half-open connection, a scanner) held its socket and its
     * thread for ever: the JDK's server sets no time for a request by default, so enough of them used up the
     * process's file descriptors, which its SQS and database connections need too.
     */
    @Test
    void aRequestNeverFinishedIsCutOffWithinItsBound() throws Exception {
        try (var socket = new Socket(server.address().getHost(), server.address().getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(US_ASCII));
            socket.getOutputStream().flush();
            long started = System.nanoTime();

            int read;
            try {
                read = socket.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1; // closed by the server: a reset is as good as an end
            }

            assertThat(read).as("the server closed the connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(OpsServer.MAX_REQUEST_TIME.plusSeconds(2));
        }
    }

    @Test
    void aHugeHeaderOrBodyIsRefusedWithoutAStackTraceAndHealthStillAnswers() throws Exception {
        report.set(report(HealthReport.Status.HEALTHY));
        try (var socket = new Socket(server.address().getHost(), server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2_000_000)
                    + "\r\n\r\n").getBytes(US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readNBytes(200), US_ASCII);
            assertThat(answer).doesNotStartWith("HTTP/1.1 200").doesNotContain("Exception", "\tat ");
        } catch (java.net.SocketException closedWhileWriting) {
            // the server may close the connection before the header is written: a refusal too
        }
        // The server answers 405 without reading a body it does not want, then closes the connection
        // when more is left than it drains: the client may be cut off while still sending (CI saw it;
        // 12 in 300 here, "Connection reset by peer"). Either is a refusal; neither may be a 200.
        try {
            var hugePost = http.send(HttpRequest.newBuilder(http.base().resolve("/health"))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(5_000_000))).build());
            assertThat(hugePost.statusCode()).isEqualTo(405);
        } catch (UncheckedIOException cutOffWhileSending) {
            assertThat(cutOffWhileSending).hasMessage("POST " + http.base().resolve("/health") + " failed");
        }
        var post = http.send(HttpRequest.newBuilder(http.base().resolve("/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1_000))).build());
        var delete = http.send(HttpRequest.newBuilder(http.base().resolve("/metrics")).DELETE().build());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.body()).isEqualTo("DELETE is not allowed; use GET or HEAD\n");
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void headAnswersWithoutABody() {
        report.set(report(HealthReport.Status.UNHEALTHY));

        var head = http.send(HttpRequest.newBuilder(http.base().resolve("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(head.statusCode()).isEqualTo(503);
        assertThat(head.body()).isEmpty();
    }

    /**
     * A HEAD answer carries the headers GET's would (RFC 9110, 9.3.2): it had no Content-Length, so a client checking
     * the size of /metrics or /health with HEAD (curl -I, a load balancer's check) read none.
     */
    @Test
    void headTellsTheLengthGetWouldSend() {
        report.set(report(HealthReport.Status.HEALTHY));
        Counter.builder("jobq.test").register(registry).increment();

        for (String path : List.of("/health", "/metrics", "/nowhere")) {
            var get = http.get(path);
            var head = http.send(HttpRequest.newBuilder(http.base().resolve(path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

            assertThat(head.headers().firstValue("Content-Length")).as("HEAD " + path)
                    .hasValue(Integer.toString(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            assertThat(head.statusCode()).isEqualTo(get.statusCode());
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void aFailingHealthCheckIs500WithItsError() {
        var failing = OpsServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("boom");
        }, registry);
        try {
            var response = new HttpProbe(failing.address()).get("/health");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("/health failed: java.lang.IllegalStateException: boom");
            // HEAD carries the headers GET's 500 has, its length too (RFC 9110, 9.3.2).
            var head = new HttpProbe(failing.address()).send(HttpRequest.newBuilder(
                    failing.address().resolve("/health")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(head.statusCode()).isEqualTo(500);
            assertThat(head.headers().firstValue("Content-Length"))
                    .hasValue(Integer.toString(response.body().getBytes(US_ASCII).length));
            assertThat(head.body()).isEmpty();
        } finally {
            failing.close();
        }
    }

    /** /health answers whoever reaches the port: an error's URL shows there with its password masked, as in its report. */
    @Test
    void aFailingHealthChecksErrorIsShownWithTheSecretsOfItsUrlsMasked() {
        var failing = OpsServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("cannot reach jdbc:postgresql://jobq:S3CRET-pw@db.internal:5432/jobq");
        }, registry);
        try {
            var response = new HttpProbe(failing.address()).get("/health");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("/health failed: java.lang.IllegalStateException: cannot reach "
                    + "jdbc:postgresql://jobq:****@db.internal:5432/jobq").doesNotContain("S3CRET");
        } finally {
            failing.close();
        }
    }

    @Test
    void portInUseNamesTheAddressAndTheFix() {
        int port = server.address().getPort();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start("127.0.0.1", port, report::get,
                        registry))
                .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
                .hasMessageContaining("choose another --http-port, or 0 for any free port");
    }

    @Test
    void hostThatDoesNotResolveNamesTheHostAndTheFix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start("no-such-host.invalid", 0, report::get,
                        registry))
                .hasMessageContaining("cannot listen on no-such-host.invalid:0: --http-host 'no-such-host.invalid' "
                        + "does not resolve to an address")
                .hasMessageContaining("0.0.0.0 for all of them (the default), or 127.0.0.1 for this machine only");
    }

    @Test
    void aHostWithAControlCharacterIsRepeatedEscaped() {
        // --http-host "$(cat host-file)" ends in the file's newline: it was repeated raw, splitting the message's line
        assertThat(OpsServer.hostProblem("no-such-host.invalid\n")).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("--http-host 'no-such-host.invalid\\n' does not resolve to an address; give --http-host")
                .doesNotContain("\n"));
    }

    @Test
    void cannotListenOnRepeatsAHostWithAControlCharacterEscapedAndALongOneCut() {
        // "cannot listen on <host>:0" put the host raw before hostProblem's escaped one: the newline split the line
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start("no-such-host.invalid\n", 0,
                        report::get, registry))
                .hasMessageStartingWith("cannot listen on no-such-host.invalid\\n:0: --http-host 'no-such-host.invalid\\n' "
                        + "does not resolve to an address")
                .hasMessageNotContaining("\n");
        String longHost = "h".repeat(10_000) + ".invalid";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start(longHost, 0, report::get, registry))
                .hasMessageStartingWith("cannot listen on " + "h".repeat(255) + "…:0: --http-host '" + "h".repeat(255)
                        + "…' (10008 characters) does not resolve");
    }

    @Test
    void aBlankHostIsRefusedNotTakenForThisMachineOnly() {
        // InetAddress reads "" as the loopback address: --http-host "$HOST" with HOST unset listened on 127.0.0.1
        // alone, so probes from anywhere else failed while the worker said it served /health.
        for (String blank : List.of("", "  ")) {
            assertThat(OpsServer.hostProblem(blank)).hasValueSatisfying(problem -> assertThat(problem)
                    .startsWith("--http-host is blank; give --http-host one of this machine's names or addresses, "
                            + "0.0.0.0 for all of them (the default)"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start(blank, 0, report::get, registry))
                    .hasMessageContaining("cannot listen on " + blank + ":0: --http-host is blank");
        }
    }

    @Test
    void addressOfAnotherMachineNamesTheAddressNotThePort() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a machine.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpsServer.start("192.0.2.1", 0, report::get,
                        registry))
                .hasMessageContaining("cannot listen on 192.0.2.1:0")
                .hasMessageContaining("--http-host '192.0.2.1' is not an address of this machine; give --http-host one of")
                .hasMessageNotContaining("--http-port");
    }
}

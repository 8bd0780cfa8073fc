package dev.jobq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP requests to a worker's /health and /metrics, each bounded by a timeout. */
public final class HttpProbe {

    private static final Pattern ADDRESS = Pattern.compile("health and metrics on (http://\\S+) ");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI base;

    public HttpProbe(URI base) {
        this.base = base;
    }

    /** The address {@code jobq run} printed, from its stdout. */
    public static HttpProbe fromRunOutput(String stdout) {
        Matcher m = ADDRESS.matcher(stdout);
        if (!m.find()) {
            throw new IllegalStateException("jobq run printed no 'health and metrics on' line:\n" + stdout);
        }
        return new HttpProbe(URI.create(m.group(1)));
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.uri(), e);
        }
    }

    /** GET /health, asserting HTTP 200, status healthy and worker state running; the parsed body. */
    public JsonNode healthyAndRunning() {
        var health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body;
        try {
            body = MAPPER.readTree(health.body());
        } catch (IOException e) {
            throw new UncheckedIOException("/health answered no JSON: " + health.body(), e);
        }
        assertThat(body.path("status").asText()).isEqualTo("healthy");
        assertThat(body.path("worker").path("state").asText()).isEqualTo("running");
        return body;
    }

    public URI base() {
        return base;
    }
}

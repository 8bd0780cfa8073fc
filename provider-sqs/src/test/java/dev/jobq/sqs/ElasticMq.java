package dev.jobq.sqs;

import dev.jobq.JobOptions;
import dev.jobq.localsqs.LocalSqs;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS server for the tests: ElasticMQ embedded on 127.0.0.1 with a port of the system's
 * choosing (tests of other modules may run at the same time), started by {@link LocalSqs} (what
 * {@code local-sqs.jar} runs for users) once per test JVM by the first class that uses it, and
 * stopped when the JVM's tests end. The static methods reach it
 * through a plain SDK client ({@link #client()}), as another producer would.
 */
final class ElasticMq implements BeforeAllCallback {

    private static volatile Server server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Server.class, key -> new Server(), Server.class);
    }

    static SqsServer server() {
        if (server == null) {
            throw new IllegalStateException("ElasticMQ is not started: annotate the test class with "
                    + "@ExtendWith(ElasticMq.class)");
        }
        return server.sqs;
    }

    static SqsClient client() {
        return server().client();
    }

    /** A new queue (FIFO when asked) with a new dead-letter queue of the same kind, no redrive policy. */
    static SqsServer.Queues newQueues(String prefix, boolean fifo) {
        return server().newQueues(prefix, fifo);
    }

    static String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        return server().createQueue(name, attributes);
    }

    static Map<String, Object> settings(SqsServer.Queues queues, Map<String, ?> extra) {
        return server().settings(queues, extra);
    }

    /**
     * A provider of {@code queues} whose calls go through {@code proxy} (a {@link TcpProxy} in front of this server), with
     * {@code extra} settings beside the proxy's endpoint, on the system clock.
     */
    static QueueProvider providerThrough(TcpProxy proxy, SqsServer.Queues queues, Map<String, ?> extra) {
        var settings = new LinkedHashMap<String, Object>(extra);
        settings.put("endpoint", "http://127.0.0.1:" + proxy.port());
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", settings(queues, settings)), Clock.systemUTC()));
    }

    /** A {@link TcpProxy} in front of this server that passes what goes through it to {@code chunk}. */
    static TcpProxy proxy(TcpProxy.Chunk chunk) throws IOException {
        return TcpProxy.start(URI.create((String) connectionSettings().get("endpoint")), chunk);
    }

    /** Job {@code id}: a {@code report:build} whose payload is {@code 1}, its first attempt, made now. */
    static JobEnvelope job(String id) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "report:build", "1", JobOptions.defaults(), 0,
                Instant.now(), null, null);
    }

    /** Region, endpoint and dummy keys (ElasticMQ checks none) as a provider section. */
    static Map<String, Object> connectionSettings() {
        return new LinkedHashMap<>(server().connectionSettings());
    }

    private static final class Server implements AutoCloseable {
        private final LocalSqs local;
        private final SqsServer sqs;

        Server() {
            local = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0);
            sqs = new SqsServer(local.client(), Map.copyOf(local.connectionSettings()));
        }

        @Override
        public void close() {
            local.close();
        }
    }
}

package dev.jobq.sqs;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS server for the tests: ElasticMQ embedded on 127.0.0.1 with a port of the system's
 * choosing (tests of other modules may run at the same time), started once per test JVM by the
 * first class that uses it and stopped when the JVM's tests end. The static methods reach it
 * through a plain SDK client ({@link #client()}), as another producer would.
 */
final class ElasticMq implements BeforeAllCallback {

    static final String REGION = "us-east-1";
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

    /** Region, endpoint and dummy keys (ElasticMQ checks none) as a provider section. */
    static Map<String, Object> connectionSettings() {
        return new LinkedHashMap<>(server().connectionSettings());
    }

    private static final class Server implements AutoCloseable {
        private final SQSRestServer rest;
        private final SqsServer sqs;

        Server() {
            rest = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
            int port = rest.waitUntilStarted().localAddress().getPort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            SqsClient client = SqsClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("type", "sqs");
            settings.put("region", REGION);
            settings.put("endpoint", endpoint.toString());
            settings.put("accessKeyId", "test");
            settings.put("secretAccessKey", "test");
            sqs = new SqsServer(client, Map.copyOf(settings));
        }

        @Override
        public void close() {
            sqs.client().close();
            rest.stopAndWait();
        }
    }
}

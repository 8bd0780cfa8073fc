package dev.jobq.sqs;

import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
 * first class that uses it and stopped when the JVM's tests end. {@link #client()} is a plain AWS
 * SDK client, as another producer would use, for setting up queues and looking at them.
 */
final class ElasticMq implements BeforeAllCallback {

    static final String REGION = "us-east-1";
    private static final AtomicInteger QUEUE_NUMBERS = new AtomicInteger();
    private static volatile Server server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Server.class, key -> new Server(), Server.class);
    }

    static URI endpoint() {
        return running().endpoint;
    }

    static SqsClient client() {
        return running().client;
    }

    /** A live queue and its dead-letter queue. */
    record Queues(String url, String deadLetterUrl) {
    }

    /** A new queue (FIFO when asked) with a new dead-letter queue of the same kind, no redrive policy. */
    static Queues newQueues(String prefix, boolean fifo) {
        int n = QUEUE_NUMBERS.incrementAndGet();
        String suffix = fifo ? ".fifo" : "";
        String deadLetters = createQueue(prefix + "-" + n + "-dlq" + suffix, Map.of());
        String live = createQueue(prefix + "-" + n + suffix, Map.of());
        return new Queues(live, deadLetters);
    }

    /** Creates a queue (FIFO when its name ends in .fifo) with these attributes; returns its URL. */
    static String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        Map<QueueAttributeName, String> all = new HashMap<>(attributes);
        if (name.endsWith(".fifo")) {
            all.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        return client().createQueue(r -> r.queueName(name).attributes(all)).queueUrl();
    }

    /** Provider settings for {@code queues} on this server, with {@code extra} on top. */
    static Map<String, Object> settings(Queues queues, Map<String, ?> extra) {
        Map<String, Object> settings = new LinkedHashMap<>(connectionSettings());
        settings.put("queueUrl", queues.url());
        settings.put("deadLetterQueueUrl", queues.deadLetterUrl());
        settings.putAll(extra);
        return settings;
    }

    /** The settings that reach this server: region, endpoint and dummy keys (ElasticMQ checks none). */
    static Map<String, Object> connectionSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("type", "sqs");
        settings.put("region", REGION);
        settings.put("endpoint", endpoint().toString());
        settings.put("accessKeyId", "test");
        settings.put("secretAccessKey", "test");
        return settings;
    }

    private static Server running() {
        if (server == null) {
            throw new IllegalStateException("ElasticMQ is not started: annotate the test class with "
                    + "@ExtendWith(ElasticMq.class)");
        }
        return server;
    }

    private static final class Server implements AutoCloseable {
        private final SQSRestServer rest;
        private final URI endpoint;
        private final SqsClient client;

        Server() {
            rest = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
            int port = rest.waitUntilStarted().localAddress().getPort();
            endpoint = URI.create("http://127.0.0.1:" + port);
            client = SqsClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
        }

        @Override
        public void close() {
            client.close();
            rest.stopAndWait();
        }
    }
}

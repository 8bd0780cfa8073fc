package dev.jobq.bench.sqs;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * An SQS server in this JVM: ElasticMQ on 127.0.0.1 with a port of the system's choosing, so each
 * fork owns its own. Gives raw SDK clients built as the provider builds its own (the same HTTP
 * client and pool size), and the provider settings that reach a queue.
 */
final class ElasticMqServer implements AutoCloseable {

    private static final String REGION = "us-east-1";
    /** The provider's own pool size ({@code SqsConnection}), so neither side has more connections. */
    private static final int MAX_CONNECTIONS = 64;
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"));

    private final SQSRestServer rest;
    private final URI endpoint;
    private final SqsClient admin;
    private final AtomicInteger queues = new AtomicInteger();

    private ElasticMqServer(SQSRestServer rest, URI endpoint) {
        this.rest = rest;
        this.endpoint = endpoint;
        this.admin = newClient();
    }

    static ElasticMqServer start() {
        SQSRestServer rest = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int port = rest.waitUntilStarted().localAddress().getPort();
        return new ElasticMqServer(rest, URI.create("http://127.0.0.1:" + port));
    }

    int port() {
        return endpoint.getPort();
    }

    /** A raw SDK client, as an application without jobq would make one. Close it when done. */
    SqsClient newClient() {
        return SqsClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
                .credentialsProvider(CREDENTIALS)
                .httpClient(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS).build())
                .build();
    }

    /**
     * An asynchronous SDK client on the SDK's default asynchronous HTTP client (Netty), as Spring Cloud
     * AWS's documentation builds one (P5). Close it when done.
     */
    SqsAsyncClient newAsyncClient() {
        return SqsAsyncClient.builder().region(Region.of(REGION)).endpointOverride(endpoint)
                .credentialsProvider(CREDENTIALS).build();
    }

    /** A new, empty standard queue; returns its URL. */
    String newQueue(String prefix) {
        String name = prefix + "-" + queues.incrementAndGet();
        return admin.createQueue(r -> r.queueName(name)).queueUrl();
    }

    /** The {@code sqs} provider's settings for {@code queueUrl}: dead jobs discarded (a benchmark has none). */
    Map<String, Object> providerSettings(String queueUrl) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("region", REGION);
        settings.put("endpoint", endpoint.toString());
        settings.put("accessKeyId", "bench");
        settings.put("secretAccessKey", "bench");
        settings.put("queueUrl", queueUrl);
        settings.put("deadLetter", "discard");
        return settings;
    }

    @Override
    public void close() {
        admin.close();
        rest.stopAndWait();
    }
}

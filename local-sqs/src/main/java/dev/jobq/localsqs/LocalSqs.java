package dev.jobq.localsqs;

import java.net.URI;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ActorSystem;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS endpoint on this machine without Docker: ElasticMQ (the SQS API in memory, on Pekko HTTP)
 * started in this JVM, with a plain AWS SDK client of it for creating queues. The {@code local-sqs}
 * command runs one for people trying {@code jobq run}; jobq's SQS tests start one per test class.
 * Queues live in memory: they are gone when it stops. ElasticMQ checks no credentials; any static
 * keys do ({@value #ACCESS_KEY_ID}/{@value #SECRET_ACCESS_KEY} here).
 *
 * <pre>{@code
 * try (LocalSqs sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0)) {        // 0: a free port
 *     LocalSqs.Queues jobs = sqs.createQueues("jobs");                   // jobs-dlq, then jobs
 *     ... provider settings: sqs.connectionSettings() plus queueUrl jobs.url() ...
 * }
 * }</pre>
 *
 * <p>Thread-safe; {@link #close()} stops the server and the client.
 */
public final class LocalSqs implements AutoCloseable {

    /** ElasticMQ's usual port. */
    public static final int DEFAULT_PORT = 9324;
    /** Loopback only: a development queue is not for the network. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The region the endpoint answers for, and the one to configure. */
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY_ID = "test";
    public static final String SECRET_ACCESS_KEY = "test";
    /**
     * The redrive policy's receive count: above jobq's default {@code maxAttempts} (3), so jobq
     * dead-letters a job itself, with its error, and SQS's redrive is only the backstop
     * (docs/sqs.md).
     */
    public static final int MAX_RECEIVE_COUNT = 10;
    /** The longest queue name SQS takes, {@code .fifo} included. */
    public static final int MAX_QUEUE_NAME = 80;
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_QUEUE_NAME + "}");

    private final SQSRestServer server;
    private final ActorSystem system;
    private final URI endpoint;
    private final SqsClient client;

    private LocalSqs(SQSRestServer server, ActorSystem system, URI endpoint) {
        this.server = server;
        this.system = system;
        this.endpoint = endpoint;
        this.client = SqsClient.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * Starts ElasticMQ on {@code host}:{@code port} ({@code 0}: a free port of the system's choosing)
     * and waits until it listens.
     *
     * @throws IllegalArgumentException for a port out of range or a blank host, before anything starts
     * @throws IllegalStateException naming the address when it cannot listen there (the port is taken)
     */
    public static LocalSqs start(String host, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (host.isBlank()) { // it would bind (the JDK takes "" for loopback), then make no URL
            throw new IllegalArgumentException("host must name an address, such as " + DEFAULT_HOST + "; got '" + host + "'");
        }
        // An IPv6 address goes into URLs in brackets; bound in brackets too, as ElasticMQ writes the address
        // it binds into the queue URLs when it picks the port (and the JDK resolves "[::1]" as "::1").
        String urlHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        // Its own actor system, which it stops itself: ElasticMQ stops the one it makes only after a bind that
        // succeeded, and its threads are no daemons, so a refused start would keep a caller's JVM up.
        ActorSystem system = ActorSystem.create("elasticmq");
        SQSRestServer server;
        int bound;
        try {
            var builder = SQSRestServerBuilder.withActorSystem(system).withInterface(urlHost).withAWSRegion(REGION);
            server = (port == 0 ? builder.withDynamicPort()
                    : builder.withPort(port).withServerAddress(new NodeAddress("http", urlHost, port, ""))).start();
            bound = server.waitUntilStarted().localAddress().getPort();
        } catch (RuntimeException e) {
            terminate(system);
            throw cannotListen(host, port, e);
        }
        return new LocalSqs(server, system, URI.create("http://" + urlHost + ":" + bound));
    }

    /** The refusal of a start, naming the address and what to do: a taken port, or one the user may not bind. */
    static IllegalStateException cannotListen(String host, int port, RuntimeException e) {
        boolean denied = false;
        // Stops where the chain comes back (a cause whose cause is the error again: the walk spun for ever, and start()
        // never returned) and after the first 32 causes (a getCause() that makes a new cause at each call never ends).
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && !denied && seen.size() <= 32 && seen.add(t); t = causeOf(t)) {
            denied = messageOf(t).contains("Permission denied");
        }
        String advice = denied && port < 1024
                ? "; ports below 1024 need privileges here: choose one of 1024 or above (" + DEFAULT_PORT
                        + " is the default), or 0 for any free one"
                : "; is another local-sqs or ElasticMQ running there? Stop it, or choose another port";
        return new IllegalStateException("ElasticMQ could not listen on " + host + ":" + port + " (" + messageOf(e) + ")"
                + advice, e);
    }

    /**
     * {@code t.getCause()}, or null where it throws: what an overriding getCause() threw went out of {@link #cannotListen}
     * in place of the refusal naming the address (local-sqs does not depend on queue-spi's LoggableThrowables.causeOf).
     */
    private static @Nullable Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /**
     * {@code t.getMessage()}, or where it throws, what it threw: {@code its getMessage() threw
     * java.lang.UnsupportedOperationException}; it went out of {@link #cannotListen} in place of the refusal naming the
     * address, as a getCause() that throws did ({@link #causeOf}).
     */
    private static String messageOf(Throwable t) {
        try {
            return String.valueOf(t.getMessage());
        } catch (RuntimeException unreadable) {
            return "its getMessage() threw " + unreadable.getClass().getName();
        }
    }

    private static void terminate(ActorSystem system) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    /** A queue and its dead-letter queue. */
    public record Queues(String name, String url, String deadLetterName, String deadLetterUrl) {
    }

    /**
     * Creates {@code name}'s dead-letter queue ({@code name-dlq}, {@code name-dlq.fifo} for a FIFO
     * {@code name.fifo}), then {@code name} with a redrive policy naming it
     * ({@value #MAX_RECEIVE_COUNT} receives). Creating queues that exist with the same attributes
     * is no error.
     */
    public Queues createQueues(String name) {
        String deadLetterName = deadLetterName(name);
        String deadLetterUrl = createQueue(deadLetterName, Map.of());
        String deadLetterArn = client.getQueueAttributes(r -> r.queueUrl(deadLetterUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\""
                + MAX_RECEIVE_COUNT + "\"}";
        String url = createQueue(name, Map.of(QueueAttributeName.REDRIVE_POLICY, redrive));
        return new Queues(name, url, deadLetterName, deadLetterUrl);
    }

    /**
     * The name of {@code name}'s dead-letter queue: {@code name-dlq}, {@code name-dlq.fifo} for a FIFO
     * {@code name.fifo}.
     *
     * @throws IllegalArgumentException naming the rule when SQS would refuse {@code name} or that name
     */
    public static String deadLetterName(String name) {
        boolean fifo = name.endsWith(".fifo");
        String base = fifo ? name.substring(0, name.length() - ".fifo".length()) : name;
        if (!QUEUE_NAME.matcher(base).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a queue name SQS takes: 1 to " + MAX_QUEUE_NAME
                    + " letters, digits, hyphens and underscores, with .fifo at the end for a FIFO queue");
        }
        String deadLetterName = base + "-dlq" + (fifo ? ".fifo" : "");
        if (deadLetterName.length() > MAX_QUEUE_NAME) {
            throw new IllegalArgumentException("'" + name + "' leaves its dead-letter queue '" + deadLetterName + "' "
                    + deadLetterName.length() + " characters long, over SQS's " + MAX_QUEUE_NAME + "; use a name of at most "
                    + (name.length() - (deadLetterName.length() - MAX_QUEUE_NAME)) + " characters");
        }
        return deadLetterName;
    }

    /** Creates a queue (FIFO when its name ends in {@code .fifo}) with these attributes; returns its URL. */
    public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        Map<QueueAttributeName, String> all = new HashMap<>(attributes);
        if (name.endsWith(".fifo")) {
            all.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        return client.createQueue(r -> r.queueName(name).attributes(all)).queueUrl();
    }

    /** Where the SQS API answers, e.g. {@code http://127.0.0.1:9324}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A plain AWS SDK client of this endpoint (closed with it). */
    public SqsClient client() {
        return client;
    }

    /**
     * The connection part of a jobq {@code provider:} section for this endpoint: {@code type},
     * {@code region}, {@code endpoint} and the static keys. Add {@code queueUrl} and
     * {@code deadLetterQueueUrl}.
     */
    public Map<String, Object> connectionSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("type", "sqs");
        settings.put("region", REGION);
        settings.put("endpoint", endpoint.toString());
        settings.put("accessKeyId", ACCESS_KEY_ID);
        settings.put("secretAccessKey", SECRET_ACCESS_KEY);
        return settings;
    }

    /** Stops the client and the server, waiting for the server and its threads to stop. */
    @Override
    public void close() {
        client.close();
        try {
            server.stopAndWait();
        } finally {
            terminate(system);
        }
    }
}

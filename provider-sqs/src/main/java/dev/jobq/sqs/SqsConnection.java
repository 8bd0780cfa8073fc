package dev.jobq.sqs;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The SDK clients of one provider, each over a pooled HTTP client of its own: one for the
 * ReceiveMessage long polls, one for every other call, so that polls never hold the connections a
 * heartbeat or an acknowledgement needs. Credentials come from static keys in
 * the settings (local servers) or the SDK's default chain; they are never logged. Each attempt of a
 * request is cut at {@code requestTimeout} (a receive's at its wait plus that), so an endpoint that
 * accepts connections but never answers fails start-up, an enqueue or a delete within the SDK's
 * retries of that time rather than of the HTTP client's 30 s read timeout. Connecting is given up
 * after {@link #CONNECT_TIMEOUT} (just under {@code requestTimeout} when that is lower: {@link #connectTimeout}),
 * so an endpoint that drops connection attempts (a blackholed address, a firewall) fails as fast, whatever the
 * {@code requestTimeout}, and as a connection that could not be made.
 */
final class SqsConnection implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 64;
    /**
     * The long polls' own pool. A worker runs a poll loop per ten of its concurrency, each holding a
     * connection for up to {@code waitTime}; in the pool of the other calls, 64 loops (concurrency
     * 640) took every connection, and heartbeats, acknowledgements and sends waited behind them until
     * leases ran out and jobs ran twice. Apart, polls can only wait for polls.
     */
    private static final int MAX_POLL_CONNECTIONS = 1024;
    /**
     * The longest one attempt waits for a TCP connection: the SDK's default, set here so that an SDK
     * upgrade cannot change it unseen. A connection to SQS, even across regions, takes milliseconds.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The least the connect timeout is kept under a {@code requestTimeout} lower than {@link #CONNECT_TIMEOUT} by; a
     * quarter of {@code requestTimeout} where that is more. With 50 ms alone, a loaded machine (load average 7 on two
     * cores) woke the connecting thread too late: the attempt's timeout, 50 ms on, cut it first, and the failure read as
     * an answer that did not come within requestTimeout (raise it), the wrong fix.
     */
    private static final Duration UNDER_REQUEST_TIMEOUT = Duration.ofMillis(50);

    /**
     * The longest one attempt of a call waits for its TCP connection: {@link #CONNECT_TIMEOUT}, or under
     * {@code requestTimeout} when that is lower. At the connect timeout itself, each attempt to an endpoint that drops
     * connection attempts was cut at requestTimeout while it still connected, and failed as "SQS did not answer within
     * requestTimeout (raise it)", the wrong fix; cut just before, it fails as a connection that timed out, naming the
     * endpoint. An attempt whose connection takes longer had no time left for its request anyway. The long polls'
     * too: a poll's attempt is cut at its wait plus requestTimeout, and a short poll's wait is 0 ({@code waitTime} 0s,
     * or a worker with fewer permits than queues), so with the polls' pool left at 2 s each short poll to such an
     * endpoint failed as an answer that did not come within the attempt's timeout.
     */
    static Duration connectTimeout(Duration requestTimeout) {
        Duration quarter = requestTimeout.dividedBy(4);
        Duration under = requestTimeout.minus(quarter.compareTo(UNDER_REQUEST_TIMEOUT) > 0 ? quarter
                : UNDER_REQUEST_TIMEOUT);
        return under.compareTo(CONNECT_TIMEOUT) < 0 ? under : CONNECT_TIMEOUT;
    }

    private final SdkHttpClient http;
    private final SdkHttpClient pollHttp;
    private final AwsCredentialsProvider credentials;
    private final SqsClient client;
    private final SqsClient pollClient;
    /**
     * Set as {@link #close()} begins: a call that fails from then on failed because its clients were closed under it,
     * or before it (the SDK says that its executor refused a task, or that its connection pool was shut down). Not the
     * provider's own flag, which is set before it waits for its long polls: a call that failed meanwhile failed for a
     * reason of its own. Read only when a call failed.
     */
    private volatile boolean closed;

    /** How one SDK client is built over its HTTP client: {@link #build}; a test's seam for a build that fails. */
    @FunctionalInterface
    interface ClientBuilder {
        SqsClient build(SqsSettings settings, AwsCredentialsProvider credentials, SdkHttpClient http);
    }

    SqsConnection(SqsSettings settings) {
        this(settings, SqsConnection::build);
    }

    /**
     * A build that fails part way (the second client, say) closes what it built before it: each HTTP client holds
     * a pool and the SDK's idle-connection reaper, each SDK client its executors, and the default credentials
     * chain its caches, none of them reachable by the caller, whose provider was never made.
     */
    SqsConnection(SqsSettings settings, ClientBuilder clients) {
        SdkHttpClient http = null;
        SdkHttpClient pollHttp = null;
        AwsCredentialsProvider credentials = null;
        SqsClient client = null;
        SqsClient pollClient;
        try {
            http = Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS)
                    .connectionTimeout(connectTimeout(settings.requestTimeout())).build();
            pollHttp = Apache5HttpClient.builder().maxConnections(MAX_POLL_CONNECTIONS)
                    .connectionTimeout(connectTimeout(settings.requestTimeout())).build();
            credentials = settings.keys() != null
                    ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.keys().accessKeyId(),
                            settings.keys().secretAccessKey()))
                    : DefaultCredentialsProvider.builder().build();
            client = clients.build(settings, credentials, http);
            pollClient = clients.build(settings, credentials, pollHttp);
        } catch (RuntimeException | Error e) {
            closeAll(e, client, pollHttp, http, credentials);
            throw e;
        }
        this.http = http;
        this.pollHttp = pollHttp;
        this.credentials = credentials;
        this.client = client;
        this.pollClient = pollClient;
    }

    static SqsClient build(SqsSettings settings, AwsCredentialsProvider credentials, SdkHttpClient over) {
        SqsClientBuilder builder = SqsClient.builder().region(Region.of(settings.region()))
                .credentialsProvider(credentials).httpClient(over)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(settings.requestTimeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    /** Closes each of {@code built} that was built, in order; a failure to close is added to {@code failure}. */
    private static void closeAll(Throwable failure, @Nullable Object... built) {
        for (Object part : built) {
            if (part instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception | Error e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** The client of every call but ReceiveMessage: sends, deletes, visibility changes, start-up, stats. */
    SqsClient client() {
        return client;
    }

    /** The client of the ReceiveMessage long polls, over connections of their own. */
    SqsClient pollClient() {
        return pollClient;
    }

    /** Whether {@link #close()} began: the clients make no more calls. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        pollClient.close();
        client.close();
        pollHttp.close();
        http.close();
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Nothing to recover: the default chain's caches are only dropped.
            }
        }
    }
}

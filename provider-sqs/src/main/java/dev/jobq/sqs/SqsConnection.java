package dev.jobq.sqs;

import java.time.Duration;
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
 * The SDK client of one provider over a pooled HTTP client. Credentials come from static keys in
 * the settings (local servers) or the SDK's default chain; they are never logged. Each attempt of a
 * request is cut at {@code requestTimeout} (a receive's at its wait plus that), so an endpoint that
 * accepts connections but never answers fails start-up, an enqueue or a delete within the SDK's
 * retries of that time rather than of the HTTP client's 30 s read timeout. Connecting is given up
 * after {@link #CONNECT_TIMEOUT}, so an endpoint that drops connection attempts (a blackholed
 * address, a firewall) fails as fast, whatever the {@code requestTimeout}.
 */
final class SqsConnection implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 64;
    /**
     * The longest one attempt waits for a TCP connection: the SDK's default, set here so that an SDK
     * upgrade cannot change it unseen. A connection to SQS, even across regions, takes milliseconds.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final SqsClient client;

    SqsConnection(SqsSettings settings) {
        this.http = Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS).connectionTimeout(CONNECT_TIMEOUT)
                .build();
        this.credentials = settings.keys() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.keys().accessKeyId(),
                        settings.keys().secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        SqsClientBuilder builder = SqsClient.builder().region(Region.of(settings.region()))
                .credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(settings.requestTimeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.client = builder.build();
    }

    SqsClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
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

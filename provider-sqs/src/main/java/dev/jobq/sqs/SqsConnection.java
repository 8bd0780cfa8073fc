package dev.jobq.sqs;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The SDK clients of one provider over one pooled HTTP client: {@link #client()} for everything but
 * receiving (with the SDK's retries), {@link #receiver()} for long polls only (no retries, since
 * the worker's poll loop retries with its own pause, and abortable by {@link #abortReceives()}).
 * Credentials come from static keys in the settings (local servers) or the SDK's default chain;
 * they are never logged.
 */
final class SqsConnection implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 64;

    private final SdkHttpClient http;
    private final InterruptibleHttpClient receiveHttp;
    private final SqsClient client;
    private final SqsClient receiver;
    private final AwsCredentialsProvider credentials;

    SqsConnection(SqsSettings settings) {
        this.http = Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS).build();
        this.receiveHttp = new InterruptibleHttpClient(http);
        this.credentials = settings.keys() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.keys().accessKeyId(),
                        settings.keys().secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        this.client = builder(settings, credentials).httpClient(http).build();
        this.receiver = builder(settings, credentials).httpClient(receiveHttp)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    private static SqsClientBuilder builder(SqsSettings settings, AwsCredentialsProvider credentials) {
        SqsClientBuilder builder = SqsClient.builder().region(Region.of(settings.region()))
                .credentialsProvider(credentials);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder;
    }

    SqsClient client() {
        return client;
    }

    SqsClient receiver() {
        return receiver;
    }

    /** Wakes every receiver blocked in a long poll; later receive calls fail at once. */
    void abortReceives() {
        receiveHttp.abortAll();
    }

    @Override
    public void close() {
        abortReceives();
        receiver.close();
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

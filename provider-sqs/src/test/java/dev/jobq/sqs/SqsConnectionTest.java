package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.spi.Settings;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The provider's SDK clients, built and closed together (ElasticMQ). */
@DisplayName("SQS connection: its clients (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsConnectionTest {

    /**
     * Nothing in the settings makes one client's build fail and not the other's, so a build that fails is the
     * test's (an SDK client's build can fail on its own: a class failing to link, threads or memory running out).
     * Before, what the constructor had built was left open, out of the caller's reach: the first SDK client and
     * both pooled HTTP clients, whose pools the SDK's idle-connection reaper keeps watching.
     */
    @Test
    @DisplayName("a second client that fails to build closes the first client and both HTTP clients")
    void aFailedBuildClosesWhatItBuilt() {
        Map<String, Object> section = new java.util.HashMap<>(ElasticMq.connectionSettings());
        section.put("type", "sqs");
        section.put("queueName", "unused");
        section.put("deadLetter", "discard");
        SqsSettings settings = SqsSettings.read(Settings.of("test", "provider", section));
        List<SqsClient> built = new ArrayList<>();
        List<SdkHttpClient> over = new ArrayList<>();

        assertThatThrownBy(() -> new SqsConnection(settings, (s, credentials, http) -> {
            over.add(http);
            if (!built.isEmpty()) {
                throw new IllegalStateException("the test fails the second client's build");
            }
            SqsClient client = SqsConnection.build(s, credentials, http);
            built.add(client);
            return client;
        })).isInstanceOf(IllegalStateException.class).hasMessage("the test fails the second client's build");

        assertThat(over).as("HTTP clients handed to the builds").hasSize(2);
        // a closed SDK client's timeout executor is shut down: it takes no call
        assertThatThrownBy(() -> built.getFirst().listQueues()).as("a call on the first client, which was closed")
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        SdkHttpFullRequest get = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create(settings.endpoint().toString())).build();
        for (SdkHttpClient http : over) {
            assertThatThrownBy(() -> http.prepareRequest(HttpExecuteRequest.builder().request(get).build()).call())
                    .as("a request over an HTTP client of the failed build, which was closed")
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}

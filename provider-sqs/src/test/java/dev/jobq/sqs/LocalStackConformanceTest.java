package dev.jobq.sqs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The same conformance suite against LocalStack's SQS in a container, on a standard and a FIFO
 * queue. Skipped where Docker is not available; the ElasticMQ classes run the suite everywhere, so
 * this one is a second server, never the only test of anything.
 */
@DisplayName("SQS provider conformance on LocalStack (Docker)")
@Testcontainers(disabledWithoutDocker = true)
class LocalStackConformanceTest {

    private static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");
    private static LocalStackContainer localStack;
    private static SqsServer server;

    @BeforeAll
    static void startLocalStack() {
        localStack = new LocalStackContainer(IMAGE).withServices("sqs");
        localStack.start();
        SqsClient client = SqsClient.builder().region(Region.of(localStack.getRegion()))
                .endpointOverride(localStack.getEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        localStack.getAccessKey(), localStack.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("type", "sqs");
        settings.put("region", localStack.getRegion());
        settings.put("endpoint", localStack.getEndpoint().toString());
        settings.put("accessKeyId", localStack.getAccessKey());
        settings.put("secretAccessKey", localStack.getSecretKey());
        server = new SqsServer(client, settings);
    }

    @AfterAll
    static void stopLocalStack() {
        if (server != null) {
            server.client().close();
        }
        if (localStack != null) {
            localStack.stop();
        }
    }

    @Nested
    @DisplayName("standard queue")
    class StandardQueue extends SqsConformance {
        @Override
        protected SqsServer server() {
            return server;
        }

        @Override
        protected boolean fifo() {
            return false;
        }
    }

    @Nested
    @DisplayName("FIFO queue")
    class FifoQueue extends SqsConformance {
        @Override
        protected SqsServer server() {
            return server;
        }

        @Override
        protected boolean fifo() {
            return true;
        }
    }
}

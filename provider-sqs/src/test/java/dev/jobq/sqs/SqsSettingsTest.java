package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link SqsSettings#read} on values far from what the keys take: each is a problem, never an Error. */
@DisplayName("SQS settings read from hostile values")
class SqsSettingsTest {

    /** A region's name of 5,000 dashes, each with a letter after it: {@code us-a-a-…-a}. */
    private static final String DASHES = "us" + "-a".repeat(5_000);

    private static Map<String, Object> valid() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("type", "sqs");
        values.put("region", "us-east-1");
        values.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
        values.put("deadLetterQueueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq");
        return values;
    }

    private static List<String> problems(Map<String, ?> values) {
        Settings settings = Settings.of("jobq.yaml", "provider", values);
        SqsSettings.read(settings);
        return settings.problems();
    }

    @Test
    @DisplayName("a region of thousands of dashes is a problem, not a StackOverflowError: the region's patterns "
            + "recursed once a dash, and about 5,000 of them ended the config's reading with an Error")
    void aRegionOfThousandsOfDashesIsAProblemNotAStackOverflow() {
        Map<String, Object> onAws = valid();
        onAws.put("region", DASHES);
        assertThat(problems(onAws)).singleElement().asString().startsWith("provider.region: 'us-a-a-a-a")
                .endsWith("' is not an AWS region name: they end in a dash and a number, such as us-east-1 or "
                        + "eu-west-2 (aws ec2 describe-regions lists them); beside endpoint, a name the server takes "
                        + "(ElasticMQ any)");

        Map<String, Object> awsLike = valid();
        awsLike.remove("deadLetterQueueUrl");
        awsLike.put("region", DASHES + "-1");
        assertThat(problems(awsLike)).as("an AWS region's form, whose queue URL names another region").singleElement()
                .asString().startsWith("provider.queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs is a "
                        + "queue of region us-east-1, but region is us-a-a-a");

        Map<String, Object> local = valid();
        local.put("endpoint", "http://localhost:9324");
        local.put("region", DASHES);
        assertThat(problems(local)).as("beside a local server's endpoint: a name it takes").isEmpty();
        local.put("region", DASHES + "!");
        assertThat(problems(local)).singleElement().asString().startsWith("provider.region: beside endpoint it must be "
                + "a name of lower-case letters, digits and dashes the server takes");
    }

    @Test
    @DisplayName("a queue URL or endpoint whose host has thousands of dashes is read, not a StackOverflowError: the "
            + "pattern that finds the region in an SQS host recursed once a dash")
    void aHostOfThousandsOfDashesIsReadNotAStackOverflow() {
        Map<String, Object> endpoint = valid();
        endpoint.put("endpoint", "https://sqs." + DASHES + "-1.amazonaws.com");
        assertThat(problems(endpoint)).singleElement().asString().startsWith("provider.endpoint: https://sqs.us-a-a-a")
                .endsWith(".amazonaws.com is SQS's endpoint in region " + DASHES + "-1, but region is us-east-1; AWS "
                        + "refuses a request signed for another region than its endpoint's: set region: " + DASHES
                        + "-1, or an endpoint of region us-east-1");

        Map<String, Object> legacy = valid();
        legacy.put("queueUrl", "https://" + DASHES + ".queue.amazonaws.com/123456789012/jobs");
        assertThat(problems(legacy)).singleElement().asString().startsWith("provider.queueUrl: https://us-a-a-a")
                .endsWith("/123456789012/jobs is a queue of region " + DASHES + ", but region is us-east-1; SQS answers "
                        + "that the queue does not exist when asked in another region: set region: " + DASHES);
    }
}

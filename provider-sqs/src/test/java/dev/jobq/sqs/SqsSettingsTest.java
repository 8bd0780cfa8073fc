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
        assertThat(problems(onAws)).containsExactly("provider.region: 'us" + "-a".repeat(39) + "…' (10002 characters) "
                + "is not an AWS region name: they end in a dash and a number, such as us-east-1 or eu-west-2 (aws ec2 "
                + "describe-regions lists them); beside endpoint, a name the server takes (ElasticMQ any)");

        Map<String, Object> awsLike = valid();
        awsLike.remove("deadLetterQueueUrl");
        awsLike.put("region", DASHES + "-1");
        assertThat(problems(awsLike)).as("an AWS region's form, whose queue URL names another region").containsExactly(
                "provider.queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs is a queue of region "
                        + "us-east-1, but region is us" + "-a".repeat(39) + "… (10004 characters); SQS answers that "
                        + "the queue does not exist when asked in another region: set region: us-east-1");

        Map<String, Object> local = valid();
        local.put("endpoint", "http://localhost:9324");
        local.put("region", DASHES);
        assertThat(problems(local)).as("beside a local server's endpoint: a name it takes").isEmpty();
        local.put("region", DASHES + "!");
        assertThat(problems(local)).containsExactly("provider.region: beside endpoint it must be a name of lower-case "
                + "letters, digits and dashes the server takes, such as elasticmq for ElasticMQ or us-east-1 "
                + "(LocalStack takes AWS regions' names); got 'us" + "-a".repeat(39) + "…' (10003 characters)");
    }

    @Test
    @DisplayName("a queue URL or endpoint whose host has thousands of dashes is read, not a StackOverflowError: the "
            + "pattern that finds the region in an SQS host recursed once a dash")
    void aHostOfThousandsOfDashesIsReadNotAStackOverflow() {
        Map<String, Object> endpoint = valid();
        endpoint.put("endpoint", "https://sqs." + DASHES + "-1.amazonaws.com");
        assertThat(problems(endpoint)).containsExactly("provider.endpoint: https://sqs.us" + "-a".repeat(33) + "… "
                + "(10030 characters) is SQS's endpoint in region us" + "-a".repeat(39) + "… (10004 characters), but "
                + "region is us-east-1; AWS refuses a request signed for another region than its endpoint's: set "
                + "region: us" + "-a".repeat(39) + "… (10004 characters), or an endpoint of region us-east-1");

        Map<String, Object> legacy = valid();
        legacy.put("queueUrl", "https://" + DASHES + ".queue.amazonaws.com/123456789012/jobs");
        assertThat(problems(legacy)).containsExactly("provider.queueUrl: https://us" + "-a".repeat(35) + "… (10048 "
                + "characters) is a queue of region us" + "-a".repeat(39) + "… (10002 characters), but region is "
                + "us-east-1; SQS answers that the queue does not exist when asked in another region: set region: us"
                + "-a".repeat(39) + "… (10002 characters)");
    }

    @Test
    @DisplayName("a refusal of region, groupId, queueName or a URL key cuts a 100,000-character value after 80 "
            + "characters with its length said, as the core's refusals do: it was repeated whole, a 100,000-character "
            + "line")
    void aLongValueIsCutInItsRefusal() {
        String x = "x".repeat(100_000);

        Map<String, Object> region = valid();
        region.put("region", x);
        assertThat(problems(region)).containsExactly("provider.region: must be an AWS region name such as us-east-1, "
                + "got '" + "x".repeat(80) + "…' (100000 characters)");

        Map<String, Object> local = valid();
        local.put("endpoint", "http://localhost:9324");
        local.put("region", "X" + x);
        assertThat(problems(local)).containsExactly("provider.region: beside endpoint it must be a name of lower-case "
                + "letters, digits and dashes the server takes, such as elasticmq for ElasticMQ or us-east-1 "
                + "(LocalStack takes AWS regions' names); got 'X" + "x".repeat(79) + "…' (100001 characters)");

        Map<String, Object> notAws = valid();
        notAws.put("region", "us-" + x);
        assertThat(problems(notAws)).containsExactly("provider.region: 'us-" + "x".repeat(77) + "…' (100003 "
                + "characters) is not an AWS region name: they end in a dash and a number, such as us-east-1 or "
                + "eu-west-2 (aws ec2 describe-regions lists them); beside endpoint, a name the server takes "
                + "(ElasticMQ any)");

        Map<String, Object> otherRegion = valid();
        otherRegion.remove("deadLetterQueueUrl");
        otherRegion.put("region", "us-" + x + "-1");
        assertThat(problems(otherRegion)).containsExactly("provider.queueUrl: https://sqs.us-east-1.amazonaws.com/"
                + "123456789012/jobs is a queue of region us-east-1, but region is us-" + "x".repeat(77) + "… (100005 "
                + "characters); SQS answers that the queue does not exist when asked in another region: set region: "
                + "us-east-1");

        Map<String, Object> longUrl = valid();
        longUrl.put("queueUrl", "https://sqs.us-west-2.amazonaws.com/123456789012/" + x);
        assertThat(problems(longUrl)).containsExactly("provider.queueUrl: https://sqs.us-west-2.amazonaws.com/"
                + "123456789012/" + "x".repeat(31) + "… (100049 characters) is a queue of region us-west-2, but region "
                + "is us-east-1; SQS answers that the queue does not exist when asked in another region: set region: "
                + "us-west-2");

        Map<String, Object> groupId = valid();
        groupId.remove("deadLetterQueueUrl");
        groupId.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo");
        groupId.put("groupId", x);
        assertThat(problems(groupId)).containsExactly("provider.groupId: must be 1 to 128 printable ASCII characters "
                + "without spaces, got '" + "x".repeat(80) + "…' (100000 characters)");

        Map<String, Object> standard = valid();
        standard.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/" + x);
        standard.put("groupId", "g");
        assertThat(problems(standard)).containsExactly("provider.groupId: applies to FIFO queues only (their names end "
                + "in .fifo); https://sqs.us-east-1.amazonaws.com/123456789012/" + "x".repeat(31) + "… (100049 "
                + "characters) is a standard queue");

        Map<String, Object> queueName = valid();
        queueName.remove("queueUrl");
        queueName.put("queueName", x);
        assertThat(problems(queueName)).containsExactly("provider.queueName: must be 1 to 80 letters, digits, '-' or "
                + "'_' (a FIFO queue ending in '.fifo'), got '" + "x".repeat(80) + "…' (100000 characters)");
        queueName.put("queueName", "https://example.com/" + x);
        assertThat(problems(queueName)).containsExactly("provider.queueName: must be 1 to 80 letters, digits, '-' or "
                + "'_' (a FIFO queue ending in '.fifo'), got 'https://example.com/" + "x".repeat(60) + "…' (100020 "
                + "characters); for the queue's URL write queueUrl: https://example.com/" + "x".repeat(60) + "…");

        Map<String, Object> queueUrl = valid();
        queueUrl.put("queueUrl", "sqs/" + x);
        assertThat(problems(queueUrl)).containsExactly("provider.queueUrl: must be an http or https URL, got 'sqs/"
                + "x".repeat(76) + "…' (100004 characters)");
    }
}

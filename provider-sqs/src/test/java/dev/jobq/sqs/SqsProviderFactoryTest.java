package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.spi.DurationFormat;
import dev.jobq.JobQueueException;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Every settings problem is reported at once without I/O; start-up refuses a queue whose dead jobs would be lost. */
@DisplayName("SQS provider settings and start-up checks")
class SqsProviderFactoryTest {

    private static Settings section(Map<String, ?> values) {
        return Settings.of("jobq.yaml", "provider", values);
    }

    private static Map<String, Object> valid() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("type", "sqs");
        values.put("region", "us-east-1");
        values.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
        values.put("deadLetterQueueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq");
        return values;
    }

    private static java.util.List<String> problems(Map<String, ?> values) {
        Settings settings = section(values);
        new SqsProviderFactory().validate(settings);
        return settings.problems();
    }

    @Nested
    @DisplayName("validate, without connecting anywhere")
    class Validation {

        @Test
        @DisplayName("the factory is found by ServiceLoader as type sqs")
        void foundByServiceLoader() {
            assertThat(ServiceLoader.load(QueueProviderFactory.class).stream().map(p -> p.get().type()))
                    .contains("sqs");
        }

        @Test
        @DisplayName("a complete section has no problems")
        void completeSectionIsValid() {
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "60s");
            values.put("waitTime", "10s");
            values.put("maxPayloadBytes", "256KiB");
            values.put("endpoint", "http://127.0.0.1:4566");

            assertThat(problems(values)).isEmpty();
        }

        @Test
        @DisplayName("a section with only region and queueUrl gets the defaults configuration.md names")
        void unsetKeysTakeTheDocumentedDefaults() {
            Map<String, Object> values = valid();
            values.remove("deadLetterQueueUrl");
            Settings settings = section(values);

            SqsSettings read = SqsSettings.read(settings);

            assertThat(settings.problems()).isEmpty();
            assertThat(read.deadLetter()).as("deadLetter").isEqualTo(DeadLetterPolicy.MOVE);
            assertThat(read.deadLetterQueueUrl()).as("deadLetterQueueUrl: the redrive policy's DLQ").isNull();
            assertThat(read.createIfMissing()).as("createIfMissing").isFalse();
            assertThat(read.visibilityTimeout()).as("visibilityTimeout: the queue's own").isNull();
            assertThat(read.waitTime()).as("waitTime").isEqualTo(Duration.ofSeconds(20));
            assertThat(read.endpoint()).as("endpoint: AWS").isNull();
            assertThat(read.maxPayloadBytes()).as("maxPayloadBytes").isEqualTo(1024 * 1024);
            assertThat(read.groupId()).as("groupId: the job type").isNull();
            assertThat(read.keys()).as("static keys").isNull();
            assertThat(read.requestTimeout()).as("requestTimeout").isEqualTo(Duration.ofSeconds(10));
        }

        @Test
        @DisplayName("an empty visibilityTimeout or waitTime (a ${VAR:-} left unset) reads as absent: the defaults, not 0s")
        void emptySecondsKeysTakeTheDefaults() {
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "");
            values.put("waitTime", "");
            Settings settings = section(values);

            SqsSettings read = SqsSettings.read(settings);

            assertThat(settings.problems()).isEmpty();
            assertThat(read.visibilityTimeout()).as("visibilityTimeout: the queue's own, not a lease of 0s").isNull();
            assertThat(read.waitTime()).as("waitTime: 20s, not short polls").isEqualTo(Duration.ofSeconds(20));
        }

        @Test
        @DisplayName("every bad key of a section is reported at once, each with its path, value and fix")
        void everyProblemIsReported() {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("region", "US East");
            values.put("queueUrl", "sqs/jobs");
            values.put("deadLetter", "keep");
            values.put("visibilityTimeout", "13h");
            values.put("waitTime", "30s");
            values.put("maxPayloadBytes", "2MiB");
            values.put("endpoint", "localhost:4566");
            values.put("accessKeyId", "test");
            values.put("visibilty", "30s");

            assertThat(problems(values)).containsExactlyInAnyOrder(
                    "provider.region: must be an AWS region name such as us-east-1, got 'US East'",
                    "provider.queueUrl: must be an http or https URL, got 'sqs/jobs'",
                    "provider.deadLetter: must be one of move, discard, got 'keep'",
                    "provider.visibilityTimeout: must be ≤ 12h, got 13h",
                    "provider.waitTime: must be ≤ 20s, got 30s",
                    "provider.maxPayloadBytes: must be between 262144 and 1048576 bytes, got 2097152",
                    "provider.endpoint: must be an http or https URL, got 'localhost:4566'",
                    "provider.secretAccessKey: is required with accessKeyId; set both (LocalStack or ElasticMQ), "
                            + "or neither to use the AWS SDK's default credentials chain",
                    "provider.visibilty: unknown key (known keys here: type, region, queueUrl, queueName, "
                            + "createIfMissing, deadLetterQueueUrl, deadLetter, visibilityTimeout, waitTime, endpoint, "
                            + "maxPayloadBytes, groupId, accessKeyId, secretAccessKey, requestTimeout)");
        }

        @Test
        @DisplayName("a bad URL is repeated with its password masked")
        void aBadUrlKeepsItsPasswordMasked() {
            Map<String, Object> values = valid();
            values.put("endpoint", "http://AKIA:S3CRET@ local:4566");
            values.put("deadLetterQueueUrl", "https://sqs.us-east-2.amazonaws.com/123/dlq?X-Amz-Security-Token=S3CRET");

            assertThat(problems(values)).containsExactlyInAnyOrder(
                    "provider.endpoint: must be an http or https URL, got 'http://AKIA:****@ local:4566'",
                    "provider.deadLetterQueueUrl: https://sqs.us-east-2.amazonaws.com/123/dlq?X-Amz-Security-Token=**** "
                            + "is a queue of region us-east-2, but region is us-east-1; SQS answers that the queue does "
                            + "not exist when asked in another region: set region: us-east-2");
        }

        @Test
        @DisplayName("on AWS (no endpoint) a region without its number, such as us-east1, is refused before the SDK "
                + "looks for a host of that name; beside an endpoint a local server's own name works")
        void awsRegionNeedsItsNumber() {
            for (String typo : java.util.List.of("us-east1", "eu-west", "ap-south-east1")) {
                Map<String, Object> values = valid();
                values.remove("queueUrl");
                values.remove("deadLetterQueueUrl");
                values.put("queueName", "jobs");
                values.put("deadLetter", "discard");
                values.put("region", typo);

                assertThat(problems(values)).as(typo).containsExactly("provider.region: '" + typo + "' is not an AWS "
                        + "region name: they end in a dash and a number, such as us-east-1 or eu-west-2 (aws ec2 "
                        + "describe-regions lists them); beside endpoint, a name the server takes (ElasticMQ any)");
            }
            Map<String, Object> local = valid();
            local.put("region", "us-east1");
            local.put("endpoint", "http://127.0.0.1:9324");
            local.put("queueUrl", "http://127.0.0.1:9324/000000000000/jobs");
            local.put("deadLetterQueueUrl", "http://127.0.0.1:9324/000000000000/jobs-dlq");
            assertThat(problems(local)).isEmpty();
            for (String region : java.util.List.of("us-gov-west-1", "ap-southeast-7", "cn-north-1", "us-isob-east-1")) {
                Map<String, Object> values = valid();
                values.remove("queueUrl");
                values.remove("deadLetterQueueUrl");
                values.put("queueName", "jobs");
                values.put("deadLetter", "discard");
                values.put("region", region);
                assertThat(problems(values)).as(region).isEmpty();
            }
        }

        @Test
        @DisplayName("beside an endpoint a local server's own region name works, such as ElasticMQ's 'elasticmq', as the "
                + "messages about region say; a name with a space is still refused")
        void localServerRegionNameBesideAnEndpoint() {
            for (String region : java.util.List.of("elasticmq", "local")) {
                Map<String, Object> local = valid();
                local.put("region", region);
                local.put("endpoint", "http://127.0.0.1:9324");
                local.put("queueUrl", "http://127.0.0.1:9324/000000000000/jobs");
                local.put("deadLetterQueueUrl", "http://127.0.0.1:9324/000000000000/jobs-dlq");
                assertThat(problems(local)).as(region).isEmpty();
            }
            Map<String, Object> spaced = valid();
            spaced.put("region", "US East");
            spaced.put("endpoint", "http://127.0.0.1:9324");
            spaced.put("queueUrl", "http://127.0.0.1:9324/000000000000/jobs");
            spaced.put("deadLetterQueueUrl", "http://127.0.0.1:9324/000000000000/jobs-dlq");
            assertThat(problems(spaced)).containsExactly("provider.region: beside endpoint it must be a name of "
                    + "lower-case letters, digits and dashes the server takes, such as elasticmq for ElasticMQ or "
                    + "us-east-1 (LocalStack takes AWS regions' names); got 'US East'");
            Map<String, Object> capitalised = new LinkedHashMap<>(spaced);
            capitalised.put("region", "ElasticMQ");
            assertThat(problems(capitalised)).containsExactly("provider.region: beside endpoint it must be a name of "
                    + "lower-case letters, digits and dashes the server takes, such as elasticmq for ElasticMQ or "
                    + "us-east-1 (LocalStack takes AWS regions' names); got 'ElasticMQ'");
        }

        @Test
        @DisplayName("a region from a variable read from a file is read without the file's trailing newline")
        void regionWithATrailingNewline() {
            Map<String, Object> values = valid();
            values.put("region", "us-east-1\n");

            assertThat(problems(values)).isEmpty();
            assertThat(SqsSettings.read(section(values)).region()).isEqualTo("us-east-1");
            values.put("region", " \n");
            assertThat(problems(values)).containsExactly("provider.region: is required; the AWS region of the queue, "
                    + "such as us-east-1 (beside endpoint, a name the server takes: any for ElasticMQ, an AWS region's for LocalStack)");
        }

        @Test
        @DisplayName("a queue's name from a variable read from a file is read without the file's trailing newline")
        void queueNameWithATrailingNewline() {
            Map<String, Object> values = valid();
            values.remove("queueUrl");
            values.put("queueName", "jobs\n");

            assertThat(problems(values)).isEmpty();
            assertThat(SqsSettings.read(section(values)).queueName()).isEqualTo("jobs");
        }

        @Test
        @DisplayName("a URL's scheme is read in any case, as URLs are (HTTPS://…)")
        void urlSchemeInAnyCase() {
            Map<String, Object> values = valid();
            values.put("queueUrl", "HTTPS://sqs.us-east-1.amazonaws.com/123456789012/jobs");
            values.put("deadLetterQueueUrl", "Https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq");
            values.put("endpoint", "HTTP://127.0.0.1:9324");

            assertThat(problems(values)).isEmpty();
            SqsSettings read = SqsSettings.read(section(values));
            assertThat(read.queueUrl()).hasToString("https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
            assertThat(read.deadLetterQueueUrl()).hasToString("https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq");
            assertThat(read.endpoint()).hasToString("http://127.0.0.1:9324");
        }

        @Test
        @DisplayName("toString shows the URLs with their secrets masked, as messages do")
        void toStringMasksTheUrls() {
            Map<String, Object> values = valid();
            values.put("endpoint", "http://AKIA:S3CRET@127.0.0.1:9324");
            values.put("queueUrl", "http://127.0.0.1:9324/000000000000/jobs?X-Amz-Security-Token=S3CRET");
            values.put("deadLetterQueueUrl", "http://jobq:S3CRET@127.0.0.1:9324/000000000000/jobs-dlq");

            String text = SqsSettings.read(section(values)).toString();

            assertThat(text).doesNotContain("S3CRET").contains("queueUrl=http://127.0.0.1:9324/000000000000/jobs",
                    "endpoint=http://AKIA:****@127.0.0.1:9324", "region=us-east-1");
        }

        @Test
        @DisplayName("region and a queue are required")
        void regionAndQueueAreRequired() {
            Map<String, Object> values = valid();
            values.remove("region");
            values.remove("queueUrl");

            assertThat(problems(values)).containsExactly("provider.region: is required; the AWS region of the queue, "
                    + "such as us-east-1 (beside endpoint, a name the server takes: any for ElasticMQ, an AWS region's for LocalStack)",
                    "provider.queueUrl: is required; set queueUrl to the queue's URL (https://sqs.REGION.amazonaws.com"
                            + "/ACCOUNT/NAME), or queueName with createIfMissing: true for development");
        }

        @Test
        @DisplayName("an empty queueUrl is required like a missing one, not accepted as no queue at all")
        void emptyQueueUrlIsRequired() {
            Map<String, Object> values = valid();
            values.put("queueUrl", "");

            assertThat(problems(values)).containsExactly("provider.queueUrl: is required; set queueUrl to the queue's "
                    + "URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), or queueName with createIfMissing: true "
                    + "for development");
        }

        @Test
        @DisplayName("queueUrl and queueName exclude each other; createIfMissing needs queueName")
        void queueUrlOrQueueName() {
            Map<String, Object> both = valid();
            both.put("queueName", "jobs");
            Map<String, Object> createWithUrl = valid();
            createWithUrl.put("createIfMissing", true);
            Map<String, Object> badName = valid();
            badName.remove("queueUrl");
            badName.put("queueName", "jobs queue");

            assertThat(problems(both)).containsExactly("provider.queueName: set either queueUrl or queueName, not both");
            assertThat(problems(createWithUrl)).containsExactly(
                    "provider.createIfMissing: applies to queueName only; with queueUrl the queue must exist");
            assertThat(problems(badName)).containsExactly("provider.queueName: must be 1 to 80 letters, digits, '-' or "
                    + "'_' (a FIFO queue ending in '.fifo'), got 'jobs queue'");
        }

        @Test
        @DisplayName("a queue's name or ARN where its URL belongs, or its URL as queueName, is refused with what to write")
        void queueNameArnAndUrlMixedUp() {
            Map<String, Object> nameAsUrl = valid();
            nameAsUrl.put("queueUrl", "jobs");
            nameAsUrl.put("deadLetterQueueUrl", "arn:aws:sqs:us-east-1:123456789012:jobs-dlq");
            Map<String, Object> urlAsName = valid();
            urlAsName.remove("queueUrl");
            urlAsName.put("queueName", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
            Map<String, Object> dlqName = valid();
            dlqName.put("deadLetterQueueUrl", "jobs-dlq");

            assertThat(problems(nameAsUrl)).containsExactly(
                    "provider.queueUrl: must be an http or https URL, got 'jobs'; for a queue's name write "
                            + "queueName: jobs",
                    "provider.deadLetterQueueUrl: must be an http or https URL, got "
                            + "'arn:aws:sqs:us-east-1:123456789012:jobs-dlq'; that is an ARN: give the queue's URL "
                            + "(https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, as aws sqs get-queue-url prints it)");
            assertThat(problems(urlAsName)).containsExactly("provider.queueName: must be 1 to 80 letters, digits, '-' "
                    + "or '_' (a FIFO queue ending in '.fifo'), got 'https://sqs.us-east-1.amazonaws.com/123456789012/"
                    + "jobs'; for the queue's URL write queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
            assertThat(problems(dlqName)).containsExactly("provider.deadLetterQueueUrl: must be an http or https URL, "
                    + "got 'jobs-dlq'; that is a queue's name: give its URL (aws sqs get-queue-url --queue-name "
                    + "jobs-dlq)");
        }

        @Test
        @DisplayName("a queue URL of another region than region is refused before start-up, naming both")
        void queueUrlOfAnotherRegion() {
            Map<String, Object> values = valid();
            values.put("region", "eu-west-1");
            assertThat(problems(values)).containsExactly(
                    "provider.queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs is a queue of region "
                            + "us-east-1, but region is eu-west-1; SQS answers that the queue does not exist when "
                            + "asked in another region: set region: us-east-1",
                    "provider.deadLetterQueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq is a queue "
                            + "of region us-east-1, but region is eu-west-1; SQS answers that the queue does not exist "
                            + "when asked in another region: set region: us-east-1");

            Map<String, Object> vpce = valid();
            vpce.put("queueUrl", "https://vpce-0a1b2c3d-4e5f.sqs.us-west-2.vpce.amazonaws.com/123456789012/jobs");
            assertThat(problems(vpce)).singleElement().asString()
                    .startsWith("provider.queueUrl: https://vpce-0a1b2c3d-4e5f.sqs.us-west-2.vpce.amazonaws.com/")
                    .endsWith("set region: us-west-2");

            Map<String, Object> legacy = valid();
            legacy.put("queueUrl", "https://eu-central-1.queue.amazonaws.com/123456789012/jobs");
            assertThat(problems(legacy)).singleElement().asString().endsWith("set region: eu-central-1");

            Map<String, Object> local = valid();
            local.put("endpoint", "http://127.0.0.1:9324");
            local.put("queueUrl", "http://127.0.0.1:9324/000000000000/jobs");
            local.put("deadLetterQueueUrl", "http://127.0.0.1:9324/000000000000/jobs-dlq");
            assertThat(problems(local)).as("a local server's URLs name no region").isEmpty();
        }

        @Test
        @DisplayName("an endpoint on AWS itself (sqs.REGION.amazonaws.com, a VPC endpoint) gets AWS's region checks, "
                + "its own region's among them")
        void endpointOnAwsGetsTheAwsRegionChecks() {
            Map<String, Object> local = valid();
            local.put("endpoint", "https://sqs.us-east-1.amazonaws.com");
            local.put("region", "elasticmq");
            assertThat(problems(local)).containsExactly("provider.region: must be an AWS region name such as us-east-1, "
                    + "got 'elasticmq'; endpoint https://sqs.us-east-1.amazonaws.com is AWS's own");

            Map<String, Object> typo = valid();
            typo.put("endpoint", "https://sqs.us-east-1.amazonaws.com");
            typo.put("region", "us-east1");
            assertThat(problems(typo)).containsExactly("provider.region: 'us-east1' is not an AWS region name: they end "
                    + "in a dash and a number, such as us-east-1 or eu-west-2 (aws ec2 describe-regions lists them); "
                    + "endpoint https://sqs.us-east-1.amazonaws.com is AWS's own");

            Map<String, Object> otherQueue = valid();
            otherQueue.put("endpoint", "https://vpce-0a1b2c3d-4e5f.sqs.eu-west-1.vpce.amazonaws.com");
            otherQueue.put("region", "eu-west-1");
            assertThat(problems(otherQueue)).hasSize(2).first().asString().isEqualTo("provider.queueUrl: "
                    + "https://sqs.us-east-1.amazonaws.com/123456789012/jobs is a queue of region us-east-1, but region "
                    + "is eu-west-1; SQS answers that the queue does not exist when asked in another region: set "
                    + "region: us-east-1");

            Map<String, Object> otherEndpoint = valid();
            otherEndpoint.put("endpoint", "https://vpce-0a1b2c3d-4e5f.sqs.us-west-2.vpce.amazonaws.com");
            assertThat(problems(otherEndpoint)).containsExactly("provider.endpoint: "
                    + "https://vpce-0a1b2c3d-4e5f.sqs.us-west-2.vpce.amazonaws.com is SQS's endpoint in region us-west-2, "
                    + "but region is us-east-1; AWS refuses a request signed for another region than its endpoint's: "
                    + "set region: us-west-2, or an endpoint of region us-east-1");

            Map<String, Object> same = valid();
            same.put("endpoint", "HTTPS://vpce-0a1b2c3d-4e5f.sqs.us-east-1.vpce.amazonaws.com");
            assertThat(problems(same)).isEmpty();
        }

        @Test
        @DisplayName("a FIPS endpoint on AWS (sqs-fips.REGION.amazonaws.com, its dual-stack and VPC forms) gets AWS's "
                + "region checks too, and one of the queue's region with the queue's standard URL is accepted")
        void fipsEndpointGetsTheAwsRegionChecks() {
            Map<String, Object> local = valid();
            local.put("endpoint", "https://sqs-fips.us-east-1.amazonaws.com");
            local.put("region", "elasticmq");
            assertThat(problems(local)).containsExactly("provider.region: must be an AWS region name such as us-east-1, "
                    + "got 'elasticmq'; endpoint https://sqs-fips.us-east-1.amazonaws.com is AWS's own");

            Map<String, Object> otherEndpoint = valid();
            otherEndpoint.put("endpoint", "https://sqs-fips.us-west-2.amazonaws.com");
            assertThat(problems(otherEndpoint)).containsExactly("provider.endpoint: "
                    + "https://sqs-fips.us-west-2.amazonaws.com is SQS's endpoint in region us-west-2, but region is "
                    + "us-east-1; AWS refuses a request signed for another region than its endpoint's: set region: "
                    + "us-west-2, or an endpoint of region us-east-1");

            Map<String, Object> fipsQueue = valid();
            fipsQueue.put("region", "us-west-2");
            fipsQueue.put("endpoint", "https://sqs-fips.us-west-2.amazonaws.com");
            fipsQueue.put("queueUrl", "https://sqs-fips.us-east-2.amazonaws.com/123456789012/jobs");
            fipsQueue.put("deadLetterQueueUrl", "https://sqs.us-west-2.amazonaws.com/123456789012/jobs-dlq");
            assertThat(problems(fipsQueue)).singleElement().asString()
                    .startsWith("provider.queueUrl: https://sqs-fips.us-east-2.amazonaws.com/").endsWith("set region: us-east-2");

            for (String endpoint : java.util.List.of("https://sqs-fips.us-east-1.amazonaws.com",
                    "https://sqs-fips.us-east-1.api.aws", "https://vpce-0a1b2c3d-4e5f.sqs-fips.us-east-1.vpce.amazonaws.com")) {
                Map<String, Object> works = valid();
                works.put("endpoint", endpoint);
                assertThat(problems(works)).as(endpoint).isEmpty();
                Map<String, Object> wrongRegion = valid();
                wrongRegion.put("endpoint", endpoint);
                wrongRegion.put("region", "eu-west-1");
                assertThat(problems(wrongRegion)).as(endpoint).hasSize(3).last().asString()
                        .startsWith("provider.endpoint: " + endpoint + " is SQS's endpoint in region us-east-1");
            }
        }

        @Test
        @DisplayName("the AWS European Sovereign Cloud's region (eusc-de-east-1, hosts under amazonaws.eu) is an AWS "
                + "region: accepted without endpoint, and its queue URLs get the region checks")
        void sovereignCloudRegion() {
            Map<String, Object> values = valid();
            values.put("region", "eusc-de-east-1");
            values.put("queueUrl", "https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/jobs");
            values.put("deadLetterQueueUrl", "https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/jobs-dlq");
            assertThat(problems(values)).isEmpty();

            Map<String, Object> other = new LinkedHashMap<>(values);
            other.put("region", "eu-central-1");
            assertThat(problems(other)).hasSize(2).first().asString().isEqualTo("provider.queueUrl: "
                    + "https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/jobs is a queue of region eusc-de-east-1, but "
                    + "region is eu-central-1; SQS answers that the queue does not exist when asked in another region: "
                    + "set region: eusc-de-east-1");

            Map<String, Object> typo = new LinkedHashMap<>(values);
            typo.put("region", "eusc-de-east");
            assertThat(problems(typo)).containsExactly("provider.region: 'eusc-de-east' is not an AWS region name: they "
                    + "end in a dash and a number, such as us-east-1 or eu-west-2 (aws ec2 describe-regions lists them); "
                    + "beside endpoint, a name the server takes (ElasticMQ any)");
        }

        @Test
        @DisplayName("a host is read in any case, as hosts are: an AWS host in capitals gets the region checks too")
        void awsHostInCapitalsGetsTheRegionChecks() {
            Map<String, Object> values = valid();
            values.put("region", "eu-west-1");
            values.put("queueUrl", "https://SQS.US-EAST-1.AMAZONAWS.COM/123456789012/jobs");
            values.remove("deadLetterQueueUrl");
            values.put("deadLetter", "discard");
            assertThat(problems(values)).containsExactly("provider.queueUrl: "
                    + "https://SQS.US-EAST-1.AMAZONAWS.COM/123456789012/jobs is a queue of region us-east-1, but region "
                    + "is eu-west-1; SQS answers that the queue does not exist when asked in another region: set "
                    + "region: us-east-1");

            Map<String, Object> endpoint = valid();
            endpoint.put("endpoint", "https://SQS.US-EAST-1.AMAZONAWS.COM");
            endpoint.put("region", "elasticmq");
            assertThat(problems(endpoint)).containsExactly("provider.region: must be an AWS region name such as "
                    + "us-east-1, got 'elasticmq'; endpoint https://SQS.US-EAST-1.AMAZONAWS.COM is AWS's own");
        }

        @Test
        @DisplayName("a host written with DNS's trailing dot (sqs.us-east-1.amazonaws.com.) is the same host: it gets "
                + "the region checks too")
        void awsHostWithATrailingDotGetsTheRegionChecks() {
            Map<String, Object> values = valid();
            values.put("region", "eu-west-1");
            values.put("queueUrl", "https://sqs.us-east-1.amazonaws.com./123456789012/jobs");
            values.remove("deadLetterQueueUrl");
            values.put("deadLetter", "discard");
            assertThat(problems(values)).containsExactly("provider.queueUrl: "
                    + "https://sqs.us-east-1.amazonaws.com./123456789012/jobs is a queue of region us-east-1, but region "
                    + "is eu-west-1; SQS answers that the queue does not exist when asked in another region: set "
                    + "region: us-east-1");

            Map<String, Object> endpoint = valid();
            endpoint.put("endpoint", "https://sqs.us-east-1.amazonaws.com.:443");
            endpoint.put("region", "elasticmq");
            assertThat(problems(endpoint)).containsExactly("provider.region: must be an AWS region name such as "
                    + "us-east-1, got 'elasticmq'; endpoint https://sqs.us-east-1.amazonaws.com.:443 is AWS's own");
        }

        @Test
        @DisplayName("the legacy host of us-east-1 without its region (queue.amazonaws.com) is read as us-east-1's: a "
                + "queue URL on it beside another region is refused, and an endpoint on it gets AWS's checks")
        void legacyUsEast1HostGetsTheRegionChecks() {
            Map<String, Object> values = valid();
            values.put("region", "eu-west-1");
            values.put("queueUrl", "https://queue.amazonaws.com/123456789012/jobs");
            values.remove("deadLetterQueueUrl");
            values.put("deadLetter", "discard");
            assertThat(problems(values)).containsExactly("provider.queueUrl: "
                    + "https://queue.amazonaws.com/123456789012/jobs is a queue of region us-east-1, but region "
                    + "is eu-west-1; SQS answers that the queue does not exist when asked in another region: set "
                    + "region: us-east-1");

            Map<String, Object> same = new LinkedHashMap<>(values);
            same.put("region", "us-east-1");
            same.put("endpoint", "https://queue.amazonaws.com");
            assertThat(problems(same)).isEmpty();

            Map<String, Object> endpoint = new LinkedHashMap<>(same);
            endpoint.put("region", "elasticmq");
            assertThat(problems(endpoint)).containsExactly("provider.region: must be an AWS region name such as "
                    + "us-east-1, got 'elasticmq'; endpoint https://queue.amazonaws.com is AWS's own");
        }

        @Test
        @DisplayName("the isolated partitions' SQS hosts (sqs.us-iso-east-1.c2s.ic.gov and the like) are read for their "
                + "region as the other partitions' are")
        void isolatedPartitionHostsGetTheRegionChecks() {
            for (String host : java.util.List.of("sqs.us-iso-east-1.c2s.ic.gov", "sqs.us-isob-east-1.sc2s.sgov.gov",
                    "sqs.eu-isoe-west-1.cloud.adc-e.uk", "sqs.us-isof-south-1.csp.hci.ic.gov")) {
                String region = host.split("\\.")[1];
                Map<String, Object> values = valid();
                values.put("region", region);
                values.put("queueUrl", "https://" + host + "/123456789012/jobs");
                values.remove("deadLetterQueueUrl");
                values.put("deadLetter", "discard");
                assertThat(problems(values)).as(host).isEmpty();

                values.put("region", "us-east-1");
                assertThat(problems(values)).as(host).containsExactly("provider.queueUrl: https://" + host
                        + "/123456789012/jobs is a queue of region " + region + ", but region is us-east-1; SQS answers "
                        + "that the queue does not exist when asked in another region: set region: " + region);
            }
        }

        @Test
        @DisplayName("durations SQS counts in seconds must be whole seconds")
        void wholeSeconds() {
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "1500ms");
            values.put("waitTime", "500ms");

            assertThat(problems(values)).containsExactly(
                    "provider.visibilityTimeout: must be whole seconds (SQS counts this in seconds), got 1s500ms",
                    "provider.waitTime: must be whole seconds (SQS counts this in seconds), got 500ms");
        }

        @Test
        @DisplayName("a duration SQS counts in seconds that is off them is shown as its other refusals show one, not "
                + "in milliseconds alone")
        void aDurationOffWholeSecondsIsShownAsTheOtherRefusalsShowIt() {
            // PT11H59M59.5S was refused as "got 43199500ms", where "must be ≤ 12h" writes 11h59m59s500ms
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "PT11H59M59.5S");

            assertThat(problems(values)).containsExactly("provider.visibilityTimeout: must be whole seconds (SQS counts "
                    + "this in seconds), got 11h59m59s500ms");
        }

        @Test
        @DisplayName("a duration SQS counts in seconds that is off them by less than a millisecond is shown as written "
                + "in ISO-8601, not as whole milliseconds that read as whole seconds")
        void aDurationOffWholeSecondsByLessThanAMillisecondIsNotShownAsWholeSeconds() {
            // PT1.0000001S was refused as "must be whole seconds …, got 1000ms", which is whole seconds
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "PT1.0000001S");
            values.put("waitTime", "PT0.0005S");

            assertThat(problems(values)).containsExactly(
                    "provider.visibilityTimeout: must be whole seconds (SQS counts this in seconds), got PT1.0000001S",
                    "provider.waitTime: must be whole seconds (SQS counts this in seconds), got PT0.0005S");
        }

        @Test
        @DisplayName("a duration past its key's maximum by less than a millisecond is shown as written in ISO-8601, "
                + "not cut to the maximum it is refused as beyond")
        void aDurationPastTheMaximumByLessThanAMillisecondIsNotShownAsTheMaximum() {
            // PT20.0000001S was refused as "must be ≤ 20s, got 20s", which is within it
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "PT12H0.0005S");
            values.put("waitTime", "PT20.0000001S");

            assertThat(problems(values)).containsExactly(
                    "provider.visibilityTimeout: must be ≤ 12h, got PT12H0.0005S",
                    "provider.waitTime: must be ≤ 20s, got PT20.0000001S");
        }

        @Test
        @DisplayName("a bare number for a duration SQS counts in seconds is offered only the forms within the key's "
                + "range, or the range when none is")
        void aBareNumberIsOfferedOnlyTheFormsTheKeyTakes() {
            // visibilityTimeout (1s to 12h) 30 was offered 30ms and 30h, and waitTime (0s to 20s) 5000 four forms
            // of which 5000s, 5000m and 5000h are over 20s: each refused once written
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "30");
            values.put("waitTime", "5000");
            Map<String, Object> none = valid();
            none.put("waitTime", "9000000");

            assertThat(problems(values)).containsExactly(
                    "provider.visibilityTimeout: '30' has no unit; write 30s or 30m",
                    "provider.waitTime: '5000' has no unit; write 5000ms");
            assertThat(problems(none)).containsExactly("provider.waitTime: '9000000' has no unit, and is out of range "
                    + "in any of ms, s, m and h; write a duration from 0s to 20s");
        }

        @Test
        @DisplayName("a bare number for a duration SQS counts in seconds is offered no form in milliseconds that is not "
                + "whole seconds, each refused once written")
        void aBareNumberIsOfferedOnlyFormsInWholeSeconds() {
            // waitTime 30 was offered 30ms alone, 1 1ms or 1s, and visibilityTimeout 3600 3600ms or 3600s: each of
            // 30ms, 1ms and 3600ms refused once written as not whole seconds
            Map<String, Object> values = valid();
            values.put("visibilityTimeout", "3600");
            values.put("waitTime", "1");
            Map<String, Object> none = valid();
            none.put("waitTime", "30");

            assertThat(problems(values)).containsExactly(
                    "provider.visibilityTimeout: '3600' has no unit; write 3600s",
                    "provider.waitTime: '1' has no unit; write 1s");
            assertThat(problems(none)).containsExactly("provider.waitTime: '30' has no unit, and is out of range or no "
                    + "multiple of 1s in any of ms, s, m and h; write a duration from 0s to 20s, a multiple of 1s");
            Map<String, Object> thousands = valid();
            thousands.put("waitTime", "5000");
            assertThat(problems(thousands)).as("5000ms is 5s, whole seconds")
                    .containsExactly("provider.waitTime: '5000' has no unit; write 5000ms");
        }

        @Test
        @DisplayName("deadLetter: discard with a deadLetterQueueUrl is a contradiction")
        void discardWithDeadLetterQueue() {
            Map<String, Object> values = valid();
            values.put("deadLetter", "discard");

            assertThat(problems(values)).containsExactly(
                    "provider.deadLetter: is discard, so deadLetterQueueUrl would never be used; remove one of them");
        }

        @Test
        @DisplayName("groupId applies to FIFO queues only, and must be an SQS group id")
        void groupIdOnlyForFifo() {
            Map<String, Object> standard = valid();
            standard.put("groupId", "orders");
            Map<String, Object> fifo = valid();
            fifo.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo");
            fifo.put("groupId", "two words");

            assertThat(problems(standard)).containsExactly("provider.groupId: applies to FIFO queues only (their names "
                    + "end in .fifo); https://sqs.us-east-1.amazonaws.com/123456789012/jobs is a standard queue");
            assertThat(problems(fifo)).containsExactly(
                    "provider.groupId: must be 1 to 128 printable ASCII characters without spaces, got 'two words'");
        }

        @Test
        @DisplayName("a FIFO group id from a variable read from a file is read without the file's trailing newline")
        void groupIdWithATrailingNewline() {
            Map<String, Object> fifo = valid();
            fifo.put("queueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo");
            fifo.put("deadLetterQueueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq.fifo");
            fifo.put("groupId", "orders\n");

            assertThat(problems(fifo)).isEmpty();
            assertThat(SqsSettings.read(section(fifo)).groupId()).isEqualTo("orders");
        }

        @Test
        @DisplayName("a jobq.yaml with SQS sections reports every problem with its path before connecting anywhere")
        void configFileProblemsComeBeforeAnyConnection(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("jobq.yaml");
            Files.writeString(file, """
                    provider:
                      type: sqs
                      region: us-east-1
                      queueUrl: ${SQS_QUEUE_URL}
                      endpoint: http://127.0.0.1:9
                      deadLetter: bury
                    queues:
                      reports:
                        type: sqs
                        queueName: reports.fifo
                        createIfMissing: yes
                        visibilityTimeout: 2 hours
                    """);

            assertThatThrownBy(() -> JobQueue.builder().config(file).environment(Map.of(
                    "SQS_QUEUE_URL", "http://127.0.0.1:9/000000000000/jobs")).build())
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                            "provider.deadLetter: must be one of move, discard, got 'bury'",
                            "queues.reports.region: is required; the AWS region of the queue, such as us-east-1 "
                                    + "(beside endpoint, a name the server takes: any for ElasticMQ, an AWS region's for LocalStack)",
                            "queues.reports.visibilityTimeout: '2 hours' is not " + DurationFormat.EXPECTED));
        }

        @Test
        @DisplayName("create reports the problems before connecting, the secret never in the message")
        void createThrowsEveryProblemFirst() {
            Map<String, Object> values = valid();
            values.put("secretAccessKey", "s3cr3t-value");

            assertThatThrownBy(() -> new SqsProviderFactory().create(new ProviderContext("default", section(values),
                    Clock.systemUTC())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.accessKeyId: is required with secretAccessKey; set both (LocalStack "
                            + "or ElasticMQ), or neither to use the AWS SDK's default credentials chain")
                    .message().doesNotContain("s3cr3t-value");
        }
    }

    @Nested
    @DisplayName("start-up against a real SQS server (ElasticMQ)")
    @ExtendWith(ElasticMq.class)
    class StartUp {

        private QueueProvider create(Map<String, Object> values) {
            return new SqsProviderFactory().create(new ProviderContext("default", section(values), Clock.systemUTC()));
        }

        private Map<String, Object> on(String queueUrl) {
            Map<String, Object> values = new HashMap<>(ElasticMq.connectionSettings());
            values.put("queueUrl", queueUrl);
            return values;
        }

        @Test
        @DisplayName("a queue with no dead-letter queue and no redrive policy is refused, naming the fixes")
        void refusesAQueueWithoutDeadLetters() {
            String url = ElasticMq.createQueue("no-dlq-" + System.nanoTime(), Map.of());

            assertThatThrownBy(() -> create(on(url)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.deadLetterQueueUrl: SQS queue " + url + " has no dead-letter "
                            + "queue: set deadLetterQueueUrl, or give the queue a redrive policy (docs/sqs.md), so that "
                            + "dead jobs are kept; or set deadLetter: discard to delete them (development only)");
        }

        @Test
        @DisplayName("the target of the queue's redrive policy receives the dead jobs")
        void usesTheRedrivePolicyTarget() {
            String name = "redriven-" + System.nanoTime();
            String deadLetters = ElasticMq.createQueue(name + "-dlq", Map.of());
            String arn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(deadLetters)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            String url = ElasticMq.createQueue(name, Map.of(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"10\"}"));

            try (QueueProvider provider = create(on(url))) {
                var job = new JobEnvelope(1, "redrive-1", "t", "1", JobOptions.defaults(), 0, Instant.now(), null, null);
                provider.enqueue(job, Duration.ZERO);
                provider.fail(provider.receive(1, Duration.ofSeconds(5)).get(0), Failure.dead("boom"));
            }

            assertThat(QueueContents.receive(deadLetters, 1)).extracting(m -> QueueContents.attribute(m, "JobId"))
                    .containsExactly("redrive-1");
        }

        @Test
        @DisplayName("a redrive policy whose dead-letter queue was deleted is refused, naming the ARN and the fixes")
        void refusesARedrivePolicyToAMissingQueue() {
            String name = "redrive-gone-" + System.nanoTime();
            String deadLetters = ElasticMq.createQueue(name + "-dlq", Map.of());
            String arn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(deadLetters)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            String url = ElasticMq.createQueue(name, Map.of(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"10\"}"));
            ElasticMq.client().deleteQueue(r -> r.queueUrl(deadLetters));

            assertThatThrownBy(() -> create(on(url)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.deadLetterQueueUrl: the queue's redrive policy names dead-letter "
                            + "queue " + arn + ", which does not exist; create it (docs/sqs.md), point the redrive "
                            + "policy at an existing queue, or set deadLetterQueueUrl");
        }

        @Test
        @DisplayName("a dead-letter queue of the other kind than the queue is refused")
        void refusesAMismatchedDeadLetterQueue() {
            String url = ElasticMq.createQueue("kind-" + System.nanoTime() + ".fifo", Map.of());
            String standard = ElasticMq.createQueue("kind-dlq-" + System.nanoTime(), Map.of());
            Map<String, Object> values = on(url);
            values.put("deadLetterQueueUrl", standard);

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("provider.deadLetterQueueUrl: dead-letter queue " + standard
                            + " is standard but queue " + url + " is FIFO; SQS requires both to be of one kind")
                    .hasMessageContaining("set deadLetterQueueUrl to a FIFO queue (its name ends in .fifo)");
        }

        @Test
        @DisplayName("a redrive policy naming a dead-letter queue of the other kind is refused, saying where to point it")
        void refusesARedrivePolicyToAQueueOfTheOtherKind() {
            String name = "redrive-kind-" + System.nanoTime();
            String deadLetters = ElasticMq.createQueue(name + "-dlq.fifo", Map.of());
            String arn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(deadLetters)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            String url = ElasticMq.createQueue(name, Map.of(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"10\"}"));

            assertThatThrownBy(() -> create(on(url)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("dead-letter queue " + deadLetters + " is FIFO but queue " + url
                            + " is standard; SQS requires both to be of one kind: point the queue's redrive policy at a "
                            + "standard queue (its name does not end in .fifo), or set deadLetterQueueUrl to one");
        }

        @Test
        @DisplayName("a queue whose own VisibilityTimeout is 0 is refused unless visibilityTimeout gives the lease")
        void refusesAZeroVisibilityTimeoutAsTheLease() {
            String name = "no-lease-" + System.nanoTime();
            String deadLetters = ElasticMq.createQueue(name + "-dlq", Map.of());
            String url = ElasticMq.createQueue(name, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "0"));
            Map<String, Object> values = on(url);
            values.put("deadLetterQueueUrl", deadLetters);

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.visibilityTimeout: SQS queue " + url + " has a VisibilityTimeout "
                            + "of 0 seconds, which jobq uses as the lease when visibilityTimeout is not set: every job "
                            + "would be delivered again while it runs; set visibilityTimeout (60s, say), or raise the "
                            + "queue's VisibilityTimeout (aws sqs set-queue-attributes)");
            values.put("visibilityTimeout", "60s");
            try (QueueProvider provider = create(values)) {
                var job = new JobEnvelope(1, "leased-1", "t", "1", JobOptions.defaults(), 0, Instant.now(), null, null);
                provider.enqueue(job, Duration.ZERO);
                var received = provider.receive(1, Duration.ofSeconds(5));
                assertThat(received).extracting(r -> r.leaseDuration()).containsExactly(Duration.ofSeconds(60));
                provider.acknowledge(received.get(0));
            }
        }

        @Test
        @DisplayName("a queueUrl or deadLetterQueueUrl naming no queue is refused, naming the key, the URL and the fix")
        void refusesMissingQueueUrls() {
            SqsServer.Queues queues = ElasticMq.newQueues("missing-url", false);
            String gone = queues.url().replace("missing-url", "no-such-queue");
            String goneDeadLetters = queues.deadLetterUrl().replace("missing-url", "no-such-queue");
            Map<String, Object> missingQueue = on(gone);
            missingQueue.put("deadLetterQueueUrl", queues.deadLetterUrl());
            Map<String, Object> missingDeadLetters = on(queues.url());
            missingDeadLetters.put("deadLetterQueueUrl", goneDeadLetters);

            assertThatThrownBy(() -> create(missingQueue))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.queueUrl: SQS queue " + gone + " does not exist; check the URL "
                            + "and region, or create it (docs/sqs.md)");
            assertThatThrownBy(() -> create(missingDeadLetters))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.deadLetterQueueUrl: SQS dead-letter queue " + goneDeadLetters
                            + " does not exist; check the URL and region, or create it (docs/sqs.md)");
        }

        @Test
        @DisplayName("a long queueUrl naming no queue is repeated cut, with its length, not whole")
        void refusesALongMissingQueueUrlRepeatingItCut() {
            SqsServer.Queues queues = ElasticMq.newQueues("long-missing-url", false);
            String gone = queues.url().replace("long-missing-url", "no-such-queue-" + "x".repeat(5_000));

            assertThatThrownBy(() -> create(on(gone)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.queueUrl: SQS queue " + gone.substring(0, 200) + "… ("
                            + gone.length() + " characters) does not exist; check the URL and region, or create it "
                            + "(docs/sqs.md)");
        }

        @Test
        @DisplayName("a missing queueName is refused unless createIfMissing creates it")
        void createsAMissingQueueOnlyWhenAsked() {
            String name = "created-" + System.nanoTime();
            Map<String, Object> values = new HashMap<>(ElasticMq.connectionSettings());
            values.put("queueName", name);
            values.put("deadLetter", "discard");

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("jobq.yaml: provider.queueName: SQS queue '" + name + "' does not exist; create it "
                            + "(docs/sqs.md shows how, with its dead-letter queue) or set createIfMissing: true for "
                            + "development");
            values.put("createIfMissing", true);
            create(values).close();
            assertThat(ElasticMq.client().getQueueUrl(r -> r.queueName(name)).queueUrl()).endsWith("/" + name);
        }

        @Test
        @DisplayName("ElasticMQ's own region name, 'elasticmq', starts a provider beside its endpoint")
        void startsWithALocalServersRegionName() {
            String name = "elasticmq-region-" + System.nanoTime();
            Map<String, Object> values = new HashMap<>(ElasticMq.connectionSettings());
            values.put("region", "elasticmq");
            values.put("queueName", name);
            values.put("createIfMissing", true);
            values.put("deadLetter", "discard");

            create(values).close();
            assertThat(ElasticMq.client().getQueueUrl(r -> r.queueName(name)).queueUrl()).endsWith("/" + name);
        }

        @Test
        @DisplayName("an endpoint that does not answer is reported with the region, endpoint and credentials to check")
        void unreachableEndpoint() throws IOException {
            int closedPort;
            try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            Map<String, Object> values = on("http://127.0.0.1:" + closedPort + "/000000000000/jobs");
            values.put("endpoint", "http://127.0.0.1:" + closedPort);

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("jobq queue 'default': reading the attributes of queue")
                    .hasMessageContaining("check region us-east-1, endpoint http://127.0.0.1:" + closedPort
                            + ", the accessKeyId and secretAccessKey of this section and the IAM actions");
            values.remove("accessKeyId");
            values.remove("secretAccessKey");
            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("the credentials of the AWS SDK's default chain and the IAM actions");
        }

        @Test
        @DisplayName("a long region beside an endpoint that does not answer is repeated cut, with its length")
        void unreachableEndpointWithALongRegion() throws IOException {
            int closedPort;
            try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            Map<String, Object> values = on("http://127.0.0.1:" + closedPort + "/000000000000/jobs");
            values.put("endpoint", "http://127.0.0.1:" + closedPort);
            values.put("region", "a".repeat(100_000));

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("jobq queue 'default': reading the attributes of queue http://127.0.0.1:"
                            + closedPort + "/000000000000/jobs failed: ")
                    .hasMessageEndingWith(" (check region " + "a".repeat(80) + "… (100000 characters), endpoint "
                            + "http://127.0.0.1:" + closedPort + ", the accessKeyId and secretAccessKey of this "
                            + "section and the IAM actions in docs/sqs.md)");
        }

        @Test
        @DisplayName("an endpoint's password (user information of its URL) appears in no start-up error")
        void unreachableEndpointWithAPassword() throws IOException {
            int closedPort;
            try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            Map<String, Object> values = on("http://127.0.0.1:" + closedPort + "/000000000000/jobs");
            values.put("endpoint", "http://proxy:S3CRET@127.0.0.1:" + closedPort);

            assertThatThrownBy(() -> create(values))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("endpoint http://proxy:****@127.0.0.1:" + closedPort)
                    .message().doesNotContain("S3CRET");
        }

        @Test
        @DisplayName("an error a server or proxy answers is repeated escaped and cut, not with its line breaks, nor whole")
        void unreachableEndpointsAnswerIsEscapedAndCut() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] answer = ("{\"__type\":\"com.amazonaws.sqs#Forged\",\"message\":\"denied\\n\\u001b[31mERROR forged "
                    + "y".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            try {
                String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
                Map<String, Object> values = on(endpoint + "/000000000000/jobs");
                values.put("endpoint", endpoint);

                assertThatThrownBy(() -> create(values))
                        .isInstanceOf(JobQueueException.class)
                        // the first 1,000 characters of the SDK's message, as a log line keeps of it, then escaped
                        .hasMessageStartingWith("jobq queue 'default': reading the attributes of queue " + endpoint
                                + "/000000000000/jobs failed: denied\\n\\u001b[31mERROR forged "
                                + "y".repeat(1_000 - "denied\n\u001b[31mERROR forged ".length()) + "… (")
                        .hasMessageContaining(" more characters) (check region ")
                        .hasMessageEndingWith(" (check region us-east-1, endpoint " + endpoint + ", the accessKeyId and "
                                + "secretAccessKey of this section and the IAM actions in docs/sqs.md)")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u001b").hasSizeLessThan(2_000));
            } finally {
                server.stop(0);
            }
        }

        @Test
        @DisplayName("an endpoint that takes the connection and never answers fails start-up after requestTimeout per attempt")
        void silentEndpoint() throws Exception {
            try (var silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                // the backlog completes each connection; nothing ever reads or answers it
                String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
                Map<String, Object> values = on(endpoint + "/000000000000/jobs");
                values.put("endpoint", endpoint);
                values.put("requestTimeout", "1s");

                // the SDK's four attempts of 1 s each and its backoff; before, each attempt waited out
                // the HTTP client's 30 s read timeout, about two minutes in all
                assertTimeoutPreemptively(Duration.ofSeconds(25), () -> assertThatThrownBy(() -> create(values))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageContaining("reading the attributes of queue")
                        .hasMessageContaining("SQS did not answer within requestTimeout 1s, each of the SDK's attempts "
                                + "(raise provider.requestTimeout if the network is slow)")
                        .hasMessageContaining("endpoint " + endpoint));
            }
        }

        @Test
        @DisplayName("an endpoint that drops connection attempts fails start-up after the connect timeout per attempt")
        void endpointDroppingConnections() throws Exception {
            withDroppingEndpoint(endpoint -> {
                Map<String, Object> values = on(endpoint + "/000000000000/jobs");
                values.put("endpoint", endpoint);
                values.put("requestTimeout", "5m"); // so that only the connect timeout can end an attempt

                long start = System.nanoTime();
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> create(values))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageContaining("reading the attributes of queue")
                        .hasMessageContaining("could not connect to " + endpoint + " within 2s, each of the "
                                + "SDK's attempts")
                        .hasMessageContaining("endpoint " + endpoint));
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("four attempts of 2 s and the SDK's backoff").isLessThan(Duration.ofSeconds(20));
            });
        }

        @Test
        @DisplayName("with requestTimeout under the connect timeout, an endpoint that drops connection attempts fails "
                + "start-up saying it could not connect there, not that SQS did not answer and to raise requestTimeout")
        void endpointDroppingConnectionsUnderAShortRequestTimeout() throws Exception {
            withDroppingEndpoint(endpoint -> {
                Map<String, Object> values = on(endpoint + "/000000000000/jobs");
                values.put("endpoint", endpoint);
                values.put("requestTimeout", "500ms"); // each attempt cut while it still connects

                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> create(values))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageContaining("reading the attributes of queue")
                        .hasMessageContaining("could not connect to " + endpoint + " within 375ms")
                        .message().doesNotContain("SQS did not answer"));
            });
        }

        /** What runs against an endpoint that drops connection attempts. */
        @FunctionalInterface
        private interface AgainstEndpoint {
            void run(String endpoint) throws Exception;
        }

        /**
         * Runs {@code test} against {@code http://127.0.0.1:PORT} where nothing accepts: once the backlog is full the
         * kernel drops further SYNs, as a blackholed address does.
         */
        private static void withDroppingEndpoint(AgainstEndpoint test) throws Exception {
            try (var full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                var held = new java.util.ArrayList<java.net.Socket>();
                try {
                    fillBacklog(full, held);
                    test.run("http://127.0.0.1:" + full.getLocalPort());
                } finally {
                    for (var socket : held) {
                        socket.close();
                    }
                }
            }
        }

        @Test
        @DisplayName("with requestTimeout under the connect timeout, a port nothing listens on or an endpoint that closes "
                + "each connection fails start-up with the connection's failure, not 'raise requestTimeout'")
        void refusedOrClosedUnderAShortRequestTimeout() throws Exception {
            int closedPort;
            try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            Map<String, Object> refused = on("http://127.0.0.1:" + closedPort + "/000000000000/jobs");
            refused.put("endpoint", "http://127.0.0.1:" + closedPort);
            refused.put("requestTimeout", "500ms");
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> create(refused))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("Connection refused")
                    .message().doesNotContain("SQS did not answer"));

            try (var closing = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                Thread.ofVirtual().start(() -> {
                    while (!closing.isClosed()) {
                        try {
                            closing.accept().close();
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                String endpoint = "http://127.0.0.1:" + closing.getLocalPort();
                Map<String, Object> values = on(endpoint + "/000000000000/jobs");
                values.put("endpoint", endpoint);
                values.put("requestTimeout", "500ms");
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> create(values))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageContaining("endpoint " + endpoint)
                        .message().doesNotContain("SQS did not answer"));
            }
        }

        /** Connects to {@code server} until a connect times out: its accept queue is full. */
        private static void fillBacklog(ServerSocket server, java.util.List<java.net.Socket> held) throws IOException {
            for (int i = 0; i < 64; i++) {
                var socket = new java.net.Socket();
                held.add(socket);
                try {
                    socket.connect(server.getLocalSocketAddress(), 300);
                } catch (java.net.SocketTimeoutException e) {
                    return;
                }
            }
            throw new IllegalStateException("the backlog of " + server + " never filled");
        }

        @Test
        @DisplayName("requestTimeout is a duration from 100ms to 5m, 10s by default")
        void requestTimeoutRange() {
            assertThat(SqsSettings.read(section(valid())).requestTimeout()).isEqualTo(Duration.ofSeconds(10));
            Map<String, Object> values = valid();
            values.put("requestTimeout", "10ms");
            assertThat(problems(values)).singleElement().asString().startsWith("provider.requestTimeout: ");
        }
    }
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Attributes that SQS answers as numbers, answered as something else (by {@link BatchEntryFaults}: a server or a
 * proxy that is not SQS). Each is a clear error naming the queue, the attribute, the value and the fix, or a fallback
 * that a WARN tells of; never a bare NumberFormatException, and no message lost over it.
 */
@DisplayName("SQS: queue and message attributes that are not numbers (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsUnreadableAttributesTest {

    private final Logger setupLog = (Logger) LoggerFactory.getLogger(QueueSetup.class);
    private final Logger incomingLog = (Logger) LoggerFactory.getLogger(IncomingMessages.class);
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void capture() {
        logged.start();
        setupLog.addAppender(logged);
        incomingLog.addAppender(logged);
    }

    @AfterEach
    void release() {
        setupLog.detachAppender(logged);
        incomingLog.detachAppender(logged);
    }

    private static QueueProvider create(Map<String, Object> values) {
        return new SqsProviderFactory().create(new ProviderContext("default", Settings.of("jobq.yaml", "provider",
                values), Clock.systemUTC()));
    }

    private static Map<String, Object> on(SqsServer.Queues queues) {
        return new HashMap<>(ElasticMq.settings(queues, Map.of()));
    }

    /** Enqueues, receives and acknowledges one job: the provider works. */
    private static void roundTrip(QueueProvider provider, String id) {
        provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "t", "1", JobOptions.defaults(), 0,
                Instant.now(), null, null), Duration.ZERO);
        List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
        assertThat(received).extracting(ReceivedJob::jobId).containsExactly(id);
        provider.acknowledge(received.getFirst());
    }

    @Test
    @DisplayName("a VisibilityTimeout that is not a number of seconds is refused, naming the queue, the value and "
            + "the fix; with visibilityTimeout set, the queue's is not needed")
    void unreadableVisibilityTimeout() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-lease", false);
        BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.VISIBILITY_TIMEOUT, "thirty");
        Map<String, Object> values = on(queues);

        assertThatThrownBy(() -> create(values))
                .isInstanceOf(ConfigException.class)
                .hasMessage("jobq.yaml: provider.visibilityTimeout: SQS queue " + queues.url() + " answered a "
                        + "VisibilityTimeout of 'thirty', not a whole number of seconds from 0 to 43200 as SQS answers "
                        + "(a server or proxy that is not SQS?); set visibilityTimeout (60s, say), which is then the "
                        + "lease and the queue's is not read, or check the endpoint");
        values.put("visibilityTimeout", "60s");
        try (QueueProvider provider = create(values)) {
            roundTrip(provider, "leased-1");
        }
    }

    @Test
    @DisplayName("a VisibilityTimeout past SQS's 12 hours is refused as well: every receive would ask for it")
    void visibilityTimeoutPastTwelveHours() {
        SqsServer.Queues queues = ElasticMq.newQueues("long-lease", false);
        BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.VISIBILITY_TIMEOUT, "99999999999");

        assertThatThrownBy(() -> create(on(queues)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VisibilityTimeout of '99999999999', not a whole number of seconds from 0 to "
                        + "43200");
    }

    @Test
    @DisplayName("a MaximumMessageSize that is not a number of bytes is read as none, as on a server that answers "
            + "none: jobs are held to maxPayloadBytes, with a WARN naming the queue and the value")
    void unreadableMaximumMessageSize() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-size", false);
        BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.MAXIMUM_MESSAGE_SIZE, "256 KiB");
        BatchEntryFaults.reportAttribute(queues.deadLetterUrl(), QueueAttributeName.MAXIMUM_MESSAGE_SIZE, "lots");
        Map<String, Object> values = on(queues);
        values.put("maxPayloadBytes", "300000");

        try (QueueProvider provider = create(values)) {
            assertThat(provider.capabilities().maxPayloadBytes())
                    .isEqualTo(300_000 - OutgoingMessage.DEAD_LETTER_RESERVE);
            roundTrip(provider, "sized-1");
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .anySatisfy(line -> assertThat(line).contains("SQS queue " + queues.url(),
                        "MaximumMessageSize of '256 KiB'", "maxPayloadBytes"))
                .anySatisfy(line -> assertThat(line).contains("SQS queue " + queues.deadLetterUrl(),
                        "MaximumMessageSize of 'lots'"));
    }

    @Test
    @DisplayName("a message whose ApproximateReceiveCount is not a number runs as a first receive, not lost; a WARN "
            + "names the queue and the value and says a failing job's attempts are not counted, once per provider")
    void unreadableReceiveCount() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-count", false);
        BatchEntryFaults.reportReceiveCount(queues.url(), "many");
        Map<String, Object> values = on(queues);
        values.put("waitTime", "1s");

        try (QueueProvider provider = create(values)) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "counted-1", "t", "1", JobOptions.defaults(),
                    0, Instant.now(), null, null), Duration.ZERO);
            ReceivedJob first = provider.receive(1, Duration.ofSeconds(5)).getFirst();
            assertThat(first.attempt()).isEqualTo(1);
            provider.fail(first, new dev.jobq.spi.Failure.RetryAfter(Duration.ZERO, "failed, retried now"));
            ReceivedJob second = provider.receive(1, Duration.ofSeconds(5)).getFirst();
            assertThat(second.jobId()).as("the job, received again, not lost").isEqualTo("counted-1");
            provider.acknowledge(second);
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .filteredOn(line -> line.contains("ApproximateReceiveCount"))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(queues.url(), "ApproximateReceiveCount of 'many'",
                        "counted-1", "not counted", "check the endpoint"));
    }

    @Test
    @DisplayName("a message whose ApproximateReceiveCount is 0 (SQS counts this receive, so at least 1) runs as a first "
            + "receive, and the same WARN says its attempts are not counted")
    void zeroReceiveCount() {
        SqsServer.Queues queues = ElasticMq.newQueues("zero-count", false);
        BatchEntryFaults.reportReceiveCount(queues.url(), "0");
        Map<String, Object> values = on(queues);
        values.put("waitTime", "1s");

        try (QueueProvider provider = create(values)) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "zero-1", "t", "1", JobOptions.defaults(),
                    0, Instant.now(), null, null), Duration.ZERO);
            ReceivedJob first = provider.receive(1, Duration.ofSeconds(5)).getFirst();
            assertThat(first.attempt()).isEqualTo(1);
            provider.acknowledge(first);
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .filteredOn(line -> line.contains("ApproximateReceiveCount"))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(queues.url(), "ApproximateReceiveCount of '0'",
                        "zero-1", "not counted", "check the endpoint"));
    }

    @Test
    @DisplayName("a message count that is not a number fails stats() with a JobQueueException naming the queue, the "
            + "attribute and the value, not a bare NumberFormatException")
    void unreadableMessageCount() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-stats", false);
        try (QueueProvider provider = create(on(queues))) {
            assertThat(provider.stats().waiting()).isZero();
            BatchEntryFaults.reportAttribute(queues.deadLetterUrl(),
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "a few");

            assertThatThrownBy(provider::stats)
                    .isInstanceOf(dev.jobq.JobQueueException.class)
                    .hasMessageContaining(queues.deadLetterUrl())
                    .hasMessageContaining("ApproximateNumberOfMessagesNotVisible of 'a few'")
                    .hasMessageContaining("check the endpoint");
        }
    }

    @Test
    @DisplayName("an error such a server answers for the message counts fails stats() with its words escaped and cut, "
            + "not with their line break, nor whole")
    void answeredErrorOfTheMessageCountsIsEscapedAndCut() {
        SqsServer.Queues queues = ElasticMq.newQueues("forged-stats-error", false);
        try (QueueProvider provider = create(on(queues))) {
            assertThat(provider.stats().waiting()).isZero();
            String words = "denied\n\u001b[31mERROR forged ";
            BatchEntryFaults.answerAttributesWithError(queues.url(), words + "y".repeat(100_000));

            assertThatThrownBy(provider::stats)
                    .isInstanceOf(dev.jobq.JobQueueException.class)
                    // the first 1,000 characters of the SDK's message, as a log line keeps of it, then escaped
                    .hasMessageStartingWith("reading the message counts of " + queues.url() + " for SQS queue 'default' ("
                            + queues.url() + ") failed: denied\\n\\u001b[31mERROR forged "
                            + "y".repeat(1_000 - words.length()) + "… (")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u001b").hasSizeLessThan(2_000));
        }
    }

    @Test
    @DisplayName("a negative message count fails stats() as one that is not a number does, rather than pass as a count "
            + "below zero (or as 'unknown', -1)")
    void negativeMessageCount() {
        SqsServer.Queues queues = ElasticMq.newQueues("negative-stats", false);
        try (QueueProvider provider = create(on(queues))) {
            BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "-7");

            assertThatThrownBy(provider::stats)
                    .isInstanceOf(dev.jobq.JobQueueException.class)
                    .hasMessageContaining(queues.url())
                    .hasMessageContaining("ApproximateNumberOfMessages of '-7'")
                    .hasMessageContaining("check the endpoint");
        }
    }

    @Test
    @DisplayName("a message id such a server answers is named escaped in the WARN of a message that is no job, never "
            + "with its line break")
    void answeredMessageIdIsNamedEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("forged-message-id", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("not a job"));
        BatchEntryFaults.reportMessageId(queues.url(), "m-1\nERROR forged line");
        logged.list.clear();

        try (QueueProvider provider = create(on(queues))) {
            assertThat(provider.receive(1, Duration.ofSeconds(5))).isEmpty();
        }

        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(e -> e.getFormattedMessage())
                .filteredOn(line -> line.contains("is dead without running") && line.contains(queues.url()))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("unreadable message m-1\\nERROR forged line: ")
                .doesNotContain("\n");
    }

    @Test
    @DisplayName("a value such a server answers is quoted escaped, never as it came: a newline in it would start a "
            + "forged line in the log (docs/operations.md, Logs), or in a refusal a terminal shows")
    void answeredValuesAreQuotedEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("forged-answers", false);
        BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.MAXIMUM_MESSAGE_SIZE,
                "lots\nERROR forged size");
        BatchEntryFaults.reportReceiveCount(queues.url(), "many\nERROR forged count");
        Map<String, Object> values = on(queues);
        values.put("waitTime", "1s");

        try (QueueProvider provider = create(values)) {
            roundTrip(provider, "forged-1");
            BatchEntryFaults.reportAttribute(queues.url(), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    "7\u001b[2Jforged stats");
            assertThatThrownBy(provider::stats)
                    .isInstanceOf(dev.jobq.JobQueueException.class)
                    .hasMessageContaining("ApproximateNumberOfMessages of '7\\u001b[2Jforged stats'")
                    .message().doesNotContain("\u001b");
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .anySatisfy(line -> assertThat(line).contains("MaximumMessageSize of 'lots\\nERROR forged size'"))
                .anySatisfy(line -> assertThat(line).contains("ApproximateReceiveCount of 'many\\nERROR forged count'"))
                .allSatisfy(line -> assertThat(line).doesNotContain("\n"));

        SqsServer.Queues refused = ElasticMq.newQueues("forged-lease", false);
        BatchEntryFaults.reportAttribute(refused.url(), QueueAttributeName.VISIBILITY_TIMEOUT, "thirty\nERROR forged");
        assertThatThrownBy(() -> create(on(refused)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VisibilityTimeout of 'thirty\\nERROR forged'")
                .message().doesNotContain("\n");
    }

    @Test
    @DisplayName("a RedrivePolicy such a server answers is quoted escaped in the start-up refusal and WARN that name it")
    void answeredRedrivePolicyIsQuotedEscaped() {
        SqsServer.Queues noTarget = ElasticMq.newQueues("forged-policy", false);
        BatchEntryFaults.reportRedrivePolicy(noTarget.url(), "{\"maxReceiveCount\":\"10\",\n\"x\":\"ERROR forged\"}");
        Map<String, Object> values = on(noTarget);
        values.remove("deadLetterQueueUrl");
        assertThatThrownBy(() -> create(values))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RedrivePolicy names no deadLetterTargetArn ('{\"maxReceiveCount\":\"10\",\\n")
                .message().doesNotContain("\n");

        SqsServer.Queues badArn = ElasticMq.newQueues("forged-arn", false);
        BatchEntryFaults.reportRedrivePolicy(badArn.url(), "{\"deadLetterTargetArn\":\"dlq\nERROR forged\"}");
        Map<String, Object> withoutUrl = on(badArn);
        withoutUrl.remove("deadLetterQueueUrl");
        assertThatThrownBy(() -> create(withoutUrl))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("RedrivePolicy names 'dlq\\nERROR forged', which is not an SQS queue ARN")
                .message().doesNotContain("\n");

        try (QueueProvider provider = create(on(badArn))) { // deadLetterQueueUrl beside a policy naming another queue
            roundTrip(provider, "policy-1");
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .filteredOn(line -> line.contains("has a redrive policy that moves messages to"))
                .singleElement()
                .satisfies(line -> assertThat(line).contains("moves messages to dlq\\nERROR forged,")
                        .doesNotContain("\n"));
    }

    @Test
    @DisplayName("a dead-letter queue's QueueArn such a server answers is escaped in the WARNs that give it as the "
            + "redrive policy's target")
    void answeredDeadLetterQueueArnIsEscaped() {
        SqsServer.Queues otherTarget = ElasticMq.newQueues("forged-dlq-arn", false);
        BatchEntryFaults.reportRedrivePolicy(otherTarget.url(),
                "{\"deadLetterTargetArn\":\"arn:aws:sqs:x:1:other\",\"maxReceiveCount\":\"10\"}");
        BatchEntryFaults.reportAttribute(otherTarget.deadLetterUrl(), QueueAttributeName.QUEUE_ARN,
                "arn:aws:sqs:x:1:dlq\nERROR forged");
        try (QueueProvider provider = create(on(otherTarget))) { // the policy's target is not that ARN
            roundTrip(provider, "arn-1");
        }
        SqsServer.Queues noPolicy = ElasticMq.newQueues("forged-dlq-arn-no-policy", false);
        BatchEntryFaults.reportAttribute(noPolicy.deadLetterUrl(), QueueAttributeName.QUEUE_ARN,
                "arn:aws:sqs:x:1:dlq\u001b[2Jforged");
        try (QueueProvider provider = create(on(noPolicy))) {
            roundTrip(provider, "arn-2");
        }
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(event -> event.getFormattedMessage())
                .anySatisfy(line -> assertThat(line).contains("has a redrive policy that moves messages to")
                        .contains("point the redrive policy at arn:aws:sqs:x:1:dlq\\nERROR forged,"))
                .anySatisfy(line -> assertThat(line).contains("has no redrive policy")
                        .contains("{\"deadLetterTargetArn\":\"arn:aws:sqs:x:1:dlq\\u001b[2Jforged\""))
                .allSatisfy(line -> assertThat(line).doesNotContain("\n").doesNotContain("\u001b"));
    }
}

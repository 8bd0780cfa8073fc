package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What extendLease does with an extension it cannot set: a negative one is refused, as the SPI's other providers do
 * (memory: refused); one past SQS's 12 hours from the receive is shortened to what is left of them (docs/sqs.md, Limits).
 */
@DisplayName("SQS: a lease extension SQS cannot set (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsLeaseExtensionArgumentTest {

    private SqsServer.Queues queues;

    @AfterEach
    void forget() {
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("is refused at once, naming the job and the value, and nothing is sent to SQS")
    void negativeExtensionIsRefusedWithoutACall() {
        queues = ElasticMq.newQueues("negative-extension", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("negative-extension-scratch-" + System.nanoTime(),
                Map.of()));
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "neg-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            int callsBefore = BatchEntryFaults.calls(queues.url()).size();

            assertThatThrownBy(() -> provider.extendLease(received.getFirst(), Duration.ofSeconds(-5)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neg-1")
                    .hasMessageContaining("-5s");
            assertThat(BatchEntryFaults.calls(queues.url())).as("calls to SQS").hasSize(callsBefore);
            provider.extendLease(received.getFirst(), Duration.ofSeconds(30)); // the lease is still held
        }
    }

    @Test
    @DisplayName("past SQS's 12 hours from the receive is shortened to what is left of them, which SQS takes: the job "
            + "stays hidden and its delivery settles")
    void extensionPastTwelveHoursIsShortenedToThem() {
        queues = ElasticMq.newQueues("long-extension", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("long-extension-scratch-" + System.nanoTime(),
                Map.of()));
        // SQS refuses a visibility timeout that ends past 12 h from the receive (InvalidParameterValue: "Total
        // VisibilityTimeout for the message is beyond the limit [43200 seconds]"); ElasticMQ takes it, so it is refused here
        BatchEntryFaults.arm(queues.url(), "ChangeMessageVisibilityBatch",
                entry -> entry instanceof ChangeMessageVisibilityBatchRequestEntry change
                        && change.visibilityTimeout() > Lease.MAX_VISIBILITY.toSeconds(),
                "InvalidParameterValue", true, Integer.MAX_VALUE);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "long-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);

            provider.extendLease(received.getFirst(), Duration.ofHours(13));

            var counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.url()).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).as("still hidden")
                    .isEqualTo("1");
            provider.acknowledge(received.getFirst());
        }
    }

    /**
     * A job whose timeout is past 11h59m ran with it, and only its heartbeat at 12 h failed: SQS then made the message
     * visible and another worker could run it beside the first (DESIGN §4: a long job is never delivered twice while it
     * runs). jobq refuses such a timeout at enqueue; another producer's message can carry one (timeoutMs).
     */
    @Test
    @DisplayName("another producer's job whose timeout is past 11h59m is received with a timeout of 11h59m, and a WARN "
            + "names the job, its timeout, the 11h59m and the fix")
    void aForeignTimeoutPastElevenHoursFiftyNineIsCappedAtReceiveWithAWarn() {
        queues = ElasticMq.newQueues("capped-timeout", false);
        try (var logged = CapturedLog.of(IncomingMessages.class);
             QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                     Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                             "waitTime", "1s"))), Clock.systemUTC()))) {
            for (String job : List.of("{\"jobId\":\"day-\u202e1\",\"options\":{\"timeoutMs\":86400000,\"maxAttempts\":4}",
                    "{\"jobId\":\"cap-1\",\"options\":{\"timeoutMs\":43140000}")) {
                ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody(job + ",\"envelopeVersion\":1,"
                        + "\"type\":\"report:build\",\"createdAt\":\"2026-11-23T10:00:00Z\"}"));
            }

            List<ReceivedJob> received = new ArrayList<>(provider.receive(2, Duration.ofSeconds(5)));
            if (received.size() < 2) {
                received.addAll(provider.receive(1, Duration.ofSeconds(5)));
            }

            assertThat(received).extracting(ReceivedJob::jobId, job -> job.envelope().options().timeout(),
                            job -> job.envelope().options().maxAttempts())
                    .containsExactlyInAnyOrder(tuple("day-\u202e1", Lease.MAX_TIMEOUT, 4),
                            tuple("cap-1", Lease.MAX_TIMEOUT, 3));
            // Another test class's queue, run beside this one, may log under the same class
            assertThat(logged.warnings()).filteredOn(line -> line.contains(queues.url())).containsExactly("job day-\\u202e1 (report:build) on SQS queue 'default' ("
                    + queues.url() + ") has a timeout of 1d, longer than the 11h59m a job on SQS may have (SQS hides a "
                    + "received message for at most 12 h: a handler still running then is delivered again and runs "
                    + "twice side by side); it runs with a timeout of 11h59m. jobq refuses a longer one at enqueue; "
                    + "this job's producer did not: give it a timeout of at most 11h59m, or split the work into "
                    + "shorter jobs");
            received.forEach(provider::acknowledge);
        }
    }

    @Test
    @DisplayName("a ChaasKit message (version 0) whose timeout is past 11h59m, and a version-1 one 1 ms past it, are "
            + "received with a timeout of 11h59m, each WARN naming its own timeout to the millisecond")
    void aVersionZeroTimeoutAndOneMillisecondPastElevenHoursFiftyNineAreCappedToo() {
        queues = ElasticMq.newQueues("capped-v0", false);
        try (var logged = CapturedLog.of(IncomingMessages.class);
             QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                     Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                             "waitTime", "1s"))), Clock.systemUTC()))) {
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"jobId\":\"chaas-1\","
                    + "\"type\":\"report:build\",\"options\":{\"maxRetries\":2,\"timeout\":86400000},"
                    + "\"createdAt\":\"2026-11-23T10:00:00.000Z\"}"));
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":1,"
                    + "\"jobId\":\"over-1\",\"type\":\"report:build\",\"options\":{\"timeoutMs\":43140001},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}"));

            List<ReceivedJob> received = new ArrayList<>();
            for (int receive = 0; receive < 5 && received.size() < 2; receive++) {
                received.addAll(provider.receive(2 - received.size(), Duration.ofSeconds(5)));
            }

            assertThat(received).extracting(ReceivedJob::jobId, job -> job.envelope().version(),
                            job -> job.envelope().options().timeout(), job -> job.envelope().options().maxAttempts())
                    .containsExactlyInAnyOrder(tuple("chaas-1", 0, Lease.MAX_TIMEOUT, 2),
                            tuple("over-1", 1, Lease.MAX_TIMEOUT, 3));
            assertThat(logged.warnings()).filteredOn(line -> line.contains(queues.url()))
                    .extracting(line -> line.substring(0, line.indexOf(" on SQS")) + line.substring(
                            line.indexOf(") has a timeout of") + 1, line.indexOf(", longer than")))
                    .containsExactlyInAnyOrder("job chaas-1 (report:build) has a timeout of 1d",
                            "job over-1 (report:build) has a timeout of 11h59m1ms");
            received.forEach(provider::acknowledge);
        }
    }

    /**
     * A heartbeat nearly 12 hours after the receive cannot extend the lease: the job will be delivered again while it
     * runs. Its timeout is at most 11h59m (refused at enqueue, cut at receive), so its handler started late. The
     * failure named neither the job's timeout nor what to do. The 12 hours are not waited for: the heartbeat's own
     * call is given a lease that began 12 hours ago.
     */
    @Test
    @DisplayName("a heartbeat nearly 12 hours after the receive fails naming the job's timeout, the 11h59m a job on SQS "
            + "may have and the fix")
    void heartbeatPastTwelveHoursNamesTheTimeoutAndTheFix() {
        queues = ElasticMq.newQueues("twelve-hours", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            // Within the 11h59m, the handler started late after the receive: a shorter timeout is the way out.
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":1,"
                    + "\"jobId\":\"late-1\",\"type\":\"report:build\",\"options\":{\"timeoutMs\":43140000},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}"));
            ReceivedJob late = provider.receive(1, Duration.ofSeconds(5)).getFirst();
            var lateLease = new Lease(Message.builder().receiptHandle(late.receipt()).build(), null,
                    System.nanoTime() - Lease.MAX_VISIBILITY.toNanos(), Duration.ofSeconds(30));
            assertThatThrownBy(() -> ((SqsQueueProvider) provider).changeVisibilityFor(late, lateLease,
                    Duration.ofSeconds(30)))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageEndingWith("still runs. Its timeout, 11h59m, is within the 11h59m a job on SQS may have, "
                            + "but its handler started late after the receive, from which the 12 h count: give it a "
                            + "shorter timeout, or split the work into shorter jobs");
            provider.acknowledge(late);
        }
    }
}

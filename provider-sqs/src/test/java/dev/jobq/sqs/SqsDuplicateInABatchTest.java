package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A receive whose batch holds the same message twice ({@link BatchEntryFaults#duplicateNextReceive}: SQS delivers at
 * least once): the job is handed out once, with the later receipt, and its acknowledgement deletes it.
 */
@DisplayName("SQS: one message twice in one received batch (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsDuplicateInABatchTest {

    private SqsServer.Queues queues;

    @AfterEach
    void forget() {
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("with the same receipt twice: one job, acknowledged, gone")
    void sameReceiptTwice() {
        receivedTwiceInABatch(receipt -> receipt);
    }

    @Test
    @DisplayName("with an older receipt first: one job, with the later receipt, acknowledged, gone")
    void olderReceiptFirst() {
        receivedTwiceInABatch(receipt -> "older-" + receipt);
    }

    @Test
    @DisplayName("answered again with the same receipt in the next receive (a server or proxy that replays): handed "
            + "out once, and its acknowledgement deletes it")
    void sameReceiptInTheNextReceive() {
        queues = ElasticMq.newQueues("replayed", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("replayed-scratch-" + System.nanoTime(), Map.of()));
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "replayed-1", "t", "1", JobOptions.defaults(),
                    0, Instant.now(), null, null), Duration.ZERO);
            BatchEntryFaults.answerAgainInNextReceive(queues.url());
            List<ReceivedJob> first = provider.receive(10, Duration.ofSeconds(5));
            assertThat(first).extracting(ReceivedJob::jobId).containsExactly("replayed-1");

            List<ReceivedJob> again = provider.receive(10, Duration.ofSeconds(5));

            // Before, the second receive's lease replaced the first's and Leases.add then forgot it as the older receipt:
            // neither delivery was current, the acknowledgement was refused, and the job came back to run again.
            provider.acknowledge(first.getFirst());
            assertThat(again).as("jobs handed out again for a delivery already handed out, same receipt").isEmpty();
        }
        assertThat(QueueContents.total(queues.url())).as("messages left after the acknowledgement").isZero();
    }

    private void receivedTwiceInABatch(UnaryOperator<String> earlierReceipt) {
        queues = ElasticMq.newQueues("duplicate", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("duplicate-scratch-" + System.nanoTime(), Map.of()));
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "twice-1", "t", "1", JobOptions.defaults(), 0,
                    Instant.now(), null, null), Duration.ZERO);
            BatchEntryFaults.duplicateNextReceive(queues.url(), earlierReceipt);

            List<ReceivedJob> received = provider.receive(10, Duration.ofSeconds(5));

            assertThat(received).as("jobs handed out for one message received twice").extracting(ReceivedJob::jobId)
                    .containsExactly("twice-1");
            provider.acknowledge(received.getFirst());
        }
        assertThat(QueueContents.total(queues.url())).as("messages left after the acknowledgement").isZero();
    }
}

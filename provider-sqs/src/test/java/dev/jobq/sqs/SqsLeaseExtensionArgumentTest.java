package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What extendLease does with an extension it cannot set, as the SPI's other providers do (memory: refused). */
@DisplayName("SQS: a negative lease extension (ElasticMQ)")
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
}

package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.Failure;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md §4, Dead letters: "The live copy is deleted only after the dead-letter copy is durably written."
 * SqsWorkerTest shows the copy and the delete when both succeed; this is the case where the copy fails.
 */
@DisplayName("SQS dead letters when the copy to the dead-letter queue fails (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsDeadLetterCopyFailureTest {

    @Test
    @DisplayName("a dead job whose copy the dead-letter queue refuses stays on the live queue and is delivered again")
    void liveMessageStaysWhenTheDeadLetterCopyFails() {
        SqsServer.Queues queues = ElasticMq.newQueues("dlq-gone", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "1s"))),
                Clock.systemUTC()))) {
            String id = provider.enqueue(new JobEnvelope(1, "dlq-gone-1", "report:build", "1", JobOptions.defaults(), 0,
                    Instant.now(), null, null), Duration.ZERO).jobId();
            ReceivedJob first = receive(provider);
            assertThat(first.jobId()).isEqualTo(id);
            // the dead-letter queue goes away after start-up: a deleted queue, as an operator's mistake or a policy does
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.deadLetterUrl()));

            assertThatThrownBy(() -> provider.fail(first, Failure.dead("IllegalStateException: out of attempts")))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining(id)
                    .hasMessageContaining(queues.deadLetterUrl());

            ReceivedJob again = receive(provider);
            assertThat(again.jobId()).as("the live message, not deleted without its copy").isEqualTo(id);
            assertThat(again.attempt()).isEqualTo(first.attempt() + 1);
            provider.acknowledge(again);
        }
    }

    @Test
    @DisplayName("a failed copy names the queue and the dead-letter queue by long URLs cut after 200 characters, with "
            + "their lengths, not whole")
    void aFailedCopyNamesLongUrlsCut() {
        SqsServer.Queues queues = ElasticMq.newQueues("dlq-gone-long", false);
        String url = queues.url() + "?pad=" + "q".repeat(100_000);
        String deadLetterUrl = queues.deadLetterUrl() + "?pad=" + "d".repeat(100_000);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "1s",
                        "queueUrl", url, "deadLetterQueueUrl", deadLetterUrl))), Clock.systemUTC()))) {
            String id = provider.enqueue(new JobEnvelope(1, "dlq-gone-long-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO).jobId();
            ReceivedJob first = receive(provider);
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.deadLetterUrl()));

            assertThatThrownBy(() -> provider.fail(first, Failure.dead("IllegalStateException: out of attempts")))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("copying dead job " + id + " to dead-letter queue "
                            + deadLetterUrl.substring(0, 200) + "… (" + deadLetterUrl.length() + " characters) failed: ")
                    .hasMessageEndingWith("; it stays on SQS queue 'default' (" + url.substring(0, 200) + "… ("
                            + url.length() + " characters)) and comes back when its visibility timeout ends")
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2_000));
        }
    }

    private static ReceivedJob receive(QueueProvider provider) {
        List<ReceivedJob> got = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> provider.receive(1, Duration.ofSeconds(1)), list -> !list.isEmpty());
        return got.get(0);
    }
}

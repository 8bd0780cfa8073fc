package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/sqs.md's "10 entries per batch call" row: a batch of sends ends before its messages together would
 * pass the queue's message size limit, which SQS applies to a whole SendMessageBatch, so ten large jobs of
 * one {@code enqueueAll} go out in several calls and are all stored (ElasticMQ).
 */
@DisplayName("enqueueAll of large jobs on SQS (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsLargeBatchTest {

    private final WorkerQueues workers = new WorkerQueues();
    private SqsServer.Queues queues;

    @AfterEach
    void close() {
        workers.close();
        BatchEntryFaults.forget(queues.url());
    }

    @Test
    @DisplayName("ten jobs of 300 KB each go out in calls no larger than one message may be, and all are stored")
    void largeJobsGoOutFewerToACall() {
        queues = ElasticMq.newQueues("large-batch", false);
        BatchEntryFaults.watch(queues.url(), queues.deadLetterUrl());
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        List<String> payloads = Collections.nCopies(10, "x".repeat(300 * 1024));

        List<String> ids = jobs.enqueueAll("blob:store", payloads);

        assertThat(ids).hasSize(10).doesNotContainNull();
        assertThat(QueueContents.total(queues.url())).isEqualTo(10);
        List<BatchEntryFaults.Call> calls = BatchEntryFaults.calls(queues.url());
        assertThat(calls).as("SendMessageBatch calls").allSatisfy(call ->
                assertThat(call.entries()).as("jobs in one call, of 300 KB each within 1 MiB").isLessThanOrEqualTo(3));
        assertThat(calls.stream().mapToInt(BatchEntryFaults.Call::entries).sum()).isEqualTo(10);
    }
}

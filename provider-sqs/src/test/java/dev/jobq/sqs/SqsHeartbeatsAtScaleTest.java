package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many jobs in hand at once: their heartbeats go out as ChangeMessageVisibilityBatch calls of several
 * entries, not one call per job. {@link BatchEntryFaults} only counts the calls here; it fails none.
 */
@DisplayName("SQS heartbeats of 120 running jobs (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsHeartbeatsAtScaleTest {

    private static final int JOBS = 120;

    private SqsServer.Queues queues;
    private JobQueue jobs;

    @AfterEach
    void close() {
        if (jobs != null) {
            jobs.close();
        }
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("heartbeats of 120 jobs go out batched, each job's lease kept: every job runs once")
    void heartbeatsAreBatched() throws InterruptedException {
        queues = ElasticMq.newQueues("many-heartbeats", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("many-heartbeats-scratch-" + System.nanoTime(),
                Map.of()));
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of("visibilityTimeout", "3s", "waitTime", "1s")))
                .backoff(Backoff.none()).concurrency(JOBS).pollInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofSeconds(5)).listener(events::add).build();
        var allRunning = new CountDownLatch(JOBS);
        var finish = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            allRunning.countDown();
            assertThat(finish.await(60, TimeUnit.SECONDS)).isTrue();
        });
        jobs.enqueueAll("report:build", IntStream.range(0, JOBS).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        jobs.start();
        assertThat(allRunning.await(30, TimeUnit.SECONDS)).as("all jobs running").isTrue();
        int before = BatchEntryFaults.calls(queues.url()).size();
        long from = System.nanoTime();
        // at least four heartbeats of each job: past two visibility timeouts, so a lease not kept would show as a rerun
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> entries(heartbeatsSince(before)) >= JOBS * 4);
        List<BatchEntryFaults.Call> heartbeats = heartbeatsSince(before);
        double seconds = (System.nanoTime() - from) / 1e9;
        finish.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> events.stream().filter(JobEvent.Completed.class::isInstance).count() == JOBS);

        int entries = entries(heartbeats);
        System.out.printf("heartbeats: %d calls, %d entries in %.1f s%n", heartbeats.size(), entries, seconds);
        assertThat(heartbeats.size()).as("calls for %d entries", entries).isLessThanOrEqualTo(entries / 4);
        assertThat(events.stream().filter(JobEvent.Started.class::isInstance).count()).as("runs").isEqualTo(JOBS);
    }

    private List<BatchEntryFaults.Call> heartbeatsSince(int before) {
        return BatchEntryFaults.calls(queues.url()).stream().skip(before)
                .filter(c -> c.operation().equals("ChangeMessageVisibilityBatch")).toList();
    }

    private static int entries(List<BatchEntryFaults.Call> calls) {
        return calls.stream().mapToInt(BatchEntryFaults.Call::entries).sum();
    }
}

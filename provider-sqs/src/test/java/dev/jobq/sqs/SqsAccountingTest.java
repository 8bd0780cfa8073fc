package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.QueueStats;
import dev.jobq.metrics.JobQueueMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A mixed run on SQS (ElasticMQ) whose truth is known: the outcome counters, the events and
 * {@code stats()} agree with each other and with what happened, messages the provider itself
 * dead-letters or postpones (unreadable, a newer envelope) included.
 */
@DisplayName("Accounting of a mixed run on SQS (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsAccountingTest {

    private final WorkerQueues workers = new WorkerQueues();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    private double count(String type, String outcome) {
        Counter counter = registry.find("jobq.jobs").tags("queue", "default", "type", type, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double countAll(String outcome) {
        return registry.find("jobq.jobs").tag("outcome", outcome).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    @DisplayName("stats() after close() answers what this process counted, the closed provider's counts -1, as the "
            + "memory provider answers (ClosedJobQueueTest)")
    void statsAfterCloseAnswersWhatThisProcessCounted() {
        JobQueue jobs = workers.open(ElasticMq.newQueues("stats-closed", false), Map.of(), Duration.ofSeconds(1));
        jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("ok", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> jobs.stats("default").completed() == 1);
        jobs.close();

        // Before, the closed SDK client failed it: RejectedExecutionException ... rejected from ...ScheduledThreadPoolExecutor
        QueueStats stats = jobs.stats("default");
        assertThat(stats.completed()).isEqualTo(1);
        assertThat(List.of(stats.waiting(), stats.delayed(), stats.dead(), stats.inFlight())).containsOnly(-1L);
    }

    @Test
    @DisplayName("metrics, events and stats count each outcome once, the provider's own dead letters and postponements too")
    void metricsEventsAndStatsAgreeOnAMixedRun() {
        SqsServer.Queues queues = ElasticMq.newQueues("accounting", false);
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "1s"), Duration.ofSeconds(5));
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
        jobs.registerJobHandler("flaky", Integer.class, (job, ctx) -> {
            if (failedOnce.add(job.id())) {
                throw new IllegalStateException("first time");
            }
        });
        jobs.registerJobHandler("bad", Integer.class, (job, ctx) -> {
            throw new IllegalStateException("never works");
        });
        new JobQueueMetrics(jobs).bindTo(registry);
        for (int i = 0; i < 6; i++) {
            jobs.enqueue("ok", i);
        }
        jobs.enqueue("flaky", 1);
        jobs.enqueue("flaky", 2);
        jobs.enqueue("bad", 1, EnqueueOptions.builder().maxAttempts(2).build());
        jobs.enqueue("nobody", 1);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("not json at all"));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":99,"
                + "\"jobId\":\"from-the-future\",\"type\":\"ok\",\"payload\":1,\"createdAt\":\"2026-11-23T10:00:00Z\"}"));
        jobs.start();

        // completed: 6 ok + 2 flaky; failed: 2 flaky + 1 bad + the newer envelope postponed twice;
        // dead: bad, nobody, the unreadable body, the newer envelope on its third delivery.
        await().atMost(Duration.ofSeconds(60)).until(() -> countAll("completed") == 8 && countAll("failed") == 5
                && countAll("dead") == 4);

        assertThat(count("ok", "failed")).as("the newer envelope, postponed twice").isEqualTo(2);
        assertThat(count("ok", "dead")).isEqualTo(1);
        assertThat(count(JobQueueMetrics.UNREGISTERED_TYPE, "dead")).as("nobody and the unreadable body").isEqualTo(2);
        assertThat(workers.all(JobEvent.Started.class, e -> true)).hasSize(12);
        assertThat(workers.all(JobEvent.Completed.class, e -> true)).hasSize(8);
        assertThat(workers.all(JobEvent.Failed.class, e -> true)).hasSize(5);
        assertThat(workers.all(JobEvent.Dead.class, e -> true)).hasSize(4);
        assertThat(registry.find("jobq.jobs.enqueued").counters().stream().mapToDouble(Counter::count).sum())
                .as("the jobs this process enqueued, not the two another client sent").isEqualTo(10);

        QueueStats stats = jobs.stats("default");
        assertThat(stats.completed()).isEqualTo(8);
        assertThat(stats.failed()).as("/health's failed: jobq_jobs_total of failed and dead together")
                .isEqualTo((long) (countAll("failed") + countAll("dead")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            QueueStats now = jobs.stats("default");
            assertThat(now.dead()).isEqualTo(4);
            assertThat(now.waiting()).isZero();
        });
        assertThat(stats.delayed()).as("SQS cannot tell").isEqualTo(-1);
        assertThat(stats.inFlight()).as("SQS cannot tell").isEqualTo(-1);
    }
}

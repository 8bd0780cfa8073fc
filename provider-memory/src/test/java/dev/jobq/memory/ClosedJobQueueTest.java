package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.QueueStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a closed JobQueue still accepts: nothing that would be silently lost. */
class ClosedJobQueueTest {

    @Test
    void registeringAHandlerAfterCloseIsRefused() {
        JobQueue jobs = JobQueue.builder().build();
        jobs.close();

        // Accepted before: the handler was never to run, and nothing said so.
        assertThatThrownBy(() -> jobs.registerJobHandler("report:build", String.class, (job, context) -> { }))
                .isInstanceOf(JobQueueException.class)
                .hasMessage("this JobQueue is closed; build a new one");
        assertThatThrownBy(() -> jobs.registerJobHandler("report:build", String.class, (job, context) -> { },
                Backoff.fixed(Duration.ofSeconds(1))))
                .isInstanceOf(JobQueueException.class)
                .hasMessage("this JobQueue is closed; build a new one");
        assertThat(jobs.registeredTypes()).isEmpty();
    }

    @Test
    @DisplayName("stats() after close() answers what this process counted and what the memory queue held when it "
            + "closed; on SQS the provider's counts are -1 (SqsAccountingTest)")
    void statsAfterCloseAnswersWhatThisProcessCountedAndWhatTheQueueHeld() throws InterruptedException {
        JobQueue jobs = JobQueue.builder().environment(Map.of()).build();
        var ran = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", String.class, (job, context) -> ran.countDown());
        jobs.start();
        jobs.enqueue("report:build", "x");
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        jobs.enqueue("report:build", "y", EnqueueOptions.delay(Duration.ofHours(1)));
        jobs.close();

        // what a test looks for after close(): the job left on the queue (on SQS this threw before)
        QueueStats stats = jobs.stats("default");
        assertThat(stats.completed()).isEqualTo(1);
        assertThat(List.of(stats.waiting(), stats.delayed(), stats.dead(), stats.inFlight()))
                .containsExactly(0L, 1L, 0L, 0L);
        assertThat(jobs.stats()).containsExactly(jobs.stats("default"));
    }
}

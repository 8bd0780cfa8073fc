package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.Backoff;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import java.time.Duration;
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
}

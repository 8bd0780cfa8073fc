package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.WorkerMode;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §2 and §7: {@code jobs.start()} runs the in-process worker "unless mode: standalone", where the
 * application only enqueues and {@code jobq run} processes do the work.
 */
class StandaloneModeTest {

    @Test
    @DisplayName("in standalone mode start() runs no handler: an enqueued job waits for a worker elsewhere, "
            + "and a worker on the same queue runs it")
    void standaloneStartRunsNoHandler() {
        var events = new EventRecorder();
        QueueProvider provider = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        var runsHere = new AtomicInteger();
        try (provider;
             JobQueue application = JobQueue.builder().provider(new KeepOpen(provider)).mode(WorkerMode.STANDALONE)
                     .listener(events).build()) {
            application.registerJobHandler("email:send", String.class, (job, ctx) -> runsHere.incrementAndGet());
            application.start();
            String id = application.enqueue("email:send", "ada@example.com");

            // a bounded look: the job stays waiting while the application's worker would long have taken it
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> application.getJob(id).orElseThrow().state() == JobState.WAITING);
            assertThat(runsHere).hasValue(0);
            assertThat(events.all(JobEvent.Started.class)).isEmpty();

            var ranElsewhere = new AtomicInteger();
            try (JobQueue worker = JobQueue.builder().provider(new KeepOpen(provider)).listener(events).build()) {
                worker.registerJobHandler("email:send", String.class, (job, ctx) -> ranElsewhere.incrementAndGet());
                worker.start();
                assertThat(events.awaitCount(JobEvent.Completed.class, 1).get(0).jobId()).isEqualTo(id);
            }
            assertThat(ranElsewhere).hasValue(1);
            assertThat(runsHere).hasValue(0);
        }
    }
}

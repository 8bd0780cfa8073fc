package dev.jobq.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example handlers registered on a real queue with the memory provider. */
class DemoHandlersTest {

    @Test
    void registersEveryExampleType() {
        try (JobQueue jobs = JobQueue.builder().provider("memory").build()) {
            DemoHandlers.registerAll(jobs);

            assertThat(jobs.registeredTypes()).containsExactlyInAnyOrderElementsOf(DemoHandlers.TYPES);
        }
    }

    @Test
    void flakyCallCompletesOnTheAttemptAfterItsFailures() throws InterruptedException {
        var events = new CopyOnWriteArrayList<JobEvent>();
        var done = new CountDownLatch(1);
        try (JobQueue jobs = JobQueue.builder().provider("memory").backoff(Backoff.fixed(Duration.ofMillis(20)))
                .listener(event -> {
                    events.add(event);
                    if (event instanceof JobEvent.Completed || event instanceof JobEvent.Dead) {
                        done.countDown();
                    }
                })
                .build()) {
            DemoHandlers.registerAll(jobs);
            jobs.start();

            jobs.enqueue(FlakyHandler.TYPE, new FlakyCall("https://api.example.com", 2),
                    EnqueueOptions.builder().maxAttempts(3).build());

            assertThat(done.await(10, TimeUnit.SECONDS)).as("job final within 10 s; events %s", events).isTrue();
        }
        List<Integer> failedAttempts = events.stream()
                .filter(JobEvent.Failed.class::isInstance).map(e -> ((JobEvent.Failed) e).attempt()).toList();
        // Events of successive attempts run on different threads; their order is not promised.
        assertThat(failedAttempts).containsExactlyInAnyOrder(1, 2);
        assertThat(events).filteredOn(JobEvent.Completed.class::isInstance)
                .singleElement().extracting(e -> ((JobEvent.Completed) e).attempt()).isEqualTo(3);
    }
}

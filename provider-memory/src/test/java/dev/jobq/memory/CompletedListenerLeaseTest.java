package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * On a provider that receives in-process, a handler thread leases its next job with the acknowledgement of the one it
 * finished, then announces that one's Completed (docs/semantics.md: a listener blocks). The job it leased must keep
 * its lease while a listener is slow there, or it is delivered again and runs twice.
 */
class CompletedListenerLeaseTest {

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch listenerGoesOn = new CountDownLatch(1);

    @AfterEach
    void closeAll() throws Exception {
        listenerGoesOn.countDown();
        fixture.close();
    }

    @Test
    @DisplayName("the job leased with an acknowledgement keeps its lease while a listener of that acknowledged job's "
            + "Completed is slow: it is not delivered again to another worker")
    void theNextJobKeepsItsLeaseWhileCompletedIsAnnounced() throws Exception {
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "1s"));
        var aRunning = new CountDownLatch(1);
        var aGoesOn = new CountDownLatch(1);
        var inListener = new CountDownLatch(1);
        var bRunsOnFirst = new AtomicInteger();
        var bRunsOnSecond = new AtomicInteger();

        JobQueue first = fixture.queue(memory, 1, Duration.ofSeconds(5));
        first.registerJobHandler("step", Integer.class, (n, ctx) -> {
            if (n.payload() == 1) {
                aRunning.countDown();
                aGoesOn.await(20, TimeUnit.SECONDS);
            } else {
                bRunsOnFirst.incrementAndGet();
            }
        });
        first.addListener(event -> {
            if (event instanceof JobEvent.Completed completed && bRunsOnFirst.get() == 0
                    && inListener.getCount() == 1) {
                inListener.countDown();
                try {
                    listenerGoesOn.await(20, TimeUnit.SECONDS); // a listener writing to a slow audit store
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        first.start();
        first.enqueue("step", 1);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).as("job A runs").isTrue();
        String b = first.enqueue("step", 2); // the only permit is A's: the thread leases B with A's acknowledgement
        aGoesOn.countDown();
        assertThat(inListener.await(10, TimeUnit.SECONDS)).as("A's Completed reached the slow listener").isTrue();

        // A second worker on the same queue: B is leased by the first one, and must stay so over several leases.
        JobQueue second = fixture.queue(memory, 1, Duration.ofSeconds(5));
        second.registerJobHandler("step", Integer.class, (job, ctx) -> bRunsOnSecond.incrementAndGet());
        second.start();
        await().during(Duration.ofMillis(3_300)).atMost(Duration.ofSeconds(6))
                .untilAsserted(() -> assertThat(bRunsOnSecond).as("B's runs on the second worker while the first "
                        + "one's listener is slow on A's Completed").hasValue(0));
        listenerGoesOn.countDown();

        await().atMost(EventRecorder.WAIT).until(() -> fixture.events.all(JobEvent.Completed.class).stream()
                .anyMatch(completed -> completed.jobId().equals(b)));
        assertThat(bRunsOnFirst.get() + bRunsOnSecond.get()).as("B's runs").isEqualTo(1);
    }
}

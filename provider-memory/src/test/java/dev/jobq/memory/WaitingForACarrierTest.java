package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A job received while handlers that compute without blocking hold every carrier thread of the virtual-thread
 * scheduler waits for one before its handler starts (docs/semantics.md#timeouts-and-cancellation): its lease, which
 * runs from the receive, must be extended meanwhile, or it runs out and the job runs twice.
 */
class WaitingForACarrierTest {

    /**
     * The lease: its heartbeats, every third of it, may each be a whole second late (two threads compute on every
     * core meanwhile). With 300 ms, one heartbeat 200 ms late let the waiting job's lease run out.
     */
    private static final String LEASE = "1500ms";

    /** How long each handler computes, holding its carrier: two leases. */
    private static final Duration COMPUTING = Duration.ofSeconds(3);

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a received job that waits for a carrier thread keeps its lease: it runs once")
    void aJobWaitingForACarrierKeepsItsLease() {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        int jobCount = carriers + 1;
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of("leaseDuration", LEASE)), jobCount,
                Duration.ofSeconds(5));
        List<String> ran = new CopyOnWriteArrayList<>();
        jobs.registerJobHandler("compute", Integer.class, (n, ctx) -> {
            ran.add(ctx.jobId());
            long until = System.nanoTime() + COMPUTING.toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // computing: the carrier is not given up
            }
        });
        // All received at once, before any runs: one of them waits for a carrier for a whole COMPUTING.
        jobs.enqueueAll("compute", IntStream.range(0, jobCount).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).maxAttempts(5).build());
        jobs.start();

        fixture.events.awaitCount(JobEvent.Completed.class, jobCount);
        // Before, the waiting job's lease ran out unextended and it was delivered again: it ran twice.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ran).as("handler runs, by job").doesNotHaveDuplicates().hasSize(jobCount));
    }
}

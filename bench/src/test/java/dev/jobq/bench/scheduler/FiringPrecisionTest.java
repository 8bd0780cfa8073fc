package dev.jobq.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Probe;
import dev.jobq.memory.MemoryProviderFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiringPrecisionTest {

    /**
     * A job the scheduler never handed on (lost, or still held when the wait ran out) is what B7 most
     * needs to report, and by name: which job, due when.
     */
    @Test
    void aJobThatNeverReachedItsQueueIsNamedWithItsInstant() {
        Instant due = Instant.parse("2026-12-04T20:00:00.123456789Z");
        var probe = new Probe(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 1);

        assertThatThrownBy(() -> FiringPrecision.record(probe, new FiringPrecision.Moments(), Map.of("job-7", due),
                List.of(1_000L)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job-7")
                .hasMessageContaining(due.toString())
                .hasMessageContaining("never reached its queue");
    }

    /**
     * A job scheduled only after its instant (the machine too slow for the lead) would have its
     * scheduling counted as the scheduler's lateness: the run must refuse, not record it.
     */
    @Test
    void aJobScheduledOnlyAfterItsInstantFailsTheRunNamingIt(@TempDir Path dir) {
        Instant past = Instant.now().minusSeconds(1);
        try (JobQueue queue = SchedulerQueues.firingAndRunning("jdbc:h2:file:" + dir.resolve("jobq").toAbsolutePath(),
                event -> { })) {
            assertThatThrownBy(() -> FiringPrecision.schedule(queue, List.of(past), probe(), "scheduling 1 job"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(past.toString())
                    .hasMessageContaining("after its instant");
        }
    }

    /**
     * "Never early" is judged by when the provider's enqueue was called, not by when the provider had
     * accepted the job: a hand-on begun before the instant is early even when the provider (here one
     * that takes until just past the instant) accepts the job after it.
     */
    @Test
    void aHandOnBegunBeforeItsInstantIsEarlyHoweverLateItsProviderAcceptsIt() throws Exception {
        var moments = new FiringPrecision.Moments();
        var instant = new AtomicReference<Instant>();
        var slowUntilDue = new StampingProvider(MemoryProviderFactory.builder().build(), id -> {
            while (!Instant.now().isAfter(instant.get())) {
                LockSupport.parkNanos(1_000_000);
            }
        });
        var started = new CountDownLatch(1);
        var output = new ByteArrayOutputStream();
        try (JobQueue queue = JobQueue.builder().environment(Map.of())
                .provider(new StampingProvider(slowUntilDue, moments::enqueueCalled))
                .listener(moments::onEvent).build()) {
            queue.registerJobHandler("bench:due", FiringPrecision.Due.class, (job, context) -> {
                moments.started(job.id());
                started.countDown();
            });
            queue.start();
            // A second ahead: the enqueue's call comes well before it, however busy the machine.
            Instant due = Instant.now().plusSeconds(1);
            instant.set(due);
            String id = queue.enqueue("bench:due", FiringPrecision.Due.of(due));
            assertThat(started.await(30, TimeUnit.SECONDS)).as("the job ran").isTrue();

            FiringPrecision.record(new Probe(new PrintStream(output, true, StandardCharsets.UTF_8), 1), moments,
                    Map.of(id, due), List.of(0L));
        }

        Map<String, Double> figures = new HashMap<>();
        output.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("jobq-bench:result\t"))
                .map(line -> line.split("\t")).forEach(parts -> figures.put(parts[1], Double.parseDouble(parts[2])));
        assertThat(figures.get("p50")).as("due → provider, accepted after the instant").isPositive();
        assertThat(figures.get("min")).as("the least lateness, from the enqueue's call").isNegative();
    }

    private static Probe probe() {
        return new Probe(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 1);
    }
}

package dev.jobq.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Probe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    private static Probe probe() {
        return new Probe(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 1);
    }
}

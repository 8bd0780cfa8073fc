package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.JobSink;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * close() on a firing thread whose hand-off does not end at its interrupt (a provider's call that hangs, deaf to it):
 * close() waits for it, interrupts it, waits again, then goes on without it and closes the pool under it. It said so of
 * a helper thread, not of the firing thread. Takes close()'s two waits, 20 s.
 */
@DisplayName("JDBC scheduler on H2: close() with a firing thread deaf to its interrupt")
class H2FiringThreadDeafToCloseTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void closeSaysItLeftTheFiringThreadRunning() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-deaf", T0);
        var inHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobSink deaf = envelope -> {
            inHandOff.countDown();
            DeafToInterrupts.await(release, Duration.ofSeconds(60));
            return toClose.sink.submit(envelope);
        };
        JdbcJobScheduler scheduler = toClose.open(toClose.builder(), deaf);
        try {
            toClose.scheduleDue(scheduler, 1);
            scheduler.start();
            assertThat(inHandOff.await(60, TimeUnit.SECONDS)).as("the firing thread in its hand-off").isTrue();

            try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
                scheduler.close();
                assertThat(log.warnings()).as("WARN lines of close()")
                        .anyMatch(line -> line.contains("firing thread") && line.contains("did not end"));
            }
        } finally {
            release.countDown();
            scheduler.close();
        }
    }
}

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
 * close() with a thread helping through a backlog whose hand-off does not end at its interrupt: the WARN that names the
 * helper it gives up on repeated the thread's name, which comes from the application's ThreadFactory, raw, where the
 * firing thread's is escaped (09eac61d): a newline in it forged a log line. Takes close()'s waits, about 20 s.
 */
@DisplayName("JDBC scheduler on H2: close() with a helper thread deaf to its interrupt")
class H2HelperDeafToCloseTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void closeNamesTheHelperItLeftRunningEscaped() throws InterruptedException {
        var toClose = new SchedulerToClose("jobq-helper-deaf", T0);
        var inHelperHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobSink deafOnHelpers = envelope -> {
            if (!toClose.onFiringThread()) {
                inHelperHandOff.countDown();
                DeafToInterrupts.await(release, Duration.ofSeconds(60));
            } else {
                toClose.leaveAHelperABatch(inHelperHandOff);
            }
            return toClose.sink.submit(envelope);
        };
        JdbcJobScheduler scheduler = toClose.openBacklog(made -> "jobq-fire-" + made + "\nFORGED scheduler line",
                deafOnHelpers);
        try {
            toClose.scheduleDue(scheduler, SchedulerToClose.BACKLOG);
            scheduler.start();
            assertThat(inHelperHandOff.await(60, TimeUnit.SECONDS)).as("a helper in its hand-off").isTrue();

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                scheduler.close();
                assertThat(log.warnings()).as("WARN lines naming the helper left running")
                        .filteredOn(line -> line.contains("did not end")).singleElement().asString()
                        .doesNotContain("\n").contains("jobq-fire-");
            }
        } finally {
            release.countDown();
            scheduler.close();
        }
    }
}

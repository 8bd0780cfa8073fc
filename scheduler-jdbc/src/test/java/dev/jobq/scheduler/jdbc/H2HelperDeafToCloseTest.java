package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        var clock = new SettableClock(T0);
        var inHelperHandOff = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var sink = new RecordingSink(clock);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        var byFiringThread = new AtomicInteger();
        JobSink deafOnHelpers = envelope -> {
            if (Thread.currentThread() != threads.getFirst()) {
                inHelperHandOff.countDown();
                DeafToInterrupts.await(release, Duration.ofSeconds(60));
            } else if (byFiringThread.incrementAndGet() > 1) {
                // leaves a helper a batch to claim: the firing thread alone handed on all twenty, now and then
                JdbcSchedulerContract.awaitBounded(inHelperHandOff);
            }
            return sink.submit(envelope);
        };
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:jobq-helper-deaf-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                .pollInterval(Duration.ofMillis(200)).batchSize(1).fireThreads(2)
                .threadFactory(task -> {
                    Thread thread = new Thread(task, "jobq-fire-" + threads.size() + "\nFORGED scheduler line");
                    thread.setDaemon(true);
                    threads.add(thread);
                    return thread;
                })
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, deafOnHelpers));
        try {
            for (int i = 0; i < 20; i++) {
                scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(),
                        "report:send", "{}", JobOptions.defaults(), 0, T0, null, null), T0);
            }
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

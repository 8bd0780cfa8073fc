package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The firing thread meeting H2's lock timeout (its purge behind a transaction left open on a cancelled job's row):
 * H2's own message spells out the locked row, the job's payload too, and must not reach the log or {@code /health}.
 */
@DisplayName("JDBC scheduler on H2: a firing pass past H2's lock timeout")
class H2FiringBehindLockTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final String SECRET = "sk_live_4f9a1c77e2b0";

    private final SettableClock clock = new SettableClock(T0);

    @Test
    @DisplayName("the log lines and the firing problem say a row stayed locked past H2's lock timeout and to raise "
            + "LOCK_TIMEOUT, without the row and its payload; the pass works once the lock is gone")
    void aLockTimeoutOnTheFiringThreadLogsNoRow() throws Exception {
        String url = "jdbc:h2:mem:jobq-firing-lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=300";
        var logger = (Logger) LoggerFactory.getLogger("dev.jobq.scheduler.jdbc");
        Level level = logger.getLevel();
        var log = new CapturedLog();
        log.start();
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).retention(RETENTION)
                .pollInterval(Duration.ofMillis(200))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)));
             Connection operator = DriverManager.getConnection(url)) {
            JobEnvelope job = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "charge:card",
                    "{\"apiKey\":\"" + SECRET + "\"}", JobOptions.defaults(), 0, T0, null, null);
            scheduler.schedule(job, T0.plus(Duration.ofDays(1)));
            assertThat(scheduler.cancel(job.jobId())).isTrue();
            clock.advance(RETENTION.plusMinutes(1));
            // An operator's transaction left open on the cancelled row: the purge's delete waits for it.
            operator.setAutoCommit(false);
            try (PreparedStatement hold = operator.prepareStatement(
                    "UPDATE jobq_scheduled_job SET error = error WHERE id = ?")) {
                hold.setString(1, job.jobId());
                assertThat(hold.executeUpdate()).isOne();
            }
            logger.setLevel(Level.DEBUG);
            logger.addAppender(log);

            scheduler.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream().anyMatch(e -> e.getLevel() == Level.WARN));
            String problem = await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.firingProblem().orElse(""),
                    p -> !p.isEmpty());

            // Before, H2's message: 'Timeout trying to lock table ...' with the row's values, the payload's key too.
            assertThat(loggedText(log.list)).doesNotContain(SECRET);
            assertThat(problem).doesNotContain(SECRET).endsWith(": a row it needed stayed locked by another "
                    + "transaction longer than H2's lock timeout; raise H2's LOCK_TIMEOUT in the jdbcUrl (in "
                    + "milliseconds), or find the transaction that holds jobq_* rows so long");
            assertThat(log.warnings()).first().asString().startsWith("scheduler: a pass over H2 ")
                    .endsWith(": a row it needed stayed locked by another transaction longer than H2's lock timeout; "
                            + "raise H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds), or find the transaction that "
                            + "holds jobq_* rows so long");
            assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).first().satisfies(warning -> {
                assertThat(warning.getThrowableProxy()).as("the first failure's trace").isNotNull();
                assertThat(warning.getThrowableProxy().getCause()).as("H2's exception, with the row").isNull();
            });

            operator.rollback();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                clock.advance(Duration.ofMillis(200));
                return scheduler.firingProblem().isEmpty();
            });
            assertThat(loggedText(log.list)).doesNotContain(SECRET);
        } finally {
            logger.detachAppender(log);
            logger.setLevel(level);
        }
    }

    /** Every message logged, with each throwable's class, message and those of its causes and suppressed ones. */
    private static String loggedText(List<ILoggingEvent> events) {
        List<String> text = new ArrayList<>();
        for (ILoggingEvent event : events) {
            text.add(event.getFormattedMessage());
            addThrowable(event.getThrowableProxy(), text);
        }
        return String.join("\n", text);
    }

    private static void addThrowable(IThrowableProxy proxy, List<String> text) {
        if (proxy == null) {
            return;
        }
        text.add(proxy.getClassName() + ": " + proxy.getMessage());
        addThrowable(proxy.getCause(), text);
        for (IThrowableProxy suppressed : proxy.getSuppressed()) {
            addThrowable(suppressed, text);
        }
    }
}

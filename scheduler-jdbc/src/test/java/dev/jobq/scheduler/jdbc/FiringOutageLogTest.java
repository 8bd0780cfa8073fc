package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The firing thread's log through an outage of its database, on H2 with the scheduler's table taken away and
 * given back, and a {@link SettableClock} that starts each retry: one WARN with the trace, not a line per pass.
 */
@DisplayName("JDBC scheduler: an outage of the database is logged once, then now and then, then once when over")
class FiringOutageLogTest {

    private static final int FAILED_PASSES = 12;
    private static final Duration POLL = Duration.ofMillis(200);

    private final String url = "jdbc:h2:mem:jobq-outage-log;DB_CLOSE_DELAY=-1";
    private final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T12:00:00Z"));
    private final Logger logger = (Logger) LoggerFactory.getLogger(FiringLoop.class);
    private final CapturedLog log = new CapturedLog();
    private JdbcJobScheduler scheduler;

    @AfterEach
    void close() throws SQLException {
        logger.detachAppender(log);
        if (scheduler != null) {
            scheduler.close();
        }
        execute("DROP ALL OBJECTS");
    }

    @Test
    void aFailingPassIsAWarningOnceThenOneInfoLineWhenPassesWorkAgain() throws SQLException {
        scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(POLL)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)));
        log.start();
        logger.addAppender(log);
        scheduler.start();

        long began = System.nanoTime();
        execute("ALTER TABLE jobq_scheduled_job RENAME TO jobq_scheduled_job_away");
        // Each retry waits pollInterval at most, on the scheduler's clock: moved at every look, so a move that
        // came while a pass ran (its next wake-up then a pause after the moved clock) is followed by another.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            clock.advance(POLL);
            return failedInARow() >= FAILED_PASSES;
        });
        execute("ALTER TABLE jobq_scheduled_job_away RENAME TO jobq_scheduled_job");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            clock.advance(POLL);
            return scheduler.firingProblem().isEmpty();
        });
        long elapsed = System.nanoTime() - began;

        var warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        // A line every 30 s of elapsed time after the first: none while this test runs its passes quickly.
        long repeatsAllowed = elapsed / PassFailures.REPEAT.toNanos();
        assertThat(warnings).as("WARN lines for %s or more failed passes over %s ms", FAILED_PASSES, elapsed / 1_000_000)
                .hasSizeBetween(1, 1 + (int) repeatsAllowed);
        assertThat(warnings.getFirst().getThrowableProxy()).as("the first failure's trace").isNotNull();
        assertThat(warnings.getFirst().getFormattedMessage()).startsWith("scheduler: a pass over H2 at ")
                .contains(" failed, trying again in 200 ms (later failures: a line every 30s while they go on): ");
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.INFO).extracting(ILoggingEvent::getFormattedMessage)
                .singleElement().asString().matches("scheduler: passes over H2 at .+ work again, after \\d+ failed in a "
                        + "row over \\S+ \\(down since 2026-03-02T12:\\d\\d:\\S+Z\\)");
    }

    /** N of the firing problem's "failed N time(s) in a row", 0 while passes work. */
    private int failedInARow() {
        return scheduler.firingProblem().map(problem -> {
            var matcher = Pattern.compile(" failed (\\d+) time\\(s\\) in a row").matcher(problem);
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        }).orElse(0);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}

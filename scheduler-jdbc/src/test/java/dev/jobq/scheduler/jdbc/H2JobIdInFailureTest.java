package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A job id a caller passes to cancel(), status() or getJob() (any string: {@code jobq schedule cancel <id>} takes what
 * was typed) repeated in the error when the database fails: escaped, as a recurring job's name is, so that a newline
 * in it does not start a line of its own in the application's log.
 */
class H2JobIdInFailureTest {

    private static final String FORGED = "job-1\n2026-03-02 12:00:00 ERROR forged line";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T12:00:00Z"));
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    @DisplayName("cancel(), status() and getJob() escape the job id in the error a failed database gives")
    void aJobIdInAFailureIsEscaped() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-job-id-in-failure-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new FailingDataSource(h2);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            failing.down = true;
            assertThatThrownBy(() -> scheduler.cancel(FORGED)).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cancelling job job-1\\n2026-03-02 12:00:00 ERROR forged line "
                            + "failed on ")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> scheduler.status(FORGED)).isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("looking up job job-1\\n2026-03-02 12:00:00 ERROR forged line failed on ")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> scheduler.getJob(FORGED)).isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("looking up job job-1\\n2026-03-02 12:00:00 ERROR forged line failed on ")
                    .hasMessageNotContaining("\n");
        }
    }

    /** H2's DataSource, whose getConnection() fails as a database out of reach does once {@code down}. */
    private static final class FailingDataSource extends ForwardingDataSource {

        volatile boolean down;

        FailingDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("Connection refused", "08001");
            }
            return pool.getConnection();
        }
    }
}

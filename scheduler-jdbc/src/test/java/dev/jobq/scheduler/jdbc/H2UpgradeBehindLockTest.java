package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An upgrade of the tables (schema version 4 deletes the handed-on rows) behind a row another session holds, as an
 * older jobq's hand-off on a shared H2 server does: H2's lock timeout spells out the row, payload too.
 */
@DisplayName("JDBC scheduler on H2: an upgrade behind a held row lock")
class H2UpgradeBehindLockTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final String SECRET = "sk_live_77c0ffee";

    private final SettableClock clock = new SettableClock(T0);

    @Test
    @DisplayName("fails saying a row stayed locked past H2's lock timeout and to raise LOCK_TIMEOUT, without the row in "
            + "the message or in a caller's log of it, and upgrades once the lock is gone")
    void anUpgradeBehindAHeldRowFailsWithoutTheRow() throws Exception {
        String name = "jobq-upgrade-lock-" + UUID.randomUUID();
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=300";
        Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres()).target("3").load().migrate();
        try (Connection olderJobq = DriverManager.getConnection(url)) {
            try (Statement insert = olderJobq.createStatement()) {
                insert.executeUpdate("INSERT INTO jobq_scheduled_job (id, type, queue, payload, options, scheduled_for, "
                        + "due_at, status, attempts, created_at, updated_at) VALUES ('job-1', 'charge:card', 'default', "
                        + "'{\"apiKey\":\"" + SECRET + "\"}', '{}', TIMESTAMP WITH TIME ZONE '2026-03-02 11:00:00Z', "
                        + "TIMESTAMP WITH TIME ZONE '2026-03-02 11:00:00Z', 'ENQUEUED', 0, "
                        + "TIMESTAMP WITH TIME ZONE '2026-03-02 11:00:00Z', TIMESTAMP WITH TIME ZONE '2026-03-02 11:00:00Z')");
            }
            olderJobq.setAutoCommit(false);
            try (PreparedStatement hold = olderJobq.prepareStatement(
                    "UPDATE jobq_scheduled_job SET error = error WHERE id = 'job-1'")) {
                assertThat(hold.executeUpdate()).isOne();
            }

            assertThatThrownBy(() -> open(url).close())
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageNotContaining(SECRET)
                    .hasMessage("scheduler: upgrading the jobq_* tables on H2 at mem:" + name + " failed: a row it "
                            + "needed stayed locked by another transaction longer than H2's lock timeout; raise H2's "
                            + "LOCK_TIMEOUT in the jdbcUrl (in milliseconds), or find the transaction that holds jobq_* "
                            + "rows so long; the next start upgrades them again")
                    .satisfies(e -> assertThat(CallerLog.printed(e)).doesNotContain(SECRET));

            olderJobq.rollback();
        }
        try (JdbcJobScheduler scheduler = open(url);
             Connection check = DriverManager.getConnection(url);
             Statement count = check.createStatement();
             ResultSet left = count.executeQuery("SELECT COUNT(*) FROM jobq_scheduled_job")) {
            // Version 4 ran: the handed-on row moved to jobq_scheduled_job_done.
            assertThat(scheduler.status("job-1")).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(left.next()).isTrue();
            assertThat(left.getInt(1)).isZero();
        }
    }

    private JdbcJobScheduler open(String url) {
        return JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)));
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The server ends the session a statement is about to use (it is shutting down, restarting, or an
 * operator ran {@code pg_terminate_backend}): PostgreSQL says so with SQLState 57P01, not a
 * connection error of class 08, and the error must still tell the user what to look at.
 */
@DisplayName("JDBC scheduler on PostgreSQL: a session the server ended")
class PostgresTerminatedSessionTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final String APPLICATION = "jobq-terminated";

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);
    private final String url = PostgresServer.get().newDatabase(APPLICATION);
    private Connection session;
    private JdbcJobScheduler scheduler;

    @AfterEach
    void close() throws SQLException {
        if (scheduler != null) {
            scheduler.close();
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void aStatementOnASessionTheServerEndedNamesTheShutdownAndTheFix() throws Exception {
        startASchedulerOnASessionTheServerThenEnds();
        JobEnvelope job = job();
        // Before, the message ended with the server's "terminating connection due to administrator command".
        // cancel() is one statement; schedule() runs in a transaction (its second look for a handed-on job), whose
        // BEGIN is written first, so its statement meets the closed socket ("Broken pipe") before the server's 57P01
        // can be read: aScheduleOnASessionTheServerEndedNamesTheFix.
        assertThatThrownBy(() -> scheduler.cancel(job.jobId()))
                .isInstanceOf(JobQueueException.class)
                // An anonymous DataSource class is named by its full name (it was "the given ", nothing more).
                .hasMessageContaining(" failed on the given " + PostgresTerminatedSessionTest.class.getName() + "$")
                .hasMessageEndingWith("; the database server was shut down or restarted (SQLState 57P01); check "
                        + "that the database is reachable");
    }

    @Test
    void aScheduleOnASessionTheServerEndedNamesTheFix() throws Exception {
        startASchedulerOnASessionTheServerThenEnds();
        JobEnvelope job = job();
        assertThatThrownBy(() -> scheduler.schedule(job, T0.plusSeconds(60)))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: scheduling job " + job.jobId() + " failed on the given "
                        + PostgresTerminatedSessionTest.class.getName() + "$")
                .hasMessageEndingWith("; check that the database is reachable");
    }

    /**
     * Starts {@link #scheduler} on one session, as an application pool that hands out its one connection without
     * checking it first, schedules a job on it, and has the server end that session.
     */
    private void startASchedulerOnASessionTheServerThenEnds() throws SQLException {
        var plain = new PGSimpleDataSource();
        plain.setUrl(url);
        session = plain.getConnection();
        scheduler = JdbcSchedulerFactory.builder().dataSource(onlyThis(session)).pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        scheduler.schedule(job(), T0.plusSeconds(60));

        assertThat(PostgresServer.get().terminate(APPLICATION)).isEqualTo(1);
    }

    /** A DataSource whose every connection is {@code connection}, left open when the scheduler closes it. */
    private static DataSource onlyThis(Connection connection) {
        Connection kept = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var dataSource = new PGSimpleDataSource() {
            @Override
            public Connection getConnection() {
                return kept;
            }
        };
        return dataSource;
    }

    private JobEnvelope job() {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send", "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

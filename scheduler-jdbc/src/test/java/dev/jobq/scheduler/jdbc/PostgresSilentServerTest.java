package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.JobQueueException;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The server stops answering in the middle of a batch without closing the connection, as a
 * database machine that vanishes or a network that drops every packet does: here its backends
 * are frozen with SIGSTOP. No error ever comes back on such a connection, so the scheduler's own
 * connections give up on an answer after {@code claimTimeout + lockTimeout} (the driver's
 * {@code socketTimeout}), and the firing thread is free to try again on a new one.
 */
@DisplayName("JDBC scheduler on PostgreSQL: the server falls silent mid-batch")
class PostgresSilentServerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final PostgresServer server = PostgresServer.get();
    private final String url = server.newDatabase("jobq-silenced");
    private final List<Long> frozen = new ArrayList<>();
    private boolean thawed;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void thaw() throws Exception {
        if (!thawed) {
            signal("CONT", frozen);
        }
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @Test
    void aStatementTheServerNeverAnswersFailsAfterTheClaimAndLockTimeoutsAndTheNextPassWorks() throws Exception {
        JobSink freezesTheServer = envelope -> {
            if (frozen.isEmpty()) {
                frozen.addAll(backends("jobq-silenced"));
                signal("STOP", frozen);
            }
            return EnqueueResult.accepted(envelope.jobId());
        };
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).claimTimeout(Duration.ofSeconds(1))
                .lockTimeout(Duration.ofMillis(500)).buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock,
                        freezesTheServer));
        opened.add(scheduler);
        JdbcSchedulerContract.storeDueJobs(scheduler, 10, T0);

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::fireDue)
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: handing on due jobs failed on PostgreSQL at ")
                .hasMessageContaining("Read timed out")
                .hasMessageEndingWith("; check that the database is reachable"));

        signal("CONT", frozen);
        thawed = true;
        assertThat(scheduler.fireDue()).as("handed on again, the batch having rolled back").isEqualTo(10);
    }

    private List<Long> backends(String applicationName) {
        try (Connection admin = DriverManager.getConnection(server.url("postgres", "jobq-admin"));
             var statement = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            List<Long> pids = new ArrayList<>();
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getLong(1));
                }
            }
            return pids;
        } catch (SQLException e) {
            throw new IllegalStateException("listing the backends of " + applicationName + " failed", e);
        }
    }

    /** Sends {@code signal} to the backends this test froze (children of this JVM's embedded server). */
    private static void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(String.valueOf(pid)));
        try {
            Process kill = new ProcessBuilder(command).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s finished", signal).isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + signal, e);
        }
    }
}

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
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** Guards {@link #frozen} and {@link #thawedForGood}: the sink freezes on the firing thread, the test thaws. */
    private final Object freezing = new Object();
    private final List<Long> frozen = new ArrayList<>();
    private boolean thawedForGood;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * Whatever happened, no backend of the shared server stays stopped: the ones this test froze and
     * any other of its database's (a pass timed out mid-freeze), and no freeze can follow.
     */
    @AfterEach
    void thawForGood() throws Exception {
        try {
            synchronized (freezing) {
                thawedForGood = true;
                signal("CONT", frozen);
                signal("CONT", backends("jobq-silenced"));
            }
        } finally {
            for (AutoCloseable closeable : opened) {
                closeable.close();
            }
        }
    }

    private void freezeOnce() {
        synchronized (freezing) {
            if (frozen.isEmpty() && !thawedForGood) {
                frozen.addAll(backends("jobq-silenced"));
                signal("STOP", frozen);
            }
        }
    }

    private void thaw() {
        synchronized (freezing) {
            signal("CONT", frozen);
        }
    }

    @Test
    void aStatementTheServerNeverAnswersFailsAfterTheClaimAndLockTimeoutsAndTheNextPassWorks() throws Exception {
        List<String> handedOn = new CopyOnWriteArrayList<>();
        JobSink freezesTheServer = envelope -> {
            handedOn.add(envelope.jobId());
            freezeOnce();
            return EnqueueResult.accepted(envelope.jobId());
        };
        // claimTimeout also ends a session idle in its transaction: 5 s leaves the sink time to list the
        // backends and start kill on a loaded machine before the server would end the batch itself.
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).claimTimeout(Duration.ofSeconds(5))
                .lockTimeout(Duration.ofMillis(500)).buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock,
                        freezesTheServer));
        opened.add(scheduler);
        JdbcSchedulerContract.storeDueJobs(scheduler, 10, T0);

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::fireDue)
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: handing on due jobs failed on PostgreSQL at ")
                    .hasMessageContaining("Read timed out")
                    .hasMessageEndingWith("; check that the database is reachable"));
            // The driver gave up waiting for an answer (socketTimeout, claimTimeout + lockTimeout): a statement was
            // under way, so the session was not idle, and no batch was slower than claimTimeout.
            assertThat(log.warnings()).as("warnings of a batch slower than claimTimeout")
                    .noneMatch(line -> line.contains("claimTimeout"));
        }

        thaw();
        // The batch rolled back after handing its 10 jobs on: the next pass finds them due again and marks
        // them without handing them on a second time (it was 10 more before HandedOnUnmarked).
        assertThat(scheduler.fireDue()).as("handed on again").isZero();
        assertThat(scheduler.listScheduled(20)).as("rows left scheduled").isEmpty();
        assertThat(handedOn).hasSize(10).doesNotHaveDuplicates();
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
        Process kill;
        try {
            kill = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Waited for even when interrupted (a timed-out pass): a STOP landing after the thaw would
        // leave the shared server's backends stopped.
        boolean interrupted = false;
        boolean finished = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!finished && System.nanoTime() < deadline) {
            try {
                finished = kill.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        assertThat(finished).as("kill -%s finished", signal).isTrue();
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A batch that takes longer to hand on than {@code claimTimeout}: PostgreSQL ends the session idle in the claim's
 * transaction ({@code idle_in_transaction_session_timeout}), and the batch rolls back. docs/scheduler.md says the
 * timeout must be longer than a batch takes; the process said nothing of the setting, only the server's words.
 */
@DisplayName("JDBC scheduler on PostgreSQL: a batch slower than claimTimeout")
class PostgresClaimTimeoutTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final String APPLICATION = "jobq-slow-batch";

    private final SettableClock clock = new SettableClock(T0);
    private final PostgresServer server = PostgresServer.get();
    private final String url = server.newDatabase(APPLICATION);
    private final String watcherUrl = server.url(PostgresServer.databaseOf(url), "jobq-watcher");
    private final List<JdbcJobScheduler> opened = new CopyOnWriteArrayList<>();
    private final RecordingSink recorded = new RecordingSink(clock);

    /** A server of the test's own, to be stopped; null once stopped. */
    private EmbeddedPostgres own;

    @AfterEach
    void close() throws IOException {
        opened.forEach(JdbcJobScheduler::close);
        if (own != null) {
            own.close();
        }
    }

    @Test
    void aBatchSlowerThanTheClaimTimeoutIsWarnedOfOnceNamingTheSetting() {
        var scheduler = slowScheduler();
        JdbcSchedulerContract.storeDueJobs(scheduler, 2, T0);

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThatThrownBy(scheduler::fireDue).as("the first batch").isInstanceOf(JobQueueException.class);
            // The first job is marked without a second hand-off; the second one's batch is as slow.
            assertThatThrownBy(scheduler::fireDue).as("the second batch").isInstanceOf(JobQueueException.class);
            assertThat(log.warnings()).as("warnings").singleElement().asString()
                    .contains("longer than claimTimeout (1s)", "batchSize (1)", "raise claimTimeout");
        }
        assertThat(recorded.count()).as("jobs handed on").isEqualTo(2);
        assertThat(recorded.duplicates()).isEmpty();
    }

    /**
     * A recurring batch is a transaction idle while it hands its occurrences on, as a one-time batch is, and PostgreSQL
     * ends it after claimTimeout the same way; only the one-time batch was warned of, naming the setting: a slow
     * provider with recurring jobs alone left the operator with the driver's "connection lost" at every pass.
     */
    @Test
    void aRecurringBatchSlowerThanTheClaimTimeoutIsWarnedOfOnceNamingTheSetting() {
        var scheduler = slowScheduler();
        scheduler.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 hour").build(),
                "{}");
        clock.set(T0.plus(Duration.ofHours(1)));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThatThrownBy(scheduler::fireDue).as("the recurring batch").isInstanceOf(JobQueueException.class);
            assertThat(log.warnings()).as("warnings").singleElement().asString()
                    .contains("a batch of due recurring jobs", "longer than claimTimeout (1s)", "batchSize (1)",
                            "raise claimTimeout");
        }
        assertThat(recorded.count()).as("occurrences handed on").isOne();
    }

    /**
     * The database down: a pass waits connectionTimeout for a connection, and fails with the driver's "connection
     * refused" (SQLState 08001) without a transaction ever begun. Counted from before that wait, a connectionTimeout
     * longer than claimTimeout made it a batch "after 2s in its transaction, longer than claimTimeout": a WARN telling
     * the operator of an outage to raise claimTimeout or lower batchSize, and the one such WARN of the process spent.
     */
    @Test
    void aPassThatWaitedForAConnectionWhileTheDatabaseWasDownIsNoBatchSlowerThanTheClaimTimeout() throws IOException {
        own = EmbeddedPostgres.builder().start();
        String ownUrl = "jdbc:postgresql://localhost:" + own.getPort() + "/postgres?user=postgres";
        var scheduler = JdbcSchedulerFactory.builder().jdbcUrl(ownUrl).pollInterval(Duration.ofMinutes(10))
                .claimTimeout(Duration.ofSeconds(1)).connectionTimeout(Duration.ofSeconds(2)).fireThreads(1)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, recorded));
        opened.add(scheduler);
        JdbcSchedulerContract.storeDueJobs(scheduler, 2, T0);
        own.close();
        own = null;

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            // The first pass may get a connection from before the stop, which fails at once; the second waits.
            assertThatThrownBy(scheduler::fireDue).as("a pass while the database is down")
                    .isInstanceOf(JobQueueException.class);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(scheduler::fireDue)
                    .as("a pass that waits connectionTimeout").isInstanceOf(JobQueueException.class)
                    .hasMessageEndingWith("; check that the database is reachable"));
            assertThat(log.warnings()).as("warnings").noneMatch(line -> line.contains("claimTimeout"));
        }
        assertThat(recorded.count()).as("jobs handed on").isZero();
    }

    /** The sessions of the scheduler under test idle inside a transaction. */
    private int idleInTransaction() throws SQLException {
        try (Connection connection = DriverManager.getConnection(watcherUrl);
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                     + "WHERE application_name = ? AND state = 'idle in transaction'")) {
            count.setString(1, APPLICATION);
            try (var rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /**
     * A scheduler of batches of one, claimTimeout 1 s, whose sink hands each job on only once the server has ended the
     * session that claimed it: a provider slower than claimTimeout.
     */
    private JdbcJobScheduler slowScheduler() {
        JobSink slow = new JobSink() {
            @Override
            public EnqueueResult submit(JobEnvelope envelope) {
                await().atMost(Duration.ofSeconds(30)).until(() -> idleInTransaction() == 0);
                return recorded.submit(envelope);
            }
        };
        var scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMinutes(10))
                .claimTimeout(Duration.ofSeconds(1)).batchSize(1).fireThreads(1)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, slow));
        opened.add(scheduler);
        return scheduler;
    }
}

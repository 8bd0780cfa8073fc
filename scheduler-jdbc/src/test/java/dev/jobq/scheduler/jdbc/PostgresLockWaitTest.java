package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.JobOptions;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An operator's session holds a lock on a jobq table and does not let go (a transaction left open
 * in psql, a {@code LOCK TABLE}, an {@code ALTER TABLE} waiting behind a long query): the
 * scheduler's statements that meet the lock wait at most {@code lockTimeout}, then fail with an
 * error that says a lock held them, so that the firing thread goes on (and tries again) rather
 * than hanging for good with every due job behind it.
 */
@DisplayName("JDBC scheduler on PostgreSQL: a lock held by another session")
class PostgresLockWaitTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    /** Longer than the default lockTimeout, far shorter than forever. */
    private static final Duration BOUND = Duration.ofSeconds(25);
    /** The advisory lock Flyway takes on PostgreSQL for the history table in {@code public}: its number and that name. */
    private static final long FLYWAY_LOCK = 77431708279161L
            + ("\"public\".\"" + Database.HISTORY_TABLE + "\"").hashCode();

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);
    private final String url = PostgresServer.get().newDatabase("jobq-lock");
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        // The operator's connection first: it frees whatever is still waiting behind its lock.
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    @DisplayName("the purge, meeting a cancelled row an operator has locked, fails within lockTimeout saying so")
    void purgeBlockedByAnOperatorsRowLockFailsWithinTheLockTimeout() throws Exception {
        var scheduler = open(JdbcSchedulerFactory.builder().jdbcUrl(url).retention(Duration.ofHours(1)));
        JobEnvelope job = job();
        scheduler.schedule(job, T0.plus(Duration.ofDays(1)));
        scheduler.cancel(job.jobId());
        clock.set(T0.plus(Duration.ofHours(2)));
        operator("BEGIN", "SELECT * FROM jobq_scheduled_job FOR UPDATE");

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::purgeNow)
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: purging old jobs failed on PostgreSQL at ")
                .hasMessageContaining("lock timeout")
                .hasMessageContaining("another session holds a lock on a jobq_* table"));
    }

    @Test
    @DisplayName("handing on due jobs while an operator holds a table lock fails within lockTimeout, then works once it is gone")
    void firingBlockedByAnOperatorsTableLockFailsWithinTheLockTimeout() throws Exception {
        var scheduler = open(JdbcSchedulerFactory.builder().jdbcUrl(url).lockTimeout(Duration.ofMillis(500)));
        scheduler.schedule(job(), T0);
        Connection operator = operator("BEGIN", "LOCK TABLE jobq_scheduled_job IN EXCLUSIVE MODE");

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::fireDue)
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: handing on due jobs failed on PostgreSQL at ")
                .hasMessageContaining("lock timeout")
                .hasMessageEndingWith("; another session holds a lock on a jobq_* table and kept it longer than "
                        + "lockTimeout (500ms): look for it in pg_stat_activity (a transaction left open, 'idle in "
                        + "transaction', or a table change waiting behind one)"));

        operator.rollback();
        assertThat(scheduler.fireDue()).isEqualTo(1);
    }

    @Test
    @DisplayName("schedule() while an operator holds a table lock fails within lockTimeout with a clear error")
    void scheduleBlockedByAnOperatorsTableLockFailsWithinTheLockTimeout() throws Exception {
        var scheduler = open(JdbcSchedulerFactory.builder().jdbcUrl(url).lockTimeout(Duration.ofMillis(500)));
        operator("BEGIN", "LOCK TABLE jobq_scheduled_job IN EXCLUSIVE MODE");
        JobEnvelope job = job();

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> scheduler.schedule(job, T0))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: scheduling job " + job.jobId() + " failed on PostgreSQL at ")
                .hasMessageContaining("another session holds a lock on a jobq_* table"));
    }

    @Test
    @DisplayName("on the application's DataSource, handing on and purging are bounded by lockTimeout too, "
            + "and the application's sessions keep the server's lock_timeout")
    void onTheApplicationsDataSourceFiringAndPurgeAreBoundedToo() throws Exception {
        var dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        var scheduler = open(JdbcSchedulerFactory.builder().dataSource(dataSource).lockTimeout(Duration.ofMillis(500))
                .retention(Duration.ofHours(1)));
        JobEnvelope cancelled = job();
        scheduler.schedule(cancelled, T0.plus(Duration.ofDays(1)));
        scheduler.cancel(cancelled.jobId());
        scheduler.schedule(job(), T0.plus(Duration.ofMinutes(30)));
        clock.set(T0.plus(Duration.ofHours(2)));
        Connection operator = operator("BEGIN", "SELECT * FROM jobq_scheduled_job WHERE status = 'CANCELLED' FOR UPDATE");

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::purgeNow)
                .isInstanceOf(JobQueueException.class).hasMessageContaining("lock timeout"));
        try (Statement lock = operator.createStatement()) {
            lock.execute("LOCK TABLE jobq_scheduled_job IN EXCLUSIVE MODE");
        }
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(scheduler::fireDue)
                .isInstanceOf(JobQueueException.class).hasMessageContaining("lock timeout"));

        operator.rollback();
        assertThat(scheduler.fireDue()).isEqualTo(1);
        assertThat(scheduler.purgeNow()).isEqualTo(1);
        try (Connection application = dataSource.getConnection(); Statement statement = application.createStatement();
             var rows = statement.executeQuery("SHOW lock_timeout")) {
            rows.next();
            assertThat(rows.getString(1)).as("the application's own sessions").isEqualTo("0");
        }
    }

    @Test
    @DisplayName("upgrading the tables while an operator's transaction has read them fails within lockTimeout "
            + "saying which lock, rather than hanging the start and every scheduler behind it")
    void anUpgradeBlockedByAnOperatorsTransactionFailsWithinTheLockTimeout() throws Exception {
        Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres()).target("2").load().migrate();
        // Reading a table is enough: version 3 replaces an index, which needs the table to itself.
        Connection operator = operator("BEGIN", "SELECT count(*) FROM jobq_scheduled_job");

        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> open(JdbcSchedulerFactory.builder()
                        .jdbcUrl(url).lockTimeout(Duration.ofMillis(500))))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: upgrading the jobq_* tables on PostgreSQL at ")
                .hasMessageContaining("lock timeout")
                .hasMessageEndingWith("; another session holds a lock on a jobq_* table and kept it longer than "
                        + "lockTimeout (500ms), and an upgrade needs the tables to itself for a moment: end that "
                        + "session (see pg_stat_activity: a transaction left open, 'idle in transaction'), or wait "
                        + "for it, and start again"));

        operator.rollback();
        var scheduler = open(JdbcSchedulerFactory.builder().jdbcUrl(url));
        scheduler.schedule(job(), T0);
        assertThat(scheduler.fireDue()).isEqualTo(1);
    }

    /**
     * Flyway's lock on the history table (a PostgreSQL advisory lock) held by another session all through a start: a
     * process upgrading the tables, or one stuck while it held it. Flyway waits for it 50 times 1 s; each of the six
     * tries of {@code Database.migrate} waited again, so the start hung about five minutes without a line, then said
     * the scheduler's user needs CREATE rights.
     */
    @Test
    @DisplayName("a start whose upgrade waits for Flyway's lock, which another session keeps, fails after Flyway's "
            + "wait of about 50 s saying which lock and where to see who holds it")
    void aStartBehindAnotherSessionsUpgradeLockFailsAfterFlywaysWaitSayingWhichLock() throws Exception {
        operator("SELECT pg_advisory_lock(" + FLYWAY_LOCK + ")").commit(); // a session's lock: kept after the commit

        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> assertThatThrownBy(() -> open(
                        JdbcSchedulerFactory.builder().jdbcUrl(url)))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: creating or upgrading the jobq_* tables on PostgreSQL at ")
                .hasMessageContaining("waited 50s for Flyway's lock (a PostgreSQL advisory lock), which another "
                        + "session held all that time")
                .hasMessageContaining("locktype = 'advisory'")
                .hasMessageNotContaining("CREATE rights"));
    }

    @Test
    @DisplayName("a start interrupted while it waits for Flyway's lock ends at once, saying it was interrupted")
    void aStartInterruptedWhileItWaitsForFlywaysLockEndsSayingSo() throws Exception {
        Connection operator = operator("SELECT pg_advisory_lock(" + FLYWAY_LOCK + ")");
        operator.commit();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
        Thread start = Thread.ofPlatform().start(() -> {
            try {
                open(JdbcSchedulerFactory.builder().jdbcUrl(url));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        // Flyway tries the lock once a second: the start is waiting once another session has asked for it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Statement statement = operator.createStatement();
                    var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid <> "
                            + "pg_backend_pid() AND query LIKE 'SELECT pg_try_advisory%" + FLYWAY_LOCK + "%'")) {
                rows.next();
                operator.commit();
                return rows.getInt(1) > 0;
            }
        });
        start.interrupt();

        assertThat(start.join(Duration.ofSeconds(20))).as("the start ended within 20 s of its interrupt").isTrue();
        assertThat(failure.get()).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: interrupted while creating or upgrading the jobq_* tables on "
                        + "PostgreSQL at ")
                .hasMessageEndingWith(", waiting for Flyway's lock");
        // HikariCP's close() on the interrupted thread stopped at its first wait and left each pool's housekeeper.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces()
                .keySet().stream().filter(thread -> thread.isAlive() && !before.contains(thread)).map(Thread::getName)
                .filter(name -> name.startsWith("jobq"))).as("threads the interrupted start left").isEmpty());
    }

    @Test
    @DisplayName("cancel() of a job whose hand-off holds its row longer than lockTimeout (a provider slow to take it) "
            + "fails saying so and what to do, not pointing at another session; after the hand-off it says false")
    void cancelBehindASlowHandOffFailsSayingSo() throws Exception {
        var slow = new HeldHandOff(sink, BOUND);
        JdbcJobScheduler scheduler = slow.scheduler(JdbcSchedulerFactory.builder().jdbcUrl(url)
                .lockTimeout(Duration.ofMillis(500)), clock);
        opened.add(scheduler);
        JobEnvelope job = job();
        scheduler.schedule(job, T0);
        // Before: "another session holds a lock on a jobq_* table ... look for it in pg_stat_activity".
        slow.whileHandingOn(scheduler, () -> assertThatThrownBy(() -> scheduler.cancel(job.jobId()))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: cancelling job " + job.jobId() + " failed on PostgreSQL at ")
                .hasMessageContaining("lock timeout")
                .hasMessageEndingWith("; its row stayed locked longer than lockTimeout (500ms): most likely it is "
                        + "being handed on to its queue now (the hand-off holds the row until the queue has taken "
                        + "the job, as long as its provider takes to answer), else another session holds it (see "
                        + "pg_stat_activity); call cancel again once the hand-off ends (false then means the job "
                        + "was handed on: status ENQUEUED), or raise scheduler.lockTimeout so that cancel waits "
                        + "for it"));
        assertThat(scheduler.cancel(job.jobId())).isFalse();
        assertThat(scheduler.status(job.jobId())).contains(ScheduledJobInfo.Status.ENQUEUED);
    }

    @Test
    @DisplayName("registering a recurring job whose occurrence is being handed on longer than lockTimeout fails "
            + "saying so and what to do, then works once the hand-off ends")
    void registeringBehindASlowRecurringHandOffFailsSayingSo() throws Exception {
        var slow = new HeldHandOff(sink, BOUND);
        JdbcJobScheduler scheduler = slow.scheduler(JdbcSchedulerFactory.builder().jdbcUrl(url)
                .lockTimeout(Duration.ofMillis(500)), clock);
        opened.add(scheduler);
        RecurringJob digest = RecurringJob.builder("digest", "report:digest").schedule("every 1 minute").build();
        scheduler.registerRecurring(digest, "{}");
        clock.advance(Duration.ofMinutes(1));
        // Before: "another session holds a lock on a jobq_* table ... look for it in pg_stat_activity".
        slow.whileHandingOn(scheduler, () -> assertThatThrownBy(() -> scheduler.registerRecurring(digest, "{}"))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: registering recurring job 'digest' failed on PostgreSQL at ")
                .hasMessageContaining("lock timeout")
                .hasMessageEndingWith("; its row stayed locked longer than lockTimeout (500ms): most likely an "
                        + "occurrence of it is being handed on to its queue now (the hand-off holds the row until "
                        + "the queue has taken the job, as long as its provider takes to answer), else another "
                        + "session holds it (see pg_stat_activity); register it again once the hand-off ends, or "
                        + "raise scheduler.lockTimeout so that register waits for it"));
        assertThat(scheduler.registerRecurring(digest, "{}").name()).isEqualTo("digest");
    }

    private JdbcJobScheduler open(JdbcSchedulerFactory.Builder builder) {
        JdbcJobScheduler scheduler = builder.pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        return scheduler;
    }

    /** An operator's psql session that runs {@code statements} and keeps its transaction open. */
    private Connection operator(String... statements) throws SQLException {
        Connection connection = DriverManager.getConnection(PostgresServer.get().url(PostgresServer.databaseOf(url),
                "jobq-operator"));
        opened.add(connection);
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                if (!sql.equals("BEGIN")) {
                    statement.execute(sql);
                }
            }
        }
        return connection;
    }

    private JobEnvelope job() {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send", "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

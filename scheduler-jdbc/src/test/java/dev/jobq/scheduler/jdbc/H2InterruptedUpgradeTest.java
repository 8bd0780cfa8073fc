package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.RecurringJob;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade of an H2 file cut off by the death of its process. H2 commits each table change on its
 * own, so a process killed in the middle of a schema version leaves part of it behind, and no row
 * for it in the history: the next start runs the version again over what the first one left.
 */
@DisplayName("JDBC scheduler on an H2 file whose upgrade was cut off by a kill")
class H2InterruptedUpgradeTest {

    private static final Instant T0 = JdbcSchedulerContract.T0;
    private static final Duration AN_HOUR = Duration.ofHours(1);
    private static final int HANDED_ON = 5_000;
    private static final String INSERT_SCHEDULED = "INSERT INTO jobq_scheduled_job (id, type, queue, payload, options, "
            + "scheduled_for, due_at, status, attempts, created_at, updated_at) "
            + "VALUES (?, ?, 'default', '{}', '{}', ?, ?, ?, 0, ?, ?)";
    /** The table version 4 creates first, as a kill in the middle of version 4 leaves it. */
    private static final String CREATE_DONE_TABLE = "CREATE TABLE jobq_scheduled_job_done (id VARCHAR(64) NOT NULL, "
            + "handed_on_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT jobq_scheduled_job_done_pk PRIMARY KEY (id))";

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    @DisplayName("a process killed in the middle of schema version 4 leaves a file the next start upgrades, "
            + "with every job kept and each due one handed on once")
    void aKillInTheMiddleOfVersion4IsRecoveredByTheNextStart(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("3").load().migrate();
        List<String> handedOn = new ArrayList<>();
        List<String> due = new ArrayList<>();
        List<String> later = new ArrayList<>();
        String cancelled;
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT_SCHEDULED)) {
                for (int i = 0; i < HANDED_ON; i++) {
                    handedOn.add(row(insert, "report:sent", T0.minus(AN_HOUR), "ENQUEUED"));
                }
                for (int i = 0; i < 3; i++) {
                    due.add(row(insert, "report:due", T0.minusSeconds(i), "SCHEDULED"));
                    later.add(row(insert, "report:later", T0.plus(AN_HOUR).plusSeconds(i), "SCHEDULED"));
                }
                cancelled = row(insert, "report:cancelled", T0, "CANCELLED");
                insert.executeBatch();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_recurring_job (name, "
                    + "type, queue, payload, options, schedule, timezone, enabled, misfire_policy, next_run_at, "
                    + "due_at, attempts, created_at, updated_at) VALUES (?, ?, 'default', '{}', '{}', 'every 1 hour', "
                    + "'UTC', TRUE, 'FIRE_ONCE', ?, ?, 0, ?, ?)")) {
                recurring(insert, "digest", T0);
                recurring(insert, "weekly", T0.plus(Duration.ofDays(3)));
                insert.executeBatch();
            }
            try (Statement statement = connection.createStatement()) {
                // Halfway through version 4's DELETE of the rows it has just copied.
                statement.execute("CREATE TRIGGER halt_at_" + HANDED_ON / 2 + " BEFORE DELETE ON jobq_scheduled_job "
                        + "FOR EACH ROW CALL '" + HaltMidDelete.class.getName() + "'");
            }
            connection.commit();
        }

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenSchedulerThenExit.class.getName(), url)
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ended; its output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("halted in version 4; output:%n%s", output).isEqualTo(137);
        assertThat(output).contains("halting at deleted row " + HANDED_ON / 2);
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TRIGGER halt_at_" + HANDED_ON / 2);
            assertThat(count(statement, "SELECT count(*) FROM \"" + Database.HISTORY_TABLE
                    + "\" WHERE \"version\" = '4'")).as("version 4 recorded").isZero();
        }

        try (var scheduler = open(url)) {
            try (Connection connection = DriverManager.getConnection(url);
                 Statement statement = connection.createStatement()) {
                assertThat(count(statement, "SELECT count(*) FROM jobq_scheduled_job WHERE status = 'ENQUEUED'"))
                        .isZero();
                assertThat(count(statement, "SELECT count(*) FROM jobq_scheduled_job_done")).isEqualTo(HANDED_ON);
            }
            assertThat(scheduler.status(handedOn.getFirst())).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.status(handedOn.getLast())).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.status(cancelled)).contains(ScheduledJobInfo.Status.CANCELLED);
            assertThat(scheduler.fireDue()).as("the due jobs and the due occurrence").isEqualTo(4);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsAll(due);
            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactlyElementsOf(later);
            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::scheduledFor)
                    .containsExactly(T0.plus(AN_HOUR), T0.plus(AN_HOUR).plusSeconds(1),
                            T0.plus(AN_HOUR).plusSeconds(2));
            assertThat(scheduler.getRecurring("digest").orElseThrow().nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            assertThat(scheduler.getRecurring("weekly").orElseThrow().nextRunAt())
                    .isEqualTo(T0.plus(Duration.ofDays(3)));
            assertThat(sink.duplicates()).isEmpty();
        }
    }

    @Test
    @DisplayName("a file whose version 4 an earlier start recorded as failed over a kill's leftovers is repaired "
            + "and upgraded, its records kept")
    void aVersion4RecordedAsFailedOverAKillsLeftoversIsRunAgain(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("3").load().migrate();
        String handedOn;
        String due;
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT_SCHEDULED)) {
                handedOn = row(insert, "report:sent", T0.minus(AN_HOUR), "ENQUEUED");
                due = row(insert, "report:due", T0, "SCHEDULED");
                insert.executeBatch();
            }
            try (Statement statement = connection.createStatement()) {
                // What a kill in version 4 leaves: its table and index, committed each on its own.
                statement.execute(CREATE_DONE_TABLE);
                statement.execute("CREATE INDEX jobq_scheduled_job_done_at ON jobq_scheduled_job_done (handed_on_at)");
            }
            connection.commit();
        }
        // The start of the release before this fix: version 4 run again over them, and recorded as failed.
        assertThatThrownBy(() -> flyway(url).load().migrate()).hasMessageContaining("already exists");

        try (var log = CapturedLog.of(Database.class); var scheduler = open(url)) {
            assertThat(log.warnings()).containsExactly("scheduler: schema version 4 (handed on jobs leave the "
                    + "scheduled table) on H2 at file:" + dir.resolve("jobq") + " is recorded as failed; a process was "
                    + "stopped while it upgraded the tables: running it again");
            assertThat(scheduler.status(handedOn)).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(due);
        }
    }

    /** A description from the history row, whatever was written there, was in the WARN as it was. */
    @Test
    @DisplayName("a version recorded as failed and run again is named in the WARN by its description escaped")
    void aRerunVersionsDescriptionFromTheHistoryRowIsEscapedInTheWarn(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("4").load().migrate();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("UPDATE \"" + Database.HISTORY_TABLE + "\" SET \"success\" = FALSE, \"description\" = "
                    + "'handed on' || CHAR(10) || CHAR(27) || '[31mforged' WHERE \"version\" = '4'");
        }

        try (var log = CapturedLog.of(Database.class); var scheduler = open(url)) {
            assertThat(log.warnings()).containsExactly("scheduler: schema version 4 (handed on\\n\\u001b[31mforged) on "
                    + "H2 at file:" + dir.resolve("jobq") + " is recorded as failed; a process was stopped while it "
                    + "upgraded the tables: running it again");
            assertThat(scheduler.fireDue()).isZero();
        }
    }

    /**
     * Version 5 is one statement, committed on its own on H2: a kill after it and before the history row leaves the
     * column and no version 5. Run again, a plain ADD COLUMN failed on the column, and Flyway recorded version 5 as
     * failed, which no start gets past; IF NOT EXISTS lets it run again.
     */
    @Test
    @DisplayName("a process killed after version 5 added its column, before its history row, leaves a file the next "
            + "start upgrades")
    void aKillAfterVersion5sColumnLeavesAFileTheNextStartUpgrades(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("4").load().migrate();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            // What a kill in version 5 leaves: its column, committed on its own.
            statement.execute("ALTER TABLE jobq_recurring_job ADD COLUMN fire_all_until TIMESTAMP WITH TIME ZONE");
        }

        try (var log = CapturedLog.of(Database.class); var scheduler = open(url)) {
            assertThat(log.warnings()).as("warnings at start").isEmpty();
            scheduler.registerRecurring(RecurringJob.builder("sync", "report:sync").schedule("every 1 hour")
                    .build(), "{}");
            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).isOne();
        }
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            assertThat(count(statement, "SELECT COUNT(*) FROM \"" + Database.HISTORY_TABLE + "\" WHERE \"version\" "
                    + "= '5' AND \"success\"")).as("version 5 recorded, succeeded").isOne();
        }
    }

    @Test
    @DisplayName("a process killed in version 4 after it had committed records (before the history row) keeps "
            + "them when the version runs again")
    void recordsAnInterruptedVersion4HadCommittedAreKept(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("3").load().migrate();
        String recorded = UUID.randomUUID().toString();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute(CREATE_DONE_TABLE);
            statement.execute("INSERT INTO jobq_scheduled_job_done VALUES ('" + recorded + "', TIMESTAMP WITH TIME "
                    + "ZONE '2026-03-02 11:00:00+00')");
        }

        try (var scheduler = open(url)) {
            assertThat(scheduler.status(recorded)).contains(ScheduledJobInfo.Status.ENQUEUED);
        }
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            assertThat(count(statement, "SELECT count(*) FROM INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) LIKE "
                    + "'jobq_scheduled_job_done%'")).as("the table set aside, gone").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a process killed in version 2 after it dropped the due index leaves a file the next start upgrades")
    void aKillInTheMiddleOfVersion2IsRecoveredByTheNextStart(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        flyway(url).target("1").load().migrate();
        String due;
        try (Connection connection = DriverManager.getConnection(url)) {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_SCHEDULED)) {
                due = row(insert, "report:due", T0, "SCHEDULED");
                insert.executeBatch();
            }
            try (Statement statement = connection.createStatement()) {
                // What a kill after version 2's first statement leaves (each DDL statement commits on H2).
                statement.execute("DROP INDEX jobq_scheduled_job_due");
            }
        }

        try (var scheduler = open(url)) {
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(due);
        }
    }

    /** Flyway on {@code url} with the scheduler's migrations and history table: to bring a file to a given version. */
    private static FluentConfiguration flyway(String url) {
        return Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres());
    }

    /** Starts the scheduler on {@code url} as a user's process would, upgrading the file; no poll falls in a test. */
    private JdbcJobScheduler open(String url) {
        return JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
    }

    private static String row(PreparedStatement insert, String type, Instant due, String status) throws SQLException {
        String id = UUID.randomUUID().toString();
        OffsetDateTime at = OffsetDateTime.ofInstant(due, ZoneOffset.UTC);
        OffsetDateTime now = OffsetDateTime.ofInstant(T0.minus(AN_HOUR), ZoneOffset.UTC);
        insert.setString(1, id);
        insert.setString(2, type);
        insert.setObject(3, at);
        insert.setObject(4, at);
        insert.setString(5, status);
        insert.setObject(6, now);
        insert.setObject(7, now);
        insert.addBatch();
        return id;
    }

    private static void recurring(PreparedStatement insert, String name, Instant next) throws SQLException {
        OffsetDateTime at = OffsetDateTime.ofInstant(next, ZoneOffset.UTC);
        insert.setString(1, name);
        insert.setString(2, "report:" + name);
        for (int i = 3; i <= 6; i++) {
            insert.setObject(i, at);
        }
        insert.addBatch();
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

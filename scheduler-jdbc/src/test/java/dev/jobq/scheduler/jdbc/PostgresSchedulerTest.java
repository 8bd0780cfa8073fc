package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.junit.jupiter.api.DisplayName;

/** The scheduler suite on a real PostgreSQL server, each test on a database of its own. */
@DisplayName("JDBC scheduler on PostgreSQL")
class PostgresSchedulerTest extends JdbcSchedulerContract {

    @Override
    protected String newDatabase() {
        return PostgresServer.get().newDatabase("jobq-test");
    }

    @Override
    protected String sameDatabase(String url, String name) {
        return PostgresServer.get().url(PostgresServer.databaseOf(url), name);
    }

    @Test
    @DisplayName("a database whose collation is a language's (ICU en-US) lists recurring jobs in the same order as H2")
    void listsRecurringJobsByCodeUnitWhateverTheDatabasesCollation() throws SQLException {
        String name = "jobq_icu_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(PostgresServer.get().url("postgres", "jobq-admin"));
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
                    + "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
        }
        url = PostgresServer.get().url(name, "jobq-test");
        var scheduler = open();
        List<String> names = List.of("beta", "Alpha", "alpha", "_x", "Zeta", "a b", "émile");
        names.forEach(job -> scheduler.registerRecurring(recurring(job, "@daily").build(), "{}"));

        assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name)
                .containsExactlyElementsOf(names.stream().sorted().toList());
    }

    @Test
    @DisplayName("schema version 3 makes the due and deduplication-key indexes partial, and the claim still uses the due index")
    void dueAndKeyIndexesHoldOnlyTheRowsThatNeedThem() throws SQLException {
        open();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            Map<String, String> indexes = new HashMap<>();
            try (ResultSet rows = statement.executeQuery("SELECT indexname, indexdef FROM pg_indexes "
                    + "WHERE tablename = 'jobq_scheduled_job'")) {
                while (rows.next()) {
                    indexes.put(rows.getString(1), rows.getString(2));
                }
            }
            assertThat(indexes.get("jobq_scheduled_job_due")).contains("(status, due_at, id)")
                    .contains("WHERE ((status)::text = 'SCHEDULED'::text)");
            assertThat(indexes.get("jobq_scheduled_job_pending_key")).contains("UNIQUE")
                    .contains("WHERE (pending_key IS NOT NULL)");

            statement.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = statement.executeQuery("EXPLAIN SELECT id FROM jobq_scheduled_job "
                    + "WHERE status = 'SCHEDULED' AND due_at <= now() ORDER BY status, due_at, id LIMIT 100 "
                    + "FOR UPDATE SKIP LOCKED")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("jobq_scheduled_job_due").doesNotContain("Sort");
        }
    }

    @Test
    @DisplayName("an application's Flyway that first runs after jobq refuses a schema holding jobq's tables, and "
            + "migrates beside them when jobq has a schema of its own")
    void anApplicationsFlywayFirstRunAfterJobqNeedsJobqInASchemaOfItsOwn() throws SQLException {
        String sameSchema = PostgresServer.get().newDatabase("jobq-test");
        open(builder().jdbcUrl(sameSchema)).close();
        assertThatThrownBy(() -> applicationFlyway(sameSchema).migrate()).isInstanceOf(FlywayException.class)
                .hasMessageContaining("Found non-empty schema(s) \"public\" but no schema history table");

        open(builder().jdbcUrl(url + "&currentSchema=jobq")).close();
        applicationFlyway(url).migrate();

        Map<String, String> schemaOf = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT table_name, table_schema FROM information_schema.tables "
                     + "WHERE table_schema IN ('public', 'jobq')")) {
            while (rows.next()) {
                schemaOf.put(rows.getString(1), rows.getString(2));
            }
        }
        assertThat(schemaOf).containsEntry("application_customer", "public")
                .containsEntry("flyway_schema_history", "public")
                .containsEntry("jobq_scheduled_job", "jobq").containsEntry("jobq_schema_history", "jobq");
    }

    @Test
    @DisplayName("jobq started after the application's Flyway in the same schema starts its own history beside "
            + "the application's, and the application's Flyway goes on migrating")
    void jobqAfterAnApplicationsFlywayInTheSameSchema() throws SQLException {
        applicationFlyway(url).migrate();

        var scheduler = open();
        JobEnvelope job = job("report:send");
        scheduler.schedule(job, T0);
        assertThat(scheduler.fireDue()).isEqualTo(1);
        assertThat(applicationFlyway(url).migrate().success).as("the application's next start").isTrue();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT string_agg(version || ':' || type, ',' ORDER BY "
                     + "installed_rank) FROM " + Database.HISTORY_TABLE)) {
            rows.next();
            assertThat(rows.getString(1)).as("jobq's history: a baseline at 0, then its versions")
                    .isEqualTo("0:BASELINE,1:SQL,2:SQL,3:JDBC,4:SQL,5:SQL");
        }
    }

    @Test
    @DisplayName("two jobq schedulers on one PostgreSQL database, each in a schema of its own, keep their jobs apart")
    void twoSchedulersInSchemasOfTheirOwnKeepTheirJobsApart() {
        var billing = open(builder().jdbcUrl(url + "&currentSchema=jobq_billing"));
        var reports = open(builder().jdbcUrl(url + "&currentSchema=jobq_reports"));
        JobEnvelope invoice = job("invoice:send");
        billing.schedule(invoice, T0);
        reports.registerRecurring(recurring("digest", "every 1 hour").build(), "{}");

        assertThat(reports.listScheduled(10)).isEmpty();
        assertThat(billing.listRecurring()).isEmpty();
        assertThat(reports.fireDue()).as("the other schema's due job is not this one's").isZero();
        assertThat(billing.fireDue()).isEqualTo(1);
        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(invoice.jobId());
    }

    /** The application's own Flyway, as Spring Boot runs it: default settings, its own migrations. */
    private static Flyway applicationFlyway(String url) {
        return Flyway.configure().dataSource(url, null, null).locations("classpath:application-migrations").load();
    }

    @Test
    @DisplayName("a user who may only read and write the jobq_* tables is told to own them to upgrade their schema")
    void aUserWhoMayOnlyReadAndWriteTheTablesIsToldToOwnThemForAnUpgrade() throws SQLException {
        Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres()).target("2").load().migrate();
        String user = "rows_only_" + PostgresServer.databaseOf(url);
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + user + " LOGIN");
            // What scheduler.md asks of the user once the tables exist.
            statement.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + user);
        }

        assertThatThrownBy(() -> open(builder().jdbcUrl(url.replace("user=postgres", "user=" + user))))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: creating or upgrading the jobq_* tables on PostgreSQL at ")
                .hasMessageContaining("must be owner of")
                .hasMessageEndingWith("and to own the jobq_* tables when a newer jobq brings a new schema version: "
                        + "start it once as their owner, or make the scheduler's user their owner");
    }

    @Test
    @DisplayName("a user without rights on the jobq_* tables is told to check them")
    void aUserWithoutRightsOnTheTablesIsToldToCheckThem() throws SQLException {
        open();
        String user = "no_rights_" + PostgresServer.databaseOf(url);
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + user + " LOGIN");
            // Enough to find the schema up to date, not to read or write jobs.
            statement.execute("GRANT SELECT ON jobq_schema_history TO " + user);
        }
        var scheduler = open(builder().jdbcUrl(url.replace("user=postgres", "user=" + user)));
        JobEnvelope job = job("report:send");

        assertThatThrownBy(() -> scheduler.schedule(job, T0)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: scheduling job " + job.jobId() + " failed on PostgreSQL at ")
                .hasMessageContaining("permission denied")
                .hasMessageEndingWith("; check that the scheduler's user may read and write the jobq_* tables");
    }

    @Test
    @DisplayName("the schema version this jobq names as its own is the one its migrations bring a new database to")
    void theSchemaVersionItNamesIsItsLatest() {
        open().close();
        var info = Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres()).load().info();
        assertThat(info.current().getVersion().getVersion()).isEqualTo(Database.SCHEMA_VERSION);
        try (var log = CapturedLog.of(Database.class)) {
            open().close();
            assertThat(log.warnings()).as("at its own version").isEmpty();
        }
    }

    @Test
    @DisplayName("a scheduler of an older jobq starts on tables a newer jobq has upgraded, and keeps firing")
    void anOlderJobqStartsOnTablesANewerOneUpgraded() throws SQLException {
        open().close();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            // What a newer jobq's next schema version leaves in the history: a version this code does not know.
            statement.execute("INSERT INTO " + Database.HISTORY_TABLE + " (installed_rank, version, description, type, "
                    + "script, checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '6', "
                    + "'from a newer jobq', 'SQL', 'V6__from_a_newer_jobq.sql', 42, 'postgres', 1, true FROM "
                    + Database.HISTORY_TABLE);
        }

        JdbcJobScheduler older;
        try (var log = CapturedLog.of(Database.class)) {
            older = open();
            assertThat(log.warnings()).containsExactly("scheduler: the jobq_* tables on PostgreSQL at "
                    + url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "") + " are at schema "
                    + "version 6, newer than this jobq's 5: a newer jobq has upgraded them. This process works on "
                    + "them while the newer one rolls out (each schema version keeps the release before it working); "
                    + "upgrade this process too (docs/scheduler.md, Upgrading)");
        }
        JobEnvelope job = job("report:send");
        older.schedule(job, T0);

        assertThat(older.fireDue()).isEqualTo(1);
        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
    }

    /**
     * A rolling deploy across schema version 4: a scheduler of the release before (version 3 code) fires beside
     * the current one on the upgraded tables. The older code differs from the current only in SQL, run here as
     * it ran: its hand-off marks the row ENQUEUED where the current one moves it to jobq_scheduled_job_done, and
     * its schedule(...) looks for a retried id in jobq_scheduled_job only.
     */
    @Test
    @DisplayName("beside a scheduler of the release before schema version 4, each job is handed on once, except a "
            + "schedule(...) the older one retries with the id of a job the newer one handed on")
    void anOlderSchedulerBesideThisOneAfterTheUpgrade() throws SQLException {
        var newer = open(builder().retention(AN_HOUR));
        JobEnvelope byOlder = job("report:older");
        JobEnvelope byNewer = job("report:newer");
        newer.schedule(byOlder, T0);
        newer.schedule(byNewer, T0);
        try (Connection connection = DriverManager.getConnection(url)) {
            // The older scheduler's claim and hand-off of one due row, its statements as version 3 code ran them.
            connection.setAutoCommit(false);
            try (PreparedStatement claim = connection.prepareStatement("SELECT id FROM jobq_scheduled_job WHERE "
                    + "status = 'SCHEDULED' AND due_at <= ? AND id = ? FOR UPDATE SKIP LOCKED");
                 PreparedStatement mark = connection.prepareStatement("UPDATE jobq_scheduled_job SET status = "
                         + "'ENQUEUED', pending_key = NULL, error = NULL, updated_at = ? WHERE id = ANY(?)")) {
                claim.setObject(1, OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
                claim.setString(2, byOlder.jobId());
                try (ResultSet rows = claim.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                }
                mark.setObject(1, OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
                mark.setArray(2, connection.createArrayOf("varchar", new Object[] {byOlder.jobId()}));
                assertThat(mark.executeUpdate()).isEqualTo(1);
            }
            connection.commit();
        }

        assertThat(newer.fireDue()).as("the newer one hands on only the row the older one left").isEqualTo(1);
        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(byNewer.jobId());
        assertThat(newer.schedule(byOlder, T0)).as("a retry of the older one's job, in the newer one").isEqualTo(
                byOlder.jobId());
        assertThat(newer.fireDue()).isZero();
        assertThat(newer.listScheduled(10)).isEmpty();

        // The older one's schedule(...) retried with the id of a job the newer one handed on finds no row with it
        // (the newer one keeps only a record in jobq_scheduled_job_done), stores it again, and it goes twice.
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_scheduled_job (id, type, "
                     + "queue, payload, options, scheduled_for, due_at, status, attempts, created_at, updated_at) "
                     + "VALUES (?, ?, 'default', '{}', '{}', ?, ?, 'SCHEDULED', 0, ?, ?)")) {
            OffsetDateTime t0 = OffsetDateTime.ofInstant(T0, ZoneOffset.UTC);
            insert.setString(1, byNewer.jobId());
            insert.setString(2, byNewer.type());
            for (int i = 3; i <= 6; i++) {
                insert.setObject(i, t0);
            }
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        assertThat(newer.fireDue()).isEqualTo(1);
        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(byNewer.jobId(), byNewer.jobId());

        clock.set(T0.plus(Duration.ofMinutes(61)));
        assertThat(newer.purgeNow()).as("the older one's ENQUEUED row and the newer one's record").isEqualTo(2);
    }

    /**
     * A rolling deploy across schema version 4, its upgrade caught between its two statements: version 4
     * copies the ENQUEUED rows into jobq_scheduled_job_done, then deletes the ENQUEUED rows. A scheduler of
     * the release before marks a batch ENQUEUED and commits in between (held there by an advisory lock the
     * test takes, which an event trigger makes the copy wait for): its row must not be deleted unrecorded.
     */
    @Test
    @DisplayName("a job an older scheduler marks handed on while schema version 4 moves such rows is still known "
            + "as handed on after the upgrade")
    void aRowAnOlderSchedulerMarksDuringVersion4IsNotLost() throws Exception {
        Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres()).target("3").load().migrate();
        JobEnvelope marked = job("report:older");
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_scheduled_job (id, type, "
                     + "queue, payload, options, scheduled_for, due_at, status, attempts, created_at, updated_at) "
                     + "VALUES (?, ?, 'default', '{}', '{}', ?, ?, 'SCHEDULED', 0, ?, ?)");
             Statement statement = connection.createStatement()) {
            OffsetDateTime t0 = OffsetDateTime.ofInstant(T0, ZoneOffset.UTC);
            insert.setString(1, marked.jobId());
            insert.setString(2, marked.type());
            for (int i = 3; i <= 6; i++) {
                insert.setObject(i, t0);
            }
            insert.executeUpdate();
            // Once version 4 has made jobq_scheduled_job_done, its copy into it waits for advisory lock 4242.
            statement.execute("CREATE FUNCTION jobq_test_wait() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$");
            statement.execute("CREATE FUNCTION jobq_test_hook() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity = "
                    + "'public.jobq_scheduled_job_done') THEN CREATE TRIGGER jobq_test_wait AFTER INSERT ON "
                    + "jobq_scheduled_job_done FOR EACH STATEMENT EXECUTE FUNCTION jobq_test_wait(); END IF; END $$");
            statement.execute("CREATE EVENT TRIGGER jobq_test_hook ON ddl_command_end WHEN TAG IN ('CREATE TABLE') "
                    + "EXECUTE FUNCTION jobq_test_hook()");
        }
        // Threads of its own: the common pool may have one thread only, on a machine of two cores.
        var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (threads;
             Connection test = DriverManager.getConnection(url);
             Connection older = DriverManager.getConnection(url);
             Statement testStatement = test.createStatement()) {
            testStatement.execute("SELECT pg_advisory_lock(4242)");
            var upgrade = java.util.concurrent.CompletableFuture.supplyAsync(() -> open(builder()), threads);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> waitingFor(testStatement,
                    "advisory"));

            // The older scheduler's hand-off, its statements as version 3 code ran them: claim, mark, commit.
            older.setAutoCommit(false);
            var olderMark = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (PreparedStatement claim = older.prepareStatement("SELECT id FROM jobq_scheduled_job WHERE "
                        + "status = 'SCHEDULED' AND id = ? FOR UPDATE SKIP LOCKED");
                     PreparedStatement mark = older.prepareStatement("UPDATE jobq_scheduled_job SET status = "
                             + "'ENQUEUED', pending_key = NULL, error = NULL, updated_at = ? WHERE id = ?")) {
                    claim.setString(1, marked.jobId());
                    claim.executeQuery().close();
                    mark.setObject(1, OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
                    mark.setString(2, marked.jobId());
                    mark.executeUpdate();
                    older.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            // Done, or waiting for the upgrade's lock on the table: either way its turn has come.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> olderMark.isDone() || waitingFor(testStatement, "relation"));
            testStatement.execute("SELECT pg_advisory_unlock(4242)");

            var scheduler = upgrade.get(20, java.util.concurrent.TimeUnit.SECONDS);
            olderMark.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(scheduler.status(marked.jobId())).as("the job the older scheduler handed on")
                    .contains(dev.jobq.ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.schedule(marked, T0)).isEqualTo(marked.jobId());
            assertThat(scheduler.fireDue()).as("its retry, not handed on again").isZero();
        }
    }

    @ParameterizedTest(name = "URL ending \"{0}\"")
    @ValueSource(strings = {"", "&currentSchema=jobq"})
    @DisplayName("five schedulers starting at once on an empty database, or in a schema not made yet, all start, "
            + "and the tables are made once")
    void schedulersStartingAtOnceOnAnEmptyDatabaseAllStart(String urlEnd) throws Exception {
        int nodes = 5;
        ExecutorService starting = Executors.newFixedThreadPool(nodes);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JdbcJobScheduler>> started = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                started.add(starting.submit(() -> {
                    go.await();
                    return open(builder().jdbcUrl(url + urlEnd));
                }));
            }
            go.countDown();
            List<JdbcJobScheduler> schedulers = new ArrayList<>();
            for (Future<JdbcJobScheduler> node : started) {
                schedulers.add(node.get(2, TimeUnit.MINUTES));
            }

            JobEnvelope job = job("report:send");
            schedulers.getFirst().schedule(job, T0);
            assertThat(schedulers.getLast().fireDue()).isEqualTo(1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
            try (Connection connection = DriverManager.getConnection(url + urlEnd);
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT string_agg(version || ':' || success, ',' ORDER BY "
                         + "installed_rank) FROM " + Database.HISTORY_TABLE)) {
                rows.next();
                assertThat(rows.getString(1)).as("each version applied once")
                        .isEqualTo("1:true,2:true,3:true,4:true,5:true");
            }
        } finally {
            starting.shutdownNow();
        }
    }

    @Test
    @DisplayName("two application transactions registering one new recurring job at once: the second updates it and "
            + "keeps its transaction")
    void registeringOneNewRecurringJobInTwoApplicationsTransactionsAtOnce() throws Exception {
        ExecutorService secondThread = Executors.newSingleThreadExecutor();
        try (HikariDataSource pool = applicationPool(4);
             Connection first = pool.getConnection(); Connection second = pool.getConnection();
             Connection watching = DriverManager.getConnection(url);
             Statement watch = watching.createStatement()) {
            var application = new ApplicationTransactions(pool);
            var scheduler = open(JdbcSchedulerFactory.builder().dataSource(application)
                    .pollInterval(Duration.ofMinutes(10)));
            JobEnvelope job = job("report:send");
            application.bind(first);
            try {
                scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "null");
            } finally {
                application.unbind();
            }
            Future<RecurringJobInfo> secondRegistration = secondThread.submit(() -> {
                application.bind(second);
                try {
                    scheduler.schedule(job, T0.plus(AN_HOUR));
                    return scheduler.registerRecurring(recurring("digest", "0 10 * * *").build(), "null");
                } finally {
                    application.unbind();
                }
            });
            // The second inserts the name too, and waits for the first transaction to end.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingFor(watch, "transactionid"));
            first.commit();

            assertThat(secondRegistration.get(30, TimeUnit.SECONDS).schedule()).isEqualTo("0 10 * * *");
            second.commit();
            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).as("scheduled in the second "
                    + "transaction").containsExactly(job.jobId());
            assertThat(scheduler.getRecurring("digest").orElseThrow().schedule()).isEqualTo("0 10 * * *");
        } finally {
            secondThread.shutdownNow();
        }
    }

    /** Whether a session waits for a lock of this type (advisory, relation …). */
    private static boolean waitingFor(Statement statement, String lockType) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = '"
                + lockType + "'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    @Test
    @DisplayName("a first start in a schema of jobq's own that is not made yet creates it, beside the application's "
            + "table of a jobq name in public")
    void aFirstStartInASchemaNotYetMadeBesideAnApplicationsTableOfAJobqName() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE public.jobq_scheduled_job (id INT PRIMARY KEY, note TEXT)");
        }

        // Before, the look for jobq_* tables without their history read every schema (the connection has no current
        // schema until Flyway makes it), took the application's table for jobq's and refused to start.
        var scheduler = open(builder().jdbcUrl(url + "&currentSchema=jobq"));
        JobEnvelope job = job("report:send");
        scheduler.schedule(job, T0);
        assertThat(scheduler.fireDue()).isEqualTo(1);

        assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM jobq." + Database.HISTORY_TABLE)) {
            rows.next();
            assertThat(rows.getInt(1)).as("jobq's history, in its own schema").isPositive();
        }
    }

    @Test
    @DisplayName("a start where the first schema on the search path that exists holds an application's table of a "
            + "jobq name is refused without advice to drop it, and says to give jobq a schema of its own")
    void aStartBesideAnApplicationsTableOfAJobqNameIsRefusedWithoutAdviceToDropIt() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE public.jobq_scheduled_job (id INT PRIMARY KEY, note TEXT)");
        }

        // jobq, listed first, is not made yet: public is the connection's schema, where Flyway would create the
        // tables, and the application's table there was taken for jobq's, to be dropped, "their jobs are lost".
        assertThatThrownBy(() -> open(builder().jdbcUrl(url + "&currentSchema=jobq,public")))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("schema 'public'")
                .hasMessageContaining("holds a table named jobq_scheduled_job that is not jobq's")
                .hasMessageContaining("CREATE SCHEMA jobq")
                .hasMessageNotContaining("drop");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM public.jobq_scheduled_job")) {
            assertThat(rows.next()).as("the application's table, left as it was").isTrue();
        }
    }

    @Test
    @DisplayName("tables made by a DBA in a schema of jobq's own serve a user who may only use their rows, beside "
            + "the application's table of the same name")
    void aUserWithoutDdlRightsRunsOnTablesADbaMadeInASchemaOfTheirOwn() throws SQLException {
        // The DBA: jobq's schema, its tables made by starting jobq once as their owner.
        open(builder().jdbcUrl(url + "&currentSchema=jobq")).close();
        String user = "app_" + PostgresServer.databaseOf(url);
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + user + " LOGIN");
            statement.execute("GRANT USAGE ON SCHEMA jobq TO " + user);
            statement.execute("GRANT SELECT ON jobq." + Database.HISTORY_TABLE + " TO " + user);
            statement.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON jobq.jobq_scheduled_job, "
                    + "jobq.jobq_scheduled_job_done, jobq.jobq_recurring_job TO " + user);
            // The application's own table, in its own schema, under a name jobq uses.
            statement.execute("CREATE TABLE public.jobq_scheduled_job (id INT PRIMARY KEY, note TEXT)");
            statement.execute("GRANT ALL ON public.jobq_scheduled_job TO " + user);
            statement.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }

        var scheduler = open(builder().jdbcUrl(url.replace("user=postgres", "user=" + user) + "&currentSchema=jobq"));
        JobEnvelope job = job("report:send");
        scheduler.schedule(job, T0);
        scheduler.registerRecurring(recurring("digest", "every 1 hour").build(), "{}");
        assertThat(scheduler.fireDue()).isEqualTo(1);
        fireNext(scheduler, clock, "digest");

        assertThat(sink.envelopes()).extracting(JobEnvelope::type).containsExactly("report:send", "report:digest");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM public.jobq_scheduled_job")) {
            rows.next();
            assertThat(rows.getInt(1)).as("rows in the application's table").isZero();
        }
    }
}

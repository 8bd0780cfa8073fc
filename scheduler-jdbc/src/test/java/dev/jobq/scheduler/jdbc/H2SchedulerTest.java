package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobQueueException;
import dev.jobq.MisfirePolicy;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler suite on H2, each test on an in-memory database of its own. */
@DisplayName("JDBC scheduler on H2")
class H2SchedulerTest extends JdbcSchedulerContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    protected String newDatabase() {
        // DB_CLOSE_DELAY=-1: the database lives while the JVM does, not only while a connection is open
        return "jdbc:h2:mem:jobq-test-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    @DisplayName("tables a killed first start left half made are named, with what to do, at once and at every start")
    void halfMadeTablesAreNamedWithTheFix(@TempDir Path dir) throws SQLException {
        String fileUrl = "jdbc:h2:file:" + dir.resolve("jobq");
        // What a process killed during version 1 leaves on H2, where each CREATE commits: the history table
        // Flyway made first, and version 1's first table.
        Flyway.configure(Database.class.getClassLoader()).dataSource(fileUrl, null, null).table(Database.HISTORY_TABLE)
                .baselineVersion("0").load().baseline();
        try (Connection connection = DriverManager.getConnection(fileUrl);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE jobq_scheduled_job (id VARCHAR(64) NOT NULL PRIMARY KEY)");
        }
        String fix = "A process stopped while it created or upgraded them (on H2 each table change commits on its "
                + "own), or tables of those names were already there. If the scheduler holds no jobs yet, delete the "
                + "database (for an H2 file, its .mv.db file) or drop the jobq_* tables and jobq_schema_history; "
                + "otherwise drop what version 1 created and delete its row (success false) from "
                + "jobq_schema_history. Then start again";

        assertThatThrownBy(() -> open(builder().jdbcUrl(fileUrl))).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: the jobq_* tables on H2 at file:" + dir.resolve("jobq")
                        + " are half made: schema version 1 (scheduled and recurring jobs) is recorded as failed in "
                        + "jobq_schema_history (Table \"JOBQ_SCHEDULED_JOB\" already exists")
                .hasMessageEndingWith(fix)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("CREATE rights"));
        // The next start meets the failed version in the history: the same advice, not a retry's.
        assertThatThrownBy(() -> open(builder().jdbcUrl(fileUrl))).isInstanceOf(JobQueueException.class)
                .hasMessageContaining(" are half made: schema version 1 (scheduled and recurring jobs) is recorded "
                        + "as failed in jobq_schema_history (")
                .hasMessageEndingWith(fix);
    }

    @Test
    @DisplayName("a failed version's description, read from its row of jobq_schema_history, is escaped in the half "
            + "made refusal")
    void aFailedVersionsDescriptionFromTheHistoryRowIsEscapedInTheHalfMadeRefusal(@TempDir Path dir) throws SQLException {
        String fileUrl = "jdbc:h2:file:" + dir.resolve("jobq");
        open(builder().jdbcUrl(fileUrl)).close();
        try (Connection connection = DriverManager.getConnection(fileUrl);
             Statement statement = connection.createStatement()) {
            // A row another tool (or a hand) wrote: its description is whatever it was given.
            statement.execute("UPDATE \"" + Database.HISTORY_TABLE + "\" SET \"success\" = FALSE, \"description\" = "
                    + "'fire all burst end' || CHAR(10) || CHAR(27) || '[31mforged' WHERE \"version\" = '5'");
        }

        // Before, the line break and the ESC were in the refusal as they were.
        assertThatThrownBy(() -> open(builder().jdbcUrl(fileUrl))).isInstanceOf(JobQueueException.class)
                .hasMessageContaining(" are half made: schema version 5 (fire all burst end\\n\\u001b[31mforged) is "
                        + "recorded as failed in jobq_schema_history (");
    }

    /** The last error a row holds, written by another process or a hand: it went into the log line as it was. */
    @Test
    @DisplayName("occurrences missed while their hand-off failed are logged with the row's last error escaped")
    void missedOccurrencesAreLoggedWithTheRowsLastErrorEscaped() throws SQLException {
        var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)));
        scheduler.registerRecurring(everyHour("sync", MisfirePolicy.SKIP), "{}");
        sink.refuseWhen(envelope -> true);
        clock.set(T0.plus(AN_HOUR));
        scheduler.fireDue();
        sink.refuseWhen(envelope -> false);
        clock.set(T0.plus(AN_HOUR).plus(Duration.ofMinutes(2)));
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("UPDATE jobq_recurring_job SET last_error = 'refused' || CHAR(10) || CHAR(27) "
                    + "|| '[31mforged' WHERE name = 'sync'");
        }

        try (var log = CapturedLog.of(HandOff.class)) {
            scheduler.fireDue();

            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .filteredOn(line -> line.contains("missed occurrences")).singleElement().asString()
                    .contains("(1 try; last error refused\\n\\u001b[31mforged)");
        }
    }

    /** A name another process or a hand wrote: the WARN past those left alone gave it as it was, unlike every other. */
    @Test
    @DisplayName("past the recurring jobs it leaves alone, one it cannot read is named in the WARN escaped")
    void theWarningPastTheRecurringJobsLeftAloneNamesTheRowEscaped() throws SQLException {
        var scheduler = open();
        int unreadable = UnreadableRecurringJobs.MAX_LEFT_ALONE + 1;
        for (int i = 0; i < unreadable; i++) {
            scheduler.registerRecurring(recurring("newer-" + i, "every 1 hour").build(), "{}");
        }
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            assertThat(statement.executeUpdate("UPDATE jobq_recurring_job SET name = name || CHAR(10) || CHAR(27) "
                    + "|| '[31mforged', options = '{\"maxAttempts\":0}' WHERE name LIKE 'newer-%'"))
                    .isEqualTo(unreadable);
        }
        clock.set(T0.plus(AN_HOUR));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            scheduler.fireDue();

            assertThat(log.warnings()).filteredOn(warning -> warning.contains("more than "
                            + UnreadableRecurringJobs.MAX_LEFT_ALONE)).singleElement().asString()
                    .containsPattern("\\(as 'newer-\\d+\\\\n\\\\u001b\\[31mforged' cannot: ")
                    .doesNotContain("\n", "\u001b");
        }
    }

    @Test
    @DisplayName("two schedulers of one JVM on one H2 file hand on each job and occurrence once, and one closed leaves "
            + "the other firing")
    void twoSchedulersOnOneFileHandOnEachJobOnce(@TempDir Path dir) {
        String fileUrl = "jdbc:h2:file:" + dir.resolve("jobq");
        var first = open(builder().jdbcUrl(fileUrl).batchSize(50));
        var second = open(builder().jdbcUrl(fileUrl).batchSize(50));
        int jobs = 1_000;
        storeDueJobs(first, jobs, T0);
        first.registerRecurring(recurring("tick", "every 1 minute").build(), "{}");

        first.start();
        second.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.ofType("bulk:item").size() >= jobs);
        clock.set(T0.plus(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.ofType("report:tick").size() >= 1);
        first.close();
        String later = second.schedule(job("report:later"), T0.plus(Duration.ofMinutes(2)));
        clock.set(T0.plus(Duration.ofMinutes(2)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sink.ofType("report:tick").size() >= 2 && !sink.ofType("report:later").isEmpty());

        assertThat(second.fireDue()).as("due after both looked").isZero();
        assertThat(sink.duplicates()).as("jobs handed on twice").isEmpty();
        assertThat(sink.ofType("bulk:item")).hasSize(jobs);
        assertThat(sink.ofType("report:later")).extracting(JobEnvelope::jobId).containsExactly(later);
        assertThat(sink.firedAt("report:tick"))
                .containsExactly(T0.plus(Duration.ofMinutes(1)), T0.plus(Duration.ofMinutes(2)));
        assertThat(second.listScheduled(10)).isEmpty();
    }

    @Test
    @DisplayName("an H2 file that another process has open is reported as such, with the ways to share a store")
    void saysAnotherProcessHasTheFileOpen(@TempDir Path dir) throws IOException {
        Path database = dir.resolve("jobq");
        String fileUrl = "jdbc:h2:file:" + database;
        var given = new JdbcDataSource();
        given.setURL(fileUrl);
        String advice = "; an H2 file serves one process at a time: stop the other process, point the scheduler at "
                + "another file, or share one store between processes with PostgreSQL or an H2 server "
                + "(jdbc:h2:tcp://…, or AUTO_SERVER=TRUE in the URL of every process that opens the file, "
                + "the one that has it open now included)";

        // The lock another JVM would hold; H2 meets it as it meets a second process's.
        try (FileChannel file = FileChannel.open(dir.resolve("jobq.mv.db"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = file.lock()) {
            assertThatThrownBy(() -> open(builder().jdbcUrl(fileUrl))).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cannot open H2 at file:" + database
                            + ": another process has the file open (")
                    .hasMessageEndingWith(advice);
            assertThatThrownBy(() -> open(JdbcSchedulerFactory.builder().dataSource(given)))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: cannot open the given JdbcDataSource: another process has the "
                            + "file open (")
                    .hasMessageEndingWith(advice);
        }
    }

    /**
     * H2's own message, quoted in the refusal, repeats the file's path, which may hold what a terminal obeys (an ESC in
     * a directory's name): it went into the refusal as it was.
     */
    @Test
    @DisplayName("an H2 file that another process has open is named with the path's control characters escaped")
    void namesAFileAnotherProcessHasOpenEscaped(@TempDir Path dir) throws IOException {
        Path database = Files.createDirectory(dir.resolve("red\u001b[31mdir")).resolve("jobq");
        try (FileChannel file = FileChannel.open(database.resolveSibling("jobq.mv.db"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = file.lock()) {
            assertThatThrownBy(() -> open(builder().jdbcUrl("jdbc:h2:file:" + database)))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining(": another process has the file open (")
                    .hasMessageContaining("red\\u001b[31mdir")
                    .hasMessageNotContaining("\u001b");
        }
    }
}

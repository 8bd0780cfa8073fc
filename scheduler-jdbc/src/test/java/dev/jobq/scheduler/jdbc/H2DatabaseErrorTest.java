package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * An Error out of the database side of a pass rather than out of the provider: an application's DataSource (or
 * the JDBC driver under it) that throws one, a class missing from its classpath, say. The pass fails as for any
 * database failure: {@code firingProblem()} says so, and the firing thread tries again and hands the job on once
 * the DataSource works, rather than ending for good with nothing said. And a driver's exception whose causes form a
 * cycle (A caused by B caused by A), which the walk to its root cause followed for ever, the firing thread with it.
 */
class H2DatabaseErrorTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);

    @Test
    void anErrorFromTheDataSourceIsAFailedPassThatFiringProblemNamesAndFiringGoesOnAfterIt() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new ErrorThrowingDataSource(h2);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .pollInterval(Duration.ofMillis(200))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            JobEnvelope job = job("report:due");
            scheduler.schedule(job, T0.plus(Duration.ofMinutes(1)));
            failing.errorsLeft.set(2);
            scheduler.start();

            String problem = await().atMost(WAIT).until(() -> scheduler.firingProblem().orElse(""),
                    text -> !text.isEmpty());
            assertThat(problem).matches("firing from the given ErrorThrowingDataSource failed [12] time\\(s\\) in a row, "
                    + "last at \\S+: NoClassDefFoundError: org/acme/pool/ConnectionProxy");

            clock.set(T0.plus(Duration.ofMinutes(1)));
            await().atMost(WAIT).until(() -> sink.count() == 1);
            assertThat(sink.submissions().getFirst().envelope().jobId()).isEqualTo(job.jobId());
            await().atMost(WAIT).until(() -> scheduler.firingProblem().isEmpty());
        }
    }

    @Test
    void aDriverErrorWhoseCausesFormACycleIsAFailedPassThatFiringProblemNames() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new CyclicCauseDataSource(h2);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .pollInterval(Duration.ofMillis(200))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            JobEnvelope job = job("report:due");
            scheduler.schedule(job, T0);
            failing.failing.set(true);
            scheduler.start();

            String problem = await().atMost(WAIT).until(() -> scheduler.firingProblem().orElse(""),
                    text -> !text.isEmpty());
            assertThat(problem).matches("firing from the given CyclicCauseDataSource failed \\d+ time\\(s\\) in a "
                    + "row, last at \\S+: the pool's proxy lost it");

            failing.failing.set(false);
            await().atMost(WAIT).until(() -> sink.count() == 1);
        }
    }

    @Test
    void theWalksOfACycleOfCausesEnd() {
        SQLException first = cycle();

        assertTimeoutPreemptively(WAIT, () -> {
            assertThat(Database.rootMessage(first)).isEqualTo("the pool's proxy lost it");
            assertThat(Database.connectionLost(first)).isFalse();
            assertThat(Database.answerTimedOut(first)).isFalse();
        });
    }

    /**
     * A driver's message quoting a stored value full of links (a job's payload in a "value too long" error, say): the
     * mask rootMessage now puts on the whole raw message looked back from each URL to the message's start for an '@'
     * that would end its user, and from a URL such as {@code http://localhost:${PORT}/a} (a colon and no port: maybe
     * a password with a '/') on to the next blank, so 2 MB of them took minutes, on the firing thread, each pass.
     */
    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/a ", "\"http://localhost:${PORT}/a\","})
    void aLongDriverMessageOfURLsWithNoUserIsMaskedInAsLongAsItTakesToReadIt(String link) {
        String links = link.repeat(2_000_000 / link.length());
        String url = " jdbc:postgresql://jobq:s3cret@db/jobs";
        var error = new SQLException("value too long: " + links + url);

        String shown = assertTimeoutPreemptively(WAIT, () -> Database.rootMessage(error));

        String masked = "value too long: " + links + " jdbc:postgresql://jobq:****@db/jobs";
        assertThat(shown).isEqualTo(UntrustedText.escape(masked.substring(0, 1_000)) + "… ("
                + (masked.length() - 1_000) + " more characters)");
        assertThat(Secrets.maskUrl(links + url)).isEqualTo(links + " jdbc:postgresql://jobq:****@db/jobs");
    }

    /** A driver's exception caused by another, itself caused by the first. */
    private static SQLException cycle() {
        var first = new SQLException("connection lost");
        var second = new SQLException("the pool's proxy lost it");
        first.initCause(second);
        second.initCause(first);
        return first;
    }

    private JobEnvelope job(String type) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }

    /** H2's DataSource, whose getConnection() throws a {@link #cycle} while {@code failing}. */
    private static final class CyclicCauseDataSource extends ForwardingDataSource {

        final AtomicBoolean failing = new AtomicBoolean();

        CyclicCauseDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failing.get()) {
                throw cycle();
            }
            return pool.getConnection();
        }
    }

    /** H2's DataSource, whose getConnection() throws an Error while {@code errorsLeft} is above zero. */
    private static final class ErrorThrowingDataSource extends ForwardingDataSource {

        final AtomicInteger errorsLeft = new AtomicInteger();

        ErrorThrowingDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (errorsLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw new NoClassDefFoundError("org/acme/pool/ConnectionProxy");
            }
            return pool.getConnection();
        }
    }

    @Test
    void aDriverErrorWhoseGetMessageThrowsIsAFailedPassThatFiringProblemNames() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new UnreadableMessageDataSource(h2);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .pollInterval(Duration.ofMillis(200))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            scheduler.schedule(job("report:due"), T0);
            failing.failing.set(true);
            scheduler.start();

            String problem = await().atMost(WAIT).until(() -> scheduler.firingProblem().orElse(""),
                    text -> !text.isEmpty());
            assertThat(problem).matches("firing from the given UnreadableMessageDataSource failed \\d+ time\\(s\\) in "
                    + "a row, last at \\S+: \\(its getMessage\\(\\) threw IllegalStateException: the proxy is closed\\)");

            failing.failing.set(false);
            await().atMost(WAIT).until(() -> sink.count() == 1);
        }
    }

    /**
     * A driver's message is outside text: H2's goes on with the statement after a line break, PostgreSQL's with its
     * Detail on another line, and either can quote a value the application stored. firingProblem() and the WARN of the
     * failed pass gave it as it was: its line break started a line of its own in the log and its ESC recoloured the
     * terminal; a 10 MB message went whole into both.
     */
    @Test
    void aDriverMessageWithALineBreakAndAnEscIsEscapedAndCutInFiringProblemAndTheWarn() {
        assertFiringShows("bad\n\u001b[31mthing\u202e" + "x".repeat(1000),
                "bad\\n\\u001b[31mthing\\u202e" + "x".repeat(985) + "… (15 more characters)");
    }

    /**
     * A driver's message that repeats the URL it was given, its password in it: firingProblem() and the failed
     * pass's WARN showed the password, as only "cannot connect" at the start masked URLs; and a cut before the mask
     * left a password cut inside it unmasked (no '@' after it for the mask to find).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "refused: jdbc:postgresql://jobq:s3cret@db/jobs | refused: jdbc:postgresql://jobq:****@db/jobs",
            "<960x> jdbc:postgresql://jobq:<40s>@db/jobs | <960x> jdbc:postgresql://jobq:****@db/jobs",
            "refused<LF>for jdbc:postgresql://db/jobs?user=jobq&password=s3cret | "
                    + "refused\\nfor jdbc:postgresql://db/jobs?user=jobq&password=****",
            "refused: jdbc:h2:tcp://db/jobs;PASSWORD=s3cret<LF>at line 2 | refused: jdbc:h2:tcp://db/jobs;PASSWORD=****"
                    + "\\nat line 2"})
    void aDriverMessageWithAPasswordInAUrlIsMaskedInFiringProblemAndTheWarn(String message, String shown) {
        String raw = message.replace("<960x>", "x".repeat(960)).replace("<40s>", "s".repeat(40))
                .replace("<LF>", "\n");
        assertFiringShows(raw, shown.replace("<960x>", "x".repeat(960)));
    }

    /**
     * Has passes over a DataSource whose driver fails with {@code message} end both firingProblem() and their WARN
     * with {@code shown}, then hand the job on once the driver works again.
     */
    private void assertFiringShows(String message, String shown) {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new MessageDataSource(h2, message);
        try (CapturedLog passes = CapturedLog.of(FiringLoop.class);
                JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                        .pollInterval(Duration.ofMillis(200))
                        .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            scheduler.schedule(job("report:due"), T0);
            failing.failing.set(true);
            scheduler.start();

            String problem = await().atMost(WAIT).until(() -> scheduler.firingProblem().orElse(""),
                    text -> !text.isEmpty());
            assertThat(problem).startsWith("firing from the given MessageDataSource failed ").endsWith(": " + shown);
            await().atMost(WAIT).until(() -> !passes.warnings().isEmpty());
            assertThat(passes.warnings().getFirst()).startsWith("scheduler: a pass over the given MessageDataSource "
                    + "failed, trying again in ").endsWith(": " + shown);

            failing.failing.set(false);
            await().atMost(WAIT).until(() -> sink.count() == 1);
        }
    }

    /**
     * The transaction's own error under the refusal, seen after "Caused by:" where an application logs the refusal
     * with its trace: it repeated the driver's message raw, a line break, an ESC and the password of a URL in it.
     */
    @Test
    void aTransactionsErrorUnderTheRefusalRepeatsTheDriversMessageEscapedAndMasked() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new MessageDataSource(h2, "refused\n\u001b[31m jdbc:postgresql://jobq:s3cret@db/jobs");
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            failing.failing.set(true);

            assertThatThrownBy(() -> scheduler.schedule(job("report:due"), T0)).isInstanceOf(JobQueueException.class)
                    .satisfies(refusal -> assertThat(Database.causes(refusal))
                            .filteredOn(org.jooq.exception.DataAccessException.class::isInstance)
                            .extracting(Throwable::getMessage).containsExactly("transaction on the given "
                                    + "MessageDataSource failed: refused\\n\\u001b[31m "
                                    + "jdbc:postgresql://jobq:****@db/jobs"));
        }
    }

    /** A driver's error with no message: the transaction's error under the refusal read "failed: null". */
    @Test
    void aTransactionsErrorUnderTheRefusalNamesTheDriversErrorsClassWhenItHasNoMessage() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new MessageDataSource(h2, null);
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            failing.failing.set(true);

            assertThatThrownBy(() -> scheduler.schedule(job("report:due"), T0)).isInstanceOf(JobQueueException.class)
                    .satisfies(refusal -> assertThat(Database.causes(refusal))
                            .filteredOn(org.jooq.exception.DataAccessException.class::isInstance)
                            .extracting(Throwable::getMessage)
                            .containsExactly("transaction on the given MessageDataSource failed: SQLException"));
        }
    }

    /**
     * A thread helping through a backlog whose connection fails with such an error: the WARN that says so gave the
     * error to logback as it was, whose getMessage() threw out of it, and out of the firing thread's pass, which was
     * said to have failed with "the proxy is closed" though it handed on every job; the helper's WARN never came.
     */
    @Test
    void aHelperFailingWithAnErrorWhoseGetMessageThrowsIsWarnedOfAndThePassGoesOn() {
        var toClose = new SchedulerToClose("jobq-helper-unreadable", T0);
        var h2 = new JdbcDataSource();
        h2.setURL(toClose.url);
        var failsOnHelpers = new UnreadableMessageDataSource(h2);
        failsOnHelpers.failingOn = thread -> toClose.threads.indexOf(thread) > 0;
        try (CapturedLog handOff = CapturedLog.of(HandOff.class); CapturedLog passes = CapturedLog.of(FiringLoop.class);
                JdbcJobScheduler scheduler = toClose.open(JdbcSchedulerFactory.builder().dataSource(failsOnHelpers)
                        .pollInterval(Duration.ofMillis(200)).batchSize(1).fireThreads(2)
                        .threadFactory(toClose.threadsNamed(made -> "jobq-fire-" + made)), toClose.sink)) {
            toClose.scheduleDue(scheduler, SchedulerToClose.BACKLOG);
            scheduler.start();

            await().atMost(WAIT).until(() -> !handOff.warnings().isEmpty() || !passes.warnings().isEmpty());
            assertThat(passes.warnings()).as("WARNs of a failed pass").isEmpty();
            assertThat(handOff.warnings()).singleElement().asString().isEqualTo("scheduler: a thread helping to hand "
                    + "on due jobs from the given UnreadableMessageDataSource failed; its batch stays due for the next "
                    + "pass: (its getMessage() threw IllegalStateException: the proxy is closed)");
            await().atMost(WAIT).until(() -> toClose.sink.count() == SchedulerToClose.BACKLOG);
            assertThat(scheduler.firingProblem()).isEmpty();
        }
    }

    /**
     * With DEBUG on for the database: the look for jobq_* tables without their history, on a connection that fails
     * with such an error, logged it as it was at DEBUG, whose getMessage() threw out of logback and out of the start,
     * though Flyway goes on after it (and reports such trouble itself).
     */
    @Test
    void aLookForTablesFailingWithAnErrorWhoseGetMessageThrowsIsLoggedAtDebugAndTheStartGoesOn() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var connections = new AtomicInteger();
        var failing = new UnreadableMessageDataSource(h2);
        // the start's first connection reads the database's kind; its second looks for the tables
        failing.failingOn = thread -> connections.incrementAndGet() == 2;
        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Database.class);
        Level levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try (CapturedLog log = CapturedLog.of(Database.class);
                JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(failing)
                        .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            assertThat(scheduler.firingProblem()).isEmpty();
            assertThat(log.list).filteredOn(event -> event.getLevel() == Level.DEBUG)
                    .filteredOn(event -> event.getFormattedMessage().startsWith("scheduler: looking for the jobq_*"))
                    .singleElement().extracting(event -> event.getThrowableProxy().getMessage())
                    .isEqualTo(UnreadableMessageDataSource.class.getName() + "$1: (its getMessage() threw "
                            + "IllegalStateException: the proxy is closed)");
        } finally {
            logger.setLevel(levelBefore);
        }
    }

    /**
     * jobq_* tables without their history, on connections whose statements fail with a driver's error without a
     * message: the refusal to start, which says what the tables hold or that it could not be counted, and why, read the
     * error's message as there was one, and the start failed with a NullPointerException instead.
     */
    @Test
    void tablesWithoutTheirHistoryWhoseCountFailsWithoutAMessageAreStillRefusedWithTheFix() throws SQLException {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JdbcSchedulerFactory.builder().dataSource(h2)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink)).close();
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE \"" + Database.HISTORY_TABLE + "\"");
        }

        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().dataSource(new UncountableDataSource(h2))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink)).close())
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("and leaves them as they are. What they hold could not be counted "
                        + "(SQLException). To start afresh, drop the jobq_* tables");
    }

    /**
     * A database neither H2 nor PostgreSQL is refused by the product name its driver gives: outside text, which
     * the refusal repeated raw and whole, a line break and all.
     */
    @Test
    void aDatabaseOfAnotherProductIsRefusedWithItsDriversProductNameEscapedAndCut() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

        assertThatThrownBy(() -> JdbcSchedulerFactory.builder()
                .dataSource(new OtherProductDataSource(h2, "Acme\n\u001b[31mDB" + "x".repeat(200)))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink)).close())
                .isInstanceOf(JobQueueException.class)
                .hasMessage("scheduler: the given OtherProductDataSource is a \"Acme\\n\\u001b[31mDB" + "x".repeat(68)
                        + "…\" (212 characters) database; the jdbc scheduler runs on H2 and PostgreSQL only");
    }

    /**
     * A driver that names no product: the refusal read {@code is a "" database} for an empty name, {@code is a
     * (unnamed) database} for none.
     */
    @ParameterizedTest
    @CsvSource(value = {"''", "' '", "NULL"}, nullValues = "NULL")
    void aDatabaseOfAnotherProductWhoseDriverNamesNoProductIsRefusedSayingSo(@Nullable String product) {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

        assertThatThrownBy(() -> JdbcSchedulerFactory.builder()
                .dataSource(new OtherProductDataSource(h2, product))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink)).close())
                .isInstanceOf(JobQueueException.class)
                .hasMessage("scheduler: the given OtherProductDataSource is a database whose driver names no product "
                        + "(DatabaseMetaData.getDatabaseProductName() gave none); the jdbc scheduler runs on H2 and "
                        + "PostgreSQL only");
    }

    /**
     * A driver's message that repeats the URL it was given, its password in it, for a statement of an upgrade H2
     * records as failed: the "half made" refusal gave its first line as it was, the password with it.
     */
    @Test
    void aDriverMessageWithAPasswordInAUrlIsMaskedInTheHalfMadeRefusal() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

        assertThatThrownBy(() -> JdbcSchedulerFactory.builder()
                .dataSource(new RefusingStatementDataSource(h2, "CREATE TABLE jobq_recurring_job",
                        "refused by jdbc:postgresql://jobq:s3cret@db/jobs\nat line 2"))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink)).close())
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: the jobq_* tables on the given RefusingStatementDataSource are "
                        + "half made: schema version 1 (scheduled and recurring jobs) is recorded as failed in "
                        + "jobq_schema_history (refused by jdbc:postgresql://jobq:****@db/jobs). A process stopped");
    }

    /**
     * A driver's SQLState of a server shutting down, which the refusal repeats, with more after its five characters (an
     * application's DataSource's own, or a proxy's): it went into the refusal as it was.
     */
    @Test
    void aServerShutdownsSqlStateIsEscapedInTheRefusal() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:jobq-database-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        var failing = new AtomicBoolean();
        DataSource stateful = new ForwardingDataSource(h2) {
            @Override
            public Connection getConnection() throws SQLException {
                if (failing.get()) {
                    throw new SQLException("terminating connection", "57P01\n\u001b[31mforged");
                }
                return pool.getConnection();
            }
        };
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(stateful)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
            failing.set(true);

            assertThatThrownBy(() -> scheduler.schedule(job("report:due"), T0)).isInstanceOf(JobQueueException.class)
                    .hasMessageEndingWith(": terminating connection; the database server was shut down or restarted "
                            + "(SQLState 57P01\\n\\u001b[31mforged); check that the database is reachable");
        }
    }

    /** H2's DataSource, whose getConnection() throws a driver's error with {@code message} while {@code failing}. */
    private static final class MessageDataSource extends ForwardingDataSource {

        final AtomicBoolean failing = new AtomicBoolean();
        private final @Nullable String message;

        MessageDataSource(DataSource delegate, @Nullable String message) {
            super(delegate);
            this.message = message;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failing.get()) {
                throw new SQLException(message);
            }
            return pool.getConnection();
        }
    }

    /**
     * H2's DataSource, whose getConnection() throws, while {@code failing} or on a thread {@code failingOn} names, an
     * error whose getMessage() throws.
     */
    private static final class UnreadableMessageDataSource extends ForwardingDataSource {

        final AtomicBoolean failing = new AtomicBoolean();
        volatile Predicate<Thread> failingOn = thread -> false;

        UnreadableMessageDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failing.get() || failingOn.test(Thread.currentThread())) {
                throw new SQLException() {
                    @Override
                    public String getMessage() {
                        throw new IllegalStateException("the proxy is closed");
                    }
                };
            }
            return pool.getConnection();
        }
    }

    /** H2's DataSource, whose connections' metadata name another database: {@code product} at a URL of its own. */
    private static final class OtherProductDataSource extends ForwardingDataSource {

        private final @Nullable String product;

        OtherProductDataSource(DataSource delegate, @Nullable String product) {
            super(delegate);
            this.product = product;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = pool.getConnection();
            DatabaseMetaData metaData = (DatabaseMetaData) Proxy.newProxyInstance(
                    DatabaseMetaData.class.getClassLoader(), new Class<?>[] {DatabaseMetaData.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getURL" -> "jdbc:acme://db/jobs";
                        case "getDatabaseProductName" -> product;
                        default -> invoke(method, connection.getMetaData(), args);
                    });
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> method.getName().equals("getMetaData")
                            ? metaData : invoke(method, connection, args));
        }

        private static @Nullable Object invoke(java.lang.reflect.Method method, Object target, Object @Nullable [] args)
                throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * H2's DataSource, whose connections' statements throw a driver's error with {@code message} when they execute SQL
     * that holds {@code refused}.
     */
    private static final class RefusingStatementDataSource extends ForwardingDataSource {

        private final String refused;
        private final String message;

        RefusingStatementDataSource(DataSource delegate, String refused, String message) {
            super(delegate);
            this.refused = refused;
            this.message = message;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = pool.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        Object result = OtherProductDataSource.invoke(method, connection, args);
                        return result instanceof Statement statement
                                ? refusing(method.getReturnType(), statement, refused(args)) : result;
                    });
        }

        /** {@code statement} as its {@code type}, executing which throws where {@code prepared} was refused SQL. */
        private Object refusing(Class<?> type, Statement statement, boolean prepared) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                if (method.getName().startsWith("execute") && (prepared || refused(args))) {
                    throw new SQLException(message);
                }
                return OtherProductDataSource.invoke(method, statement, args);
            });
        }

        private boolean refused(Object @Nullable [] args) {
            return args != null && args.length > 0 && args[0] instanceof String sql && sql.contains(refused);
        }
    }

    /** H2's DataSource, whose connections' createStatement() throws a driver's error without a message. */
    private static final class UncountableDataSource extends ForwardingDataSource {

        UncountableDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = pool.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("createStatement")) {
                            throw new SQLException();
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}

package dev.jobq.scheduler.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobQueueException;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.net.SocketTimeoutException;
import java.nio.file.FileSystemException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.h2.api.ErrorCode;
import org.h2.jdbc.JdbcException;
import org.h2.util.Utils;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.TransactionalCallable;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.tools.jdbc.JDBCUtils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's database: its connections (a pool it owns, or the application's DataSource),
 * the schema brought up to date by Flyway, and a jOOQ context for H2 or PostgreSQL. Identifiers
 * are rendered unquoted, so the tables the scripts create in each database's own name case are
 * found on both.
 */
final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    static final String HISTORY_TABLE = "jobq_schema_history";
    /** The latest schema version this jobq brings: the highest of its migrations. */
    static final String SCHEMA_VERSION = "5";
    private static final String SCHEDULED_TABLE = "jobq_scheduled_job";
    private static final String DONE_TABLE = "jobq_scheduled_job_done";
    private static final String RECURRING_TABLE = "jobq_recurring_job";
    /**
     * jobq's tables, each with two columns it has had since the version that made it: a table of one of these names
     * without them is an application's.
     */
    private static final List<Map.Entry<String, List<String>>> JOBQ_COLUMNS = List.of(
            Map.entry(SCHEDULED_TABLE, List.of("scheduled_for", "status")),
            Map.entry(DONE_TABLE, List.of("id", "handed_on_at")),
            Map.entry(RECURRING_TABLE, List.of("schedule", "next_run_at")));
    static final String MIGRATIONS = "classpath:dev/jobq/scheduler/jdbc/migration";
    /**
     * The connections Flyway holds at once while it creates or checks the tables, at every start: one
     * for its lock and schema history, one for the migration (on PostgreSQL its lock is taken in the
     * migration's transaction; H2 has no single-connection mode either).
     */
    static final int MIGRATION_CONNECTIONS = 2;
    private static final String POOL_NAME = "jobq-scheduler";
    /** How often a migration that failed is tried in all, and the first pause between tries (doubling). */
    private static final int MIGRATE_TRIES = 6;
    private static final long FIRST_MIGRATE_PAUSE_MILLIS = 50;
    /**
     * How long a start waits for Flyway's lock on PostgreSQL (an advisory lock) while another process upgrades the
     * tables: Flyway's own default, set here so that the error can say it. Not tried again after it: each try waited
     * as long again, about five minutes in all without a line.
     */
    static final Duration FLYWAY_LOCK_WAIT = Duration.ofSeconds(50);
    /**
     * How many of a failure's chain of causes the scheduler reads, at most ({@link #causes}): a driver's chain is a few
     * deep; LoggableThrowables counts no further than 10,000 either.
     */
    static final int MAX_CAUSES = 1_000;
    /** The level {@link Connection#getTransactionIsolation} reports for H2's SNAPSHOT isolation. */
    private static final int H2_SNAPSHOT = 6;
    /** A message of H2's storage layer that is H2's version and an error code alone: " [2.4.240/105]". */
    private static final Pattern H2_CODE_ALONE = Pattern.compile("\\s*\\[[0-9.]+/-?[0-9]+]\\s*");
    /** H2's lock timeout in words of ours: H2's own message spells out the locked row, a job's payload too. */
    private static final String H2_LOCK_TIMED_OUT = "a row it needed stayed locked by another transaction longer "
            + "than H2's lock timeout; raise H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds), or find the "
            + "transaction that holds jobq_* rows so long";

    private final DataSource dataSource;
    private final SQLDialect dialect;
    private final org.jooq.conf.Settings jooqSettings;
    private final DSLContext dsl;
    private final String description;
    private final @Nullable HikariDataSource ownedPool;
    /** The connection that keeps an in-memory H2 database alive while the scheduler is open ({@link #keepingAlive}). */
    private final @Nullable Connection keeper;
    /**
     * The statement that bounds a claim's idle time and its lock waits within its own transaction, on
     * PostgreSQL through the application's DataSource (whose sessions are not the scheduler's to
     * change); null when the scheduler's own pool sets both for the session ({@link #pool}) or the
     * database is H2.
     */
    private final @Nullable String claimTimeoutInTransaction;
    /**
     * The statement that bounds lock waits within a transaction of the firing thread outside a claim
     * ({@link #bounded}), on PostgreSQL through the application's DataSource; null as above.
     */
    private final @Nullable String lockTimeoutInTransaction;
    /**
     * Whether a statement run on a connection of the DataSource outside {@link #transaction} is committed
     * by itself: false for an application's pool that hands out connections with auto-commit off, where
     * the firing thread's work outside a claim runs in a transaction of its own ({@link #bounded}).
     */
    private final boolean autoCommits;
    /**
     * Whether the application's DataSource hands out connections that read at REPEATABLE READ or SERIALIZABLE: then a
     * change in a transaction of its own ({@link #change}), a claim ({@link #claim}) and the firing thread's work in a
     * transaction of its own ({@link #bounded}) run at READ COMMITTED, as on the scheduler's own pool.
     */
    private final boolean stricterThanReadCommitted;
    private final Duration lockTimeout;

    private Database(DataSource dataSource, SQLDialect dialect, org.jooq.conf.Settings jooqSettings, String description,
                     @Nullable HikariDataSource ownedPool, @Nullable Connection keeper, Duration claimTimeout,
                     Duration lockTimeout, boolean autoCommits, boolean stricterThanReadCommitted) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jooqSettings = jooqSettings;
        this.dsl = DSL.using(dataSource, dialect, jooqSettings);
        this.description = description;
        this.ownedPool = ownedPool;
        this.keeper = keeper;
        boolean applicationsSessions = dialect == SQLDialect.POSTGRES && ownedPool == null;
        // One statement: both settings (and READ COMMITTED where the application's connections read at a stricter
        // level, see claim and bounded) cost a claim one round trip, as the first one alone did.
        String readCommitted = stricterThanReadCommitted ? "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; " : "";
        this.claimTimeoutInTransaction = applicationsSessions
                ? readCommitted + "SET LOCAL " + claimTimeoutSetting(claimTimeout) + "; SET LOCAL "
                        + lockTimeoutSetting(lockTimeout)
                : null;
        this.lockTimeoutInTransaction = applicationsSessions
                ? readCommitted + "SET LOCAL " + lockTimeoutSetting(lockTimeout) : null;
        this.lockTimeout = lockTimeout;
        this.autoCommits = autoCommits;
        this.stricterThanReadCommitted = stricterThanReadCommitted;
    }

    /**
     * PostgreSQL's setting that ends a session left idle inside a transaction for longer than
     * {@code claimTimeout}, rolling it back and releasing its row locks. A scheduler whose machine
     * vanishes mid-batch sends nothing more, and without it the server holds the batch's rows until
     * its TCP keepalive gives up on the connection (two hours on most systems).
     */
    static String claimTimeoutSetting(Duration claimTimeout) {
        return "idle_in_transaction_session_timeout = " + claimTimeout.toMillis();
    }

    /**
     * PostgreSQL's setting that makes a statement give up waiting for a lock another session holds
     * after {@code lockTimeout}: an operator's transaction left open on a jobq table would otherwise
     * hold the firing thread, and every due job behind it, until it ends.
     */
    static String lockTimeoutSetting(Duration lockTimeout) {
        return "lock_timeout = " + lockTimeout.toMillis();
    }

    /**
     * How long, in whole seconds, the scheduler's own connections wait for an answer from PostgreSQL
     * before they give the connection up (the driver's {@code socketTimeout}): longer than any statement
     * of the scheduler waits for a lock ({@code lockTimeout}) and than a claim may last at all
     * ({@code claimTimeout}, after which the server ends it anyway).
     */
    static long silentServerSeconds(JdbcSettings settings) {
        long millis = settings.claimTimeout().plus(settings.lockTimeout()).toMillis();
        return (millis + 999) / 1000;
    }

    /** Connects, checks the database kind and migrates the schema; closes what it opened if any step fails or throws. */
    static Database open(JdbcSettings settings) {
        HikariDataSource pool = settings.dataSource() == null
                ? pool(settings, settings.poolSize(), POOL_NAME, true) : null;
        DataSource dataSource = pool != null ? pool : settings.dataSource();
        String description = settings.database();
        @Nullable Connection keeper = null;
        try {
            keeper = pool != null ? keepingAlive(settings) : null;
            SQLDialect dialect = dialect(dataSource, description);
            if (pool != null) {
                // Connections of their own: the pool's sessions end after claimTimeout idle in a transaction,
                // which a migration must not (Flyway may hold one such while the other works), and a pool
                // of one would leave Flyway waiting for its second connection until the pool's timeout.
                HikariDataSource migrating = pool(settings, MIGRATION_CONNECTIONS, POOL_NAME + "-migration", false);
                try {
                    migrate(migrating, description, settings.lockTimeout(), dialect == SQLDialect.H2);
                } finally {
                    closeWhole(migrating);
                }
            } else {
                migrate(dataSource, description, settings.lockTimeout(), dialect == SQLDialect.H2);
            }
            var jooqSettings = new org.jooq.conf.Settings()
                    .withRenderQuotedNames(RenderQuotedNames.NEVER)
                    .withRenderNameCase(RenderNameCase.AS_IS)
                    .withRenderSchema(false)
                    .withExecuteLogging(false);
            boolean autoCommits = pool != null || autoCommits(dataSource, description);
            boolean stricter = pool == null && stricterThanReadCommitted(dataSource, description);
            return new Database(dataSource, dialect, jooqSettings, description, pool, keeper, settings.claimTimeout(),
                    settings.lockTimeout(), autoCommits, stricter);
        } catch (RuntimeException | Error e) {
            // An Error too (a class missing from the jar, OutOfMemoryError, StackOverflowError in the migration):
            // the caller has no Database to close, and the pool would keep its connections and threads.
            if (pool != null) {
                closeWhole(pool);
            }
            closeQuietly(keeper);
            throw e;
        }
    }

    /**
     * For {@code jdbc:h2:mem:NAME} without {@code DB_CLOSE_DELAY} (or the same on an H2 server,
     * {@code jdbc:h2:tcp://host/mem:NAME}): a connection of its own, held until {@link #close},
     * else null. H2 drops such a database, every job in it, when its last connection closes, and the pool closes each
     * of its connections after {@code maxLifetime} (30 minutes) before it opens the next: with one connection open, as
     * the pool keeps when idle, the scheduler went on in a new, empty database. Held outside the pool, so that it is no
     * connection fewer for the firing threads; the database still goes when the scheduler closes, as it did.
     */
    private static @Nullable Connection keepingAlive(JdbcSettings settings) {
        String url = settings.jdbcUrl().toLowerCase(Locale.ROOT);
        boolean inMemory = url.startsWith("jdbc:h2:mem:") || url.matches("jdbc:h2:(tcp|ssl)://[^/]*/mem:.*");
        if (!inMemory || url.contains(";db_close_delay=")) {
            return null;
        }
        var login = new java.util.Properties();
        if (settings.username() != null) {
            login.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            login.setProperty("password", settings.password());
        }
        try {
            return new org.h2.Driver().connect(settings.jdbcUrl(), login);
        } catch (SQLException e) {
            throw cannotConnect(settings.database(), e, settings.password());
        }
    }

    /**
     * Closes a pool of the scheduler's own, on an interrupted thread too (a start interrupted while it waited for
     * Flyway's lock, a close from a cancelled task): HikariCP's close() stops at its first wait when the thread is
     * interrupted, before it ends the pool's housekeeping thread, which was left running for good. The interrupt is
     * kept for the caller.
     */
    private static void closeWhole(HikariDataSource pool) {
        boolean interrupted = Thread.interrupted();
        try {
            pool.close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(@Nullable Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("scheduler: closing the connection that kept the in-memory H2 database failed",
                    LoggableThrowables.loggable(e));
        }
    }

    DSLContext dsl() {
        return dsl;
    }

    /** Whether it is PostgreSQL (else H2). */
    boolean postgres() {
        return dialect == SQLDialect.POSTGRES;
    }

    /**
     * Runs {@code work} in one transaction on one connection, committed when it returns, rolled back
     * when it throws. Managed here rather than by jOOQ's transaction provider, which asks the database
     * for the connection's isolation level at every begin: on PostgreSQL one more round trip per
     * transaction, and the firing thread runs a transaction per batch (B6, docs/benchmarks.md).
     */
    <T> T transaction(TransactionalCallable<T> work) {
        return transaction(work, null);
    }

    /**
     * As {@link #transaction}, for a transaction that locks due rows and holds them while it hands
     * them on: on PostgreSQL its idle time is bounded by the claim timeout, so that the rows of a
     * scheduler that vanished are freed for the others. At READ COMMITTED where the application's DataSource reads at a
     * stricter level, as {@link #change}: there a claim that met a row another scheduler (or a helper thread) handed
     * on after its snapshot failed whole, H2's two steps with "Deadlock detected", PostgreSQL's lock with a
     * serialization failure, and its pass with it.
     */
    <T> T claim(TransactionalCallable<T> work) {
        return stricterThanReadCommitted && dialect == SQLDialect.H2 ? readCommittedOnH2(work)
                : transaction(work, claimTimeoutInTransaction);
    }

    /** As {@link #transaction}, on H2 at READ COMMITTED ({@link #readCommitted}). */
    private <T> T readCommittedOnH2(TransactionalCallable<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return readCommitted(connection, work);
        } catch (SQLException e) {
            throw transactionFailed(e);
        }
    }

    /**
     * The error of a transaction that failed with {@code e}, its message {@code e}'s masked, escaped and cut as
     * {@link #rootMessage} writes a message: an application that logs the refusal with its trace sees it after
     * "Caused by:", and it repeated the driver's message raw, a line break, an ESC and a URL's password.
     */
    private DataAccessException transactionFailed(Throwable e) {
        String message = LoggableThrowables.messageOf(e);
        return new DataAccessException("transaction on " + description + " failed: " + LoggableThrowables.oneLine(
                Secrets.maskUrl(message != null ? message : LoggableThrowables.simpleName(e.getClass()))), e);
    }

    /**
     * Runs work of the firing thread outside a claim (the purge, the look for the next due row) so that
     * no statement of it waits longer than {@code lockTimeout} for another session's lock: as it is on
     * the scheduler's own pool and on H2, whose sessions have it set already; on an application's
     * DataSource on PostgreSQL in a transaction of its own that sets it. Such a transaction runs at READ COMMITTED
     * where the DataSource reads at a stricter level, as a {@link #claim}: there the purge's delete of rows another
     * scheduler purged since the read of their ids failed ("could not serialize access due to concurrent delete",
     * H2's "Deadlock detected").
     */
    <T> T bounded(java.util.function.Function<DSLContext, T> work) {
        if (lockTimeoutInTransaction == null && autoCommits) {
            return work.apply(dsl);
        }
        TransactionalCallable<T> inTransaction = tx -> work.apply(tx.dsl());
        return stricterThanReadCommitted && dialect == SQLDialect.H2 ? readCommittedOnH2(inTransaction)
                : transaction(inTransaction, lockTimeoutInTransaction);
    }

    /**
     * Runs a change the API was asked for ({@code schedule}, {@code registerRecurring}, {@code setRecurringEnabled})
     * on one connection of the DataSource: in a transaction of its own, as {@link #transaction}, where the connection
     * commits each statement; else in the transaction the connection is in, left to its holder to commit or roll
     * back. That is the application's, where its DataSource hands out the one of the calling thread (Spring's
     * transaction-aware DataSources): committing it here committed the application's work partway, and the
     * application's rollback then undid only what came after. On a pool with auto-commit off, called outside
     * such a transaction, the pool rolls the change back (the WARN at start, {@link #autoCommits}). A transaction of its
     * own reads at READ COMMITTED where the DataSource's connections read at a stricter level: schedule() looks for a
     * retried job's record again after its insert, and at REPEATABLE READ that look read the snapshot of the first one,
     * missing a hand-off committed in between (the job was handed on twice), or, at SERIALIZABLE on PostgreSQL, failed.
     */
    <T> T change(TransactionalCallable<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.getAutoCommit()) {
                return stricterThanReadCommitted ? readCommitted(connection, work) : transaction(connection, work, null);
            }
            return work.run(DSL.using(connection, dialect, jooqSettings).configuration());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw transactionFailed(e);
        }
    }

    /**
     * As {@link #transaction}, at READ COMMITTED: on PostgreSQL for that transaction only; on H2, whose {@code SET
     * TRANSACTION} sets the session's level, the session's level set and given back after. In SQL, not through
     * {@link Connection#setTransactionIsolation}: HikariCP resets a connection whose level was set that way, when it
     * comes back, to the level it read before its {@code connectionInitSql} ran, so a connection its init SQL set to
     * REPEATABLE READ went back to the pool at READ COMMITTED, and the application's next work on it read at that level.
     */
    private <T> T readCommitted(Connection connection, TransactionalCallable<T> work) throws SQLException {
        if (dialect == SQLDialect.POSTGRES) {
            return transaction(connection, work, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }
        String level = switch (connection.getTransactionIsolation()) {
            case Connection.TRANSACTION_REPEATABLE_READ -> "REPEATABLE READ";
            case H2_SNAPSHOT -> "SNAPSHOT";
            case Connection.TRANSACTION_SERIALIZABLE -> "SERIALIZABLE";
            default -> null;
        };
        if (level == null) {
            return transaction(connection, work, null);
        }
        setH2SessionLevel(connection, "READ COMMITTED");
        try {
            return transaction(connection, work, null);
        } finally {
            try {
                setH2SessionLevel(connection, level);
            } catch (SQLException e) {
                // The connection is broken; the pool evicts it when it comes back.
            }
        }
    }

    private static void setH2SessionLevel(Connection connection, String level) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + level);
        }
    }

    private <T> T transaction(TransactionalCallable<T> work, @Nullable String firstStatement) {
        try (Connection connection = dataSource.getConnection()) {
            return transaction(connection, work, firstStatement);
        } catch (SQLException e) {
            throw transactionFailed(e);
        }
    }

    private <T> T transaction(Connection connection, TransactionalCallable<T> work, @Nullable String firstStatement)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            if (firstStatement != null) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(firstStatement);
                }
            }
            T result = work.run(DSL.using(connection, dialect, jooqSettings).configuration());
            connection.commit();
            return result;
        } catch (Throwable e) {
            rollback(connection, e);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e instanceof Error error) {
                throw error;
            }
            throw transactionFailed(e);
        } finally {
            restoreAutoCommit(connection, autoCommit);
        }
    }

    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // The connection is broken; the pool resets or evicts it when it comes back.
        }
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** "PostgreSQL at db:5432/jobs" or "the given HikariDataSource", for messages. */
    String description() {
        return description;
    }

    /**
     * An error for the user: what failed, on which database and the database's reason; what to check
     * only when the reason is the connection, the login, the user's rights or a lock wait (for any other
     * the database's own message says more than advice could). H2's lock timeout gets a message of its
     * own and no cause ({@link #withoutTheRow}): H2's message and its causes spell out the locked row, a job's
     * payload too, and an application logs an exception with its causes.
     */
    JobQueueException failure(String action, DataAccessException e) {
        if (dialect == SQLDialect.H2 && h2LockTimedOut(e)) {
            return withoutTheRow("scheduler: " + action + " failed on " + description + ": " + H2_LOCK_TIMED_OUT, e);
        }
        return new JobQueueException("scheduler: " + action + " failed on " + description + ": " + rootMessage(e)
                + advice(e), e);
    }

    /**
     * {@code e} as the firing thread logs it, trace and all, and {@code /health} shows it: itself, but for H2's lock
     * timeout, whose message and causes spell out the locked row, a job's payload too. That one becomes an error
     * saying what happened and the setting to raise, with {@code e}'s stack trace and no cause, so that neither the
     * line nor the trace under it has the row.
     */
    RuntimeException withoutLockedRow(RuntimeException e) {
        if (dialect != SQLDialect.H2 || !h2LockTimedOut(e)) {
            return e;
        }
        return withoutTheRow(H2_LOCK_TIMED_OUT, e);
    }

    /**
     * An error in our words with {@code e}'s stack trace and neither {@code e} as its cause nor its suppressed ones,
     * whose messages (H2's lock timeout) spell out the locked row: a caller's {@code log.error("...", error)} prints
     * the causes too.
     */
    private static JobQueueException withoutTheRow(String message, RuntimeException e) {
        var shown = new JobQueueException(message);
        shown.setStackTrace(e.getStackTrace());
        return shown;
    }

    /**
     * As {@link #failure}, for {@code cancel(jobId)}: a lock wait there is most likely the hand-off of that very
     * job, which holds its row until the job's queue has taken it, as long as the provider takes to answer; not
     * an operator's session, which the general advice sends the user looking for.
     */
    JobQueueException cancelFailure(String jobId, DataAccessException e) {
        return behindHandOffFailure("cancelling job " + JdbcJobScheduler.shownId(jobId), "it is",
                "call cancel again once the hand-off ends (false then means the job was handed on: status ENQUEUED)",
                "cancel", e);
    }

    /**
     * As {@link #cancelFailure}, for registering, enabling, disabling or deleting the recurring job {@code action}
     * names ({@code verb}: register, enable, ...): the hand-off of one of its occurrences holds its row the same way.
     */
    JobQueueException recurringChangeFailure(String action, String verb, DataAccessException e) {
        return behindHandOffFailure(action, "an occurrence of it is", verb + " it again once the hand-off ends", verb,
                e);
    }

    private JobQueueException behindHandOffFailure(String action, String handedOn, String again, String verb,
                                                   DataAccessException e) {
        String failed = "scheduler: " + action + " failed on " + description;
        if (dialect == SQLDialect.H2 && h2LockTimedOut(e)) {
            return withoutTheRow(failed + behindHandOff(handedOn, again, verb, "H2's lock timeout", "",
                    "H2's LOCK_TIMEOUT in the jdbcUrl (in milliseconds)"), e);
        }
        if (!lockTimedOut(e)) {
            return failure(action, e);
        }
        String setting = ownedPool != null ? "scheduler.lockTimeout" : "the DataSource's lock_timeout";
        String bound = ownedPool != null ? "lockTimeout (" + DurationFormat.format(lockTimeout) + ")" : setting;
        return new JobQueueException(failed + ": " + rootMessage(e)
                + behindHandOff(handedOn, again, verb, bound, " (see pg_stat_activity)", setting), e);
    }

    /** What a change that waited out {@code bound} on a row a hand-off holds tells the user, and the setting to raise. */
    private static String behindHandOff(String handedOn, String again, String verb, String bound,
                                        String findOtherSession, String setting) {
        return "; its row stayed locked longer than " + bound + ": most likely " + handedOn + " being handed on to its "
                + "queue now (the hand-off holds the row until the queue has taken the job, as long as its provider "
                + "takes to answer), else another session holds it" + findOtherSession + "; " + again + ", or raise "
                + setting + " so that " + verb + " waits for it";
    }

    /**
     * By SQLState: class 08 the connection, 57P the server shutting down, class 28 the login, 42501 the
     * user's rights, 55P03 a lock wait; else nothing.
     * A pool that had no free connection is not the database's fault and says so first.
     */
    private String advice(Throwable e) {
        if (noFreeConnection(e)) {
            return ownedPool != null
                    ? "; every connection of the scheduler's pool (poolSize " + ownedPool.getMaximumPoolSize() + ") was in "
                            + "use for the pool's whole timeout: raise scheduler.poolSize, or lower fireThreads (each "
                            + "holds one while it hands jobs on)"
                    : "; every connection of " + description + " was in use for its whole timeout: give its pool more "
                            + "connections (the scheduler holds up to fireThreads of them while it hands jobs on)";
        }
        for (Throwable t : causes(e)) {
            String state = t instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
            // A pool's timeout may carry no SQLState, only the JDBC class that stands for class 08.
            if (state.startsWith("08") || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException) {
                return "; check that the database is reachable";
            }
            // 57P01-57P03: the server ended the session as it shut down or crashed, or is still starting.
            if (state.startsWith("57P")) {
                // The driver's text, escaped and cut: PostgreSQL's are five characters, an application's DataSource's
                // or a proxy's may be anything after "57P"
                return "; the database server was shut down or restarted (SQLState " + UntrustedText.escape(state, 40)
                        + "); check that the database is reachable";
            }
            if (state.startsWith("28")) {
                return "; check the scheduler's username and password";
            }
            if (state.equals("55P03")) {
                return "; another session holds a lock on a jobq_* table and kept it longer than "
                        + (ownedPool != null ? "lockTimeout (" + DurationFormat.format(lockTimeout) + ")"
                                : "the lock timeout (lockTimeout, " + DurationFormat.format(lockTimeout)
                                        + ", in the firing thread's transactions; else the DataSource's lock_timeout)")
                        + ": look for it in pg_stat_activity (a transaction left open, 'idle in transaction', or a "
                        + "table change waiting behind one)";
            }
            if (state.equals("42501")) {
                return "; check that the scheduler's user may read and write the jobq_* tables";
            }
        }
        return "";
    }

    /**
     * A pool's timeout while every connection was in use: a transient connection error with neither an
     * SQLState nor a cause (HikariCP gives one that could not connect the driver's error as both).
     */
    private static boolean noFreeConnection(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof SQLTransientConnectionException timeout && timeout.getSQLState() == null
                    && timeout.getCause() == null) {
                return true;
            }
        }
        return false;
    }

    /** H2's lock timeout: a row or table another transaction holds longer than the session's LOCK_TIMEOUT. */
    private static boolean h2LockTimedOut(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof JdbcException && t instanceof SQLException sql
                    && sql.getErrorCode() == ErrorCode.LOCK_TIMEOUT_1) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} is Flyway's end of its wait for its lock on PostgreSQL: "Number of retries exceeded while
     * attempting to acquire PostgreSQL advisory lock", or "Interrupted while attempting to acquire …".
     */
    private static boolean flywaysLockNotTaken(Throwable e) {
        for (Throwable t : causes(e)) {
            String message = LoggableThrowables.messageOf(t);
            if (message != null && message.contains("while attempting to acquire PostgreSQL advisory")) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} or one of its causes is a {@code type}. */
    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t : causes(e)) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL's lock_not_available (55P03): a statement gave up waiting for another session's lock. */
    private static boolean lockTimedOut(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} says the connection was lost (SQLState class 08) or that PostgreSQL ended a session idle in a
     * transaction (25P03): the driver reports that end as a lost connection once the server has closed it.
     */
    static boolean connectionLost(Throwable e) {
        for (Throwable t : causes(e)) {
            String state = t instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
            if (state.startsWith("08") || state.equals("25P03")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} says the driver gave up waiting for the server's answer ({@code socketTimeout}): a statement
     * was under way, so the session was not idle in its transaction, and the server did not end it for that.
     */
    static boolean answerTimedOut(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code e} and its causes, each once, at most {@value #MAX_CAUSES} of them: the chain may be a cycle (A caused by
     * B caused by A, which Throwable.initCause allows), which the walks here, to the root cause or to a cause of a
     * kind, followed for ever, the firing thread with them; a getCause() that makes a new cause at each call never
     * ends; and one that throws ends the chain ({@link LoggableThrowables#causeOf}). Walked on failures only.
     */
    static List<Throwable> causes(Throwable e) {
        var chain = new ArrayList<Throwable>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && chain.size() < MAX_CAUSES && seen.add(t);
                t = LoggableThrowables.causeOf(t)) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * The message of {@code e}'s root cause ({@link #rawRootMessage}) as one line, any URL and secret parameter in it
     * {@linkplain Secrets#maskUrl masked}, then {@linkplain LoggableThrowables#oneLine escaped and cut}: a driver's
     * message is outside text (H2's goes on with the statement after a line break, PostgreSQL's with its Detail, and
     * either may quote a value the application stored, or the URL it was given, its password in it), which
     * firingProblem() and the WARNs gave as it was, a line break, an ESC, a password and 10 MB of it. Masked first,
     * on the raw text: a URL cut inside its password no longer has the '@' its mask looks for.
     */
    static String rootMessage(Throwable e) {
        return LoggableThrowables.oneLine(Secrets.maskUrl(rawRootMessage(e)));
    }

    /**
     * The message of {@code e}'s root cause (or of the driver's error above it, where that says more), each read
     * through {@link LoggableThrowables#messageOf}: a getMessage() that throws (an application's DataSource's error)
     * is said as such, where its own exception's message stood as the failure's reason. As it is: for what reads
     * or masks the message before it is {@linkplain LoggableThrowables#oneLine made one line}.
     */
    private static String rawRootMessage(Throwable e) {
        List<Throwable> chain = causes(e);
        Throwable root = chain.getLast();
        String rootMessage = LoggableThrowables.messageOf(root);
        String aboveMessage = chain.size() > 1 ? LoggableThrowables.messageOf(chain.get(chain.size() - 2)) : null;
        if (root instanceof FileSystemException file && file.getReason() == null && aboveMessage != null) {
            // java.nio's error says only the path (FileAlreadyExistsException: /srv/data); the driver's above it says
            // what happened to it (H2's "Error while creating file "/srv/data (a file with this name already exists)")
            return aboveMessage;
        }
        if (rootMessage != null && H2_CODE_ALONE.matcher(rootMessage).matches() && aboveMessage != null) {
            // H2's storage layer's error under its JDBC one may say no more than H2's version and its code
            // (" [2.4.240/105]" under "Deadlock detected. ..."): the JDBC one's first line says what happened
            return withoutH2Statement(aboveMessage);
        }
        return rootMessage != null ? rootMessage : LoggableThrowables.simpleName(root.getClass());
    }

    /** The first line of an H2 error's message, without the "SQL statement:" that leads into the next. */
    private static String withoutH2Statement(String message) {
        return message.lines().findFirst().orElse("").replaceFirst(";? ?SQL statement:$", "");
    }

    /**
     * An embedded H2 file writes a commit to the file up to its {@code WRITE_DELAY} (500 ms) later, so
     * a process killed meanwhile (kill -9, the OOM killer) lost a job whose {@code schedule(...)} had
     * returned, and a hand-off it had recorded. {@code WRITE_DELAY=0} writes each commit at once; a
     * URL that sets it, and any other kind of URL, is left as it is.
     */
    static String writingEachCommit(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || url.startsWith("jdbc:h2:tcp:")
                || url.startsWith("jdbc:h2:ssl:") || url.contains(";write_delay=")) {
            return jdbcUrl;
        }
        return jdbcUrl + ";WRITE_DELAY=0";
    }

    /**
     * An embedded H2 database closes itself in a shutdown hook of H2's own ({@code DB_CLOSE_ON_EXIT}, on by default),
     * and shutdown hooks run at once, in no order: the scheduler still firing, or an application closing its queue
     * from its own hook (Spring's context on SIGTERM), met "Database is already closed" (a WARN with a stack trace
     * from {@code jobq demo} stopped with Ctrl-C). {@code DB_CLOSE_ON_EXIT=FALSE} leaves the closing to the scheduler's
     * {@code close()}, whose pool takes the database's last connections with it; a process that exits without
     * closing its queue leaves the file as a kill does, which {@link #writingEachCommit} makes lose no commit. A URL
     * that sets it, and any other kind of URL, is left as it is; so is one with {@code AUTO_SERVER=TRUE} (the way
     * the "another process has the file open" error offers to share a file), which H2 refuses beside
     * {@code DB_CLOSE_ON_EXIT=FALSE} ("Feature not supported"): its file is closed by the scheduler's {@code close()}
     * as well, as the last connection goes, or else by H2's hook.
     */
    static String closedByTheScheduler(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || url.startsWith("jdbc:h2:tcp:")
                || url.startsWith("jdbc:h2:ssl:") || url.contains(";db_close_on_exit=") || autoServer(url)) {
            return jdbcUrl;
        }
        return jdbcUrl + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Whether an H2 URL (in lower case) turns AUTO_SERVER on, read as H2 reads it: true, yes, 1, t or y, in any case
     * ({@code on}, or a value with a space, H2 reads as false, and takes beside {@code DB_CLOSE_ON_EXIT=FALSE}).
     */
    private static boolean autoServer(String url) {
        for (String setting : url.split(";")) {
            if (setting.startsWith("auto_server=")
                    && Utils.parseBoolean(setting.substring("auto_server=".length()), false, false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A pool from the settings' URL; {@code claims} when its connections claim due rows, which on
     * PostgreSQL then end a session left idle in a transaction for longer than the claim timeout.
     */
    private static HikariDataSource pool(JdbcSettings settings, int size, String name, boolean claims) {
        var config = new HikariConfig();
        config.setJdbcUrl(closedByTheScheduler(writingEachCommit(settings.jdbcUrl())));
        if (settings.username() != null) {
            config.setUsername(settings.username());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setPoolName(name);
        config.setAutoCommit(true);
        // Whatever the database's default (ALTER DATABASE … SET default_transaction_isolation): schedule()'s second
        // look for a retried job's record must see a hand-off committed after its first. HikariCP sets the level on a
        // new connection only where it differs from the driver's, so a default of READ COMMITTED costs nothing.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        boolean postgres = settings.jdbcUrl().strip().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:");
        if (postgres && !claims) {
            // An upgrade that waits for a table behind another session's transaction would hang the start,
            // and queue every other session's statement on that table behind its own wait.
            config.setConnectionInitSql("SET " + lockTimeoutSetting(settings.lockTimeout()));
        }
        if (postgres && claims) {
            // For the session, not per claim: no round trip per batch (B6, docs/benchmarks.md).
            config.setConnectionInitSql("SET " + claimTimeoutSetting(settings.claimTimeout()) + "; SET "
                    + lockTimeoutSetting(settings.lockTimeout()));
            // A server that falls silent (its machine gone, every packet dropped) sends no error, and the
            // firing thread would wait for its answer for good; a URL that sets socketTimeout keeps its own.
            config.addDataSourceProperty("socketTimeout", String.valueOf(silentServerSeconds(settings)));
        }
        // Fail at build time with the driver's reason, not later on the first schedule().
        config.setInitializationFailTimeout(1);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw cannotConnect(settings.database(), e, settings.password());
        }
    }

    /**
     * Whether the application's DataSource hands out connections that read at a level stricter than READ COMMITTED
     * (REPEATABLE READ, SERIALIZABLE): asked once, at start, so that only such a DataSource pays for the change of
     * level in {@link #change}.
     */
    private static boolean stricterThanReadCommitted(DataSource dataSource, String description) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.getTransactionIsolation() > Connection.TRANSACTION_READ_COMMITTED;
        } catch (SQLException e) {
            throw cannotConnect(description, e, null);
        }
    }

    /**
     * Whether the application's DataSource hands out connections that commit each statement; when not,
     * says at start what that loses. What the API writes (schedule(), cancel(), the recurring job's register,
     * enable, disable and delete) runs on the DataSource so that it joins a transaction of the application's
     * where its DataSource hands one out (docs/scheduler.md, {@link #change}); outside one, a pool with auto-commit
     * off rolls it back when the connection returns, and the id schedule() returned names a job never stored.
     */
    private static boolean autoCommits(DataSource dataSource, String description) {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.getAutoCommit()) {
                return true;
            }
        } catch (SQLException e) {
            throw cannotConnect(description, e, null);
        }
        log.warn("scheduler: {} hands out connections with auto-commit off, so what schedule(), cancel(), "
                + "registerRecurring(), enableRecurring(), disableRecurring() and deleteRecurring() write is "
                + "committed only by a transaction of the application's around the call; "
                + "called outside one, the pool rolls it back when the connection returns (a job scheduled that way "
                + "is lost): turn auto-commit on in the pool (Hikari: autoCommit=true), or give the scheduler its "
                + "own jdbcUrl, or call those inside the application's transactions", description);
        return false;
    }

    private static SQLDialect dialect(DataSource dataSource, String description) {
        try (Connection connection = dataSource.getConnection()) {
            SQLDialect dialect = JDBCUtils.dialect(connection).family();
            if (dialect != SQLDialect.H2 && dialect != SQLDialect.POSTGRES) {
                throw new JobQueueException("scheduler: " + description + " is a " + product(connection)
                        + "; the jdbc scheduler runs on H2 and PostgreSQL only");
            }
            return dialect;
        } catch (SQLException e) {
            throw cannotConnect(description, e, null);
        }
    }

    /**
     * The database its driver names, quoted, escaped and cut: a driver's text, which may be anything. A name that is
     * none, null or blank, is said so rather than shown as {@code ""}.
     */
    private static String product(Connection connection) throws SQLException {
        String name = connection.getMetaData().getDatabaseProductName();
        return name == null || name.isBlank()
                ? "database whose driver names no product (DatabaseMetaData.getDatabaseProductName() gave none)"
                : UntrustedText.quote(name, 80) + " database";
    }

    /**
     * The driver's reason, shown with any URL in it masked and without {@code password}: a driver
     * or pool message may repeat what it was given.
     */
    private static JobQueueException cannotConnect(String description, Exception e, @Nullable String password) {
        SQLException inUse = h2FileInUse(e);
        if (inUse != null) {
            return new JobQueueException("scheduler: cannot open " + description + ": another process has the file "
                    + "open (" + inUse.getMessage() + "); an H2 file serves one process at a time: stop the other "
                    + "process, point the scheduler at another file, or share one store between processes with "
                    + "PostgreSQL or an H2 server (jdbc:h2:tcp://…, or AUTO_SERVER=TRUE in the URL of every process "
                    + "that opens the file, the one that has it open now included)", e);
        }
        // an H2 file whose path cannot be made (java.nio's error under H2's) has no user, password or server to check
        String check = fileSystemError(e) ? "the path in scheduler.jdbcUrl: the user running jobq "
                + "must be able to create each directory on it and write there (a file where a directory should be "
                + "stands in the way)" : "scheduler.jdbcUrl, username and password, and that the database is running";
        // masked before the cut (a URL cut inside its password no longer has the '@' its mask looks for), escaped last
        String reason = Secrets.without(Secrets.maskUrl(rawRootMessage(e)), password);
        return new JobQueueException("scheduler: cannot connect to " + description + ": "
                + LoggableThrowables.oneLine(reason) + "; check " + check, e);
    }

    /** Whether a cause of {@code e} is java.nio's error for a path: one an H2 file's directory cannot be made at. */
    private static boolean fileSystemError(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof FileSystemException) {
                return true;
            }
        }
        return false;
    }

    /** H2's "database may be already in use", found by its error code: the file is locked by another process. */
    private static @Nullable SQLException h2FileInUse(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof JdbcException && t instanceof SQLException sql
                    && sql.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                return sql;
            }
        }
        return null;
    }

    /**
     * Brings the schema up to date. Schedulers starting at once on a new database race for it:
     * one creates Flyway's history table, and another, finding the table there but still empty,
     * refuses to baseline it ("already exists, and is empty"), or both create it. So a failure is
     * tried again a few times after a short pause (Flyway itself then sees the first one's work, and
     * its lock orders the rest); a failure that stays, such as missing rights, is reported after
     * about 1.5 s. A version recorded as failed is reported at once: trying again cannot mend it;
     * except on H2 a version whose leftovers {@link InterruptedUpgradesOnH2} clears (a start before it
     * ran the version again over a killed process's work, and recorded it failed): its record is
     * repaired away once, and the version runs again.
     */
    private static void migrate(DataSource dataSource, String description, Duration lockTimeout, boolean h2) {
        refuseTablesWithoutHistory(dataSource, description);
        boolean repaired = false;
        long pause = FIRST_MIGRATE_PAUSE_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                warnIfNewer(flyway(dataSource).migrate(), description);
                return;
            } catch (FlywayException e) {
                if (causedBy(e, InterruptedException.class)) {
                    // Flyway's wait for its lock took the interrupt (its flag cleared): tried again, the start went on
                    // waiting, and the next try read the interrupt as missing CREATE rights
                    Thread.currentThread().interrupt();
                    throw new JobQueueException("scheduler: interrupted while creating or upgrading the jobq_* tables "
                            + "on " + description + (flywaysLockNotTaken(e) ? ", waiting for Flyway's lock" : ""), e);
                }
                if (flywaysLockNotTaken(e)) {
                    throw new JobQueueException("scheduler: creating or upgrading the jobq_* tables on " + description
                            + " waited " + DurationFormat.format(FLYWAY_LOCK_WAIT) + " for Flyway's lock (a PostgreSQL "
                            + "advisory lock), which another session held all that time: most likely another process "
                            + "upgrading the tables (a newer jobq's first start; an upgrade of a large table takes "
                            + "longer), else a process stuck while it held the lock. See who holds it with SELECT pid, "
                            + "state, backend_start, query FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE "
                            + "locktype = 'advisory', and start again once that upgrade has ended (a stuck session: "
                            + "end it with pg_terminate_backend)", e);
                }
                if (lockTimedOut(e)) {
                    throw new JobQueueException("scheduler: upgrading the jobq_* tables on " + description + " failed: "
                            + rootMessage(e) + "; another session holds a lock on a jobq_* table and kept it longer "
                            + "than lockTimeout (" + DurationFormat.format(lockTimeout) + "), and an upgrade needs the "
                            + "tables to itself for a moment: end that session (see pg_stat_activity: a transaction "
                            + "left open, 'idle in transaction'), or wait for it, and start again", e);
                }
                if (h2 && h2LockTimedOut(e)) {
                    // Not "half made": version 4 waited for a row (an older jobq's hand-off on a shared H2 server),
                    // and the next start runs it again. H2's message spells out that row, a job's payload too.
                    throw withoutTheRow("scheduler: upgrading the jobq_* tables on " + description + " failed: "
                            + H2_LOCK_TIMED_OUT + "; the next start upgrades them again", e);
                }
                if (noFreeConnection(e)) {
                    throw new JobQueueException("scheduler: creating or checking the jobq_* tables on " + description
                            + " found no free connection: " + rootMessage(e) + "; Flyway holds two connections at once "
                            + "while it does, at every start: give the pool at least two, both free when the queue is "
                            + "built", e);
                }
                MigrationInfo failed = failedVersion(dataSource);
                if (failed != null && !repaired && h2
                        && InterruptedUpgradesOnH2.RERUNNABLE.contains(failed.getVersion())) {
                    // Recorded as failed by a start before this one (run again over a kill's leftovers, before
                    // InterruptedUpgradesOnH2 cleared them): the record goes, and the version runs again.
                    log.warn("scheduler: schema version {} ({}) on {} is recorded as failed; a process was stopped "
                            + "while it upgraded the tables: running it again", failed.getVersion(),
                            descriptionOf(failed), description);
                    flyway(dataSource).repair();
                    repaired = true;
                    continue;
                }
                if (failed != null) {
                    throw halfMade(failed, description, e);
                }
                if (attempt >= MIGRATE_TRIES) {
                    throw new JobQueueException("scheduler: creating or upgrading the jobq_* tables on " + description
                            + " failed: " + rootMessage(e) + "; the scheduler's user needs CREATE rights on its "
                            + "schema the first time (history table " + HISTORY_TABLE + "), and to own the jobq_* "
                            + "tables when a newer jobq brings a new schema version: start it once as their owner, "
                            + "or make the scheduler's user their owner", e);
                }
                log.debug("scheduler: migrating {} failed (try {} of {}), trying again in {} ms: {}", description,
                        attempt, MIGRATE_TRIES, pause, rootMessage(e));
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new JobQueueException("scheduler: interrupted while creating or upgrading the jobq_* "
                            + "tables on " + description, interrupted);
                }
                pause *= 2;
            }
        }
    }

    /**
     * Says so when a newer jobq has brought the tables to a schema version this one does not know (a
     * rolling deploy, or this process rolled back): Flyway passes over such a version with a warning of
     * its own that names no way out. This process works on them, as each version keeps the code of the
     * release before it working; the release before that is not promised to.
     */
    private static void warnIfNewer(MigrateResult result, String description) {
        String found = result.initialSchemaVersion;
        if (found == null || MigrationVersion.fromVersion(found).compareTo(MigrationVersion.fromVersion(
                SCHEMA_VERSION)) <= 0) {
            return;
        }
        log.warn("scheduler: the jobq_* tables on {} are at schema version {}, newer than this jobq's {}: a newer "
                + "jobq has upgraded them. This process works on them while the newer one rolls out (each schema "
                + "version keeps the release before it working); upgrade this process too (docs/scheduler.md, "
                + "Upgrading)", description, found, SCHEMA_VERSION);
    }

    /**
     * Refuses to start on {@code jobq_*} tables whose history table is gone (an operator cleaning up
     * dropped it, or the tables were copied without it). Flyway would take the schema for one of
     * the application's, start a history at version 0 beside them and run version 1 over them: on
     * PostgreSQL it fails on the first table, which the message read as missing CREATE rights; on H2
     * it records version 1 as failed, whose advice ("drop what version 1 created") drops the jobs.
     */
    private static void refuseTablesWithoutHistory(DataSource dataSource, String description) {
        try (Connection connection = dataSource.getConnection()) {
            String schema = connection.getSchema();
            if (schema == null) {
                // No schema on the connection's search_path exists yet (currentSchema=jobq on a first start, which
                // Flyway makes): no jobq_* table can be there. Asked with a null schema, the driver read every
                // schema, and an application's table of a jobq name in public refused the start.
                return;
            }
            Set<String> tables = new HashSet<>();
            try (ResultSet rows = connection.getMetaData().getTables(connection.getCatalog(), schema,
                    "%", new String[] {"TABLE"})) {
                while (rows.next()) {
                    tables.add(rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (tables.contains(HISTORY_TABLE)
                    || JOBQ_COLUMNS.stream().map(Map.Entry::getKey).noneMatch(tables::contains)) {
                return;
            }
            for (var table : JOBQ_COLUMNS) {
                if (tables.contains(table.getKey())
                        && !jobqsShape(connection, schema, table.getKey(), table.getValue())) {
                    throw new JobQueueException("scheduler: schema '" + schema + "' on " + description + ", where jobq "
                            + "would create its tables (the first schema on the connection's search_path that exists), "
                            + "holds a table named " + table.getKey() + " that is not jobq's (jobq's has columns "
                            + String.join(" and ", table.getValue()) + ") and no " + HISTORY_TABLE + ": jobq leaves it "
                            + "as it is and does not start there. Give jobq a schema of its own: currentSchema=jobq in "
                            + "the URL, which the first start creates when no schema listed before it exists; listed "
                            + "with others (such as currentSchema=jobq,public), create it first (CREATE SCHEMA jobq)");
                }
            }
            throw new JobQueueException("scheduler: the jobq_* tables on " + description + " are there, but not their "
                    + "schema history, table " + HISTORY_TABLE + " (dropped, or the tables were copied without it): "
                    + "jobq cannot tell which schema version they are at, and leaves them as they are. "
                    + held(connection, tables) + ". To start afresh, drop the jobq_* tables (" + SCHEDULED_TABLE + ", "
                    + DONE_TABLE + ", " + RECURRING_TABLE + "; their jobs are lost) and start again; to keep the "
                    + "jobs, restore " + HISTORY_TABLE + " from a backup of this database taken with the tables");
        } catch (SQLException e) {
            // Flyway meets the same trouble next, and reports it. Made log-safe, as at every DEBUG line with a driver's
            // error: one whose getMessage() throws threw out of logback, and out of the start.
            log.debug("scheduler: looking for the jobq_* tables on {} failed", description,
                    LoggableThrowables.loggable(e));
        }
    }

    /**
     * Whether {@code table} in {@code schema} has {@code expected}, columns jobq's has had since the version that made
     * it: one that has not is the application's, which the advice for jobq's tables without their history (drop them,
     * "their jobs are lost") would have had dropped.
     */
    private static boolean jobqsShape(Connection connection, String schema, String table, List<String> expected)
            throws SQLException {
        Set<String> columns = new HashSet<>();
        try (ResultSet rows = connection.getMetaData().getColumns(connection.getCatalog(), schema, table, "%")) {
            while (rows.next()) {
                columns.add(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        if (columns.isEmpty()) { // stored upper-case (H2 unquoted): asked again as such
            try (ResultSet rows = connection.getMetaData().getColumns(connection.getCatalog(), schema,
                    table.toUpperCase(Locale.ROOT), "%")) {
                while (rows.next()) {
                    columns.add(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
        }
        return columns.containsAll(expected);
    }

    /**
     * "They hold 1 waiting one-time job and 1 recurring job", from the tables there are; else why they could not be
     * counted: the first line of the driver's error, read through {@link LoggableThrowables#messageOf} (one without
     * a message, or whose getMessage() threw, ended the start with a NullPointerException, not this refusal), else
     * its class.
     */
    private static String held(Connection connection, Set<String> tables) {
        try {
            return counted(connection, tables);
        } catch (SQLException e) {
            String message = LoggableThrowables.messageOf(e);
            return "What they hold could not be counted (" + (message == null || message.isBlank()
                    ? LoggableThrowables.simpleName(e.getClass())
                    : LoggableThrowables.oneLine(Secrets.maskUrl(message.lines().findFirst().orElse("")))) + ")";
        }
    }

    private static String counted(Connection connection, Set<String> tables) throws SQLException {
        // Only the tables there are: an operator may have dropped jobq_scheduled_job with the history, and kept the rest
        long waiting = tables.contains(SCHEDULED_TABLE)
                ? count(connection, "SELECT COUNT(*) FROM " + SCHEDULED_TABLE + " WHERE status = 'SCHEDULED'") : 0;
        String held = "They hold " + waiting + " waiting one-time job" + (waiting == 1 ? "" : "s");
        if (tables.contains(RECURRING_TABLE)) {
            long recurring = count(connection, "SELECT COUNT(*) FROM " + RECURRING_TABLE);
            held += " and " + recurring + " recurring job" + (recurring == 1 ? "" : "s");
        }
        return held;
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    /**
     * The schema version {@value #HISTORY_TABLE} records as failed, if any. Only where table changes
     * cannot be rolled back (H2: each one commits) does a migration that stopped half way leave one:
     * its process was killed while creating or upgrading the tables, or a table it creates was there.
     */
    private static @Nullable MigrationInfo failedVersion(DataSource dataSource) {
        try {
            for (MigrationInfo migration : flyway(dataSource).info().all()) {
                if (migration.getState().isFailed()) {
                    return migration;
                }
            }
        } catch (RuntimeException e) {
            log.debug("scheduler: reading the schema history after a failed migration failed too",
                    LoggableThrowables.loggable(e));
        }
        return null;
    }

    /**
     * The description of {@code migration} as a refusal or a WARN shows it, {@linkplain UntrustedText#escape escaped}:
     * for a version applied or failed, Flyway reads it from its row of {@value #HISTORY_TABLE}, which holds whatever
     * was written there (a line break, an ESC that recoloured the terminal). Its version is Flyway's parse of the
     * row's, digits and dots only.
     */
    private static String descriptionOf(MigrationInfo migration) {
        return UntrustedText.escape(migration.getDescription());
    }

    private static JobQueueException halfMade(MigrationInfo failed, String description, FlywayException e) {
        // The first line: H2 goes on with the whole statement, Flyway's validation with its own advice. Masked first,
        // as rootMessage is: a driver's message may repeat the URL it was given, its password in it.
        String error = LoggableThrowables.oneLine(withoutH2Statement(Secrets.maskUrl(rawRootMessage(e))));
        return new JobQueueException("scheduler: the jobq_* tables on " + description + " are half made: schema "
                + "version " + failed.getVersion() + " (" + descriptionOf(failed) + ") is recorded as failed in "
                + HISTORY_TABLE + " (" + error + "). A process stopped while it created or upgraded them "
                + "(on H2 each table change commits on its own), or tables of those names were already there. "
                + "If the scheduler holds no jobs yet, delete the database (for an H2 file, its .mv.db file) or drop "
                + "the jobq_* tables and " + HISTORY_TABLE + "; otherwise drop what version " + failed.getVersion()
                + " created and delete its row (success false) from " + HISTORY_TABLE + ". Then start again", e);
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .lockRetryCount((int) FLYWAY_LOCK_WAIT.toSeconds()) // Flyway tries its lock once a second
                .table(HISTORY_TABLE)
                .locations(MIGRATIONS)
                .javaMigrations(new PartialIndexesOnPostgres())
                .callbacks(new InterruptedUpgradesOnH2(), new MarksHeldDuringVersion4())
                // The application's own tables may share the schema: start our history at 0 there.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }

    @Override
    public void close() {
        if (ownedPool != null) {
            closeWhole(ownedPool);
        }
        closeQuietly(keeper);
    }
}

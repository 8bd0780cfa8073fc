package dev.jobq.scheduler.jdbc;

import dev.jobq.RecurringJob;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@code jdbc} scheduler: one-time and recurring jobs held in H2 or PostgreSQL and handed to
 * the queue exactly once when due, however many processes share the database. Settings of the
 * {@code scheduler:} section (all optional):
 *
 * <pre>{@code
 * scheduler:
 *   enabled: true                       # whether this process fires due jobs (read by the core)
 *   jdbcUrl: jdbc:h2:file:./data/jobq   # or jdbc:postgresql://host:5432/jobq
 *   username: jobq
 *   password: ${DB_PASSWORD}            # never logged
 *   poolSize: 4                         # connections at most
 *   pollInterval: 60s                   # longest sleep, for rows written by other processes
 *   batchSize: 100                      # rows claimed per transaction
 *   retention: 7d                       # enqueued and cancelled one-time rows are purged after this
 *   misfireThreshold: 60s               # an occurrence later than this counts as missed
 *   fireAllLimit: 100                   # FIRE_ALL enqueues at most this many missed occurrences
 *   fireThreads: 2                      # threads claiming a backlog (default: 2 on PostgreSQL, 1 on H2)
 *   claimTimeout: 5m                    # PostgreSQL: a silent scheduler's claimed rows are freed after this
 *   lockTimeout: 10s                    # PostgreSQL: the longest wait for another session's lock
 *   connectionTimeout: 30s              # the longest wait for a connection of the pool (database down)
 * }</pre>
 *
 * <p>Creating a scheduler connects, and brings the schema up to date with Flyway (history table
 * {@code jobq_schema_history}, tables {@code jobq_scheduled_job} and {@code jobq_recurring_job}).
 * The scheduler is thread-safe. {@code start()} begins firing on one background thread, which
 * sleeps until the earliest due time (at most {@code pollInterval}) and wakes at once when this
 * process schedules something earlier; {@code close()} stops it, lets the batch in hand finish,
 * and closes the connection pool it opened (never a {@link DataSource} given in code).
 *
 * <p>In code, with a {@link DataSource} of the application:
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.builder()
 *         .scheduler(ctx -> JdbcSchedulerFactory.builder().dataSource(dataSource).build(ctx))
 *         .build();
 * }</pre>
 */
public final class JdbcSchedulerFactory implements JobSchedulerFactory {

    public static final String TYPE = "jdbc";
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/jobq";
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofSeconds(60);
    public static final int DEFAULT_FIRE_ALL_LIMIT = 100;
    public static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    /** HikariCP's own default, so a pool from {@code jdbcUrl} waits as one an application configures does. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);

    /** For {@link java.util.ServiceLoader}. */
    public JdbcSchedulerFactory() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Settings settings) {
        read(settings);
        // read by the core's config loader, not by this factory
        settings.markKnown("enabled");
        settings.markKnown("type");
        settings.checkNoUnknownKeys();
    }

    @Override
    public void checkRecurring(RecurringJob definition) {
        JdbcJobScheduler.check(definition, new ScheduleParser());
    }

    @Override
    public JobScheduler create(SchedulerContext context) {
        Settings settings = context.settings();
        validate(settings);
        settings.throwIfInvalid();
        return JdbcJobScheduler.open(read(settings), context, defaultThreads());
    }

    /** A builder for a scheduler made in code, with the defaults of the config file. */
    public static Builder builder() {
        return new Builder();
    }

    static JdbcSettings read(Settings s) {
        String jdbcUrl = s.string("jdbcUrl", DEFAULT_JDBC_URL).strip();
        String urlProblem = JdbcSettings.urlProblem(jdbcUrl);
        if (urlProblem != null) {
            s.problem("jdbcUrl", urlProblem);
            jdbcUrl = DEFAULT_JDBC_URL;
        }
        // stripped: a value read from a file (a mounted secret, an env file) into a variable ends in its newline, and a
        // user name never does; blanks alone are absent, as an empty value is. A password is kept as written.
        String username = s.string("username");
        username = username == null || username.isBlank() ? null : username.strip();
        String password = s.string("password");
        if (password != null && username == null && jdbcUrl.toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:postgresql:")) {
            s.problem("username", "is required when a password is set; add 'username: ...' beside it");
        }
        int problemsBeforePoolSize = s.problems().size();
        int poolSize = s.integer("poolSize", DEFAULT_POOL_SIZE, 1, JdbcSettings.MAX_POOL_SIZE);
        boolean poolSizeRefused = s.problems().size() > problemsBeforePoolSize;
        Duration pollInterval = s.duration("pollInterval", DEFAULT_POLL_INTERVAL, JdbcSettings.MIN_POLL_INTERVAL,
                JdbcSettings.MAX_POLL_INTERVAL);
        int batchSize = s.integer("batchSize", DEFAULT_BATCH_SIZE, 1, JdbcSettings.MAX_BATCH_SIZE);
        Duration retention = s.duration("retention", DEFAULT_RETENTION, JdbcSettings.MIN_RETENTION,
                JdbcSettings.MAX_RETENTION);
        Duration misfireThreshold = s.duration("misfireThreshold", DEFAULT_MISFIRE_THRESHOLD,
                JdbcSettings.MIN_MISFIRE_THRESHOLD, JdbcSettings.MAX_MISFIRE_THRESHOLD);
        int fireAllLimit = s.integer("fireAllLimit", DEFAULT_FIRE_ALL_LIMIT, 1, JdbcSettings.MAX_FIRE_ALL_LIMIT);
        int fireThreads = s.integer("fireThreads", JdbcSettings.FIRE_THREADS_BY_DATABASE, 1,
                JdbcSettings.MAX_FIRE_THREADS);
        Duration claimTimeout = s.duration("claimTimeout", DEFAULT_CLAIM_TIMEOUT, JdbcSettings.MIN_CLAIM_TIMEOUT,
                JdbcSettings.MAX_CLAIM_TIMEOUT);
        Duration lockTimeout = s.duration("lockTimeout", DEFAULT_LOCK_TIMEOUT, JdbcSettings.MIN_LOCK_TIMEOUT,
                JdbcSettings.MAX_LOCK_TIMEOUT);
        Duration connectionTimeout = s.duration("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT,
                JdbcSettings.MIN_CONNECTION_TIMEOUT, JdbcSettings.MAX_CONNECTION_TIMEOUT);
        var settings = new JdbcSettings(null, jdbcUrl, username, password, poolSize, pollInterval, batchSize,
                retention, misfireThreshold, fireAllLimit, fireThreads, claimTimeout, lockTimeout, connectionTimeout);
        String fireThreadsProblem = settings.fireThreadsProblem();
        if (fireThreadsProblem != null && !poolSizeRefused) { // else compared with a default the file did not ask for
            s.problem("fireThreads", fireThreadsProblem);
        }
        return settings;
    }

    static ThreadFactory defaultThreads() {
        return Thread.ofPlatform().name("jobq-scheduler-", 1).daemon(true).factory();
    }

    /**
     * Builds a JDBC scheduler in code. Each setter checks its value at once and throws
     * {@link IllegalArgumentException} naming the setting and the bad value (a null one,
     * {@link NullPointerException} naming the setting), leaving the builder as it was. Not thread-safe.
     */
    public static final class Builder {

        private @Nullable DataSource dataSource;
        private String jdbcUrl = DEFAULT_JDBC_URL;
        private @Nullable String username;
        private @Nullable String password;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration retention = DEFAULT_RETENTION;
        private Duration misfireThreshold = DEFAULT_MISFIRE_THRESHOLD;
        private int fireAllLimit = DEFAULT_FIRE_ALL_LIMIT;
        private int fireThreads = JdbcSettings.FIRE_THREADS_BY_DATABASE;
        private Duration claimTimeout = DEFAULT_CLAIM_TIMEOUT;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private ThreadFactory threads = defaultThreads();

        private Builder() {
        }

        /** Connections from the application (a pool); the scheduler never closes it. */
        public Builder dataSource(DataSource dataSource) {
            @Nullable DataSource before = this.dataSource;
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return checked(() -> this.dataSource = before);
        }

        /** An H2 or PostgreSQL URL; the scheduler opens a pool of {@link #poolSize} connections to it. */
        public Builder jdbcUrl(String jdbcUrl) {
            String urlBefore = this.jdbcUrl;
            @Nullable DataSource dataSourceBefore = this.dataSource;
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            this.dataSource = null;
            return checked(() -> {
                this.jdbcUrl = urlBefore;
                this.dataSource = dataSourceBefore;
            });
        }

        /**
         * The database user and password for the pool opened from {@link #jdbcUrl} (the password is never
         * logged); unset, the URL's own or none.
         */
        public Builder credentials(String username, @Nullable String password) {
            if (Objects.requireNonNull(username, "username").isBlank()) {
                throw new IllegalArgumentException("username must not be blank; give the database user, or leave "
                        + "credentials unset");
            }
            this.username = username;
            this.password = password;
            return this;
        }

        /** Connections at most in the pool opened from {@link #jdbcUrl} (1–100, 4 by default). */
        public Builder poolSize(int poolSize) {
            int before = this.poolSize;
            this.poolSize = poolSize;
            return checked(() -> this.poolSize = before);
        }

        /**
         * The longest the firing thread sleeps before it looks for due rows again, for rows other processes
         * wrote (1 ms–1 h, 60 s by default); a row this process writes wakes it at once.
         */
        public Builder pollInterval(Duration pollInterval) {
            Duration before = this.pollInterval;
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return checked(() -> this.pollInterval = before);
        }

        /** Due rows claimed in one transaction (1–10,000, 100 by default). */
        public Builder batchSize(int batchSize) {
            int before = this.batchSize;
            this.batchSize = batchSize;
            return checked(() -> this.batchSize = before);
        }

        /**
         * How long the record of a one-time job handed on or cancelled is kept, for
         * {@code Scheduler.status} (1 s–3650 d, 7 days by default).
         */
        public Builder retention(Duration retention) {
            Duration before = this.retention;
            this.retention = Objects.requireNonNull(retention, "retention");
            return checked(() -> this.retention = before);
        }

        /**
         * How late a recurring occurrence may fire and still count as on time; a later one is missed and its
         * job's {@code MisfirePolicy} decides (1 s–1 d, 60 s by default).
         */
        public Builder misfireThreshold(Duration misfireThreshold) {
            Duration before = this.misfireThreshold;
            this.misfireThreshold = Objects.requireNonNull(misfireThreshold, "misfireThreshold");
            return checked(() -> this.misfireThreshold = before);
        }

        /**
         * The most missed occurrences of one recurring job that {@code FIRE_ALL} enqueues after downtime,
         * oldest first; the rest are skipped with a log line (1–100,000, 100 by default).
         */
        public Builder fireAllLimit(int fireAllLimit) {
            int before = this.fireAllLimit;
            this.fireAllLimit = fireAllLimit;
            return checked(() -> this.fireAllLimit = before);
        }

        /**
         * Threads that claim and hand on due one-time jobs while more than a batch is due, the
         * firing thread included (1–16; by default two on PostgreSQL, one on H2). With
         * {@link #jdbcUrl} the pool needs a connection for each: at most {@link #poolSize}.
         */
        public Builder fireThreads(int fireThreads) {
            int before = this.fireThreads;
            this.fireThreads = fireThreads;
            return checked(() -> this.fireThreads = before);
        }

        /**
         * On PostgreSQL, how long the server waits on a scheduler that holds claimed rows and says
         * nothing before it ends that session and frees the rows for other schedulers (1 s–1 d, 5
         * minutes by default; {@code idle_in_transaction_session_timeout}, set for the scheduler's
         * claims only). A machine that vanishes mid-batch sends nothing; without this the rows stay
         * locked until the server's TCP keepalive gives up, two hours on most systems. Longer than
         * the slowest hand-on of a whole batch, or a slow provider gets its batch taken back and
         * handed on again (under the same job ids).
         */
        public Builder claimTimeout(Duration claimTimeout) {
            Duration before = this.claimTimeout;
            this.claimTimeout = Objects.requireNonNull(claimTimeout, "claimTimeout");
            return checked(() -> this.claimTimeout = before);
        }

        /**
         * On PostgreSQL, how long a statement of the scheduler waits for a lock that another session
         * holds on a jobq table before it fails (100 ms–1 h, 10 s by default; {@code lock_timeout}):
         * an operator's transaction left open in psql, a {@code LOCK TABLE}, or a table change
         * queued behind a long query. The firing thread then logs the failure and tries again after
         * a pause, instead of waiting with every due job behind it for as long as the lock is held.
         * Set on the scheduler's own connections; on an application's {@link DataSource}, within
         * the firing thread's transactions only (the application's own settings bound the calls it
         * makes, such as {@code schedule(...)}).
         */
        public Builder lockTimeout(Duration lockTimeout) {
            Duration before = this.lockTimeout;
            this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
            return checked(() -> this.lockTimeout = before);
        }

        /**
         * How long a call waits for a connection of the pool the scheduler opens from {@link #jdbcUrl}
         * before it fails (250 ms–1 h, 30 s by default, as HikariCP's {@code connectionTimeout}):
         * while the database is down, what {@code schedule(...)}, {@code cancel(...)} and each try of
         * the firing thread wait. With a {@link #dataSource}, that pool's own timeout applies.
         */
        public Builder connectionTimeout(Duration connectionTimeout) {
            Duration before = this.connectionTimeout;
            this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            return checked(() -> this.connectionTimeout = before);
        }

        /**
         * Where the firing thread and the threads that help it through a backlog come from (daemon
         * platform threads named {@code jobq-scheduler-N} by default).
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threads = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * Connects, migrates the schema and returns the scheduler, using the context's clock and
         * job sink; pass it to {@code JobQueue.builder().scheduler(ctx -> builder.build(ctx))}.
         */
        public JobScheduler build(SchedulerContext context) {
            return buildJdbc(context);
        }

        /** The scheduler as {@link #build} makes it, typed for this module's tests. */
        JdbcJobScheduler buildJdbc(SchedulerContext context) {
            Objects.requireNonNull(context, "context");
            JdbcSettings settings = settings();
            String fireThreadsProblem = settings.fireThreadsProblem();
            if (fireThreadsProblem != null) {
                throw new IllegalArgumentException("fireThreads " + fireThreadsProblem);
            }
            return JdbcJobScheduler.open(settings, context, threads);
        }

        /** Checks the settings with the value just set; a refused one is undone, so the builder stays as it was. */
        private Builder checked(Runnable undo) {
            try {
                settings();
            } catch (RuntimeException e) {
                undo.run();
                throw e;
            }
            return this;
        }

        private JdbcSettings settings() {
            return new JdbcSettings(dataSource, jdbcUrl, username, password, poolSize, pollInterval, batchSize,
                    retention, misfireThreshold, fireAllLimit, fireThreads, claimTimeout, lockTimeout,
                    connectionTimeout);
        }
    }
}

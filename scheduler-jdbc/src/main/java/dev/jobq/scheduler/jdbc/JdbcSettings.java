package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one JDBC scheduler, checked at once.
 *
 * @param dataSource       connections given in code; when set, {@code jdbcUrl} and the credentials are unused
 * @param jdbcUrl          an H2 or PostgreSQL URL
 * @param username         database user, if the URL does not carry it
 * @param password         database password; never logged or printed
 * @param poolSize         connections the scheduler opens at most (a URL only)
 * @param pollInterval     the longest sleep between looks at the database, for rows other processes write
 * @param batchSize        rows claimed per transaction
 * @param retention        how long enqueued and cancelled one-time rows are kept before they are purged
 * @param misfireThreshold how late an occurrence may be and still count as on time
 * @param fireAllLimit     the most missed occurrences {@code FIRE_ALL} enqueues for one job after downtime
 * @param fireThreads      threads that claim and hand on due one-time jobs while more than a batch is
 *                         due, the firing thread included; {@link #FIRE_THREADS_BY_DATABASE} for the
 *                         database's default ({@link #fireThreads(boolean)})
 * @param claimTimeout     on PostgreSQL, how long the server lets a scheduler's transaction sit idle
 *                         while it holds claimed rows before it ends the session and frees them
 *                         ({@code idle_in_transaction_session_timeout}): a machine that vanishes
 *                         mid-batch sends nothing, and without it the rows stay locked until the
 *                         server's TCP keepalive gives up on the connection, two hours by default
 * @param lockTimeout      on PostgreSQL, how long a statement of the scheduler waits for a lock another
 *                         session holds on a jobq table ({@code lock_timeout}) before it fails: an
 *                         operator's transaction left open would otherwise hold the firing thread,
 *                         and every due job behind it, for as long as it stays open
 * @param connectionTimeout how long a call waits for a connection of the scheduler's own pool (a URL
 *                         only) before it fails: HikariCP's {@code connectionTimeout}, which is what a
 *                         {@code schedule(...)} waits while the database is down
 */
record JdbcSettings(@Nullable DataSource dataSource, String jdbcUrl, @Nullable String username,
                    @Nullable String password, int poolSize, Duration pollInterval, int batchSize, Duration retention,
                    Duration misfireThreshold, int fireAllLimit, int fireThreads, Duration claimTimeout,
                    Duration lockTimeout, Duration connectionTimeout) {

    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
    static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);
    static final int MAX_POOL_SIZE = 100;
    static final int MAX_BATCH_SIZE = 10_000;
    static final Duration MIN_RETENTION = Duration.ofSeconds(1);
    static final Duration MAX_RETENTION = Duration.ofDays(3650);
    static final Duration MIN_MISFIRE_THRESHOLD = Duration.ofSeconds(1);
    static final Duration MAX_MISFIRE_THRESHOLD = Duration.ofDays(1);
    static final int MAX_FIRE_ALL_LIMIT = 100_000;
    static final int MAX_FIRE_THREADS = 16;
    /** {@code fireThreads} not set: two on PostgreSQL, one on H2 (docs/scheduler.md). */
    static final int FIRE_THREADS_BY_DATABASE = 0;
    static final int POSTGRES_FIRE_THREADS = 2;
    static final Duration MIN_CLAIM_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_CLAIM_TIMEOUT = Duration.ofDays(1);
    static final Duration MIN_LOCK_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_LOCK_TIMEOUT = Duration.ofHours(1);
    /** HikariCP's floor: below it, it logs a warning and waits its default, 30 s, instead. */
    static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);
    static final Duration MAX_CONNECTION_TIMEOUT = Duration.ofHours(1);

    JdbcSettings {
        // Checked stripped, so opened stripped: a URL from an environment variable or a secret file often ends in a
        // newline, which H2 took into the file's name (a new, empty database beside the one holding the jobs).
        jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl").strip();
        if (dataSource == null) {
            String problem = urlProblem(jdbcUrl);
            if (problem != null) {
                throw new IllegalArgumentException("jdbcUrl " + problem);
            }
        }
        requireBetween("poolSize", poolSize, 1, MAX_POOL_SIZE);
        requireBetween("pollInterval", pollInterval, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL);
        requireBetween("batchSize", batchSize, 1, MAX_BATCH_SIZE);
        requireBetween("retention", retention, MIN_RETENTION, MAX_RETENTION);
        requireBetween("misfireThreshold", misfireThreshold, MIN_MISFIRE_THRESHOLD, MAX_MISFIRE_THRESHOLD);
        requireBetween("fireAllLimit", fireAllLimit, 1, MAX_FIRE_ALL_LIMIT);
        if (fireThreads != FIRE_THREADS_BY_DATABASE) {
            requireBetween("fireThreads", fireThreads, 1, MAX_FIRE_THREADS);
        }
        requireBetween("claimTimeout", claimTimeout, MIN_CLAIM_TIMEOUT, MAX_CLAIM_TIMEOUT);
        requireBetween("lockTimeout", lockTimeout, MIN_LOCK_TIMEOUT, MAX_LOCK_TIMEOUT);
        requireBetween("connectionTimeout", connectionTimeout, MIN_CONNECTION_TIMEOUT, MAX_CONNECTION_TIMEOUT);
    }

    /**
     * What is wrong with {@code fireThreads} beside {@code poolSize}, or null: each thread claiming
     * holds a connection for its batch, so with a pool of its own the scheduler needs one per thread.
     * Checked when the scheduler is built, not per setting, so that the two may be set in any order.
     */
    @Nullable String fireThreadsProblem() {
        if (dataSource != null || fireThreads <= poolSize) {
            return null;
        }
        return "must not be more than poolSize (" + poolSize + "), got " + fireThreads
                + "; raise poolSize or lower fireThreads";
    }

    /**
     * How many threads claim one-time jobs while a backlog is due. On PostgreSQL two by default:
     * while one waits for its commit to be written (fsync), the other claims and hands on the next
     * batch (B6 in docs/benchmarks.md); never more than the pool's connections. On H2, one: a
     * second made B6 slower there, the database working in the same process on the same cores.
     */
    int fireThreads(boolean postgres) {
        if (fireThreads != FIRE_THREADS_BY_DATABASE) {
            return fireThreads;
        }
        if (!postgres) {
            return 1;
        }
        return dataSource == null ? Math.min(POSTGRES_FIRE_THREADS, poolSize) : POSTGRES_FIRE_THREADS;
    }

    /**
     * What is wrong with {@code url} as a scheduler database, or null. The URL itself is not
     * repeated (it may hold a password), only its {@code jdbc:kind:} prefix.
     */
    static @Nullable String urlProblem(String url) {
        String lower = url.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:") && url.strip().chars().anyMatch(Character::isWhitespace)) {
            // a parameter written after a space (jobs password=…) is no parameter: what follows it is not shown, here
            // nor in the driver's errors, which would repeat it in the database's name or a parameter's value. The
            // driver reads a blank raw, and decodes %20 (options=-c%20search_path=jobq): the refusal says so
            return "must not hold a blank (not repeated here after it: it may be a password), got " + describe(url)
                    + "; write parameters after '?', each name=value joined by '&' "
                    + "(jdbc:postgresql://db:5432/jobs?sslmode=require), a blank in a value or in the database's name "
                    + "as %20 (options=-c%20search_path=jobq), and the password as password: beside it "
                    + "(password: ${DB_PASSWORD})";
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return userInfoProblem(url.strip());
        }
        if (lower.startsWith("jdbc:h2:mem:") && (lower.length() == "jdbc:h2:mem:".length()
                || lower.charAt("jdbc:h2:mem:".length()) == ';')) {
            // H2 opens a new, empty database for each connection to it: the tables the migration made were not there.
            return "must name its in-memory H2 database, such as jdbc:h2:mem:jobq: an unnamed one (jdbc:h2:mem:) is a "
                    + "new, empty database for each connection, and the scheduler opens several; got " + describe(url);
        }
        if (lower.startsWith("jdbc:h2:tcp://") || lower.startsWith("jdbc:h2:ssl://")) {
            return h2UserInfoProblem(url.strip());
        }
        if (lower.startsWith("jdbc:h2:")) {
            return null;
        }
        String problem = "must be an H2 URL (jdbc:h2:file:./data/jobq) or a PostgreSQL URL "
                + "(jdbc:postgresql://host:5432/database), got " + describe(url);
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            // a DATABASE_URL as Heroku or Rails write it: said to be no JDBC URL, and cut, with no way to write it
            problem += "; a PostgreSQL URL for JDBC starts with jdbc:postgresql:// (jdbc:postgresql://host:5432/database),"
                    + " with no user or password before the host: set username: and password: beside it "
                    + "(password: ${DB_PASSWORD})";
        }
        return problem;
    }

    /**
     * A PostgreSQL URL with a user (and password) before the host, or null. PgJDBC does not read
     * them there: it took {@code jobq:secret@db} for the host's name and its error repeated the
     * password. The URL is shown with the password masked.
     */
    private static @Nullable String userInfoProblem(String url) {
        String rest = url.substring("jdbc:postgresql:".length());
        int at = userInfoEnd(rest);
        if (at < 0) {
            return null;
        }
        int end = hostEnd(rest, at + 1);
        String withoutUser = "jdbc:postgresql://" + rest.substring(at + 1);
        return "must not hold a user or password before the host (the PostgreSQL driver does not read them there, "
                + "and reads the host as '" + Secrets.MASK + "@" + rest.substring(at + 1, end) + "'), got "
                + Secrets.maskUrl(url) + "; write " + Secrets.maskUrl(withoutUser) + " and set username: and "
                + "password: beside it (password: ${DB_PASSWORD})";
    }

    /**
     * An H2 server URL with a user (and password) before the host, or null. H2 does not read them there either: it
     * took what follows the user's colon for the port, and its error ({@code For input string: "secret@db:9092"})
     * repeated the password. A password written raw with a '/' is found as {@link #userInfoEnd} finds it.
     */
    private static @Nullable String h2UserInfoProblem(String url) {
        int start = url.indexOf("//") + 2;
        int parameters = url.indexOf(';', start);
        int end = parameters < 0 ? url.length() : parameters;
        int slash = url.indexOf('/', start);
        slash = slash < 0 || slash > end ? end : slash;
        int at = url.lastIndexOf('@', slash - 1);
        if (at < start) {
            String beforeSlash = url.substring(start, slash);
            int colon = beforeSlash.indexOf(':');
            int first = url.indexOf('@', slash);
            if (colon < 0 || beforeSlash.substring(colon + 1).matches("\\d+(,.*)?") || first < 0 || first > end) {
                return null;
            }
            int hostEnd = url.indexOf('/', first);
            at = url.lastIndexOf('@', (hostEnd < 0 || hostEnd > end ? end : hostEnd) - 1);
        }
        String withoutUser = url.substring(0, start) + url.substring(at + 1);
        return "must not hold a user or password before the host (H2 does not read them there, and reads what "
                + "follows the user's colon as the port), got " + Secrets.maskUrl(url) + "; write "
                + Secrets.maskUrl(withoutUser) + " and set username: and password: beside it (password: ${DB_PASSWORD})";
    }

    /**
     * Where in {@code rest} (a PostgreSQL URL after {@code jdbc:postgresql:}) the '@' that ends a user and password
     * before the host is, or -1. A password written raw may hold a '#' (a URL for PgJDBC has no fragment) or a '/'
     * ('pa/ss', as base64 has): the '@' was looked for only before the first '/', none was found, and the URL went
     * to the driver, its password shown in the error as part of the host. A '/' is taken for the password's when
     * what precedes it has a colon that no port follows ({@code db:5432/} and {@code db1:5432,db2:5432/} are
     * hosts'); the user information then ends at the last '@' of the host that follows the first '@'. A '?' is
     * taken so too ('S3C?RET'): the password was cut there, and {@link #describe} named the database by what came
     * before it, {@code jobq:S3C}. The colon of an IPv6 host ({@code [::1]}) is no password's.
     */
    private static int userInfoEnd(String rest) {
        if (!rest.startsWith("//")) {
            return -1;
        }
        int end = hostEnd(rest, 2);
        int at = rest.lastIndexOf('@', end - 1);
        if (at >= 2) {
            return at;
        }
        String beforeSlash = rest.substring(2, end);
        int colon = beforeSlash.indexOf(':', beforeSlash.startsWith("[") ? Math.max(0, beforeSlash.indexOf(']')) : 0);
        int query = end == rest.length() ? -1 : rest.indexOf('?', end + 1);
        int first = rest.indexOf('@', end);
        if (end == rest.length() || colon < 0
                || beforeSlash.substring(colon + 1).matches("\\d+(,.*)?")
                || first < 0 || (query >= 0 && first > query)) {
            return -1;
        }
        return rest.lastIndexOf('@', hostEnd(rest, first + 1) - 1);
    }

    /** Where the host part that starts at {@code from} ends: at the path's '/', the query's '?' or the end. */
    private static int hostEnd(String rest, int from) {
        int end = from;
        while (end < rest.length() && "/?".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    /**
     * The URL for messages without anything that may be secret: the database kind and where it is
     * ({@code PostgreSQL at db:5432/jobs}, {@code H2 at file:./data/jobq}), never its parameters or
     * user information; for another kind only its {@code jdbc:kind:} prefix; another URL by its start, masked; a
     * value of no URL not at all. Masked first, then {@linkplain UntrustedText#escape escaped}: an H2 file's path may
     * hold a control character (an ESC in a directory's name), which each log line and error naming the database gave
     * as it was.
     */
    static String describe(String url) {
        String text = url.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            String rest = text.substring("jdbc:postgresql:".length());
            int at = userInfoEnd(rest);
            String where = at >= 0 ? rest.substring(at + 1) : rest.replaceFirst("^//", "").replaceFirst("^[^/@]*@", "");
            // up to its parameters, or a blank, which ends a URL: what follows it may be a password
            String place = where.split("[?\\s]", 2)[0];
            // masked too: a parameter after '&' or ';' instead of '?' (…/jobs&password=…) is still in the place
            return "PostgreSQL at " + UntrustedText.escape(Secrets.maskUrl(place));
        }
        if (lower.startsWith("jdbc:h2:")) {
            String where = text.substring("jdbc:h2:".length());
            int parameters = where.indexOf(';');
            // a server URL with a user and password before its host (tcp://jobq:secret@db/…, as PostgreSQL's habit
            // writes it) is named with the password masked, as every URL is
            String path = parameters >= 0 ? where.substring(0, parameters) : where;
            return "H2 at " + UntrustedText.escape(Secrets.maskUrl(path));
        }
        String[] parts = text.split(":", 3);
        if (parts.length >= 2 && parts[0].equalsIgnoreCase("jdbc")) {
            return "a " + parts[0] + ":" + UntrustedText.escape(parts[1]) + ": URL";
        }
        if (!text.contains("://")) {
            // a value of no URL may be a secret (jdbcUrl: ${DB_PASSWORD} by mistake): its start is not shown either
            return "a value that is no URL (not repeated here: it may be a password given by mistake)";
        }
        // masked before it is cut: the first 12 characters of mysql://a:secret@db held the start of the password
        String shown = Secrets.maskUrl(text);
        return "'" + UntrustedText.escape(shown.length() > 12 ? shown.substring(0, 12) + "…" : shown)
                + "', which is not a JDBC URL";
    }

    /** Where connections come from, for log lines and errors. */
    String database() {
        if (dataSource == null) {
            return describe(jdbcUrl);
        }
        // An anonymous or lambda class has no simple name: its full name still says whose it is.
        String simple = dataSource.getClass().getSimpleName();
        return "the given " + (simple.isEmpty() ? dataSource.getClass().getName() : simple);
    }

    private static void requireBetween(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static void requireBetween(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + DurationFormat.format(min) + " and "
                    + DurationFormat.format(max) + ", got " + DurationFormat.formatExact(value));
        }
    }

    @Override
    public String toString() {
        return "JdbcSettings[database=" + database() + ", username=" + username
                + ", password=" + (password == null ? "none" : Secrets.MASK) + ", poolSize=" + poolSize
                + ", pollInterval=" + pollInterval + ", batchSize=" + batchSize + ", retention=" + retention
                + ", misfireThreshold=" + misfireThreshold + ", fireAllLimit=" + fireAllLimit + ", fireThreads="
                + (fireThreads == FIRE_THREADS_BY_DATABASE ? "by database" : fireThreads) + ", claimTimeout="
                + claimTimeout + ", lockTimeout=" + lockTimeout + ", connectionTimeout=" + connectionTimeout + "]";
    }
}

package dev.jobq.bench.scheduler;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The scheduler's {@code jobq_scheduled_job} table as the benchmark fills and inspects it with
 * plain JDBC, on H2 or PostgreSQL. Rows are copies of one the scheduler wrote itself
 * ({@link #learnFrom}), made in the database by one {@code INSERT … SELECT} over a number series,
 * so a million rows take seconds and nothing of it is timed.
 */
final class ScheduledTable {

    private final String url;
    private final boolean postgres;
    private String type;
    private String queue;
    private String payload;
    private String options;
    private OffsetDateTime createdAt;

    ScheduledTable(String url) {
        this.url = url;
        this.postgres = url.startsWith("jdbc:postgresql:");
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    String url() {
        return url;
    }

    boolean postgres() {
        return postgres;
    }

    /** Takes the shape of every row from the scheduled job {@code id}, and deletes that job. */
    void learnFrom(String id) throws SQLException {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("SELECT type, queue, payload, options, created_at "
                     + "FROM jobq_scheduled_job WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the scheduler stored no row " + id);
                }
                type = rs.getString(1);
                queue = rs.getString(2);
                payload = rs.getString(3);
                options = rs.getString(4);
                createdAt = rs.getObject(5, OffsetDateTime.class);
            }
            execute(c, "DELETE FROM jobq_scheduled_job WHERE id = '" + id.replace("'", "''") + "'");
        }
    }

    /** Empties the table, and the scheduler's records of jobs it handed on. */
    void clear() throws SQLException {
        try (Connection c = connect()) {
            execute(c, "TRUNCATE TABLE jobq_scheduled_job");
            execute(c, "TRUNCATE TABLE jobq_scheduled_job_done");
        }
    }

    /**
     * Forgets what the scheduler handed on, and leaves the scheduled rows: the records of handed-on
     * jobs (the scheduler deleted their rows), and rows an older schema kept marked enqueued.
     */
    void removeHandedOn() throws SQLException {
        try (Connection c = connect()) {
            execute(c, "DELETE FROM jobq_scheduled_job WHERE status <> 'SCHEDULED'");
            execute(c, "TRUNCATE TABLE jobq_scheduled_job_done");
        }
    }

    /** {@code count} scheduled rows all due at {@code dueAt}. */
    void addDue(int count, Instant dueAt) throws SQLException {
        insertCopies(count, dueAt, 0);
    }

    /** {@code count} scheduled rows due from {@code from} on, a millisecond apart. */
    void addFuture(int count, Instant from) throws SQLException {
        insertCopies(count, from, 1000);
    }

    /**
     * Brings the planner's statistics up to date and writes the dirty pages out, so that neither
     * autovacuum's analyze nor a checkpoint falls into the next timed part by chance.
     */
    void settle() throws SQLException {
        try (Connection c = connect()) {
            if (postgres) {
                execute(c, "VACUUM ANALYZE jobq_scheduled_job");
            } else {
                execute(c, "ANALYZE TABLE jobq_scheduled_job");
            }
            execute(c, "CHECKPOINT");
        }
    }

    /** The database's plan for {@code sql} with its {@code ?} bound to {@code now} and {@code limit}. */
    List<String> plan(String sql, Instant now, int limit) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
            s.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            s.setInt(2, limit);
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
            return lines;
        }
    }

    private void insertCopies(int count, Instant first, long stepMicros) throws SQLException {
        if (type == null) {
            throw new IllegalStateException("learnFrom(...) first");
        }
        String due = postgres
                ? "CAST(? AS TIMESTAMP WITH TIME ZONE) + g.n * ? * INTERVAL '1 microsecond'"
                : "DATEADD(MICROSECOND, X * ?, CAST(? AS TIMESTAMP WITH TIME ZONE))";
        String sql = "INSERT INTO jobq_scheduled_job (id, type, queue, payload, options, trace_id, pending_key, "
                + "scheduled_for, due_at, status, attempts, error, created_at, updated_at) SELECT "
                + id()
                + ", ?, ?, ?, ?, NULL, NULL, " + due + ", " + due + ", 'SCHEDULED', 0, NULL, ?, ? FROM "
                + (postgres ? "generate_series(1, ?) AS g(n)" : "SYSTEM_RANGE(1, ?)");
        OffsetDateTime at = OffsetDateTime.ofInstant(first, ZoneOffset.UTC);
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, type);
            s.setString(i++, queue);
            s.setString(i++, payload);
            s.setString(i++, options);
            for (int column = 0; column < 2; column++) {
                if (postgres) {
                    s.setObject(i++, at);
                    s.setLong(i++, stepMicros);
                } else {
                    s.setLong(i++, stepMicros);
                    s.setObject(i++, at);
                }
            }
            s.setObject(i++, createdAt);
            s.setObject(i++, createdAt);
            s.setInt(i, count);
            s.executeUpdate();
        }
    }

    /**
     * The SQL of a new row's id: a UUID of version 7 (time first, then random bits: rows added
     * later sort later), as jobq's own ids (JobIds). Until Phase 13 B6 also measured rows with random
     * (version 4) ids on H2, which put each row at a random place of the primary key (docs/benchmarks.md).
     */
    private String id() {
        return postgres ? "uuidv7()::text" : "CAST(RANDOM_UUID(7) AS VARCHAR)";
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

package dev.jobq.bench.scheduler;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * db-scheduler's {@code scheduled_tasks} table (its PostgreSQL schema) in a database of its own, and a
 * connection pool onto it, for the peers workloads (P6, P7).
 */
final class DbSchedulerTable implements AutoCloseable {

    static final int POOL_SIZE = 12;

    private final HikariDataSource pool;

    private DbSchedulerTable(HikariDataSource pool) {
        this.pool = pool;
    }

    static DbSchedulerTable create(String url) throws SQLException {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(POOL_SIZE);
        var table = new DbSchedulerTable(new HikariDataSource(config));
        try (Connection c = table.pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, "
                    + "task_data BYTEA, execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, "
                    + "picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, "
                    + "consecutive_failures INT, last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, "
                    + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
            s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
            s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
            s.execute("CREATE INDEX priority_execution_time_idx ON scheduled_tasks "
                    + "(priority DESC, execution_time ASC)");
        }
        return table;
    }

    DataSource pool() {
        return pool;
    }

    /**
     * Empties the table, then adds {@code due} instances of {@code task} due a second ago, as its client
     * writes them for a task without data, in one statement; then brings the planner's statistics up
     * to date and writes the dirty pages out, as B6 does before a timed pass.
     */
    void fillDue(String task, int due) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE TABLE scheduled_tasks");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scheduled_tasks (task_name, task_instance, "
                    + "task_data, execution_time, picked, version) SELECT ?, 'instance-' || g.n, NULL, "
                    + "now() - INTERVAL '1 second', FALSE, 1 FROM generate_series(1, ?) AS g(n)")) {
                s.setString(1, task);
                s.setInt(2, due);
                s.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE scheduled_tasks");
                s.execute("CHECKPOINT");
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}

package dev.jobq.scheduler.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.BaseCallback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Holds off, on PostgreSQL, every write to {@code jobq_scheduled_job} while schema version 4 moves
 * the handed-on rows out, in the version's own transaction. Version 4 copies the {@code ENQUEUED}
 * rows into {@code jobq_scheduled_job_done}, then deletes the {@code ENQUEUED} rows: two statements,
 * each seeing what was committed when it began. A scheduler of the release before (a rolling deploy)
 * that marked a batch {@code ENQUEUED} in between had its rows deleted and not recorded: a retried
 * {@code schedule(...)} of one of them was stored and handed on again, and its status was unknown.
 * With the table locked against writes (reads and claims' {@code SKIP LOCKED} reads go on), such a
 * mark waits for the upgrade to commit, and its rows stay {@code ENQUEUED}, which this release reads
 * as handed on. The lock waits for batches in hand, at most {@code lockTimeout} on the scheduler's own
 * connections, as version 3's did. H2 runs no older process beside it (a file serves one process).
 */
final class MarksHeldDuringVersion4 extends BaseCallback {

    private static final MigrationVersion VERSION_4 = MigrationVersion.fromVersion("4");

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        MigrationInfo migration = context.getMigrationInfo();
        if (migration == null || !VERSION_4.equals(migration.getVersion())) {
            return;
        }
        Connection connection = context.getConnection();
        try {
            if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
                return;
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("LOCK TABLE jobq_scheduled_job IN SHARE ROW EXCLUSIVE MODE");
            }
        } catch (SQLException e) {
            throw new FlywayException("scheduler: locking jobq_scheduled_job for schema version 4 failed: "
                    + e.getMessage(), e);
        }
    }
}

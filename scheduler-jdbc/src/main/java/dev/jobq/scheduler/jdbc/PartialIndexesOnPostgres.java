package dev.jobq.scheduler.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jspecify.annotations.Nullable;

/**
 * Schema version 3, PostgreSQL only (H2 has no partial indexes, and there it changes nothing): the
 * due index and the deduplication key's unique index hold only the rows that need them, scheduled
 * rows and rows with a key. When a scheduler marks a batch enqueued, PostgreSQL writes a new row
 * version and an entry for it in every index whose predicate it meets: with these two partial,
 * two indexes of four instead of four. B6 measured the UPDATE as most of what the scheduler's fire
 * rate lacks against a loop that deletes its rows (docs/benchmarks.md). Queries that use the due
 * index say {@code status = 'SCHEDULED'} as a literal, so that every plan can prove the predicate.
 */
final class PartialIndexesOnPostgres implements JavaMigration {

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("3");
    }

    @Override
    public String getDescription() {
        return "partial indexes on PostgreSQL";
    }

    /** None: a Java migration has no script text to check against what ran. */
    @Override
    public @Nullable Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP INDEX jobq_scheduled_job_due");
            statement.execute("CREATE INDEX jobq_scheduled_job_due ON jobq_scheduled_job (status, due_at, id) "
                    + "WHERE status = '" + ScheduledJobs.SCHEDULED + "'");
            statement.execute("ALTER TABLE jobq_scheduled_job DROP CONSTRAINT jobq_scheduled_job_pending_key");
            statement.execute("CREATE UNIQUE INDEX jobq_scheduled_job_pending_key ON jobq_scheduled_job (pending_key) "
                    + "WHERE pending_key IS NOT NULL");
        }
    }
}

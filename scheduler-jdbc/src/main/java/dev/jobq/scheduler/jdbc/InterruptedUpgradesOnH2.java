package dev.jobq.scheduler.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.BaseCallback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a schema version that a killed process left half done on H2 run again. H2 commits each table
 * change on its own, so a process killed in the middle of version 2 or 4 leaves the changes before
 * the kill and no row for the version in the history; run again over them, the version's first
 * statement fails (an index to drop is gone, a table to create is there) and Flyway records it as
 * failed, which no start got past. Before each of those versions runs on H2, this puts back what
 * the version starts from, without touching a job: version 2's indexes as version 1 made them (if
 * gone), version 4's record table set aside (with any record in it, which goes back once version 4
 * has run). PostgreSQL needs none of it: each version is one transaction there, rolled back whole.
 * Version 1 is left to {@link Database}'s message: its tables may be someone else's.
 */
final class InterruptedUpgradesOnH2 extends BaseCallback {

    private static final Logger log = LoggerFactory.getLogger(InterruptedUpgradesOnH2.class);

    /** The versions whose leftovers it clears, so whose failure on H2 can be repaired and run again. */
    private static final MigrationVersion VERSION_4 = MigrationVersion.fromVersion("4");

    static final Set<MigrationVersion> RERUNNABLE = Set.of(MigrationVersion.fromVersion("2"),
            MigrationVersion.fromVersion("4"));

    /** Where version 4's record table, found before version 4 ran, waits for it to end. */
    static final String SET_ASIDE = "jobq_scheduled_job_done_interrupted";

    @Override
    public boolean supports(Event event, Context context) {
        // Not AFTER_MIGRATE: Flyway runs that on a connection of its own, a third, which a pool of two has not.
        return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        Connection connection = context.getConnection();
        try {
            if (!"H2".equals(connection.getMetaData().getDatabaseProductName())) {
                return;
            }
            try (Statement statement = connection.createStatement()) {
                MigrationInfo migration = context.getMigrationInfo();
                MigrationVersion version = migration == null ? null : migration.getVersion();
                if (event == Event.AFTER_EACH_MIGRATE) {
                    if (VERSION_4.equals(version)) {
                        restoreSetAside(connection, statement);
                    }
                    return;
                }
                if (MigrationVersion.fromVersion("2").equals(version)) {
                    statement.execute("CREATE INDEX IF NOT EXISTS jobq_scheduled_job_due ON jobq_scheduled_job "
                            + "(status, due_at)");
                    statement.execute("CREATE INDEX IF NOT EXISTS jobq_recurring_job_due ON jobq_recurring_job "
                            + "(enabled, due_at)");
                } else if (VERSION_4.equals(version) && exists(connection, "jobq_scheduled_job_done")) {
                    log.warn("scheduler: schema version 4 was cut off before it ended (its table "
                            + "jobq_scheduled_job_done is there, the version not recorded); running it again");
                    if (exists(connection, SET_ASIDE)) {
                        // Cut off a second time: what the first run recorded is set aside already.
                        statement.execute(copyMissing("jobq_scheduled_job_done", SET_ASIDE));
                    } else {
                        // A copy, not the table renamed: H2's names of constraints and indexes are the schema's.
                        statement.execute("CREATE TABLE " + SET_ASIDE + " AS SELECT id, handed_on_at FROM "
                                + "jobq_scheduled_job_done");
                    }
                    statement.execute("DROP TABLE jobq_scheduled_job_done");
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("scheduler: clearing what an interrupted upgrade left failed: "
                    + e.getMessage(), e);
        }
    }

    /** Records version 4 had made before it was cut off, added to its table once it has run again. */
    private static void restoreSetAside(Connection connection, Statement statement) throws SQLException {
        if (!exists(connection, SET_ASIDE)) {
            return;
        }
        statement.execute(copyMissing(SET_ASIDE, "jobq_scheduled_job_done"));
        statement.execute("DROP TABLE " + SET_ASIDE);
    }

    /** Copies the records of {@code from} that {@code to} lacks. */
    private static String copyMissing(String from, String to) {
        return "INSERT INTO " + to + " (id, handed_on_at) SELECT f.id, f.handed_on_at FROM " + from + " f "
                + "WHERE NOT EXISTS (SELECT 1 FROM " + to + " t WHERE t.id = f.id)";
    }

    /** Whether the connection's schema has the table, whatever case the URL has H2 keep names in. */
    private static boolean exists(Connection connection, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES "
                + "WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND LOWER(TABLE_NAME) = ?")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() && rows.getLong(1) > 0;
            }
        }
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The scheduler's races on a real PostgreSQL server, each test on a database of its own. */
@DisplayName("JDBC scheduler races on PostgreSQL")
class PostgresSchedulerRacesTest extends SchedulerRacesContract {

    @Override
    protected String newDatabase() {
        return PostgresServer.get().newDatabase("jobq-races");
    }

    @Override
    protected String sameDatabase(String url, String name) {
        return PostgresServer.get().url(PostgresServer.databaseOf(url), name);
    }

    @Override
    protected int rounds() {
        return 100;
    }

    /**
     * A database whose default level is REPEATABLE READ (a DBA's {@code ALTER DATABASE … SET
     * default_transaction_isolation}): the scheduler's own pool read at that level, so a retried schedule()'s second
     * look for its record, which must see a hand-off committed after its first
     * ({@link #scheduleRetriedWhileItsJobIsHandedOn()}), read the first look's snapshot, as on an application's
     * DataSource so configured before cbd52c8e.
     */
    @Test
    @DisplayName("the scheduler's own pool reads at READ COMMITTED on a database whose default is REPEATABLE READ")
    void theSchedulersOwnPoolReadsAtReadCommittedWhereTheDatabasesDefaultIsStricter() throws Exception {
        try (Connection admin = DriverManager.getConnection(url); Statement statement = admin.createStatement()) {
            statement.execute("ALTER DATABASE " + PostgresServer.databaseOf(url)
                    + " SET default_transaction_isolation = 'repeatable read'");
        }
        try (Connection plain = DriverManager.getConnection(url); Statement statement = plain.createStatement();
             ResultSet level = statement.executeQuery("SHOW transaction_isolation")) {
            assertThat(level.next()).isTrue();
            assertThat(level.getString(1)).as("a new session's level").isEqualTo("repeatable read");
        }
        Database db = instance(1).database();
        Object changeLevel = db.change(tx -> DSL.using(tx).fetchValue("SHOW transaction_isolation"));
        assertThat(changeLevel).as("the level of a schedule()'s transaction").isEqualTo("read committed");
        Object claimLevel = db.claim(tx -> DSL.using(tx).fetchValue("SHOW transaction_isolation"));
        assertThat(claimLevel).as("the level of a claim").isEqualTo("read committed");
    }
}

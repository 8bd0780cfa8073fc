package dev.jobq.scheduler.jdbc;

import org.junit.jupiter.api.DisplayName;

/** The scheduler suite on a real PostgreSQL server, each test on a database of its own. */
@DisplayName("JDBC scheduler on PostgreSQL")
class PostgresSchedulerTest extends JdbcSchedulerContract {

    @Override
    protected String newDatabase() {
        return PostgresServer.get().newDatabase("jobq-test");
    }

    @Override
    protected String sameDatabase(String url, String name) {
        return PostgresServer.get().url(PostgresServer.databaseOf(url), name);
    }
}

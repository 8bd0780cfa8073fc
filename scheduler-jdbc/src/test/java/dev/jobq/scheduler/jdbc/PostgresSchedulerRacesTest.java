package dev.jobq.scheduler.jdbc;

import org.junit.jupiter.api.DisplayName;

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
}

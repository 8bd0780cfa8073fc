package dev.jobq.scheduler.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;

/** The scheduler suite on H2, each test on an in-memory database of its own. */
@DisplayName("JDBC scheduler on H2")
class H2SchedulerTest extends JdbcSchedulerContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    protected String newDatabase() {
        // DB_CLOSE_DELAY=-1: the database lives while the JVM does, not only while a connection is open
        return "jdbc:h2:mem:jobq-test-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }
}

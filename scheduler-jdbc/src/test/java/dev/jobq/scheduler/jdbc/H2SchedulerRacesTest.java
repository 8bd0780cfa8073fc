package dev.jobq.scheduler.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;

/** The scheduler's races on H2, each test on an in-memory database of its own. */
@DisplayName("JDBC scheduler races on H2")
class H2SchedulerRacesTest extends SchedulerRacesContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    protected String newDatabase() {
        return "jdbc:h2:mem:jobq-races-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }

    @Override
    protected int rounds() {
        return 200;
    }
}

package dev.jobq.examples.docs;

import dev.jobq.JobQueue;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** What the pages' snippets take as given (an application's DataSource, a queue with a scheduler), for the compiled snippets to use. */
public final class SnippetFixtures {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private SnippetFixtures() {
    }

    /** An application's own DataSource: an H2 database in memory, its own per call. */
    public static DataSource dataSource() {
        var h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:snippet-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    /** A memory queue with a JDBC scheduler on H2 in memory, not firing: what the scheduler page's snippet runs on. */
    public static JobQueue queueWithScheduler() {
        return JobQueue.builder()
                .scheduler("jdbc", Map.of("enabled", "false", "jdbcUrl", "jdbc:h2:mem:snippet-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"))
                .build();
    }
}

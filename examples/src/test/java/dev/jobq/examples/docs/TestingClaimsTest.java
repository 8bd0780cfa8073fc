package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
import dev.jobq.testing.EnqueuedJob;
import dev.jobq.testing.EnqueuedJobs;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Claims of docs/testing.md that no snippet there shows, each checked as the page words it. */
class TestingClaimsTest {

    record Work(String what) {}

    /**
     * "One enqueued inside the application's own transaction (a scheduler built on its DataSource) is recorded, and
     * announced Enqueued, as the call returns, before that transaction commits: … after a rollback the job is gone but
     * its record and event stay."
     */
    @Test
    void aJobScheduledInATransactionRolledBackIsGoneButItsRecordAndEnqueuedEventStay() throws Exception {
        assertThat(DocPage.of("docs/testing.md").text().replaceAll("\\s+", " ")).contains("is recorded, and announced "
                + "`Enqueued`, as the call returns, before that transaction commits", "after a rollback the job is gone "
                + "but its record and event stay");

        var database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:testing-claims-transaction;DB_CLOSE_DELAY=-1");
        var transaction = new ThreadLocal<Connection>();
        DataSource application = ComingFromClaimsTest.transactionAware(database, transaction);
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add)
                .scheduler(ctx -> JdbcSchedulerFactory.builder().dataSource(application).build(ctx)).build();
                EnqueuedJobs enqueued = EnqueuedJobs.recording(jobs)) {
            String id;
            try (Connection connection = database.getConnection()) {
                connection.setAutoCommit(false);
                transaction.set(connection);
                id = jobs.scheduler().schedule("invoice:send", new Work("rolled back"),
                        Instant.now().plus(Duration.ofDays(1)));
                transaction.remove();
                assertThat(events).as("events as the call returned, before the commit")
                        .anySatisfy(event -> assertThat(event).isInstanceOfSatisfying(JobEvent.Enqueued.class,
                                e -> assertThat(e.jobId()).isEqualTo(id)));
                connection.rollback();
            }

            assertThat(jobs.getJob(id)).as("the job scheduled in the transaction rolled back").isEmpty();
            assertThat(enqueued.all()).as("its record").extracting(EnqueuedJob::id).containsExactly(id);
        }
    }
}

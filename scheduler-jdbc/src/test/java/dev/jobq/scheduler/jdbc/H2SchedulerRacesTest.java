package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobQueueException;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    /**
     * Two schedulers on an application's DataSource whose connections read at REPEATABLE READ: H2's claim reads its
     * candidates, then locks them, and the other scheduler hands one on in between. At the DataSource's level the lock
     * met a row changed since the claim's snapshot, and H2 failed the whole claim ("Deadlock detected"): every pass
     * of a scheduler that lost such a race failed, its due jobs waiting for the next.
     */
    @Test
    @DisplayName("a claim on a DataSource at REPEATABLE READ goes past a row another scheduler hands on between its "
            + "two steps: no failure, the job handed on once")
    void claimAtRepeatableReadGoesPastARowHandedOnBetweenItsSteps() throws Exception {
        try (var pool = new HikariDataSource()) {
            pool.setJdbcUrl(url);
            pool.setMaximumPoolSize(4);
            pool.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
            var lockStep = new BeforeStatement(pool, Pattern.compile(
                    "from (\\w+\\.)?jobq_scheduled_job where id = any\\(\\?\\) for update skip locked"));
            try (JdbcJobScheduler first = JdbcSchedulerFactory.builder().dataSource(pool)
                    .pollInterval(Duration.ofMinutes(10))
                    .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
                 JdbcJobScheduler second = JdbcSchedulerFactory.builder().dataSource(lockStep)
                    .pollInterval(Duration.ofMinutes(10))
                    .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink))) {
                JobEnvelope job = job("invoice:remind");
                first.schedule(job, clock.instant());
                // The second's claim has read its candidates; the first hands the job on before it locks them.
                lockStep.arm(() -> assertThat(first.fireDue()).as("jobs the first scheduler handed on").isOne());
                assertThat(second.fireDue()).as("jobs the second scheduler handed on").isZero();
                assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
                assertThat(second.status(job.jobId())).hasValue(ScheduledJobInfo.Status.ENQUEUED);
            }
        }
    }

    /**
     * As {@code purgeAtRepeatableReadGoesPastRowsPurgedBetweenItsSteps}, the second scheduler on a pool with
     * auto-commit off, where its purge's two steps run in one transaction: H2 refused the delete of a row removed since
     * that transaction's snapshot ("Deadlock detected").
     */
    @Test
    @DisplayName("a purge on a DataSource at REPEATABLE READ with auto-commit off goes past rows another scheduler "
            + "purged between its two steps: no failure")
    void purgeAtRepeatableReadWithAutoCommitOffGoesPastRowsPurgedBetweenItsSteps() throws Exception {
        try (var pool = new HikariDataSource(); var manual = new HikariDataSource()) {
            for (HikariDataSource each : List.of(pool, manual)) {
                each.setJdbcUrl(url);
                each.setMaximumPoolSize(4);
                each.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
            }
            manual.setAutoCommit(false);
            purgeRace(pool, manual);
            try (Connection connection = manual.getConnection()) {
                assertThat(connection.getTransactionIsolation()).as("the pool's isolation, given back")
                        .isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
            }
        }
    }

    /**
     * cancel() in an application's transaction at REPEATABLE READ, after another caller cancelled the job since the
     * transaction's snapshot: H2 refuses the change ("Deadlock detected"), as docs/scheduler.md says such a transaction
     * can fail. The error's last cause is H2's storage layer's, whose message is its version and code alone: the
     * error said "failed on ...:  [2.4.240/105]", naming no reason.
     */
    @Test
    @DisplayName("cancel() that lost a race in an application's transaction at REPEATABLE READ says H2's reason")
    void cancelThatLostARaceAtRepeatableReadSaysWhy() throws Exception {
        try (var pool = new HikariDataSource()) {
            pool.setJdbcUrl(url);
            pool.setMaximumPoolSize(4);
            pool.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
            var transactions = new ApplicationTransactions(pool);
            try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().dataSource(transactions)
                    .pollInterval(Duration.ofMinutes(10))
                    .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
                 var other = Executors.newVirtualThreadPerTaskExecutor();
                 Connection application = pool.getConnection()) {
                JobEnvelope job = job("invoice:remind");
                scheduler.schedule(job, clock.instant().plusSeconds(60));
                transactions.bind(application);
                try {
                    // The application's transaction reads the table: its snapshot has the job scheduled.
                    try (ResultSet rows = application.createStatement()
                            .executeQuery("SELECT COUNT(*) FROM jobq_scheduled_job")) {
                        assertThat(rows.next()).isTrue();
                        assertThat(rows.getInt(1)).isOne();
                    }
                    assertThat(other.submit(() -> scheduler.cancel(job.jobId())).get(WAIT_S, TimeUnit.SECONDS))
                            .as("cancelled outside the transaction").isTrue();
                    assertThatThrownBy(() -> scheduler.cancel(job.jobId()))
                            .isInstanceOf(JobQueueException.class)
                            .hasMessageStartingWith("scheduler: cancelling job " + job.jobId() + " failed on ")
                            .hasMessageContaining("Deadlock detected");
                } finally {
                    transactions.unbind();
                    application.rollback();
                }
            }
        }
    }
}

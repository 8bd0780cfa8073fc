package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobOptions;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;

/**
 * {@code jdbc:h2:mem:NAME} as the scheduler's URL, written as H2's own examples write it (without
 * {@code DB_CLOSE_DELAY=-1}): H2 drops an in-memory database when its last connection closes, and the scheduler's
 * pool closes every connection once it has lived {@code maxLifetime} (30 minutes), opening another after.
 */
class H2InMemoryUrlTest {

    @Test
    void scheduledJobsOutliveThePoolReplacingItsConnections() throws ReflectiveOperationException {
        String url = "jdbc:h2:mem:jobq-in-memory-" + UUID.randomUUID();
        var context = new SchedulerContext(Settings.empty("scheduler"), Clock.systemUTC(),
                envelope -> { throw new AssertionError("nothing is handed on"); });
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context)) {
            String id = scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(),
                    "report:send", "{}", JobOptions.defaults(), 0, Instant.now(), null, null),
                    Instant.now().plus(Duration.ofDays(1)));

            replaceConnections(scheduler);

            assertThat(scheduler.listScheduled(10)).as("jobs waiting after the pool replaced its connections")
                    .extracting(ScheduledJobInfo::id).containsExactly(id);
        }
    }

    @Test
    void theDatabaseStillGoesWhenTheSchedulerCloses() throws SQLException {
        String url = "jdbc:h2:mem:jobq-in-memory-" + UUID.randomUUID();
        var context = new SchedulerContext(Settings.empty("scheduler"), Clock.systemUTC(),
                envelope -> { throw new AssertionError("nothing is handed on"); });
        JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context).close();

        try (Connection connection = DriverManager.getConnection(url);
             ResultSet tables = connection.getMetaData().getTables(null, null, "JOBQ%", null)) {
            assertThat(tables.next()).as("a jobq table left after close()").isFalse();
        }
    }

    /** The same in-memory database on an H2 server ({@code jdbc:h2:tcp://host:port/mem:NAME}): dropped as well. */
    @Test
    void scheduledJobsOnAServersInMemoryDatabaseOutliveThePoolReplacingItsConnections() throws Exception {
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        try {
            String url = "jdbc:h2:tcp://localhost:" + server.getPort() + "/mem:jobq-in-memory-" + UUID.randomUUID();
            var context = new SchedulerContext(Settings.empty("scheduler"), Clock.systemUTC(),
                    envelope -> { throw new AssertionError("nothing is handed on"); });
            try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context)) {
                String id = scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION,
                        UUID.randomUUID().toString(), "report:send", "{}", JobOptions.defaults(), 0, Instant.now(),
                        null, null), Instant.now().plus(Duration.ofDays(1)));

                replaceConnections(scheduler);

                assertThat(scheduler.listScheduled(10)).as("jobs waiting after the pool replaced its connections")
                        .extracting(ScheduledJobInfo::id).containsExactly(id);
            }
        } finally {
            server.stop();
        }
    }

    /**
     * {@code jdbc:h2:mem:} without a name is a new, empty database for each connection: the scheduler was built, its
     * tables made in the migration's connections, and every call then failed on another connection with "Table
     * JOBQ_SCHEDULED_JOB_DONE not found (this database is empty)".
     */
    @Test
    void anUnnamedInMemoryUrlIsRefusedWithTheFix() {
        for (String url : List.of("jdbc:h2:mem:", "jdbc:h2:mem:;DB_CLOSE_DELAY=-1")) {
            assertThatThrownBy(() -> JdbcSchedulerFactory.builder().jdbcUrl(url))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jdbcUrl must name its in-memory H2 database, such as jdbc:h2:mem:jobq: an unnamed one "
                            + "(jdbc:h2:mem:) is a new, empty database for each connection, and the scheduler opens "
                            + "several; got H2 at mem:");
        }
    }

    /** What maxLifetime does to each connection of the scheduler's pool in turn: closed, another opened once it is. */
    private static void replaceConnections(JdbcJobScheduler scheduler) throws ReflectiveOperationException {
        HikariDataSource pool = ownedPool(scheduler.database());
        pool.getHikariPoolMXBean().softEvictConnections();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.getHikariPoolMXBean().getTotalConnections() >= 1);
    }

    /** The scheduler's own pool: it has no accessor, and its connections' lifetime is what this test is about. */
    private static HikariDataSource ownedPool(Database database) throws ReflectiveOperationException {
        Field field = Database.class.getDeclaredField("ownedPool");
        field.setAccessible(true);
        return (HikariDataSource) field.get(database);
    }
}

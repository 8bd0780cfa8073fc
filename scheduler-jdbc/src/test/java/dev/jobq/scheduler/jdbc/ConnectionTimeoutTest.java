package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code scheduler.connectionTimeout}: how long a call waits for a connection of the scheduler's own
 * pool while the database is down. A PostgreSQL server of its own, stopped under an open scheduler.
 */
@DisplayName("JDBC scheduler: connectionTimeout bounds the wait for a connection while the database is down")
class ConnectionTimeoutTest {

    private static final Instant LATER = Instant.parse("2031-01-01T00:00:00Z");

    private final SettableClock clock = SettableClock.atEpochOf2026();
    private final RecordingSink sink = new RecordingSink(clock);
    private EmbeddedPostgres server;
    private JobScheduler scheduler;

    @AfterEach
    void stop() throws IOException {
        if (scheduler != null) {
            scheduler.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("schedule() while the database is down fails after connectionTimeout (1s), not HikariCP's 30 s")
    void scheduleDuringAnOutageWaitsConnectionTimeout() throws IOException {
        server = EmbeddedPostgres.builder().start();
        String url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?user=postgres";
        Settings settings = Settings.of("jobq.yaml", "scheduler", Map.of("jdbcUrl", url, "connectionTimeout", "1s"));
        scheduler = new JdbcSchedulerFactory().create(new SchedulerContext(settings, clock, sink));
        scheduler.schedule(job(), LATER);

        server.close();
        server = null;
        // A call that gets a connection from before the stop fails at once, and the pool drops that connection. The
        // pool may hold more than one (the firing thread opens its own): one call each, poolSize at most, then a
        // call must wait for a new connection, for connectionTimeout.
        Duration wait = Duration.ZERO;
        for (int call = 0; call <= JdbcSchedulerFactory.DEFAULT_POOL_SIZE && wait.compareTo(Duration.ofMillis(900)) < 0;
                call++) {
            long started = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(15), () ->
                    assertThatThrownBy(() -> scheduler.schedule(job(), LATER))
                            .isInstanceOf(JobQueueException.class)
                            .hasMessageStartingWith("scheduler: scheduling job ")
                            .hasMessageEndingWith("; check that the database is reachable"),
                    "schedule() waited past 15 s for a connection: HikariCP's default 30 s, not connectionTimeout");
            wait = Duration.ofNanos(System.nanoTime() - started);
        }
        assertThat(wait).as("the wait, once the connections from before the stop are dropped")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    private JobEnvelope job() {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send", "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }
}

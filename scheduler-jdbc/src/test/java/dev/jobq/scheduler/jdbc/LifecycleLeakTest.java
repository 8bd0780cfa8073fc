package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.testing.SettableClock;
import java.lang.reflect.Field;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A JobQueue with the JDBC scheduler created, used and closed again and again in one JVM, as a test suite
 * or a Spring context refresh does: after each close no jobq thread (worker, watchdog, scheduler, the
 * scheduler's HikariCP pool) is left, and no session on the database.
 */
@DisplayName("JobQueue with the JDBC scheduler: nothing left behind after close(), cycle after cycle")
class LifecycleLeakTest {

    private static final int CYCLES = 10;
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Platform threads jobq or the scheduler's pool made (HikariCP names its threads after the pool, jobq-scheduler). */
    static List<String> jobqThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("jobq") || name.contains("jobq-scheduler")).sorted().toList();
    }

    /** One queue's life; returns a weak reference to the queue, which nothing should hold once it is closed. */
    private static java.lang.ref.WeakReference<JobQueue> cycle(String jdbcUrl) throws InterruptedException {
        var done = new CountDownLatch(2);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider(MemoryProviderFactory.builder().build())
                .scheduler("jdbc", Map.of("jdbcUrl", jdbcUrl, "pollInterval", "200ms"))
                .listener(e -> {
                    if (e instanceof JobEvent.Completed) {
                        done.countDown();
                    }
                }).build();
        try {
            jobs.registerJobHandler("report", String.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("report", "now");
            jobs.scheduler().schedule("report", "held", Instant.now()); // through the database and the firing thread
            assertThat(done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both jobs ran").isTrue();
            assertThat(jobqThreads()).as("threads while running").isNotEmpty();
        } finally {
            jobs.close();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after close()").isEmpty());
        return new java.lang.ref.WeakReference<>(jobs);
    }

    @Test
    void h2() throws InterruptedException {
        for (int i = 0; i < CYCLES; i++) {
            cycle("jdbc:h2:mem:jobq-lifecycle;DB_CLOSE_DELAY=-1");
        }
    }

    @Test
    void postgresKeepsNoSessionOpen() throws Exception {
        PostgresServer server = PostgresServer.get();
        String url = server.newDatabase("jobq-lifecycle");
        String database = PostgresServer.databaseOf(url);
        var closed = new java.util.ArrayList<java.lang.ref.WeakReference<JobQueue>>();
        for (int i = 0; i < CYCLES; i++) {
            closed.add(cycle(url));
            await().atMost(WAIT).untilAsserted(() -> assertThat(sessions(server, database))
                    .as("sessions on %s after close()", database).isZero());
        }
        SchedulerCyclesTest.awaitCollected(closed, "closed queues on PostgreSQL");
    }

    @Test
    @DisplayName("a SettableClock shared by a test suite keeps no listener of the queues and schedulers closed")
    void aSharedSettableClockKeepsNothingOfClosedQueues() throws ReflectiveOperationException {
        var clock = new SettableClock(Instant.parse("2026-03-02T12:00:00Z"));
        for (int i = 0; i < 50; i++) {
            JobQueue jobs = JobQueue.builder().environment(Map.of()).clock(clock)
                    .provider(MemoryProviderFactory.builder().clock(clock).build())
                    .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:jobq-lifecycle-clock;DB_CLOSE_DELAY=-1"))
                    .build();
            try {
                jobs.start();
                assertThat(listeners(clock)).as("listeners while one queue is open").isPositive();
                clock.advance(Duration.ofSeconds(1));
            } finally {
                jobs.close();
            }
        }
        assertThat(listeners(clock)).as("listeners left on the clock after 50 queues closed").isZero();
    }

    /** The clock's registered listeners: it has no public count, and what it holds is what this test is about. */
    private static int listeners(SettableClock clock) throws ReflectiveOperationException {
        Field field = SettableClock.class.getDeclaredField("listeners");
        field.setAccessible(true);
        return ((List<?>) field.get(clock)).size();
    }

    private static int sessions(PostgresServer server, String database) throws SQLException {
        try (var c = DriverManager.getConnection(server.url("postgres", "jobq-lifecycle-check"));
             var s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
            s.setString(1, database);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

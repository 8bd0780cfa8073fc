package dev.jobq.scheduler.jdbc;

import static org.awaitility.Awaitility.await;

import dev.jobq.JobQueue;
import dev.jobq.memory.MemoryProviderFactory;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The child process of {@link H2KilledProcessTest}'s shutdown-hook test: an application that opens a queue with the
 * JDBC scheduler on the H2 file its argument names and, as Spring's context does on SIGTERM, closes it from a
 * shutdown hook of its own, scheduling a job there first (a request still being served). Shutdown hooks run in no
 * order; so that the test does not depend on which comes first, this one waits for H2's own hook, where H2 added one,
 * to end before it uses the database and the queue: the order in which H2's hook does harm. Prints what a query
 * of its own on the database returned, {@code scheduled <id>} and {@code closed}, or the error, and exits 0.
 */
public final class CloseInShutdownHook {

    private CloseInShutdownHook() {
    }

    public static void main(String[] args) throws SQLException {
        JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build()).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", args[0])).build();
        jobs.start();
        // A connection of the application's own to the database the scheduler opened (in this JVM, the same one); the
        // scheduler's pool may replace a connection H2 closed by opening the file again, this one tells.
        Connection own = DriverManager.getConnection(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                afterH2sOwnHook();
                try (var statement = own.createStatement(); ResultSet one = statement.executeQuery("SELECT 1")) {
                    one.next();
                    System.out.println("the database is open in the application's hook: SELECT 1 = " + one.getInt(1));
                }
                String id = jobs.scheduler().schedule("report:send", Map.of("month", "2029-12"),
                        Instant.parse("2030-01-01T00:00:00Z"));
                System.out.println("scheduled " + id);
                jobs.close();
                System.out.println("closed");
            } catch (Throwable e) {
                System.out.println("failed: " + e);
            }
            System.out.flush();
        }, "application-shutdown-hook"));
        System.exit(0);
    }

    /** Waits until the shutdown hook H2 adds for a database opened with DB_CLOSE_ON_EXIT (its default) has run. */
    private static void afterH2sOwnHook() throws ReflectiveOperationException, InterruptedException {
        Class<?> closer = Class.forName("org.h2.engine.OnExitDatabaseCloser");
        Field registered = closer.getDeclaredField("registered");
        registered.setAccessible(true);
        if (!registered.getBoolean(null)) {
            return;
        }
        Field instance = closer.getDeclaredField("INSTANCE");
        instance.setAccessible(true);
        Thread hook = (Thread) instance.get(null);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> hook.getState() != Thread.State.NEW);
        hook.join(Duration.ofSeconds(20));
        System.out.println("H2's own shutdown hook has run");
    }
}

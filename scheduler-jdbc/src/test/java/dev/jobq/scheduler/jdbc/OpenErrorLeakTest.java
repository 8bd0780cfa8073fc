package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} while the scheduler opens its database (here a {@link NoClassDefFoundError} in the middle of the
 * migration, as from a jar missing a class; an OutOfMemoryError or StackOverflowError there goes the same way) leaves
 * none of the pool's connections open behind the caller, who has no scheduler to close.
 */
class OpenErrorLeakTest {

    /** A class Database reaches only once its pool is open, inside the migration (one of its Flyway callbacks). */
    private static final String MISSING = MarksHeldDuringVersion4.class.getName();

    @Test
    void h2() throws Exception {
        String url = "jdbc:h2:mem:jobq-open-error-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Connection watcher = DriverManager.getConnection(url)) {
            assertOpenFailsAndLeavesNoSession(url, () -> count(watcher,
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS") - 1);
        }
    }

    @Test
    void postgres() throws Exception {
        PostgresServer server = PostgresServer.get();
        String url = server.newDatabase("jobq-open-error");
        String database = PostgresServer.databaseOf(url);
        try (Connection watcher = DriverManager.getConnection(server.url("postgres", "jobq-open-error-check"))) {
            assertOpenFailsAndLeavesNoSession(url, () -> count(watcher,
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" + database + "'"));
        }
    }

    private interface Sessions {
        long count() throws SQLException;
    }

    private static void assertOpenFailsAndLeavesNoSession(String url, Sessions sessions) throws Exception {
        try (var loader = new WithoutClass(MISSING)) {
            Method open = loader.loadClass(Opener.class.getName()).getMethod("open", String.class);
            assertThatThrownBy(() -> {
                try {
                    open.invoke(null, url);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }).isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("MarksHeldDuringVersion4");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sessions.count())
                .as("sessions the failed open left on the database").isZero());
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Opens a scheduler on {@code url}, run inside {@link WithoutClass} so that its classes are that loader's. */
    public static final class Opener {

        public static void open(String url) {
            var context = new dev.jobq.spi.SchedulerContext(dev.jobq.spi.Settings.empty("scheduler"),
                    java.time.Clock.systemUTC(), envelope -> { throw new AssertionError("nothing is handed on"); });
            JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context).close();
        }
    }

    /**
     * The test's class path with one class missing; the JDBC drivers are the test's own, so that the database the
     * test watches is the one the scheduler opens (one H2 engine).
     */
    private static final class WithoutClass extends URLClassLoader {

        private final String missing;

        WithoutClass(String missing) throws MalformedURLException {
            super(classPath(), ClassLoader.getPlatformClassLoader());
            this.missing = missing;
        }

        private static URL[] classPath() throws MalformedURLException {
            List<URL> urls = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                urls.add(new File(entry).toURI().toURL());
            }
            return urls.toArray(URL[]::new);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(missing)) {
                throw new ClassNotFoundException(name);
            }
            if (name.startsWith("org.h2.") || name.startsWith("org.postgresql.")) {
                return OpenErrorLeakTest.class.getClassLoader().loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}

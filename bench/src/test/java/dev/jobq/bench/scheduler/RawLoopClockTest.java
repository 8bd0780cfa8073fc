package dev.jobq.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.bench.memory.SamplePayload;
import dev.jobq.bench.runner.Probe;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B6's raw loop is timed as the scheduler is: the scheduler's pool connects when its queue is built
 * and disconnects when it is closed, both outside its clock, so the raw loop's connection must be
 * made before its clock starts and closed after it stops. On an H2 file nothing else holds the
 * database open, so the raw loop's connection opens the database file and its close closes (and
 * compacts) it.
 */
class RawLoopClockTest {

    private static final String PHASE = "raw loop";
    private static final int DUE = 300;
    private static final List<String> EVENTS = Collections.synchronizedList(new ArrayList<>());

    static {
        try {
            DriverManager.registerDriver(new RecordingDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @BeforeEach
    void forgetEarlierEvents() {
        EVENTS.clear();
    }

    @Test
    void connectsBeforeItsClockStartsAndDisconnectsAfterItStops(@TempDir Path dir) throws Exception {
        RawRun run = RawRun.on(dir);
        assertThat(run.timed()).as("what happened while the raw loop's clock ran")
                .noneMatch(event -> event.startsWith("connection"));
        assertThat(run.events().subList(0, run.started())).as("before the clock started").contains("connection opened");
        assertThat(run.events().subList(run.stopped(), run.events().size())).as("after the clock stopped")
                .contains("connection closed");
    }

    /**
     * The scheduler's clock stops when the provider accepted its last job; the claims it makes after, which
     * find nothing, are not timed. The raw loop's clock must likewise stop at the commit of its last row,
     * not after a further claim that comes back empty: that claim, and its commit, are a batch's round trips
     * more on the ceiling's side alone (a batch in 31 in quick mode on PostgreSQL, in 51 on H2).
     */
    @Test
    void stopsItsClockAtItsLastRowNotAfterAnEmptyClaim(@TempDir Path dir) throws Exception {
        RawRun run = RawRun.on(dir);
        assertThat(run.timed().stream().filter("claim"::equals).count())
                .as("claims while the raw loop's clock ran, for %d rows in batches of %d: %s", DUE, FireRate.BATCH,
                        run.timed())
                .isEqualTo(DUE / FireRate.BATCH);
    }

    /** What one raw loop over {@value #DUE} due rows on an H2 file noted, and where its timed phase started and stopped. */
    private record RawRun(List<String> events, int started, int stopped) {
        static RawRun on(Path dir) throws Exception {
            String h2 = "jdbc:h2:file:" + dir.resolve("jobq").toAbsolutePath();
            var table = new ScheduledTable(RecordingDriver.PREFIX + h2.substring("jdbc:".length()));
            try (JobQueue template = SchedulerQueues.firingOnly(h2, FireRate.BATCH, event -> { })) {
                table.learnFrom(template.scheduler().schedule(FireRate.TYPE, SamplePayload.forJob(0),
                        Instant.parse("2999-01-01T00:00:00Z")));
            }

            FireRate.raw(table, DUE, new Probe(new PrintStream(new Lines(), true, StandardCharsets.UTF_8), 1), PHASE);

            List<String> events = List.copyOf(EVENTS);
            int started = events.indexOf("jobq-bench:progress\t" + PHASE + "\t0\t" + DUE);
            int stopped = events.lastIndexOf("jobq-bench:progress\t" + PHASE + "\t" + DUE + "\t" + DUE);
            assertThat(started).as("the timed phase's start in %s", events).isNotNegative();
            assertThat(stopped).as("the timed phase's end in %s", events).isGreaterThan(started);
            return new RawRun(events, started, stopped);
        }

        /** What happened while the raw loop's clock ran. */
        List<String> timed() {
            return events.subList(started, stopped);
        }
    }

    /** The Probe's output, line by line, into {@link #EVENTS}. */
    private static final class Lines extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                EVENTS.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    /** {@code jdbc:recording:h2:...}: H2's connections, each opening and closing noted in {@link #EVENTS}. */
    public static final class RecordingDriver implements Driver {
        static final String PREFIX = "jdbc:recording:";

        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            if (!acceptsURL(url)) {
                return null;
            }
            Connection real = DriverManager.getConnection("jdbc:" + url.substring(PREFIX.length()), info);
            EVENTS.add("connection opened");
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && !real.isClosed()) {
                            EVENTS.add("connection closed");
                        }
                        Object result = invoke(method, real, args);
                        if (method.getName().equals("prepareStatement") && SkipLockedLoop.CLAIM.equals(args[0])) {
                            return recordingClaims((PreparedStatement) result);
                        }
                        return result;
                    });
        }

        /** The raw loop's claim, each execution noted in {@link #EVENTS} as "claim". */
        private static PreparedStatement recordingClaims(PreparedStatement claim) {
            return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                        if (method.getName().equals("executeQuery")) {
                            EVENTS.add("claim");
                        }
                        return invoke(method, claim, args);
                    });
        }

        private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public boolean acceptsURL(String url) {
            return url.startsWith(PREFIX);
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }
    }
}

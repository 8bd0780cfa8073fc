package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL stops and starts again (a restart for an upgrade, a fail-over to the same address)
 * while a scheduler fires, on the real clock: the server of this test is its own, on a port and
 * data directory of its own, so that it can come back where the scheduler's pool looks for it.
 */
@DisplayName("JDBC scheduler on PostgreSQL: the server restarts while the scheduler fires")
class PostgresRestartTest {

    /**
     * A port free when the test starts, the same for both servers. Not a fixed number: another build on
     * the machine running this test at the same time holds it, and the start fails.
     */
    private final int port = freePort();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDirectory;

    private final InstantSource clock = InstantSource.system();
    private final RecordingSink sink = new RecordingSink(clock);
    private final CapturedLog firingLog = new CapturedLog();
    private final Logger firingLogger = (Logger) LoggerFactory.getLogger(FiringLoop.class);
    private final Level levelBefore = firingLogger.getLevel();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private EmbeddedPostgres server;

    @AfterEach
    void close() throws Exception {
        firingLogger.detachAppender(firingLog);
        firingLogger.setLevel(levelBefore);
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theSchedulerGoesOnFiringAfterARestartLosingAndRepeatingNothing() throws Exception {
        server = start();
        try (Connection admin = server.getPostgresDatabase().getConnection(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE jobq_restart");
        }
        String url = "jdbc:postgresql://localhost:" + port + "/jobq_restart?user=postgres";
        firingLog.start();
        firingLogger.setLevel(Level.DEBUG); // each failed pass after the first is a DEBUG line
        firingLogger.addAppender(firingLog);
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofSeconds(2))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("every 1 second").build(), "{}");
        Instant first = clock.instant().plusMillis(300);
        List<String> oneTime = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            oneTime.add(scheduler.schedule(job(), first.plusMillis(200L * i)));
        }
        scheduler.start();
        await().atMost(WAIT).until(() -> sink.distinctIds() >= 8);

        server.close();
        server = null;
        Instant down = clock.instant();
        assertThatThrownBy(() -> scheduler.schedule(job(), clock.instant()))
                .isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: scheduling job ")
                .hasMessageContaining("failed on PostgreSQL at localhost:" + port + "/jobq_restart: ")
                .hasMessageEndingWith("; check that the database is reachable");
        Duration scheduleFailedAfter = Duration.between(down, clock.instant());
        await().atMost(WAIT).until(() -> scheduler.firingProblem().isPresent());
        // Down until a second pass has failed too (the pool waits its connection timeout, 30 s, for each).
        await().atMost(WAIT).until(() -> scheduler.firingProblem().map(PostgresRestartTest::failedInARow).orElse(0) >= 2);

        server = start();
        Instant up = clock.instant();
        String afterRestart = scheduler.schedule(job(), clock.instant());
        await().atMost(WAIT).untilAsserted(() -> assertThat(sink.envelopes()).extracting(JobEnvelope::jobId)
                .contains(afterRestart).containsAll(oneTime));
        Instant handedOnAfterRestart = clock.instant();
        await().atMost(WAIT).until(() -> scheduler.firingProblem().isEmpty()
                && ticksAfter(handedOnAfterRestart) >= 2);

        // A job handed to the queue in the instant the server stopped, before its batch committed, is remembered
        // and marked without going again when this scheduler claims its row after the restart (HandedOnUnmarked;
        // before that it went twice, seen once in the full build).
        assertThat(sink.duplicates()).as("jobs and occurrences handed on twice").isEmpty();
        assertThat(scheduler.listScheduled(10)).isEmpty();
        List<ILoggingEvent> warnings = firingLog.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        Duration outage = Duration.between(down, clock.instant());
        assertThat(warnings).as("warnings logged by the firing thread while the server was down (%s, then %s "
                + "until it was up again): the first, then at most a line every 30 s", scheduleFailedAfter,
                Duration.between(down, up)).hasSizeBetween(1, 1 + (int) (outage.toSeconds() / 30));
        assertThat(warnings.getFirst().getThrowableProxy()).as("the first failure's stack trace").isNotNull();
        assertThat(warnings.getFirst().getFormattedMessage()).matches("scheduler: a pass over PostgreSQL at localhost:"
                + port + "/jobq_restart failed, trying again in \\d+ ms \\(later failures: a line every 30s while "
                + "they go on\\): .+");
        assertThat(warnings.subList(1, warnings.size())).as("the later lines, every 30 s").allSatisfy(e -> {
            assertThat(e.getThrowableProxy()).isNull();
            assertThat(e.getFormattedMessage()).matches("scheduler: passes over PostgreSQL at localhost:" + port
                    + "/jobq_restart keep failing: \\d+ in a row over \\S+ \\(since .+\\), trying again in \\d+ ms: .+");
        });
        List<ILoggingEvent> quiet = firingLog.list.stream().filter(e -> e.getLevel() == Level.DEBUG
                && e.getFormattedMessage().startsWith("scheduler: a pass over ")).toList();
        List<String> infos = firingLog.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(infos).as("INFO lines of the firing thread").hasSize(1);
        String recovered = infos.getFirst();
        assertThat(recovered).matches("scheduler: passes over PostgreSQL at localhost:" + port
                + "/jobq_restart work again, after \\d+ failed in a row over \\S+ \\(down since .+\\)");
        assertThat(warnings.size() + quiet.size()).as("every failed pass logged once, at WARN or DEBUG")
                .isEqualTo(Integer.parseInt(recovered.replaceAll(".* after (\\d+) failed in a row.*", "$1")));
    }

    /** N of the firing problem's "failed N time(s) in a row". */
    private static int failedInARow(String problem) {
        var matcher = Pattern.compile(" failed (\\d+) time\\(s\\) in a row").matcher(problem);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private long ticksAfter(Instant instant) {
        return sink.firedAt("report:tick").stream().filter(at -> at.isAfter(instant)).count();
    }

    private EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .start();
    }

    private JobEnvelope job() {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send", "{}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
    }

    /**
     * A port free now and below the range the system hands out to outgoing connections (32768 and up on
     * Linux): a port of the system's choosing comes from that range, and while the server is down between
     * its two starts another process's connection could take it.
     */
    private static int freePort() {
        var random = ThreadLocalRandom.current();
        for (int tries = 0; tries < 100; tries++) {
            int port = random.nextInt(20_000, 32_000);
            try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000 in 100 tries");
    }
}

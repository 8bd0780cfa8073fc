package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two schedulers on one PostgreSQL database, one whose clock runs 30 s ahead of the machine's (and so of the
 * server's, on the same machine): it fires by its own clock, as the peers do, and says at WARN how far apart
 * the clocks are and what to do about it.
 */
@DisplayName("JDBC scheduler on PostgreSQL: a process whose clock is 30 s ahead of the database's")
class PostgresClockSkewTest {

    private static final Duration AHEAD = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WARNING = "scheduler: this process's clock is 30\\.0 s ahead of the clock of "
            + "PostgreSQL at localhost:\\d+/jobq_test_\\d+ \\(measured to within \\d+ ms\\): a scheduler fires a job "
            + "when its own clock says it is due, so this one hands jobs on 30\\.0 s early, and delays and 'every N' "
            + "grids it starts are off by as much; synchronise the clocks of every machine of the scheduler and of "
            + "the database \\(NTP: chronyd or systemd-timesyncd\\) to within 1s";

    private final String url = PostgresServer.get().newDatabase("clock_skew");
    private final InstantSource trueClock = InstantSource.system();
    private final InstantSource fastClock = Clock.offset(Clock.systemUTC(), AHEAD);
    private final Logger logger = (Logger) LoggerFactory.getLogger(ClockCheck.class);
    private final CapturedLog log = new CapturedLog();
    private final List<JdbcJobScheduler> opened = new ArrayList<>();

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void close() {
        logger.detachAppender(log);
        opened.forEach(JdbcJobScheduler::close);
    }

    @Test
    void theFastSchedulerFiresByItsOwnClockAndWarnsOfTheSkewAtStart() {
        var onTime = new RecordingSink(trueClock);
        var early = new RecordingSink(trueClock);
        JdbcJobScheduler synced = open(trueClock, onTime);
        synced.start();
        Instant due = trueClock.instant().plus(Duration.ofSeconds(20));
        JobEnvelope job = job();
        synced.schedule(job, due);

        JdbcJobScheduler fast = open(fastClock, early);
        fast.start();

        // The fast one's clock says the job is 10 s overdue: it hands it on at once, 20 s before its instant.
        await().atMost(WAIT).until(() -> early.count() == 1);
        assertThat(early.submissions().getFirst().at()).isBefore(due.minus(Duration.ofSeconds(15)));
        assertThat(onTime.count()).isZero();

        // One warning: the fast scheduler's. The synchronised one, checked at its start too, says nothing.
        await().atMost(WAIT).until(() -> !warnings().isEmpty());
        assertThat(warnings()).singleElement().asString().matches(WARNING);
    }

    @Test
    @DisplayName("once a minute at most: a clock that stays apart is a WARN line an hour, one back in step an INFO line")
    void warnsOnceAnHourWhileApartAndSaysWhenBackInStep() {
        JdbcJobScheduler scheduler = open(fastClock, new RecordingSink(trueClock));
        var elapsed = new AtomicLong(1_000_000_000_000L);
        var check = new ClockCheck(scheduler.database(), fastClock, elapsed::get);

        check.checkIfDue();
        elapsed.addAndGet(Duration.ofSeconds(59).toNanos());
        check.checkIfDue(); // within the minute: no query, no line
        for (int minute = 1; minute <= 61; minute++) {
            elapsed.set(1_000_000_000_000L + Duration.ofMinutes(minute).toNanos());
            check.checkIfDue();
        }
        assertThat(warnings()).as("a warning at the first check and one an hour later").hasSize(2)
                .allSatisfy(warning -> assertThat(warning).matches(WARNING));

        var inStep = new ClockCheck(scheduler.database(), trueClock, elapsed::get);
        var skew = inStep.measure();
        assertThat(skew.offset().abs()).as("this machine's clock against its own PostgreSQL's")
                .isLessThan(ClockCheck.TOLERANCE);
        check.judge(skew, elapsed.get());
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.INFO).extracting(ILoggingEvent::getFormattedMessage)
                .singleElement().asString()
                .matches("scheduler: this process's clock agrees with the clock of PostgreSQL at .+ again "
                        + "\\(within \\d+ ms\\)");
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private JdbcJobScheduler open(InstantSource clock, RecordingSink sink) {
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofSeconds(1))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        return scheduler;
    }

    private JobEnvelope job() {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send", "{}",
                JobOptions.defaults(), 0, trueClock.instant(), null, null);
    }
}

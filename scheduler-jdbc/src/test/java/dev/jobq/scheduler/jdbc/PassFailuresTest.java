package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** How the firing thread's failed passes are logged, on an elapsed-time clock the test moves. */
class PassFailuresTest {

    private static final Instant DOWN_AT = Instant.parse("2026-03-02T12:00:00Z");

    private final Logger logger = (Logger) LoggerFactory.getLogger(FiringLoop.class);
    private final Level levelBefore = logger.getLevel();
    private final CapturedLog log = new CapturedLog();
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final PassFailures failures = new PassFailures("PostgreSQL at db:5432/jobq", now::get);

    @BeforeEach
    void capture() {
        logger.setLevel(Level.DEBUG);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(log);
        logger.setLevel(levelBefore);
    }

    @Test
    @DisplayName("an outage of 75 passes over 74 s: the first with its trace, a line every 30 s, the rest at DEBUG, "
            + "and one INFO line naming how long it lasted")
    void aTraceThenALineEvery30SecondsThenOneInfoLine() {
        var refused = new IllegalStateException("Connection refused");
        for (int second = 0; second <= 74; second++) {
            at(second);
            failures.failed(refused, Duration.ofMillis(200), DOWN_AT.plusSeconds(second));
        }
        at(75);
        failures.succeeded();
        failures.succeeded(); // passes that work log nothing more

        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(75 - 3);
        assertThat(log.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).satisfiesExactly(
                first -> {
                    assertThat(first.getLevel()).isEqualTo(Level.WARN);
                    assertThat(first.getThrowableProxy()).as("the first failure's trace").isNotNull();
                    assertThat(first.getFormattedMessage()).isEqualTo("scheduler: a pass over PostgreSQL at "
                            + "db:5432/jobq failed, trying again in 200 ms (later failures: a line every 30s while "
                            + "they go on): Connection refused");
                },
                at30 -> assertRepeat(at30, "31 in a row over 30s"),
                at60 -> assertRepeat(at60, "61 in a row over 1m"),
                info -> {
                    assertThat(info.getLevel()).isEqualTo(Level.INFO);
                    assertThat(info.getFormattedMessage()).isEqualTo("scheduler: passes over PostgreSQL at "
                            + "db:5432/jobq work again, after 75 failed in a row over 1m15s (down since "
                            + DOWN_AT + ")");
                });
        assertThat(failures.failures()).isZero();
    }

    @Test
    @DisplayName("a second outage after passes worked again starts afresh, with its own trace")
    void aSecondOutageHasItsOwnTrace() {
        var refused = new IllegalStateException("Connection refused");
        failures.failed(refused, Duration.ofSeconds(1), DOWN_AT);
        at(1);
        failures.succeeded();
        at(2);
        failures.failed(refused, Duration.ofSeconds(1), DOWN_AT.plusSeconds(2));

        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .hasSize(2).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
        assertThat(failures.failures()).isEqualTo(1);
    }

    private static void assertRepeat(ILoggingEvent event, String count) {
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getThrowableProxy()).as("no trace after the first").isNull();
        assertThat(event.getFormattedMessage()).isEqualTo("scheduler: passes over PostgreSQL at db:5432/jobq keep "
                + "failing: " + count + " (since " + DOWN_AT + "), trying again in 200 ms: Connection refused");
    }

    private void at(int seconds) {
        now.set(1_000_000_000_000L + seconds * 1_000_000_000L);
    }
}

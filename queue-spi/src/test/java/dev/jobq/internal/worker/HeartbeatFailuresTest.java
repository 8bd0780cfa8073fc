package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** How one queue's failed heartbeats are logged, on a clock the test moves. */
class HeartbeatFailuresTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(AttemptRun.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final HeartbeatFailures failures = new HeartbeatFailures("reports", now::get);

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    @DisplayName("a trace per cause, a line every 30 s, INFO when they work again, and the trace again after 30 s "
            + "without a failure")
    void tracesOncePerCauseThenALineEvery30Seconds() {
        var refused = new IllegalStateException("AccessDenied");
        var timedOut = new UncheckedIOException(new SocketTimeoutException("read timed out"));

        failures.failed("job a", refused);
        at(1);
        failures.failed("job b", refused); // the same cause within 30 s: DEBUG only
        at(2);
        failures.failed("job c", timedOut); // another cause: its own trace
        at(31);
        failures.failed("job d", refused); // 29 s after the last warning: not yet a line
        at(33);
        failures.failed("job e", refused); // 31 s after it: one line, no trace
        failures.succeeded();
        at(34);
        failures.failed("job f", refused); // failing again at once: no new trace, no line
        failures.succeeded(); // nothing warned since the last INFO: no INFO
        at(70);
        failures.failed("job g", refused); // after 36 s without a failure: the trace again

        assertThat(appender.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).satisfiesExactly(
                a -> assertTrace(a, "job a", "AccessDenied"),
                c -> assertTrace(c, "job c", "java.net.SocketTimeoutException: read timed out"),
                e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getThrowableProxy()).isNull();
                    assertThat(e.getFormattedMessage()).isEqualTo("heartbeats on queue 'reports' keep failing: 2 "
                            + "failed in the last 31s; the last, of job e: java.lang.IllegalStateException: "
                            + "AccessDenied; a job whose lease runs out may run twice");
                },
                info -> {
                    assertThat(info.getLevel()).isEqualTo(Level.INFO);
                    assertThat(info.getFormattedMessage()).isEqualTo("heartbeats on queue 'reports' work again");
                },
                g -> assertTrace(g, "job g", "AccessDenied"));
    }

    @Test
    @DisplayName("the line every 30 s writes the last failure as one line: its first 1,000 characters, line breaks "
            + "written as escapes, and how many more were cut, as a failed receive's line does")
    void theRepeatedLineWritesTheFailureAsOneBoundedLine() {
        var refused = new IllegalStateException("AccessDenied");
        failures.failed("job a", refused);
        at(20);
        failures.failed("job b", refused);
        at(31);
        var forged = new IllegalStateException("AccessDenied\n2026-12-06 INFO forged line " + "x".repeat(5_000));
        failures.failed("job c", forged);

        // Before, the exception's toString() went in whole: a line break in a provider's message began a line that
        // looked like the log's own, and a 5,000-character message was written every 30 s.
        assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).last()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("heartbeats on queue 'reports' keep failing: 2 failed in the last 31s; the last, of job c: "
                        + "java.lang.IllegalStateException: AccessDenied\\n2026-12-06 INFO forged line xxx")
                .doesNotContain("\n").hasSizeLessThan(1_300)
                .endsWith("x… (" + (forged.toString().length() - 1_000) + " more characters); a job whose lease runs "
                        + "out may run twice");
    }

    @Test
    @DisplayName("a provider's exception whose getMessage() throws an Error is told on the DEBUG line and the line every "
            + "30 s as what it threw, not thrown out of them")
    void aFailureWhoseGetMessageThrowsAnErrorIsToldNotThrown() {
        RuntimeException classGone = new IllegalStateException("AccessDenied") {
            @Override
            public String getMessage() {
                throw new NoClassDefFoundError("com/example/Rows");
            }
        };
        failures.failed("job a", classGone);
        at(1);
        failures.failed("job b", classGone); // DEBUG: its toString() threw out of failed, out of the heartbeat
        at(30);
        failures.failed("job c", classGone);

        assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).last()
                .extracting(ILoggingEvent::getFormattedMessage).isEqualTo("heartbeats on queue 'reports' keep failing: 2 "
                        + "failed in the last 30s; the last, of job c: HeartbeatFailuresTest$1: (its getMessage() threw "
                        + "NoClassDefFoundError: com/example/Rows); a job whose lease runs out may run twice");
    }

    private void at(int seconds) {
        now.set(1_000_000_000_000L + seconds * 1_000_000_000L);
    }

    private static void assertTrace(ILoggingEvent event, String job, String message) {
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getFormattedMessage()).startsWith("could not extend the lease of " + job + "; ")
                .contains("once per cause on queue 'reports'");
        assertThat(event.getThrowableProxy().getMessage()).isEqualTo(message);
    }
}

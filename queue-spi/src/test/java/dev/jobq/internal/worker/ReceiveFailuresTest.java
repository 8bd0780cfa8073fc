package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("ReceiveFailures: the outage a health check reports")
class ReceiveFailuresTest {

    private static final Instant FIRST = Instant.parse("2026-12-04T05:00:00Z");
    private static final Duration PAUSE = Duration.ofMillis(100);

    @Test
    @DisplayName("an outage lasts from its first failure, with the count and the last error, until a receive begun "
            + "after that failure works; one begun before it does not end it")
    void anOutageLastsUntilAReceiveBegunAfterItWorks() {
        var failures = new ReceiveFailures("reports", InstantSource.fixed(FIRST));
        assertThat(failures.outage()).isEmpty();
        long begunBefore = System.nanoTime();

        failures.failed(new IllegalStateException("access denied"), PAUSE);
        failures.failed(new IllegalStateException("still denied"), PAUSE);
        failures.succeeded(begunBefore);

        assertThat(failures.outage()).contains(new ReceiveOutage("reports", FIRST, 2, "still denied"));

        failures.succeeded(System.nanoTime());

        assertThat(failures.outage()).isEmpty();
    }

    @Test
    @DisplayName("an error without a message is reported by its class")
    void anErrorWithoutAMessageIsReportedByItsClass() {
        var failures = new ReceiveFailures("default", InstantSource.fixed(FIRST));

        failures.failed(new NullPointerException(), PAUSE);

        assertThat(failures.outage()).hasValueSatisfying(
                outage -> assertThat(outage.error()).isEqualTo("java.lang.NullPointerException"));
    }

    @Test
    @DisplayName("a huge or multi-line message is reported as one bounded line, and one whose getMessage() throws "
            + "neither stops the loop's failure count nor the report")
    void anUnrulyMessageIsReportedAsOneBoundedLine() {
        var failures = new ReceiveFailures("default", InstantSource.fixed(FIRST));

        failures.failed(new IllegalStateException("denied\n" + "x".repeat(1_000_000)), PAUSE);

        assertThat(failures.outage()).hasValueSatisfying(outage -> {
            assertThat(outage.error()).startsWith("denied\\nxxx").doesNotContain("\n")
                    .endsWith("(999007 more characters)");
            assertThat(outage.error().length()).isLessThan(FailurePolicy.MAX_MESSAGE_CHARS + 100);
        });

        failures.failed(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        }, PAUSE);

        assertThat(failures.outage()).hasValueSatisfying(outage -> {
            assertThat(outage.failures()).isEqualTo(2);
            assertThat(outage.error()).isEqualTo("(its getMessage() threw UnsupportedOperationException: session closed)");
        });
    }

    @Test
    @DisplayName("a URL's password across the cut of a long message is masked: the message was cut first, and "
            + "/health's mask found no '@' after what was left of the password, which it showed")
    void aPasswordAcrossTheCutIsMaskedBeforeTheCut() {
        var failures = new ReceiveFailures("default", InstantSource.fixed(FIRST));

        failures.failed(new IllegalStateException("x".repeat(980) + " https://jobq:hunter2secret@sqs.example/q"), PAUSE);

        assertThat(failures.outage()).hasValueSatisfying(outage -> assertThat(outage.error())
                .isEqualTo("x".repeat(980) + " https://jobq:****@s… (12 more characters)"));
    }

    @Test
    @DisplayName("a provider that fails every other receive is not a stack trace and a 'works again' per receive: one "
            + "trace, then its failures at DEBUG within 30 s of it")
    void receivesFailingEveryOtherTimeLogOneTrace() {
        var failures = new ReceiveFailures("reports", InstantSource.fixed(FIRST));
        var logger = (Logger) LoggerFactory.getLogger(PollLoop.class);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        try {
            for (int i = 0; i < 5; i++) {
                failures.failed(new IllegalStateException("connection reset"), PAUSE);
                assertThat(failures.outage()).as("each failure is an outage for /health").isPresent();
                failures.succeeded(System.nanoTime());
                assertThat(failures.outage()).isEmpty();
            }
        } finally {
            logger.detachAppender(logged);
        }

        // Before, each failure after a receive that worked began a new outage: its WARN with the whole stack trace,
        // then an INFO "works again", for every other receive (on SQS with concurrency 100, ten loops' worth).
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                        "receiving from queue 'reports' failed; trying again in 100 ms",
                        "receiving from queue 'reports' works again after 1 failed receives over 0s");
    }
}

package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
}

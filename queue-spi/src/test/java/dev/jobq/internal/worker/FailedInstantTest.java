package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.Failure;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A retry's delay as handed to the provider after its Failed was announced: counted from Failed's instant. */
class FailedInstantTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final long NANO_AT = 1_000_000_000L;
    private static final Failure.RetryAfter THIRTEEN_HOURS = new Failure.RetryAfter(Duration.ofHours(13), "boom");

    private static long nanoAfter(Duration real) {
        return NANO_AT + real.toNanos();
    }

    @Test
    @DisplayName("a clock that ran with real time, the listeners' milliseconds included, gives the provider the very "
            + "same retry: the backoff is not shortened by them")
    void aClockThatRanWithRealTimeLeavesTheRetryAlone() {
        var failed = new FailedInstant(AT, NANO_AT);
        Duration real = Duration.ofMillis(3);

        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT.plus(real), nanoAfter(real))).isSameAs(THIRTEEN_HOURS);
        // Resolution and slew: 9 ms ahead of real time in a listener's 3 ms, or 1.5 ms ahead over a 1 s listener.
        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT.plus(real).plusMillis(9), nanoAfter(real)))
                .isSameAs(THIRTEEN_HOURS);
        Duration second = Duration.ofSeconds(1);
        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT.plus(second).plusMillis(10).plusNanos(900_000),
                nanoAfter(second))).isSameAs(THIRTEEN_HOURS);
    }

    @Test
    @DisplayName("a clock that stood still or went back gives the provider the same retry")
    void aClockThatStoodStillOrWentBackLeavesTheRetryAlone() {
        var failed = new FailedInstant(AT, NANO_AT);

        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT, nanoAfter(Duration.ofSeconds(2))))
                .isSameAs(THIRTEEN_HOURS);
        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT.minusSeconds(30), nanoAfter(Duration.ofMillis(1))))
                .isSameAs(THIRTEEN_HOURS);
    }

    @Test
    @DisplayName("a settable clock moved since Failed: the delay left of retryIn counted from Failed's instant, none "
            + "when it was moved by retryIn or further")
    void aMovedClockLeavesTheDelayCountedFromFailed() {
        var failed = new FailedInstant(AT, NANO_AT);
        var retry = new Failure.RetryAfter(Duration.ofMillis(1_150), "boom");
        long nanoNow = nanoAfter(Duration.ofMillis(2));

        assertThat(failed.dueRetryInAfter(retry, AT.plusMillis(1_150), nanoNow))
                .isEqualTo(new Failure.RetryAfter(Duration.ZERO, "boom"));
        assertThat(failed.dueRetryInAfter(retry, AT.plusMillis(1_149), nanoNow))
                .isEqualTo(new Failure.RetryAfter(Duration.ofMillis(1), "boom"));
        assertThat(failed.dueRetryInAfter(retry, AT.plusSeconds(60), nanoNow))
                .isEqualTo(new Failure.RetryAfter(Duration.ZERO, "boom"));
        assertThat(failed.dueRetryInAfter(THIRTEEN_HOURS, AT.plusSeconds(3_600), nanoNow))
                .isEqualTo(new Failure.RetryAfter(Duration.ofHours(12), "boom"));
    }

    @Test
    @DisplayName("a delay shorter than twice the tolerance: a clock moved by it is seen as moved")
    void aShortDelayMovedAtOnceIsSeen() {
        var failed = new FailedInstant(AT, NANO_AT);
        var retry = new Failure.RetryAfter(Duration.ofMillis(4), "boom");

        assertThat(failed.dueRetryInAfter(retry, AT.plusMillis(4), nanoAfter(Duration.ofNanos(50_000))))
                .isEqualTo(new Failure.RetryAfter(Duration.ZERO, "boom"));
        assertThat(failed.dueRetryInAfter(retry, AT.plusMillis(1), nanoAfter(Duration.ofMillis(1))))
                .isSameAs(retry);
    }
}

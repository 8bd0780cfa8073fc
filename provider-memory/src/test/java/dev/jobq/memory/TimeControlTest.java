package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.tck.TimeControl;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The contract suite's time controls, as a provider author building a conformance test relies on them. */
class TimeControlTest {

    @Test
    @DisplayName("a settable clock excuses no look as late, however far it was moved: the suite reruns nothing there")
    void settableExcusesNothing() {
        TimeControl settable = TimeControl.settable(SettableClock.atEpochOf2026());

        assertThat(settable.mayHaveLookedLate(Duration.ofSeconds(1), Duration.ofHours(1))).isFalse();
        assertThat(settable.mayHaveLookedLate(Duration.ZERO, Duration.ofSeconds(1))).isFalse();
    }

    @Test
    @DisplayName("on real time a look may have been late once the window's length has passed, and not before")
    void realTimeExcusesALookAfterItsWindow() {
        TimeControl real = TimeControl.realTime(Duration.ofSeconds(5));

        assertThat(real.mayHaveLookedLate(Duration.ofSeconds(2), Duration.ofMillis(1999))).isFalse();
        assertThat(real.mayHaveLookedLate(Duration.ofSeconds(2), Duration.ofSeconds(2))).isTrue();
    }

    @Test
    @DisplayName("real time with no margin is refused: the suite waits patience(ZERO), the margin, for a receiver to "
            + "block and for a job due now, so every correct provider would fail")
    void realTimeWithoutAMarginIsRefused() {
        assertThatThrownBy(() -> TimeControl.realTime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("margin must be > 0, got PT0S: the suite waits patience(Duration.ZERO), which is the "
                        + "margin, for a receiver to block and for a job due now; give a few seconds, as "
                        + "TimeControl.realTime(Duration.ofSeconds(5))");
        assertThatThrownBy(() -> TimeControl.realTime(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("margin must be > 0, got PT-0.001S");
    }
}

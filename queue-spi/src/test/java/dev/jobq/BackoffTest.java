package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    @DisplayName("exponential doubles from the base and stops at the cap")
    void exponentialDoublesUntilCap() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(12)).isEqualTo(Duration.ofSeconds(2048));
        assertThat(backoff.delay(13)).isEqualTo(Duration.ofHours(1));
        assertThat(backoff.delay(500)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    @DisplayName("a delay past Backoff.MAX_DELAY by less than a millisecond is shown as given, in ISO-8601, not cut to "
            + "the maximum it is refused as beyond")
    void aDelayPastTheMaximumByLessThanAMillisecondIsNotShownAsTheMaximum() {
        // MAX_DELAY plus 1ns was refused as "must be ≤ 365d (Backoff.MAX_DELAY), got 365d", which is within it
        assertThatThrownBy(() -> Backoff.fixed(Backoff.MAX_DELAY.plusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delay must be ≤ 365d (Backoff.MAX_DELAY), got PT8760H0.000000001S; ");
    }

    @Test
    @DisplayName("exponential takes an attempt below 1 as the first: the base, Integer.MIN_VALUE too")
    void exponentialBelowTheFirstAttemptIsTheBase() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));
        assertThat(backoff.delay(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(-1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(Integer.MIN_VALUE)).as("attempt Integer.MIN_VALUE").isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.list(Duration.ofSeconds(5), Duration.ofMinutes(1)).delay(Integer.MIN_VALUE))
                .as("a list's, alike").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("jitter only adds, and adds at most its fraction")
    void jitterNeverShortensTheDelay() {
        Backoff backoff = Backoff.fixed(Duration.ofSeconds(10)).withJitter(0.2);
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.delay(1)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(12));
        }
    }

    @Test
    @DisplayName("jitter adds its fraction to the longest delay too: a wait of up to (1 + fraction) · MAX_DELAY")
    void jitterMayTakeAWaitPastMaxDelayByItsFraction() {
        Backoff fixed = Backoff.fixed(Backoff.MAX_DELAY).withJitter(1.0);
        Backoff exponential = Backoff.exponential(Duration.ofSeconds(1), Backoff.MAX_DELAY).withJitter(0.2);
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            waits.add(fixed.delay(1));
            assertThat(exponential.delay(60)).isBetween(Backoff.MAX_DELAY, Backoff.MAX_DELAY.plusDays(73));
        }
        // MAX_DELAY bounds what the factories take, not the wait: docs/semantics.md's Limits table said "each wait at
        // most 365 d", and 1,000 waits of 365d with jitter 1.0 were each longer.
        assertThat(waits).allSatisfy(wait -> assertThat(wait).isBetween(Backoff.MAX_DELAY, Backoff.MAX_DELAY.multipliedBy(2)))
                .anySatisfy(wait -> assertThat(wait).isGreaterThan(Backoff.MAX_DELAY));
    }

    @Test
    @DisplayName("the default policy is 1 s · 2^(n−1) plus up to 20 % jitter")
    void defaultPolicy() {
        Backoff backoff = Backoff.defaultBackoff();
        assertThat(backoff.delay(1)).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(backoff.delay(4)).isBetween(Duration.ofSeconds(8), Duration.ofMillis(9600));
        assertThat(backoff.delay(40)).isBetween(Duration.ofHours(1), Duration.ofMinutes(72));
    }

    @Test
    @DisplayName("a list gives one delay per attempt and repeats its last")
    void listRepeatsLast() {
        Backoff backoff = Backoff.list(Duration.ofSeconds(5), Duration.ofMinutes(1));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.delay(9)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    @DisplayName("bad arguments are refused with the value in the message")
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Backoff.fixed(Duration.ofSeconds(-1)))
                .hasMessage("delay must be ≥ 0, got PT-1S");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .hasMessage("cap must be ≥ base, got base PT10S and cap PT1S");
        assertThatThrownBy(() -> Backoff.none().withJitter(1.5))
                .hasMessage("jitter fraction must be between 0 and 1, got 1.5");
        assertThatThrownBy(Backoff::list).hasMessage("Backoff.list needs at least one delay");
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.testing.SettableClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClaimCursorTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    private final SettableClock clock = new SettableClock(T0);
    private final ClaimCursor cursor = new ClaimCursor(clock, true);

    @Test
    void startsAtTheStartUntilAClaimTookRowsThenAfterTheLastClaimsLastRow() {
        assertThat(cursor.next()).isNull();

        cursor.claimed(new DuePlace("b", T0));
        cursor.claimed(new DuePlace("a", T0.plusSeconds(1)));

        assertThat(cursor.next()).isEqualTo(new DuePlace("a", T0.plusSeconds(1)));
        assertThat(cursor.next()).isEqualTo(new DuePlace("a", T0.plusSeconds(1)));
    }

    @Test
    void aCursorThatDoesNotGoOnStartsEveryClaimAtTheStart() {
        var fromTheStart = new ClaimCursor(clock, false);
        fromTheStart.claimed(new DuePlace("a", T0));

        assertThat(fromTheStart.next()).isNull();
        assertThat(fromTheStart.next()).isNull();
    }

    @Test
    void sendsOneClaimToTheStartEveryRestartPeriod() {
        var last = new DuePlace("a", T0);
        cursor.claimed(last);

        clock.set(T0.plus(ClaimCursor.RESTART_EVERY).minusNanos(1));
        assertThat(cursor.next()).isEqualTo(last);
        clock.set(T0.plus(ClaimCursor.RESTART_EVERY));
        assertThat(cursor.next()).isNull();
        assertThat(cursor.next()).isEqualTo(last);
        clock.set(T0.plus(ClaimCursor.RESTART_EVERY.multipliedBy(2)).minusNanos(1));
        assertThat(cursor.next()).isEqualTo(last);
        clock.set(T0.plus(ClaimCursor.RESTART_EVERY.multipliedBy(2)));
        assertThat(cursor.next()).isNull();
    }
}

package dev.jobq.tck;

import dev.jobq.testing.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How time passes for the provider under test. A provider with an injected clock (memory) is tested
 * with {@link #settable(SettableClock)} (or {@link #settable(SettableClock, Duration)}, to give slow
 * calls more time): leases, delays and retries come due the moment the test moves the clock, so no
 * test waits for them. A provider whose leases run on a server's real clock
 * (SQS, where the visibility timeout cannot be hurried) is tested with {@link #realTime(Duration)}:
 * {@link #advance} does nothing and the suite instead keeps receiving, bounded, until what is due
 * arrives — so choose short leases and delays for such a provider.
 */
public interface TimeControl {

    /** The clock handed to the provider and the {@code JobQueue} under test. */
    InstantSource clock();

    /** Lets {@code duration} pass: moves a settable clock, or nothing in real time (it passes by itself). */
    void advance(Duration duration);

    /** How long, in real time, to keep receiving for a job due {@code dueIn} after the last {@link #advance}. */
    Duration patience(Duration dueIn);

    /**
     * How long, in real time, to keep receiving to be sure nothing becomes visible within
     * {@code window}: nothing once a settable clock has been moved past it, the window itself in real time.
     */
    Duration quietPeriod(Duration window);

    /**
     * True when a test that had to look within {@code window} of starting something (before a delay
     * it set or a lease it holds ran out) may have looked too late, {@code elapsed} having passed
     * (between two readings of {@link #nanoTime()}): never for a settable clock, which moves only when
     * the test moves it, so that every look falls where the test put it; for real time, once
     * {@code elapsed} reached {@code window} (a loaded machine stalled the test), and the suite then
     * runs the test again rather than blame the provider. By default never. A time control that
     * overrides this must read, in {@link #nanoTime()}, the time its provider's leases run on: one that
     * excuses late looks on a settable clock but measures {@code elapsed} in real time would excuse a
     * failure the clock shows was no stall.
     */
    default boolean mayHaveLookedLate(Duration window, Duration elapsed) {
        return false;
    }

    /**
     * A reading in nanoseconds of the time the provider's leases and delays pass in, for how much of it
     * passed between two readings (the {@code elapsed} of {@link #mayHaveLookedLate}); as with
     * {@link System#nanoTime()}, which it is by default, only the difference of two readings means
     * anything. A settable clock's reading moves only when the clock is moved. A test of your own in
     * {@code QueueProviderContract.lookingInTime} that opens a window at a time it noted passes a
     * reading of this, not of {@link System#nanoTime()}; the suite's bounds on waiting (patience) stay
     * on real time. Called on the worker's threads too (the tests through the worker), so thread-safe.
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /**
     * The time of a settable clock; waits for things already due, and for the provider's round trips, are
     * bounded by 10 s of real time (see {@link #settable(SettableClock, Duration)} for more).
     */
    static TimeControl settable(SettableClock clock) {
        return settable(clock, Duration.ofSeconds(10));
    }

    /**
     * The time of a settable clock, for a provider whose calls are slower than {@link #settable(SettableClock)}
     * allows (one behind a network, on a loaded machine): waits for things already due, and for the provider's
     * round trips, are bounded by {@code patience} of real time. A receive that must return before its wait is
     * over (woken by an enqueue or an interrupt, or one on a closed provider) is given three times
     * {@code patience} as its wait, so a longer patience lets no receive that waits out its wait pass; it makes
     * only failing tests slower.
     */
    static TimeControl settable(SettableClock clock, Duration patience) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(patience, "patience");
        if (!patience.isPositive()) {
            throw new IllegalArgumentException("patience must be > 0, got " + patience);
        }
        return new TimeControl() {
            @Override
            public InstantSource clock() {
                return clock;
            }

            @Override
            public void advance(Duration duration) {
                clock.advance(duration);
            }

            @Override
            public Duration patience(Duration dueIn) {
                return patience;
            }

            @Override
            public long nanoTime() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public Duration quietPeriod(Duration window) {
                return Duration.ZERO;
            }

            @Override
            public String toString() {
                return "settable time at " + clock.instant() + " with a patience of " + patience;
            }
        };
    }

    /**
     * Real time (UTC system clock); every wait for something due is that long plus {@code margin}, which must be more
     * than zero: the suite waits {@code patience(Duration.ZERO)}, the margin alone, for a receiver to block and for a
     * job due now.
     */
    static TimeControl realTime(Duration margin) {
        Objects.requireNonNull(margin, "margin");
        if (!margin.isPositive()) {
            throw new IllegalArgumentException("margin must be > 0, got " + margin + ": the suite waits "
                    + "patience(Duration.ZERO), which is the margin, for a receiver to block and for a job due now; "
                    + "give a few seconds, as TimeControl.realTime(Duration.ofSeconds(5))");
        }
        return new TimeControl() {
            @Override
            public InstantSource clock() {
                return Clock.systemUTC();
            }

            @Override
            public void advance(Duration duration) {
                // Real time cannot be hurried; the next receive waits it out, bounded by patience().
            }

            @Override
            public Duration patience(Duration dueIn) {
                return dueIn.plus(margin);
            }

            @Override
            public Duration quietPeriod(Duration window) {
                return window;
            }

            @Override
            public boolean mayHaveLookedLate(Duration window, Duration elapsed) {
                return elapsed.compareTo(window) >= 0;
            }

            @Override
            public String toString() {
                return "real time with a margin of " + margin;
            }
        };
    }
}

package dev.jobq.internal.worker;

import dev.jobq.spi.Failure;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The instant of an attempt's {@code Failed} event, on the queue's clock and on {@link System#nanoTime()}, so that
 * its retry is due {@code retryIn} after that instant, as the event says: {@code Failed} is announced before the
 * retry is handed to the provider, which counts the delay from its clock at that later call. A test that moved its
 * {@code SettableClock} by {@code retryIn} on hearing {@code Failed} otherwise had the retry due {@code retryIn}
 * after the moved time, and it never ran.
 *
 * <p>Only a clock that was <em>moved</em> in between is made up for: one whose time since the event exceeds the
 * real time since it by more than {@link #MOVED_TOLERANCE} (or half the delay, if less) plus {@link #DRIFT_PPM}
 * of the real time. A clock that ran with real time, NTP's slew and its resolution included, gives the provider
 * the very same retry: on real time, the milliseconds the listeners took are not taken off the backoff (SQS's
 * warning for a backoff beyond its 12 h said 12h59m59s997ms for a configured 13h when they were).
 *
 * @param at       the event's instant, on the queue's clock
 * @param nanoTime {@link System#nanoTime()} read just before {@code at}
 */
record FailedInstant(Instant at, long nanoTime) {

    /** A clock that ran this much further than real time (at most) was not moved: resolution, a read's delay. */
    static final Duration MOVED_TOLERANCE = Duration.ofMillis(10);
    /** What a running clock may gain on real time besides {@link #MOVED_TOLERANCE}: twice NTP's 500 ppm slew. */
    static final long DRIFT_PPM = 1_000;

    /** Now on {@code clock}, the real time read first so that it is not the shorter of the two. */
    static FailedInstant now(InstantSource clock) {
        long nanoTime = System.nanoTime();
        return new FailedInstant(clock.instant(), nanoTime);
    }

    /**
     * {@code retry} as the provider is to count it from now, on {@code clock}: the same object unless the clock was
     * moved since {@link #at}; else the delay less the clock's time since {@code at} (none left: zero).
     */
    Failure.RetryAfter dueRetryInAfter(Failure.RetryAfter retry, InstantSource clock) {
        Instant clockNow = clock.instant();
        return dueRetryInAfter(retry, clockNow, System.nanoTime());
    }

    /** {@link #dueRetryInAfter(Failure.RetryAfter, InstantSource)} at {@code clockNow} and {@code nanoNow}. */
    Failure.RetryAfter dueRetryInAfter(Failure.RetryAfter retry, Instant clockNow, long nanoNow) {
        Duration onClock = Duration.between(at, clockNow);
        Duration real = Duration.ofNanos(Math.max(0, nanoNow - nanoTime));
        if (retry.delay().isZero() || onClock.minus(real).compareTo(tolerance(retry.delay(), real)) <= 0) {
            return retry;
        }
        Duration left = retry.delay().minus(onClock);
        return new Failure.RetryAfter(left.isNegative() ? Duration.ZERO : left, retry.error());
    }

    /**
     * How much further than real time a clock that was not moved may have run: {@link #MOVED_TOLERANCE}, or half a
     * shorter delay (a test's clock moved by a 4 ms retryIn is seen as moved), plus the drift over {@code real}.
     */
    private static Duration tolerance(Duration delay, Duration real) {
        Duration half = delay.dividedBy(2);
        Duration base = half.compareTo(MOVED_TOLERANCE) < 0 ? half : MOVED_TOLERANCE;
        return base.plus(real.multipliedBy(DRIFT_PPM).dividedBy(1_000_000));
    }
}

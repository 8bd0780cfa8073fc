package dev.jobq.scheduler.jdbc;

import dev.jobq.testing.SettableClock;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * How the firing thread waits: until a deadline on the scheduler's clock, or until rung because
 * something earlier was scheduled in this process, or because the scheduler is closing. A moved
 * {@link SettableClock} makes the sleeper look at the clock again, so tests drive the scheduler by
 * moving time, without sleeping. Thread-safe.
 */
final class Alarm {

    private final InstantSource clock;
    /** What this alarm registered on a {@link SettableClock}; null on other clocks. */
    private final @Nullable Runnable clockListener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean rung;
    /** The sleeper's deadline; {@link Instant#MAX} while it is awake, so that any ring is kept for its next sleep. */
    private volatile Instant deadline = Instant.MAX;

    Alarm(InstantSource clock) {
        this.clock = clock;
        if (clock instanceof SettableClock settable) {
            // Weakly, so a clock shared by many short-lived schedulers does not keep them alive.
            var self = new WeakReference<>(this);
            Runnable moved = () -> {
                Alarm alarm = self.get();
                if (alarm != null) {
                    alarm.clockMoved();
                }
            };
            settable.onChange(moved);
            clockListener = moved;
        } else {
            clockListener = null;
        }
    }

    /** Takes this alarm's listener off a {@link SettableClock}: the scheduler is closed and nothing sleeps on it. */
    void close() {
        if (clockListener != null && clock instanceof SettableClock settable) {
            settable.removeOnChange(clockListener);
        }
    }

    /**
     * Sleeps until the clock reaches {@code until} or the alarm rings (a ring while awake ends the next
     * sleep at once), for at most {@code atMost} of elapsed time ({@link System#nanoTime()}), whatever the clock does
     * meanwhile: a clock stepped back makes {@code until} further off than it was. Returns true if it rang.
     */
    boolean sleepUntil(Instant until, Duration atMost) throws InterruptedException {
        return sleepUntil(until, atMost.toNanos());
    }

    private boolean sleepUntil(Instant until, long atMostNanos) throws InterruptedException {
        long start = System.nanoTime();
        lock.lock();
        try {
            deadline = until;
            while (!rung) {
                long nanos = Math.min(nanosUntil(until), atMostNanos - (System.nanoTime() - start));
                if (nanos <= 0) {
                    break;
                }
                changed.awaitNanos(nanos);
            }
            boolean wasRung = rung;
            rung = false;
            return wasRung;
        } finally {
            deadline = Instant.MAX;
            lock.unlock();
        }
    }

    /** Rings when {@code due} is earlier than the sleeper's deadline (always, while it is awake). */
    void ringIfBefore(Instant due) {
        if (due.isBefore(deadline)) {
            ring();
        }
    }

    void ring() {
        lock.lock();
        try {
            rung = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void clockMoved() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long nanosUntil(Instant until) {
        try {
            return Duration.between(clock.instant(), until).toNanos();
        } catch (ArithmeticException farAway) {
            return Long.MAX_VALUE;
        }
    }
}

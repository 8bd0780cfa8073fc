package dev.jobq.testing;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told, for tests of delays, leases and backoff without sleeping.
 * Thread-safe. Components that wait for time to pass can {@link #onChange register} to be woken
 * when it moves.
 */
public final class SettableClock implements InstantSource {

    private final AtomicReference<Instant> now;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** A clock at {@code start}. */
    public SettableClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public static SettableClock atEpochOf2026() {
        return new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Moves the clock to {@code instant}, forwards or back, then runs the {@link #onChange} listeners. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        listeners.forEach(Runnable::run);
    }

    /**
     * Moves the clock on by {@code duration} (back, if it is negative), then runs the {@link #onChange}
     * listeners.
     *
     * @throws IllegalArgumentException if the time would pass {@link Instant#MAX} or {@link Instant#MIN};
     *                                  the clock does not move
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        Instant from = now.get();
        try {
            now.updateAndGet(t -> t.plus(duration));
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("advancing the clock at " + from + " by " + duration + " passes the "
                    + "last (or first) instant Java can represent; advance it by less, or set() an instant", e);
        }
        listeners.forEach(Runnable::run);
    }

    /**
     * Runs {@code listener} after every change of time (on the thread that changed it). A component that
     * registers one takes it out with {@link #removeOnChange} when it closes: a clock shared by a test
     * suite otherwise keeps a listener per component it ever served, and runs them all at every change.
     */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops running {@code listener} (the same object given to {@link #onChange}); false if it was not registered. */
    public boolean removeOnChange(Runnable listener) {
        return listeners.remove(listener);
    }
}

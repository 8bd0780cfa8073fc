package dev.jobq.bench.runner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts finished jobs and lets one thread wait for the last of a known number, or for the first
 * failure that means the last will never come. Thread-safe.
 */
public final class Countdown {

    private final long expected;
    private final AtomicLong done = new AtomicLong();
    private final CountDownLatch all = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public Countdown(long expected) {
        this.expected = expected;
    }

    public void tick() {
        if (done.incrementAndGet() == expected) {
            all.countDown();
        }
    }

    public long done() {
        return done.get();
    }

    /**
     * The jobs will not all finish, because of {@code cause} (a thread doing them failed): ends the
     * wait at once, with that error, rather than when its limit runs out. The first cause is kept.
     */
    public void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
        all.countDown();
    }

    /** Waits for the last job; fails the run rather than hang when jobs went missing. */
    public void await(Duration limit) throws InterruptedException {
        if (!awaitAtMost(limit)) {
            throw new IllegalStateException("only " + done.get() + " of " + expected + " jobs finished within " + limit);
        }
    }

    /**
     * Waits for the last job, at most {@code limit}; false when the time ran out first. Throws the
     * failure {@link #fail} was given, as soon as it is given.
     */
    public boolean awaitAtMost(Duration limit) throws InterruptedException {
        boolean opened = all.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException("only " + done.get() + " of " + expected + " jobs finished: " + cause,
                    cause);
        }
        return opened;
    }
}

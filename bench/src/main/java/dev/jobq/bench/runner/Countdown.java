package dev.jobq.bench.runner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Counts finished jobs and lets one thread wait for the last of a known number. Thread-safe. */
public final class Countdown {

    private final long expected;
    private final AtomicLong done = new AtomicLong();
    private final CountDownLatch all = new CountDownLatch(1);

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

    /** Waits for the last job; fails the run rather than hang when jobs went missing. */
    public void await(Duration limit) throws InterruptedException {
        if (!awaitAtMost(limit)) {
            throw new IllegalStateException("only " + done.get() + " of " + expected + " jobs finished within " + limit);
        }
    }

    /** Waits for the last job, at most {@code limit}; false when the time ran out first. */
    public boolean awaitAtMost(Duration limit) throws InterruptedException {
        return all.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }
}

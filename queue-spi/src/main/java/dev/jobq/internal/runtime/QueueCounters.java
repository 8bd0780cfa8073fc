package dev.jobq.internal.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What this process's worker has done on one queue: outcomes, handler time, concurrency, and a
 * per-second ring of completions for the last minute's throughput. Thread-safe and lock-free.
 */
public final class QueueCounters {

    private static final int WINDOW_SECONDS = 60;

    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dead = new LongAdder();
    /**
     * The handler time of completed attempts in nanoseconds, summed as a double: a long of nanoseconds wrapped around at
     * 292 years in all, which concurrency 1000 of jobs that run all the time reach in 107 days, and the average turned
     * negative. A double never wraps, is exact up to 104 days in all and then off by parts in 10^13 of the mean; one
     * add per job, as before (a sum of whole seconds and one of the nanoseconds beyond them took two, and the second
     * still wrapped after as many jobs of just under a second).
     */
    private final DoubleAdder completedNanos = new DoubleAdder();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peakActive = new AtomicInteger();
    /**
     * One word per second of the minute: the second (since start) in the high 32 bits, its completions in the low
     * 32, so that moving a slot on to a new second and counting in it cannot lose a count between two writes.
     */
    private final AtomicLongArray buckets = new AtomicLongArray(WINDOW_SECONDS);
    private final LongSupplier nanoTime;
    private final long startNanos;

    public QueueCounters() {
        this(System::nanoTime);
    }

    /** With the clock the throughput's seconds are read from ({@link System#nanoTime()}'s kind: only differences count). */
    QueueCounters(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    public void started() {
        int now = active.incrementAndGet();
        peakActive.accumulateAndGet(now, Math::max);
    }

    public void finished() {
        active.decrementAndGet();
    }

    public void completed(long handlerNanos) {
        completed.increment();
        completedNanos.add(handlerNanos);
        long second = (nanoTime.getAsLong() - startNanos) / 1_000_000_000L;
        int slot = (int) (second % WINDOW_SECONDS);
        while (true) {
            long bucket = buckets.get(slot);
            if (bucket >>> 32 == second) {
                buckets.getAndIncrement(slot);
                return;
            }
            if (buckets.compareAndSet(slot, bucket, second << 32 | 1)) {
                return;
            }
        }
    }

    public void failed() {
        failed.increment();
    }

    public void dead() {
        dead.increment();
    }

    public long completedCount() {
        return completed.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    public long deadCount() {
        return dead.sum();
    }

    public int activeCount() {
        return active.get();
    }

    public int peakActiveCount() {
        return peakActive.get();
    }

    /** Completions per second over the last minute (or since start, if shorter). */
    public double throughputPerSecond() {
        long nowSecond = (nanoTime.getAsLong() - startNanos) / 1_000_000_000L;
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long bucket = buckets.get(i);
            long second = bucket >>> 32;
            if (nowSecond - second < WINDOW_SECONDS && second <= nowSecond) {
                sum += bucket & 0xFFFF_FFFFL;
            }
        }
        double window = Math.min(WINDOW_SECONDS, Math.max(1, nowSecond + 1));
        return sum / window;
    }

    public double successRate() {
        long ok = completed.sum();
        long bad = failed.sum();
        return ok + bad == 0 ? 1.0 : (double) ok / (ok + bad);
    }

    public Duration averageDuration() {
        long count = completed.sum();
        if (count == 0) {
            return Duration.ZERO;
        }
        // Saturates at Duration.ofNanos(Long.MAX_VALUE) rather than wrapping, should one job alone exceed 292 years.
        return Duration.ofNanos((long) (completedNanos.sum() / count));
    }
}

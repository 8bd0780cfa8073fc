package dev.jobq.internal.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this process's worker has done on one queue: outcomes, handler time, concurrency, and a
 * per-second ring of completions for the last minute's throughput. Thread-safe and lock-free.
 */
public final class QueueCounters {

    private static final int WINDOW_SECONDS = 60;

    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final LongAdder completedNanos = new LongAdder();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peakActive = new AtomicInteger();
    private final AtomicLongArray bucketSecond = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray bucketCount = new AtomicLongArray(WINDOW_SECONDS);
    private final long startNanos = System.nanoTime();

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
        long second = (System.nanoTime() - startNanos) / 1_000_000_000L;
        int slot = (int) (second % WINDOW_SECONDS);
        if (bucketSecond.get(slot) != second) {
            bucketSecond.set(slot, second);
            bucketCount.set(slot, 0);
        }
        bucketCount.incrementAndGet(slot);
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
        long nowSecond = (System.nanoTime() - startNanos) / 1_000_000_000L;
        long sum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long second = bucketSecond.get(i);
            if (nowSecond - second < WINDOW_SECONDS && second <= nowSecond) {
                sum += bucketCount.get(i);
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
        return count == 0 ? Duration.ZERO : Duration.ofNanos(completedNanos.sum() / count);
    }
}

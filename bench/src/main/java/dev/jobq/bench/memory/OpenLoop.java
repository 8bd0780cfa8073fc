package dev.jobq.bench.memory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed rate by a schedule made in advance: job {@code i} is due at {@code start + i/rate}
 * and carries that due instant, not the instant it was actually sent. A stall (in the queue, in the
 * sender, in GC) therefore shows in the latency of every job due during it, instead of pausing the
 * schedule and hiding it (coordinated omission). A sender that wakes late catches up at once.
 */
final class OpenLoop {

    /** Sends one job that was due at {@code dueNanos} ({@link System#nanoTime()}). */
    @FunctionalInterface
    interface Send {
        void send(long dueNanos) throws Exception;
    }

    private final int perSecond;

    OpenLoop(int perSecond) {
        this.perSecond = perSecond;
    }

    /** The number of jobs {@code duration} holds at this rate. */
    int count(Duration duration) {
        return (int) (duration.toNanos() * perSecond / 1_000_000_000L);
    }

    /**
     * Sends {@code count} jobs starting at {@code startNanos}.
     *
     * @param sent incremented after each send, for progress
     */
    void run(long startNanos, int count, Send send, java.util.concurrent.atomic.AtomicLong sent) throws Exception {
        double period = 1e9 / perSecond;
        for (int i = 0; i < count; i++) {
            long due = startNanos + (long) (i * period);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            send.send(due);
            sent.incrementAndGet();
        }
    }
}

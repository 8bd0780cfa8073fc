package dev.jobq.internal.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The worker's {@code concurrency} permits, shared by the poll loops of all its queues. A loop asks
 * for up to as many permits as it could use and gets whatever is free (at least one), so one slow
 * job never idles the others. Loops have tiers (the order queues are listed in): while a loop of a
 * lower tier number waits, higher tiers do not get permits, so listed order is served first.
 */
final class PermitPool {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int[] waitingByTier;
    private final int total;
    private int available;

    PermitPool(int permits, int tiers) {
        this.total = permits;
        this.available = permits;
        this.waitingByTier = new int[Math.max(1, tiers)];
    }

    /**
     * Takes between 1 and {@code max} permits, waiting until at least one is free and no loop of a
     * lower tier is waiting.
     */
    int acquireUpTo(int max, int tier) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            waitingByTier[tier]++;
            try {
                while (available == 0 || lowerTierWaiting(tier)) {
                    changed.await();
                }
            } finally {
                waitingByTier[tier]--;
            }
            int granted = Math.min(max, available);
            available -= granted;
            if (available > 0) {
                changed.signalAll();
            }
            return granted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code wanted} more permits, waiting up to {@code nanos} for them to come back;
     * returns how many it took (0 to {@code wanted}). Like {@link #acquireUpTo}, it takes none while
     * a loop of a lower tier waits, and counts as waiting meanwhile.
     */
    int gather(int wanted, int tier, long nanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            waitingByTier[tier]++;
            try {
                int taken = 0;
                long left = nanos;
                while (true) {
                    if (!lowerTierWaiting(tier)) {
                        int take = Math.min(wanted - taken, available);
                        available -= take;
                        taken += take;
                    }
                    if (taken >= wanted || left <= 0) {
                        return taken;
                    }
                    try {
                        left = changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        available += taken;
                        throw e;
                    }
                }
            } finally {
                waitingByTier[tier]--;
                if (available > 0) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes up to {@code wanted} permits that are free now, without waiting; returns how many it took. */
    int takeFree(int wanted) {
        lock.lock();
        try {
            int taken = Math.min(wanted, available);
            available -= taken;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    void release(int permits) {
        if (permits <= 0) {
            return;
        }
        lock.lock();
        try {
            available += permits;
            if (available > total) {
                throw new IllegalStateException("released more permits than were taken: " + available + " > " + total);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every permit is back, or the timeout passes; true if all are back. */
    boolean awaitAllReturned(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (available < total) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True while a loop of a tier before {@code tier} waits for permits: a handler's thread of
     * {@code tier} must then hand its permit back rather than keep it for another job.
     */
    boolean anyWaitingBefore(int tier) {
        if (tier == 0) {
            return false;
        }
        lock.lock();
        try {
            return lowerTierWaiting(tier);
        } finally {
            lock.unlock();
        }
    }

    /** How many tiers (listed queues) share the permits. */
    int tiers() {
        return waitingByTier.length;
    }

    /** The worker's concurrency: every permit there is. */
    int total() {
        return total;
    }

    int available() {
        lock.lock();
        try {
            return available;
        } finally {
            lock.unlock();
        }
    }

    private boolean lowerTierWaiting(int tier) {
        for (int t = 0; t < tier; t++) {
            if (waitingByTier[t] > 0) {
                return true;
            }
        }
        return false;
    }
}

package dev.jobq.internal.worker;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many jobs a worker may still receive, over all its queues ({@code jobq run --max-jobs N}): each
 * receive takes its share before it asks the provider and gives back what the provider did not
 * bring, so the worker never holds more than N jobs in its life and none is left half-done when it
 * stops. A job that ended here with no outcome (its lease was lost) gives its receive back too: the limit
 * counts outcomes, and another job takes its place. Absent (null in the worker) without a limit, so that a
 * worker without one pays nothing for it.
 *
 * <p>A long poll holds what it took for as long as it waits. So with several queues the last receives
 * can sit in a long poll of an empty queue while another queue's loop, finding none left, waits for them:
 * its job starts up to {@code min(pollInterval, waitTime)} late, once, at the end of the worker's life: what
 * that poll gives back is then {@linkplain #heldForWaiters held} for the waiting loop. The one poll's wait is
 * left so on purpose: a long poll cannot be cut short (SQS may still hand a message to a poll whose
 * client hung up, see {@code SqsQueueProvider}), and letting the waiting loop receive on credit would
 * leave the surplus to hand back, which on a FIFO queue counts an attempt.
 */
final class ReceiveBudget {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition givenBack = lock.newCondition();
    private long left;
    /**
     * Of {@link #left}, the receives an empty queue's loop gave back while other loops waited for one: kept
     * for those ({@link #takeAfterWait}). Taken straight back, the loop of an empty queue held the last
     * receives poll after poll, as the woken loops ran only after it (a loaded machine: {@code MaxJobsTest}
     * ran 29 of 30, another queue's jobs waiting for good).
     */
    private long heldForWaiters;
    /** The loops that came to {@link #awaitLeft()} so far: a waiting loop's ticket is its number. */
    private long arrivals;
    /** Loops whose ticket is at most this may take the receives held for waiters: they waited when those came. */
    private long heldFor;
    /** Loops in {@link #awaitLeft()}. */
    private int waiting;

    ReceiveBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("a receive budget must be ≥ 1, got " + max);
        }
        this.left = max;
    }

    /** Takes up to {@code wanted} receives, without waiting; 0 when none is left now (or all are held for waiters). */
    int take(int wanted) {
        lock.lock();
        try {
            int taken = (int) Math.min(wanted, left - heldForWaiters);
            left -= taken;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #take}, by a loop that {@linkplain #awaitLeft() waited} for a receive with {@code ticket}: it may
     * take those held for the loops that waited when they were given back.
     */
    int takeAfterWait(int wanted, long ticket) {
        lock.lock();
        try {
            if (ticket > heldFor) {
                int taken = (int) Math.min(wanted, left - heldForWaiters);
                left -= taken;
                return taken;
            }
            int taken = (int) Math.min(wanted, left);
            left -= taken;
            heldForWaiters = Math.max(0, heldForWaiters - taken);
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Returns receives taken but not used: the provider brought fewer jobs, or the receive failed. */
    void giveBack(int unused) {
        giveBack(unused, false);
    }

    /**
     * @param toWaiters true from the loop of a queue found empty: while other loops wait for a receive, these
     *                  are kept for them, not for this loop's next look
     */
    void giveBack(int unused, boolean toWaiters) {
        if (unused <= 0) {
            return;
        }
        lock.lock();
        try {
            left += unused;
            if (toWaiters && waiting > 0) {
                heldForWaiters += unused;
                heldFor = arrivals;
            }
            givenBack.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Loops waiting in {@link #awaitLeft()} now (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a receive is left for this loop (one taken elsewhere may be given back); a spent budget
     * waits until the worker stops, whose interrupt ends the wait. Returns the loop's ticket for
     * {@link #takeAfterWait}.
     */
    long awaitLeft() throws InterruptedException {
        lock.lock();
        try {
            long ticket = ++arrivals;
            waiting++;
            try {
                while (left - (ticket <= heldFor ? 0 : heldForWaiters) == 0) {
                    givenBack.await();
                }
            } finally {
                waiting--;
            }
            return ticket;
        } finally {
            lock.unlock();
        }
    }
}

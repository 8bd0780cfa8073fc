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
 * its job starts up to {@code min(pollInterval, waitTime)} late, once, at the end of the worker's life.
 * Left so on purpose: a long poll cannot be cut short (SQS may still hand a message to a poll whose
 * client hung up, see {@code SqsQueueProvider}), and letting the waiting loop receive on credit would
 * leave the surplus to hand back, which on a FIFO queue counts an attempt.
 */
final class ReceiveBudget {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition givenBack = lock.newCondition();
    private long left;

    ReceiveBudget(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("a receive budget must be ≥ 1, got " + max);
        }
        this.left = max;
    }

    /** Takes up to {@code wanted} receives, without waiting; 0 when none is left now. */
    int take(int wanted) {
        lock.lock();
        try {
            int taken = (int) Math.min(wanted, left);
            left -= taken;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Returns receives taken but not used: the provider brought fewer jobs, or the receive failed. */
    void giveBack(int unused) {
        if (unused <= 0) {
            return;
        }
        lock.lock();
        try {
            left += unused;
            givenBack.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a receive is left (one taken elsewhere may be given back); a spent budget waits until
     * the worker stops, whose interrupt ends the wait.
     */
    void awaitLeft() throws InterruptedException {
        lock.lock();
        try {
            while (left == 0) {
                givenBack.await();
            }
        } finally {
            lock.unlock();
        }
    }
}

package dev.jobq.scheduler.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * The queues this process does not have (its sink rejects their jobs as of a queue it does not configure): processes
 * sharing the database need not configure the same queues (workers split by queue, a rolling deploy that adds one),
 * and one that has the queue hands its jobs on on time, so this process leaves their rows as they are and out of its
 * claims and of its look at the earliest due row. A process's queues are fixed when it is built: a queue stays here
 * until the scheduler is closed. Empty, it adds nothing to those statements. Thread-safe.
 */
final class UnservedQueues {

    /** Copied on each addition, which is rare: read by every claim without a lock or a copy. */
    private volatile List<String> queues = List.of();

    /** Adds {@code queue}; true when it was not here yet. */
    synchronized boolean add(String queue) {
        if (queues.contains(queue)) {
            return false;
        }
        List<String> more = new ArrayList<>(queues);
        more.add(queue);
        queues = List.copyOf(more);
        return true;
    }

    /** The queues left out, in the order they were found; empty while there are none. */
    List<String> queues() {
        return queues;
    }
}

package dev.jobq.memory;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The visible jobs, polled in (priority, sequence) order — lower priority first, FIFO within one —
 * in O(1) for the common case. A binary heap over a million ready jobs costs a cache miss per level
 * on every poll; here each priority has a lane whose fresh jobs (sequence above any the lane has
 * seen: a new enqueue) go to the back of a plain FIFO, and only jobs that come back with an older
 * sequence (a delay that ended, a retry, a release, a lost lease) go to a small heap beside it. A
 * poll takes the older head of the two. Not thread-safe.
 */
final class ReadyQueue {

    /** Empty lanes are kept (no allocation per job on a queue that empties often) up to this many. */
    private static final int KEPT_LANES = 4;
    /** A lane that held more than this and then emptied gets a fresh, small FIFO. */
    private static final int SHRINK_AFTER = 4096;
    private static final Comparator<Entry> BY_SEQUENCE = Comparator.comparingLong(e -> e.sequence);

    /**
     * By priority. A tree, not a sorted array: priorities are any int, and an array copied whole for each new or
     * emptied priority made jobs of distinct priorities cost time quadratic in their number.
     */
    private final TreeMap<Integer, Lane> lanes = new TreeMap<>();
    /** The lane of the lowest priority that holds a job; null when none does. */
    private @Nullable Lane first;
    /** The lane last added to: a run of jobs of one priority finds it without a look-up. */
    private @Nullable Lane recent;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Entry entry) {
        Lane lane = lane(entry.priority);
        lane.add(entry);
        if (first == null || lane.priority < first.priority) {
            first = lane;
        }
        size++;
    }

    @Nullable Entry poll() {
        Lane lane = first;
        if (lane == null) {
            return null;
        }
        Entry next = lane.poll();
        size--;
        if (lane.isEmpty()) {
            first = lanes.size() == 1 ? null : nextHolding(lane.priority);
            if (lanes.size() > KEPT_LANES) {
                lanes.remove(lane.priority);
                if (recent == lane) {
                    recent = null;
                }
            }
        }
        return next;
    }

    /** The lane of the lowest priority above {@code priority} that holds a job (past at most the few kept empty). */
    private @Nullable Lane nextHolding(int priority) {
        for (Lane lane : lanes.tailMap(priority, false).values()) {
            if (!lane.isEmpty()) {
                return lane;
            }
        }
        return null;
    }

    private Lane lane(int priority) {
        Lane lane = recent;
        if (lane != null && lane.priority == priority) {
            return lane;
        }
        lane = lanes.get(priority);
        if (lane == null) {
            lane = new Lane(priority);
            lanes.put(priority, lane);
        }
        recent = lane;
        return lane;
    }

    /** The ready jobs of one priority. */
    private static final class Lane {

        final int priority;
        private ArrayDeque<Entry> fresh = new ArrayDeque<>();
        private @Nullable EntryHeap returning;
        private long lastFreshSequence = Long.MIN_VALUE;
        private int peak;

        Lane(int priority) {
            this.priority = priority;
        }

        void add(Entry entry) {
            if (entry.sequence > lastFreshSequence) {
                fresh.addLast(entry);
                lastFreshSequence = entry.sequence;
                peak = Math.max(peak, fresh.size());
            } else {
                if (returning == null) {
                    returning = new EntryHeap(BY_SEQUENCE);
                }
                returning.add(entry);
            }
        }

        @Nullable Entry poll() {
            Entry head = fresh.peekFirst();
            Entry back = returning == null ? null : returning.peek();
            if (head == null && back == null) {
                return null;
            }
            Entry next = back == null || (head != null && head.sequence < back.sequence)
                    ? fresh.pollFirst() : returning.poll();
            if (fresh.isEmpty() && peak > SHRINK_AFTER) {
                // A drained backlog of a million jobs should not keep its array.
                fresh = new ArrayDeque<>();
                peak = 0;
            }
            return next;
        }

        boolean isEmpty() {
            return fresh.isEmpty() && (returning == null || returning.isEmpty());
        }
    }
}

package dev.jobq.memory;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
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

    /** Sorted by priority. */
    private Lane[] lanes = new Lane[0];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Entry entry) {
        lane(entry.priority).add(entry);
        size++;
    }

    @Nullable Entry poll() {
        for (int i = 0; i < lanes.length; i++) {
            Lane lane = lanes[i];
            Entry next = lane.poll();
            if (next != null) {
                size--;
                if (lane.isEmpty() && lanes.length > KEPT_LANES) {
                    removeLane(i);
                }
                return next;
            }
        }
        return null;
    }

    private Lane lane(int priority) {
        int low = 0;
        int high = lanes.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int p = lanes[mid].priority;
            if (p < priority) {
                low = mid + 1;
            } else if (p > priority) {
                high = mid - 1;
            } else {
                return lanes[mid];
            }
        }
        var lane = new Lane(priority);
        Lane[] grown = new Lane[lanes.length + 1];
        System.arraycopy(lanes, 0, grown, 0, low);
        grown[low] = lane;
        System.arraycopy(lanes, low, grown, low + 1, lanes.length - low);
        lanes = grown;
        return lane;
    }

    private void removeLane(int index) {
        Lane[] shrunk = Arrays.copyOf(lanes, lanes.length - 1);
        System.arraycopy(lanes, index + 1, shrunk, index, lanes.length - index - 1);
        lanes = shrunk;
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

package dev.jobq.memory;

import java.util.Arrays;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * A binary min-heap of entries that records each entry's position in it, so that an entry can be
 * removed or re-ordered in O(log n) when it is acknowledged or its lease is extended
 * ({@link java.util.PriorityQueue#remove(Object)} is a linear scan). An entry is in at most one
 * heap at a time. Not thread-safe.
 */
final class EntryHeap {

    private static final int INITIAL_CAPACITY = 64;

    private final Comparator<Entry> order;
    private Entry[] items = new Entry[INITIAL_CAPACITY];
    private int size;

    EntryHeap(Comparator<Entry> order) {
        this.order = order;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @Nullable Entry peek() {
        return size == 0 ? null : items[0];
    }

    void add(Entry entry) {
        if (size == items.length) {
            items = Arrays.copyOf(items, items.length * 2);
        }
        items[size] = entry;
        entry.heapIndex = size;
        size++;
        siftUp(size - 1);
    }

    @Nullable Entry poll() {
        if (size == 0) {
            return null;
        }
        Entry top = items[0];
        removeAt(0);
        return top;
    }

    /** Removes {@code entry} if it is in this heap. */
    void remove(Entry entry) {
        int index = entry.heapIndex;
        if (index >= 0 && index < size && items[index] == entry) {
            removeAt(index);
        }
    }

    /** Restores the order after {@code entry}'s key changed. */
    void update(Entry entry) {
        int index = entry.heapIndex;
        if (index >= 0 && index < size && items[index] == entry) {
            siftDown(siftUp(index));
        }
    }

    private void removeAt(int index) {
        Entry removed = items[index];
        size--;
        if (index != size) {
            Entry last = items[size];
            items[size] = null;
            place(last, index);
            siftDown(siftUp(index));
        } else {
            items[size] = null;
        }
        removed.heapIndex = -1;
        // A drained queue of a million jobs should not keep a four-megabyte array.
        if (items.length > INITIAL_CAPACITY && size < items.length / 4) {
            items = Arrays.copyOf(items, Math.max(INITIAL_CAPACITY, items.length / 2));
        }
    }

    private int siftUp(int index) {
        Entry entry = items[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (order.compare(entry, items[parent]) >= 0) {
                break;
            }
            place(items[parent], index);
            index = parent;
        }
        place(entry, index);
        return index;
    }

    private void siftDown(int index) {
        Entry entry = items[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && order.compare(items[right], items[child]) < 0) {
                child = right;
            }
            if (order.compare(entry, items[child]) <= 0) {
                break;
            }
            place(items[child], index);
            index = child;
        }
        place(entry, index);
    }

    private void place(Entry entry, int index) {
        items[index] = entry;
        entry.heapIndex = index;
    }
}

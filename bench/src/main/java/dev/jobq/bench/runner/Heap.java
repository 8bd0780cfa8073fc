package dev.jobq.bench.runner;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Full collections between measurements, and the heap in use after one. */
public final class Heap {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final int MAX_COLLECTIONS = 6;

    private Heap() {
    }

    /**
     * Collects until the used heap stops shrinking (at most a few full GCs: G1 turns
     * {@code System.gc()} into a full, compacting collection) and returns the bytes still in use.
     */
    public static long usedAfterCollection() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < MAX_COLLECTIONS; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used - 64 * 1024) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }

    /** A full collection, so that one measurement's garbage is not collected during the next. */
    public static void collect() {
        usedAfterCollection();
    }
}

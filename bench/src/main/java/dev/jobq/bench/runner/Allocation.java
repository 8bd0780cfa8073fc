package dev.jobq.bench.runner;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by every thread of this process since it started, virtual threads included
 * (they allocate in their carrier's buffers). Unlike time, it does not move with the machine's
 * load: the same code allocates the same bytes per job in every run.
 */
public final class Allocation {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {
    }

    /** Bytes allocated so far; an approximation, as the JDK's own documentation says. */
    public static long processBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }
}

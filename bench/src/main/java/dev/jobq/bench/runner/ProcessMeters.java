package dev.jobq.bench.runner;

import java.lang.management.ManagementFactory;

/**
 * What this whole process has used so far (all threads: handlers, GC, JIT). On a machine shared
 * with other work, CPU time per job moves far less than jobs per second, which depends on the share
 * of the cores this process gets; bytes allocated per job do not move with load at all.
 */
public final class ProcessMeters {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ProcessMeters() {
    }

    /** Nanoseconds of CPU this process has used. */
    public static long cpuNanos() {
        return OS.getProcessCpuTime();
    }

    /**
     * Heap bytes allocated by every thread since the JVM started, virtual threads included (they
     * allocate in their carriers' buffers); an approximation, as the JDK's documentation says.
     */
    public static long allocatedBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }
}

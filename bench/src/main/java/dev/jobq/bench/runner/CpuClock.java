package dev.jobq.bench.runner;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this whole process (all threads: handlers, GC, JIT). On a machine shared with other
 * work, CPU time per job moves far less than jobs per second, which depends on the share of the
 * cores this process gets.
 */
public final class CpuClock {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {
    }

    /** Nanoseconds of CPU this process has used. */
    public static long processNanos() {
        return OS.getProcessCpuTime();
    }
}

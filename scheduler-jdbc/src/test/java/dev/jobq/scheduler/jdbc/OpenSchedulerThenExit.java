package dev.jobq.scheduler.jdbc;

import dev.jobq.JobQueue;
import dev.jobq.memory.MemoryProviderFactory;
import java.util.Map;

/**
 * A child process of {@link H2InterruptedUpgradeTest}: opens the scheduler on the H2 file its
 * argument names (which creates or upgrades its tables), prints {@code opened} and ends.
 */
public final class OpenSchedulerThenExit {

    private OpenSchedulerThenExit() {
    }

    public static void main(String[] args) {
        try (JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build())
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", args[0], "enabled", false)).build()) {
            System.out.println("opened");
        }
    }
}

package dev.jobq.scheduler.jdbc;

import dev.jobq.JobQueue;
import dev.jobq.memory.MemoryProviderFactory;
import java.time.Instant;
import java.util.Map;

/**
 * The child process of {@link H2KilledProcessTest}: schedules one job in the H2 file its argument
 * names, prints {@code scheduled <id>} once {@code schedule(...)} has returned, and halts at once,
 * as {@code kill -9} would stop it: no shutdown hook, no close.
 */
public final class ScheduleThenHalt {

    private ScheduleThenHalt() {
    }

    public static void main(String[] args) {
        JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build()).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", args[0], "enabled", false)).build();
        String id = jobs.scheduler().schedule("report:send", Map.of("month", "2029-12"),
                Instant.parse("2030-01-01T00:00:00Z"));
        System.out.println("scheduled " + id);
        System.out.flush();
        Runtime.getRuntime().halt(137);
    }
}

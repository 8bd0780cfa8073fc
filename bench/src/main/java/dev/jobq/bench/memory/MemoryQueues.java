package dev.jobq.bench.memory;

import dev.jobq.JobQueue;
import java.util.Map;

/**
 * JobQueues on the memory provider as an application builds them: the provider's defaults, a
 * worker of the given concurrency, no config file and no environment overrides.
 */
final class MemoryQueues {

    private MemoryQueues() {
    }

    static JobQueue withConcurrency(int concurrency) {
        return JobQueue.builder()
                .environment(Map.of())
                .provider("memory")
                .concurrency(concurrency)
                .build();
    }
}

package dev.jobq.bench.scheduler;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import dev.jobq.spi.QueueProvider;
import java.util.Map;

/**
 * JobQueues as an application builds them to fire scheduled jobs: the memory provider, the
 * {@code jdbc} scheduler on a database URL through the builder (the public path), the scheduler's
 * defaults but the batch size given.
 */
final class SchedulerQueues {

    private SchedulerQueues() {
    }

    /** A queue whose start() fires due jobs into the memory provider and runs no worker. */
    static JobQueue firingOnly(String jdbcUrl, int batchSize, JobListener listener) {
        return JobQueue.builder()
                .environment(Map.of())
                .provider("memory")
                .mode(WorkerMode.STANDALONE)
                .scheduler("jdbc", Map.of("jdbcUrl", jdbcUrl, "batchSize", batchSize))
                .listener(listener)
                .build();
    }

    /** A queue whose start() fires due jobs and runs them, with the worker's default concurrency. */
    static JobQueue firingAndRunning(String jdbcUrl, JobListener listener) {
        return JobQueue.builder()
                .environment(Map.of())
                .provider("memory")
                .scheduler("jdbc", Map.of("jdbcUrl", jdbcUrl))
                .listener(listener)
                .build();
    }

    /** As {@link #firingAndRunning(String, JobListener)}, on {@code provider} instead of a memory provider of its own. */
    static JobQueue firingAndRunning(String jdbcUrl, QueueProvider provider, JobListener listener) {
        return JobQueue.builder()
                .environment(Map.of())
                .provider(provider)
                .scheduler("jdbc", Map.of("jdbcUrl", jdbcUrl))
                .listener(listener)
                .build();
    }

    /** True for the event of a due job reaching its queue's provider (not of scheduling it). */
    static boolean handedOn(JobEvent event) {
        return event instanceof JobEvent.Enqueued enqueued && !enqueued.viaScheduler();
    }
}

package dev.jobq.internal.config;

import dev.jobq.Backoff;
import dev.jobq.WorkerMode;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code worker:}, then the seeds' environment overrides on top. */
final class WorkerSectionReader {

    private WorkerSectionReader() {
    }

    /**
     * @param configuredQueues every queue name the file configures, to check {@code worker.queues}
     */
    static WorkerSettings read(Settings section, Set<String> configuredQueues, EnvironmentOverrides env) {
        WorkerMode mode = section.choice("mode", WorkerMode.class, WorkerMode.IN_PROCESS);
        List<String> queues = queues(section, configuredQueues);
        int concurrency = section.integer("concurrency", WorkerSettings.DEFAULT_CONCURRENCY, 1, Limits.MAX_CONCURRENCY);
        Duration pollInterval = section.duration("pollInterval", WorkerSettings.DEFAULT_POLL_INTERVAL,
                Limits.MIN_POLL_INTERVAL, Limits.MAX_POLL_INTERVAL);
        Duration shutdownTimeout = section.duration("shutdownTimeout", WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT,
                Duration.ZERO, Limits.MAX_SHUTDOWN_TIMEOUT);
        Backoff backoff = BackoffSectionReader.read(section.section("backoff"));
        section.checkNoUnknownKeys();
        return new WorkerSettings(mode, queues,
                EnvironmentOverrides.or(env.concurrency(), concurrency),
                EnvironmentOverrides.or(env.pollInterval(), pollInterval),
                EnvironmentOverrides.or(env.shutdownTimeout(), shutdownTimeout),
                backoff);
    }

    private static List<String> queues(Settings section, Set<String> configuredQueues) {
        boolean written = section.has("queues");
        int problemsBefore = section.problems().size();
        List<String> queues = section.strings("queues", List.of());
        if (written && queues.isEmpty() && section.problems().size() == problemsBefore) { // not a list: said already
            // An empty list (often a variable left unset) read as "every queue" had the worker take jobs of
            // queues it has no handlers for, and dead-letter them: the key's absence is the way to say "all".
            section.problem("queues", "is empty; list the queues this worker serves (configured: "
                    + String.join(", ", configuredQueues) + "), or leave the key out to serve every configured queue");
        }
        Set<String> seen = new HashSet<>();
        for (String queue : queues) {
            if (!configuredQueues.contains(queue)) {
                section.problem("queues", "'" + queue + "' is not a configured queue (configured: "
                        + String.join(", ", configuredQueues) + "); add it under queues: or remove it here");
            } else if (!seen.add(queue)) {
                section.problem("queues", "lists '" + queue + "' twice; list each queue once, in the order they "
                        + "are served");
            }
        }
        return queues;
    }
}

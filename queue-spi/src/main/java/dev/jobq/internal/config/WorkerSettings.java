package dev.jobq.internal.config;

import dev.jobq.Backoff;
import dev.jobq.WorkerMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code worker:} section.
 *
 * @param queues          the queues this process consumes, served in this order; empty means every
 *                        configured queue
 * @param concurrency     handlers running at once across those queues
 * @param pollInterval    the longest a receive waits before the loop looks again
 * @param shutdownTimeout how long close() lets running handlers finish before interrupting them
 * @param backoff         the default retry backoff
 */
public record WorkerSettings(WorkerMode mode, List<String> queues, int concurrency, Duration pollInterval,
                             Duration shutdownTimeout, Backoff backoff) {

    public static final int DEFAULT_CONCURRENCY = 5;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The worker's default backoff where neither {@code JobQueueBuilder.backoff} nor {@code worker.backoff} sets one:
     * {@link Backoff#defaultBackoff()}, one instance, so that the worker can tell it from one a user set (a log line
     * then names the built-in default and where to set one, not a worker's default that nobody set).
     */
    public static final Backoff DEFAULT_BACKOFF = Backoff.defaultBackoff();

    public WorkerSettings {
        Objects.requireNonNull(mode, "mode");
        queues = List.copyOf(queues);
        Limits.requireConcurrency(concurrency);
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(backoff, "backoff");
    }

    public static WorkerSettings defaults() {
        return new WorkerSettings(WorkerMode.IN_PROCESS, List.of(), DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL,
                DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_BACKOFF);
    }
}

package dev.jobq;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one job type's jobs get unless their enqueue says otherwise — Sidekiq's {@code sidekiq_options},
 * Laravel's {@code $tries}, {@code $timeout} and {@code $queue} on the job class — given when the type's
 * handler is registered:
 *
 * <pre>{@code
 * registry.registerJobHandler("report:build", Report.class, new ReportBuilder(), HandlerOptions.defaults()
 *         .maxAttempts(5).timeout(Duration.ofMinutes(10)).queue("reports").backoff(Backoff.fixed(Duration.ofMinutes(1))));
 * }</pre>
 *
 * <p>{@code maxAttempts}, {@code timeout} and {@code queue} are applied where a job is enqueued,
 * scheduled or defined as recurring, by a {@link JobQueue} in which the type is registered, and only
 * where the {@link EnqueueOptions} leave them unset; they then travel with the job like options given
 * at enqueue. A process that enqueues the type without registering it (an application that does not
 * load the handler module, {@code jobq enqueue} without {@code --handlers}) gives the queue's defaults:
 * register the same {@link JobHandlerModule} where jobs are enqueued as where they run. {@code backoff}
 * is applied by the worker that runs the job, as {@code worker.backoff} is. Immutable.
 */
public final class HandlerOptions {

    private static final HandlerOptions DEFAULTS = new HandlerOptions(null, null, null, null);

    private final @Nullable Integer maxAttempts;
    private final @Nullable Duration timeout;
    private final @Nullable String queue;
    private final @Nullable Backoff backoff;

    private HandlerOptions(@Nullable Integer maxAttempts, @Nullable Duration timeout, @Nullable String queue,
                           @Nullable Backoff backoff) {
        this.maxAttempts = maxAttempts;
        this.timeout = timeout;
        this.queue = queue;
        this.backoff = backoff;
    }

    /** Nothing of the type's own: every job gets the queue's defaults and {@code worker.backoff}. */
    public static HandlerOptions defaults() {
        return DEFAULTS;
    }

    /** Runs in all, the first included, of a job enqueued without {@link EnqueueOptions.Builder#maxAttempts}. */
    public HandlerOptions maxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be ≥ 1, got " + maxAttempts);
        }
        return new HandlerOptions(maxAttempts, timeout, queue, backoff);
    }

    /** The limit of one attempt of a job enqueued without {@link EnqueueOptions.Builder#timeout}. */
    public HandlerOptions timeout(Duration timeout) {
        JobOptions.checkTimeout(Objects.requireNonNull(timeout, "timeout"));
        return new HandlerOptions(maxAttempts, timeout, queue, backoff);
    }

    /** The named queue of a job enqueued without {@link EnqueueOptions.Builder#queue}; it must be configured. */
    public HandlerOptions queue(String queue) {
        if (Objects.requireNonNull(queue, "queue").isBlank()) {
            throw new IllegalArgumentException("queue must not be blank; leave it unset for the default queue");
        }
        return new HandlerOptions(maxAttempts, timeout, queue, backoff);
    }

    /** The wait between this type's attempts, in place of {@code worker.backoff}. */
    public HandlerOptions backoff(Backoff backoff) {
        return new HandlerOptions(maxAttempts, timeout, queue, Objects.requireNonNull(backoff, "backoff"));
    }

    /** The type's {@code maxAttempts}, or null for the queue's default. */
    public @Nullable Integer maxAttempts() {
        return maxAttempts;
    }

    /** The type's attempt timeout, or null for the queue's default. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** The type's named queue, or null for {@code "default"}. */
    public @Nullable String queue() {
        return queue;
    }

    /** The type's retry backoff, or null for {@code worker.backoff}. */
    public @Nullable Backoff backoff() {
        return backoff;
    }

    @Override
    public String toString() {
        return "HandlerOptions[maxAttempts=" + maxAttempts + ", timeout=" + timeout + ", queue=" + queue + ", backoff="
                + (backoff == null ? null : "set") + "]";
    }
}

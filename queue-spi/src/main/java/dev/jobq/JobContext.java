package dev.jobq;

import java.util.Optional;

/**
 * What a running handler can ask of the worker. One instance per attempt; safe to use from threads
 * the handler starts, but meaningless once the handler has returned.
 */
public interface JobContext {

    String jobId();

    /** This attempt, 1-based. */
    int attempt();

    /**
     * The job's trace id, when its producer gave one ({@link EnqueueOptions.Builder#traceId}, or the
     * envelope's {@code traceId} field from another system): pass it on to the jobs this handler
     * enqueues, so that one id follows the work. It is also in the MDC as {@code traceId}.
     */
    default Optional<String> traceId() {
        return Optional.empty();
    }

    /**
     * Logs through SLF4J (logger {@code dev.jobq.job}, level INFO) with the job id, type and attempt in the MDC
     * ({@code jobId}, {@code jobType}, {@code attempt}, and {@code traceId} when the job has one), also when called
     * from a thread the handler started, whose own MDC is as it was afterwards.
     */
    void log(String format, Object... args);

    /**
     * Reports progress from 0 to 100; listeners get a {@link JobEvent.Progress} while the attempt runs.
     * Once it timed out or was released (its {@code Failed}, {@code Dead} or {@code Released} announced),
     * progress is discarded, like the outcome of a handler that returns after that.
     */
    void progress(int percent);

    /** True once the attempt has timed out or the worker is shutting down. */
    boolean isCancelled();

    /** Throws {@link JobCancelledException} if {@link #isCancelled()}; call it between steps of long work. */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw JobCancelledException.ofAttempt(jobId(), attempt());
        }
    }
}

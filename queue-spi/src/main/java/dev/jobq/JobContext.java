package dev.jobq;

import java.util.Optional;

/**
 * What a running handler can ask of the worker. One instance per attempt; thread-safe, so the
 * handler may use it from threads it starts. Do not keep it once the handler has returned: its
 * {@code progress} is then discarded (no event), and what {@code isCancelled} answers no longer
 * concerns any attempt; {@code log} still logs with the job's MDC and {@code queue} is still the queue.
 */
public interface JobContext {

    /** The job's id, as enqueue returned it ({@link Job#id()}). */
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
     * Once it timed out or was released (its {@code Failed}, {@code Dead} or {@code Released} announced), or
     * its lease was lost, progress is discarded, like the outcome of a handler that returns after that.
     *
     * @throws IllegalArgumentException if {@code percent} is below 0 or above 100
     */
    void progress(int percent);

    /**
     * True once the attempt has timed out, the worker's shutdown cancelled it (its handler still ran when
     * {@code shutdownTimeout} passed, and its job is released), or the provider said its lease was lost (SQS
     * no longer holds the delivery, which may run elsewhere): stop, the job's work is no longer this
     * attempt's. Not while {@code close()} waits for the handler to finish: a handler that returns then
     * completes its job as usual. After a lost lease nothing the handler does is recorded: returning or
     * throwing is neither acknowledged nor announced (no {@code Completed}, {@code Failed} or {@code Dead})
     * nor counted; the job's other delivery settles it.
     */
    boolean isCancelled();

    /**
     * The {@link JobQueue} this attempt runs in, to enqueue or schedule follow-up jobs from the handler:
     * {@code ctx.queue().enqueue("invoice:email", invoice, EnqueueOptions.builder().traceId(...).build())}.
     * A handler registered by a {@link JobHandlerModule} under {@code jobq run} has no other way to reach
     * the worker's queue (a second {@code JobQueue} of its own would have its own memory queue and its own
     * scheduler connections). Do not close it from a handler unless the process is meant to stop.
     *
     * @throws UnsupportedOperationException from a context that has no queue (a test's own fake)
     */
    default JobQueue queue() {
        throw new UnsupportedOperationException("this JobContext (" + getClass().getName() + ") has no queue; "
                + "in a test use dev.jobq.testing.TestJobContext.withQueue(jobs)");
    }

    /** Throws {@link JobCancelledException} if {@link #isCancelled()}; call it between steps of long work. */
    default void throwIfCancelled() {
        if (isCancelled()) {
            throw JobCancelledException.ofAttempt(jobId(), attempt());
        }
    }
}

package dev.jobq;

import java.time.Duration;
import java.time.Instant;

/**
 * What happened to a job or a worker. Delivered to {@link JobListener}s synchronously on the thread
 * where it happened, so listeners must be quick; whatever a listener throws (an exception, or an error
 * such as a failed assertion) is logged with the listener's class and ignored: the job goes on.
 *
 * <p>A job's attempts are announced in order: an attempt's {@code Failed} before the next one's
 * {@code Started}. {@code Enqueued} is the exception: the enqueuing thread announces it once the
 * provider has taken the job, and a running worker may take it and announce {@code Started} (even
 * {@code Completed}) on its own thread first. A listener that tracks jobs by id should create a job's
 * entry on whichever of its events comes first.
 */
public sealed interface JobEvent {

    /** When it happened, by the queue's clock. */
    Instant at();

    /** The queue it happened on. */
    String queue();

    /**
     * A job was accepted: by its queue's provider ({@code viaScheduler} false), or by the scheduler to
     * hold until {@code runAt} (true). A job the scheduler holds is announced again, with
     * {@code viaScheduler} false, when the scheduler hands it to its queue (in the process that fires it).
     */
    record Enqueued(Instant at, String queue, String jobId, String type, Instant runAt, boolean viaScheduler)
            implements JobEvent {
    }

    /** An enqueue found a pending job with the same deduplication key and returned it instead. */
    record Deduplicated(Instant at, String queue, String jobId, String type, String deduplicationKey) implements JobEvent {
    }

    /** A handler started an attempt. */
    record Started(Instant at, String queue, String jobId, String type, int attempt) implements JobEvent {
    }

    /** A handler reported progress. */
    record Progress(Instant at, String queue, String jobId, String type, int attempt, int percent) implements JobEvent {
    }

    /** An attempt succeeded; the job is done. */
    record Completed(Instant at, String queue, String jobId, String type, int attempt, Duration duration)
            implements JobEvent {
    }

    /**
     * An attempt failed (threw or timed out) and the job will run again {@code retryIn} after {@code at}, also on a
     * clock a test moves as soon as it hears this event, before the retry reaches the provider. {@code retryIn} is the
     * backoff's delay, announced before the provider takes the retry: a provider that holds less shortens it there (SQS:
     * to what is left of 12 h from the receive, with a WARN naming both), and the job runs earlier than it says.
     */
    record Failed(Instant at, String queue, String jobId, String type, int attempt, String error, Duration retryIn)
            implements JobEvent {
    }

    /**
     * The job went to the dead letters: out of attempts, not retryable, or unreadable. Announced once
     * the dead-letter copy is written; {@code at} is when its last attempt ended, before that write.
     */
    record Dead(Instant at, String queue, String jobId, String type, int attempt, String error) implements JobEvent {
    }

    /**
     * A running job was handed back unfinished (shutdown) for another worker to run. Announced also when its
     * provider failed to take it back (logged as a warning): the attempt ended all the same, and the job comes
     * back when its lease ends instead of at once.
     */
    record Released(Instant at, String queue, String jobId, String type, int attempt) implements JobEvent {
    }

    /** A worker began consuming the queue. */
    record WorkerStarted(Instant at, String queue, int concurrency) implements JobEvent {
    }

    /**
     * A worker stopped consuming the queue; {@code released} running jobs were cancelled at
     * {@code shutdownTimeout} and handed back unfinished (each also announced as {@link Released}). Jobs it
     * had received but not started are handed back too, without an event, and not counted here.
     */
    record WorkerStopped(Instant at, String queue, int released) implements JobEvent {
    }
}

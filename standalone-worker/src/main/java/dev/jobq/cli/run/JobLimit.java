package dev.jobq.cli.run;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.cli.context.StopSignals;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code jobq run --max-jobs N}: once N jobs have ended in this worker (completed, failed or dead;
 * not released at shutdown), asks it to stop, so that the process manager starts a fresh one and
 * whatever its handlers leak stays bounded. The worker receives no more than N jobs
 * ({@link dev.jobq.internal.runtime.JobQueueRuntime#limitJobs}), so by then none is running; a received
 * job that ends here with no outcome (its lease was lost) gives its receive back for another job.
 * The jobs ended are the worker's count ({@link dev.jobq.internal.runtime.JobQueueRuntime#jobsEnded}), read
 * on each outcome event: a message its provider ends on its own (SQS: an unreadable body, a newer envelope)
 * has a {@code Failed} or {@code Dead} that cannot be told from a handler's, and counting events stopped the
 * worker after fewer jobs of its own. A queue built some other way (tests' own) has its outcome events counted.
 */
final class JobLimit implements JobListener {

    private final long max;
    private final StopSignals signals;
    /** The worker's own count of jobs ended, or null to count outcome events. */
    private final @Nullable LongSupplier jobsEnded;
    private final AtomicLong events = new AtomicLong();
    private final AtomicBoolean reached = new AtomicBoolean();

    JobLimit(long max, StopSignals signals, @Nullable LongSupplier jobsEnded) {
        this.max = max;
        this.signals = signals;
        this.jobsEnded = jobsEnded;
    }

    @Override
    public void onEvent(JobEvent event) {
        if (event instanceof JobEvent.Completed || event instanceof JobEvent.Failed || event instanceof JobEvent.Dead) {
            long ended = jobsEnded == null ? events.incrementAndGet() : jobsEnded.getAsLong();
            if (ended >= max && reached.compareAndSet(false, true)) {
                signals.requestStop("--max-jobs " + max + " reached");
            }
        }
    }

    /** Whether the limit asked for the stop. */
    boolean reached() {
        return reached.get();
    }

    /** What the stop line starts with when it did. */
    String describe() {
        return max + (max == 1 ? " job" : " jobs") + " ended (--max-jobs " + max + ")";
    }
}

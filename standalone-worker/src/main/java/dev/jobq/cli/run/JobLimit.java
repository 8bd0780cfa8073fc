package dev.jobq.cli.run;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.cli.context.StopSignals;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code jobq run --max-jobs N}: once N jobs have ended in this worker (completed, failed or dead;
 * not released at shutdown), asks it to stop, so that the process manager starts a fresh one and
 * whatever its handlers leak stays bounded. The worker receives no more than N jobs
 * ({@link dev.jobq.internal.runtime.JobQueueRuntime#limitJobs}), so by then none is running; a received
 * job that ends here with no outcome (its lease was lost) gives its receive back for another job.
 * A message its provider ends on its own (SQS: an unreadable body, a newer envelope) counts too: its
 * {@code Failed} or {@code Dead} cannot be told from a handler's, so the stop can come before N receives.
 */
final class JobLimit implements JobListener {

    private final long max;
    private final StopSignals signals;
    private final AtomicLong ended = new AtomicLong();

    JobLimit(long max, StopSignals signals) {
        this.max = max;
        this.signals = signals;
    }

    @Override
    public void onEvent(JobEvent event) {
        if (event instanceof JobEvent.Completed || event instanceof JobEvent.Failed || event instanceof JobEvent.Dead) {
            if (ended.incrementAndGet() == max) {
                signals.requestStop("--max-jobs " + max + " reached");
            }
        }
    }

    /** Whether the limit asked for the stop. */
    boolean reached() {
        return ended.get() >= max;
    }

    /** What the stop line starts with when it did. */
    String describe() {
        return max + " jobs ended (--max-jobs " + max + ")";
    }
}

package dev.jobq.cli.run;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.cli.context.StopSignals;
import dev.jobq.cli.http.WorkerState;
import dev.jobq.cli.http.WorkerView;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue {@code jobq run} works closed by code running in it ({@code ctx.queue().close()} in a handler, or
 * {@code close()} in a listener) rather than by the run command: asks it to stop, as {@code --max-jobs} does, once
 * the worker has stopped. Unheard, {@code jobq run} ran on for good with no worker, its process up and its
 * {@code /health} saying {@code running}, until a signal came.
 */
final class ClosedFromWithin implements JobListener {

    private final WorkerView worker;
    private final StopSignals signals;
    private final AtomicBoolean reached = new AtomicBoolean();

    ClosedFromWithin(WorkerView worker, StopSignals signals) {
        this.worker = worker;
        this.signals = signals;
    }

    @Override
    public void onEvent(JobEvent event) {
        // Each queue's WorkerStopped; the run command's own stop has moved the worker to STOPPING before it closes.
        if (event instanceof JobEvent.WorkerStopped
                && (worker.state() == WorkerState.STARTING || worker.state() == WorkerState.RUNNING)
                && reached.compareAndSet(false, true)) {
            signals.requestStop(describe());
        }
    }

    /** Whether it asked for the stop. */
    boolean reached() {
        return reached.get();
    }

    /** What the stop line starts with when it did. */
    String describe() {
        return "the queue was closed (JobQueue.close(), by a handler or a listener)";
    }
}

package dev.jobq;

/**
 * Receives {@link JobEvent}s. Called synchronously on the thread where the event happened:
 * {@code Enqueued} and {@code Deduplicated} on the thread that called enqueue (or the scheduler's, when
 * it hands a job on), a job's {@code Started}, {@code Progress} and {@code Completed} on the thread that
 * runs its handler, and the events of a timeout or a shutdown on the worker thread that settles it. So it
 * is called from many threads at once: make it thread-safe, and keep it quick, since the job waits for it.
 * Whatever it throws is logged with its class and ignored (see {@link JobEvent}).
 */
@FunctionalInterface
public interface JobListener {

    /** Called once per event, for every event of the queue it was added to. */
    void onEvent(JobEvent event);
}

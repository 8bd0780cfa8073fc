package dev.jobq;

/**
 * Receives {@link JobEvent}s. Called synchronously on the thread where the event happened:
 * {@code Enqueued} and {@code Deduplicated} on the thread that called enqueue (or the scheduler's, when
 * it hands a job on), a job's {@code Started}, {@code Progress} and {@code Completed} on the thread that
 * runs its handler, and the events of a timeout or a shutdown on the worker thread that settles it. So it
 * is called from many threads at once: make it thread-safe, and keep it quick, since the job waits for it.
 * So never wait there for the outcome of the job it is told about: a listener of {@code Started} runs before
 * that job's handler is called, one of {@code Progress} inside its {@code ctx.progress(...)}, and the job cannot
 * end while they wait. A wait that an interrupt ends lasts until the attempt's timeout, which fails the attempt
 * (from {@code Started}, with its handler never called); one that ignores interrupts
 * ({@code CompletableFuture.join()}) never ends, and holds the attempt's permit and its outcome for good. Hand
 * such a wait to a thread of your own. Nor interrupt the thread it is called on: that thread is jobq's (a poll loop's,
 * when a provider tells of a message it could not read as it receives), and the interrupt is logged as a WARN and
 * taken back.
 * Whatever it throws is logged with its class and ignored (see {@link JobEvent}).
 */
@FunctionalInterface
public interface JobListener {

    /** Called once per event, for every event of the queue it was added to. */
    void onEvent(JobEvent event);
}

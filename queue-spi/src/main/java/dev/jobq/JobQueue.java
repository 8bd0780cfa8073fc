package dev.jobq;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A job queue: handlers registered by job type, jobs enqueued to named queues, workers that run
 * them. Build one from a config file or in code:
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.fromConfig(Path.of("jobq.yaml"));
 * jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> mailer.send(job.payload()));
 * jobs.start();
 * jobs.enqueue("email:send", new Email("user@example.com", "Welcome!"));
 * jobs.close();
 * }</pre>
 *
 * <p>Handlers come from {@link #registerJobHandler} calls or from {@link JobHandlerModule}s the
 * builder loads ({@link JobQueueBuilder#findHandlerModules()}).
 *
 * <p>Thread-safe. Handlers can be registered before or after {@link #start()}; a job whose type has
 * no handler in a running worker is dead-lettered at once with that reason rather than retried; once
 * a worker that has the handler runs, redrive it ({@link DeadLetters#redrive(String)}; on SQS, the
 * DLQ's message move task).
 * {@link #close()} is graceful: it stops receiving, lets running handlers finish for up to the
 * configured {@code shutdownTimeout}, then interrupts them and hands their jobs back to the queue.
 * Enqueueing stays open until the worker has stopped, so a handler that finishes during that drain
 * can enqueue its follow-up jobs; enqueue calls under way then finish (for up to
 * {@code shutdownTimeout} too) before the providers close, and calls made after the worker stopped
 * throw {@link JobQueueException}, enqueueing nothing.
 */
public interface JobQueue extends JobHandlerRegistry, AutoCloseable {

    /** Reads {@code file} (DESIGN §8) with the process environment for substitution and overrides. */
    static JobQueue fromConfig(Path file) {
        return builder().config(file).build();
    }

    /**
     * A builder with nothing set; built as it is, a queue with one queue ("default") on the memory provider,
     * the worker defaults and no scheduler.
     */
    static JobQueueBuilder builder() {
        return new JobQueueBuilder();
    }

    /**
     * Enqueues a job to run as soon as a worker is free; returns its id. As
     * {@link #enqueue(String, Object, EnqueueOptions)} with {@link EnqueueOptions#none()}.
     */
    default String enqueue(String type, @Nullable Object payload) {
        return enqueue(type, payload, EnqueueOptions.none());
    }

    /**
     * Enqueues a job; returns its id, or the id of the pending job with the same deduplication key.
     * The job type needs no handler in this process. Returns once the provider (or the scheduler, for a
     * job it holds) has stored the job: on SQS after one {@code SendMessage} round trip. Any thread may
     * call it, a handler too: through {@link JobContext#queue()} it enqueues follow-up jobs on the queue
     * it runs in, also while {@link #close()} drains.
     *
     * @throws IllegalArgumentException if {@code type} is null, blank, longer than 255 characters or has a control
     *                                  character (a line break, a tab)
     * @throws NullPointerException     if {@code options} is null ({@link EnqueueOptions#none()} for none)
     * @throws JobRejectedException     when the job cannot be taken as asked (a payload too large or not
     *                                  writable as JSON, a delay beyond the provider with no scheduler, an
     *                                  unsupported priority or deduplication key, more attempts or a longer
     *                                  timeout than the provider allows, an unknown queue); nothing was
     *                                  enqueued
     * @throws JobQueueException        once this queue's worker has stopped in {@link #close()}, naming it
     *                                  closed; or when the provider fails (an SQS error)
     */
    String enqueue(String type, @Nullable Object payload, EnqueueOptions options);

    /**
     * Enqueues one job per payload, to run as soon as a worker is free; returns their ids in order. As
     * {@link #enqueueAll(String, List, EnqueueOptions)} with {@link EnqueueOptions#none()}.
     */
    default List<String> enqueueAll(String type, List<?> payloads) {
        return enqueueAll(type, payloads, EnqueueOptions.none());
    }

    /**
     * Enqueues one job of {@code type} per payload (a payload may be {@code null}), all with the same
     * options; returns their ids in the order of the payloads. Every payload is written and checked
     * first: if one is rejected, none is enqueued. On SQS standard queues the jobs are sent
     * concurrently and leave in {@code SendMessageBatch} calls of ten, several at a time, so a
     * thousand jobs cost about a hundred round trips spread over a few at once instead of a thousand
     * one after another; on FIFO queues and the memory provider they are stored one after another, in
     * order. Jobs the scheduler holds (an instant, or a delay beyond the provider's) are handed to their queue in the
     * order of the payloads too, up to the scheduler's {@code batchSize} of them: past it, batches handed on side by
     * side by its {@code fireThreads} interleave (two by default on PostgreSQL; {@code fireThreads: 1} keeps the
     * order). Ids and events are those of {@link #enqueue} for each job.
     *
     * @throws IllegalArgumentException if {@code type} is null, blank, longer than 255 characters or has a control
     *                                  character, or the scheduler refuses what the jobs share, as it refuses
     *                                  {@link #enqueue}'s (an instant outside the range it holds); nothing was
     *                                  enqueued
     * @throws NullPointerException     if {@code payloads} or {@code options} is null
     * @throws JobRejectedException     when a payload or the options cannot be honoured (as for
     *                                  {@link #enqueue}, naming the payload's position; a deduplication key
     *                                  for more than one payload); nothing was enqueued
     * @throws BulkEnqueueException     when the provider refused some jobs after the checks passed: it
     *                                  tells which were enqueued and which were not
     * @throws java.util.ConcurrentModificationException if another thread changed {@code payloads} while they
     *                                  were read; nothing was enqueued
     * @throws JobQueueException        once this queue's worker has stopped in {@link #close()}
     */
    List<String> enqueueAll(String type, List<?> payloads, EnqueueOptions options);

    /**
     * Starts the in-process worker (unless {@code mode: standalone}) and the scheduler's firing if enabled,
     * and returns: handlers run on the worker's virtual threads. Idempotent: a second call does nothing. A call
     * that throws (the scheduler could not start) leaves nothing it started running, and a later call tries again.
     * Logs a WARN when a registered type's {@link HandlerOptions#queue} names a queue the worker does not consume
     * ({@code worker.queues}): its jobs wait there for a worker that does.
     *
     * @throws JobQueueException after {@link #close()}
     */
    void start();

    /**
     * Looks a job up in every queue whose provider supports lookups, then in the scheduler, which
     * reports a one-time job it still holds (for an instant, or a delay beyond the provider's) as
     * {@link JobState#DELAYED}. Empty when none knows the id (an SQS queue never finds its jobs).
     *
     * @throws NullPointerException if {@code jobId} is null
     * @throws JobQueueException    when the look-up reaches the scheduler once this queue's worker has stopped in
     *                              {@link #close()}, naming it closed, as the {@link #scheduler()}'s calls do; or when
     *                              the scheduler's database cannot be read
     */
    Optional<JobInfo> getJob(String jobId);

    /**
     * Stats of one named queue. Asks its provider for its counts each time (SQS: {@code GetQueueAttributes}
     * round trips); the counts of this process's worker come from memory.
     * After {@link #close()} it still answers, whatever the provider: what this process counted (a last report),
     * and the provider's counts where the closed provider can still tell (the memory provider: what it held
     * when it closed), else -1 ({@code waiting}, {@code delayed}, {@code dead}, {@code inFlight}; SQS).
     *
     * @throws JobRejectedException naming the configured queues when {@code queue} is not one of them
     * @throws JobQueueException    when the provider cannot be read (an SQS error), naming the queue
     */
    QueueStats stats(String queue);

    /**
     * Stats of every named queue, in configuration order; after {@link #close()} as {@link #stats(String)}.
     *
     * @throws JobQueueException when a provider cannot be read, as {@link #stats(String)}
     */
    List<QueueStats> stats();

    /** The named queues, "default" first, then in configuration order; an unmodifiable list. */
    List<String> queueNames();

    /**
     * The dead letters of a queue, where its provider keeps them inspectable (the memory provider); empty
     * where it does not (SQS: read its dead-letter queue with AWS's tools).
     *
     * @throws JobRejectedException naming the configured queues when {@code queue} is not one of them
     */
    Optional<DeadLetters> deadLetters(String queue);

    /**
     * The scheduler for jobs at an instant and recurring jobs. Like enqueue, its calls throw
     * {@link JobQueueException} once this queue's worker has stopped in {@link #close()}.
     *
     * @throws JobQueueException when no scheduler is configured, naming how to enable one
     */
    Scheduler scheduler();

    /** True when a scheduler is configured. */
    boolean hasScheduler();

    /**
     * Adds a listener for this queue's events from now on, after those given to the builder; any thread,
     * while the worker runs too. See {@link JobListener} for the threads it is called on. Adding one that
     * is already added registers it again: it hears each event once more (see {@link #removeListener}).
     *
     * @throws NullPointerException if {@code listener} is null
     */
    void addListener(JobListener listener);

    /**
     * Removes a listener added before (compared with {@code equals}); one never added is ignored. Each
     * {@link #addListener} (and each {@link JobQueueBuilder#listener}) is one registration, as with
     * {@code java.beans.PropertyChangeSupport}: a listener added twice hears each event twice, and each call
     * of this method undoes one registration, so add and remove in pairs nest (unlike Quartz's listeners,
     * which are kept by name, where adding again replaces). Call it as often as the listener was added to
     * stop its events.
     */
    void removeListener(JobListener listener);

    /**
     * Graceful shutdown; see the class comment. Idempotent: a call while another one shuts down returns
     * when that shutdown has ended, as the first does, so a provider whose own {@code close()} never returns holds
     * both, as does a listener of {@code WorkerStopped} that never returns (it runs on the thread that shuts down).
     * Called from one of this queue's handlers (or a
     * listener on a handler's thread, on the thread recording a timeout or releasing a job at shutdown,
     * or on a poll loop's, where a provider announces a job it ended as it received it; or a listener of
     * an enqueue's {@code Enqueued}, inside that call), it begins the shutdown (or leaves the one under
     * way to end) and returns at once, since waiting would wait for that thread itself: the handler's
     * job settles as the handler ends, in the drain. On a thread already interrupted it drains all the
     * same and returns with the flag still set; an interrupt while it waits for running handlers cancels
     * and releases them at once (docs/semantics.md).
     */
    @Override
    void close();
}

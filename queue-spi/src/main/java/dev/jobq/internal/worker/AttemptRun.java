package dev.jobq.internal.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.jobq.Backoff;
import dev.jobq.Job;
import dev.jobq.JobCancelledException;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.internal.runtime.HandlerRegistry.Registration;
import dev.jobq.internal.runtime.UserCode;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One attempt of one job, run on a virtual thread of the worker, and the {@link JobContext} its handler
 * sees. It is PENDING until its thread claims it just before binding the payload and calling the handler
 * (RUNNING: a deserializer of the payload class's own is user code of the attempt as the handler is, with its
 * heartbeats and timeout); a release at shutdown that comes first hands the job back unstarted instead, and
 * the handler is never called.
 * Exactly one of success, failure, timeout and release settles the delivery: whichever moves the
 * state away from PENDING or RUNNING first; the others find it settled and do nothing. The attempt is
 * {@linkplain #isSettled() settled} once that one has also told the provider (acknowledged, failed
 * or released the delivery) and announced it to the listeners. A lost lease (LEASE_LOST) settles it with
 * no outcome at all: the provider no longer holds the delivery, whose job another delivery settles, so
 * whatever the handler does after that is neither told to the provider, announced nor counted.
 *
 * <p>When the handler's own thread settles the attempt (the handler returned or threw, or the job
 * never reached it), it first calls {@code handlerReturned}, before it tells the provider: the worker
 * may hand the thread's permit back then, so that an acknowledgement over the network does not hold
 * a handler slot.
 */
final class AttemptRun implements JobContext, Runnable {

    private static final Logger log = LoggerFactory.getLogger(AttemptRun.class);
    private static final Logger jobLog = LoggerFactory.getLogger("dev.jobq.job");
    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    /** What {@link #nextHeartbeatNanos} is put ahead by while a heartbeat is under way: 146 years, never due. */
    private static final long HEARTBEAT_UNDER_WAY = Long.MAX_VALUE / 2;
    /** What the INFO of a return after a lost lease adds when the overdue WARN named the attempt. */
    private static final String WARNED_FREE = "; named in a warning as running past its timeout, its thread and permit "
            + "are free again";
    /** What the overdue WARN and its INFO call a payload's binding that ignores its timeout. */
    private static final String BINDING = "the binding of its payload";
    private static final byte OVERDUE_NONE = 0;
    private static final byte OVERDUE_WARNED = 1;
    private static final byte OVERDUE_RETURNED = 2;
    /**
     * What {@link #nextHeartbeatNanos} is put ahead by while a heartbeat's thread is in it (about to call the provider,
     * or calling it): 219 years, never due, and told apart from {@link #HEARTBEAT_UNDER_WAY} (handed over, perhaps
     * waiting for a thread) by a settle that must wait for the call ({@link #awaitHeartbeatReturned}).
     */
    private static final long HEARTBEAT_CALLING = Long.MAX_VALUE / 4 * 3;
    /** How often an outcome looks whether its attempt's Started has reached every listener ({@link #awaitEarlierEvents}). */
    private static final long STARTED_POLL_NANOS = Duration.ofMillis(1).toNanos();
    /**
     * The longest a release at shutdown waits for a heartbeat of its attempt under way to return
     * ({@link #awaitHeartbeatReturned}): half of what close() waits for the releases, so that one whose heartbeat hangs
     * in the provider is still handed back within that.
     */
    static final Duration HEARTBEAT_RETURN_WAIT = Worker.RELEASE_WAIT.dividedBy(2);
    /** What the dead letter of a payload encoded twice adds (a JSON string holding the object). */
    private static final String ENCODED_TWICE_HINT = "; the payload is a JSON string holding JSON, encoded twice: "
            + "send the object itself (not JSON.stringify of JSON text; in Java, not a String of JSON)";
    /**
     * What a delivery numbered above {@code maxAttempts} adds on a provider that keeps order (SQS FIFO): there a
     * release keeps the job's place in its group and counts, so the attempts may have gone to workers that stopped
     * before running it, and "a worker crashed or stalled" alone sent its reader looking for a crash that never was.
     */
    private static final String RELEASES_COUNT = ", or it was handed back at a worker's shutdown, which counts as an "
            + "attempt on a queue that keeps order (SQS FIFO); give such jobs an attempt to spare for each stop";
    /**
     * What a payload's dead letter adds: during a rolling deploy a newer producer may be ahead of the workers
     * (a new enum constant, a changed field), and the job runs once redriven to workers that have the new class.
     */
    private static final String NEWER_PAYLOAD_HINT = "; if a newer producer wrote it, deploy the workers with the "
            + "new class before the producers, then redrive this dead letter "
            + "(docs/wire-format.md#changing-a-payload-class)";
    /** What {@link #awaitHeartbeatReturned}'s warning calls the settle of a failure on the handler's thread. */
    private static final String HANDLER_FAILED = "its failure handed to the provider";

    enum State { PENDING, RUNNING, FINISHED, TIMED_OUT, RELEASED, LEASE_LOST }

    /** What an attempt asks of its worker: one object per worker, so that no attempt carries a field per hook. */
    interface WorkerSide {
        /** True once the worker began stopping: a job not started by then goes back unstarted. */
        boolean stopping();

        /**
         * Called (rarely: off the path of a job that succeeds or fails) when a received job ended here with no
         * outcome, neither announced nor counted: its lease was lost, or its dead-lettering failed and it comes
         * back. {@code jobq run --max-jobs} counts outcomes, so such a receive is given back for another job.
         */
        void endedWithoutOutcome();

        /**
         * Called once a received job ended here with an outcome (completed, failed or dead), before it is
         * announced: what {@code jobq run --max-jobs} counts. A message its provider ends on its own never comes here.
         */
        void endedWithOutcome();

        /**
         * Asked (only when a settle with the provider failed) whether the worker's close() gave up waiting for this
         * attempt's settle, on its way to the provider when shutdownTimeout passed, and then closed the provider under
         * it: close()'s one warning counts such settles, so their failures are not each a warning of their own.
         */
        default boolean settleCutAtShutdown(AttemptRun run) {
            return false;
        }
    }

    /**
     * A handler thread that takes its next job itself: asked once a handler succeeded whether it may lease that job
     * with the acknowledgement. One object per thread, shared by its attempts: it also holds the jobs whose heartbeat
     * of such a job ({@link #heartbeatNextJob}) has its thread in it, which the attempt that job then becomes waits for
     * before it fails or releases it ({@link #awaitHeartbeatReturned}). Per job, not a count: one such heartbeat the
     * provider never answered held every later failure or release on the thread 2.5 s, for jobs it had nothing to do
     * with. Written by heartbeat threads only; read by a failure or release only: a job that succeeds touches none of
     * it, and a thread whose Completed listeners are never slow makes none.
     */
    abstract static class NextJobTaker implements BooleanSupplier {
        /** Null until the thread's first such heartbeat; then one entry per heartbeat in it, its job's delivery. */
        private volatile @Nullable CopyOnWriteArrayList<ReceivedJob> heartbeatsCalling;

        private CopyOnWriteArrayList<ReceivedJob> heartbeatsCalling() {
            CopyOnWriteArrayList<ReceivedJob> calling = heartbeatsCalling;
            if (calling == null) {
                synchronized (this) {
                    calling = heartbeatsCalling;
                    if (calling == null) {
                        calling = new CopyOnWriteArrayList<>();
                        heartbeatsCalling = calling;
                    }
                }
            }
            return calling;
        }

        /** True while a heartbeat of {@code job} leased with an acknowledgement on this thread is in the provider. */
        private boolean isHeartbeatCalling(ReceivedJob job) {
            CopyOnWriteArrayList<ReceivedJob> calling = heartbeatsCalling;
            return calling != null && calling.contains(job);
        }
    }

    static final String MDC_JOB_ID = "jobId";
    static final String MDC_JOB_TYPE = "jobType";
    /** The most of a job's type a log line repeats: what enqueue takes; another producer's may be longer. */
    private static final int TYPE_SHOWN = 255;
    static final String MDC_ATTEMPT = "attempt";
    static final String MDC_TRACE_ID = "traceId";
    /** The log context's text of the first attempt numbers, made once. */
    private static final String[] ATTEMPT_TEXT = IntStream.range(0, 16).mapToObj(Integer::toString)
            .toArray(String[]::new);

    private final QueueBinding queue;
    private final ReceivedJob delivery;
    private final RunEnvironment env;
    private final Runnable handlerReturned;
    /** The worker's side: whether it began stopping, and what it does with a receive that ended with no outcome. */
    private final WorkerSide worker;
    /** Null, or whether a successful attempt takes its thread's next job with its acknowledgement. */
    private final @Nullable NextJobTaker takesNextJob;
    /**
     * The job leased with this attempt's acknowledgement, for the same thread to run next. Written on that thread; read
     * by the watchdog too, without a barrier of its own (none is added to a job's path), to extend its lease
     * ({@link #holdsNextJob}), and set null there should its lease be found lost before the thread took it.
     */
    private @Nullable ReceivedJob nextJob;
    private final AtomicReference<State> state = new AtomicReference<>(State.PENDING);
    private final long timeoutNanos;
    private final long heartbeatEveryNanos;
    /**
     * When the attempt became RUNNING, to bind its payload, and again when its handler starts, just before its
     * Started: the binding's timeout counts from the first, the handler's timeout and duration from the second,
     * not from the receive. Binding the payload, or waiting for a carrier thread while handlers that never block
     * hold them all, is no time of the handler's; a binding that hangs is timed out all the same.
     */
    private volatile long startNanos;
    /**
     * True once the payload is bound, written by the attempt's thread before the handler's {@link #startNanos}: a
     * watchdog that timed out the handler read that start and so sees it; a timeout before says the binding took it.
     */
    private boolean payloadBound;
    /**
     * When the next heartbeat is due; put {@link #HEARTBEAT_UNDER_WAY} ahead from the watchdog's hand-over of one until
     * it returned (written by the watchdog while due, by the heartbeat's thread while under way). A field of
     * its own for that would add to every job's bytes.
     */
    private volatile long nextHeartbeatNanos;
    private volatile boolean cancelled;
    private volatile boolean settled;
    private volatile @Nullable Thread thread;
    /**
     * The job type's backoff, or the worker's default; once the handler's thread asks the worker's default in place of
     * a type's own that threw or returned null, that default ({@link #askingInstead}), so that a timeout while it
     * blocks names the one that blocks, and does not ask it again.
     */
    private volatile Backoff backoff;
    /** Touched by the handler's thread only. */
    private boolean countedFinished;
    /**
     * Made by the attempt's first {@link #progress}: a Progress on its way to the listeners holds its read lock, and the
     * attempt's outcome takes its write lock ({@link #awaitEarlierEvents}) before it is announced, so that no
     * listener gets a Progress after the Completed, Failed or Dead (a listener slow on a Progress, on the handler's
     * thread, let a timeout's Failed reach the others first). Null, and no cost, for the jobs that report none.
     */
    private volatile @Nullable ReentrantReadWriteLock progressing;
    /**
     * True while the handler's thread announces Started: an outcome announced on another thread (a timeout's) waits
     * for it ({@link #awaitEarlierEvents}), or a listener slow on Started let the others
     * get the attempt's Failed or Dead before its Started.
     */
    private volatile boolean announcingStarted;
    /**
     * True once the handler's thread asked the job's backoff for the delay after its handler failed, which it does
     * while the attempt is still RUNNING: a timeout that fires after that fired while the backoff had not returned
     * (it blocks: I/O, a lock), and its failure takes the worker's default backoff's delay instead of asking again
     * (the built-in default's if it was the worker's default that blocked).
     */
    private volatile boolean backoffAsked;
    /**
     * True while a timeout's record asks the job's backoff for the retry's delay (user code that may block: I/O, a
     * lock): the attempt then {@linkplain #holdsLease() holds its lease} and its heartbeats go on, until it is set false
     * again before the provider is told. So is the failure of a handler that called System.exit, recorded at shutdown
     * ({@link #failExitingTheJvm}). Written on those only; read by the watchdog for timed-out or released attempts only.
     */
    private volatile boolean timeOutAsksBackoff;
    /**
     * When ({@link System#nanoTime()}) a timeout's record (or a System.exit's failure) began to ask the backoff,
     * written before {@link #timeOutAsksBackoff}: its heartbeats go on for one more of the job's timeouts from here,
     * not for ever. A backoff that never returns held the job for as long as the worker lived; past that bound the
     * job comes back when its lease ends, as one whose handler ignores its timeout does.
     */
    private long backoffAskedNanos;
    /**
     * {@link #OVERDUE_WARNED} once the watchdog warned that the attempt's thread runs on past its timeout
     * ({@link #warnIfOverdue}): its return is then logged at INFO rather than DEBUG ({@link #discarded});
     * {@link #OVERDUE_RETURNED} once its thread returned past the attempt's end, after which that WARN no longer comes.
     * Written under the monitor of {@link #state}, and only then: nothing on a job's path. A byte, as the boolean it
     * replaced, in AttemptRun's one byte of padding.
     */
    private volatile byte overdue;

    /**
     * @param handlerReturned run on the handler's thread once the attempt is finished there, before the
     *                        provider is told
     * @param takesNextJob    null, or asked once the handler succeeded: true to acknowledge and lease
     *                        the thread's next job in one call to the provider ({@link #takeNextJob()})
     * @param worker          the worker's side, one object for all its attempts
     */
    AttemptRun(QueueBinding queue, ReceivedJob delivery, RunEnvironment env, Runnable handlerReturned,
            @Nullable NextJobTaker takesNextJob, WorkerSide worker) {
        this.queue = queue;
        this.delivery = delivery;
        this.env = env;
        this.handlerReturned = handlerReturned;
        this.worker = worker;
        this.takesNextJob = takesNextJob;
        this.backoff = env.defaultBackoff();
        this.timeoutNanos = nanosUpToMax(delivery.envelope().options().timeout());
        // Up to the most nanoseconds hold: a provider's lease "for ever" (ChronoUnit.FOREVER) threw here, in the poll
        // loop launching the job, which ended the loop with the job's permit taken and the queue served no more.
        long lease = nanosUpToMax(delivery.leaseDuration());
        this.heartbeatEveryNanos = Math.max(lease / 3, Duration.ofMillis(50).toNanos());
        // The lease runs from the receive, so the heartbeats do too.
        this.nextHeartbeatNanos = System.nanoTime() + heartbeatEveryNanos;
    }

    /**
     * Runs the attempt with its job's id, type and attempt, and the envelope's trace id when it has
     * one, in the thread's log context (MDC). They stay there when it returns: the worker's thread may
     * run its next attempt, whose values then replace them in place instead of removing and adding
     * three map entries per job (a third of the bytes a job allocated on a backlog). The worker clears
     * them with {@link #clearLogContext()} before the thread logs anything else or ends.
     */
    @Override
    public void run() {
        if (state.get() == State.RELEASED) {
            return; // handed back unstarted at shutdown before its thread came to it
        }
        thread = Thread.currentThread();
        putLogContext();
        queue.counters().started();
        try {
            execute(delivery.envelope());
        } finally {
            countFinished();
        }
    }

    /** Puts this attempt's job id, type, attempt and trace id into the calling thread's log context. */
    private void putLogContext() {
        JobEnvelope envelope = delivery.envelope();
        MDC.put(MDC_JOB_ID, envelope.jobId());
        MDC.put(MDC_JOB_TYPE, envelope.type());
        MDC.put(MDC_ATTEMPT, attemptText(delivery.attempt()));
        if (envelope.traceId() != null) {
            MDC.put(MDC_TRACE_ID, envelope.traceId());
        } else {
            MDC.remove(MDC_TRACE_ID); // the thread's previous job may have had one
        }
    }

    /** Takes the keys {@link #run()} puts out of the calling thread's log context. */
    static void clearLogContext() {
        MDC.remove(MDC_JOB_ID);
        MDC.remove(MDC_JOB_TYPE);
        MDC.remove(MDC_ATTEMPT);
        MDC.remove(MDC_TRACE_ID);
    }

    private static String attemptText(int attempt) {
        return attempt < ATTEMPT_TEXT.length ? ATTEMPT_TEXT[attempt] : Integer.toString(attempt);
    }

    private void execute(JobEnvelope envelope) {
        int attempt = delivery.attempt();
        int maxAttempts = envelope.options().maxAttempts();
        if (attempt > maxAttempts) {
            settle(Failure.dead("delivered for attempt " + attempt + " but maxAttempts is " + maxAttempts + ": "
                    + (envelope.attempt() >= maxAttempts
                    ? "its message says " + envelope.attempt() + " attempt(s) were made already ('attempt' in the "
                    + "job envelope), which leaves none"
                    : "earlier attempts ended without finishing (their lease expired: a worker crashed or stalled"
                    + (queue.provider().capabilities().supports(Feature.ORDERED) ? RELEASES_COUNT : "") + ")")));
            return;
        }
        Optional<Registration> registration = env.handlers().find(envelope.type());
        if (registration.isEmpty()) {
            // Dead at once (DESIGN §4): a newer worker that has the handler runs it once it is redriven.
            Set<String> registered = env.handlers().types();
            settle(Failure.dead("no handler for job type '" + UntrustedText.escape(envelope.type(), 200)
                    + "' in this worker (" + (registered.isEmpty() ? "none registered"
                    : "registered: " + String.join(", ", registered)) + "); register one with "
                    + "JobQueue.registerJobHandler or run this queue on workers that have it (in a rolling deploy, deploy those workers before "
                    + "the producers), then redrive this dead letter"));
            return;
        }
        Registration handler = registration.get();
        if (handler.backoff() != null) {
            backoff = handler.backoff();
        }
        // RUNNING from here, before the payload is bound: a deserializer of the payload class's own that blocks (on
        // I/O, a lock) or a huge payload got no heartbeats and no timeout while PENDING, its lease ran out and the job
        // ran elsewhere while this thread held its permit for ever. Its timeout counts from here (startNanos is before
        // RUNNING, where the watchdog reads it); the handler's counts afresh from its start below.
        startNanos = System.nanoTime();
        if (!state.compareAndSet(State.PENDING, State.RUNNING)) {
            return; // the shutdown handed it back unstarted first, or its lease was lost while it waited
        }
        Object payload;
        try {
            payload = handler.readPayload(envelope.payloadJson());
        } catch (IOException | RuntimeException e) {
            // A RuntimeException too: a deserializer of the user's (@JsonDeserialize on the payload class) that refuses
            // a value throws it past Jackson's wrapping, and it ended the handler's thread with the attempt unsettled.
            // Jackson's message quotes the value as the payload has it, and the path its field names: a producer's text,
            // escaped and bounded as a reason repeats any (docs/wire-format.md, A reason quotes the message safely).
            String reason = "payload cannot be read as " + handler.payloadType().toCanonical() + ": " + payloadField(e)
                    + (e instanceof JsonProcessingException json
                    ? FailurePolicy.oneLine(String.valueOf(json.getOriginalMessage()))
                    : e instanceof IOException ? FailurePolicy.oneLine(String.valueOf(e.getMessage()))
                    : FailurePolicy.describe(e));
            // Dead at once (DESIGN §4). Encoded twice is its producer's bug, which no newer worker reads either.
            settle(Failure.dead(reason + (isEncodedTwice(envelope.payloadJson()) ? ENCODED_TWICE_HINT
                    : NEWER_PAYLOAD_HINT)));
            return;
        } catch (Throwable e) {
            // An Error (the payload class's static initializer failed) or a Throwable that is neither: not the payload's
            // fault, so the attempt fails as its handler's would. It escaped here, the attempt unsettled until its lease ended.
            failed(e);
            // A StackOverflowError is the deserializer's own recursion, unwound by here, and stops here as the handler's
            // does: handed on, it wrote a second 1,024-frame trace and ended the thread.
            if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
                throw fatal;
            }
            return;
        }
        // The worker's shutdown hands back unstarted jobs once it has begun (close() also does it for
        // those it sees): read after this attempt became visible to close(), so one of them does. One
        // bound while close() waited for it starts no handler either (no handler starts once shutdown began).
        if (worker.stopping()) {
            if (state.compareAndSet(State.RUNNING, State.RELEASED)) {
                handBack();
            } else {
                returnedPastEnd(BINDING, "returned", true);
            }
            return;
        }
        payloadBound = true;
        startNanos = System.nanoTime(); // the handler's own timeout and duration count from here
        boolean announce = env.events().hasListeners();
        if (announce) {
            announcingStarted = true; // before the state is read: an outcome of this attempt sees it (awaitEarlierEvents)
        }
        if (state.get() != State.RUNNING) {
            announcingStarted = false;
            // startNanos is the handler's now: the binding's time past its timeout is not said
            returnedPastEnd(BINDING, "returned", false);
            return; // timed out, released at shutdown or its lease lost while its payload was bound: settled there
        }
        if (announce) {
            try {
                env.events().publish(new JobEvent.Started(env.clock().instant(), queue.name(), envelope.jobId(),
                        envelope.type(), attempt));
            } finally {
                announcingStarted = false;
            }
        }
        if (cancelled) {
            returnedPastEnd("its handler", "returned", true); // named so by a WARN while a listener of Started ran
            return; // released or timed out while Started was announced: already settled, not worth starting
        }
        var job = new Job<>(envelope.jobId(), envelope.type(), payload, attempt, envelope.options(),
                envelope.createdAt(), envelope.scheduledFor());
        try {
            handler.handler().handle(job, this);
            succeeded();
        } catch (StackOverflowError overflow) {
            // The handler's own runaway recursion, unwound by here: nothing JVM-wide is wrong, so it is recorded like
            // any Error. Handed on to the thread's uncaught-exception handler, it wrote a second 1,024-frame trace to
            // stderr, and failed a test awaiting the job's Dead with Awaitility, which catches uncaught exceptions.
            failed(overflow);
        } catch (VirtualMachineError fatal) {
            // Out of memory, or the JVM broken: recorded, then handed on to the thread's uncaught-exception handler,
            // which the application may have set to stop the process.
            failed(fatal);
            throw fatal;
        } catch (Throwable e) {
            // Throwable, not Exception | Error: a handler can throw a Throwable that is neither (sneakily, or
            // from Kotlin or Scala), which escaped here and left the attempt unsettled until its lease ended.
            failed(e);
        }
    }

    /**
     * Whether the payload is a JSON string holding an object or array: its producer serialized the JSON
     * text again (JSON.stringify of a string, or a Java String of JSON enqueued as the payload).
     */
    private static boolean isEncodedTwice(String payloadJson) {
        return payloadJson.length() > 2 && payloadJson.charAt(0) == '"'
                && (payloadJson.charAt(1) == '{' || payloadJson.charAt(1) == '[');
    }

    /**
     * {@code field 'items[1].qty': } when binding failed inside the payload, so the dead letter names the field:
     * Jackson's own message names only the type and the value, and its path comes with the parser's source.
     */
    private static String payloadField(Exception e) {
        if (!(e instanceof JsonMappingException mapping)) {
            return "";
        }
        var path = new StringBuilder();
        for (JsonMappingException.Reference step : mapping.getPath()) {
            if (step.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                path.append('[').append(step.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "" : "field '" + FailurePolicy.oneLine(path.toString()) + "': ";
    }

    private void succeeded() {
        if (!finishOnHandlerThread()) {
            discarded("returned");
            return;
        }
        long nanos = System.nanoTime() - startNanos;
        Throwable providerFailed = null;
        try {
            if (takesNextJob != null && takesNextJob.getAsBoolean()) {
                List<ReceivedJob> next = queue.provider().acknowledgeAndReceive(delivery, 1);
                nextJob = next.isEmpty() ? null : next.get(0);
                for (int i = 1; i < next.size(); i++) {
                    PollLoop.handBackExtra(queue, next, i, 1, 1); // a provider's bug: rare
                }
            } else {
                queue.provider().acknowledge(delivery);
            }
        } catch (LeaseLostException e) {
            try {
                settleRefused("completed", "acknowledgement", e);
                worker.endedWithoutOutcome();
            } finally {
                settled = true;
            }
            return;
        } catch (Throwable e) {
            // Throwable: a third-party provider's Error (or odd Throwable) left the attempt unsettled, so that close()
            // waited out its shutdownTimeout for it, and went on to the thread's uncaught-exception handler.
            providerFailed = e;
            if (e instanceof Exception && worker.settleCutAtShutdown(this)) {
                log.info("{} completed, but its acknowledgement was cut as the worker stopped (counted in its warning); "
                        + "unless acknowledged, it will be delivered again after its lease: {}", describe(),
                        FailurePolicy.messageLine(e));
            } else {
                log.warn("{} completed but its acknowledgement (or the receive of the next job with it) failed; "
                        + "unless acknowledged, it will be delivered again after its lease (handlers must be "
                        + "idempotent)", describe(), FailurePolicy.loggable(e));
            }
        }
        queue.counters().completed(nanos);
        worker.endedWithOutcome();
        if (log.isDebugEnabled()) {
            log.debug("{} completed on attempt {} in {}", named(delivery), delivery.attempt(),
                    DurationFormat.format(Duration.ofNanos(nanos)));
        }
        try {
            if (env.events().hasListeners()) {
                awaitEarlierEvents();
                env.events().publish(new JobEvent.Completed(env.clock().instant(), queue.name(), delivery.jobId(),
                        delivery.envelope().type(), delivery.attempt(), Duration.ofNanos(nanos)));
            }
        } finally {
            settled = true;
        }
        rethrowIfFatal(providerFailed);
    }

    private void failed(Throwable error) {
        Failure failure = null;
        String text = null;
        if (state.get() == State.RUNNING) {
            // Decided (the backoff asked) while the attempt still runs: a backoff is user code, and one that blocks
            // (I/O, a lock) ran after the attempt was finished, with no heartbeats and no timeout: the lease ran out
            // and the job ran again elsewhere, and close() did not take the thread for a running one. Now heartbeats
            // go on, the job's timeout bounds it (recordTimeOut), and close() cancels it as it does a handler.
            // The error's text first: its getMessage() is user code too, and a timeout while it blocked said the
            // backoff did not return, which was not asked (nor ever is on the last attempt, or for a non-retryable).
            try {
                text = FailurePolicy.describe(error);
            } catch (VirtualMachineError fatal) {
                // Its getMessage() ran out of memory (LoggableThrowables.throwIfFatal hands the JVM's own failures on):
                // recorded as a handler's own OutOfMemoryError is, then handed on. Thrown from here, it left the attempt
                // unsettled until its lease ended, with no event. Not a StackOverflowError, which LoggableThrowables
                // tells: one from here is this thread's own stack, with no room to record anything.
                if (!(fatal instanceof StackOverflowError)) {
                    failed(fatal);
                }
                throw fatal;
            }
            int maxAttempts = delivery.envelope().options().maxAttempts();
            boolean asksBackoff = !(error instanceof NonRetryableJobException) && delivery.attempt() < maxAttempts;
            if (!asksBackoff || markBackoffAsked()) {
                failure = FailurePolicy.decide(error, text, delivery.attempt(), maxAttempts, backoff,
                        env.defaultBackoff(), delivery.envelope().type(), this::isCancelled, this::askingInstead);
            }
        }
        if (failure == null || !finishOnHandlerThread()) {
            // The text read above (always, once the backoff was asked), not read again: a message slow to read past the
            // timeout held the thread, and its permit, for a second such read, for a line of the log.
            boolean warned = returnedAfterOverdueWarning();
            if (backoffAsked && state.get() == State.TIMED_OUT) {
                log.warn("{} threw {}, and its backoff ({}) did not return within the job's timeout; the timeout "
                        + "settles the attempt", describe(), text, UserCode.describe(backoff));
                if (warned) {
                    logReturnedAfterWarning("its backoff", "returned", true);
                }
            } else if (warned || !(error instanceof InterruptedException || error instanceof JobCancelledException)) {
                // not its toString(), user code that may throw
                discarded("threw " + (text != null ? text : FailurePolicy.describe(error)), warned);
            }
            return;
        }
        // Never cancelled here: only a timeout, the shutdown or a lost lease cancels, each after moving the state
        // out of RUNNING, which the finish above then found. So an interrupt here is the handler's own: a failure.
        Throwable loggable = FailurePolicy.loggable(error);
        log.debug("job {} attempt {} threw", UntrustedText.escape(delivery.jobId()), delivery.attempt(), loggable);
        report(failure, loggable, HANDLER_FAILED);
    }

    /**
     * The handler ended after a timeout, the shutdown or a lost lease settled the attempt: what it did is not
     * the job's outcome. After a lost lease that is worth a line (BullMQ's stale worker gets "Missing lock"):
     * the handler ran on although it was cancelled, and the job's other delivery may do its work again.
     */
    private void discarded(String how) {
        discarded(how, returnedAfterOverdueWarning());
    }

    /** {@link #discarded(String)}, {@code warned} by {@link #returnedAfterOverdueWarning()} already. */
    private void discarded(String how, boolean warned) {
        if (state.get() == State.LEASE_LOST) {
            log.info("{} {} after its lease was lost; its result is not recorded (no acknowledgement, no event, not "
                    + "counted): the job's other delivery settles it{}", describe(), how, warned ? WARNED_FREE : "");
        } else if (warned && state.get() == State.TIMED_OUT) {
            logReturnedAfterWarning(payloadBound ? "its handler" : BINDING, how, true);
        } else {
            log.debug("job {} {} after it was {}; its outcome is discarded", UntrustedText.escape(delivery.jobId()), how,
                    state.get());
        }
    }

    /**
     * The attempt's thread, named by {@link #warnIfOverdue} as running on past its timeout, returned:
     * {@code what} as that WARN named it, {@code how} ("returned", "threw …"), and how long after the timeout if
     * {@code timed} ({@link #startNanos} is still the start its timeout counted from).
     */
    private void logReturnedAfterWarning(String what, String how, boolean timed) {
        String after = timed ? " " + DurationFormat.format(Duration.ofNanos(System.nanoTime() - startNanos - timeoutNanos)
                .truncatedTo(ChronoUnit.MILLIS)) + " after it" : "";
        log.info("{}: {}, named in a warning as running past its timeout, {}{}; that is discarded, and its thread and "
                + "permit are free again", describe(), what, how, after);
    }

    /**
     * The attempt's thread returns past the attempt's end from elsewhere than its handler's outcome (the binding of its
     * payload, a listener of its Started): the INFO after the WARN of {@link #warnIfOverdue}, if that came.
     */
    private void returnedPastEnd(String what, String how, boolean timed) {
        if (!returnedAfterOverdueWarning()) {
            return;
        }
        if (state.get() == State.TIMED_OUT) {
            logReturnedAfterWarning(what, how, timed);
        } else if (state.get() == State.LEASE_LOST) {
            log.info("{}: {} {} after its lease was lost{}", describe(), what, how, WARNED_FREE);
        }
    }

    /** Settles a delivery that never reached its handler. */
    private void settle(Failure failure) {
        if (finishOnHandlerThread()) {
            report(failure, null, HANDLER_FAILED); // a job waiting for its thread gets heartbeats too
        } else {
            returnedPastEnd(BINDING, "ended", true); // it refused the payload, past the timeout that failed the job
        }
    }

    /**
     * Moves the attempt to FINISHED on the handler's thread, whose handler is done with it (RUNNING) or
     * which settles it without a handler (PENDING), and says so to the worker; false if a timeout or
     * the shutdown settled it first. Only this thread moves PENDING to RUNNING, so the two tries cannot
     * miss a state that is still open.
     */
    private boolean finishOnHandlerThread() {
        if (!state.compareAndSet(State.RUNNING, State.FINISHED) && !state.compareAndSet(State.PENDING, State.FINISHED)) {
            return false;
        }
        countFinished();
        handlerReturned.run();
        return true;
    }

    /** Counts the attempt out of the queue's active ones, once: when its handler is done, not its settling. */
    private void countFinished() {
        if (!countedFinished) {
            countedFinished = true;
            queue.counters().finished();
        }
    }

    /**
     * Called by the watchdog's sweep once the attempt's timeout has passed: cancels it (flag and interrupt; no
     * provider call, so a hung provider never delays it). True if it was still running; the caller must then
     * have {@link #recordTimeOut()} run, on a thread that may wait for the provider.
     */
    boolean timeOut() {
        synchronized (state) { // beside markBackoffAsked: the backoff is asked before the timeout or not at all
            if (!state.compareAndSet(State.RUNNING, State.TIMED_OUT)) {
                return false;
            }
        }
        cancel();
        return true;
    }

    /**
     * On the handler's thread, just before its failure's backoff is asked: true, and {@link #backoffAsked} set, while
     * the attempt still runs; false once it timed out (or was released, or its lease lost), whose record then says
     * what happened and does not blame a backoff that was never asked. Failed attempts only.
     */
    private boolean markBackoffAsked() {
        synchronized (state) {
            if (state.get() != State.RUNNING) {
                return false;
            }
            backoffAsked = true;
            return true;
        }
    }

    /**
     * On the handler's thread, just before the worker's default backoff is asked in place of the job type's own, which
     * threw or returned null: a timeout while the default blocks named the type's backoff as the one that did not
     * return, and asked the default again on the timeout's thread, where it blocked once more. False, and the default
     * not asked, once the attempt timed out (or was released, or its lease lost): under the monitor {@link #timeOut}
     * moves the state under, so that a timeout's record names the backoff the handler's thread asks, and asks it only
     * where that thread does not. Failed attempts whose type's backoff misbehaved only.
     */
    private boolean askingInstead(Backoff workerDefault) {
        synchronized (state) {
            if (state.get() != State.RUNNING) {
                return false;
            }
            backoff = workerDefault;
            return true;
        }
    }

    /** The second half of a {@linkplain #timeOut() timeout}: logs it, announces it and tells the provider. */
    void recordTimeOut() {
        Duration timeout = delivery.envelope().options().timeout();
        JobEnvelope envelope = delivery.envelope();
        inLogContext(() -> {
            // Heartbeats go on while the backoff is asked: one that blocked ran with none, its lease ran out and the
            // job ran again elsewhere. Off again before the provider is told, which waits for a heartbeat under way;
            // for one more of the job's timeouts at most (holdsLease), so that one that never returns lets the job go.
            backoffAskedNanos = System.nanoTime();
            timeOutAsksBackoff = true;
            Failure failure = backoffAsked
                    ? FailurePolicy.backoffTimedOut(timeout, backoff, env.defaultBackoff(), delivery.attempt(),
                            envelope.options().maxAttempts(), envelope.type())
                    : payloadBound
                    ? FailurePolicy.timedOut(timeout, delivery.attempt(), envelope.options().maxAttempts(), backoff,
                            env.defaultBackoff(), envelope.type())
                    : FailurePolicy.timedOutReadingPayload(timeout, env.handlers().find(envelope.type())
                            .map(handler -> handler.payloadType().toCanonical()).orElse("its payload class"),
                            delivery.attempt(), envelope.options().maxAttempts(), backoff, env.defaultBackoff(),
                            envelope.type());
            timeOutAsksBackoff = false;
            report(failure, null, "its timeout handed to the provider");
        });
    }

    /**
     * Called at shutdown: ends a running attempt unfinished (cancels it and interrupts its handler).
     * True if it was still running; its job is then handed back with {@link #releaseCancelled()}.
     */
    boolean cancelForShutdown() {
        if (!state.compareAndSet(State.RUNNING, State.RELEASED)) {
            return false;
        }
        cancel();
        return true;
    }

    /**
     * True when the handler's thread is inside {@code System.exit} ({@link Runtime#exit}): the handler
     * itself is stopping the JVM, which waits for the worker's shutdown (a hook drains it) while that
     * thread never returns. Such a job must not be released uncounted, or it would stop every worker
     * that receives it, for ever.
     */
    boolean isExitingTheJvm() {
        Thread running = thread;
        if (running == null) {
            return false;
        }
        for (StackTraceElement frame : running.getStackTrace()) {
            if ("java.lang.Runtime".equals(frame.getClassName()) && "exit".equals(frame.getMethodName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Settles an attempt {@linkplain #cancelForShutdown() cancelled at shutdown} whose handler
     * {@linkplain #isExitingTheJvm() called System.exit} as a failed attempt: retried after the backoff
     * while attempts remain, dead-lettered after the last.
     */
    void failExitingTheJvm() {
        inLogContext(() -> {
            // Heartbeats go on while the backoff is asked, as for a timeout's (recordTimeOut): one that blocked ran with
            // none, and the lease could run out under it. Off again before the provider is told.
            backoffAskedNanos = System.nanoTime();
            timeOutAsksBackoff = true;
            Failure failure = FailurePolicy.exitedTheJvm(delivery.attempt(), delivery.envelope().options().maxAttempts(),
                    backoff, env.defaultBackoff(), delivery.envelope().type());
            timeOutAsksBackoff = false;
            report(failure, null, "its failure handed to the provider at shutdown");
        });
    }

    /** Hands the job of an attempt {@linkplain #cancelForShutdown() cancelled at shutdown} back to the provider. */
    void releaseCancelled() {
        inLogContext(this::releaseUnfinished);
    }

    /**
     * Hands the job back and announces {@code Released} for the attempt, which ended unfinished, even when the
     * provider could not take the job back: the job then comes back when its lease ends instead of at once, as a
     * {@code Completed} whose acknowledgement failed is still announced (docs/semantics.md).
     */
    private void releaseUnfinished() {
        Throwable providerFailed = null;
        try {
            awaitHeartbeatReturned("released at shutdown");
            queue.provider().release(delivery);
            log.info("{} released unfinished at shutdown", describe());
        } catch (Throwable e) {
            providerFailed = e;
            if (e instanceof Exception && worker.settleCutAtShutdown(this)) {
                log.info("{}: its release was cut as the worker stopped (counted in its warning); it will be delivered "
                        + "again when its lease ends: {}", describe(), FailurePolicy.messageLine(e));
            } else {
                log.warn("{} could not be released at shutdown; it will be delivered again when its lease ends",
                        describe(), FailurePolicy.loggable(e));
            }
        }
        try {
            // Not held back for a Started or Progress a listener still holds (awaitEarlierEvents): close() waits for this
            // release at most RELEASE_WAIT, and would wait out such a listener and then say the provider did not answer.
            env.events().publish(new JobEvent.Released(env.clock().instant(), queue.name(), delivery.jobId(),
                    delivery.envelope().type(), delivery.attempt()));
        } finally {
            settled = true;
        }
        rethrowIfFatal(providerFailed);
    }

    /**
     * Called at shutdown: hands back a job whose handler was not called yet, without counting the
     * attempt and without events (it never started). True if it was still unstarted; false if its
     * thread claimed it first, or it was settled without a handler.
     */
    boolean releaseUnstarted() {
        if (!claimUnstarted()) {
            return false;
        }
        handBackUnstarted();
        return true;
    }

    /**
     * The first half of {@link #releaseUnstarted()}: takes the attempt from its thread if the handler
     * was not called yet. True if it did; the job must then be handed back with {@link #handBackUnstarted()}.
     */
    boolean claimUnstarted() {
        return state.compareAndSet(State.PENDING, State.RELEASED);
    }

    /** The second half of {@link #releaseUnstarted()}: the job of a {@linkplain #claimUnstarted() claimed} attempt back to the provider. */
    void handBackUnstarted() {
        inLogContext(this::handBack);
    }

    private void handBack() {
        Throwable providerFailed = null;
        try {
            awaitHeartbeatReturned("handed back at shutdown"); // a job waiting for its thread gets heartbeats too
            queue.provider().release(delivery);
            if (log.isDebugEnabled()) {
                log.debug("{} received but not started as the worker stopped; handed back", named(delivery));
            }
        } catch (Throwable e) {
            providerFailed = e;
            if (e instanceof Exception && worker.settleCutAtShutdown(this)) {
                log.info("{}, received as the worker stopped: handing it back was cut as the worker stopped (counted in "
                        + "its warning); it will be delivered again when its lease ends: {}", describe(),
                        FailurePolicy.messageLine(e));
            } else {
                log.warn("{}, received as the worker stopped, could not be handed back; it will be delivered again "
                        + "when its lease ends", describe(), FailurePolicy.loggable(e));
            }
        } finally {
            settled = true;
        }
        rethrowIfFatal(providerFailed);
    }

    /**
     * Called by the watchdog on a thread of its own once {@linkplain #isHeartbeatDue heartbeat is due}:
     * extends the lease while the attempt {@linkplain #holdsLease() holds it} (its handler runs, or it waits to
     * start). The next one is due a third of the lease after this call began, and not before this one returned.
     */
    void heartbeat(HeartbeatFailures failures) {
        long began = System.nanoTime();
        // Written before the state is read: a release or timeout that moved the state first and did not see this is
        // seen here, and none is sent; one that sees it waits for this call (awaitHeartbeatReturned).
        nextHeartbeatNanos = began + HEARTBEAT_CALLING;
        if (!holdsLease()) {
            // No longer under way (a release waits for that); none is due again, as the attempt holds no lease.
            nextHeartbeatNanos = began + heartbeatEveryNanos;
            return;
        }
        try {
            queue.provider().extendLease(delivery, delivery.leaseDuration());
            failures.succeeded();
        } catch (LeaseLostException e) {
            try {
                inLogContext(() -> leaseLost(e));
            } finally {
                // No longer under way, once the attempt holds no lease (LEASE_LOST, or released or settled meanwhile):
                // none is ever due again, and a release waiting for this one goes on. It stayed under way, and such a
                // release waited out its whole bound.
                nextHeartbeatNanos = began + heartbeatEveryNanos;
            }
            return;
        } catch (Throwable e) {
            // Throwable: after a provider's Error no heartbeat was ever due again; the lease ran out under the handler.
            // The next one is set due before the log, which once threw (an exception whose toString() throws) and
            // left none ever due again.
            nextHeartbeatNanos = began + heartbeatEveryNanos;
            inLogContext(() -> failures.failed(describe(), e));
            rethrowIfFatal(e);
            return;
        }
        nextHeartbeatNanos = began + heartbeatEveryNanos;
    }

    /**
     * True while the job leased with this attempt's acknowledgement ({@link #takeNextJob()}) waits for its thread,
     * which still announces this attempt's {@code Completed}: that job is no attempt yet, so nothing else extends its
     * lease, and a listener slow there let it run out: the job was delivered again and ran twice. The watchdog then
     * extends it on this attempt's heartbeat schedule ({@link #isHeartbeatDue}, free once the attempt finished): its
     * last heartbeat was before that job was leased, so the first is due within a heartbeat interval of the lease.
     * Read by the watchdog only; a job that succeeds writes nothing for it.
     */
    boolean holdsNextJob() {
        return nextJob != null && state.get() == State.FINISHED && !settled;
    }

    /**
     * Called by the watchdog on a heartbeat thread once {@link #holdsNextJob()} and a heartbeat is due: extends the
     * lease of the job leased with this attempt's acknowledgement. None once this attempt is settled: its thread then
     * makes that job its next attempt, which has heartbeats of its own. Such a job's delivery (ReceivedJob) is
     * immutable, so what this thread reads of it is whole.
     *
     * <p>Listed with its job on the thread's {@link NextJobTaker} from before {@link #settled} is read until the
     * provider answered: the attempt that job becomes, should it fail or be released meanwhile, waits for this call
     * first ({@link #awaitHeartbeatReturned}). It reached the provider after that failure: the memory provider refused it
     * (a WARN "could not extend the lease"), and a provider that does not order the two hid the retry for a lease.
     */
    void heartbeatNextJob(HeartbeatFailures failures) {
        long began = System.nanoTime();
        NextJobTaker taker = takesNextJob; // not null: only an attempt that takes its thread's next job leases one
        ReceivedJob next = nextJob;
        if (next == null) {
            nextHeartbeatNanos = began + heartbeatEveryNanos; // taken by its thread, or its lease found lost
            return;
        }
        CopyOnWriteArrayList<ReceivedJob> calling = taker.heartbeatsCalling();
        calling.add(next); // before settled is read: that job's settle then sees it
        boolean extended = false;
        Throwable failed = null;
        LeaseLostException lost = null;
        try {
            if (!settled) {
                queue.provider().extendLease(next, next.leaseDuration());
                extended = true;
            }
        } catch (LeaseLostException e) {
            // Settled since it looked: that job became its thread's attempt, which completed it (a job that succeeds
            // does not wait for this call), or which sees for itself that its lease was lost. A WARN "could not extend
            // the lease … may run twice" here was about a job that had completed once.
            // Not yet its thread's: that thread does not run it, as an attempt not yet started whose lease is found
            // lost never starts. It ran it, beside the delivery its provider gave to another worker. The job is taken
            // away before settled is read (the fence orders the two; the thread writes settled, then reads nextJob):
            // settled by then, the thread may have taken the job already and runs it (its attempt's heartbeat then
            // finds the lease lost), so no "not run here" is said. Read the other way round, that WARN was false.
            nextJob = null;
            VarHandle.fullFence();
            if (!settled) {
                lost = e;
            }
        } catch (Throwable e) {
            failed = e;
        } finally {
            calling.remove(next);
        }
        nextHeartbeatNanos = began + heartbeatEveryNanos;
        if (extended) {
            failures.succeeded();
        } else if (lost != null) {
            log.warn("{} on queue '{}' attempt {}, leased with the acknowledgement of job {}: {}; it is not "
                    + "run here (its handler never started), the job's other delivery runs it", named(next),
                    queue.shownName(), next.attempt(), UntrustedText.escape(delivery.jobId()),
                    FailurePolicy.messageLine(lost));
        } else if (failed != null) {
            // Not in this attempt's log context: the line is about the other job, which it names.
            failures.failed(named(next) + " on queue '" + queue.shownName()
                    + "' attempt " + next.attempt() + ", leased with the acknowledgement of job "
                    + UntrustedText.escape(delivery.jobId())
                    + " while that job's Completed was announced", failed);
            rethrowIfFatal(failed);
        }
    }

    /**
     * Called by a release at shutdown, and by a failure (the handler's own, a timeout's, a System.exit's, or a dead
     * letter of a job its handler never got), once the attempt left RUNNING or PENDING and before the provider is told: waits until a heartbeat of it whose thread is in it (about to call the
     * provider, or calling it) has returned, for at most {@link #HEARTBEAT_RETURN_WAIT}. Not for one handed over and
     * still waiting for a thread: that one finds the attempt settled and sends nothing, and waiting for it (the queue's
     * 64 heartbeat threads held by a provider that hangs) held a timeout's failure 2.5 s, past its job's lease.
     * The heartbeat's lease extension reaching the provider after the release hid the released job for a whole lease
     * (SQS: its visibility set back from 0 to the lease), where DESIGN §7 says none waits out a lease, and after a
     * retry held the retry back for a lease instead of its delay. A heartbeat not yet under way when this looks finds
     * the attempt settled, and sends nothing ({@link #heartbeat}): the state is written before
     * {@link #nextHeartbeatNanos} is read here, and the heartbeat writes that before it reads the state.
     * Costs a job that succeeds nothing: its acknowledgement does not call it (memory and SQS order a heartbeat and
     * the acknowledgement of one delivery themselves, and neither brings a deleted job back). A handler's failure
     * called the provider beside its heartbeat under way, which reached a provider that does not order the two after
     * the retry, and held the retry back for a lease. So is a heartbeat of its job by the attempt that leased it with
     * its acknowledgement ({@link #isNextJobHeartbeatCalling}).
     *
     * @param settle what follows, for the warning: {@code released at shutdown}
     * @return false if it stopped waiting for a heartbeat that has not returned
     */
    private boolean awaitHeartbeatReturned(String settle) {
        long now = System.nanoTime();
        if (!isHeartbeatCalling(now) && !isNextJobHeartbeatCalling()) {
            return true;
        }
        long deadline = now + HEARTBEAT_RETURN_WAIT.toNanos();
        while (isHeartbeatCalling(now) || isNextJobHeartbeatCalling()) {
            if (now - deadline >= 0) {
                log.warn("{}: a heartbeat of it has been under way for over {} (the provider does not answer it); {} "
                        + "without waiting longer: should that heartbeat still reach the provider after it, the job "
                        + "stays hidden until that lease ends rather than coming back at once or after its retry delay",
                        describe(), DurationFormat.format(HEARTBEAT_RETURN_WAIT), settle);
                return false;
            }
            LockSupport.parkNanos(STARTED_POLL_NANOS); // rare: a heartbeat on its way as the worker stops; bounded
            now = System.nanoTime();
        }
        return true;
    }

    /**
     * True while a heartbeat's thread is in {@link #heartbeat} past its first write: {@link #nextHeartbeatNanos} is then
     * about {@link #HEARTBEAT_CALLING} ahead of {@code nowNanos}; about {@link #HEARTBEAT_UNDER_WAY} ahead while one
     * waits for a thread, else at most a heartbeat interval (a third of the lease) ahead. The line between is halfway
     * from the one to the other.
     */
    private boolean isHeartbeatCalling(long nowNanos) {
        return nextHeartbeatNanos - nowNanos > HEARTBEAT_UNDER_WAY + (HEARTBEAT_CALLING - HEARTBEAT_UNDER_WAY) / 2;
    }

    /**
     * True while a heartbeat of this attempt's job, leased with the acknowledgement of its thread's attempt before
     * ({@link #heartbeatNextJob}), is in the provider, or about to call it: handed over before the attempt that leased
     * it was settled, it must return before this one fails or releases the job. A heartbeat of another job of the
     * thread's (one before, whose provider call hangs) is not waited for: it held this failure 2.5 s.
     */
    private boolean isNextJobHeartbeatCalling() {
        return takesNextJob != null && takesNextJob.isHeartbeatCalling(delivery);
    }

    /**
     * The provider no longer holds the delivery, which may run elsewhere already: the attempt is cancelled as
     * at a timeout (flag and interrupt), so that a handler that checks {@link #isCancelled()} or blocks stops
     * instead of doing the job's work a second time. The attempt is settled here with no outcome (LEASE_LOST):
     * whatever its handler does next, returning or throwing, and its timeout are not recorded, told to the
     * provider or announced, as BullMQ's stale worker's result is not ("Missing lock"); the job's other
     * delivery settles the job. Its handler still holds its permit until it returns.
     */
    private void leaseLost(LeaseLostException e) {
        // A timed-out attempt too while its record asks the backoff (timeOutAsksBackoff, the only time a heartbeat of
        // it goes out): its record, which waits for this heartbeat, then finds LEASE_LOST and settles nothing. It
        // announced and counted the Failed of a lease this heartbeat had found lost, beside the job's other delivery.
        if (!state.compareAndSet(State.RUNNING, State.LEASE_LOST)
                && !state.compareAndSet(State.PENDING, State.LEASE_LOST)
                && !(timeOutAsksBackoff && state.compareAndSet(State.TIMED_OUT, State.LEASE_LOST))) {
            return; // it ended while the heartbeat was on its way
        }
        log.warn("{}: {}; the attempt is cancelled (ctx.isCancelled() is true, its thread interrupted) and its "
                + "result will not be recorded", describe(), FailurePolicy.messageLine(e));
        cancel();
        settled = true;
        worker.endedWithoutOutcome();
    }

    /**
     * Hands a failed delivery to the provider. A retry is announced before the provider can make the
     * job visible again, so listeners see Failed before the next attempt's Started; a death is
     * announced only after the dead-letter copy was written.
     *
     * @param afterHeartbeat what the warning of {@link #awaitHeartbeatReturned} calls this settle: a heartbeat under
     *                       way returns before the provider is told, on the handler's thread as off it (a timeout, a
     *                       shutdown)
     */
    private void report(Failure failure, @Nullable Throwable error, String afterHeartbeat) {
        try {
            reportToProviderAndListeners(failure, error, afterHeartbeat);
        } finally {
            settled = true;
        }
    }

    private void reportToProviderAndListeners(Failure failure, @Nullable Throwable error, String afterHeartbeat) {
        String type = delivery.envelope().type();
        // The attempt ended here: what the log and the provider take (SQS: a send to the dead-letter
        // queue and a delete) is not its handler's time, which listeners measure up to the event's instant.
        FailedInstant failedAt = FailedInstant.now(env.clock());
        Instant ended = failedAt.at();
        // The heartbeat under way returns first, before the lease is looked at as before the provider is told; one
        // that does not (the provider hangs in extendLease) is not followed by another extendLease.
        boolean heartbeatReturned = awaitHeartbeatReturned(afterHeartbeat);
        if (state.get() == State.LEASE_LOST) {
            return; // a timeout's: a heartbeat found its lease lost while its backoff was asked, and settled it there
        }
        if (failure instanceof Failure.RetryAfter retry) {
            if (heartbeatReturned && leaseFoundLost()) {
                return; // the job's other delivery settles it: neither announced nor counted
            }
            queue.counters().failed();
            worker.endedWithOutcome();
            logRetry(retry, error);
            awaitEarlierEvents();
            env.events().publish(new JobEvent.Failed(ended, queue.name(), delivery.jobId(), type,
                    delivery.attempt(), retry.error(), retry.delay()));
            rethrowIfFatal(settleWithProvider(failedAt.dueRetryInAfter(retry, env.clock())));
            return;
        }
        Throwable providerFailed = settleWithProvider(failure);
        if (providerFailed != null) {
            // No Dead and not counted (stats' failed would count it again when it is delivered again and
            // dead-lettered then, once more than jobq_jobs_total, which counts the Dead only).
            worker.endedWithoutOutcome();
            rethrowIfFatal(providerFailed);
            return;
        }
        queue.counters().failed();
        queue.counters().dead();
        worker.endedWithOutcome();
        log.warn("{} is dead: {}", describe(), failure.error(), error);
        awaitEarlierEvents();
        env.events().publish(new JobEvent.Dead(ended, queue.name(), delivery.jobId(), type,
                delivery.attempt(), failure.error()));
    }

    /**
     * Before a retry's Failed is announced (ahead of the provider call, so that it comes before the next attempt's
     * Started: the memory provider makes a retry with no delay visible within fail()), asks a provider that always
     * knows when a settle comes too late ({@link Feature#SETTLE_DETECTS_LOST_LEASE}) whether it still holds the
     * delivery, by extending its lease: true, logged, if it does not. Announced first, the Failed of a lease that ran out
     * unnoticed (a clock step, a long pause) went to the listeners and the stats beside the other delivery's outcome,
     * and the provider then refused the retry. Extended, the lease outlasts the fail() that follows. One provider call
     * per retry on such a provider, none on others, and none for a job that succeeds.
     */
    private boolean leaseFoundLost() {
        if (!queue.provider().capabilities().supports(Feature.SETTLE_DETECTS_LOST_LEASE)) {
            return false;
        }
        try {
            queue.provider().extendLease(delivery, delivery.leaseDuration());
            return false;
        } catch (LeaseLostException e) {
            settleRefused("failed", "retry", e);
            worker.endedWithoutOutcome();
            return true;
        } catch (Throwable e) {
            // Any Throwable, as the fail() that follows is told of it: that call logs it, or rethrows a fatal one.
            log.debug("{}: extending its lease before its retry failed; the retry goes on", describe(),
                    FailurePolicy.loggable(e));
            return false;
        }
    }

    /**
     * Tells the provider of a failed delivery; null if it took it, else what it threw, logged. Any Throwable: a
     * third-party provider's Error (or a Throwable that is neither) escaped here with no log line of jobq's, no
     * Dead, and not given back to {@code --max-jobs}.
     */
    private @Nullable Throwable settleWithProvider(Failure failure) {
        try {
            queue.provider().fail(delivery, failure); // a heartbeat under way returned first (or was waited for)
            return null;
        } catch (LeaseLostException e) {
            if (failure instanceof Failure.RetryAfter) {
                // Its Failed went to the listeners first, so that it comes before the next attempt's Started: its lease
                // was held just before (leaseFoundLost), or the provider cannot always tell.
                log.warn("{} failed after its lease was lost, unnoticed, and the provider refused its retry: {}; its "
                        + "Failed was announced and counted before, the job's other delivery settles it",
                        describe(), FailurePolicy.messageLine(e));
            } else {
                settleRefused("failed", "dead-lettering for '" + failure.error() + "'", e);
            }
            return e;
        } catch (Throwable e) {
            if (e instanceof Exception && worker.settleCutAtShutdown(this)) {
                log.info("{}: recording its failure ({}) was cut as the worker stopped (counted in its warning); it will "
                        + "be delivered again when its lease ends: {}", describe(), failure.error(),
                        FailurePolicy.messageLine(e));
                return e;
            }
            // loggable: a provider's exception whose toString() throws threw out of this line, past the settling
            log.error("{}: recording its failure ({}) failed; it will be delivered again when its lease ends",
                    describe(), failure.error(), FailurePolicy.loggable(e));
            return e;
        }
    }

    /**
     * The provider refused this attempt's settle with {@link LeaseLostException}: the lease ran out with no heartbeat to
     * notice it (a clock step, a long pause, an attempt ending between two heartbeats), and the job was delivered again.
     * The other delivery's outcome is the one that counts: the caller neither announces nor counts this one, and gives
     * its {@code --max-jobs} receive back, as after a lost lease a heartbeat found.
     */
    private void settleRefused(String how, String settle, LeaseLostException e) {
        log.warn("{} {} after its lease was lost, unnoticed, and the provider refused its {}: {}; not announced or "
                + "counted, the job's other delivery settles it", describe(), how, settle,
                FailurePolicy.messageLine(e));
    }

    /**
     * Hands a provider's {@link VirtualMachineError} (out of memory, the JVM broken) on to the thread's
     * uncaught-exception handler once the attempt is settled and logged, as a handler's is; anything else was
     * logged and stops here.
     */
    private static void rethrowIfFatal(@Nullable Throwable providerFailed) {
        if (providerFailed instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /**
     * A retry's warning. The stack trace goes with the first failure only (and with the dead one): a job
     * failing the same way attempt after attempt wrote the same trace each time, which buried the log.
     * The retries between are one line each, their trace at DEBUG.
     */
    private void logRetry(Failure.RetryAfter retry, @Nullable Throwable error) {
        String delay = DurationFormat.format(retry.delay());
        if (delivery.attempt() <= 1 || error == null) {
            log.warn("{} failed: {}; retrying in {}", describe(), retry.error(), delay, error);
            return;
        }
        log.warn("{} failed: {}; retrying in {} (stack trace at attempt 1's warning)", describe(), retry.error(),
                delay);
        log.debug("{} failed", describe(), error);
    }

    /**
     * {@code job 0192f3c1-… (email:send) on queue 'default' attempt 2}: what this class's log lines say
     * about the job, so that each names its queue too.
     */
    private String describe() {
        return named(delivery) + " on queue '" + queue.shownName() + "' attempt " + delivery.attempt();
    }

    /**
     * {@code job 0192f3c1-… (email:send)}, its id and type {@linkplain UntrustedText#escape escaped}, the type cut
     * after the 255 characters enqueue takes: another producer's message, or a row of the scheduler's, may hold a type
     * with a control character (read, and dead-lettered as an unknown type), where a newline started a forged log line
     * and an ANSI escape repainted the terminal. Built only for a line that is written.
     */
    private static String named(ReceivedJob job) {
        return "job " + UntrustedText.escape(job.jobId()) + " ("
                + UntrustedText.escape(job.envelope().type(), TYPE_SHOWN) + ")";
    }

    private void cancel() {
        cancelled = true;
        // Under the same monitor as detachThread: the worker's thread may go on to another job, and
        // an interrupt meant for this attempt must never reach that one.
        synchronized (state) {
            Thread running = thread;
            if (running != null) {
                running.interrupt();
            }
        }
    }

    /**
     * Called on the handler's thread once {@link #run()} returned, before the thread takes another
     * job: from here on this attempt cannot interrupt it, and an interrupt it sent already is cleared.
     */
    void detachThread() {
        synchronized (state) {
            thread = null;
        }
        // Read first: clearing takes a lock on a virtual thread, and is rarely needed.
        if (Thread.currentThread().isInterrupted()) {
            Thread.interrupted();
        }
    }

    /**
     * The job leased with this attempt's acknowledgement, once, for the thread that ran it; null if it
     * took none. Called after {@link #run()} returned, on the same thread.
     */
    @Nullable ReceivedJob takeNextJob() {
        ReceivedJob next = nextJob;
        nextJob = null;
        return next;
    }

    /** True while {@code candidate} runs this attempt: its handler, or the listeners of its events. */
    boolean runsOn(Thread candidate) {
        return thread == candidate;
    }

    boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /**
     * True while the attempt holds its delivery for its thread: running, or received and not yet started, its
     * thread not yet made or waiting for a carrier while handlers that never block hold them all. The lease runs
     * from the receive, so the watchdog extends it from then: one waiting longer than the lease ran out unextended,
     * and the job ran twice. So does a timed-out attempt while its record asks the job's backoff, and one released
     * at shutdown while the failure of its handler's System.exit asks it, for one more of the job's timeouts at most.
     */
    boolean holdsLease() {
        State now = state.get();
        return now == State.RUNNING || now == State.PENDING
                || (now == State.TIMED_OUT || now == State.RELEASED) && timeOutAsksBackoff
                        && System.nanoTime() - backoffAskedNanos < timeoutNanos;
    }

    /**
     * Called by the watchdog's sweep: logs a WARN, once, when the attempt timed out {@code afterNanos} ago and its
     * thread has not returned (its handler, its backoff or the binding of its payload ignores the interrupt), naming
     * the job, where its thread is, what it holds and what to do. The timeout's own warning says only that the attempt
     * failed: a handler running on for hours, holding a permit, was named nowhere (the {@code /health} of
     * {@code jobq run} counts such handlers; an application's own process had nothing). So is one whose lease was lost
     * (its thread interrupted then) and that runs on {@code afterNanos} past its timeout, which {@code /health} counts
     * as overdue too. True if it warned.
     *
     * @param permits the worker's concurrency, for the warning
     */
    boolean warnIfOverdue(long nowNanos, long afterNanos, int permits) {
        State ended = state.get();
        if (overdue != OVERDUE_NONE || ended != State.TIMED_OUT && ended != State.LEASE_LOST) {
            return false;
        }
        Thread running = thread;
        // startNanos 0: a lease lost while the job waited for its thread, which has not reached the binding (and then
        // runs no code of the user's): no timeout counts yet.
        if (running == null || startNanos == 0 || nowNanos - startNanos - timeoutNanos < afterNanos) {
            return false;
        }
        String at = whereRunning(running.getStackTrace());
        String what = backoffAsked ? "its backoff (" + UserCode.describe(backoff) + ")"
                : payloadBound ? "its handler" : BINDING;
        // Under the monitor its thread marks its return under (returnedAfterOverdueWarning): read unlocked, a handler
        // that had returned, its thread not yet taken back, was warned about, and no INFO followed; and the INFO of a
        // return while this line is written waits for it. One attempt's monitor: only its own thread can wait here.
        synchronized (state) {
            if (overdue != OVERDUE_NONE || thread != running) {
                return false; // it returned meanwhile: that stack may be its thread's next job's
            }
            overdue = OVERDUE_WARNED;
            boolean leaseLost = ended == State.LEASE_LOST;
            inLogContext(() -> log.warn("{}: {} has not returned {} after its timeout ({}), {}; it is at {}; {}, but it "
                            + "keeps its thread and one of this worker's {} permits until it returns: have it stop when "
                            + "interrupted, or call ctx.throwIfCancelled() between steps", describe(), what,
                    DurationFormat.format(Duration.ofNanos(afterNanos)),
                    DurationFormat.format(delivery.envelope().options().timeout()),
                    leaseLost ? "although its lease was lost and its thread interrupted" : "whose interrupt it ignores",
                    at, leaseLost ? "its result will not be recorded (the job's other delivery settles it)"
                            : "its attempt was failed at the timeout and what the handler does now is discarded",
                    permits));
        }
        return true;
    }

    /**
     * Called on the attempt's thread as it returns after a timeout, the shutdown or a lost lease settled the attempt
     * without it: marks the return, so that {@link #warnIfOverdue} no longer names it as running on; true if it did
     * already, and the INFO that it returned is due. Under the monitor that WARN is written under, so that the INFO
     * comes after it. Never on a job's path: only where the attempt was settled without its thread.
     */
    private boolean returnedAfterOverdueWarning() {
        synchronized (state) {
            boolean warned = overdue == OVERDUE_WARNED;
            overdue = OVERDUE_RETURNED;
            return warned;
        }
    }

    /**
     * {@code job X (type) on queue 'q' attempt 1 (released at shutdown), at com.example.…(File.java:42)} while the
     * attempt's handler still runs on its thread (it has not returned since the attempt was settled without it: at the
     * shutdown, a timeout or a lost lease); null once it returned. For close()'s warning about handlers it leaves
     * running.
     */
    @Nullable String stillRunningOnItsThread() {
        Thread running = thread;
        if (running == null) {
            return null;
        }
        String at = whereRunning(running.getStackTrace());
        String ended = switch (state.get()) {
            case RELEASED -> " (released at shutdown)";
            case TIMED_OUT -> " (failed at its timeout)";
            case LEASE_LOST -> " (its lease lost)";
            default -> "";
        };
        return thread == running ? describe() + ended + ", at " + at : null;
    }

    /**
     * True while the attempt's thread still runs after a timeout or a lost lease settled the attempt without it: its
     * handler (or its backoff, or the binding of its payload) ignores the interrupt, or has not yet seen it. The
     * shutdown does not cancel such an attempt (it is settled), and close() names it as one it cancelled.
     */
    boolean runsOnPastItsEnd() {
        State now = state.get();
        return (now == State.TIMED_OUT || now == State.LEASE_LOST) && thread != null;
    }

    /** True until {@link #run()} returned on the attempt's thread ({@link #detachThread}), once it began there. */
    boolean isOnItsThread() {
        return thread != null;
    }

    /** The first frame of {@code stack} outside the JDK (the user's code, or jobq's), else its first; "?" if none. */
    private static String whereRunning(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")
                    && !type.startsWith("com.sun.")) {
                return frame.toString();
            }
        }
        return stack.length > 0 ? stack[0].toString() : "?";
    }

    /** True once the attempt timed out while its failure is not yet recorded with the provider and announced. */
    boolean isTimeOutBeingRecorded() {
        return state.get() == State.TIMED_OUT && !settled;
    }

    /**
     * True while the handler has been called (or its payload is being bound) and has not returned: running, or past
     * a timeout or a lost lease that it ignores. Not once it returned (FINISHED), while its outcome may still be on
     * its way.
     */
    boolean isHandlerActive() {
        State now = state.get();
        return now == State.RUNNING || (now == State.TIMED_OUT || now == State.LEASE_LOST) && thread != null;
    }

    /**
     * True once the attempt timed out while its handler has not returned: it ignores the interrupt. So is one
     * whose lease was lost and whose handler is still running past its timeout (no timeout fires for it). From the
     * timeout itself, not {@link Watchdog#OVERDUE_WARNING} after it as {@link #warnIfOverdue}'s WARN.
     */
    boolean isOverdue() {
        State now = state.get();
        return now == State.TIMED_OUT || now == State.LEASE_LOST && thread != null && isPastTimeout(System.nanoTime());
    }

    /**
     * True once the outcome is with the provider and the listeners. A handler may return (no longer
     * {@linkplain #isRunning() running}) well before that: on SQS the acknowledgement is a network call.
     */
    boolean isSettled() {
        return settled;
    }

    /**
     * {@code timeout} (or a lease) in nanoseconds, or {@link Long#MAX_VALUE} (about 292 years: never) when it is
     * longer. The envelope allows any {@code timeoutMs}; {@link Duration#toNanos()} of one beyond that
     * throws, which would end the poll loop or handler thread that was about to run the job.
     */
    private static long nanosUpToMax(Duration timeout) {
        return timeout.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    boolean isPastTimeout(long nowNanos) {
        return nowNanos - startNanos >= timeoutNanos;
    }

    /**
     * Called by the watchdog's sweep: true when a heartbeat is due and none is under way or waiting for a
     * thread; the caller must then run {@link #heartbeat}. A provider slower than the heartbeats, or one
     * that hangs, so gets one heartbeat per run at a time, never a queue of stale ones.
     */
    boolean isHeartbeatDue(long nowNanos) {
        if (nowNanos - nextHeartbeatNanos < 0) {
            return false; // not due yet, or one under way
        }
        nextHeartbeatNanos = nowNanos + HEARTBEAT_UNDER_WAY;
        return true;
    }

    String queueName() {
        return queue.name();
    }

    // JobContext

    @Override
    public String jobId() {
        return delivery.jobId();
    }

    @Override
    public int attempt() {
        return delivery.attempt();
    }

    @Override
    public Optional<String> traceId() {
        return Optional.ofNullable(delivery.envelope().traceId());
    }

    @Override
    public void log(String format, Object... args) {
        if (Thread.currentThread() == thread) {
            jobLog.info(format, args);
            return;
        }
        inLogContext(() -> jobLog.info(format, args)); // a thread the handler started
    }

    /**
     * Runs {@code action} on a thread other than the handler's (a thread the handler started, the
     * watchdog's at a timeout, the shutdown's at a release) with this attempt's log context, so that its
     * lines, and the outcome lines of listeners it calls, carry the job's keys as the handler's own do;
     * the thread's own log context (a request id of its pool, say) is as it was afterwards.
     */
    private void inLogContext(Runnable action) {
        Map<String, String> own = MDC.getCopyOfContextMap();
        putLogContext();
        try {
            action.run();
        } finally {
            if (own == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(own);
            }
        }
    }

    @Override
    public void progress(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress must be between 0 and 100, got " + percent);
        }
        ReentrantReadWriteLock.ReadLock announcing = progressLock().readLock();
        announcing.lock();
        try {
            if (state.get() != State.RUNNING) {
                // Timed out or released: its Failed, Dead or Released was announced; progress after it is discarded.
                log.debug("job {} attempt {} reported progress {} after it was {}; not announced",
                        UntrustedText.escape(delivery.jobId()),
                        delivery.attempt(), percent, state.get());
                return;
            }
            env.events().publish(new JobEvent.Progress(env.clock().instant(), queue.name(), delivery.jobId(),
                    delivery.envelope().type(), delivery.attempt(), percent));
        } finally {
            announcing.unlock();
        }
    }

    private ReentrantReadWriteLock progressLock() {
        ReentrantReadWriteLock lock = progressing;
        if (lock == null) {
            synchronized (state) {
                lock = progressing;
                if (lock == null) {
                    lock = new ReentrantReadWriteLock();
                    progressing = lock;
                }
            }
        }
        return lock;
    }

    /**
     * Waits until neither the Started nor a Progress of this attempt is on its way to the listeners; called once the
     * attempt has left RUNNING and before its outcome is announced, so that those reach every listener before it.
     */
    private void awaitEarlierEvents() {
        if (announcingStarted && Thread.currentThread() != thread) {
            // Rare (a listener slow on Started as the attempt times out): polled, so that no job pays
            // for a lock it almost never needs. Bounded by that listener.
            while (announcingStarted) {
                LockSupport.parkNanos(STARTED_POLL_NANOS);
            }
        }
        ReentrantReadWriteLock lock = progressing;
        if (lock != null && !lock.isWriteLockedByCurrentThread() && lock.getReadHoldCount() == 0) {
            lock.writeLock().lock();
            lock.writeLock().unlock();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public JobQueue queue() {
        return env.queue();
    }
}

package dev.jobq.internal.worker;

import dev.jobq.JobEvent;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Feature;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a list of queues in this process: one poll loop per queue (served in listed order), all
 * handlers on virtual threads bounded by {@code concurrency} permits (a thread may run several
 * attempts one after another, see {@link #launch}), a watchdog for timeouts and heartbeats.
 *
 * <p>{@link #close()} is the graceful shutdown of DESIGN §7: stop receiving (long polls are
 * interrupted), hand back unstarted every job received but not yet started, let running handlers
 * finish for up to {@code shutdownTimeout}, then cancel and interrupt the rest and release their jobs
 * so none is lost and none waits out a lease. A handler that ignores the interrupt keeps its thread,
 * but not the shutdown. A job is visible to close() from the moment it is received (see
 * {@link #hold}), so no handler starts once close() has begun handing jobs back.
 *
 * <p>On a provider that settles deliveries over the network (every provider that does not receive
 * in-process, {@link Feature#LOCAL_RECEIVE}), a handler thread hands its permit back as soon as its
 * handler returns and then acknowledges (or fails) the delivery, so the poll loop receives the next
 * jobs while acknowledgements are on the wire instead of after them. At most twice {@code concurrency}
 * threads settle so at once; beyond that a thread keeps its permit until its delivery is settled.
 * No received job ever waits for a permit: receives still ask for the free permits only, so every
 * leased delivery beyond the running ones is a finished job whose outcome is on its way.
 */
public final class Worker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final Duration LOOP_EXIT_WAIT = Duration.ofSeconds(5);
    /** How long close() waits for the releases of jobs still running past shutdownTimeout. */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(5);
    /**
     * Handler threads that may settle after handing their permit back, per permit: two, so that one
     * batch's acknowledgements may still be on the wire when the next batch's handlers return (one
     * per permit stalled them, one round trip in two; four did no better than two).
     */
    private static final int SETTLING_PER_PERMIT = 2;
    /**
     * How long a handler thread of the first-listed queue on a provider that receives in-process waits
     * for the next job, keeping its permit, before it ends. Under a steady stream the job then goes
     * straight to a waiting thread instead of waking the poll loop, which starts a thread for it:
     * one hand-over instead of two. Short, so that an idle worker soon holds no thread, and a
     * shutdown never waits on it.
     */
    public static final Duration NEXT_JOB_WAIT = Duration.ofMillis(5);
    /**
     * The least close() waits for the takes under way (each one receive of at most {@link #NEXT_JOB_WAIT}) before it
     * looks for unstarted jobs, however short shutdownTimeout is (it may be 0): a take not waited for hands its job
     * back itself, later, with a WARN.
     */
    private static final Duration LEAST_TAKE_WAIT = Duration.ofMillis(100);
    /**
     * The most close() waits, counted from when it cancelled the handlers still running past shutdownTimeout, for
     * those handlers to return on the interrupt, before it names the ones that ignore it: one that heeds it returns
     * within moments, and close() waits no longer than that for it. Counted from the cancel, not from the end of the
     * releases: releases SQS did not answer took their 5 s first, and this second came on top of the bound
     * docs/operations.md gives a stop (up to 20 s more), for handlers interrupted 5 s before.
     */
    static final Duration CANCELLED_RETURN_WAIT = Duration.ofSeconds(1);

    private final WorkerSettings settings;
    private final List<QueueBinding> queues;
    private final RunEnvironment env;
    private final PermitPool permits;
    /** Handler threads that handed their permit back and still settle their delivery with the provider. */
    private final Semaphore settling;
    private final Watchdog watchdog;
    /** What {@code jobq run --max-jobs} leaves to receive; null without a limit, so that nothing is counted. */
    private final @Nullable ReceiveBudget budget;
    /** The jobs received under the {@link #budget} that ended with an outcome; not counted without one. */
    private final AtomicLong jobsEnded = new AtomicLong();
    /**
     * The live handler threads; the attempts they run are the ones the watchdog sweeps. A thread joins
     * once, not once per attempt: on a backlog it runs attempt after attempt.
     */
    private final Set<HandlerThread> handlers = ConcurrentHashMap.newKeySet();
    /**
     * Timed-out attempts whose handler returned before their failure was recorded with the provider (rare); the
     * watchdog's next sweep lets each go once it is settled ({@link #watchedRuns}).
     */
    private final Set<AttemptRun> recordingTimeOuts = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition runEnded = lock.newCondition();
    /** Read by the watchdog's sweeps, which start before the loops are added. */
    private final List<PollLoop> loops = new CopyOnWriteArrayList<>();
    private final List<Thread> loopThreads = new ArrayList<>();
    private final Map<String, ThreadFactory> handlerThreads = new HashMap<>();
    /** Each queue's failed receives, shared by its loops; added by start(), read by health checks. */
    private final Map<String, ReceiveFailures> receiveFailures = new ConcurrentHashMap<>();
    private final ThreadFactory releases = Thread.ofVirtual().name("jobq-release-", 0).factory();
    /**
     * The threads of {@link #releaseAll} still handing a job back: a listener of its {@code Released} runs there,
     * and a close() there waited for the shutdown, which waited for that thread.
     */
    private final Set<Thread> releasing = ConcurrentHashMap.newKeySet();
    /**
     * The attempts whose settle (an acknowledgement, a failure, a release) was still on its way to the provider when
     * close() stopped waiting for it, once shutdownTimeout passed: the provider is closed under them next, and close()'s
     * one warning counts them, where each failed settle then logged a warning of its own with the provider's stack
     * trace (ten acknowledgements of one SQS batch, ten warnings). Filled by close() only; read by a failed settle.
     */
    private final Set<AttemptRun> cutAtShutdown = ConcurrentHashMap.newKeySet();
    private boolean started;
    private boolean closed;
    /** Set first in close(): handler threads take no further job, and signal when they end. */
    private volatile boolean stopping;
    /** Whether close()'s thread was interrupted while it ran: the drain is cut short. Its thread's only. */
    private boolean interruptedWhileClosing;
    /** The worker's side of every attempt, made once: a lambda made per attempt cost B1 16 bytes a job. */
    private final AttemptRun.WorkerSide attemptSide = new AttemptRun.WorkerSide() {
        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void endedWithoutOutcome() {
            if (budget != null) {
                budget.giveBack(1); // --max-jobs counts outcomes: another job takes this receive's place
            }
        }

        @Override
        public void endedWithOutcome() {
            if (budget != null) {
                jobsEnded.incrementAndGet();
            }
        }

        @Override
        public boolean settleCutAtShutdown(AttemptRun run) {
            return cutAtShutdown.contains(run);
        }
    };

    public Worker(WorkerSettings settings, List<QueueBinding> queues, RunEnvironment env) {
        this(settings, queues, env, 0);
    }

    /**
     * @param maxJobs how many jobs the worker receives in its life, over all its queues, and then no more
     *                ({@code jobq run --max-jobs}); 0 for no limit
     */
    public Worker(WorkerSettings settings, List<QueueBinding> queues, RunEnvironment env, long maxJobs) {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one queue to consume");
        }
        this.settings = settings;
        this.queues = List.copyOf(queues);
        this.env = env;
        this.budget = maxJobs > 0 ? new ReceiveBudget(maxJobs) : null;
        this.permits = new PermitPool(settings.concurrency(), queues.size());
        this.settling = new Semaphore(SETTLING_PER_PERMIT * settings.concurrency());
        // named after every queue it watches (it was the first one's, which reads as a watchdog of that queue alone)
        List<String> names = queues.stream().map(QueueBinding::name).toList();
        this.watchdog = new Watchdog(String.join(",", names), names,
                this::watchedRuns, now -> loops.forEach(loop -> loop.giveBackIfOverdue(now)), settings.concurrency());
        for (QueueBinding queue : queues) {
            // named with the name as lines show it: a %thread in a log layout repeats it on every line
            handlerThreads.put(queue.name(),
                    Thread.ofVirtual().name("jobq-worker-" + queue.shownName() + "-", 0).factory());
        }
    }

    /** Starts the poll loops; idempotent. */
    public void start() {
        lock.lock();
        try {
            if (started || closed) {
                return;
            }
            started = true;
            watchdog.start();
            boolean permitEach = queues.size() > 1 && settings.concurrency() >= queues.size();
            int[] firstPermits = new int[queues.size()];
            if (permitEach) {
                // In listed order, before any loop runs: a later queue's loop, started first, took every permit for
                // its backlog, and the first queue waited for one of those jobs to end; and an earlier queue's
                // second loop, started before a later queue's first, took the permit meant for it.
                for (int tier = 0; tier < queues.size(); tier++) {
                    firstPermits[tier] = permits.takeFree(1);
                }
            }
            for (int tier = 0; tier < queues.size(); tier++) {
                QueueBinding queue = queues.get(tier);
                int count = loopsFor(queue);
                var failures = new ReceiveFailures(queue.name(), env.clock());
                receiveFailures.put(queue.name(), failures);
                var spells = new PollLoop.QueueSpells();
                for (int i = 0; i < count; i++) {
                    var loop = new PollLoop(queue, tier, permits, settings.pollInterval(), this::launch, failures,
                            budget);
                    if (i == 0) {
                        loop.startWith(firstPermits[tier]);
                    }
                    if (count > 1 && permitEach) {
                        loop.shareLooks(spells, i > 0);
                    }
                    loops.add(loop);
                    String name = "jobq-poll-" + queue.shownName() + (count > 1 ? "-" + i : "");
                    loopThreads.add(Thread.ofVirtual().name(name).start(loop));
                }
            }
            // Once every loop runs, so that a listener calling close() here (this thread holds the lock) stops them
            // all: announced as each queue's loops started, the later queues' loops were started after that close()
            // had drained, and polled their closed providers for good.
            for (QueueBinding queue : queues) {
                if (closed) {
                    return; // a listener closed the worker: every queue's WorkerStopped is announced
                }
                env.events().publish(new JobEvent.WorkerStarted(env.clock().instant(), queue.name(),
                        settings.concurrency()));
            }
            log.info("jobq worker started: queues {}, concurrency {}", queues.stream().map(QueueBinding::shownName).toList(),
                    settings.concurrency());
            if (settings.concurrency() < queues.size()) {
                log.warn("jobq worker serves {} queues with concurrency {}: with fewer permits than queues no receive "
                        + "waits for a job, and an empty queue is looked at again after pollInterval ({}), so a job "
                        + "can wait that long to start; set worker.concurrency to at least {}", queues.size(),
                        settings.concurrency(), DurationFormat.format(settings.pollInterval()), queues.size());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One poll loop, or on a provider that fetches jobs in batches over the network one per batch's
     * worth of concurrency (concurrency 100 on SQS: ten loops), so that as many receives are on the
     * wire as the permits can fill; one loop would cap the queue at one batch per round trip.
     */
    private int loopsFor(QueueBinding queue) {
        int batch = queue.provider().capabilities().receiveBatch();
        return batch <= 1 ? 1 : Math.max(1, (settings.concurrency() + batch - 1) / batch);
    }

    /**
     * Runs {@code job} on a new handler thread that owns one permit. On a provider that receives
     * in-process ({@link Feature#LOCAL_RECEIVE}) the thread then takes the next visible job itself,
     * keeping the permit, until there is none, the worker stops, or a queue listed earlier waits for
     * a permit; a backlog then costs no thread and no hand-over to the poll loop per job. After a job
     * that succeeded it takes the next one with the acknowledgement, in one call to the provider
     * ({@link dev.jobq.spi.QueueProvider#acknowledgeAndReceive}); after a failure, or when that call
     * found none, it receives on its own.
     */
    private void launch(QueueBinding queue, int tier, ReceivedJob job) {
        var handler = new HandlerThread(tier, queue.provider().capabilities().supports(Feature.LOCAL_RECEIVE));
        handlers.add(handler);
        AttemptRun first;
        try {
            first = hold(handler, queue, job);
        } catch (RuntimeException e) {
            // A null job from the provider (its bug): no thread will end this handler, and the poll loop takes its
            // permit back. Left in the set, it was one more handler for as long as the worker ran.
            handlers.remove(handler);
            throw e;
        }
        handlerThreads.get(queue.name()).newThread(() -> runFrom(queue, handler, first)).start();
    }

    private void runFrom(QueueBinding queue, HandlerThread handler, AttemptRun first) {
        try {
            AttemptRun run = first;
            while (run != null) {
                try {
                    run.run();
                } finally {
                    if (run.isTimeOutBeingRecorded()) {
                        // Its failure is still on its way to the provider on a timeout thread, while this thread goes
                        // on: close() must wait for it too, or it closed the provider under it.
                        recordingTimeOuts.removeIf(AttemptRun::isSettled);
                        recordingTimeOuts.add(run);
                    }
                    handler.current = null;
                    run.detachThread();
                }
                if (!handler.takesNext) {
                    break;
                }
                ReceivedJob taken = run.takeNextJob();
                if (taken == null) {
                    taken = next(queue, handler);
                }
                if (taken == null) {
                    handler.giveBackReserved();
                }
                run = taken != null ? hold(handler, queue, taken) : null;
                handler.endTake();
            }
        } finally {
            AttemptRun.clearLogContext();
            handler.giveBackReserved();
            handler.endTake();
            handlers.remove(handler);
            handler.end();
            if (stopping) {
                signalRunEnded();
            }
        }
    }

    /**
     * Makes {@code job} its thread's attempt, visible to {@link #close()} before the thread may start
     * it, and hands it back unstarted if the worker began stopping meanwhile. The attempt stays
     * {@linkplain AttemptRun#releaseUnstarted() unstarted} until its thread claims it just before the
     * handler: whichever of that claim and a release by close() comes first wins, so a job is either
     * started or handed back, never both. Publishing first and reading {@code stopping} after (close()
     * does the reverse) means close() either sees the attempt or this thread sees the shutdown.
     */
    private AttemptRun hold(HandlerThread handler, QueueBinding queue, ReceivedJob job) {
        var run = new AttemptRun(queue, job, env, handler.handlerReturned, handler.mayTakeNext, attemptSide);
        handler.current = run;
        handler.reserved = false;
        if (stopping) {
            run.releaseUnstarted();
        }
        return run;
    }

    /**
     * One handler thread: the attempt it runs, and its permit. The permit is handed back early, once
     * the handler returned, if fewer than twice {@code concurrency} threads are settling already;
     * otherwise, and on providers that receive in-process (their settling costs no round trip, and the
     * thread goes on to the next job), when the thread ends. The permit is used by its own thread only.
     */
    private final class HandlerThread extends AttemptRun.NextJobTaker {
        static final Runnable KEEP = () -> { };
        /** The attempt the thread runs (unstarted, its handler running or its outcome settling). */
        volatile @Nullable AttemptRun current;
        /**
         * True while the thread leases its next job and until that job is its {@link #current} attempt:
         * close() waits for that before it looks for unstarted attempts, so none is in a thread's hands
         * where it cannot see it.
         */
        volatile boolean taking;
        /** Whether the thread takes the next job itself (a provider that receives in-process). */
        final boolean takesNext;
        /** Its attempts' hooks, made once per thread rather than once per job. */
        final Runnable handlerReturned;
        final AttemptRun.@Nullable NextJobTaker mayTakeNext;
        private final int tier;
        private boolean handedBack;
        /**
         * Whether the thread holds one receive of the {@link #budget} it has not used yet: taken for the
         * receive with an acknowledgement, kept for the receive on its own that may follow, used by the
         * job it gets, else given back. Read and written on the thread's own side only.
         */
        boolean reserved;

        HandlerThread(int tier, boolean takesNext) {
            this.tier = tier;
            this.takesNext = takesNext;
            this.handlerReturned = takesNext ? KEEP : this::handBackEarly;
            this.mayTakeNext = takesNext ? this : null;
        }

        /** {@link #beginTake()}, asked by a successful attempt of this thread's ({@link AttemptRun.NextJobTaker}). */
        @Override
        public boolean getAsBoolean() {
            return beginTake();
        }

        /**
         * Whether the thread may lease its next job: not once the worker stops, nor while a queue
         * listed earlier waits for a permit. If so, it is {@linkplain #taking taking} until
         * {@link #endTake()}. Asked before each receive, including the one a successful attempt makes
         * with its acknowledgement.
         */
        boolean beginTake() {
            taking = true;
            if (stopping || permits.anyWaitingBefore(tier) || budget != null && !reserve()) {
                endTake();
                return false;
            }
            return true;
        }

        private boolean reserve() {
            if (!reserved) {
                reserved = budget.take(1) == 1;
            }
            return reserved;
        }

        void giveBackReserved() {
            if (reserved) {
                reserved = false;
                budget.giveBack(1);
            }
        }

        void endTake() {
            if (taking) {
                taking = false;
                if (stopping) {
                    signalRunEnded();
                }
            }
        }

        void handBackEarly() {
            if (!handedBack && settling.tryAcquire()) {
                handedBack = true;
                permits.release(1);
            }
        }

        void end() {
            if (handedBack) {
                settling.release();
            } else {
                permits.release(1);
            }
        }
    }

    /**
     * The next job for a handler thread that keeps its permit, or null to hand the permit back. The
     * first-listed queue's threads wait for it up to {@link #NEXT_JOB_WAIT} (no queue is served
     * before theirs, so their permits keep no one waiting); the others take only a job that is there.
     * The thread is {@linkplain HandlerThread#taking taking} from here until the job is its attempt.
     */
    private @Nullable ReceivedJob next(QueueBinding queue, HandlerThread handler) {
        if (!handler.beginTake()) {
            return null;
        }
        try {
            List<ReceivedJob> jobs = queue.provider().receive(1, handler.tier == 0 ? NEXT_JOB_WAIT : Duration.ZERO);
            if (jobs.size() > 1) { // a provider's bug: rare
                AttemptRun.clearLogContext(); // its ERROR is no line of the thread's previous job, named there before
                for (int i = 1; i < jobs.size(); i++) {
                    PollLoop.handBackExtra(queue, jobs, i, 1, 1);
                }
            }
            return jobs.isEmpty() ? null : jobs.get(0);
        } catch (Throwable e) { // a provider's Error too: the thread still gives its permit back
            AttemptRun.clearLogContext();
            // loggableOrNull: an OutOfMemoryError that reading e threw (handed on by LoggableThrowables) ended the
            // thread with its permit taken, and the queue was served no more
            Throwable logged = FailurePolicy.loggableOrNull(e);
            log.debug("receiving the next job of queue '{}' on a handler thread failed{}; the poll loop goes on",
                    queue.shownName(), logged == null ? ": " + e.getClass().getName() : "", logged);
            return null;
        }
    }

    /** The attempts the handler threads run now: handlers running, or outcomes being settled. */
    private List<AttemptRun> runs() {
        var runs = new ArrayList<AttemptRun>(handlers.size());
        for (HandlerThread handler : handlers) {
            AttemptRun run = handler.current;
            if (run != null) {
                runs.add(run);
            }
        }
        return runs;
    }

    /**
     * The attempts the watchdog looks at: the handler threads' ({@link #runs}), and the timed-out ones whose handler
     * returned while their failure is still being recorded: one whose record asks a backoff that blocks holds its
     * lease meanwhile ({@link AttemptRun#holdsLease}), and its heartbeats must go on. Those found settled are let go
     * here, once a sweep: they were let go only when the next such timeout was added, and a worker where one happened
     * once kept that attempt (its job's payload, its handler's context) for as long as it lived.
     */
    private List<AttemptRun> watchedRuns() {
        List<AttemptRun> runs = runs();
        if (!recordingTimeOuts.isEmpty()) {
            for (Iterator<AttemptRun> recording = recordingTimeOuts.iterator(); recording.hasNext(); ) {
                AttemptRun run = recording.next();
                if (run.isSettled()) {
                    recording.remove();
                } else {
                    runs.add(run);
                }
            }
        }
        return runs;
    }

    /**
     * True when {@code candidate} is a thread of this worker running an attempt: its handler, or a listener of
     * that attempt's events, on its handler's thread, on the thread recording its timeout or on the one releasing
     * it at shutdown. {@link #close()} on such a thread would wait for itself.
     */
    public boolean runsAttemptOn(Thread candidate) {
        if (watchdog.recordsTimeOutOn(candidate) || releasing.contains(candidate)) {
            return true;
        }
        for (HandlerThread handler : handlers) {
            AttemptRun run = handler.current;
            if (run != null && run.runsOn(candidate)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code candidate} is one of this worker's poll loops: a listener of an event its provider announces
     * as it receives (SQS: a message it cannot read, dead-lettered there) runs on it. {@link #close()} on such a
     * thread would interrupt and wait for itself.
     */
    public boolean pollsOn(Thread candidate) {
        lock.lock();
        try {
            return loopThreads.contains(candidate);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The jobs this worker received under its {@code maxJobs} and ended with an outcome (completed, failed or
     * dead), each counted before its event is announced; a message its provider ended on its own is not one. 0
     * without a limit.
     */
    public long jobsEnded() {
        return jobsEnded.get();
    }

    /**
     * Attempts whose handler is still running (settled or not: a timed-out handler that ignores the interrupt
     * counts). Not one whose handler returned and whose outcome is on its way to the provider or its listeners:
     * {@code jobq run --max-jobs} reads this on the last job's {@code Completed}, which said "1 running job".
     */
    public int activeHandlers() {
        int active = 0;
        for (AttemptRun run : runs()) {
            if (run.isHandlerActive()) {
                active++;
            }
        }
        return active;
    }

    /**
     * Handlers still running after their attempt timed out (they ignore the interrupt): each keeps its
     * permit until it returns, so once they hold all of them the worker runs nothing. Counted from the timeout on
     * ({@link AttemptRun#isOverdue()}), not from the {@link Watchdog#OVERDUE_WARNING} its WARN waits: a handler that
     * stops at the interrupt counts for the moment it takes to return.
     */
    public int overdueHandlers() {
        int overdue = 0;
        for (AttemptRun run : runs()) {
            if (run.isOverdue()) {
                overdue++;
            }
        }
        return overdue;
    }

    /**
     * Receives from {@code queue} failing since some time, until one begun after the first failure works; empty
     * while they work, and for a queue this worker does not serve.
     */
    public Optional<ReceiveOutage> receiveOutage(String queue) {
        ReceiveFailures failures = receiveFailures.get(queue);
        return failures == null ? Optional.empty() : failures.outage();
    }

    public int concurrency() {
        return settings.concurrency();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        if (!started) {
            watchdog.close();
            return;
        }
        stopping = true;
        // An interrupt the caller's thread had before close() is the caller's (restored after catching an
        // InterruptedException, then close() in a finally block): every wait below returned at once on it, so running
        // handlers were cancelled instead of drained, and the provider closed under their releases. It is set again
        // when close() returns. One that comes while close() runs cuts the drain short (the handlers are cancelled and
        // released at once, as ExecutorService.close() stops its tasks); the bounded waits for the poll loops and the
        // releases still run.
        boolean interruptedBefore = Thread.interrupted();
        try {
            drain();
        } finally {
            if (interruptedBefore || interruptedWhileClosing) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** close() once it has begun stopping: see {@link #close()}. */
    private void drain() {
        loops.forEach(PollLoop::stop);
        loopThreads.forEach(Thread::interrupt);
        joinLoops();
        // Counted in shutdownTimeout: a thread is also "taking" while it announces its last job's outcome (the next job
        // is leased with the acknowledgement, before Completed), and a listener slow there held close() 5 s past it.
        long takesBegan = System.nanoTime();
        awaitTakesEnded(Math.min(LOOP_EXIT_WAIT.toNanos(),
                Math.max(settings.shutdownTimeout().toNanos(), LEAST_TAKE_WAIT.toNanos())));
        Duration handlersTimeout = settings.shutdownTimeout().minusNanos(System.nanoTime() - takesBegan);
        List<AttemptRun> unstarted = new ArrayList<>();
        for (AttemptRun run : runs()) {
            if (run.claimUnstarted()) {
                unstarted.add(run);
            }
        }
        releaseAll(unstarted, AttemptRun::handBackUnstarted, "jobs received but not started");
        boolean drained = awaitRunsSettled(handlersTimeout);
        Map<String, Integer> released = new HashMap<>();
        if (!drained) {
            // Shared with the releases below, which it runs beside: close() takes no longer than before.
            long recordDeadline = System.nanoTime() + RELEASE_WAIT.toNanos();
            List<AttemptRun> cancelled = new ArrayList<>();
            List<AttemptRun> exiting = new ArrayList<>();
            for (AttemptRun run : runs()) {
                // Read before the cancel, whose interrupt could move the thread on.
                boolean exitingTheJvm = run.isExitingTheJvm();
                if (!run.cancelForShutdown()) {
                    continue;
                }
                if (exitingTheJvm) {
                    exiting.add(run);
                } else {
                    cancelled.add(run);
                    released.merge(run.queueName(), 1, Integer::sum);
                }
            }
            long cancelledAt = System.nanoTime(); // their return is waited for beside the releases, not after them
            if (!exiting.isEmpty()) {
                log.warn("jobq worker: {} handler(s) called System.exit and stopped the JVM under their job; "
                        + "each such attempt counts as failed, so the job is dead-lettered after its attempts",
                        exiting.size());
                releaseAll(exiting, AttemptRun::failExitingTheJvm, "jobs whose handler called System.exit");
            }
            releaseAll(cancelled, AttemptRun::releaseCancelled, "unfinished jobs");
            awaitTimeOutsRecorded(recordDeadline);
            warnOfHandlersRunningOn(cancelled, cancelledAt + CANCELLED_RETURN_WAIT.toNanos());
            for (AttemptRun run : runs()) {
                if (!run.isSettled()) {
                    cutAtShutdown.add(run);
                }
            }
            for (AttemptRun run : recordingTimeOuts) {
                if (!run.isSettled()) {
                    cutAtShutdown.add(run);
                }
            }
            String cut = cutAtShutdown.isEmpty() ? "" : "; " + cutAtShutdown.size() + " attempt(s) still being settled "
                    + "with the provider (an acknowledgement, a failure or a release on its way) are cut as it closes: "
                    + "unless it took them, those jobs are delivered again when their leases end (handlers must be "
                    + "idempotent)";
            int count = released.values().stream().mapToInt(i -> i).sum();
            if (count > 0) {
                log.warn("jobq worker: shutdownTimeout {} passed with handlers still running; released {} unfinished "
                        + "job(s) for redelivery{}", DurationFormat.format(settings.shutdownTimeout()), count, cut);
            } else if (exiting.isEmpty()) {
                // E.g. only acknowledgements still in flight: nothing was left to release.
                log.warn("jobq worker: shutdownTimeout {} passed before every attempt was settled with the provider; "
                        + "no unfinished job was left to release{}", DurationFormat.format(settings.shutdownTimeout()),
                        cut);
            } else if (!cut.isEmpty()) {
                log.warn("jobq worker: shutdownTimeout {} passed{}", DurationFormat.format(settings.shutdownTimeout()),
                        cut);
            }
        }
        if (drained) {
            // those running on past a timeout or a lost lease, settled already
            warnOfHandlersRunningOn(List.of(), System.nanoTime() + CANCELLED_RETURN_WAIT.toNanos());
        }
        watchdog.close();
        for (QueueBinding queue : queues) {
            env.events().publish(new JobEvent.WorkerStopped(env.clock().instant(), queue.name(),
                    released.getOrDefault(queue.name(), 0)));
        }
        log.info("jobq worker stopped");
    }

    /**
     * Waits until {@code deadline} (System.nanoTime) for the handlers of the attempts cancelled at shutdown, and of
     * those a timeout or a lost lease settled without them, to return on their interrupt, and names those that have
     * not in one WARN: close() returns past them, their threads running on in this process (the application's resources
     * closing under them) beside their jobs' next deliveries. It said only that their jobs were released, and nothing
     * of a handler running on past its timeout: its attempt was settled, so close() found nothing to wait for.
     */
    private void warnOfHandlersRunningOn(List<AttemptRun> cancelledAtShutdown, long deadline) {
        List<AttemptRun> cancelled = new ArrayList<>(cancelledAtShutdown);
        for (AttemptRun run : runs()) {
            if (run.runsOnPastItsEnd()) {
                cancelled.add(run);
            }
        }
        if (cancelled.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            while (cancelled.stream().anyMatch(AttemptRun::isOnItsThread)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    runEnded.awaitNanos(Math.min(left, Watchdog.TICK.toNanos()));
                } catch (InterruptedException e) {
                    interruptedWhileClosing = true; // bounded: go on waiting
                }
            }
        } finally {
            lock.unlock();
        }
        List<String> running = new ArrayList<>();
        for (AttemptRun run : cancelled) {
            String described = run.stillRunningOnItsThread();
            if (described != null) {
                running.add(described);
            }
        }
        if (!running.isEmpty()) {
            int shown = Math.min(running.size(), 10);
            log.warn("jobq worker: {} handler(s) still run, ignoring the interrupt, after their attempts ended without "
                    + "them: {}{}; close() does not wait for them: their threads run on in this process until they "
                    + "return, what they do then is discarded, and their jobs may run again elsewhere meanwhile: have "
                    + "handlers stop when interrupted, or call ctx.throwIfCancelled() between steps", running.size(),
                    String.join("; ", running.subList(0, shown)),
                    running.size() > shown ? "; and " + (running.size() - shown) + " more" : "");
        }
    }

    /**
     * Hands the jobs of attempts taken back at shutdown (received but not started, or cancelled once
     * shutdownTimeout passed) to their providers side by side, and waits at most {@link #RELEASE_WAIT}
     * for them: a provider that does not answer (SQS out of reach, where the SDK tries each call for
     * minutes) must not hold close() past what shutdownTimeout promises. A job whose release has not
     * returned by then comes back when its lease ends.
     */
    private void releaseAll(List<AttemptRun> runs, Consumer<AttemptRun> release, String what) {
        List<Thread> threads = new ArrayList<>();
        for (AttemptRun run : runs) {
            Thread thread = releases.newThread(() -> {
                try {
                    release.accept(run);
                } finally {
                    releasing.remove(Thread.currentThread());
                }
            });
            releasing.add(thread);
            thread.start();
            threads.add(thread);
        }
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        int unanswered = 0;
        for (Thread thread : threads) {
            if (!joinUntil(thread, deadline)) {
                unanswered++;
            }
        }
        if (unanswered > 0) {
            log.warn("jobq worker: {} of {} release(s) of {} got no answer from the provider within {}; "
                    + "those jobs come back when their leases end", unanswered, threads.size(), what,
                    DurationFormat.format(RELEASE_WAIT));
        }
    }

    /**
     * Once shutdownTimeout passed, waits until {@code deadline} (System.nanoTime) for the timed-out attempts whose
     * failure is still on its way to the provider, as for the releases of the cancelled ones: the cancel above skips
     * them (their timeout settles them), and the provider was closed under their {@code fail()} (on SQS the retry or
     * the dead-letter copy was lost, and the job came back after its lease). A timeout that fired after the wait for
     * the attempts ended, just before their cancel, is one of them.
     */
    private void awaitTimeOutsRecorded(long deadline) {
        lock.lock();
        try {
            while (true) {
                long recording = runs().stream().filter(AttemptRun::isTimeOutBeingRecorded).count()
                        + recordingTimeOuts.stream().filter(AttemptRun::isTimeOutBeingRecorded).count();
                if (recording == 0) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("jobq worker: {} timed-out attempt(s) still had their failure on its way to the provider "
                            + "{} after the wait for running handlers ended; the provider is closed under them, and "
                            + "their jobs come back when their leases end", recording,
                            DurationFormat.format(RELEASE_WAIT));
                    return;
                }
                try {
                    runEnded.awaitNanos(Math.min(left, Watchdog.TICK.toNanos()));
                } catch (InterruptedException e) {
                    interruptedWhileClosing = true; // bounded, as the releases' wait: go on waiting
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void joinLoops() {
        long deadline = System.nanoTime() + LOOP_EXIT_WAIT.toNanos();
        for (Thread thread : loopThreads) {
            if (!joinUntil(thread, deadline)) {
                log.warn("poll loop {} did not stop within {}; its provider ignores interrupts", thread.getName(),
                        DurationFormat.format(LOOP_EXIT_WAIT));
            }
        }
    }

    /**
     * Waits for {@code thread} to end until {@code deadline} (System.nanoTime), whatever interrupts close()'s thread:
     * these waits are bounded, and what they wait for (a release on the wire) must end before the provider is closed.
     * An interrupt is remembered, cuts the drain short and is set again when close() returns. True if it ended.
     */
    private boolean joinUntil(Thread thread, long deadline) {
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return thread.join(Duration.ofNanos(Math.max(0, left)));
            } catch (InterruptedException e) {
                interruptedWhileClosing = true;
            }
        }
    }

    /**
     * Waits until no handler thread is between leasing its next job and making it its attempt, so that
     * every job a thread holds is visible to the release of unstarted attempts that follows; at most
     * {@code nanos}. A take is one in-process receive of at most {@link #NEXT_JOB_WAIT}, and the outcome of
     * the job before it, announced after the receive; should one hang anyway (a listener slow on that
     * outcome), the thread still sees the shutdown once it holds its job and hands it back unstarted (see
     * {@link #hold}).
     */
    private void awaitTakesEnded(long nanos) {
        long deadline = System.nanoTime() + nanos;
        lock.lock();
        try {
            while (handlers.stream().anyMatch(handler -> handler.taking)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("a handler thread was still receiving its next job, or announcing its last job's outcome "
                            + "to a listener, {} after the worker began stopping; it hands that job back unstarted when "
                            + "it gets to it", DurationFormat.format(Duration.ofNanos(nanos)));
                    return;
                }
                try {
                    runEnded.awaitNanos(Math.min(left, Watchdog.TICK.toNanos()));
                } catch (InterruptedException e) {
                    interruptedWhileClosing = true; // bounded, and a take in hand must still be seen: wait on
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every attempt is settled — its outcome acknowledged, failed or released with the
     * provider and announced — not only returned from its handler, so the provider is not closed under
     * an acknowledgement in flight; false if the timeout passed first.
     */
    private boolean awaitRunsSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            // Re-checked at least every few ticks: a timed-out attempt stops running without its thread ending.
            while (runs().stream().anyMatch(run -> !run.isSettled())
                    || recordingTimeOuts.stream().anyMatch(run -> !run.isSettled())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || interruptedWhileClosing) {
                    return false; // an interrupt while close() runs: cancel the rest now
                }
                runEnded.awaitNanos(Math.min(left, Watchdog.TICK.toNanos() * 5));
            }
            return true;
        } catch (InterruptedException e) {
            interruptedWhileClosing = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void signalRunEnded() {
        lock.lock();
        try {
            runEnded.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

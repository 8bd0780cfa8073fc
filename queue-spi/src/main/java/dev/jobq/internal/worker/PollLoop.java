package dev.jobq.internal.worker;

import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives jobs of one queue as long as the worker runs: takes whatever permits are free, asks the
 * provider for that many jobs (waiting up to {@code pollInterval}), returns the permits it did not
 * use and launches the rest. A provider error is retried with a growing pause (up to 30 s), so an
 * outage never becomes a hot loop, and logged through the queue's {@link ReceiveFailures}, which its
 * loops share, so that an outage is logged once per queue.
 *
 * <p>On a provider that fetches jobs in batches over the network
 * ({@link dev.jobq.spi.Capabilities#receiveBatch()} above 1), while a backlog lasts (the last
 * receive brought all it asked for) the loop waits up to {@link #GATHER_WAIT} for a batch's worth
 * of permits before it receives: handlers finish one by one, and receiving for each as it frees
 * its permit would cost a round trip for every job or two. On such providers a loop asks for one
 * batch at most, and the worker runs a loop per batch's worth of concurrency.
 *
 * <p>A receive holds its permits for as long as it waits. So when the worker serves several queues,
 * a loop whose queue was empty at its last receive waits for the next job with one permit, not all
 * the free ones: the first-listed queue's loop, idle, took every permit for its whole wait, gave
 * them back only to take them again at once, and the later queues starved behind an empty one.
 * As soon as a receive brings a job, the loop asks for all the free permits again.
 *
 * <p>With fewer permits than queues that is not enough: the earlier queues' loops, each holding or
 * waiting for a permit, would leave none for the last ones, which never ran. So then no receive
 * waits: a loop takes whatever is there, and when its queue is empty it pauses {@code pollInterval}
 * without a permit before it looks again, letting the other queues look in the meantime.
 */
final class PollLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    /** The pause after a loop's first failed receive; doubled after each further one, up to 30 s. */
    static final Duration FIRST_ERROR_PAUSE = Duration.ofMillis(100);
    private static final Duration MAX_ERROR_PAUSE = Duration.ofSeconds(30);
    /** The longest the loop waits for a batch's worth of permits while a backlog lasts. */
    static final Duration GATHER_WAIT = Duration.ofMillis(10);
    /**
     * How long past its wait a receive may take, when the worker serves several queues, before the permits it
     * holds go to the other queues ({@link #giveBackIfOverdue}).
     */
    static final Duration OVERDUE_AFTER = Duration.ofSeconds(5);

    private final QueueBinding queue;
    private final int tier;
    private final PermitPool permits;
    private final Duration pollInterval;
    private final Launcher launcher;
    private final int gatherTarget;
    /** A batch on providers that receive in batches (the other loops of the queue take the rest); else all. */
    private final int maxPerReceive;
    private final long gatherNanos;
    /** Fewer permits than queues: receives do not wait, and an empty queue is looked at every pollInterval. */
    private final boolean fewerPermitsThanQueues;
    /** The queue's failed receives, shared with its other loops. */
    private final ReceiveFailures failures;
    /** The worker's {@code --max-jobs} budget, shared with its other loops and handler threads; null without one. */
    private final @Nullable ReceiveBudget budget;
    private volatile boolean stopping;
    /**
     * The receive under way, null between two: its permits, which {@link #giveBackIfOverdue} takes once it is
     * overdue. One record per receive, so that a sweep that read a receive's deadline just before it returned takes
     * nothing from the next one.
     */
    private final AtomicReference<@Nullable Receive> underWay = new AtomicReference<>();
    /** The permit the worker gave the loop to look with first ({@link #startWith}); 0 without. */
    private int firstPermit;
    /** The permit the loop holds between two looks (its first, or one kept from its last look); its thread's only. */
    private int kept;
    /** The receives of its queue's loops that brought jobs, when the queue has several loops ({@link #shareLooks}). */
    private @Nullable QueueSpells spells;
    /** A second or later loop of its queue: it waits, holding no permit, while its queue is empty. */
    private boolean helper;
    /** Its ticket once its last try found no receive left and waited (it may take those held for waiters); else 0. */
    private long budgetTicket;
    /** The share of every receive without a {@link #budget}: always 0, so that such a receive allocates no counter. */
    private final AtomicInteger noShare = new AtomicInteger();

    /**
     * Starts a received job on a handler thread that owns one of the loop's permits. When it throws, no thread took
     * the job or the permit.
     */
    @FunctionalInterface
    interface Launcher {
        void launch(QueueBinding queue, int tier, ReceivedJob job);
    }

    PollLoop(QueueBinding queue, int tier, PermitPool permits, Duration pollInterval, Launcher launcher) {
        this(queue, tier, permits, pollInterval, launcher, new ReceiveFailures(queue.name()), null);
    }

    PollLoop(QueueBinding queue, int tier, PermitPool permits, Duration pollInterval, Launcher launcher,
             ReceiveFailures failures) {
        this(queue, tier, permits, pollInterval, launcher, failures, null);
    }

    PollLoop(QueueBinding queue, int tier, PermitPool permits, Duration pollInterval, Launcher launcher,
             ReceiveFailures failures, @Nullable ReceiveBudget budget) {
        this(queue, tier, permits, pollInterval, launcher, failures, GATHER_WAIT, budget);
    }

    PollLoop(QueueBinding queue, int tier, PermitPool permits, Duration pollInterval, Launcher launcher,
             Duration gatherWait) {
        this(queue, tier, permits, pollInterval, launcher, new ReceiveFailures(queue.name()), gatherWait, null);
    }

    private PollLoop(QueueBinding queue, int tier, PermitPool permits, Duration pollInterval, Launcher launcher,
                     ReceiveFailures failures, Duration gatherWait, @Nullable ReceiveBudget budget) {
        this.queue = queue;
        this.budget = budget;
        this.failures = failures;
        this.tier = tier;
        this.permits = permits;
        this.pollInterval = pollInterval;
        this.launcher = launcher;
        int batch = queue.provider().capabilities().receiveBatch();
        this.gatherTarget = Math.min(permits.total(), batch);
        this.maxPerReceive = batch > 1 ? batch : Integer.MAX_VALUE;
        this.gatherNanos = Math.min(gatherWait.toNanos(), pollInterval.toNanos());
        this.fewerPermitsThanQueues = permits.total() < permits.tiers();
    }

    void stop() {
        stopping = true;
    }

    /**
     * Gives the permits of a receive that has not returned {@link #OVERDUE_AFTER} after its wait back to the pool,
     * when the worker serves several queues; the worker's watchdog calls it every tick. A provider that stops
     * answering (an SQS endpoint that takes the request and says nothing: the SDK waits out {@code requestTimeout}
     * four times, about 40 s by default) held every permit its receive took, which after a busy spell is all of
     * them, and the other queues ran nothing meanwhile. Its share of the {@code --max-jobs} budget goes back with
     * them: kept, the other queues ran all but that share of the limit and then waited for the receive to return
     * (for good, if it never did), and the worker did not stop. When the receive returns, the loop takes back what
     * is free then, of permits and of the budget, and hands back unstarted the jobs it has none for.
     */
    void giveBackIfOverdue(long now) {
        Receive receive = underWay.get();
        if (receive == null || permits.tiers() == 1 || now - receive.overdueAt() < 0) {
            return;
        }
        giveBack(receive.share().getAndSet(0));
        int held = receive.held().getAndSet(0);
        if (held > 0) {
            permits.release(held);
            failures.overdue(held, OVERDUE_AFTER);
        }
    }

    /**
     * Hands the loop, before its thread starts, the permit it looks with first: the worker gives one to each queue's
     * loop in listed order, so that a later queue's loop, started first, cannot take every permit for its backlog.
     */
    void startWith(int permit) {
        this.firstPermit = permit;
    }

    /**
     * Makes this loop one of a queue's several loops (a provider that receives in batches runs one per batch's
     * worth of concurrency), when the worker serves several queues, with at least a permit each: a loop after the
     * queue's first ({@code helper}) that finds its queue empty waits, holding no permit, until a loop of its queue
     * brings jobs, and the first loop alone looks at the empty queue meanwhile. Each idle loop holding a permit to
     * look with, the loops could outnumber the permits (concurrency 11 over 7 queues: 2 loops a queue, 14 loops),
     * and the loops of the first queues, keeping their permits and waiting for more, left the last queues none:
     * their jobs never ran.
     */
    void shareLooks(QueueSpells spells, boolean helper) {
        this.spells = spells;
        this.helper = helper;
    }

    /** How many receives of one queue's loops brought jobs; a helping loop that found its queue empty waits for more. */
    static final class QueueSpells {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition brought = lock.newCondition();
        private long count;

        long count() {
            lock.lock();
            try {
                return count;
            } finally {
                lock.unlock();
            }
        }

        void brought() {
            lock.lock();
            try {
                count++;
                brought.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until a receive brought jobs after {@code seen} receives had; interrupted when the worker stops. */
        void awaitMoreThan(long seen) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (count <= seen) {
                    brought.await();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Serves the queue until the worker stops it. The loop returns from {@link #serve} on an interrupt, which the worker
     * sends only after {@link #stop}: one while it is not stopping came from code run on its thread (a listener the
     * provider calls there as it receives, of a message it could not read and dead-lettered), and ended the loop as a
     * stop did, so the queue was served no more while the worker ran on, and nothing said so. It is logged and taken
     * back, and the loop goes on.
     */
    @Override
    public void run() {
        kept = firstPermit;
        try {
            serve();
            boolean warned = false;
            while (!stopping) {
                Thread.interrupted(); // the worker's own interrupt follows stop(): this one is not it
                if (!warned) {
                    log.warn("jobq worker: the poll loop of queue '{}' was interrupted by code run on its thread (a "
                            + "listener of an event its provider announces as it receives, such as a message it could "
                            + "not read and dead-lettered), not by the worker stopping; it goes on receiving. A "
                            + "listener must not interrupt the thread it is called on", queue.shownName());
                    warned = true;
                } else {
                    log.debug("jobq worker: the poll loop of queue '{}' was interrupted again by code on its thread; "
                            + "it goes on receiving", queue.shownName());
                }
                serve();
            }
        } finally {
            // What it keeps when it ends, however it ends: the first permit, once used, was released a second time
            // when a Throwable ended the loop (concurrency + 1, or "released more permits than were taken").
            permits.release(kept);
            kept = 0;
        }
    }

    /**
     * The loop; {@link #kept} is the permit it keeps for its next look when it ends there.
     *
     * <p>With several queues, a loop whose queue was empty keeps its one permit for its next look, unless a queue
     * listed before it waits for one: handing it back between two looks let a later queue's backlog take it, and
     * once that queue's slow handlers held every permit, a job on the earlier, quiet queue waited until one of them
     * returned.
     */
    private void serve() {
        Duration errorPause = FIRST_ERROR_PAUSE;
        boolean backlog = false;
        boolean idle = true;
        while (!stopping) {
            int granted;
            if (kept > 0) {
                granted = kept;
                kept = 0;
            } else {
                try {
                    granted = permits.acquireUpTo(idle && permits.tiers() > 1 ? 1 : maxPerReceive, tier);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (backlog && granted < gatherTarget) {
                try {
                    granted += permits.gather(gatherTarget - granted, tier, gatherNanos);
                } catch (InterruptedException e) {
                    permits.release(granted);
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (budget != null) {
                int allowed = budgetTicket > 0 ? budget.takeAfterWait(granted, budgetTicket) : budget.take(granted);
                budgetTicket = 0;
                permits.release(granted - allowed);
                granted = allowed;
                if (granted == 0) {
                    try {
                        budgetTicket = budget.awaitLeft();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
            }
            List<ReceivedJob> jobs;
            long spellsSeen = spells != null ? spells.count() : 0;
            long started = System.nanoTime();
            Duration wait = fewerPermitsThanQueues ? Duration.ZERO : pollInterval;
            var receive = new Receive(new AtomicInteger(granted), budget != null ? new AtomicInteger(granted) : noShare,
                    started + wait.toNanos() + OVERDUE_AFTER.toNanos());
            underWay.set(receive);
            try {
                jobs = stopping ? List.of() : queue.provider().receive(granted, wait);
                if (jobs == null) {
                    // A provider's bug, failed as a receive that threw: past here it ended the loop on a
                    // NullPointerException with the receive's permits taken, and the queue was served no more.
                    throw new IllegalStateException("the provider of queue '" + queue.shownName() + "' ("
                            + queue.provider().getClass().getName() + ") returned null from receive(); it must return "
                            + "a list, empty when no job is visible");
                }
                errorPause = FIRST_ERROR_PAUSE;
                failures.succeeded(started);
                failures.returned(started, receive.overdueAt());
            } catch (Throwable e) {
                // Throwable: a provider's Error (or a Throwable that is neither) ended this loop with its permits
                // taken, and the queue was served no more, with nothing in the log.
                underWay.set(null);
                permits.release(receive.held().getAndSet(0));
                giveBack(receive.share().getAndSet(0));
                if (stopping) {
                    return;
                }
                failures.failed(e, errorPause);
                if (!pause(errorPause)) {
                    return;
                }
                errorPause = nextErrorPause(errorPause);
                continue;
            }
            underWay.set(null);
            int held = reclaim(receive, granted, jobs.size());
            int placed = Math.min(held, jobs.size());
            int share = reclaimShare(receive, placed);
            backlog = gatherTarget > 1 && jobs.size() >= granted;
            idle = jobs.isEmpty();
            int used = budget != null ? Math.min(placed, share) : placed;
            int unused = held - used;
            if (idle && unused > 0 && permits.tiers() > 1 && !fewerPermitsThanQueues && !stopping && !helper
                    && !permits.anyWaitingBefore(tier)) {
                kept = 1;
                unused--;
            }
            permits.release(unused);
            if (budget != null) {
                budget.giveBack(share - used, idle);
            }
            for (int i = 0; i < jobs.size(); i++) {
                try {
                    if (i < used) {
                        launcher.launch(queue, tier, jobs.get(i));
                    } else if (i >= granted) {
                        handBackExtra(queue, jobs, i, granted, used);
                    } else if (!droppedAsCopy(queue, jobs, i, used)) {
                        handBackUnplaced(jobs.get(i), i < placed ? "no room left for it under --max-jobs"
                                : "no permit free for it");
                    }
                } catch (RuntimeException e) {
                    skipped(jobs, i, i < used, e);
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (idle && fewerPermitsThanQueues && !pause(pollInterval)) {
                return;
            }
            if (spells != null) {
                if (!idle) {
                    spells.brought();
                } else if (helper && !stopping) {
                    try {
                        spells.awaitMoreThan(spellsSeen);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * The permits the loop holds for the jobs its receive brought: all it took, unless the receive was overdue and
     * {@link #giveBackIfOverdue} gave them to the pool, in which case whatever is free now, up to those it needs.
     */
    private int reclaim(Receive receive, int granted, int brought) {
        int held = receive.held().getAndSet(0);
        int wanted = Math.min(granted, brought) - held;
        if (wanted <= 0) {
            return held;
        }
        try {
            return held + permits.gather(wanted, tier, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return held;
        }
    }

    /**
     * Of the {@code --max-jobs} budget, what the loop holds for the {@code placed} jobs its receive brought and has
     * permits for: its share, unless the receive was overdue and {@link #giveBackIfOverdue} gave it back, in which
     * case whatever is left now, up to those it needs. 0 without a budget.
     */
    private int reclaimShare(Receive receive, int placed) {
        int share = receive.share().getAndSet(0);
        if (budget == null || share >= placed) {
            return share;
        }
        return share + budget.take(placed - share);
    }

    /**
     * A job of a receive that could not be started or handed back: the list the provider returned holds a null (its
     * bug), which threw. A job to start gives back its permit and its share of the {@code --max-jobs} budget, and the
     * loop goes on with the receive's other jobs; thrown on, it ended the loop with that permit and those of the jobs
     * after it taken, and the queue was served no more. A job that throws only: nothing is added to one that starts.
     *
     * @param launched whether the job was to start (it holds a permit), rather than to be handed back
     */
    private void skipped(List<ReceivedJob> jobs, int index, boolean launched, RuntimeException e) {
        if (launched) {
            permits.release(1);
            giveBack(1);
        }
        ReceivedJob job = jobs.get(index);
        if (holdsNull(jobs)) {
            log.error("the provider of queue '{}' ({}) returned a null job from receive(), in a list of {} (index {} "
                    + "failed); it must return a list of jobs without nulls; the receive's other jobs go on, and the "
                    + "queue is still served", queue.shownName(), queue.provider().getClass().getName(), jobs.size(), index);
        } else {
            log.error("job {} of queue '{}' could not be {}; it comes back when its lease ends", idOf(job),
                    queue.shownName(), launched ? "started" : "handed back", FailurePolicy.loggable(e));
        }
    }

    /** Whether {@code jobs} holds a null; not {@code contains(null)}, which a {@code List.of} list throws for. */
    private static boolean holdsNull(List<ReceivedJob> jobs) {
        for (ReceivedJob job : jobs) {
            if (job == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands back a job an overdue receive brought once its permits, or its share of the {@code --max-jobs} budget,
     * had gone to other queues, and none was left for it.
     *
     * @param lacking what it found no more of: {@code no permit free for it}
     */
    private void handBackUnplaced(ReceivedJob job, String lacking) {
        try {
            queue.provider().release(job);
            log.warn("an overdue receive from queue '{}' returned job {} with {}; handed it back", queue.shownName(),
                    idOf(job), lacking);
        } catch (Throwable e) {
            log.error("an overdue receive from queue '{}' returned job {} with {}, and it could not be handed back: "
                    + "it comes back when its lease ends", queue.shownName(), idOf(job), lacking, FailurePolicy.loggable(e));
        }
    }

    /**
     * Hands back a job {@code queue}'s provider brought beyond the {@code asked} ones, with an ERROR: run by no one,
     * it stayed leased, with no heartbeat, until its lease ended. The poll loop's receives, and a handler thread's
     * ({@link Worker}'s receive of its next job, {@link AttemptRun}'s with its acknowledgement). Whatever its release
     * throws is logged and stops here (thrown on, it ended the poll loop: the queue was served no more and the extras
     * after it were never handed back); that job comes back when its lease ends. A copy of one of the first {@code run}
     * jobs, which are run, is not handed back ({@link #droppedAsCopy}). A null (the provider's bug too) is logged and
     * skipped: thrown on, on a handler thread, it left the job the thread had received with it leased and run by no one
     * until its lease ended, with a DEBUG line only, and after an acknowledgement a WARN said that acknowledgement had
     * failed.
     */
    static void handBackExtra(QueueBinding queue, List<ReceivedJob> jobs, int index, int asked, int run) {
        ReceivedJob extra = jobs.get(index);
        if (extra == null) {
            log.error("the provider of queue '{}' ({}) returned a null job from receive() among {} when asked for {}; it "
                    + "must return a list of jobs without nulls; the other jobs go on, and the queue is still served",
                    queue.shownName(), queue.provider().getClass().getName(), jobs.size(), asked);
            return;
        }
        if (droppedAsCopy(queue, jobs, index, run)) {
            return;
        }
        int brought = jobs.size();
        try {
            queue.provider().release(extra);
            log.error("provider of queue '{}' returned {} jobs when asked for {}; handed back job {}", queue.shownName(),
                    brought, asked, idOf(extra));
        } catch (Throwable e) {
            log.error("provider of queue '{}' returned {} jobs when asked for {}; job {} could not be handed back "
                    + "and comes back when its lease ends", queue.shownName(), brought, asked, idOf(extra),
                    FailurePolicy.loggable(e));
        }
    }

    /**
     * True, with an ERROR, when the job at {@code index} of a receive's {@code jobs} is the same delivery as one of the
     * first {@code run}, which are run: a provider's bug. It is then neither run nor handed back: its release handed
     * back the lease that job runs on, and the provider gave the job to its next receiver while it ran here. Looked at
     * only for a job about to be handed back, never for one that is run.
     */
    static boolean droppedAsCopy(QueueBinding queue, List<ReceivedJob> jobs, int index, int run) {
        ReceivedJob job = jobs.get(index);
        for (int i = 0; i < run; i++) {
            ReceivedJob held = jobs.get(i);
            if (held == null) {
                // A null where a job to run goes (the provider's bug, logged where it is launched): read, it threw, and
                // the job here was neither handed back nor run until its lease ended.
                continue;
            }
            if (held == job || held.receipt().equals(job.receipt()) && held.jobId().equals(job.jobId())) {
                log.error("provider of queue '{}' returned job {} twice in one receive (the same receipt); it runs "
                        + "once, and the copy is not handed back, which would hand back the lease it runs on",
                        queue.shownName(), idOf(job));
                return true;
            }
        }
        return false;
    }

    /**
     * A job's id, escaped, for a line about that job: jobq makes ids without control characters, but a scheduler row's
     * id changed by hand is handed on to a memory queue as it is, and a newline in it started a forged line of the
     * loop's own. On the failure path only.
     */
    private static String idOf(ReceivedJob job) {
        return UntrustedText.escape(job.jobId());
    }

    private void giveBack(int unused) {
        if (budget != null) {
            budget.giveBack(unused);
        }
    }

    /** The pause after the failed receive that follows one paused for {@code pause}. */
    static Duration nextErrorPause(Duration pause) {
        return min(pause.multipliedBy(2), MAX_ERROR_PAUSE);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Waits out a pause after an error or an empty look; false if interrupted (the worker is stopping). */
    private boolean pause(Duration pause) {
        try {
            Thread.sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A receive's permits and its share of the {@code --max-jobs} budget (0 without one), each taken by the loop when
     * it returns or by the watchdog once it is overdue.
     */
    private record Receive(AtomicInteger held, AtomicInteger share, long overdueAt) {
    }
}

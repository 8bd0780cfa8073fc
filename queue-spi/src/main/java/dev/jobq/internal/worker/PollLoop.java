package dev.jobq.internal.worker;

import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.util.List;
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
    private static final Duration MAX_ERROR_PAUSE = Duration.ofSeconds(30);
    /** The longest the loop waits for a batch's worth of permits while a backlog lasts. */
    static final Duration GATHER_WAIT = Duration.ofMillis(10);

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
    /** Its ticket once its last try found no receive left and waited (it may take those held for waiters); else 0. */
    private long budgetTicket;

    /** Starts a received job on a handler thread that owns one of the loop's permits. */
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

    @Override
    public void run() {
        Duration errorPause = Duration.ofMillis(100);
        boolean backlog = false;
        boolean idle = true;
        while (!stopping) {
            int granted;
            try {
                granted = permits.acquireUpTo(idle && permits.tiers() > 1 ? 1 : maxPerReceive, tier);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
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
            long started = System.nanoTime();
            try {
                jobs = stopping ? List.of()
                        : queue.provider().receive(granted, fewerPermitsThanQueues ? Duration.ZERO : pollInterval);
                errorPause = Duration.ofMillis(100);
                failures.succeeded(started);
            } catch (Throwable e) {
                // Throwable: a provider's Error (or a Throwable that is neither) ended this loop with its permits
                // taken, and the queue was served no more, with nothing in the log.
                permits.release(granted);
                giveBack(granted);
                if (stopping) {
                    return;
                }
                failures.failed(e, errorPause);
                if (!pause(errorPause)) {
                    return;
                }
                errorPause = min(errorPause.multipliedBy(2), MAX_ERROR_PAUSE);
                continue;
            }
            backlog = gatherTarget > 1 && jobs.size() >= granted;
            idle = jobs.isEmpty();
            permits.release(granted - Math.min(granted, jobs.size()));
            if (budget != null) {
                budget.giveBack(granted - Math.min(granted, jobs.size()), idle);
            }
            for (int i = 0; i < jobs.size(); i++) {
                if (i < granted) {
                    launcher.launch(queue, tier, jobs.get(i));
                } else {
                    handBackExtra(jobs.get(i), jobs.size(), granted);
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (idle && fewerPermitsThanQueues && !pause(pollInterval)) {
                return;
            }
        }
    }

    /**
     * Hands back a job the provider brought beyond what was asked. Whatever its release throws is logged and
     * stops here (thrown on, it ended this loop: the queue was served no more and the extras after it were never
     * handed back); that job comes back when its lease ends.
     */
    private void handBackExtra(ReceivedJob extra, int brought, int asked) {
        try {
            queue.provider().release(extra);
            log.error("provider of queue '{}' returned {} jobs when asked for {}; handed back job {}", queue.name(),
                    brought, asked, extra.jobId());
        } catch (Throwable e) {
            log.error("provider of queue '{}' returned {} jobs when asked for {}; job {} could not be handed back "
                    + "and comes back when its lease ends", queue.name(), brought, asked, extra.jobId(), e);
        }
    }

    private void giveBack(int unused) {
        if (budget != null) {
            budget.giveBack(unused);
        }
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
}

package dev.jobq.internal.worker;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One thread that looks at the running attempts every {@link #TICK}: times out those past their
 * timeout and sends lease heartbeats for the rest. Provider calls are made on threads of their own
 * so a slow provider never delays a timeout. One sweep for all attempts costs nothing per job, unlike a
 * scheduled task per attempt.
 */
final class Watchdog implements AutoCloseable {

    static final Duration TICK = Duration.ofMillis(20);

    private final Supplier<? extends Iterable<AttemptRun>> running;
    private final ScheduledExecutorService timer;
    /**
     * Platform threads, reused: handlers that compute without blocking hold every carrier thread of
     * the virtual-thread scheduler (one per core) until they return, and a timeout or heartbeat run on
     * a virtual thread waited for them. Two such handlers on two cores ran 2 s past a 500 ms timeout,
     * and their 300 ms leases, never extended, ran out: each job completed, was delivered again and
     * went to the dead letters.
     */
    private final ExecutorService providerCalls = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("jobq-lease-", 0).daemon(true).factory());

    /** @param running the attempts to watch now, as the worker's handler threads run them */
    Watchdog(String name, Supplier<? extends Iterable<AttemptRun>> running) {
        this.running = running;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = Thread.ofPlatform().name("jobq-watchdog-" + name).daemon(true).unstarted(r);
            return t;
        });
    }

    void start() {
        timer.scheduleWithFixedDelay(this::sweep, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (AttemptRun run : running.get()) {
            if (!run.isRunning()) {
                continue;
            }
            if (run.isPastTimeout(now)) {
                providerCalls.execute(run::timeOut);
            } else if (run.isHeartbeatDue(now)) {
                providerCalls.execute(run::heartbeat);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        providerCalls.shutdown(); // the calls under way finish; the threads then end
    }
}

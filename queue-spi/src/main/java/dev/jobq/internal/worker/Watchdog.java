package dev.jobq.internal.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One thread that looks at the running attempts every {@link #TICK}: times out those past their
 * timeout and sends lease heartbeats for the rest. Provider calls are made on threads of their own
 * so a slow provider never delays a timeout. One sweep for all attempts costs nothing per job, unlike a
 * scheduled task per attempt.
 *
 * <p>Heartbeats of a queue run on at most {@link #HEARTBEAT_THREADS} threads of that queue's own: a
 * provider whose heartbeat blocks (SQS batches them: each caller waits for its batch) held a thread
 * per running job, a thousand platform threads at concurrency 1000. A run has one heartbeat at a time
 * ({@link AttemptRun#isHeartbeatDue}), so one waiting for a thread is never queued behind a stale one
 * of its own; a queue whose provider hangs holds its own threads only, not another queue's. Timeouts
 * have threads apart, made as needed, so heartbeats waiting for a hung provider never hold one back.
 */
final class Watchdog implements AutoCloseable {

    static final Duration TICK = Duration.ofMillis(20);
    /**
     * The most threads one queue's heartbeats use at once. As many as the SQS provider's connections:
     * enough for six full batches of ten on the wire, where a hundred heartbeats a second (concurrency
     * 1000, a 30 s lease) need one or two.
     */
    static final int HEARTBEAT_THREADS = 64;

    private final Supplier<? extends Iterable<AttemptRun>> running;
    private final ScheduledExecutorService timer;
    /**
     * Platform threads, reused: handlers that compute without blocking hold every carrier thread of
     * the virtual-thread scheduler (one per core) until they return, and a timeout or heartbeat run on
     * a virtual thread waited for them. Two such handlers on two cores ran 2 s past a 500 ms timeout,
     * and their 300 ms leases, never extended, ran out: each job completed, was delivered again and
     * went to the dead letters. A run times out once, so these are at most one per running job.
     */
    private final ExecutorService timeouts = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("jobq-timeout-", 0).daemon(true).factory());
    /** Each queue's heartbeat threads (platform, as {@link #timeouts}) and how its failures are logged. */
    private final Map<String, Lane> lanes = new HashMap<>();

    /**
     * A queue's heartbeats: handed to at most {@link #HEARTBEAT_THREADS} workers at once, each a thread of a
     * cached pool that takes waiting heartbeats until none is left: idle threads are reused and end after a
     * minute, where a fixed pool of 64 makes a new thread per heartbeat until it holds 64. A provider that
     * blocks holds 64 threads and the rest of the heartbeats wait in line.
     */
    private static final class Lane {
        private final ExecutorService threads;
        private final HeartbeatFailures failures;
        private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
        private final AtomicInteger workers = new AtomicInteger();

        Lane(String queue) {
            this.threads = Executors.newCachedThreadPool(
                    Thread.ofPlatform().name("jobq-lease-" + queue + "-", 0).daemon(true).factory());
            this.failures = new HeartbeatFailures(queue);
        }

        void execute(Runnable heartbeat) {
            waiting.add(heartbeat);
            startWorkerIfNeeded();
        }

        private void startWorkerIfNeeded() {
            while (!waiting.isEmpty()) {
                int running = workers.get();
                if (running >= HEARTBEAT_THREADS) {
                    return; // one of them takes it when it is free
                }
                if (workers.compareAndSet(running, running + 1)) {
                    try {
                        threads.execute(this::work);
                    } catch (RejectedExecutionException closed) {
                        workers.decrementAndGet(); // close() ran: the heartbeats left find their runs ended
                        waiting.clear();
                    }
                    return;
                }
            }
        }

        private void work() {
            try {
                for (Runnable next = waiting.poll(); next != null; next = waiting.poll()) {
                    next.run();
                }
            } finally {
                workers.decrementAndGet();
                startWorkerIfNeeded(); // one added after the last poll, while every worker was still counted
            }
        }

        void close() {
            threads.shutdown();
        }
    }

    /**
     * @param queues  the names of the queues whose attempts it watches
     * @param running the attempts to watch now, as the worker's handler threads run them
     */
    Watchdog(String name, List<String> queues, Supplier<? extends Iterable<AttemptRun>> running) {
        this.running = running;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = Thread.ofPlatform().name("jobq-watchdog-" + name).daemon(true).unstarted(r);
            return t;
        });
        for (String queue : queues) {
            lanes.put(queue, new Lane(queue));
        }
    }

    void start() {
        timer.scheduleWithFixedDelay(this::sweep, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        try {
            for (AttemptRun run : running.get()) {
                if (!run.isRunning()) {
                    continue;
                }
                if (run.isPastTimeout(now)) {
                    timeouts.execute(run::timeOut);
                } else if (run.isHeartbeatDue(now)) {
                    Lane lane = lanes.get(run.queueName());
                    lane.execute(() -> run.heartbeat(lane.failures));
                }
            }
        } catch (RejectedExecutionException closing) {
            // close() shut the threads down while this sweep ran: nothing is watched any more
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        // the calls under way finish, heartbeats still waiting find their run ended; the threads then end
        timeouts.shutdown();
        lanes.values().forEach(Lane::close);
    }
}

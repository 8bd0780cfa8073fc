package dev.jobq.internal.worker;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that looks at the running attempts every {@link #TICK}: times out those past their
 * timeout and sends lease heartbeats for the rest, for the attempts received and not yet started, and for a job
 * leased with an acknowledgement while the acknowledged attempt is still announced ({@link AttemptRun#holdsNextJob}).
 * Provider calls are made on threads of their own so a slow provider never delays a timeout. One sweep for all attempts costs nothing per job, unlike a
 * scheduled task per attempt.
 *
 * <p>Heartbeats of a queue run on at most {@link #HEARTBEAT_THREADS} threads of that queue's own: a
 * provider whose heartbeat blocks (SQS batches them: each caller waits for its batch) held a thread
 * per running job, a thousand platform threads at concurrency 1000. A run has one heartbeat at a time
 * ({@link AttemptRun#isHeartbeatDue}), so one waiting for a thread is never queued behind a stale one
 * of its own; a queue whose provider hangs holds its own threads only, not another queue's.
 *
 * <p>A timeout is never delayed: the sweep itself cancels the attempt (its flag set, its handler
 * interrupted), which calls no provider. Only recording it (the log, {@code Failed} or {@code Dead}, the
 * provider's {@code fail}) is handed to a lane of the queue's own, apart from its heartbeats, so that
 * heartbeats waiting for a hung provider never hold one back. That lane is bounded as theirs is: it was a
 * thread per timeout, made as needed, and a provider hanging in {@code fail()} (a dead-letter queue out of
 * reach) held one per timed-out job. The bound is the SQS provider's connections, which its calls beyond
 * it would wait for anyway; the memory provider's {@code fail} does not block.
 */
final class Watchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    static final Duration TICK = Duration.ofMillis(20);

    /** The longest {@link #close()} waits for the timer's thread to end. */
    private static final Duration TIMER_END = Duration.ofSeconds(1);

    /**
     * The most threads one queue's heartbeats use at once, and the most that record its timeouts. As many
     * as the SQS provider's connections: enough for six full batches of ten on the wire, where a hundred
     * heartbeats a second (concurrency 1000, a 30 s lease) need one or two.
     */
    static final int HEARTBEAT_THREADS = 64;

    /**
     * How long after its timeout an attempt's thread may run on before the watchdog names it in a warning: one that
     * heeds the interrupt returns within moments.
     */
    static final Duration OVERDUE_WARNING = Duration.ofSeconds(5);

    private final Supplier<? extends Iterable<AttemptRun>> running;
    /** Run first in each sweep with its System.nanoTime: the worker's look at receives that do not return. */
    private final LongConsumer eachSweep;
    /** The worker's concurrency, for the warning about a handler running past its timeout. */
    private final int permits;
    private final ScheduledExecutorService timer;
    /** The timer's thread, once it made one: close() waits for it to end, not only for the timer to terminate. */
    private volatile @Nullable Thread timerThread;
    /** Each queue's threads. */
    private final Map<String, QueueThreads> lanes = new HashMap<>();
    /**
     * The threads recording a timeout now: a listener of its {@code Failed} or {@code Dead} runs there, and the
     * worker's close() there waited for the attempt it was announcing (see {@link #recordsTimeOutOn}).
     */
    private final Set<Thread> recording = ConcurrentHashMap.newKeySet();
    /** Sweeps that threw, and when one was last logged at ERROR; the timer's thread's only. */
    private long failedSweeps;
    private long lastSweepWarned;

    /** A queue's heartbeat threads, how their failures are logged, and the threads that record its timeouts. */
    private record QueueThreads(Lane heartbeats, HeartbeatFailures failures, Lane timeouts) {
        QueueThreads(String queue) {
            this(new Lane("jobq-lease-" + UntrustedText.escape(queue) + "-"), new HeartbeatFailures(queue),
                    new Lane("jobq-timeout-" + UntrustedText.escape(queue) + "-"));
        }

        void close() {
            heartbeats.close();
            timeouts.close();
        }
    }

    /**
     * A queue's heartbeats, or its timeouts' records: handed to at most {@link #HEARTBEAT_THREADS} workers at
     * once, each a thread of a cached pool that takes waiting tasks until none is left: idle threads are
     * reused and end after a minute, where a fixed pool of 64 makes a new thread per task until it holds 64.
     * A provider that blocks holds 64 threads and the rest wait in line.
     *
     * <p>Platform threads: handlers that compute without blocking hold every carrier thread of the
     * virtual-thread scheduler (one per core) until they return, and a heartbeat or timeout run on a virtual
     * thread waited for them. Two such handlers on two cores ran 2 s past a 500 ms timeout, and their 300 ms
     * leases, never extended, ran out: each job completed, was delivered again and went to the dead letters.
     */
    private static final class Lane {
        private final ExecutorService threads;
        private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
        private final AtomicInteger workers = new AtomicInteger();

        /** @param threadName the threads' name before their number: {@code jobq-lease-default-} */
        Lane(String threadName) {
            this.threads = Executors.newCachedThreadPool(
                    Thread.ofPlatform().name(threadName, 0).daemon(true).factory());
        }

        void execute(Runnable task) {
            waiting.add(task);
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
                    } catch (Throwable e) {
                        // No thread made (OutOfMemoryError: unable to create native thread): not counted, or after
                        // 64 of them the lane never ran anything again. The task waits for the next one made.
                        workers.decrementAndGet();
                        throw e;
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
     * @param name    its thread's name after {@code jobq-watchdog-}: the names of the queues, joined by commas
     * @param queues  the names of the queues whose attempts it watches
     * @param running the attempts to watch now, as the worker's handler threads run them
     * @param eachSweep run first in each sweep with the sweep's System.nanoTime; quick, never blocking
     * @param permits   the worker's concurrency, which the warning about a handler running past its timeout names
     */
    Watchdog(String name, List<String> queues, Supplier<? extends Iterable<AttemptRun>> running,
             LongConsumer eachSweep, int permits) {
        this.running = running;
        this.eachSweep = eachSweep;
        this.permits = permits;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = Thread.ofPlatform().name("jobq-watchdog-" + UntrustedText.escape(name)).daemon(true)
                    .unstarted(r);
            timerThread = t;
            return t;
        });
        for (String queue : queues) {
            lanes.put(queue, new QueueThreads(queue));
        }
    }

    void start() {
        timer.scheduleWithFixedDelay(this::sweep, TICK.toNanos(), TICK.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        try {
            eachSweep.accept(now);
            for (AttemptRun run : running.get()) {
                if (run.isRunning() && run.isPastTimeout(now)) {
                    if (run.timeOut()) {
                        lanes.get(run.queueName()).timeouts().execute(() -> record(run));
                    }
                } else if (run.holdsLease() && run.isHeartbeatDue(now)) {
                    // running, or received and waiting for its thread: its lease runs from the receive
                    QueueThreads queue = lanes.get(run.queueName());
                    queue.heartbeats().execute(() -> run.heartbeat(queue.failures()));
                } else if (run.holdsNextJob() && run.isHeartbeatDue(now)) {
                    // finished, and the job leased with its acknowledgement waits while its Completed is announced
                    QueueThreads queue = lanes.get(run.queueName());
                    queue.heartbeats().execute(() -> run.heartbeatNextJob(queue.failures()));
                } else {
                    // timed out or its lease lost, its handler ignoring the interrupt: named once, OVERDUE_WARNING
                    // after its timeout
                    run.warnIfOverdue(now, OVERDUE_WARNING.toNanos(), permits);
                }
            }
        } catch (RejectedExecutionException closing) {
            // close() shut the threads down while this sweep ran: nothing is watched any more
        } catch (Throwable e) {
            // Any Throwable, an Error included (a heartbeat's platform thread that cannot be made: OutOfMemoryError
            // "unable to create native thread"): thrown on, it ended the timer's task for good, silently, and no
            // timeout fired and no lease was extended again while the worker ran. The next sweep tries again.
            sweepFailed(now, e);
        }
    }

    private void record(AttemptRun run) {
        Thread current = Thread.currentThread();
        recording.add(current);
        try {
            run.recordTimeOut();
        } finally {
            recording.remove(current);
        }
    }

    /**
     * True while {@code candidate} records a timeout: logs it, announces it (a listener of that attempt's events
     * runs there) and tells the provider. The attempt is settled only once that returns.
     */
    boolean recordsTimeOutOn(Thread candidate) {
        return recording.contains(candidate);
    }

    /** Logs a sweep that threw: at ERROR with its trace, then at most once every {@link ReceiveFailures#REPEAT}. */
    private void sweepFailed(long now, Throwable e) {
        try {
            if (failedSweeps++ == 0 || now - lastSweepWarned >= ReceiveFailures.REPEAT.toNanos()) {
                lastSweepWarned = now;
                log.error("jobq watchdog: a sweep failed ({} so far); the next sweep, in {}, tries again, and until one "
                        + "works no job's timeouts and heartbeats are seen to", failedSweeps,
                        DurationFormat.format(TICK), e);
            } else {
                log.debug("jobq watchdog: a sweep failed", e);
            }
        } catch (Throwable unloggable) {
            // the sweeps must go on whatever the log does
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            // a sweep under way only hands work to the lanes: the timer's thread ends within moments, and is gone
            // when close() returns (a container's thread-leak check, a test counting threads, would name it). The
            // timer terminates from its thread just before that thread ends: joined too, or it was still alive
            // when close() returned, on a busy machine.
            long deadline = System.nanoTime() + TIMER_END.toNanos();
            timer.awaitTermination(TIMER_END.toNanos(), TimeUnit.NANOSECONDS);
            Thread thread = timerThread;
            long left = deadline - System.nanoTime();
            if (thread != null && left > 0) {
                thread.join(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the calls under way finish, heartbeats still waiting find their run ended; the threads then end
        lanes.values().forEach(QueueThreads::close);
    }
}

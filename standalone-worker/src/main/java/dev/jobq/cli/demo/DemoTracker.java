package dev.jobq.cli.demo;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import dev.jobq.cli.demo.PlannedJob.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Follows the queue's events: counts them, keeps a trace per job, and opens a latch once the
 * expected number of jobs have reached a final state (completed or dead). Thread-safe; events
 * arrive on the worker's threads.
 */
final class DemoTracker implements JobListener {

    private final int expectedJobs;
    private final CountDownLatch allFinal;
    private final @Nullable String recurringType;
    private final CountDownLatch recurringRuns;
    private final int recurringExpected;
    private final Set<String> recurringCompleted = ConcurrentHashMap.newKeySet();
    private final Map<String, Trace> traces = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failedAttempts = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final AtomicInteger startOrder = new AtomicInteger();
    private final AtomicReference<@Nullable Instant> lastFinalAt = new AtomicReference<>();

    DemoTracker(int expectedJobs) {
        this(expectedJobs, null, 0);
    }

    /**
     * Also waits for {@code recurringRuns} occurrences of a recurring job of {@code recurringType}
     * to complete; those are counted apart and not in the snapshot.
     */
    DemoTracker(int expectedJobs, @Nullable String recurringType, int recurringRuns) {
        this.expectedJobs = expectedJobs;
        this.allFinal = new CountDownLatch(expectedJobs);
        this.recurringType = recurringType;
        this.recurringRuns = new CountDownLatch(recurringRuns);
        this.recurringExpected = recurringRuns;
    }

    @Override
    public void onEvent(JobEvent event) {
        if (recurringType != null && recurringType.equals(typeOf(event))) {
            if (event instanceof JobEvent.Completed completed && recurringCompleted.add(completed.jobId())) {
                recurringRuns.countDown();
            }
            return;
        }
        switch (event) {
            // The first Enqueued says when the job is due; a scheduled job's second says when it was handed on.
            case JobEvent.Enqueued e -> trace(e.jobId()).dueAt(e.runAt());
            case JobEvent.Started e -> {
                started.increment();
                trace(e.jobId()).started(e.at(), startOrder.incrementAndGet());
            }
            case JobEvent.Failed e -> {
                failedAttempts.increment();
                trace(e.jobId()).failed.incrementAndGet();
            }
            case JobEvent.Completed e -> {
                completed.increment();
                finish(e.jobId(), Outcome.COMPLETED, e.attempt(), null, e.at());
            }
            case JobEvent.Dead e -> {
                dead.increment();
                finish(e.jobId(), Outcome.DEAD, e.attempt(), e.error(), e.at());
            }
            default -> {
            }
        }
    }

    /**
     * Waits until every expected job is final or {@code timeout} passes, calling {@code onTick}
     * every {@code tick} meanwhile; true when all are final.
     */
    boolean awaitAllFinal(Duration timeout, Duration tick, Runnable onTick) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return allFinal.getCount() == 0 && recurringRuns.getCount() == 0;
            }
            CountDownLatch waitingFor = allFinal.getCount() > 0 ? allFinal : recurringRuns;
            if (waitingFor.await(Math.min(left, tick.toNanos()), TimeUnit.NANOSECONDS)
                    && allFinal.getCount() == 0 && recurringRuns.getCount() == 0) {
                return true;
            }
            onTick.run();
        }
    }

    /** How many recurring occurrences the run waits for (0: no recurring job). */
    int recurringExpected() {
        return recurringExpected;
    }

    /** Distinct occurrences of the recurring job that completed. */
    int recurringCompleted() {
        return recurringCompleted.size();
    }

    private static @Nullable String typeOf(JobEvent event) {
        return switch (event) {
            case JobEvent.Enqueued e -> e.type();
            case JobEvent.Started e -> e.type();
            case JobEvent.Progress e -> e.type();
            case JobEvent.Completed e -> e.type();
            case JobEvent.Failed e -> e.type();
            case JobEvent.Dead e -> e.type();
            case JobEvent.Released e -> e.type();
            case JobEvent.Deduplicated e -> e.type();
            default -> null;
        };
    }

    Snapshot snapshot() {
        long done = completed.sum() + dead.sum();
        long ended = done + failedAttempts.sum();
        long running = Math.max(0, started.sum() - ended);
        return new Snapshot(completed.sum(), failedAttempts.sum(), dead.sum(), running,
                Math.max(0, expectedJobs - done - running));
    }

    /** The trace of a job that had at least one event. */
    Optional<Trace> find(String jobId) {
        return Optional.ofNullable(traces.get(jobId));
    }

    /** When the last job reached its final state, if any did. */
    Optional<Instant> lastFinalAt() {
        return Optional.ofNullable(lastFinalAt.get());
    }

    private Trace trace(String jobId) {
        return traces.computeIfAbsent(jobId, id -> new Trace());
    }

    private void finish(String jobId, Outcome outcome, int attempt, @Nullable String error, Instant at) {
        if (trace(jobId).finish(outcome, attempt, error, at)) {
            lastFinalAt.accumulateAndGet(at, (previous, next) -> previous == null || next.isAfter(previous) ? next : previous);
            allFinal.countDown();
        }
    }

    /** Counters at one moment; {@code waiting} includes jobs delayed or backing off before a retry. */
    record Snapshot(long completed, long retried, long dead, long running, long waiting) {
    }

    /** What happened to one job. Written by the worker's threads, read once the job is final. */
    static final class Trace {
        private volatile @Nullable Instant runAt;
        private volatile @Nullable Instant firstStartedAt;
        private volatile int startRank;
        private final AtomicInteger failed = new AtomicInteger();
        private @Nullable Outcome outcome;
        private int finalAttempt;
        private @Nullable String error;
        private @Nullable Instant finishedAt;

        private synchronized void dueAt(Instant at) {
            if (runAt == null) {
                runAt = at;
            }
        }

        private synchronized void started(Instant at, int rank) {
            if (firstStartedAt == null) {
                firstStartedAt = at;
                startRank = rank;
            }
        }

        private synchronized boolean finish(Outcome outcome, int attempt, @Nullable String error, Instant at) {
            if (this.outcome != null) {
                return false;
            }
            this.outcome = outcome;
            this.finalAttempt = attempt;
            this.error = error;
            this.finishedAt = at;
            return true;
        }

        @Nullable Instant runAt() {
            return runAt;
        }

        @Nullable Instant firstStartedAt() {
            return firstStartedAt;
        }

        /** 1 for the first job any worker started, and so on. */
        int startRank() {
            return startRank;
        }

        int failedAttempts() {
            return failed.get();
        }

        synchronized @Nullable Outcome outcome() {
            return outcome;
        }

        synchronized int finalAttempt() {
            return finalAttempt;
        }

        synchronized @Nullable String error() {
            return error;
        }

        synchronized @Nullable Instant finishedAt() {
            return finishedAt;
        }
    }
}

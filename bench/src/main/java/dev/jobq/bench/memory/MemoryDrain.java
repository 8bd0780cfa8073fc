package dev.jobq.bench.memory;

import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import dev.jobq.internal.config.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * B1: a backlog of no-op jobs, all enqueued before the clock starts, drained through a running
 * {@link JobQueue} (poll loop, permits, one virtual thread per attempt, handler, acknowledgement,
 * Completed event) with the default concurrency; against a raw {@link ThreadPoolExecutor} with as
 * many threads draining as many no-op tasks queued before its threads start.
 */
public final class MemoryDrain implements Workload {

    static final int CONCURRENCY = WorkerSettings.DEFAULT_CONCURRENCY;
    private static final String TYPE = "bench:noop";
    private static final Duration LIMIT = Duration.ofMinutes(3);

    @Override
    public String id() {
        return "B1";
    }

    @Override
    public String title() {
        return "memory drain";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(new Metric("drain", "drain, concurrency " + CONCURRENCY, Unit.JOBS_PER_SECOND,
                "a raw ThreadPoolExecutor of " + CONCURRENCY + " threads draining the same number of no-op tasks "
                        + "queued in its LinkedBlockingQueue before its threads start",
                Target.atLeastPercentOfCeiling(30)));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(200_000, 1_000_000);
        int warmUp = scale.pick(50_000, 200_000);
        executorDrain(warmUp, probe, "warm-up executor");
        jobqDrain(warmUp, probe, "warm-up jobq");
        Sides<Double> rates = probe.sideBySide(
                () -> executorDrain(jobs, probe, "executor drain"),
                () -> jobqDrain(jobs, probe, "jobq drain"));
        probe.record("drain", rates.subject(), rates.ceiling());
    }

    /** Jobs per second from start() until the last Completed event. */
    static double jobqDrain(int jobs, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(jobs);
        try (JobQueue queue = MemoryQueues.withConcurrency(CONCURRENCY)) {
            queue.registerJobHandler(TYPE, Void.class, (job, context) -> { });
            queue.addListener(event -> {
                if (event instanceof JobEvent.Completed) {
                    done.tick();
                }
            });
            for (int i = 0; i < jobs; i++) {
                queue.enqueue(TYPE, null);
            }
            try (var ignored = probe.phase(phase, jobs, done::done)) {
                long start = System.nanoTime();
                queue.start();
                done.await(LIMIT);
                return jobs / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** Tasks per second from prestartAllCoreThreads() until the last task ran. */
    static double executorDrain(int tasks, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(tasks);
        var backlog = new LinkedBlockingQueue<Runnable>();
        for (int i = 0; i < tasks; i++) {
            backlog.add(new NoopTask(done));
        }
        var pool = new ThreadPoolExecutor(CONCURRENCY, CONCURRENCY, 0, TimeUnit.MILLISECONDS, backlog);
        try (var ignored = probe.phase(phase, tasks, done::done)) {
            long start = System.nanoTime();
            pool.prestartAllCoreThreads();
            done.await(LIMIT);
            return tasks / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One task object per job, as the queue has one envelope per job. */
    private record NoopTask(Countdown done) implements Runnable {
        @Override
        public void run() {
            done.tick();
        }
    }
}

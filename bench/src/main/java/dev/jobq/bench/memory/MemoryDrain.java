package dev.jobq.bench.memory;

import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.QueueStats;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Heap;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.ProcessMeters;
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
 * B1: a backlog of no-op jobs, all enqueued (and the heap collected) before the clock starts,
 * drained through a running {@link JobQueue} (poll loop, permits, virtual handler threads, handler,
 * acknowledgement, Completed event) with the default concurrency; against two ceilings, each a raw
 * {@link ThreadPoolExecutor} with as many threads:
 *
 * <ul>
 *   <li>strict: as many no-op tasks queued (and collected) before its threads start, then drained;
 *   <li>conventional: the threads started first, then as many no-op tasks submitted from one thread,
 *       timed until the last one ran — the usual way an executor's rate is measured, and the only one
 *       whose figure comes near the 1.7 M tasks/s (docs/benchmarks.md).
 * </ul>
 *
 * Also times jobq the conventional way (jobs enqueued from one thread into a started queue, until
 * the last one completed) against the conventional ceiling, and reports the process's CPU time and
 * heap allocation per drained job.
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
        String strict = "a raw ThreadPoolExecutor of " + CONCURRENCY + " threads draining the same number of "
                + "no-op tasks queued in its LinkedBlockingQueue before its threads start (strict ceiling)";
        String conventional = "a raw ThreadPoolExecutor of " + CONCURRENCY + " started threads, fed the same number of "
                + "no-op tasks by execute() from one thread, timed until the last one ran (conventional ceiling)";
        return List.of(
                new Metric("drain", "drain, concurrency " + CONCURRENCY + " vs strict ceiling", Unit.JOBS_PER_SECOND,
                        strict, Target.atLeastPercentOfCeiling(30)),
                new Metric("drain-conv", "drain, concurrency " + CONCURRENCY + " vs conventional ceiling",
                        Unit.JOBS_PER_SECOND, conventional, Target.atLeastPercentOfCeiling(30)),
                new Metric("submit-run", "enqueue into a started queue until all ran", Unit.JOBS_PER_SECOND,
                        conventional, Target.none()),
                new Metric("drain-cpu", "process CPU per drained job", Unit.MICROSECONDS, strict, Target.none()),
                Metric.withoutRatio("drain-alloc", "heap allocated per drained job", Unit.BYTES_PER_JOB, strict));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(200_000, 1_000_000);
        int warmUp = scale.pick(100_000, 200_000);
        // Until C2 has compiled the whole path: one round of 50,000 jobs left B1 at a fifth of
        // the rate it reaches once warm.
        int rounds = scale.pick(2, 3);
        for (int round = 1; round <= rounds; round++) {
            String of = " " + round + "/" + rounds;
            executorDrain(warmUp, probe, "warm-up executor" + of);
            jobqDrain(warmUp, probe, "warm-up jobq" + of);
            executorSubmitted(warmUp, probe, "warm-up executor, submitted" + of);
            jobqSubmitted(warmUp, probe, "warm-up jobq, enqueued into a started queue" + of);
        }
        Sides<Drain> drains = probe.sideBySide(
                () -> executorDrain(jobs, probe, "executor drain"),
                () -> jobqDrain(jobs, probe, "jobq drain"));
        Sides<Drain> submitted = probe.sideBySide(
                () -> executorSubmitted(jobs, probe, "executor, submitted"),
                () -> jobqSubmitted(jobs, probe, "jobq, enqueued into a started queue"));
        probe.record("drain", drains.subject().perSecond(), drains.ceiling().perSecond());
        probe.record("drain-conv", drains.subject().perSecond(), submitted.ceiling().perSecond());
        probe.record("submit-run", submitted.subject().perSecond(), submitted.ceiling().perSecond());
        probe.record("drain-cpu", drains.subject().cpuMicrosPerJob(), drains.ceiling().cpuMicrosPerJob());
        probe.record("drain-alloc", drains.subject().allocatedBytesPerJob(), drains.ceiling().allocatedBytesPerJob());
    }

    /** One drain: wall-clock rate, and the process's CPU time and heap allocation per job while it ran. */
    record Drain(double perSecond, double cpuMicrosPerJob, double allocatedBytesPerJob) {

        /**
         * Collects the heap (the backlog's own garbage and its first copy belong to the enqueue,
         * not to the drain), then times {@code start} until {@code done} has counted every job.
         */
        static Drain time(int jobs, Countdown done, Probe probe, String phase, Runnable start)
                throws InterruptedException {
            Heap.collect();
            try (var ignored = probe.phase(phase, jobs, done::done)) {
                long cpu = ProcessMeters.cpuNanos();
                long allocated = ProcessMeters.allocatedBytes();
                long begin = System.nanoTime();
                start.run();
                done.await(LIMIT);
                long nanos = System.nanoTime() - begin;
                return new Drain(jobs / (nanos / 1e9), (ProcessMeters.cpuNanos() - cpu) / 1e3 / jobs,
                        (double) (ProcessMeters.allocatedBytes() - allocated) / jobs);
            }
        }
    }

    /** From start() until the last Completed event. */
    static Drain jobqDrain(int jobs, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(jobs);
        try (JobQueue queue = noOpQueueCountingInto(done)) {
            for (int i = 0; i < jobs; i++) {
                queue.enqueue(TYPE, null);
            }
            Drain drain = Drain.time(jobs, done, probe, phase, queue::start);
            requireNoneLeft(queue, jobs);
            return drain;
        }
    }

    /** From the first enqueue into a started queue until the last Completed event. */
    static Drain jobqSubmitted(int jobs, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(jobs);
        try (JobQueue queue = noOpQueueCountingInto(done)) {
            queue.start();
            Drain drain = Drain.time(jobs, done, probe, phase, () -> {
                for (int i = 0; i < jobs; i++) {
                    queue.enqueue(TYPE, null);
                }
            });
            requireNoneLeft(queue, jobs);
            return drain;
        }
    }

    /**
     * After the last of {@code jobs} Completed events, outside the clock: a job still waiting or unsettled then means
     * that some job was counted twice (completed twice, or its event published twice), and the rate was timed to the
     * wrong end. Each job is acknowledged before its Completed, so in a right run none is left; a duplicate is missed
     * only if the job it stands in for is between its acknowledgement and its event at that moment.
     */
    private static void requireNoneLeft(JobQueue queue, int jobs) {
        QueueStats stats = queue.stats(JobOptions.DEFAULT_QUEUE);
        if (stats.waiting() + stats.delayed() > 0 || stats.inFlight() > 0) {
            throw new IllegalStateException(jobs + " Completed events were counted while " + stats.waiting()
                    + " job(s) still waited and " + stats.inFlight() + " were unsettled: some job was counted twice, "
                    + "so this drain's rate is not jobq's");
        }
    }

    /** A memory queue of the default concurrency with a no-op handler, each completion counted. */
    private static JobQueue noOpQueueCountingInto(Countdown done) {
        JobQueue queue = MemoryQueues.withConcurrency(CONCURRENCY);
        queue.registerJobHandler(TYPE, Void.class, (job, context) -> { });
        queue.addListener(event -> {
            if (event instanceof JobEvent.Completed) {
                done.tick();
            }
        });
        return queue;
    }

    /** From the first execute() into started threads until the last task ran. */
    static Drain executorSubmitted(int tasks, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(tasks);
        var pool = new ThreadPoolExecutor(CONCURRENCY, CONCURRENCY, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
        try {
            return Drain.time(tasks, done, probe, phase, () -> {
                for (int i = 0; i < tasks; i++) {
                    pool.execute(new NoopTask(done));
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }

    /** From prestartAllCoreThreads() until the last task ran. */
    static Drain executorDrain(int tasks, Probe probe, String phase) throws InterruptedException {
        var done = new Countdown(tasks);
        var backlog = new LinkedBlockingQueue<Runnable>();
        for (int i = 0; i < tasks; i++) {
            backlog.add(new NoopTask(done));
        }
        var pool = new ThreadPoolExecutor(CONCURRENCY, CONCURRENCY, 0, TimeUnit.MILLISECONDS, backlog);
        try {
            return Drain.time(tasks, done, probe, phase, pool::prestartAllCoreThreads);
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

package dev.jobq.bench.memory;

import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Countdown;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * B3: a steady {@value #RATE} jobs/s, open loop, through a running {@link JobQueue} on the memory
 * provider: the time from each job's scheduled send instant to its handler's first line, as
 * p50 / p99 / p99.9 after a warm-up; against the same schedule through a raw
 * {@link ThreadPoolExecutor} of as many threads (the time from the scheduled instant to the task's
 * first line), which is what this machine's thread scheduling costs at that rate.
 */
public final class HandlerLatency implements Workload {

    static final int RATE = 5_000;
    private static final String TYPE = "bench:stamp";
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    /** The payload: when the job was due to be sent, by {@link System#nanoTime()}. */
    public record Stamp(long dueNanos) {
    }

    @Override
    public String id() {
        return "B3";
    }

    @Override
    public String title() {
        return "memory latency";
    }

    /**
     * Three runs in full mode: a run takes 26 s (a 10 s window on each side), the longest of
     * B1–B4's, and holds 50,000 samples per side. Five kept the full mode past fifteen minutes on a
     * loaded machine. One in quick mode, as every workload there.
     */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public List<Metric> metrics() {
        String ceiling = "the same open-loop schedule through a raw ThreadPoolExecutor of " + MemoryDrain.CONCURRENCY
                + " threads (scheduled send → task start)";
        return List.of(
                new Metric("p50", "enqueue → start p50 at " + RATE + "/s", Unit.MILLISECONDS, ceiling, Target.none()),
                new Metric("p99", "enqueue → start p99 at " + RATE + "/s", Unit.MILLISECONDS, ceiling, Target.below(5)),
                new Metric("p999", "enqueue → start p99.9 at " + RATE + "/s", Unit.MILLISECONDS, ceiling, Target.none()));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        var plan = Plan.of(scale);
        Sides<Histogram> latency = probe.sideBySide(() -> executor(plan, probe), () -> jobq(plan, probe));
        record(probe, "p50", 50, latency);
        record(probe, "p99", 99, latency);
        record(probe, "p999", 99.9, latency);
    }

    static void record(Probe probe, String key, double percentile, Sides<Histogram> latency) {
        probe.record(key, millis(latency.subject(), percentile), millis(latency.ceiling(), percentile));
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

    /**
     * How one side is measured: a burst of jobs sent at once (so the JIT has compiled the path
     * before the schedule starts), then the open-loop schedule, whose first {@code warmUp} is not
     * recorded.
     */
    record Plan(int burst, Duration warmUp, Duration measured) {

        /** B3's: a burst of 50,000 (quick 10,000), 2 s unrecorded (quick 1 s), 10 s recorded (quick 2 s). */
        static Plan of(Scale scale) {
            return new Plan(scale.pick(10_000, 50_000), scale.pick(Duration.ofSeconds(1), Duration.ofSeconds(2)),
                    scale.pick(Duration.ofSeconds(2), Duration.ofSeconds(10)));
        }
    }

    static Histogram jobq(Plan plan, Probe probe) throws Exception {
        var schedule = new Schedule(plan);
        try (JobQueue queue = MemoryQueues.withConcurrency(MemoryDrain.CONCURRENCY)) {
            queue.registerJobHandler(TYPE, Stamp.class, (job, context) -> schedule.started(job.payload().dueNanos()));
            queue.start();
            return schedule.run(probe, "jobq at " + RATE + "/s", due -> queue.enqueue(TYPE, new Stamp(due)));
        }
    }

    private static Histogram executor(Plan plan, Probe probe) throws Exception {
        var schedule = new Schedule(plan);
        ExecutorService pool = new ThreadPoolExecutor(MemoryDrain.CONCURRENCY, MemoryDrain.CONCURRENCY, 0,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        try {
            return schedule.run(probe, "executor at " + RATE + "/s", due -> pool.execute(() -> schedule.started(due)));
        } finally {
            pool.shutdownNow();
        }
    }

    /** One side's pass: the burst, then the schedule, recording the jobs due after its warm-up. */
    static final class Schedule {

        /** The due instant the burst's jobs carry. */
        private static final long BURST = Long.MIN_VALUE;

        private final OpenLoop loop = new OpenLoop(RATE);
        private final Recorder recorder = new Recorder(3);
        private final Plan plan;
        private final int total;
        private final Countdown burstDone;
        private final Countdown done;
        private volatile long measureFromNanos = Long.MAX_VALUE;

        Schedule(Plan plan) {
            this.plan = plan;
            this.total = loop.count(plan.warmUp().plus(plan.measured()));
            this.burstDone = new Countdown(plan.burst());
            this.done = new Countdown(total);
        }

        /** A handler or task started for the job due at {@code dueNanos}. */
        void started(long dueNanos) {
            if (dueNanos == BURST) {
                burstDone.tick();
                return;
            }
            long latency = System.nanoTime() - dueNanos;
            if (dueNanos >= measureFromNanos) {
                recorder.recordValue(Math.max(0, latency));
            }
            done.tick();
        }

        Histogram run(Probe probe, String phase, OpenLoop.Send send) throws Exception {
            try (var ignored = probe.phase(phase + ": warm-up burst", plan.burst(), burstDone::done)) {
                for (int i = 0; i < plan.burst(); i++) {
                    send.send(BURST);
                }
                burstDone.await(DRAIN_LIMIT);
            }
            var sent = new AtomicLong();
            long startNanos = System.nanoTime() + Duration.ofMillis(20).toNanos();
            measureFromNanos = startNanos + plan.warmUp().toNanos();
            try (var ignored = probe.phase(phase, total, sent::get)) {
                loop.run(startNanos, total, send, sent);
                done.await(DRAIN_LIMIT);
            }
            return recorder.getIntervalHistogram();
        }
    }
}

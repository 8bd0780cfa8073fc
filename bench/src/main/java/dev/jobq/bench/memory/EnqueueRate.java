package dev.jobq.bench.memory;

import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Producers;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * B2: {@link JobQueue#enqueue} into the memory provider (no worker running, so every job stays
 * pending) from 1 and from 4 producer threads, with a ~100-byte payload; against offering as many
 * task objects carrying the same payload objects to a {@link LinkedBlockingQueue} — the queue a
 * {@code ThreadPoolExecutor} enqueues into, so the same ceiling as B1's on the enqueue side.
 */
public final class EnqueueRate implements Workload {

    private static final String TYPE = "bench:email";
    private static final int[] PRODUCERS = {1, 4};

    @Override
    public String id() {
        return "B2";
    }

    /**
     * Three runs in full mode, the least: B2 has no target, its five runs in the full run
     * at {@code 20d32dd} lay within 15 % of each other (452,000–520,000 jobs/s from one producer),
     * and the two runs saved leave the full mode further under its fifteen minutes. One in quick
     * mode, as every workload there.
     */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public String title() {
        return "memory enqueue";
    }

    @Override
    public List<Metric> metrics() {
        String ceiling = "LinkedBlockingQueue.offer of a task object holding the payload object (what "
                + "ThreadPoolExecutor.execute does), from as many threads";
        return List.of(
                new Metric("enqueue-1", "enqueue, 1 producer", Unit.JOBS_PER_SECOND, ceiling, Target.none()),
                new Metric("enqueue-4", "enqueue, 4 producers", Unit.JOBS_PER_SECOND, ceiling, Target.none()));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(200_000, 1_000_000);
        int warmUp = scale.pick(100_000, 200_000);
        for (int threads : PRODUCERS) {
            offer(warmUp, threads, probe, "warm-up offer");
            enqueue(warmUp, threads, probe, "warm-up jobq");
        }
        for (int threads : PRODUCERS) {
            Sides<Double> rates = probe.sideBySide(
                    () -> offer(jobs, threads, probe, "offer, " + threads + " producer(s)"),
                    () -> enqueue(jobs, threads, probe, "jobq enqueue, " + threads + " producer(s)"));
            probe.record("enqueue-" + threads, rates.subject(), rates.ceiling());
        }
    }

    private double enqueue(int jobs, int threads, Probe probe, String phase) throws InterruptedException {
        var producers = new Producers(threads);
        try (JobQueue queue = MemoryQueues.withConcurrency(MemoryDrain.CONCURRENCY);
             var ignored = probe.phase(phase, jobs, producers::sent)) {
            return producers.run(jobs, i -> queue.enqueue(TYPE, SamplePayload.forJob(i)));
        }
    }

    private double offer(int jobs, int threads, Probe probe, String phase) throws InterruptedException {
        var producers = new Producers(threads);
        var queue = new LinkedBlockingQueue<Runnable>();
        try (var ignored = probe.phase(phase, jobs, producers::sent)) {
            return producers.run(jobs, i -> queue.offer(new PayloadTask(SamplePayload.forJob(i))));
        }
    }

    /** A task carrying its payload, as a job carries its payload. */
    private record PayloadTask(SamplePayload payload) implements Runnable {
        @Override
        public void run() {
        }
    }
}

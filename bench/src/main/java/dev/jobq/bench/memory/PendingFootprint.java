package dev.jobq.bench.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.JobQueue;
import dev.jobq.bench.runner.Heap;
import dev.jobq.bench.runner.Metric;
import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Sides;
import dev.jobq.bench.runner.Target;
import dev.jobq.bench.runner.Unit;
import dev.jobq.bench.runner.Workload;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * B4: the heap a pending job costs beyond its payload. Enqueues jobs with a ~100-byte JSON payload
 * into a memory queue with no worker, and divides the growth of the heap in use after full
 * collections by the number of jobs, less the payload's own UTF-8 bytes; against the least a queue
 * of such jobs can hold: a {@link LinkedBlockingQueue} of task objects each holding its own copy of
 * the payload JSON text.
 */
public final class PendingFootprint implements Workload {

    private static final String TYPE = "bench:email";

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public String id() {
        return "B4";
    }

    /**
     * Three runs in full mode, the least: the figure is the same to the byte in every run
     * (316 B in each of the five of the full run at {@code 20d32dd}), and the two runs saved leave
     * the full mode further under its fifteen minutes. One in quick mode, as every workload there.
     */
    @Override
    public int runs(Scale scale) {
        return scale.pick(1, 3);
    }

    @Override
    public String title() {
        return "memory footprint";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(new Metric("bytes", "heap per pending job beyond its payload", Unit.BYTES_PER_JOB,
                "a LinkedBlockingQueue of task objects each holding its own String of the payload JSON",
                Target.atMost(500)));
    }

    @Override
    public void run(Scale scale, Probe probe) throws Exception {
        int jobs = scale.pick(200_000, 1_000_000);
        int payloadBytes = mapper.writeValueAsString(SamplePayload.forJob(0)).getBytes(StandardCharsets.UTF_8).length;
        fillJobq(20_000, probe, "warm-up jobq");
        fillFloor(20_000, probe, "warm-up floor");
        Sides<Double> perJob = probe.sideBySide(
                () -> fillFloor(jobs, probe, "floor: " + jobs + " pending") - payloadBytes,
                () -> fillJobq(jobs, probe, "jobq: " + jobs + " pending") - payloadBytes);
        probe.record("bytes", perJob.subject(), perJob.ceiling());
    }

    /** Heap bytes per job held pending in a memory queue. */
    private double fillJobq(int jobs, Probe probe, String phase) {
        var added = new AtomicLong();
        try (var ignored = probe.phase(phase, jobs, added::get)) {
            long before = Heap.usedAfterCollection();
            JobQueue queue = MemoryQueues.withConcurrency(MemoryDrain.CONCURRENCY);
            for (int i = 0; i < jobs; i++) {
                queue.enqueue(TYPE, SamplePayload.forJob(i));
                added.lazySet(i + 1);
            }
            long after = Heap.usedAfterCollection();
            if (queue.stats("default").waiting() != jobs) {
                throw new IllegalStateException("expected " + jobs + " jobs waiting, found " + queue.stats("default"));
            }
            queue.close();
            return (after - before) / (double) jobs;
        }
    }

    /** Heap bytes per task in a plain queue of tasks, each with its own copy of the payload text. */
    private double fillFloor(int jobs, Probe probe, String phase) throws Exception {
        var added = new AtomicLong();
        try (var ignored = probe.phase(phase, jobs, added::get)) {
            long before = Heap.usedAfterCollection();
            var queue = new LinkedBlockingQueue<Runnable>();
            for (int i = 0; i < jobs; i++) {
                queue.add(new JsonTask(mapper.writeValueAsString(SamplePayload.forJob(i))));
                added.lazySet(i + 1);
            }
            long after = Heap.usedAfterCollection();
            Reference.reachabilityFence(queue);
            return (after - before) / (double) jobs;
        }
    }

    /** A task holding its payload JSON. */
    private record JsonTask(String json) implements Runnable {
        @Override
        public void run() {
        }
    }
}

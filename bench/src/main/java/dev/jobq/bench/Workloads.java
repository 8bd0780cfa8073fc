package dev.jobq.bench;

import dev.jobq.bench.memory.EnqueueRate;
import dev.jobq.bench.memory.HandlerLatency;
import dev.jobq.bench.memory.MemoryDrain;
import dev.jobq.bench.memory.PendingFootprint;
import dev.jobq.bench.runner.Workload;
import dev.jobq.bench.scheduler.FireRate;
import dev.jobq.bench.scheduler.FiringPrecision;
import dev.jobq.bench.sqs.SqsThroughput;
import java.util.List;
import java.util.Optional;

/** Every workload, in the order they run and appear in the table. Add a new one here. */
final class Workloads {

    static final List<Workload> ALL = List.of(
            new MemoryDrain(),
            new EnqueueRate(),
            new HandlerLatency(),
            new PendingFootprint(),
            new SqsThroughput(),
            new FireRate(),
            new FiringPrecision());

    private Workloads() {
    }

    static Optional<Workload> byId(String id) {
        return ALL.stream().filter(w -> w.id().equalsIgnoreCase(id)).findFirst();
    }
}

package dev.jobq.bench;

import dev.jobq.bench.memory.EnqueueRate;
import dev.jobq.bench.memory.HandlerLatency;
import dev.jobq.bench.memory.MemoryDrain;
import dev.jobq.bench.memory.PeerDrain;
import dev.jobq.bench.memory.PeerLatency;
import dev.jobq.bench.memory.PendingFootprint;
import dev.jobq.bench.runner.Workload;
import dev.jobq.bench.scheduler.FireRate;
import dev.jobq.bench.scheduler.FiringPrecision;
import dev.jobq.bench.scheduler.PeerFireRate;
import dev.jobq.bench.scheduler.PeerPrecision;
import dev.jobq.bench.sqs.PeerSqsDrain;
import dev.jobq.bench.sqs.SqsThroughput;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every workload, in the order they run and appear in the table. Add a new one here: to {@link #ALL}
 * when it measures jobq against a ceiling, to {@link #PEERS} when it runs jobq beside another job system.
 */
final class Workloads {

    static final List<Workload> ALL = List.of(
            new MemoryDrain(),
            new EnqueueRate(),
            new HandlerLatency(),
            new PendingFootprint(),
            new SqsThroughput(),
            new FireRate(),
            new FiringPrecision());

    /**
     * jobq beside the peers the issue set the targets from, and beside Spring Cloud AWS on SQS; run only
     * when asked (--peers).
     */
    static final List<Workload> PEERS = List.of(
            new PeerDrain(),
            new PeerLatency(),
            new PeerSqsDrain(),
            new PeerFireRate(),
            new PeerPrecision());

    private Workloads() {
    }

    static Optional<Workload> byId(String id) {
        return Stream.concat(ALL.stream(), PEERS.stream())
                .filter(w -> w.id().equalsIgnoreCase(id)).findFirst();
    }
}

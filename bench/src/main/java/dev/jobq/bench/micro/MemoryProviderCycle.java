package dev.jobq.bench.micro;

import dev.jobq.JobOptions;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory provider's share of one B1 job: one job enqueued, the oldest ready job received and
 * acknowledged, on one thread. With a backlog of a million the job received was enqueued a million
 * jobs earlier, as in B1's drain, so its entry and its slot in the id index are no longer in any
 * cache; with none it is the job just enqueued, and the figure is the provider's own work.
 *
 * <p>The queue's size stays at the backlog: each operation enqueues one job and settles one. The
 * envelopes are made before the clock starts and reused round a ring two longer than the backlog,
 * so the one enqueued was always acknowledged already (its id is free again), also when one job
 * stays leased between operations ({@link #enqueueAcknowledgeAndReceive}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgs = {"-Xms3g", "-Xmx3g", "-XX:+UseG1GC"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryProviderCycle {

    @Param({"0", "1000000"})
    int backlog;

    private QueueProvider provider;
    private JobEnvelope[] ring;
    private int next;
    /** The job {@link #enqueueAcknowledgeAndReceive} holds leased between operations. */
    private ReceivedJob held;

    @Setup(Level.Trial)
    public void fill() {
        provider = MemoryProviderFactory.builder().build();
        ring = new JobEnvelope[backlog + 2];
        Instant createdAt = Instant.now();
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "bench:noop", "null",
                    JobOptions.defaults(), 0, createdAt, null, null);
        }
        for (next = 0; next < backlog; next++) {
            provider.enqueue(ring[next], Duration.ZERO);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        provider.close();
    }

    /** Enqueues the next envelope of the ring, then receives and acknowledges the oldest job. */
    @Benchmark
    public ReceivedJob enqueueReceiveAcknowledge() {
        provider.enqueue(ring[next], Duration.ZERO);
        next = next + 1 == ring.length ? 0 : next + 1;
        List<ReceivedJob> received = provider.receive(1, Duration.ZERO);
        // An empty receive throws here: the backlog never runs out, so that would be a bug worth failing on.
        ReceivedJob job = received.get(0);
        provider.acknowledge(job);
        return job;
    }

    /**
     * The same job's worth as a worker's handler thread does it on a backlog: enqueues the next
     * envelope, then acknowledges the job it holds and receives the oldest in one call.
     */
    @Benchmark
    public ReceivedJob enqueueAcknowledgeAndReceive() {
        provider.enqueue(ring[next], Duration.ZERO);
        next = next + 1 == ring.length ? 0 : next + 1;
        List<ReceivedJob> received = held == null ? provider.receive(1, Duration.ZERO)
                : provider.acknowledgeAndReceive(held, 1);
        held = received.get(0);
        return held;
    }
}

package dev.jobq.bench.memory;

import dev.jobq.JobOptions;
import dev.jobq.bench.runner.ProcessMeters;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Not a workload of the table: the memory provider alone, with no worker, drained by one thread and
 * then by two, round after round in one JVM. Each round fills a fresh provider with no-op jobs, then
 * its threads receive one job and acknowledge it until none is left, as B1's handler threads do. It
 * shows what the provider's single lock and shared state cost when two cores take turns at them
 * (docs/benchmarks.md, <i>B1's target is missed</i>).
 *
 * <pre>java -Xms3g -Xmx3g -XX:+UseG1GC -cp bench/target/jobq-bench.jar dev.jobq.bench.memory.ProviderThreads JOBS ROUNDS</pre>
 */
public final class ProviderThreads {

    private ProviderThreads() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: ProviderThreads JOBS ROUNDS (e.g. 1000000 4); each round drains with 1, then 2 threads");
            System.exit(2);
        }
        int jobs = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        for (int round = 1; round <= rounds; round++) {
            for (int threads = 1; threads <= 2; threads++) {
                QueueProvider provider = filled(jobs);
                System.gc();
                long cpu = ProcessMeters.cpuNanos();
                long wall = drain(provider, threads);
                cpu = ProcessMeters.cpuNanos() - cpu;
                provider.close();
                System.out.printf("round %d, %d thread%s: %,.0f jobs/s, %.2f µs of CPU per job%n", round, threads,
                        threads == 1 ? "" : "s", jobs * 1e9 / wall, cpu / 1e3 / jobs);
            }
        }
    }

    private static QueueProvider filled(int jobs) {
        QueueProvider provider = MemoryProviderFactory.builder().build();
        Instant createdAt = Instant.now();
        for (int i = 0; i < jobs; i++) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "bench:noop",
                    "null", JobOptions.defaults(), 0, createdAt, null, null), Duration.ZERO);
        }
        return provider;
    }

    /** Nanoseconds until {@code threads} threads, started together, have found the provider empty. */
    private static long drain(QueueProvider provider, int threads) throws InterruptedException {
        var go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            started.add(Thread.ofPlatform().name("drain-" + i).start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (List<ReceivedJob> got = provider.receive(1, Duration.ZERO); !got.isEmpty();
                        got = provider.receive(1, Duration.ZERO)) {
                    provider.acknowledge(got.get(0));
                }
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        return System.nanoTime() - start;
    }
}

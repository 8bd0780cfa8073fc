package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ReceivedJob;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The job-id and deduplication-key maps after a drained backlog. A HashMap keeps its table at the largest size it
 * reached: a million keyed jobs enqueued and drained left 25 MB more heap in use after a full collection (two empty
 * tables of 2^21 slots are 16 MB of it), held by the queue for as long as it lived, where its ready and timed buffers
 * already shrink (ReadyQueue, EntryHeap). With the maps made afresh it is some kilobytes.
 */
class DrainedMapsTest {

    private static final int JOBS = 1_000_000;
    /** 25 MB before, some kilobytes since: wide of both, so that the noise of a full collection does not matter. */
    private static final long BOUND = 4L << 20;

    @Test
    @DisplayName("a drained backlog of a million keyed jobs leaves no large tables, also with a delayed job still held")
    void drainedBacklogGivesBackItsMapTables() {
        var limits = new MemoryLimits(0, MemoryLimits.DEFAULTS.maxDeadLetters(), MemoryLimits.DEFAULTS.leaseDuration(),
                MemoryLimits.DEFAULTS.maxPayloadBytes());
        var provider = new MemoryQueueProvider("drained", Clock.systemUTC(), limits);
        Instant now = Instant.now();
        // One job that stays: the maps never become empty.
        provider.enqueue(envelope("later", "key-later", now), Duration.ofHours(1));
        long before = usedAfterCollection();

        for (int i = 0; i < JOBS; i++) {
            provider.enqueue(envelope("job-" + i, "key-" + i, now), Duration.ZERO);
        }
        int drained = 0;
        for (var batch = provider.receive(1000, Duration.ZERO); !batch.isEmpty();
             batch = provider.receive(1000, Duration.ZERO)) {
            for (ReceivedJob job : batch) {
                provider.acknowledge(job);
                drained++;
            }
        }
        long after = usedAfterCollection();

        assertThat(drained).isEqualTo(JOBS);
        assertThat(provider.jobHoldingKey("key-later")).contains("later");
        assertThat(after - before).as("heap held by the drained queue, in bytes").isLessThan(BOUND);
        Reference.reachabilityFence(provider);
    }

    private static JobEnvelope envelope(String id, String key, Instant now) {
        return new JobEnvelope(1, id, "t", "1", new JobOptions(3, Duration.ofSeconds(30), 0, key, "default"), 0, now,
                null, null);
    }

    /** Collects until the used heap stops shrinking (G1 makes System.gc() a full collection), as bench's Heap does. */
    private static long usedAfterCollection() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used - 64 * 1024) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }
}

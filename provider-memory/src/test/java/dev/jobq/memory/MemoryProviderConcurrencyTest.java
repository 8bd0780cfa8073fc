package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobOptions;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Many producers and consumers on one memory queue, two priorities, with releases and retries mixed in. */
class MemoryProviderConcurrencyTest {

    private static final int PRODUCERS = 8;
    private static final int CONSUMERS = 8;
    private static final int JOBS_PER_PRODUCER = 2500;
    private static final JobOptions URGENT = new JobOptions(3, Duration.ofSeconds(30), -1, null, JobOptions.DEFAULT_QUEUE);

    @Test
    @DisplayName("every job is acknowledged exactly once while first deliveries are released or retried")
    void everyJobAcknowledgedOnceDespiteReleasesAndRetries() throws InterruptedException {
        SettableClock clock = SettableClock.atEpochOf2026();
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).build();
        int total = PRODUCERS * JOBS_PER_PRODUCER;
        Set<String> enqueued = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> acknowledgements = new ConcurrentHashMap<>();
        Map<String, Integer> ackedAttempt = new ConcurrentHashMap<>();
        var acknowledged = new AtomicInteger();
        var stop = new AtomicBoolean();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();

        for (int c = 0; c < CONSUMERS; c++) {
            threads.add(Thread.ofVirtual().name("unit-consumer-", c).start(() -> {
                try {
                    while (!stop.get()) {
                        for (ReceivedJob job : provider.receive(16, Duration.ofMillis(100))) {
                            int delivery = deliveries.computeIfAbsent(job.jobId(), id -> new AtomicInteger())
                                    .incrementAndGet();
                            int kind = Math.floorMod(job.jobId().hashCode(), 3);
                            if (delivery == 1 && kind == 0) {
                                provider.release(job);
                            } else if (delivery == 1 && kind == 1) {
                                provider.fail(job, Failure.retryAfter(Duration.ZERO, "first delivery fails"));
                            } else {
                                provider.acknowledge(job);
                                acknowledgements.computeIfAbsent(job.jobId(), id -> new AtomicInteger())
                                        .incrementAndGet();
                                ackedAttempt.put(job.jobId(), job.attempt());
                                acknowledged.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (int p = 0; p < PRODUCERS; p++) {
            threads.add(Thread.ofVirtual().name("unit-producer-", p).start(() -> {
                try {
                    for (int i = 0; i < JOBS_PER_PRODUCER; i++) {
                        // Two priorities, so that receives keep choosing between two lanes.
                        JobOptions options = i % 4 == 0 ? URGENT : JobOptions.defaults();
                        var job = new JobEnvelope(1, UUID.randomUUID().toString(), "unit:job", "{}",
                                options, 0, clock.instant(), null, null);
                        enqueued.add(job.jobId());
                        provider.enqueue(job, Duration.ZERO);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }

        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> acknowledged.get() >= total || !errors.isEmpty());
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            provider.close();
        }

        assertThat(errors).isEmpty();
        assertThat(acknowledgements.keySet()).isEqualTo(enqueued);
        assertThat(acknowledgements.values()).allMatch(count -> count.get() == 1, "acknowledged once");
        assertThat(ackedAttempt).allSatisfy((id, attempt) -> {
            int expected = switch (Math.floorMod(id.hashCode(), 3)) {
                case 0 -> 1;  // the released delivery did not count
                case 1 -> 2;  // the failed one did
                default -> 1;
            };
            assertThat(attempt).as("attempt of %s", id).isEqualTo(expected);
        });
        assertThat(provider.stats()).isEqualTo(new ProviderStats(0, 0, 0, 0));
    }
}

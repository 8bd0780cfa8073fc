package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats against a provider whose extendLease blocks (as SQS's does: each caller waits for its
 * batch), with many jobs in hand: the threads they use are bounded, a run has one heartbeat at a time,
 * and timeouts fire on time all the same (DESIGN §4).
 */
class HeartbeatThreadsTest {

    /** Watchdog.HEARTBEAT_THREADS: the most threads one queue's heartbeats use. */
    private static final int HEARTBEAT_THREADS = 64;

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch finish = new CountDownLatch(1);
    private final CountDownLatch provider = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        finish.countDown();
        provider.countDown();
        fixture.close();
    }

    @Test
    @DisplayName("500 jobs in hand, heartbeats blocked in the provider: at most 64 lease threads, one heartbeat per "
            + "job at a time, and a 1 s timeout still fires on time")
    void blockedHeartbeatsUseBoundedThreads() {
        // Heartbeats from 1 s, the leases unextended run out at 3 s: the job timing out is received well before,
        // where a job whose lease ran out would take its place.
        var hanging = new HangingHeartbeats(fixture.memoryProvider(Map.of("leaseDuration", "3s")), provider);
        JobQueue jobs = fixture.queue(hanging, 501, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> finish.await(60, TimeUnit.SECONDS));
        jobs.enqueueAll("report:build", IntStream.range(0, 500).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, 500);
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.outstanding() >= HEARTBEAT_THREADS);
        String late = jobs.enqueue("report:build", 500, EnqueueOptions.builder().timeout(Duration.ofSeconds(1))
                .maxAttempts(1).build());

        // Before, a platform thread per heartbeat: each job's first, all due together, and again at each one due after.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> leaseThreads() <= HEARTBEAT_THREADS);
        assertThat(hanging.mostAtOnceOfOneJob()).as("heartbeats of one job under way at once").isEqualTo(1);

        JobEvent.Dead dead = fixture.events.awaitCount(JobEvent.Dead.class, 1).get(0);
        JobEvent.Started started = fixture.events.all(JobEvent.Started.class).stream()
                .filter(s -> s.jobId().equals(late)).findFirst().orElseThrow();
        assertThat(dead.jobId()).isEqualTo(late);
        assertThat(dead.error()).contains("timed out");
        assertThat(Duration.between(started.at(), dead.at())).as("from its start to its timeout")
                .isLessThan(Duration.ofMillis(1800));
    }

    @Test
    @DisplayName("a provider that hung for ten heartbeats gets one heartbeat per job when it answers again, "
            + "not the ten that fell due meanwhile")
    void noStaleHeartbeatsQueueUp() {
        var hanging = new HangingHeartbeats(fixture.memoryProvider(Map.of("leaseDuration", "300ms")), provider);
        JobQueue jobs = fixture.queue(hanging, 100, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> finish.await(60, TimeUnit.SECONDS));
        jobs.enqueueAll("report:build", IntStream.range(0, 100).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, 100);
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.outstanding() >= HEARTBEAT_THREADS);
        // ten heartbeats (100 ms apart) fall due for every job while the provider hangs, on 64 threads all along
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> hanging.outstanding() == HEARTBEAT_THREADS);

        long answered = System.nanoTime();
        provider.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.jobsCalledAfter(answered) == 100);

        // A job's next heartbeat is due 100 ms after its last began (20 ms after for one blocked since long):
        // in the first 60 ms at most two each. Before, the ten stale ones of each job went out then.
        Map<String, Long> firstCalls = hanging.callsPerJobBetween(answered, answered + 60_000_000L);
        assertThat(firstCalls.values()).as("heartbeats per job in the 60 ms after the provider answered")
                .allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(2));
    }

    private static long leaseThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jobq-lease-") && t.isAlive()).count();
    }

    /** A provider whose extendLease waits for {@code gate}; it records when each call came, per job. */
    private static final class HangingHeartbeats extends ForwardingQueueProvider {

        private record Call(String jobId, long nanos) {
        }

        private final CountDownLatch gate;
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final Map<String, AtomicInteger> underWay = new ConcurrentHashMap<>();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicInteger mostOfOneJob = new AtomicInteger();

        HangingHeartbeats(QueueProvider delegate, CountDownLatch gate) {
            super(delegate);
            this.gate = gate;
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            calls.add(new Call(job.jobId(), System.nanoTime()));
            AtomicInteger mine = underWay.computeIfAbsent(job.jobId(), id -> new AtomicInteger());
            mostOfOneJob.accumulateAndGet(mine.incrementAndGet(), Math::max);
            outstanding.incrementAndGet();
            try {
                TestGate.pass(gate);
            } finally {
                mine.decrementAndGet();
                outstanding.decrementAndGet();
            }
            super.extendLease(job, extension);
        }

        int outstanding() {
            return outstanding.get();
        }

        int mostAtOnceOfOneJob() {
            return mostOfOneJob.get();
        }

        long jobsCalledAfter(long nanos) {
            return calls.stream().filter(c -> c.nanos() - nanos >= 0).map(Call::jobId).distinct().count();
        }

        Map<String, Long> callsPerJobBetween(long from, long to) {
            return calls.stream().filter(c -> c.nanos() - from >= 0 && c.nanos() - to < 0)
                    .collect(Collectors.groupingBy(Call::jobId, Collectors.counting()));
        }
    }
}

package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Feature;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One worker, several queues (docs/semantics.md#concurrency): a quiet queue listed first keeps the permit it looks
 * with while a later queue's backlog of slow jobs waits for permits, at start and from one look to the next; and a
 * queue whose provider stops answering a receive does not keep the permits that receive holds from the others.
 */
@DisplayName("A worker serving several queues: a flooded or hanging queue leaves the others served")
class QueueIsolationTest {

    record Work(int n) {
    }

    /**
     * A memory provider that receives as SQS does (over the network, ten at a time) and whose receive, once
     * {@link #hang()} was called, does not answer the first time it is asked for {@code permits} jobs, until the test
     * ends: an SQS endpoint that stopped answering, whose SDK waits out {@code requestTimeout} four times (about
     * 40 s by default), or a third-party provider stuck for good. Asked for every permit, the receive holds them all.
     */
    static final class HangsHoldingEveryPermit extends ForwardingQueueProvider {
        private final int permits;
        private final CountDownLatch answering = new CountDownLatch(1);
        private final AtomicBoolean hanging = new AtomicBoolean();
        private final AtomicBoolean hungOnce = new AtomicBoolean();
        final CountDownLatch hung = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);

        HangsHoldingEveryPermit(QueueProvider delegate, int permits) {
            super(delegate);
            this.permits = permits;
        }

        void hang() {
            hanging.set(true);
        }

        void answerAgain() {
            answering.countDown();
        }

        @Override
        public Capabilities capabilities() {
            return receivingAsSqs(super.capabilities());
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (hanging.get() && max == permits && hungOnce.compareAndSet(false, true)) {
                hung.countDown();
                try {
                    answering.await(); // as the SDK's socket read, it does not end on an interrupt
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                returned.countDown();
                return List.of();
            }
            return super.receive(max, wait);
        }
    }

    private final WorkerFixture fixture = new WorkerFixture();
    private HangsHoldingEveryPermit hanging;

    @AfterEach
    void closeAll() throws Exception {
        if (hanging != null) {
            hanging.answerAgain();
        }
        fixture.close();
    }

    @Test
    @DisplayName("the one watchdog of a worker of several queues is named after all of them, not after the first")
    void theWatchdogIsNamedAfterEveryQueueItWatches() {
        // names of this test only: test classes run side by side, with watchdogs of their own
        String first = "watched-first-" + System.nanoTime();
        String second = "watched-second-" + System.nanoTime();
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue(first, "memory", Map.of())
                .queue(second, "memory", Map.of())
                .workerQueues(first, second)
                .shutdownTimeout(Duration.ofMillis(200))
                .build());
        jobs.registerJobHandler("t", Work.class, (job, ctx) -> { });

        jobs.start();

        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("jobq-watchdog-") && name.contains(first)))
                .containsExactly("jobq-watchdog-" + first + "," + second);
    }

    @Test
    @DisplayName("a receive that does not return, holding every permit after a busy spell, gives them to the other queues")
    void aHangingReceiveGivesItsPermitsToTheOtherQueues() throws Exception {
        hanging = new HangsHoldingEveryPermit(fixture.closeLater(new MemoryProviderFactory().create(
                new ProviderContext("a", Settings.of("test", "queues.a", Map.of()), Clock.systemUTC()))), 4);
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("a", hanging)
                .queue("b", "memory", Map.of())
                .workerQueues("a", "b")
                .concurrency(4)
                .pollInterval(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofMillis(200))
                .build());
        AtomicInteger aRan = new AtomicInteger();
        CountDownLatch bRan = new CountDownLatch(1);
        jobs.registerJobHandler("a:work", Work.class, (job, ctx) -> {
            if (aRan.incrementAndGet() == 20) {
                hanging.hang(); // in the middle of a backlog: the loop gathers every permit for its next receive
            }
        });
        jobs.registerJobHandler("b:work", Work.class, (job, ctx) -> bRan.countDown());
        var backlog = new ArrayList<Work>();
        for (int i = 0; i < 1_000; i++) {
            backlog.add(new Work(i));
        }
        jobs.enqueueAll("a:work", backlog, EnqueueOptions.queue("a"));
        jobs.start();
        assertThat(hanging.hung.await(10, TimeUnit.SECONDS)).as("a receive of queue a holds all 4 permits and hangs")
                .isTrue();

        jobs.enqueue("b:work", new Work(0), EnqueueOptions.queue("b"));
        assertThat(bRan.await(30, TimeUnit.SECONDS))
                .as("queue b's job ran while queue a's receive, holding every permit, does not return").isTrue();
        assertThat(hanging.returned.getCount()).as("queue a's receive still has not returned").isEqualTo(1);
    }

    @Test
    @DisplayName("a quiet queue listed first runs its jobs while a later queue holds 100,000 jobs and every other permit")
    void aQuietFirstQueueRunsBesideAFloodedSlowOne() throws Exception {
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("critical", "memory", Map.of())
                .queue("bulk", "memory", Map.of())
                .workerQueues("critical", "bulk")
                .concurrency(4)
                .pollInterval(Duration.ofSeconds(1))
                .shutdownTimeout(Duration.ofMillis(200))
                .build());
        CountDownLatch bulkRunning = new CountDownLatch(3);
        CountDownLatch letBulkGo = new CountDownLatch(1);
        CountDownLatch criticalRan = new CountDownLatch(3);
        jobs.registerJobHandler("bulk:work", Work.class, (job, ctx) -> {
            bulkRunning.countDown();
            letBulkGo.await(); // slow: holds its permit until the test ends
        });
        jobs.registerJobHandler("critical:work", Work.class, (job, ctx) -> criticalRan.countDown());
        var flood = new ArrayList<Work>();
        for (int i = 0; i < 100_000; i++) {
            flood.add(new Work(i));
        }
        jobs.enqueueAll("bulk:work", flood, EnqueueOptions.queue("bulk"));
        try {
            jobs.start();
            assertThat(bulkRunning.await(10, TimeUnit.SECONDS)).as("three bulk jobs hold three of the 4 permits").isTrue();

            for (int i = 0; i < 3; i++) {
                jobs.enqueue("critical:work", new Work(i), EnqueueOptions.queue("critical"));
            }
            assertThat(criticalRan.await(10, TimeUnit.SECONDS))
                    .as("the three critical jobs ran on the permit the critical queue keeps while it waits")
                    .isTrue();
            assertThat(jobs.stats("bulk").waiting()).as("the flood still waits").isGreaterThan(99_000);
        } finally {
            letBulkGo.countDown();
        }
    }

    @Test
    @DisplayName("at start, a later queue's backlog of slow jobs does not take the permit the first queue looks with")
    void aBackloggedLaterQueueLeavesTheFirstItsPermitAtStart() throws Exception {
        for (int round = 0; round < 200; round++) {
            CountDownLatch letBulkGo = new CountDownLatch(1);
            CountDownLatch criticalRan = new CountDownLatch(1);
            try (JobQueue jobs = JobQueue.builder()
                    .queue("critical", "memory", Map.of())
                    .queue("bulk", "memory", Map.of())
                    .workerQueues("critical", "bulk")
                    .concurrency(2)
                    .pollInterval(Duration.ofSeconds(1))
                    .shutdownTimeout(Duration.ofMillis(100))
                    .build()) {
                jobs.registerJobHandler("bulk:work", Work.class, (job, ctx) -> letBulkGo.await());
                jobs.registerJobHandler("critical:work", Work.class, (job, ctx) -> criticalRan.countDown());
                jobs.enqueueAll("bulk:work", List.of(new Work(1), new Work(2), new Work(3)), EnqueueOptions.queue("bulk"));
                try {
                    jobs.start();
                    jobs.enqueue("critical:work", new Work(0), EnqueueOptions.queue("critical"));
                    assertThat(criticalRan.await(10, TimeUnit.SECONDS))
                            .as("round %d: the critical job ran while bulk's slow jobs wait for their permits", round)
                            .isTrue();
                } finally {
                    letBulkGo.countDown();
                }
            }
        }
    }

    /** A memory provider that receives as SQS does: over the network, ten at a time (so a loop per ten permits). */
    static final class ReceivesInBatches extends CountsReceives {

        ReceivesInBatches(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public Capabilities capabilities() {
            return receivingAsSqs(super.capabilities());
        }
    }

    @Test
    @DisplayName("with two loops a queue (concurrency 11 on a provider of batches of 10), the last of 7 empty queues "
            + "still runs its job")
    void theLastQueueRunsWhenEachQueueHasTwoLoops() throws Exception {
        var builder = JobQueue.builder();
        var names = new ArrayList<String>();
        var providers = new ArrayList<ReceivesInBatches>();
        for (int i = 0; i < 7; i++) {
            String name = "q" + i;
            names.add(name);
            var provider = new ReceivesInBatches(fixture.closeLater(new MemoryProviderFactory().create(
                    new ProviderContext(name, Settings.of("test", "queues." + name, Map.of()), Clock.systemUTC()))));
            providers.add(provider);
            builder.queue(name, provider);
        }
        JobQueue jobs = fixture.closeLater(builder
                .workerQueues(names.toArray(String[]::new))
                .concurrency(11) // at least one permit per queue, as semantics.md asks; 2 loops a queue: 14 loops
                .pollInterval(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofMillis(200))
                .build());
        CountDownLatch lastRan = new CountDownLatch(1);
        jobs.registerJobHandler("q6:work", Work.class, (job, ctx) -> lastRan.countDown());
        jobs.start();
        // past the loops' first looks (every 100 ms): the job comes once the permits went where the loops keep them
        await().alias("the first queue's loops keep looking").atMost(Duration.ofSeconds(30))
                .until(() -> providers.getFirst().receives.get() >= 40);
        jobs.enqueue("q6:work", new Work(0), EnqueueOptions.queue("q6"));
        assertThat(lastRan.await(10, TimeUnit.SECONDS))
                .as("the job on the last queue ran while the 6 queues before it are empty").isTrue();
    }

    /**
     * A memory provider that receives as SQS does, and whose receive, once {@link #hangNext()} was called, does not
     * answer until the worker logged that it gave that receive's permits to the other queues; then it brings what is
     * there ({@code throwLate} false) or throws.
     */
    static final class AnswersLate extends ForwardingQueueProvider {
        private final String queue;
        private final CapturedLog log;
        private final boolean throwLate;
        private final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch hung = new CountDownLatch(1);
        final CountDownLatch answered = new CountDownLatch(1);

        AnswersLate(QueueProvider delegate, String queue, CapturedLog log, boolean throwLate) {
            super(delegate);
            this.queue = queue;
            this.log = log;
            this.throwLate = throwLate;
        }

        void hangNext() {
            armed.set(true);
        }

        @Override
        public Capabilities capabilities() {
            return new ReceivesInBatches(delegate()).capabilities();
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (!armed.compareAndSet(true, false)) {
                return super.receive(max, wait);
            }
            hung.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage()
                    .startsWith("a receive from queue '" + queue + "' has not returned")));
            answered.countDown();
            if (throwLate) {
                throw new IllegalStateException("the receive's connection was reset");
            }
            return super.receive(max, Duration.ZERO);
        }
    }

    @ParameterizedTest(name = "the late receive throws: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a receive that answers after its permits went to the other queue: never more handlers than "
            + "concurrency, and its jobs, handed back, run once as their first attempt")
    void aLateReceiveNeverRunsMoreThanConcurrency(boolean throwLate) throws Exception {
        var log = new CapturedLog();
        log.start();
        var workerLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.jobq");
        workerLog.addAppender(log);
        try {
            var a = new AnswersLate(fixture.closeLater(new MemoryProviderFactory().create(new ProviderContext("a",
                    Settings.of("test", "queues.a", Map.of()), Clock.systemUTC()))), "a", log, throwLate);
            JobQueue jobs = fixture.closeLater(JobQueue.builder()
                    .queue("a", a)
                    .queue("b", "memory", Map.of())
                    .workerQueues("a", "b")
                    .concurrency(2)
                    .pollInterval(Duration.ofMillis(100))
                    .shutdownTimeout(Duration.ofMillis(200))
                    .listener(fixture.events)
                    .build());
            var running = new AtomicInteger();
            var peak = new AtomicInteger();
            CountDownLatch letBGo = new CountDownLatch(1);
            CountDownLatch twoBRunning = new CountDownLatch(2);
            jobs.registerJobHandler("a:work", Work.class, (job, ctx) -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                running.decrementAndGet();
            });
            jobs.registerJobHandler("b:work", Work.class, (job, ctx) -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    twoBRunning.countDown();
                    letBGo.await();
                } finally {
                    running.decrementAndGet();
                }
            });
            jobs.start();
            a.hangNext(); // the receive a's loop makes with the permit it keeps between looks
            assertThat(a.hung.await(10, TimeUnit.SECONDS)).as("a receive of queue a hangs").isTrue();
            for (int i = 0; i < 3; i++) {
                jobs.enqueue("a:work", new Work(i), EnqueueOptions.queue("a"));
                jobs.enqueue("b:work", new Work(i), EnqueueOptions.queue("b"));
            }
            assertThat(twoBRunning.await(20, TimeUnit.SECONDS))
                    .as("two of b's slow jobs run, one on the permit queue a's hanging receive gave back").isTrue();
            assertThat(a.answered.await(20, TimeUnit.SECONDS)).as("queue a's receive answers late").isTrue();
            letBGo.countDown();

            fixture.events.awaitCount(dev.jobq.JobEvent.Completed.class, 6);
            assertThat(peak).as("handlers running at once, with concurrency 2").hasValueLessThanOrEqualTo(2);
            assertThat(fixture.events.all(dev.jobq.JobEvent.Completed.class))
                    .as("every job ran once, as its first attempt (a hand-back is not counted)")
                    .extracting(dev.jobq.JobEvent.Completed::attempt).containsOnly(1);
            assertThat(fixture.events.all(dev.jobq.JobEvent.Completed.class))
                    .extracting(dev.jobq.JobEvent.Completed::jobId).doesNotHaveDuplicates();
            if (!throwLate) {
                assertThat(log.list).as("the late receive's job found no permit free and was handed back")
                        .anyMatch(e -> e.getFormattedMessage().contains("with no permit free for it; handed it back"));
            }
        } finally {
            workerLog.detachAppender(log);
        }
    }

    @Test
    @DisplayName("under a random load over 3 queues (2 loops each on two), with a receive answering late and another "
            + "throwing late: never more handlers than concurrency, every job run once, as its first attempt")
    void aRandomLoadWithLateReceivesNeverRunsMoreThanConcurrency() throws Exception {
        var log = new CapturedLog();
        log.start();
        var workerLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.jobq");
        workerLog.addAppender(log);
        try {
            var late = new AnswersLate(fixture.closeLater(new MemoryProviderFactory().create(new ProviderContext("late",
                    Settings.of("test", "queues.late", Map.of()), Clock.systemUTC()))), "late", log, false);
            var throwing = new AnswersLate(fixture.closeLater(new MemoryProviderFactory().create(new ProviderContext(
                    "throwing", Settings.of("test", "queues.throwing", Map.of()), Clock.systemUTC()))), "throwing", log,
                    true);
            JobQueue jobs = fixture.closeLater(JobQueue.builder()
                    .queue("local", "memory", Map.of())
                    .queue("late", late)
                    .queue("throwing", throwing)
                    .workerQueues("local", "late", "throwing")
                    .concurrency(11) // two loops on each queue that receives in batches
                    .pollInterval(Duration.ofMillis(50))
                    .shutdownTimeout(Duration.ofMillis(500))
                    .listener(fixture.events)
                    .build());
            var running = new AtomicInteger();
            var peak = new AtomicInteger();
            var random = new java.util.SplittableRandom(20261204);
            var workNanos = new long[900];
            for (int i = 0; i < workNanos.length; i++) {
                workNanos[i] = random.nextLong(0, 3_000_000);
            }
            for (String queue : List.of("local", "late", "throwing")) {
                jobs.registerJobHandler(queue + ":work", Work.class, (job, ctx) -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        if (job.payload().n() == 60) {
                            late.hangNext();
                            throwing.hangNext();
                        }
                        // the job's work: up to 3 ms
                        java.util.concurrent.locks.LockSupport.parkNanos(workNanos[job.payload().n()]);
                    } finally {
                        running.decrementAndGet();
                    }
                });
            }
            jobs.start();
            for (int round = 0; round < 3; round++) {
                for (String queue : List.of("local", "late", "throwing")) {
                    var batch = new ArrayList<Work>();
                    for (int i = round * 100; i < round * 100 + 100; i++) {
                        batch.add(new Work(queue.equals("local") ? i : queue.equals("late") ? 300 + i : 600 + i));
                    }
                    jobs.enqueueAll(queue + ":work", batch, EnqueueOptions.queue(queue));
                }
                if (round == 0) {
                    assertThat(late.hung.await(20, TimeUnit.SECONDS)).as("a receive of queue late hangs").isTrue();
                    assertThat(throwing.hung.await(20, TimeUnit.SECONDS)).as("a receive of queue throwing hangs")
                            .isTrue();
                }
            }
            assertThat(late.answered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(throwing.answered.await(30, TimeUnit.SECONDS)).isTrue();

            List<dev.jobq.JobEvent.Completed> completed = fixture.events.awaitCount(dev.jobq.JobEvent.Completed.class,
                    900);
            assertThat(peak).as("handlers running at once, with concurrency 11").hasValueLessThanOrEqualTo(11);
            assertThat(completed).extracting(dev.jobq.JobEvent.Completed::jobId).doesNotHaveDuplicates();
            assertThat(completed).as("every job ran as its first attempt: a hand-back is not counted")
                    .extracting(dev.jobq.JobEvent.Completed::attempt).containsOnly(1);
        } finally {
            workerLog.detachAppender(log);
        }
    }

    /** The memory provider's capabilities, but receiving over the network, ten at a time, as SQS does. */
    static Capabilities receivingAsSqs(Capabilities real) {
        var features = EnumSet.noneOf(Feature.class);
        features.addAll(real.features());
        features.remove(Feature.LOCAL_RECEIVE);
        return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), features, 10, real.maxAttempts(),
                real.maxTimeout());
    }

    /** A memory provider that counts its receives. */
    static class CountsReceives extends ForwardingQueueProvider {
        final AtomicInteger receives = new AtomicInteger();

        CountsReceives(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            receives.incrementAndGet();
            return super.receive(max, wait);
        }
    }

    @Test
    @DisplayName("between two looks at its empty queue, the first queue keeps its permit from a later queue's backlog")
    void theFirstQueueKeepsItsPermitBetweenLooks() throws Exception {
        var critical = new CountsReceives(fixture.closeLater(new MemoryProviderFactory().create(
                new ProviderContext("critical", Settings.of("test", "queues.critical", Map.of()), Clock.systemUTC()))));
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("critical", critical)
                .queue("bulk", "memory", Map.of())
                .workerQueues("critical", "bulk")
                .concurrency(2)
                .pollInterval(Duration.ofMillis(1))
                .shutdownTimeout(Duration.ofMillis(100))
                .build());
        CountDownLatch letBulkGo = new CountDownLatch(1);
        CountDownLatch criticalRan = new CountDownLatch(1);
        jobs.registerJobHandler("bulk:work", Work.class, (job, ctx) -> letBulkGo.await());
        jobs.registerJobHandler("critical:work", Work.class, (job, ctx) -> criticalRan.countDown());
        jobs.enqueueAll("bulk:work", List.of(new Work(1), new Work(2), new Work(3)), EnqueueOptions.queue("bulk"));
        try {
            jobs.start();
            // every look at the empty queue ends its wait of 1 ms: a chance for bulk's waiting loop to take the permit
            await().alias("the critical queue keeps looking at its empty queue").atMost(Duration.ofSeconds(30))
                    .until(() -> critical.receives.get() >= 3_000);
            jobs.enqueue("critical:work", new Work(0), EnqueueOptions.queue("critical"));
            assertThat(criticalRan.await(10, TimeUnit.SECONDS))
                    .as("the critical job ran after 3,000 looks while bulk's slow jobs wait for permits").isTrue();
        } finally {
            letBulkGo.countDown();
        }
    }
}

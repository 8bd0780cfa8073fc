package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Feature;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code jobq run --max-jobs N} in the worker ({@link JobQueueRuntime#limitJobs}): it receives N jobs over all
 * its queues and no more, whether its handler threads take them with their acknowledgements (a provider that
 * receives in-process) or its poll loops receive them in batches (a provider over the network).
 */
class MaxJobsTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    private QueueProvider memory(String queue) {
        return fixture.closeLater(new MemoryProviderFactory().create(
                new ProviderContext(queue, Settings.of("test", "provider", Map.of()), Clock.systemUTC())));
    }

    /** As SQS receives: batches of 10 over the network, so every job comes through a poll loop. */
    private static QueueProvider inBatches(QueueProvider memory) {
        return new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                return receivedInBatches(delegate().capabilities());
            }
        };
    }

    /**
     * {@code real} as a provider that receives over the network has it (SQS): no {@link Feature#LOCAL_RECEIVE},
     * so the worker's poll loops receive batches of ten and its handler threads take none themselves.
     */
    static Capabilities receivedInBatches(Capabilities real) {
        var features = EnumSet.copyOf(real.features());
        features.remove(Feature.LOCAL_RECEIVE);
        return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), features, 10);
    }

    @Test
    @DisplayName("a worker limited to 30 jobs at concurrency 20 runs 30 of 1,000 quick jobs; the rest still wait")
    void inProcessTakesStopAtTheLimit() throws Exception {
        assertRunsExactly(30, List.of("default"), List.of(memory("default")));
    }

    @Test
    @DisplayName("the limit holds for receives in batches, and over all the worker's queues together")
    void batchReceivesAndSeveralQueuesShareTheLimit() throws Exception {
        assertRunsExactly(30, List.of("local", "remote"), List.of(memory("local"), inBatches(memory("remote"))));
    }

    @Test
    @DisplayName("a job whose lease was lost is not one of the limit's: its result is not recorded, so the worker "
            + "receives one more in its place and still ends after 30 outcomes")
    void aLostLeaseLeavesItsReceiveToAnotherJob() throws Exception {
        // Only that job's lease is lost, and the others' first heartbeats come a second after their receive: with every
        // heartbeat lost and a 300 ms lease, any job that a loaded machine held 100 ms between its receive and its
        // outcome lost its lease too, and one more job started in its place.
        var lost = new AtomicReference<String>();
        var losing = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "3s"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (job.jobId().equals(lost.get())) {
                    throw new LeaseLostException("job " + job.jobId() + " lost its lease");
                }
                super.extendLease(job, extension);
            }
        };
        JobQueue jobs = JobQueue.builder().concurrency(20).shutdownTimeout(Duration.ofSeconds(5))
                .backoff(Backoff.none()).listener(fixture.events).provider(new KeepOpen(losing)).build();
        fixture.closeLater(jobs);
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> {
            if (job.payload().n() == 0 && job.attempt() == 1) {
                // Runs until its first heartbeat finds the lease lost, then returns: a result nobody records.
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> {
                            Thread.interrupted();
                            return ctx.isCancelled();
                        });
                Thread.interrupted();
            }
        });
        lost.set(jobs.enqueue("work", new Work(0)));
        jobs.enqueueAll("work", IntStream.range(1, 1_000).mapToObj(Work::new).toList(), EnqueueOptions.none());
        ((JobQueueRuntime) jobs).limitJobs(30);
        jobs.start();

        // Before, the lost job used one of the 30 receives and the worker stopped receiving after 29 outcomes.
        fixture.events.awaitCount(JobEvent.Completed.class, 30);
        jobs.close();

        assertThat(jobs.stats("default").completed()).as("completed").isEqualTo(30);
        assertThat(fixture.events.all(JobEvent.Started.class)).as("started: the 30 and the lost one").hasSize(31);
    }

    @Test
    @DisplayName("the stop line's running count (activeHandlers) counts handlers that have not returned: not a job "
            + "whose Completed the limit is reading, nor one whose result is on its way to the provider")
    void aJobWhoseOutcomeIsAnnouncedIsNoLongerRunning() throws Exception {
        JobQueue jobs = fixture.queue(memory("default"), 4, Duration.ofSeconds(5));
        var runtime = (JobQueueRuntime) jobs;
        var runningWhenStarted = new java.util.concurrent.CopyOnWriteArrayList<Integer>();
        var runningWhenCompleted = new java.util.concurrent.CopyOnWriteArrayList<Integer>();
        jobs.addListener(event -> {
            // On the handler's thread, as --max-jobs' JobLimit reads the last job's Completed before the stop line.
            if (event instanceof JobEvent.Completed) {
                runningWhenCompleted.add(runtime.activeHandlers());
            }
        });
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> runningWhenStarted.add(runtime.activeHandlers()));
        jobs.start();
        jobs.enqueue("work", new Work(1));

        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        jobs.close();

        assertThat(runningWhenStarted).as("running while its handler runs").containsExactly(1);
        // Before, 1: the attempt was its thread's until the thread was done with it, after its Completed.
        assertThat(runningWhenCompleted).as("running once its handler returned and Completed is announced")
                .containsExactly(0);
    }

    /**
     * A memory provider whose first receive does not answer until {@link #answer()} (an SQS endpoint that stopped
     * answering, whose SDK waits out {@code requestTimeout} four times), then brings what is there.
     */
    static final class HangsFirstReceive extends ForwardingQueueProvider {
        private final AtomicBoolean first = new AtomicBoolean(true);
        private final CountDownLatch answering = new CountDownLatch(1);
        final CountDownLatch hung = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);

        HangsFirstReceive(QueueProvider delegate) {
            super(delegate);
        }

        void answer() {
            answering.countDown();
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (!first.compareAndSet(true, false)) {
                return super.receive(max, wait);
            }
            hung.countDown();
            try {
                answering.await(); // as the SDK's socket read, it does not end on an interrupt
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                return super.receive(max, Duration.ZERO);
            } finally {
                returned.countDown();
            }
        }
    }

    /** Queues "hangs" (listed first, its first receive hanging) and "works", concurrency 4, limited to 5 jobs. */
    private JobQueue hangingBesideWorking(HangsFirstReceive hangs) {
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("hangs", new KeepOpen(hangs))
                .queue("works", new KeepOpen(memory("works")))
                .workerQueues("hangs", "works")
                .concurrency(4)
                .pollInterval(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofSeconds(1))
                .backoff(Backoff.none())
                .listener(fixture.events)
                .build());
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        ((JobQueueRuntime) jobs).limitJobs(5);
        return jobs;
    }

    @Test
    @DisplayName("a receive of one queue that does not return gives its share of the limit back with its permits: "
            + "the other queue runs all 5 of the limit's jobs")
    void aHangingReceiveGivesItsShareOfTheLimitToTheOtherQueues() throws Exception {
        var hangs = new HangsFirstReceive(memory("hangs"));
        JobQueue jobs = hangingBesideWorking(hangs);
        try {
            jobs.start();
            assertThat(hangs.hung.await(10, TimeUnit.SECONDS)).as("queue hangs' first receive hangs").isTrue();
            jobs.enqueueAll("work", IntStream.range(0, 5).mapToObj(Work::new).toList(),
                    EnqueueOptions.queue("works"));

            // Before, 4: the hanging receive kept the fifth job's share of the limit until it returned.
            Awaitility.await().atMost(EventRecorder.WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                    assertThat(fixture.events.all(JobEvent.Completed.class)).as("jobs completed").hasSize(5));
            assertThat(((JobQueueRuntime) jobs).jobsEnded()).as("jobs ended under the limit").isEqualTo(5);
            assertThat(hangs.returned.getCount()).as("queue hangs' receive still has not returned").isEqualTo(1);
        } finally {
            hangs.answer();
        }
    }

    @Test
    @DisplayName("a receive that returns after its share of the limit went to the other queue hands back what it "
            + "brings once the limit is spent: never more than 5 jobs run")
    void aLateReceiveBeyondTheLimitHandsItsJobsBack() throws Exception {
        var log = new CapturedLog();
        log.start();
        var workerLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.jobq");
        workerLog.addAppender(log);
        var hangs = new HangsFirstReceive(memory("hangs"));
        try {
            JobQueue jobs = hangingBesideWorking(hangs);
            jobs.start();
            assertThat(hangs.hung.await(10, TimeUnit.SECONDS)).as("queue hangs' first receive hangs").isTrue();
            jobs.enqueue("work", new Work(-1), EnqueueOptions.queue("hangs"));
            jobs.enqueueAll("work", IntStream.range(0, 5).mapToObj(Work::new).toList(),
                    EnqueueOptions.queue("works"));
            fixture.events.awaitCount(JobEvent.Completed.class, 5);

            hangs.answer();
            assertThat(hangs.returned.await(10, TimeUnit.SECONDS)).as("queue hangs' receive returns").isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hangs.stats().waiting() == 1);
            jobs.close();

            assertThat(fixture.events.all(JobEvent.Started.class)).as("started").hasSize(5)
                    .allMatch(e -> e.queue().equals("works"));
            assertThat(log.list).as("the late receive's job was handed back").anyMatch(e -> e.getFormattedMessage()
                    .contains("with no room left for it under --max-jobs; handed it back"));
        } finally {
            hangs.answer();
            workerLog.detachAppender(log);
        }
    }

    private void assertRunsExactly(int limit, List<String> names, List<QueueProvider> providers) throws Exception {
        var builder = JobQueue.builder().concurrency(20).shutdownTimeout(Duration.ofSeconds(5))
                .backoff(Backoff.none()).listener(fixture.events);
        for (int i = 0; i < names.size(); i++) {
            builder.queue(names.get(i), new KeepOpen(providers.get(i)));
        }
        JobQueue jobs = builder.build();
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        int perQueue = 1_000 / names.size();
        for (String name : names) {
            jobs.enqueueAll("work", IntStream.range(0, perQueue).mapToObj(Work::new).toList(),
                    EnqueueOptions.queue(name));
        }
        ((JobQueueRuntime) jobs).limitJobs(limit);
        jobs.start();

        fixture.events.awaitCount(JobEvent.Completed.class, limit);
        jobs.close();

        long completed = 0;
        long waiting = 0;
        for (int i = 0; i < names.size(); i++) {
            completed += jobs.stats(names.get(i)).completed();
            waiting += providers.get(i).stats().waiting();
        }
        assertThat(completed).as("completed").isEqualTo(limit);
        assertThat(waiting).as("still waiting").isEqualTo(1_000 - limit);
        assertThat(fixture.events.all(JobEvent.Started.class)).hasSize(limit);
    }
}

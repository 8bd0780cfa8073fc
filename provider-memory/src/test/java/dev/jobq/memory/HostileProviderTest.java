package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Failure;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the worker does when a third-party provider's {@code fail()} or {@code acknowledge()} throws an {@code Error}
 * or a Throwable that is neither an Exception nor an Error, not only a RuntimeException
 * (docs/semantics.md#when-a-handler-or-listener-misbehaves): the attempt is settled without an outcome as when it
 * throws a RuntimeException, logged, the permit given back, and the worker goes on serving other jobs.
 */
class HostileProviderTest {

    record Work(int n) {
    }

    static final class NeitherExceptionNorError extends Throwable {
        NeitherExceptionNorError(String message) {
            super(message);
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    /** A memory provider whose first {@code fail()} and first {@code acknowledge()} each throw what they are given. */
    static final class ThrowsOnce extends ForwardingQueueProvider {
        final AtomicInteger failCalls = new AtomicInteger();
        final AtomicInteger acknowledgeCalls = new AtomicInteger();
        private final Supplier<Throwable> onFail;
        private final Supplier<Throwable> onAcknowledge;

        ThrowsOnce(QueueProvider delegate, Supplier<Throwable> onFail, Supplier<Throwable> onAcknowledge) {
            super(delegate);
            this.onFail = onFail;
            this.onAcknowledge = onAcknowledge;
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
            if (failCalls.incrementAndGet() == 1 && onFail.get() != null) {
                sneakyThrow(onFail.get());
            }
            super.fail(job, failure);
        }

        @Override
        public void acknowledge(ReceivedJob job) {
            if (acknowledgeCalls.incrementAndGet() == 1 && onAcknowledge.get() != null) {
                sneakyThrow(onAcknowledge.get());
            }
            super.acknowledge(job);
        }
    }

    private final WorkerFixture fixture = new WorkerFixture();
    private final EventRecorder events = fixture.events;
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler surefires;
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void record() {
        surefires = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        logged.start();
        workerLog.addAppender(logged);
    }

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
        workerLog.detachAppender(logged);
        Thread.setDefaultUncaughtExceptionHandler(surefires);
    }

    private <E extends JobEvent> List<E> awaitCount(Class<E> kind, int count) {
        await().dontCatchUncaughtExceptions().atMost(EventRecorder.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> events.all(kind).size() >= count);
        return events.all(kind);
    }

    private List<String> errorLines() {
        return logged.list.stream().filter(event -> event.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** One permit, a lease of 1 s: a delivery left unsettled comes back within the test's wait. */
    private JobQueue queue(ThrowsOnce provider) {
        return fixture.queue(provider, 1, Duration.ofSeconds(5));
    }

    private ThrowsOnce throwingOnFail(Throwable thrown) {
        return new ThrowsOnce(fixture.memoryProvider(Map.of("leaseDuration", "1s")), () -> thrown, () -> null);
    }

    /**
     * A memory provider (lease 10 m) whose first three {@code receive()} calls throw what {@code thrown} gives for the
     * call's number (1 to 3); later calls are served as the memory provider serves them.
     */
    private QueueProvider receiveThrowingOnItsFirstThreeCalls(IntFunction<Throwable> thrown) {
        var calls = new AtomicInteger();
        return new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                int call = calls.incrementAndGet();
                if (call <= 3) {
                    sneakyThrow(thrown.apply(call));
                }
                return super.receive(max, wait);
            }
        };
    }

    private static IllegalStateException exceptionWhoseGetMessageRunsOutOfMemory() {
        return new IllegalStateException("provider bug in receive()") {
            @Override
            public String getMessage() {
                throw new OutOfMemoryError("Java heap space");
            }
        };
    }

    /**
     * Starts a queue on {@code provider} (one permit) with an "ok" handler, enqueues {@code count} "ok" jobs and waits
     * until all of them completed, the handler run once for each.
     */
    private void enqueueOkJobsAndAwaitThemRun(QueueProvider provider, int count) {
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.start();
        for (int i = 0; i < count; i++) {
            jobs.enqueue("ok", new Work(i));
        }
        awaitCount(JobEvent.Completed.class, count);
        assertThat(ok).hasValue(count);
    }

    private void failingJobThenOk(JobQueue jobs, AtomicInteger ok) {
        jobs.registerJobHandler("throws", Work.class, (job, ctx) -> {
            throw new IllegalStateException("handler failed");
        });
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.start();
        jobs.enqueue("throws", new Work(1), EnqueueOptions.builder().maxAttempts(1).build());
    }

    @Test
    @DisplayName("fail() throwing an Error: logged, no Dead, the worker goes on on its one permit and the job comes "
            + "back after its lease")
    void failThrowingAnError() {
        ThrowsOnce provider = throwingOnFail(new AssertionError("provider bug in fail()"));
        JobQueue jobs = queue(provider);
        var ok = new AtomicInteger();
        failingJobThenOk(jobs, ok);
        await().atMost(EventRecorder.WAIT).until(() -> provider.failCalls.get() >= 1);
        jobs.enqueue("ok", new Work(2));
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(ok).as("the worker goes on serving other jobs on its one permit").hasValue(1);
        // The delivery was not recorded: it comes back when its lease ends, and is dead then.
        JobEvent.Dead dead = awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(events.all(JobEvent.Dead.class)).hasSize(1);
        // Before, the Error escaped the attempt to the thread's uncaught-exception handler, with no log line of jobq's.
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("recording its failure")
                && line.contains("it will be delivered again when its lease ends"));
    }

    @Test
    @DisplayName("fail() throwing a Throwable that is neither an Exception nor an Error: the same")
    void failThrowingAnOddThrowable() {
        failThrowsOnceThenTheWorkerGoesOnAndTheJobIsDeadAfterItsLease(new NeitherExceptionNorError("odd"));
    }

    /** The job's one failure is refused by fail() throwing {@code thrown}; other jobs run, and it dies on its return. */
    private void failThrowsOnceThenTheWorkerGoesOnAndTheJobIsDeadAfterItsLease(Throwable thrown) {
        ThrowsOnce provider = throwingOnFail(thrown);
        JobQueue jobs = queue(provider);
        var ok = new AtomicInteger();
        failingJobThenOk(jobs, ok);
        await().atMost(EventRecorder.WAIT).until(() -> provider.failCalls.get() >= 1);
        jobs.enqueue("ok", new Work(2));
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(awaitCount(JobEvent.Dead.class, 1).get(0).attempt()).isEqualTo(2);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("fail() of a retry throwing an Error: Failed was announced, the worker goes on, the retry comes "
            + "back after the lease")
    void retryThrowingAnError() {
        ThrowsOnce provider = throwingOnFail(new LinkageError("provider bug in fail()"));
        JobQueue jobs = queue(provider);
        var runs = new AtomicInteger();
        jobs.registerJobHandler("flaky", Work.class, (job, ctx) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt");
            }
        });
        jobs.start();
        jobs.enqueue("flaky", new Work(1), EnqueueOptions.builder().maxAttempts(3).build());
        assertThat(awaitCount(JobEvent.Completed.class, 1).get(0).attempt()).isEqualTo(2);
        assertThat(events.all(JobEvent.Failed.class)).hasSize(1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("acknowledge() throwing an Error: the job is still announced Completed, close() does not wait for it, "
            + "and the worker goes on")
    void acknowledgeThrowingAnError() throws Exception {
        var provider = new ThrowsOnce(fixture.memoryProvider(Map.of("leaseDuration", "10m")), () -> null,
                () -> new AssertionError("provider bug in acknowledge()"));
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(30));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.start();
        jobs.enqueue("ok", new Work(1));
        awaitCount(JobEvent.Completed.class, 1);
        jobs.enqueue("ok", new Work(2));
        awaitCount(JobEvent.Completed.class, 2);
        assertThat(ok).hasValue(2);
        assertThat(uncaught).isEmpty();
        // Before, the attempt was never settled: close() waited its whole shutdownTimeout (30 s) for it.
        long began = System.nanoTime();
        jobs.close();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("extendLease() throwing an Error once: later heartbeats still extend the lease, the job runs once")
    void extendLeaseThrowingAnError() throws InterruptedException {
        var extended = new java.util.concurrent.CountDownLatch(4);
        var calls = new AtomicInteger();
        // A lease of 3 s, heartbeats a second apart: with 1 s, the heartbeat after the failed one had 333 ms to reach the
        // provider before the lease ran out, and one that late (a loaded core's) lost it; the job ran twice.
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "3s"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                int call = calls.incrementAndGet();
                extended.countDown();
                if (call == 1) {
                    throw new AssertionError("provider bug in extendLease()");
                }
                super.extendLease(job, extension);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var heartbeatsSeen = new AtomicInteger();
        jobs.registerJobHandler("long", Work.class, (job, ctx) -> {
            // Before, the first heartbeat's Error left no heartbeat ever due again: the lease of 3 s ran out.
            if (extended.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                heartbeatsSeen.set(calls.get());
            }
        });
        jobs.start();
        jobs.enqueue("long", new Work(1));
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(heartbeatsSeen.get()).isGreaterThanOrEqualTo(4);
        assertThat(events.all(JobEvent.Started.class)).hasSize(1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("receive() throwing an Error, on the poll loop and on a handler thread taking its next job: logged, "
            + "and the queue is still served")
    void receiveThrowingAnError() {
        QueueProvider provider = receiveThrowingOnItsFirstThreeCalls(call -> call == 2
                ? new NeitherExceptionNorError("odd receive") : new AssertionError("provider bug in receive()"));
        // Before, the first Error ended the poll loop with its permit taken: no job of the queue ran again.
        enqueueOkJobsAndAwaitThemRun(provider, 5);
        assertThat(uncaught).isEmpty();
        assertThat(logged.list).anyMatch(event -> event.getLevel() == Level.WARN
                && event.getFormattedMessage().contains("receiving from queue 'default' failed"));
    }

    @Test
    @DisplayName("receive() throwing exceptions whose getMessage() runs out of memory: logged by their class, and the "
            + "queue is still served, as after receive()'s own Error")
    void receiveThrowingAnExceptionWhoseGetMessageRunsOutOfMemory() {
        QueueProvider provider = receiveThrowingOnItsFirstThreeCalls(call -> exceptionWhoseGetMessageRunsOutOfMemory());
        // Before, the OutOfMemoryError its log-safe copy handed on ended the poll loop: no job of the queue ran.
        enqueueOkJobsAndAwaitThemRun(provider, 5);
        assertThat(uncaught).isEmpty();
        assertThat(logged.list).anyMatch(event -> event.getLevel() == Level.WARN
                && event.getFormattedMessage().startsWith("receiving from queue 'default' failed")
                && event.getFormattedMessage().contains(" (its getMessage() threw OutOfMemoryError)"));
    }

    @Test
    @DisplayName("receive() on a handler thread taking its next job throwing an exception whose getMessage() runs out "
            + "of memory: logged as receive()'s own Error is, nothing handed to the uncaught-exception handler")
    void handlerThreadsReceiveThrowingAnExceptionWhoseGetMessageRunsOutOfMemory() {
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                if (StackWalker.getInstance().walk(frames -> frames.anyMatch(frame -> frame.getMethodName()
                        .equals("next") && frame.getClassName().equals("dev.jobq.internal.worker.Worker")))) {
                    throw exceptionWhoseGetMessageRunsOutOfMemory();
                }
                return super.receive(max, wait);
            }
        };
        // Before, the OutOfMemoryError its log-safe copy handed on ended the handler thread, through the thread's
        // uncaught-exception handler (which an application may have set to stop the process on it).
        enqueueOkJobsAndAwaitThemRun(provider, 3);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("receive() throwing exceptions whose toString() throws: logged, and the queue is still served")
    void receiveThrowingAnUnprintableException() {
        QueueProvider provider = receiveThrowingOnItsFirstThreeCalls(call -> new IllegalStateException(
                "provider bug in receive()") {
            @Override
            public String toString() {
                throw new IllegalStateException("toString() threw");
            }
        });
        // Before, what the log threw describing the first failure ended the poll loop: no job of the queue ran.
        enqueueOkJobsAndAwaitThemRun(provider, 5);
        assertThat(uncaught).isEmpty();
        assertThat(logged.list).anyMatch(event -> event.getLevel() == Level.WARN
                && event.getFormattedMessage().contains("receiving from queue 'default' failed"));
    }

    @Test
    @DisplayName("release() throwing an Error for a job the provider brought beyond what was asked: logged, the other "
            + "extra is still handed back and runs, and the queue is still served")
    void releaseOfAnExtraJobThrowingAnError() {
        var receives = new AtomicInteger();
        var releases = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public Capabilities capabilities() {
                return MaxJobsTest.receivedInBatches(delegate().capabilities()); // only the poll loop receives
            }

            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                return super.receive(receives.incrementAndGet() == 1 ? max + 2 : max, wait);
            }

            @Override
            public void release(ReceivedJob job) {
                if (releases.incrementAndGet() == 1) {
                    throw new AssertionError("provider bug in release()");
                }
                super.release(job);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("ok", new Work(i));
        }
        jobs.start();

        // The one asked for and the extra handed back; the one whose release threw waits out its lease.
        // Before, the Error ended the poll loop: the second extra was never handed back and nothing ran again.
        awaitCount(JobEvent.Completed.class, 2);
        jobs.enqueue("ok", new Work(3));
        awaitCount(JobEvent.Completed.class, 3);
        assertThat(ok).hasValue(3);
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("returned 3 jobs when asked for 1")
                && line.contains("could not be handed back"));
    }

    @Test
    @DisplayName("acknowledgeAndReceive() bringing more jobs than asked: the extra is handed back at once and runs, not "
            + "left leased and forgotten until its lease ends")
    void acknowledgeAndReceiveBringingAnExtraJob() {
        var acks = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
                acknowledge(job);
                return receive(acks.incrementAndGet() == 1 ? max + 1 : max, Duration.ZERO);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("ok", new Work(i));
        }
        jobs.start();

        // Before, the handler thread ran the first job it brought and dropped the other, leased for 10 minutes.
        awaitCount(JobEvent.Completed.class, 3);
        assertThat(ok).hasValue(3);
        assertThat(errorLines()).anyMatch(line -> line.contains("returned 2 jobs when asked for 1; handed back job"));
    }

    @Test
    @DisplayName("a handler thread's receive of its next job bringing more jobs than asked: the extra is handed back at "
            + "once and runs, not left leased and forgotten until its lease ends")
    void handlerThreadsReceiveBringingAnExtraJob() {
        var handlerReceives = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                boolean handlerThread = Thread.currentThread().getName().startsWith("jobq-worker-");
                return super.receive(handlerThread && handlerReceives.incrementAndGet() == 1 ? max + 1 : max, wait);
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> {
            if (job.payload().n() == 0) {
                throw new NonRetryableJobException("the first one fails: its thread then receives on its own");
            }
            ok.incrementAndGet();
        });
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("ok", new Work(i));
        }
        jobs.start();

        // Before, the handler thread ran the first job it received and dropped the other, leased for 10 minutes.
        awaitCount(JobEvent.Completed.class, 2);
        assertThat(ok).hasValue(2);
        assertThat(errorLines()).anyMatch(line -> line.contains("returned 2 jobs when asked for 1; handed back job"));
        // A line about the provider, logged by a thread between two jobs: it named the job before (its log context,
        // the dead job's id), and a search of the logs by that job's id found a provider's error it had no part in.
        assertThat(logged.list).filteredOn(event -> event.getFormattedMessage().contains("returned 2 jobs"))
                .singleElement().satisfies(event -> assertThat(event.getMDCPropertyMap()).doesNotContainKey("jobId"));
    }

    @Test
    @DisplayName("release() throwing an Error at shutdown: the attempt still ends with Released (it ended unfinished; its "
            + "job comes back when its lease ends, not at once), with a warning and no line saying it was released")
    void releaseAtShutdownThrowingAnError() {
        var releases = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public void release(ReceivedJob job) {
                releases.incrementAndGet();
                throw new AssertionError("provider bug in release()");
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofMillis(200));
        jobs.registerJobHandler("waits", Work.class, (job, ctx) -> new java.util.concurrent.CountDownLatch(1).await());
        jobs.start();
        String id = jobs.enqueue("waits", new Work(1));
        awaitCount(JobEvent.Started.class, 1);
        jobs.close();

        assertThat(releases).hasValue(1);
        assertThat(events.all(JobEvent.Released.class)).singleElement()
                .satisfies(released -> assertThat(released.jobId()).isEqualTo(id));
        assertThat(events.all(JobEvent.WorkerStopped.class)).singleElement()
                .satisfies(stopped -> assertThat(stopped.released()).isEqualTo(1));
        assertThat(uncaught).isEmpty();
        List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(line -> line.contains(id) && line.contains("could not be released at shutdown"));
        // Before, an INFO line said "released unfinished at shutdown" right after the warning that it was not.
        assertThat(lines).noneMatch(line -> line.contains(id) && line.contains("released unfinished at shutdown"));
    }

    /** What a client library may throw: an exception whose toString() reads what is gone, so it throws in turn. */
    static final class UnprintableException extends RuntimeException {
        UnprintableException() {
            super("connection reset");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("the connection this exception describes is closed");
        }
    }

    @Test
    @DisplayName("a heartbeat that fails with an exception the log cannot print: the next heartbeats are still sent")
    void heartbeatFailureThatCannotBeLoggedDoesNotStopTheHeartbeats() throws InterruptedException {
        var extends_ = new AtomicInteger();
        var extendedAgain = new java.util.concurrent.CountDownLatch(1);
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "300ms"))) {
            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (extends_.incrementAndGet() == 1) {
                    throw new UnprintableException();
                }
                super.extendLease(job, extension);
                extendedAgain.countDown();
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(2));
        var release = new java.util.concurrent.CountDownLatch(1);
        jobs.registerJobHandler("long", Work.class, (job, ctx) -> release.await(20, java.util.concurrent.TimeUnit.SECONDS));
        jobs.start();
        jobs.enqueue("long", new Work(1));
        try {
            // Before, logging the failure threw, and the heartbeat never set its next one due: the lease ran out under
            // the running handler, and the job could be delivered to a second worker while it still ran.
            assertThat(extendedAgain.await(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("a heartbeat after the one that failed").isTrue();
        } finally {
            release.countDown();
        }
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("acknowledge() throwing an exception the log cannot print: the job is still announced Completed")
    void acknowledgeThrowingAnUnprintableException() {
        var provider = new ThrowsOnce(fixture.memoryProvider(Map.of("leaseDuration", "10m")), () -> null,
                UnprintableException::new);
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(30));
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("ok", new Work(1));
        // Before, logging the failed acknowledgement threw out of the attempt: no Completed, not counted, and a trace
        // on stderr from the thread's uncaught-exception handler.
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("fail() throwing an exception the log cannot print: logged, the worker goes on, and the job is dead "
            + "when it comes back after its lease")
    void failThrowingAnUnprintableException() {
        failThrowsOnceThenTheWorkerGoesOnAndTheJobIsDeadAfterItsLease(new UnprintableException());
        assertThat(errorLines()).anyMatch(line -> line.contains("recording its failure"));
    }

    @Test
    @DisplayName("a provider that leases for ever (a lease longer than 292 years): its jobs run, and its queue is "
            + "still served")
    void leaseLongerThanNanosecondsHoldIsServed() {
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of())) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                return super.receive(max, wait).stream().map(job -> new ReceivedJob(job.envelope(), job.attempt(),
                        job.receipt(), java.time.temporal.ChronoUnit.FOREVER.getDuration())).toList();
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(2));
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("ok", new Work(1));
        jobs.enqueue("ok", new Work(2));
        // Before, Duration.toNanos() of the lease threw in the poll loop as it launched the job: the loop ended, the
        // job's permit was never given back, and the queue was served no more.
        awaitCount(JobEvent.Completed.class, 2);
        assertThat(uncaught).isEmpty();
    }

    @Test
    @DisplayName("receive() returning a list with a null in it: logged, naming the provider, and the queue is still "
            + "served on its permit")
    void receiveReturningANullJob() {
        var receives = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                if (receives.incrementAndGet() == 1) {
                    return Arrays.asList((ReceivedJob) null); // a third-party provider's bug
                }
                return super.receive(max, wait);
            }
        };
        // Before, launching the null threw a NullPointerException out of the poll loop: its one permit was never given
        // back, the loop ended with a trace on stderr only, and no job of the queue ran again.
        enqueueOkJobsAndAwaitThemRun(provider, 3);
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("queue 'default'") && line.contains("returned a null")
                && line.contains("(" + KeepOpen.class.getName() + ")")); // the fixture's provider, around this one
    }

    @Test
    @DisplayName("receive() returning more jobs than asked, one of them null: the null is logged, and the queue is still "
            + "served")
    void receiveReturningANullBeyondWhatWasAsked() {
        var receives = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public Capabilities capabilities() {
                return MaxJobsTest.receivedInBatches(delegate().capabilities()); // only the poll loop receives
            }

            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                List<ReceivedJob> jobs = super.receive(max, wait);
                if (jobs.isEmpty() || receives.incrementAndGet() > 1) {
                    return jobs;
                }
                var withNull = new ArrayList<>(jobs);
                withNull.add(null); // a third-party provider's bug, twice over
                return withNull;
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.enqueue("ok", new Work(0));
        jobs.start();
        awaitCount(JobEvent.Completed.class, 1);
        jobs.enqueue("ok", new Work(1));
        jobs.enqueue("ok", new Work(2));

        // Before, handing the null back as an extra threw a NullPointerException out of the poll loop, which ended:
        // no job of the queue ran after the first.
        awaitCount(JobEvent.Completed.class, 3);
        assertThat(ok).hasValue(3);
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("queue 'default'") && line.contains("a null"));
    }

    @Test
    @DisplayName("a handler thread's own receive returning a null beside its job: the null is logged, and that job runs "
            + "now, not after its lease")
    void aHandlerThreadsReceiveReturningANullBesideItsJob() {
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                List<ReceivedJob> jobs = super.receive(max, wait);
                if (jobs.isEmpty()) {
                    return jobs;
                }
                var withNull = new ArrayList<>(jobs);
                withNull.add(null); // a third-party provider's bug: on the poll loop, a handler thread's own receive
                return withNull;    // after a failure, and the receive with an acknowledgement
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("throws", Work.class, (job, ctx) -> {
            throw new IllegalStateException("boom");
        });
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.enqueue("throws", new Work(0), EnqueueOptions.builder().maxAttempts(1).build());
        jobs.enqueue("ok", new Work(1));
        jobs.enqueue("ok", new Work(2));
        jobs.start();

        // Before, handing back the null beside the job of the receive after the failure threw a NullPointerException,
        // logged at DEBUG only: that job was taken by no one, and ran only once its lease of 10 minutes had ended.
        awaitCount(JobEvent.Completed.class, 2);
        assertThat(ok).hasValue(2);
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("queue 'default'") && line.contains("a null"));
        assertThat(logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)).as("the acknowledgement with the receive of the next job "
                        + "succeeded").noneMatch(line -> line.contains("acknowledgement"));
    }

    @Test
    @DisplayName("receive() returning a null first and a job beyond what was asked: the job is handed back and runs now, "
            + "not after its lease")
    void receiveReturningANullFirstAndAJobBeyondWhatWasAsked() {
        var receives = new AtomicInteger();
        QueueProvider provider = new ForwardingQueueProvider(fixture.memoryProvider(Map.of("leaseDuration", "10m"))) {
            @Override
            public List<ReceivedJob> receive(int max, Duration wait) {
                List<ReceivedJob> jobs = super.receive(max, wait);
                if (jobs.isEmpty() || receives.incrementAndGet() > 1) {
                    return jobs;
                }
                var withNull = new ArrayList<ReceivedJob>();
                withNull.add(null); // a third-party provider's bug: a null where the job it asked for goes
                withNull.addAll(jobs);
                return withNull;
            }
        };
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(5));
        var ok = new AtomicInteger();
        jobs.registerJobHandler("ok", Work.class, (job, ctx) -> ok.incrementAndGet());
        jobs.enqueue("ok", new Work(0));
        jobs.start();

        // Before, handing the job back read the receipt of the null before it, to tell whether the job was a copy of
        // one run: the NullPointerException left the job leased, run by no one, until its lease of 10 minutes ended.
        awaitCount(JobEvent.Completed.class, 1);
        assertThat(ok).hasValue(1);
        assertThat(uncaught).isEmpty();
        assertThat(errorLines()).anyMatch(line -> line.contains("queue 'default'") && line.contains("a null"));
    }
}

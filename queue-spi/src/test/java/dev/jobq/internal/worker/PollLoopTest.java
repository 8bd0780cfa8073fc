package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.internal.runtime.QueueCounters;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("PollLoop: receives for the free permits, a batch's worth at a time while a backlog lasts")
class PollLoopTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("on a provider that receives in batches, a backlog makes the loop wait for a batch's worth of permits")
    void gathersABatchOfPermitsWhileABacklogLasts() throws InterruptedException {
        var provider = new BacklogProvider(25, 10);
        var permits = new PermitPool(10, 1);
        try (var running = RunningLoop.start(provider, permits)) {
            List<ReceivedJob> launched = running.launched();
            await().atMost(WAIT).until(() -> launched.size() == 10);

            permits.release(3);
            await().atMost(WAIT).until(() -> provider.asks.size() == 2
                    || running.thread().getState() == Thread.State.TIMED_WAITING);
            permits.release(7);
            await().atMost(WAIT).until(() -> launched.size() == 20);
            permits.release(10);
            await().atMost(WAIT).until(() -> launched.size() == 25);

            // The third receive got 5 of the 10 it asked for: no backlog, so the loop receives at
            // once with the 5 permits it did not use.
            await().atMost(WAIT).until(() -> provider.asks.size() == 4);
            assertThat(provider.asks).containsExactly(10, 10, 10, 5);
        }
    }

    @Test
    @DisplayName("on a provider whose receive costs no round trip, the loop receives as soon as a permit is free")
    void receivesAtOnceWhenReceivingIsCheap() throws InterruptedException {
        var provider = new BacklogProvider(25, 1);
        var permits = new PermitPool(10, 1);
        try (var running = RunningLoop.start(provider, permits)) {
            List<ReceivedJob> launched = running.launched();
            await().atMost(WAIT).until(() -> launched.size() == 10);
            permits.release(3);
            await().atMost(WAIT).until(() -> launched.size() == 13);
            assertThat(provider.asks).containsExactly(10, 3);
        }
    }

    @Test
    @DisplayName("a receive already under way when an outage began, which then returns, does not end the outage: "
            + "one WARN for it, no 'works again'")
    void aReceiveUnderWayWhenTheOutageBeganDoesNotEndIt() throws InterruptedException {
        var provider = new OutageProvider();
        var failures = new ReceiveFailures("default");
        var logged = new CopyOnWriteArrayList<ILoggingEvent>();
        var appender = new AppenderBase<ILoggingEvent>() {
            @Override
            protected void append(ILoggingEvent event) {
                logged.add(event);
            }
        };
        appender.start();
        var logger = (Logger) LoggerFactory.getLogger(PollLoop.class);
        logger.addAppender(appender);
        try (var underWay = RunningLoop.start(provider, new PermitPool(1, 1), failures)) {
            assertThat(provider.held.await(10, TimeUnit.SECONDS)).as("the first receive is under way").isTrue();
            try (var failing = RunningLoop.start(provider, new PermitPool(1, 1), failures)) {
                await().atMost(WAIT).until(() -> provider.refused.get() >= 1);
                // the poll that began before the outage returns (empty, as a long poll does)
                provider.answer.countDown();
                int before = provider.refused.get();
                await().atMost(WAIT).until(() -> provider.refused.get() >= before + 3);
            }
        } finally {
            logger.detachAppender(appender);
        }

        // Before, its return logged "works again" and the next failure a first WARN with its stack trace:
        // under load SqsOutageTest saw two such WARNs for one outage.
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getThrowableProxy()).isNotNull());
        assertThat(logged).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("works again"));
    }

    @Test
    @DisplayName("a loop of a worker with several queues that ends on a Throwable gives its first permit back once, "
            + "not a second time in place of one another queue holds")
    void aLoopEndingOnAThrowableGivesItsFirstPermitBackOnce() throws InterruptedException {
        var provider = new UnprintableFailuresProvider();
        var permits = new PermitPool(2, 2);
        var loop = new PollLoop(binding(provider), 0, permits, Duration.ofSeconds(1),
                (queue, tier, job) -> { }, new ReceiveFailures("default"));
        loop.startWith(permits.takeFree(1));
        assertThat(permits.takeFree(1)).as("the other queue's loop holds the other permit").isEqualTo(1);
        Thread thread = Thread.ofVirtual().start(loop);
        try {
            // the loop ends on what the log threw, or goes on failing: either way it gives back what it holds
            await().dontCatchUncaughtExceptions().atMost(WAIT)
                    .until(() -> !thread.isAlive() || provider.receives.get() >= 2);
        } finally {
            loop.stop();
            thread.interrupt();
            assertThat(thread.join(WAIT)).isTrue();
        }
        assertThat(permits.available()).as("free once the loop ended, with the other queue's permit still held")
                .isEqualTo(1);
    }

    @Test
    @DisplayName("several loops of one queue whose receives all go overdue log one WARN for the queue, the others at "
            + "DEBUG")
    void overdueReceivesOfOneQueueLogOneWarn() throws InterruptedException {
        var provider = new HangingProvider();
        var failures = new ReceiveFailures("default");
        var permits = new PermitPool(4, 2);
        try (var log = CapturedLog.ofPollLoop()) {
            var loops = new ArrayList<RunningLoop>();
            try {
                for (int i = 0; i < 3; i++) {
                    loops.add(RunningLoop.startAmong(provider, permits, failures));
                }
                await().atMost(WAIT).until(() -> provider.hanging.get() == 3);
                long pastEveryWait = System.nanoTime() + Duration.ofHours(1).toNanos();
                loops.forEach(running -> running.loop().giveBackIfOverdue(pastEveryWait));
                assertThat(permits.available()).as("every permit given to the other queues").isEqualTo(4);
            } finally {
                provider.answerInTime();
                provider.answerAll();
                for (RunningLoop running : loops) {
                    running.close();
                }
            }

            // Before, one WARN per receive: a queue on SQS has a loop per ten permits, and a hung endpoint hangs
            // them all, each again after every try.
            assertThat(log.overdue(Level.WARN)).as("overdue WARNs").hasSize(1);
            assertThat(log.overdue(Level.DEBUG)).as("overdue DEBUG lines").hasSize(2);
        }
    }

    @Test
    @DisplayName("a queue's receive that goes overdue again and again logs one WARN, then one INFO once a receive "
            + "begun after it returns in time")
    void aReceiveOverdueAgainAndAgainLogsOneWarnThenOneInfo() throws InterruptedException {
        var provider = new HangingProvider();
        var failures = new ReceiveFailures("default");
        var permits = new PermitPool(2, 2);
        try (var log = CapturedLog.ofPollLoop(); var running = RunningLoop.startAmong(provider, permits, failures)) {
            for (int hang = 1; hang <= 3; hang++) {
                int calls = hang;
                await().atMost(WAIT).until(() -> provider.calls.get() == calls && provider.hanging.get() == 1);
                running.loop().giveBackIfOverdue(System.nanoTime() + Duration.ofHours(1).toNanos());
                if (hang == 3) {
                    provider.answerInTime();
                }
                provider.answerAll();
            }
            // Before, a WARN for each of the 3, and no line when receives returned in time again.
            assertThat(log.overdue(Level.WARN)).as("overdue WARNs").hasSize(1);
            assertThat(log.overdue(Level.DEBUG)).as("overdue DEBUG lines").hasSize(2);
            await().atMost(WAIT).until(() -> log.contains(Level.INFO, "receives from queue 'default' return in time"));
            assertThat(log.lines(Level.INFO)).as("INFO lines").singleElement().asString()
                    .startsWith("receives from queue 'default' return in time again: 3 went overdue over ");
        }
    }

    /**
     * A provider whose receives hang until {@link #answerAll()}, then return empty; from {@link #answerInTime()} on,
     * they return empty after their wait.
     */
    private static final class HangingProvider extends BacklogProvider {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger hanging = new AtomicInteger();
        private final java.util.concurrent.Semaphore answers = new java.util.concurrent.Semaphore(0);
        private volatile boolean inTime;

        HangingProvider() {
            super(0, 10);
        }

        void answerAll() {
            answers.release(hanging.get());
        }

        void answerInTime() {
            inTime = true;
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            calls.incrementAndGet();
            if (inTime) {
                return super.receive(max, wait);
            }
            hanging.incrementAndGet();
            try {
                answers.acquire(); // as the SDK's socket read, it does not end on an interrupt
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                hanging.decrementAndGet();
            }
            return List.of();
        }
    }

    /** The lines PollLoop's logger writes, DEBUG included, while it is open. */
    private static final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final List<ILoggingEvent> logged = new CopyOnWriteArrayList<>();
        private final Logger logger = (Logger) LoggerFactory.getLogger(PollLoop.class);
        private final Level level = logger.getLevel();

        static CapturedLog ofPollLoop() {
            var log = new CapturedLog();
            log.start();
            log.logger.addAppender(log);
            log.logger.setLevel(Level.DEBUG);
            return log;
        }

        @Override
        protected void append(ILoggingEvent event) {
            logged.add(event);
        }

        List<String> lines(Level at) {
            return logged.stream().filter(e -> e.getLevel() == at).map(ILoggingEvent::getFormattedMessage).toList();
        }

        List<String> overdue(Level at) {
            return lines(at).stream().filter(m -> m.startsWith("a receive from queue 'default' has not returned"))
                    .toList();
        }

        boolean contains(Level at, String text) {
            return lines(at).stream().anyMatch(m -> m.contains(text));
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            logger.setLevel(level);
        }
    }

    @Test
    @DisplayName("a provider whose receive returns null is treated as a failed receive: logged, tried again after a "
            + "pause, and the loop goes on serving the queue with its permits")
    void aReceiveReturningNullIsAFailedReceiveNotTheEndOfTheLoop() throws InterruptedException {
        var provider = new NullOnceProvider();
        var permits = new PermitPool(2, 1);
        try (var log = CapturedLog.ofPollLoop();
                var running = RunningLoop.start(provider, permits, new ReceiveFailures("default"))) {
            await().atMost(WAIT).until(() -> running.launched().size() == 2 || !running.thread().isAlive());
            // Before, the null ended the loop on a NullPointerException (jobs.size()) with the receive's two permits
            // taken: the queue was served no more, and the log had nothing but an uncaught trace on stderr.
            assertThat(running.thread().isAlive()).as("the loop goes on").isTrue();
            assertThat(running.launched()).hasSize(2);
            assertThat(log.lines(Level.WARN)).anySatisfy(m -> assertThat(m)
                    .contains("receiving from queue 'default' failed"));
        }
    }

    @Test
    @DisplayName("an interrupt on the loop's thread that is not the worker stopping (a listener a provider calls there "
            + "as it receives) is logged, and the loop goes on serving the queue")
    void anInterruptThatIsNotAStopDoesNotEndTheLoop() throws InterruptedException {
        var provider = new InterruptsOnceProvider();
        try (var log = CapturedLog.ofPollLoop();
                var running = RunningLoop.start(provider, new PermitPool(2, 1), new ReceiveFailures("default"))) {
            await().atMost(WAIT).until(() -> running.launched().size() == 2 || !running.thread().isAlive());
            // Before, the loop ended on the interrupt as on the worker's stop: the queue was served no more while the
            // worker ran on, and nothing was logged.
            assertThat(running.thread().isAlive()).as("the loop goes on").isTrue();
            assertThat(running.launched()).hasSize(2);
            assertThat(log.lines(Level.WARN)).anySatisfy(m -> assertThat(m)
                    .contains("poll loop of queue 'default' was interrupted", "goes on receiving"));
        }
    }

    @Test
    @DisplayName("the loop's lines about a job a provider's fault left (not started, a copy, an extra not handed back "
            + "or handed back) name it by its id escaped: one with a newline, a scheduler row's changed by hand and "
            + "handed on to a memory queue as it is, forged a line of each")
    void linesAboutAJobNameItsIdEscaped() throws InterruptedException {
        String id = "row-1\n12:00:00.000 INFO forged\u001b[31m";
        var provider = new FaultyWithOddIds(id);
        var failures = new ReceiveFailures("default");
        try (var log = CapturedLog.ofPollLoop()) {
            var loop = new PollLoop(binding(provider), 0, new PermitPool(1, 1), Duration.ofSeconds(1),
                    (queue, tier, job) -> {
                        throw new IllegalStateException("no thread for it");
                    }, failures);
            try (var running = new RunningLoop(loop, Thread.ofVirtual().start(loop), List.of())) {
                await().atMost(WAIT).until(() -> provider.releases.get() >= 2);
            }
            List<String> lines = new ArrayList<>(log.lines(Level.ERROR));
            lines.addAll(log.lines(Level.WARN));
            String escaped = "row-1\\n12:00:00.000 INFO forged\\u001b[31m";
            // Before, each repeated the id as it was, its newline starting a line of the forger's.
            assertThat(lines).anyMatch(m -> m.startsWith("job " + escaped + " of queue 'default' could not be started"))
                    .anyMatch(m -> m.contains("returned job " + escaped + " twice in one receive"))
                    .anyMatch(m -> m.contains("job " + escaped + "-extra could not be handed back"))
                    .anyMatch(m -> m.contains("handed back job " + escaped + "-extra"))
                    .noneMatch(m -> m.contains("\n") || m.contains("\u001b"));
        }
    }

    @Test
    @DisplayName("an overdue receive's lines about a job it brought with no permit free for it (handed back, or not "
            + "handed back) name it by its id escaped")
    void anOverdueReceivesLinesNameTheJobByItsIdEscaped() throws InterruptedException {
        String id = "row-1\n12:00:00.000 INFO forged\u001b[31m";
        var provider = new OverdueWithOddIds(id);
        var permits = new PermitPool(2, 2);
        try (var log = CapturedLog.ofPollLoop();
                var running = RunningLoop.startAmong(provider, permits, new ReceiveFailures("default"))) {
            for (int hang = 1; hang <= 2; hang++) {
                int calls = hang;
                await().atMost(WAIT).until(() -> provider.calls.get() == calls && provider.hanging.get() == 1);
                running.loop().giveBackIfOverdue(System.nanoTime() + Duration.ofHours(1).toNanos());
                int taken = permits.takeFree(permits.total()); // every permit in use elsewhere when it returns
                provider.answers.release();
                int released = hang;
                await().atMost(WAIT).until(() -> provider.releases.get() >= released);
                permits.release(taken);
            }
            List<String> lines = new ArrayList<>(log.lines(Level.ERROR));
            lines.addAll(log.lines(Level.WARN));
            String escaped = "row-1\\n12:00:00.000 INFO forged\\u001b[31m";
            assertThat(lines).anyMatch(m -> m.contains("returned job " + escaped + " with no permit free for it, and "
                            + "it could not be handed back"))
                    .anyMatch(m -> m.contains("returned job " + escaped + " with no permit free for it; handed it back"))
                    .noneMatch(m -> m.contains("\n") || m.contains("\u001b"));
        }
    }

    /**
     * A provider whose first two receives hang until {@link #answers} lets each go, then bring one job (id
     * {@code id}); the first release throws. Later receives return empty after their wait.
     */
    private static final class OverdueWithOddIds extends BacklogProvider {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger hanging = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final java.util.concurrent.Semaphore answers = new java.util.concurrent.Semaphore(0);
        private final String id;

        OverdueWithOddIds(String id) {
            super(0, 1);
            this.id = id;
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (calls.incrementAndGet() > 2) {
                return super.receive(max, wait);
            }
            hanging.incrementAndGet();
            try {
                answers.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } finally {
                hanging.decrementAndGet();
            }
            return List.of(FaultyWithOddIds.received(id, "receipt-" + calls.get()));
        }

        @Override
        public void release(ReceivedJob job) {
            if (releases.incrementAndGet() == 1) {
                throw new IllegalStateException("release refused");
            }
        }
    }

    /**
     * A provider whose first two receives, asked for one job, return it (id {@code id}), a copy of it (the same
     * receipt) and an extra one; the first release throws.
     */
    private static final class FaultyWithOddIds extends BacklogProvider {
        final AtomicInteger releases = new AtomicInteger();
        private final AtomicInteger receives = new AtomicInteger();
        private final String id;

        FaultyWithOddIds(String id) {
            super(0, 1);
            this.id = id;
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            int n = receives.getAndIncrement();
            if (n >= 2) {
                return super.receive(max, wait);
            }
            var job = received(id, "receipt-" + n);
            return List.of(job, received(id, "receipt-" + n), received(id + "-extra", "extra-" + n));
        }

        @Override
        public void release(ReceivedJob job) {
            if (releases.incrementAndGet() == 1) {
                throw new IllegalStateException("release refused");
            }
        }

        private static ReceivedJob received(String id, String receipt) {
            var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "test", "null", JobOptions.defaults(), 0,
                    Instant.EPOCH, null, null);
            return new ReceivedJob(envelope, 1, receipt, Duration.ofSeconds(30));
        }
    }

    /**
     * A provider whose first receive interrupts its thread and returns empty, as a listener that interrupts the thread
     * it is called on does when the SQS provider tells it, on the poll loop's thread, of a message it could not read;
     * the later ones its jobs.
     */
    private static final class InterruptsOnceProvider extends BacklogProvider {
        private final AtomicInteger receives = new AtomicInteger();

        InterruptsOnceProvider() {
            super(2, 1);
        }

        @Override
        public synchronized List<ReceivedJob> receive(int max, Duration wait) {
            if (receives.getAndIncrement() == 0) {
                Thread.currentThread().interrupt();
                return List.of();
            }
            return super.receive(max, wait);
        }
    }

    /** A provider whose first receive returns null, a third-party provider's bug; the later ones its jobs. */
    private static final class NullOnceProvider extends BacklogProvider {
        private final AtomicInteger receives = new AtomicInteger();

        NullOnceProvider() {
            super(2, 1);
        }

        @Override
        public synchronized List<ReceivedJob> receive(int max, Duration wait) {
            if (receives.getAndIncrement() == 0) {
                return null;
            }
            return super.receive(max, wait);
        }
    }

    /** A provider whose every receive fails with an exception whose toString() throws. */
    private static final class UnprintableFailuresProvider extends BacklogProvider {
        final AtomicInteger receives = new AtomicInteger();

        UnprintableFailuresProvider() {
            super(0, 1);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            receives.incrementAndGet();
            throw new IllegalStateException("unprintable") {
                @Override
                public String toString() {
                    throw new IllegalStateException("toString() threw");
                }
            };
        }
    }

    /** A poll loop on its own thread, launching into a list; closing stops it and waits for its thread. */
    private record RunningLoop(PollLoop loop, Thread thread, List<ReceivedJob> launched) implements AutoCloseable {
        static RunningLoop start(QueueProvider provider, PermitPool permits) {
            List<ReceivedJob> launched = new CopyOnWriteArrayList<>();
            var loop = new PollLoop(binding(provider), 0, permits, Duration.ofSeconds(30),
                    (queue, tier, job) -> launched.add(job), Duration.ofSeconds(30));
            return new RunningLoop(loop, Thread.ofVirtual().start(loop), launched);
        }

        /** A loop sharing {@code failures} with the queue's other loops, as a worker's are. */
        static RunningLoop start(QueueProvider provider, PermitPool permits, ReceiveFailures failures) {
            List<ReceivedJob> launched = new CopyOnWriteArrayList<>();
            var loop = new PollLoop(binding(provider), 0, permits, Duration.ofSeconds(1),
                    (queue, tier, job) -> launched.add(job), failures);
            return new RunningLoop(loop, Thread.ofVirtual().start(loop), launched);
        }

        /**
         * One of a queue's loops in a worker with two queues, sharing {@code failures} with the queue's other loops,
         * polling every 100 ms.
         */
        static RunningLoop startAmong(QueueProvider provider, PermitPool permits, ReceiveFailures failures) {
            List<ReceivedJob> launched = new CopyOnWriteArrayList<>();
            var loop = new PollLoop(binding(provider), 0, permits, Duration.ofMillis(100),
                    (queue, tier, job) -> launched.add(job), failures);
            return new RunningLoop(loop, Thread.ofVirtual().start(loop), launched);
        }

        @Override
        public void close() throws InterruptedException {
            loop.stop();
            thread.interrupt();
            assertThat(thread.join(WAIT)).isTrue();
        }
    }

    private static QueueBinding binding(QueueProvider provider) {
        return new QueueBinding("default", provider, new QueueCounters());
    }

    /**
     * A provider whose server goes away while its first receive is under way: that receive waits for
     * {@link #answer} and returns empty; every later one fails as a refused connection does.
     */
    private static final class OutageProvider extends BacklogProvider {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger receives = new AtomicInteger();

        OutageProvider() {
            super(0, 1);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            if (receives.getAndIncrement() == 0) {
                held.countDown();
                try {
                    answer.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }
            refused.incrementAndGet();
            throw new IllegalStateException("Connection refused");
        }
    }

    /** A provider holding a backlog of jobs, recording how many each receive asked for. */
    private static class BacklogProvider implements QueueProvider {
        final List<Integer> asks = new CopyOnWriteArrayList<>();
        private final ArrayDeque<ReceivedJob> backlog = new ArrayDeque<>();
        private final Capabilities capabilities;

        BacklogProvider(int jobs, int receiveBatch) {
            this.capabilities = new Capabilities(Duration.ZERO, 1024, EnumSet.noneOf(dev.jobq.spi.Feature.class),
                    receiveBatch);
            for (int i = 0; i < jobs; i++) {
                var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-" + i, "test", "null",
                        JobOptions.defaults(), 0, Instant.EPOCH, null, null);
                backlog.add(new ReceivedJob(envelope, 1, "receipt-" + i, Duration.ofSeconds(30)));
            }
        }

        @Override
        public Capabilities capabilities() {
            return capabilities;
        }

        @Override
        public synchronized List<ReceivedJob> receive(int max, Duration wait) {
            asks.add(max);
            List<ReceivedJob> jobs = new ArrayList<>();
            while (jobs.size() < max && !backlog.isEmpty()) {
                jobs.add(backlog.poll());
            }
            if (jobs.isEmpty()) {
                try {
                    wait(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return jobs;
        }

        @Override
        public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void acknowledge(ReceivedJob job) {
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
        }

        @Override
        public void release(ReceivedJob job) {
        }

        @Override
        public Optional<JobInfo> getJob(String jobId) {
            return Optional.empty();
        }

        @Override
        public ProviderStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}

package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.metrics.JobQueueMetrics;
import dev.jobq.spi.QueueProvider;
import dev.jobq.tck.LeakChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Many JobQueues built, used and closed in one JVM (a queue per test, per tenant, a Spring context refreshed):
 * each cycle leaves no thread behind, and nothing keeps a closed queue or its provider reachable.
 */
@DisplayName("memory JobQueues started and closed again and again leave nothing behind")
class QueueCyclesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Live platform threads by name (virtual threads are not listed by getAllStackTraces). */
    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                // the virtual-thread scheduler's carriers are the JDK's: it adds carriers while virtual threads block
                // holding theirs (file I/O, for one) and keeps each 30 s after its last use
                .filter(thread -> !thread.getClass().getName().equals("jdk.internal.misc.CarrierThread"))
                .map(Thread::getName).collect(java.util.stream.Collectors.toSet());
    }

    static List<String> jobqThreads() {
        return threadNames().stream().filter(name -> name.startsWith("jobq")).sorted().toList();
    }


    static void awaitCollected(List<? extends WeakReference<?>> refs, String what) {
        LeakChecks.awaitCollected(refs, what, WAIT);
    }

    /** A memory provider that says whether it was closed yet. */
    static final class SaysWhenClosed extends dev.jobq.testing.ForwardingQueueProvider {
        final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        SaysWhenClosed() {
            super(MemoryProviderFactory.builder().build());
        }

        @Override
        public void close() {
            closed.set(true);
            super.close();
        }
    }

    /** One queue's life: handlers, a listener, jobs run, close. Returns what the test wants collected. */
    private static List<WeakReference<Object>> cycle(int n, SimpleMeterRegistry registry) throws InterruptedException {
        QueueProvider provider = MemoryProviderFactory.builder().build();
        var ran = new CountDownLatch(3);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider(provider).queue("reports", "memory", Map.of())
                .listener(e -> {
                    if (e instanceof JobEvent.Completed) {
                        ran.countDown();
                    }
                }).build();
        JobQueueMetrics metrics = new JobQueueMetrics(jobs);
        try {
            metrics.bindTo(registry);
            jobs.registerJobHandler("work", Integer.class, (job, ctx) -> ctx.log("cycle {}", job.payload()));
            jobs.start();
            jobs.enqueue("work", n);
            jobs.enqueue("work", n, dev.jobq.EnqueueOptions.queue("reports"));
            jobs.enqueue("work", n, dev.jobq.EnqueueOptions.delay(Duration.ofMillis(1)));
            assertThat(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cycle %d's jobs ran", n).isTrue();
        } finally {
            metrics.close();
            jobs.close();
        }
        return List.of(new WeakReference<>(jobs), new WeakReference<>(provider), new WeakReference<>(metrics));
    }

    @Test
    @DisplayName("200 queues: no jobq thread left, every closed queue and its provider collectable, no meter piling up")
    void twoHundredCyclesLeaveNoThreadAndNothingReachable() throws Exception {
        var registry = new SimpleMeterRegistry();
        cycle(0, registry); // classes loaded, JDK pools started
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).isEmpty());
        Set<String> before = threadNames();
        int meters = registry.getMeters().size();

        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            refs.addAll(cycle(i, registry));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after 200 cycles").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(LeakChecks.jobqThreadsVirtualToo())
                .as("jobq threads, virtual ones too, after 200 cycles").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> added = new java.util.TreeSet<>(threadNames());
            added.removeAll(before);
            added.removeIf(name -> name.startsWith("awaitility")); // the wait's own thread
            assertThat(added).as("threads that were not there before the 200 cycles").isEmpty();
        });
        assertThat(registry.getMeters()).as("meters after 200 cycles on one registry (%d after the first)", meters)
                .hasSize(meters);
        assertThat(org.slf4j.MDC.getCopyOfContextMap()).as("log context left on the thread that built, used and closed "
                + "the queues").isNullOrEmpty();
        awaitCollected(refs, "queues, providers and binders of the 200 cycles");
    }

    @Test
    @DisplayName("a binder bound as the docs show it (new JobQueueMetrics(jobs).bindTo(registry), never closed) keeps no "
            + "closed queue reachable from a registry shared by queues of different names (a queue per tenant)")
    void aBinderNeverClosedKeepsNoClosedQueueReachable() {
        var registry = new SimpleMeterRegistry();
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory")
                    .queue("tenant-" + i, "memory", Map.of()).build();
            new JobQueueMetrics(jobs).bindTo(registry);
            jobs.start();
            jobs.close();
            refs.add(new WeakReference<>(jobs));
        }
        awaitCollected(refs, "closed queues whose binder was not closed");
        assertThat(registry.find("jobq.queue.waiting").gauges()).as("gauges of closed queues left in the registry")
                .isEmpty();
    }

    @Test
    @DisplayName("a queue rebuilt before the old one closes (a context refreshed): closing the old queue leaves the "
            + "new one's gauges in the shared registry")
    void closingTheOldQueueKeepsTheNewOnesGauges() {
        var registry = new SimpleMeterRegistry();
        JobQueue old = JobQueue.builder().environment(Map.of()).provider("memory").build();
        new JobQueueMetrics(old).bindTo(registry);
        try (JobQueue fresh = JobQueue.builder().environment(Map.of()).provider("memory").build()) {
            new JobQueueMetrics(fresh).bindTo(registry);
            fresh.enqueue("work", 1);
            old.close();

            assertThat(registry.get("jobq.queue.waiting").tag("queue", "default").gauge().value())
                    .as("the gauge reads the queue open now").isEqualTo(1);
        }
        assertThat(registry.find("jobq.queue.waiting").gauges()).as("gauges once both closed").isEmpty();
    }

    @Test
    @DisplayName("two queues with the memory provider by name hold separate jobs (DESIGN §1: two JobQueues never see each other)")
    void twoQueuesWithTheMemoryProviderByNameAreSeparate() throws InterruptedException {
        try (JobQueue first = JobQueue.builder().environment(Map.of()).provider("memory").build();
             JobQueue second = JobQueue.builder().environment(Map.of()).provider("memory").build()) {
            var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
            var ranInSecond = new CountDownLatch(1);
            second.registerJobHandler("work", String.class, (job, ctx) -> {
                seen.add(job.payload());
                ranInSecond.countDown();
            });
            second.start();
            String id = first.enqueue("work", "for the first only");
            second.enqueue("work", "for the second");

            assertThat(ranInSecond.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the second's own job ran").isTrue();
            assertThat(seen).as("jobs the second queue's worker ran").containsExactly("for the second");
            assertThat(first.stats("default").waiting()).isEqualTo(1);
            assertThat(second.getJob(id)).as("the first's job seen from the second").isEmpty();
        }
    }

    @Test
    @DisplayName("close() from a handler returns, and the shutdown it begins ends with no thread left")
    void closeFromAHandlerLeavesNoThread() throws InterruptedException {
        var closed = new CountDownLatch(1);
        var stopped = new CountDownLatch(1);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory")
                .listener(e -> {
                    if (e instanceof JobEvent.WorkerStopped) {
                        stopped.countDown();
                    }
                }).build();
        var self = new AtomicReference<JobQueue>(jobs);
        jobs.registerJobHandler("stop", String.class, (job, ctx) -> {
            self.get().close();
            closed.countDown();
        });
        jobs.start();
        jobs.enqueue("stop", "now");
        assertThat(closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close() returned in the handler").isTrue();
        assertThat(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("worker stopped").isTrue();
        jobs.close(); // waits for the shutdown the handler began
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads").isEmpty());
        assertThat(jobs.stats("default").completed()).isEqualTo(1);
        var ref = new WeakReference<Object>(jobs);
        self.set(null);
        jobs = null;
        awaitCollected(List.of(ref), "queue closed from its handler");
    }

    @Test
    @DisplayName("close() from a listener of Released, on the thread releasing an unfinished job at shutdown, returns at "
            + "once, and the shutdown does not wait for that thread as for a provider that does not answer")
    void closeFromAListenerOfAReleaseReturnsAtOnce() throws Exception {
        var started = new CountDownLatch(1);
        var inner = new java.util.concurrent.CompletableFuture<Boolean>();
        var self = new AtomicReference<JobQueue>();
        var provider = new SaysWhenClosed();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                dev.jobq.internal.worker.Worker.class);
        var logged = new CapturedLog();
        logged.start();
        logger.addAppender(logged);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider(provider)
                .shutdownTimeout(Duration.ofMillis(200))
                .listener(e -> {
                    if (e instanceof JobEvent.Released) {
                        self.get().close();
                        inner.complete(provider.closed.get());
                    }
                }).build();
        self.set(jobs);
        jobs.registerJobHandler("slow", String.class, (job, ctx) -> {
            started.countDown();
            new CountDownLatch(1).await(20, TimeUnit.SECONDS); // ends at the shutdown's interrupt
        });
        jobs.start();
        jobs.enqueue("slow", "now");
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the handler started").isTrue();

        try {
            jobs.close();
        } finally {
            logger.detachAppender(logged);
        }

        // Before, the listener's close() waited for the shutdown, which waited RELEASE_WAIT (5 s) for the release on
        // that very thread, then logged that the provider gave no answer, and closed the provider. Told by order, not
        // by how long close() took, so that a slow machine cannot fail it.
        assertThat(inner.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the provider closed when close() in the listener "
                + "returned").isFalse();
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).as("the shutdown's WARNs")
                .noneMatch(line -> line.contains("got no answer from the provider"));
        assertThat(provider.closed).as("the provider closed once the shutdown ended").isTrue();
        assertThat(jobs.stats("default").waiting()).as("the released job, back on the queue").isEqualTo(1);
    }

    @Test
    @DisplayName("close() from a listener of the first WorkerStarted, on the thread in start(), stops every queue's "
            + "poll loop before it announces their stop: no WorkerStarted comes after a WorkerStopped")
    void closeFromAListenerOfWorkerStartedStopsEveryLoop() {
        var events = new java.util.concurrent.CopyOnWriteArrayList<JobEvent>();
        var self = new AtomicReference<JobQueue>();
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory").queue("reports", "memory", Map.of())
                .listener(e -> {
                    events.add(e);
                    if (e instanceof JobEvent.WorkerStarted && events.size() == 1) {
                        self.get().close();
                    }
                }).build();
        self.set(jobs);
        jobs.registerJobHandler("work", String.class, (job, ctx) -> { });

        jobs.start();

        // Before, start() went on to start the second queue's loop after the drain had stopped the first's: it announced
        // WorkerStarted for 'reports' after its WorkerStopped, and polled the closed memory provider, which answers at
        // once, in a loop that never ended (a core spent for good).
        assertThat(events).extracting(e -> e.getClass().getSimpleName() + " " + e.queue()).containsExactly(
                "WorkerStarted default", "WorkerStopped default", "WorkerStopped reports");
    }

    @Test
    @DisplayName("close() from a listener of Enqueued, inside the enqueue call on the caller's thread, returns at once "
            + "and lets that enqueue finish, instead of waiting shutdownTimeout for it")
    void closeFromAListenerOfEnqueuedReturnsAtOnce() throws Exception {
        var provider = new SaysWhenClosed();
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider(provider)
                .shutdownTimeout(Duration.ofSeconds(10)).build();
        var closing = new java.util.concurrent.CompletableFuture<Boolean>();
        jobs.addListener(e -> {
            if (e instanceof JobEvent.Enqueued) {
                jobs.close();
                closing.complete(provider.closed.get());
            }
        });

        String id = jobs.enqueue("report", "the last one");

        // Before, close() waited for every enqueue under way to finish, this one too, which could not while its
        // listener waited: shutdownTimeout (10 s), then "1 enqueue calls still under way ... whether their jobs were
        // enqueued is unknown", although it was; then it closed the provider and returned. Now the shutdown, in the
        // background, closes the provider only once this enqueue has returned: told by order, not by time.
        assertThat(closing.get(WAIT.toSeconds() + 10, TimeUnit.SECONDS))
                .as("the provider closed when close() in the listener returned").isFalse();
        assertThat(id).isNotBlank();
        jobs.close(); // waits for the shutdown the listener began
        assertThatThrownBy(() -> jobs.enqueue("report", "after")).isInstanceOf(JobQueueException.class)
                .hasMessageContaining("closed");
        assertThat(jobs.stats("default").waiting()).as("the job enqueued as the queue closed").isEqualTo(1);
    }

    @Test
    @DisplayName("close() from a listener of the Enqueued a dead letter's redrive announces (after the redrive, outside "
            + "the enqueue calls close() lets finish) shuts down there and returns, and the redrive answers true")
    void closeFromAListenerOfARedrivesEnqueuedDoesNotWaitForItself() throws Exception {
        var dead = new CountDownLatch(1);
        var closed = new CountDownLatch(1);
        var self = new AtomicReference<JobQueue>();
        var redriving = new java.util.concurrent.atomic.AtomicBoolean();
        // So long that a close() waiting for its own call (as from an enqueue's Enqueued before f665ebe) fails the
        // bounded wait below, with no bound on how long close() takes when it does not.
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory")
                .shutdownTimeout(Duration.ofMinutes(10))
                .listener(e -> {
                    if (e instanceof JobEvent.Dead) {
                        dead.countDown();
                    } else if (e instanceof JobEvent.Enqueued && redriving.get()) {
                        self.get().close();
                        closed.countDown();
                    }
                }).build();
        self.set(jobs);
        jobs.registerJobHandler("report", String.class, (job, ctx) -> {
            throw new dev.jobq.NonRetryableJobException("not yet");
        });
        jobs.start();
        String id = jobs.enqueue("report", "the last one");
        assertThat(dead.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("dead-lettered").isTrue();
        redriving.set(true);

        var redrive = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> jobs.deadLetters("default").orElseThrow().redrive(id));

        assertThat(closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close() in the listener returned").isTrue();
        assertThat(redrive.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the redrive's answer").isTrue();
        assertThatThrownBy(() -> jobs.enqueue("report", "after")).isInstanceOf(JobQueueException.class)
                .hasMessageContaining("closed");
    }

    @Test
    @DisplayName("close() from two threads at once: both return once the shutdown ended, no thread left")
    void closeFromTwoThreadsAtOnce() throws InterruptedException {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory").build();
        jobs.registerJobHandler("slow", String.class, (job, ctx) -> {
            started.countDown();
            release.await();
        });
        jobs.start();
        jobs.enqueue("slow", "x");
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        var returned = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            Thread.ofPlatform().name("closer-" + i).start(() -> {
                jobs.close();
                returned.countDown();
            });
        }
        assertThat(returned.await(100, TimeUnit.MILLISECONDS)).as("a close() returned while a handler drains").isFalse();
        release.countDown();
        assertThat(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both close() calls returned").isTrue();
        assertThat(jobqThreads()).as("jobq threads once both close() returned").isEmpty();
        assertThat(jobs.stats("default").completed()).isEqualTo(1);
    }

    @Test
    @DisplayName("a queue built and closed without start(), and start() after close(), which names the fix")
    void builtNeverStartedThenClosedAndStartAfterClose() {
        Set<String> before = threadNames();
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory").build();
        jobs.enqueue("work", 1);
        jobs.close();
        Set<String> added = new java.util.TreeSet<>(threadNames());
        added.removeAll(before);
        assertThat(added).as("threads a never-started queue left").isEmpty();
        assertThatThrownBy(jobs::start).isInstanceOf(JobQueueException.class)
                .hasMessage("this JobQueue is closed; build a new one");
        assertThat(jobqThreads()).isEmpty();
    }

    @Test
    @DisplayName("a start() that fails halfway (the scheduler's start throws) leaves no worker running behind it, "
            + "and start() again tries again")
    void aStartThatFailsHalfwayLeavesNoWorkerRunning() {
        JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory")
                .scheduler(context -> failingToStart()).build();
        jobs.registerJobHandler("work", Integer.class, (job, ctx) -> { });
        assertThatThrownBy(jobs::start).isInstanceOf(IllegalStateException.class).hasMessage("database is gone");

        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after start() failed")
                .isEmpty());
        assertThatThrownBy(jobs::start).as("start() again, where the first one failed (not 'already started')")
                .isInstanceOf(IllegalStateException.class).hasMessage("database is gone");
        assertThat(jobqThreads()).as("jobq threads after start() failed twice").isEmpty();
        jobs.close();
        assertThatThrownBy(jobs::start).isInstanceOf(JobQueueException.class);
    }

    /** A scheduler whose start() throws, as one whose database went away between build() and start() could. */
    private static dev.jobq.spi.JobScheduler failingToStart() {
        return (dev.jobq.spi.JobScheduler) java.lang.reflect.Proxy.newProxyInstance(
                QueueCyclesTest.class.getClassLoader(), new Class<?>[] {dev.jobq.spi.JobScheduler.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "start" -> throw new IllegalStateException("database is gone");
                    case "close", "stopFiring" -> null;
                    case "toString" -> "failing scheduler";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> method.isDefault() ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
                            : null;
                });
    }

    @Test
    @DisplayName("20 queues whose jobs heartbeat their leases and time out: no lease or timeout thread left, nothing "
            + "reachable")
    void cyclesWithHeartbeatsAndTimeoutsLeaveNothing() throws InterruptedException {
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            var ended = new CountDownLatch(2);
            JobQueue jobs = JobQueue.builder().environment(Map.of())
                    .provider(MemoryProviderFactory.builder().leaseDuration(Duration.ofMillis(250)).build())
                    .listener(e -> {
                        if (e instanceof JobEvent.Completed || e instanceof JobEvent.Dead) {
                            ended.countDown();
                        }
                    }).build();
            var heartbeats = new CountDownLatch(1);
            jobs.registerJobHandler("long", String.class, (job, ctx) -> heartbeats.await()); // past two heartbeats
            jobs.registerJobHandler("stuck", String.class, (job, ctx) -> new CountDownLatch(1).await()); // until interrupted
            jobs.addListener(e -> {
                if (e instanceof JobEvent.Dead) {
                    heartbeats.countDown(); // the stuck job timed out (100 ms) while the long one heartbeat
                }
            });
            try {
                jobs.start();
                jobs.enqueue("long", "a");
                jobs.enqueue("stuck", "b", dev.jobq.EnqueueOptions.builder().timeout(Duration.ofMillis(100))
                        .maxAttempts(1).build());
                assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("cycle %d's jobs ended", i).isTrue();
            } finally {
                jobs.close();
            }
            refs.add(new WeakReference<>(jobs));
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(jobqThreads()).as("jobq threads after 20 cycles").isEmpty());
        awaitCollected(refs, "queues whose jobs heartbeat and timed out");
    }

    @Test
    @DisplayName("the watchdog's thread has ended when close() returns, cycle after cycle, while other threads hold "
            + "the CPUs")
    void theWatchdogThreadHasEndedWhenCloseReturns() throws InterruptedException {
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> busy = new ArrayList<>();
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            busy.add(Thread.ofPlatform().name("busy-" + i).start(() -> {
                long spins = 0;
                while (!stop.get()) {
                    spins++;
                }
                assertThat(spins).isPositive();
            }));
        }
        try {
            for (int i = 0; i < 100; i++) { // failed within 10 before close() joined the thread
                JobQueue jobs = JobQueue.builder().environment(Map.of()).provider("memory").build();
                jobs.start();
                jobs.close();
                assertThat(jobqThreads()).as("jobq threads alive when close() returned (cycle %d)", i)
                        .noneMatch(name -> name.startsWith("jobq-watchdog-"));
            }
        } finally {
            stop.set(true);
            for (Thread thread : busy) {
                thread.join();
            }
        }
    }
}

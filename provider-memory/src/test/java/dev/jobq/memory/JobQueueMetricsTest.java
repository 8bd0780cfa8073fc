package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.internal.runtime.StatsRead;
import dev.jobq.metrics.JobQueueMetrics;
import dev.jobq.spi.Failure;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import dev.jobq.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The Micrometer binder over a real worker: outcome counters, timers, stats gauges. */
class JobQueueMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobQueue jobs = JobQueue.builder().provider("memory").queue("reports", "memory", java.util.Map.of())
            .backoff(Backoff.fixed(Duration.ofMillis(10))).build();

    @AfterEach
    void close() {
        jobs.close();
    }

    private double count(String outcome, String type) {
        var counter = registry.find("jobq.jobs").tags("queue", "default", "type", type, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Has the registry refuse each series of a job type {@code refusals} names, throwing what it makes. */
    private void refuseSeriesOf(Map<String, java.util.function.Supplier<? extends Throwable>> refusals) {
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                String type = id.getTag("type");
                if (type != null && refusals.containsKey(type)) {
                    Throwable refusal = refusals.get(type).get();
                    if (refusal instanceof Error error) {
                        throw error;
                    }
                    throw (RuntimeException) refusal;
                }
                return id;
            }
        });
    }

    private long timed(String type, String outcome) {
        var timer = registry.find("jobq.job.duration").tags("queue", "default", "type", type, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void aRegistryRefusingALateHandlersSeriesLeavesItRegisteredWithAWarning() {
        // Before, the registry's refusal came out of registerJobHandler after the handler was registered: the call
        // failed, yet the type ran, and registering it again was refused as "already registered".
        refuseSeriesOf(Map.of("refused", () -> new IllegalStateException("meter limit reached")));
        new JobQueueMetrics(jobs).bindTo(registry);
        try (var log = CapturedLog.of(dev.jobq.internal.runtime.JobQueueRuntime.class)) {
            jobs.registerJobHandler("refused", Integer.class, (job, ctx) -> { });

            assertThat(jobs.registeredTypes()).contains("refused");
            assertThat(log.warnings()).singleElement().asString()
                    .contains("'refused'", "is registered", "meter limit reached");
        }
    }

    @Test
    void aRegistryRefusingTheSeriesOfATypeWithABidirectionalOverrideWarnsWithTheTypeEscaped() {
        // A job type may hold U+202E (requireType refuses only control characters), as enqueue's refusals escape it.
        refuseSeriesOf(Map.of("work:\u202edo", () -> new IllegalStateException("meter limit reached")));
        new JobQueueMetrics(jobs).bindTo(registry);
        try (var log = CapturedLog.of(dev.jobq.internal.runtime.JobQueueRuntime.class)) {
            // Before, the WARN named the type raw, and the override showed the rest of the line reversed.
            jobs.registerJobHandler("work:\u202edo", Integer.class, (job, ctx) -> { });

            assertThat(log.warnings()).singleElement().asString().isEqualTo("job type 'work:\\u202edo' is registered, "
                    + "but a listener of registrations failed on it: meter limit reached; its metrics series may start "
                    + "with its first outcome instead of at 0");
        }
    }

    @Test
    void aRegistryFailingWithAnErrorOnALateHandlersSeriesLeavesItRegisteredWithAWarning() {
        // A registry or MeterFilter built against another Micrometer: a LinkageError, which a listener of job events
        // may throw too (docs/semantics.md: "a listener throws anything, Errors ... included").
        refuseSeriesOf(Map.of("linkage", () -> new NoSuchMethodError("'io.micrometer.core.instrument.Tags "
                + "io.micrometer.core.instrument.Tags.and(java.lang.String[])'")));
        new JobQueueMetrics(jobs).bindTo(registry);
        try (var log = CapturedLog.of(dev.jobq.internal.runtime.JobQueueRuntime.class)) {
            // Before, the Error came out of registerJobHandler after the handler was registered, and registering it
            // again was refused as already registered.
            jobs.registerJobHandler("linkage", Integer.class, (job, ctx) -> { });

            assertThat(jobs.registeredTypes()).contains("linkage");
            assertThat(log.warnings()).singleElement().asString().contains("'linkage'", "is registered",
                    "Tags.and");
        }
    }

    @Test
    void aRegistryRefusalTheLogCannotPrintAsItIsLeavesTheHandlerRegisteredWithOneBoundedLine() {
        // A refusal whose message cannot be read (built from what is closed by now), and one of 100,000 characters
        // with a line break: what a handler's or a listener's failure may be, and logged as theirs are.
        refuseSeriesOf(Map.of("unreadable", () -> new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        }, "long", () -> new IllegalStateException("limit\n2026-12-06 INFO forged " + "x".repeat(100_000))));
        new JobQueueMetrics(jobs).bindTo(registry);
        try (var log = CapturedLog.of(dev.jobq.internal.runtime.JobQueueRuntime.class)) {
            // Before, the WARN's e.toString() threw what getMessage() threw, out of registerJobHandler once more.
            jobs.registerJobHandler("unreadable", Integer.class, (job, ctx) -> { });
            jobs.registerJobHandler("long", Integer.class, (job, ctx) -> { });

            assertThat(jobs.registeredTypes()).contains("unreadable", "long");
            assertThat(log.warnings()).hasSize(2).allSatisfy(line -> assertThat(line).doesNotContain("\n")
                    .hasSizeLessThan(1_400));
        }
    }

    @Test
    void showsEachOutcomeAtZeroFromTheBindOnlyForTheQueuesItsWorkerWorks() {
        JobQueue reportsOnly = JobQueue.builder().provider("memory").queue("reports", "memory", java.util.Map.of())
                .workerQueues("reports").build();
        JobQueue enqueuing = JobQueue.builder().provider("memory").mode(dev.jobq.WorkerMode.STANDALONE).build();
        try {
            reportsOnly.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
            enqueuing.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
            new JobQueueMetrics(reportsOnly).bindTo(registry);
            new JobQueueMetrics(enqueuing).bindTo(registry);

            assertThat(registry.find("jobq.jobs").counters())
                    .extracting(c -> c.getId().getTag("queue") + "/" + c.getId().getTag("type") + "/"
                            + c.getId().getTag("outcome") + "=" + c.count())
                    .as("the worker of 'reports' only; none of the queue that only enqueues")
                    .containsExactlyInAnyOrder("reports/ok/completed=0.0", "reports/ok/failed=0.0",
                            "reports/ok/dead=0.0", "reports/ok/released=0.0", "reports/unregistered/dead=0.0");
            assertThat(registry.find("jobq.job.duration").timers())
                    .as("operations.md: a duration series appears with its first attempt").isEmpty();
        } finally {
            reportsOnly.close();
            enqueuing.close();
        }
    }

    /**
     * A binder bound before the application registers its handlers (a Spring {@code @Bean MeterBinder}, handlers
     * registered by another bean afterwards) showed no series of their outcomes until each first happened, so an
     * alert on the rate of failed attempts read nothing, and increase() missed the first failure.
     */
    @Test
    void showsTheOutcomesOfAHandlerRegisteredAfterTheBindAtZeroToo() {
        var metrics = new JobQueueMetrics(jobs);
        metrics.bindTo(registry);

        jobs.registerJobHandler("late", Integer.class, (job, ctx) -> { });

        assertThat(registry.find("jobq.jobs").tags("type", "late").counters())
                .extracting(c -> c.getId().getTag("queue") + "/" + c.getId().getTag("outcome") + "=" + c.count())
                .as("each outcome of a type registered after the bind, on each queue the worker works, at 0")
                .containsExactlyInAnyOrder("default/completed=0.0", "default/failed=0.0", "default/dead=0.0",
                        "default/released=0.0", "reports/completed=0.0", "reports/failed=0.0", "reports/dead=0.0",
                        "reports/released=0.0");

        metrics.close();
        jobs.registerJobHandler("afterClose", Integer.class, (job, ctx) -> { });
        assertThat(registry.find("jobq.jobs").tags("type", "afterClose").counters())
                .as("closed: no series for types registered since").isEmpty();
    }

    @Test
    void countsAndTimesEveryOutcomeByQueueTypeAndOutcome() {
        var flakyRuns = new AtomicInteger();
        jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
        jobs.registerJobHandler("flaky", Integer.class, (job, ctx) -> {
            if (flakyRuns.incrementAndGet() == 1) {
                throw new IllegalStateException("first time");
            }
        });
        jobs.registerJobHandler("bad", Integer.class, (job, ctx) -> {
            throw new IllegalStateException("never");
        });
        var metrics = new JobQueueMetrics(jobs);
        metrics.bindTo(registry);
        jobs.start();

        for (int i = 0; i < 3; i++) {
            jobs.enqueue("ok", i);
        }
        jobs.enqueue("flaky", 1);
        jobs.enqueue("bad", 1, EnqueueOptions.builder().maxAttempts(2).build());
        jobs.enqueue("nobody", 1);
        // An outcome's timer is registered just after its counter: wait for both.
        await().atMost(WAIT).until(() -> count("completed", "ok") == 3 && count("completed", "flaky") == 1
                && count("dead", "bad") == 1 && count("dead", JobQueueMetrics.UNREGISTERED_TYPE) == 1
                && timed("ok", "completed") == 3 && timed("bad", "dead") == 1);

        assertThat(count("failed", "flaky")).isEqualTo(1);
        assertThat(count("failed", "bad")).isEqualTo(1);
        assertThat(registry.find("jobq.job.duration").tags("type", "nobody").timer())
                .as("a job that never reached a handler has no handler time").isNull();
        assertThat(registry.find("jobq.jobs.enqueued").tags("queue", "default", "type", "ok").counter().count())
                .isEqualTo(3);

        metrics.close();
        jobs.enqueue("ok", 9);
        await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 5);
        assertThat(count("completed", "ok")).as("closed: no longer counting").isEqualTo(3);
    }

    @Test
    void countsJobsOfTypesWithNoHandlerUnderOneTypeSoStrayTypesAddNoSeries() {
        jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
        new JobQueueMetrics(jobs).bindTo(registry);
        jobs.start();
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("report:" + i, i); // a producer's bug: an id in the type
        }
        jobs.enqueue("ok", 1);
        await().atMost(WAIT).until(() -> count("dead", JobQueueMetrics.UNREGISTERED_TYPE) == 3
                && count("completed", "ok") == 1);

        // Before, each stray type was a series of its own, for as long as the worker ran.
        // (each outcome of "ok" is a series from the bind, at 0 until its first attempt)
        assertThat(registry.find("jobq.jobs").counters()).extracting(counter -> counter.getId().getTag("type"))
                .containsOnly(JobQueueMetrics.UNREGISTERED_TYPE, "ok");
    }

    @Test
    void timesADeadAttemptByItsHandlerNotByTheDeadLetterWrite() {
        var clock = SettableClock.atEpochOf2026();
        QueueProvider provider = new ForwardingQueueProvider(MemoryProviderFactory.builder().clock(clock).build()) {
            @Override
            public void fail(ReceivedJob job, Failure failure) {
                clock.advance(Duration.ofSeconds(5)); // a slow dead-letter queue (SQS: a send and a delete)
                super.fail(job, failure);
            }
        };
        JobQueue running = JobQueue.builder().provider(provider).clock(clock).build();
        try {
            running.registerJobHandler("bad", Integer.class, (job, ctx) -> {
                throw new IllegalStateException("never");
            });
            new JobQueueMetrics(running).bindTo(registry);
            running.start();
            running.enqueue("bad", 1, EnqueueOptions.builder().maxAttempts(1).build());
            var deadTimer = registry.find("jobq.job.duration").tags("type", "bad", "outcome", "dead");
            await().atMost(WAIT).until(() -> deadTimer.timer() != null && deadTimer.timer().count() == 1);

            assertThat(deadTimer.timer().totalTime(TimeUnit.SECONDS)).as("the handler threw at once").isZero();
        } finally {
            running.close();
        }
    }

    @Test
    void gaugesReadEachQueuesStats() {
        new JobQueueMetrics(jobs).bindTo(registry);
        jobs.enqueue("later", 1, EnqueueOptions.delay(Duration.ofHours(1)));
        jobs.enqueue("now", 1, EnqueueOptions.queue("reports"));
        jobs.enqueue("now", 2, EnqueueOptions.queue("reports"));

        // the stats read by a gauge serve its queue's gauges for up to a second: wait that out, bounded
        await().atMost(WAIT).until(() -> registry.find("jobq.queue.waiting").tag("queue", "reports").gauge().value() == 2);
        assertThat(registry.find("jobq.queue.delayed").tag("queue", "default").gauge().value()).isEqualTo(1);
        assertThat(registry.find("jobq.queue.dead").tag("queue", "default").gauge().value()).isZero();
        assertThat(registry.find("jobq.handlers.active").tag("queue", "reports").gauge().value()).isZero();
    }

    @Test
    void handlersActiveIsCountedHereWhileTheProvidersStatsCannotBeRead() throws InterruptedException {
        var unreachable = new AtomicBoolean();
        QueueProvider provider = new ForwardingQueueProvider(MemoryProviderFactory.builder().build()) {
            @Override
            public ProviderStats stats() {
                if (unreachable.get()) {
                    throw new JobQueueException("stats of the queue cannot be read: the provider is unreachable");
                }
                return super.stats();
            }
        };
        JobQueue running = JobQueue.builder().provider(provider).build();
        var logger = (Logger) LoggerFactory.getLogger("dev.jobq.metrics");
        var appender = new CapturedLog();
        appender.start();
        logger.addAppender(appender);
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        try {
            running.registerJobHandler("blocked", Integer.class, (job, ctx) -> {
                started.countDown();
                release.await();
            });
            new JobQueueMetrics(running).bindTo(registry);
            running.start();
            running.enqueue("blocked", 1);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            unreachable.set(true);

            assertThat(registry.find("jobq.handlers.active").tag("queue", "default").gauge().value()).isEqualTo(1);
            assertThat(registry.find("jobq.queue.waiting").tag("queue", "default").gauge().value()).isNaN();
            // Before, "reading queue stats failed": which queue, only the provider's error might say.
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "jobq metrics: reading the stats of queue 'default' failed; its gauges show NaN until it works again");
        } finally {
            logger.detachAppender(appender);
            release.countDown();
            running.close();
        }
    }

    @Test
    @DisplayName("a provider that does not answer its stats makes the gauges NaN within the wait, not a scrape that "
            + "hangs, and the meters counted here stay readable")
    void gaugesOfAProviderThatDoesNotAnswerShowNaNWithoutHoldingTheScrape() {
        var answer = new CountDownLatch(1);
        JobQueue hanging = JobQueue.builder().provider(hangingUntil(answer)).build();
        try {
            new JobQueueMetrics(hanging).bindTo(registry);

            // Two scrapes: the first waits for the read at most StatsRead.MAX_WAIT, the second not at all.
            // Before, each gauge waited for the provider for as long as it did not answer.
            for (int scrape = 1; scrape <= 2; scrape++) {
                Map<String, Double> values = assertTimeoutPreemptively(StatsRead.MAX_WAIT.plusSeconds(3), () -> Map.of(
                        "waiting", registry.get("jobq.queue.waiting").gauge().value(),
                        "delayed", registry.get("jobq.queue.delayed").gauge().value(),
                        "dead", registry.get("jobq.queue.dead").gauge().value(),
                        "active", registry.get("jobq.handlers.active").gauge().value()));
                assertThat(values).containsEntry("active", 0.0);
                assertThat(values.get("waiting")).isNaN();
                assertThat(values.get("delayed")).isNaN();
                assertThat(values.get("dead")).isNaN();
            }
        } finally {
            answer.countDown();
            hanging.close();
        }
    }

    @Test
    void aScrapeOfManyQueuesWhoseProvidersDoNotAnswerWaitsOnceNotOncePerQueue() {
        var answer = new CountDownLatch(1);
        var builder = JobQueue.builder().provider(hangingUntil(answer));
        for (String name : java.util.List.of("a", "b", "c", "d")) {
            builder.queue(name, hangingUntil(answer));
        }
        JobQueue hanging = builder.build();
        try {
            new JobQueueMetrics(hanging).bindTo(registry);

            // Before, each queue's gauges waited their 2 s in turn: 10 s for five queues, past Prometheus's
            // default scrape timeout, so the meters counted here were lost with them.
            var waiting = assertTimeoutPreemptively(StatsRead.MAX_WAIT.plusMillis(1500), () ->
                    registry.find("jobq.queue.waiting").gauges().stream().map(gauge -> gauge.value()).toList());

            assertThat(waiting).hasSize(5).allSatisfy(value -> assertThat(value).isNaN());
        } finally {
            answer.countDown();
            hanging.close();
        }
    }

    private static QueueProvider hangingUntil(CountDownLatch answer) {
        return new ForwardingQueueProvider(MemoryProviderFactory.builder().build()) {
            @Override
            public ProviderStats stats() {
                try {
                    answer.await(); // a network that drops packets: no answer, no error
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.stats();
            }
        };
    }

    @Test
    void statsCountJobsReceivedAndNotYetSettledAsInFlight() {
        var running = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        jobs.registerJobHandler("slow", Integer.class, (job, ctx) -> {
            running.countDown();
            finish.await();
        });
        new JobQueueMetrics(jobs).bindTo(registry);
        jobs.start();
        jobs.enqueue("slow", 1);
        try {
            await().atMost(WAIT).until(() -> running.getCount() == 0);

            // The provider's count, of every worker on the queue (BullMQ's active); active is this process's.
            assertThat(jobs.stats("default").inFlight()).isEqualTo(1);
            await().atMost(WAIT).until(() -> registry.get("jobq.queue.in_flight").tag("queue", "default").gauge()
                    .value() == 1);
        } finally {
            finish.countDown();
        }
        await().atMost(WAIT).until(() -> jobs.stats("default").inFlight() == 0);
    }
    @Test
    @DisplayName("a JobQueue built again and bound to the same registry (a Spring context refresh, a test suite) has its "
            + "gauges read it, not the closed one; closing the binder takes its gauges out")
    void aQueueBoundAgainToTheSameRegistryIsTheOneItsGaugesRead() {
        jobs.close();
        for (int cycle = 1; cycle <= 5; cycle++) {
            JobQueue again = JobQueue.builder().provider("memory").environment(Map.of()).build();
            var metrics = new JobQueueMetrics(again);
            try {
                for (int i = 0; i < cycle; i++) {
                    again.enqueue("report", i); // not started: the jobs wait
                }
                metrics.bindTo(registry);

                assertThat(registry.get("jobq.queue.waiting").tag("queue", "default").gauge().value())
                        .as("waiting jobs of cycle %d's queue", cycle).isEqualTo(cycle);
                assertThat(registry.find("jobq.queue.waiting").gauges()).hasSize(1);
                assertThat(registry.get("jobq.handlers.active").tag("queue", "default").gauge().value()).isZero();
            } finally {
                metrics.close();
                again.close();
            }
            assertThat(registry.find("jobq.queue.waiting").gauges()).as("gauges after close()").isEmpty();
            assertThat(registry.find("jobq.handlers.active").gauges()).isEmpty();
        }
    }

    @Test
    @DisplayName("a close() while bindTo() is under way leaves none of the binder's gauges or listeners behind: the "
            + "gauges bound after close() had read its list stayed registered, reading the queue, until it closed")
    void aCloseRacingItsOwnBindLeavesNoGaugeBehind() throws InterruptedException {
        var metrics = new JobQueueMetrics(jobs);
        var binding = new CountDownLatch(1);
        var goOn = new CountDownLatch(1);
        var paused = new AtomicBoolean();
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                // The bind holds here between its first gauge and the others.
                if (id.getName().equals("jobq.queue.delayed") && paused.compareAndSet(false, true)) {
                    binding.countDown();
                    try {
                        goOn.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return id;
            }
        });
        Thread bind = Thread.ofPlatform().name("bind").start(() -> metrics.bindTo(registry));
        assertThat(binding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the bind reached its second gauge").isTrue();
        Thread close = Thread.ofPlatform().name("close").start(metrics::close);
        // Ended (before the fix), or waiting for the bind to end.
        await().atMost(WAIT).until(() -> close.getState() != Thread.State.NEW
                && close.getState() != Thread.State.RUNNABLE);
        goOn.countDown();
        assertThat(bind.join(WAIT)).as("the bind ended").isTrue();
        assertThat(close.join(WAIT)).as("the close ended").isTrue();

        assertThat(registry.getMeters()).as("gauges left in the registry")
                .filteredOn(meter -> meter instanceof io.micrometer.core.instrument.Gauge)
                .extracting(meter -> meter.getId().getName()).isEmpty();
        jobs.registerJobHandler("report", Integer.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("report", 1);
        await().atMost(WAIT).until(() -> jobs.stats("default").waiting() == 0 && jobs.stats("default").inFlight() == 0);
        assertThat(count("completed", "report")).as("a closed binder counts nothing").isZero();
    }

    @Test
    @DisplayName("a binder that was never closed gives way to a later one bound to the same registry for the same queue")
    void aLaterBindingOfTheSameQueueReplacesAnUnclosedOnesGauges() {
        JobQueue first = JobQueue.builder().provider("memory").environment(Map.of()).build();
        JobQueue second = JobQueue.builder().provider("memory").environment(Map.of()).build();
        try {
            first.enqueue("report", 1);
            new JobQueueMetrics(first).bindTo(registry);
            first.close(); // its binder is not closed, as when an application forgets it

            second.enqueue("report", 1);
            second.enqueue("report", 2);
            new JobQueueMetrics(second).bindTo(registry);

            assertThat(registry.get("jobq.queue.waiting").tag("queue", "default").gauge().value()).isEqualTo(2);
            assertThat(registry.find("jobq.queue.waiting").gauges()).hasSize(1);
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    @DisplayName("a binder bound twice to one registry (a MeterBinder bean and a bindTo of its own) counts each event once")
    void aBinderBoundTwiceToOneRegistryCountsEachEventOnce() throws InterruptedException {
        jobs.registerJobHandler("ok", Integer.class, (job, ctx) -> { });
        var metrics = new JobQueueMetrics(jobs);
        metrics.bindTo(registry);
        metrics.bindTo(registry);
        var ended = new CountDownLatch(1);
        // Listeners hear an event in the order they were added, on one thread: once this one has, the binder has.
        jobs.addListener(event -> {
            if (event instanceof dev.jobq.JobEvent.Completed) {
                ended.countDown();
            }
        });
        jobs.start();

        jobs.enqueue("ok", 1);
        assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(registry.get("jobq.jobs.enqueued").tags("queue", "default", "type", "ok").counter().count())
                .as("jobs enqueued").isEqualTo(1);
        assertThat(count("completed", "ok")).as("attempts completed").isEqualTo(1);
        assertThat(timed("ok", "completed")).as("attempts timed").isEqualTo(1);

        metrics.close();
        jobs.enqueue("ok", 2);
        assertThat(registry.get("jobq.jobs.enqueued").tags("queue", "default", "type", "ok").counter().count())
                .as("closed once: no longer counting").isEqualTo(1);
    }

    @Test
    @DisplayName("a MeterFilter renaming the gauges does not keep a later binding of the same queue reading the earlier "
            + "queue")
    void aLaterBindingReplacesAnEarlierOnesGaugesUnderARenamingMeterFilter() {
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
                return id.getName().startsWith("jobq.") ? id.withName("app." + id.getName()) : id;
            }
        });
        JobQueue first = JobQueue.builder().provider("memory").environment(Map.of()).build();
        JobQueue second = JobQueue.builder().provider("memory").environment(Map.of()).build();
        try {
            first.enqueue("report", 1);
            new JobQueueMetrics(first).bindTo(registry); // its queue and binder left open, as a test may leave them

            second.enqueue("report", 1);
            second.enqueue("report", 2);
            var metrics = new JobQueueMetrics(second);
            metrics.bindTo(registry);

            assertThat(registry.get("app.jobq.queue.waiting").tag("queue", "default").gauge().value())
                    .as("waiting jobs of the queue bound last").isEqualTo(2);
            assertThat(registry.find("app.jobq.queue.waiting").gauges()).hasSize(1);

            metrics.close();
            assertThat(registry.find("app.jobq.queue.waiting").gauges()).as("gauges after close()").isEmpty();
        } finally {
            first.close();
            second.close();
        }
    }
}

package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobEvent;
import dev.jobq.JobQueueException;
import dev.jobq.JobInfo;
import dev.jobq.JobState;
import dev.jobq.RecurringJob;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.metrics.JobQueueMetrics;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.SettableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@link JobQueue} on the real memory provider with the JDBC scheduler found by ServiceLoader:
 * delays beyond the provider's limit and jobs for an instant are held in the database and run by
 * the worker when due; recurring jobs run through the queue; a process can leave firing to others.
 */
@DisplayName("JobQueue with the JDBC scheduler, end to end")
class JobQueueWithSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Reminder(String user) {
    }

    private final SettableClock clock = new SettableClock(T0);
    private final String url = "jdbc:h2:mem:jobq-queue-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    private final List<JobQueue> queues = new CopyOnWriteArrayList<>();
    private final List<Reminder> ran = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        queues.forEach(JobQueue::close);
    }

    private QueueProvider memory() {
        return MemoryProviderFactory.builder().clock(clock).build();
    }

    private JobQueue queue(QueueProvider provider) {
        JobQueue jobs = JobQueue.builder().provider(provider).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h"))
                .build();
        return started(jobs);
    }

    private JobQueue started(JobQueue jobs) {
        queues.add(jobs);
        jobs.registerJobHandler("reminder:send", Reminder.class, (job, ctx) -> ran.add(job.payload()));
        jobs.start();
        return jobs;
    }

    @Test
    @DisplayName("close() from a listener on the scheduler's thread (as a job it hands on is announced) returns at once "
            + "and shuts the queue down in the background, as from a handler, instead of waiting for its own thread")
    void closeFromAListenerOfAHandOffDoesNotWaitForItsOwnThread() throws Exception {
        var providerClosed = new java.util.concurrent.atomic.AtomicBoolean();
        JobQueue jobs = queue(new dev.jobq.testing.ForwardingQueueProvider(memory()) {
            @Override
            public void close() {
                providerClosed.set(true);
                super.close();
            }
        });
        var closing = new java.util.concurrent.CompletableFuture<Boolean>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Enqueued enqueued && !enqueued.viaScheduler()) {
                jobs.close();
                closing.complete(providerClosed.get());
            }
        });
        jobs.scheduler().schedule("reminder:send", new Reminder("ada"), T0.plus(Duration.ofMinutes(5)));

        clock.advance(Duration.ofMinutes(5));

        // Before, it waited 10 s for the firing thread it ran on, then interrupted it, the hand-off's transaction too,
        // and closed the provider. Told by order, not by time: the shutdown in the background closes the scheduler,
        // which waits for this thread, before the provider.
        assertThat(closing.get(30, TimeUnit.SECONDS)).as("the provider closed when close() in the listener returned")
                .isFalse();
        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> jobs.enqueue("reminder:send",
                new Reminder("bob"))).isInstanceOf(JobQueueException.class).hasMessageContaining("closed"));
    }

    @Test
    void aDelayBeyondTheProvidersLimitWaitsInTheDatabaseAndRunsWhenDue() {
        var provider = new ShortDelayProvider(memory());
        JobQueue jobs = queue(provider);

        String id = jobs.enqueue("reminder:send", new Reminder("ada"), EnqueueOptions.delay(Duration.ofHours(3)));

        assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(id);
        assertThat(provider.stats().delayed() + provider.stats().waiting()).isZero();
        clock.advance(Duration.ofHours(3));
        await().atMost(WAIT).until(() -> jobs.getJob(id).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        assertThat(ran).containsExactly(new Reminder("ada"));
        assertThat(jobs.scheduler().listScheduled(10)).isEmpty();
    }

    @Test
    void getJobFindsAJobTheSchedulerHoldsAsDelayed() {
        JobQueue jobs = queue(memory());
        Instant at = T0.plus(Duration.ofHours(1));
        String id = jobs.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().scheduledFor(at).priority(3).build());
        String cancelled = jobs.enqueue("reminder:send", new Reminder("bob"), EnqueueOptions.at(at));

        JobInfo held = jobs.getJob(id).orElseThrow();
        assertThat(held.state()).isEqualTo(JobState.DELAYED);
        assertThat(held.type()).isEqualTo("reminder:send");
        assertThat(held.queue()).isEqualTo("default");
        assertThat(held.attempts()).isZero();
        assertThat(held.payloadJson()).isEqualTo("{\"user\":\"ada\"}");
        assertThat(held.options().priority()).isEqualTo(3);
        assertThat(held.createdAt()).isEqualTo(T0);
        assertThat(jobs.scheduler().cancel(cancelled)).isTrue();
        assertThat(jobs.getJob(cancelled)).as("a cancelled job is no longer held").isEmpty();

        clock.advance(Duration.ofHours(1));
        await().atMost(WAIT).until(() -> jobs.getJob(id).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
    }

    @Test
    void aDelayWithinTheProvidersLimitStaysWithTheProvider() {
        JobQueue jobs = queue(new ShortDelayProvider(memory()));

        jobs.enqueue("reminder:send", new Reminder("ada"), EnqueueOptions.delay(Duration.ofMinutes(10)));

        assertThat(jobs.scheduler().listScheduled(10)).isEmpty();
    }

    @Test
    @DisplayName("enqueueAll of jobs for one instant hands them to the queue in the payloads' order, as a FIFO group "
            + "needs, also when their ids fall in one millisecond")
    void enqueueAllForAnInstantIsHandedOnInThePayloadsOrder() {
        List<String> handedOn = new CopyOnWriteArrayList<>();
        JobQueue jobs = queue(new dev.jobq.testing.ForwardingQueueProvider(memory()) {
            @Override
            public dev.jobq.spi.EnqueueResult enqueue(dev.jobq.spi.JobEnvelope envelope, Duration delay) {
                handedOn.add(envelope.payloadJson());
                return super.enqueue(envelope, delay);
            }
        });
        List<Reminder> payloads = java.util.stream.IntStream.range(0, 20).mapToObj(i -> new Reminder("user-" + i))
                .toList();

        // The clock stands still: every id falls in one millisecond, its other bits random.
        List<String> ids = jobs.enqueueAll("reminder:send", payloads,
                EnqueueOptions.at(T0.plus(Duration.ofMinutes(5))));
        clock.advance(Duration.ofMinutes(5));

        await().atMost(WAIT).until(() -> handedOn.size() == payloads.size());
        assertThat(handedOn).as("the hand-offs, in order").containsExactlyElementsOf(payloads.stream()
                .map(reminder -> "{\"user\":\"" + reminder.user() + "\"}").toList());
        assertThat(ids).doesNotHaveDuplicates().hasSize(payloads.size());
    }

    @Test
    @DisplayName("enqueueAll of jobs the scheduler holds for an ordered (FIFO) queue stops at a refused job, as the "
            + "provider's enqueueAll does, so that enqueueing the failed payloads again keeps the group's order")
    void enqueueAllHeldForAnOrderedQueueStopsAtARefusedJob() {
        JobQueue jobs = queue(new dev.jobq.testing.ForwardingQueueProvider(memory()) {
            @Override
            public dev.jobq.spi.Capabilities capabilities() {
                // As an SQS FIFO queue: no per-message delay (every delay is the scheduler's), an order kept.
                dev.jobq.spi.Capabilities real = delegate().capabilities();
                var features = java.util.EnumSet.noneOf(dev.jobq.spi.Feature.class);
                features.addAll(real.features());
                features.add(dev.jobq.spi.Feature.ORDERED);
                return new dev.jobq.spi.Capabilities(Duration.ZERO, real.maxPayloadBytes(), features);
            }

            @Override
            public void checkAcceptable(dev.jobq.spi.JobEnvelope envelope) {
                if (envelope.payloadJson().contains("user-2")) {
                    throw new dev.jobq.JobRejectedException("the whole message is over the test queue's limit");
                }
            }
        });
        List<Reminder> payloads = java.util.stream.IntStream.range(0, 5).mapToObj(i -> new Reminder("user-" + i))
                .toList();

        var refused = org.assertj.core.api.Assertions.catchThrowableOfType(dev.jobq.BulkEnqueueException.class,
                () -> jobs.enqueueAll("reminder:send", payloads,
                        EnqueueOptions.builder().delay(Duration.ofMinutes(5)).build()));

        assertThat(refused.failedIndexes()).as("the refused job and those after it, which would run ahead of it")
                .containsExactly(2, 3, 4);
        assertThat(jobs.scheduler().listScheduled(10)).as("held: only those before it").hasSize(2);
        assertThat(refused).hasMessageContaining("First failure: the whole message is over the test queue's limit");
        assertThat(refused.getSuppressed()).extracting(Throwable::getMessage).first().asString()
                .contains("payload at index 3", "index 2", "enqueue them again, in order");
    }

    @Test
    void aJobForAnInstantIsHeldByTheSchedulerEvenWhenTheProviderCouldHoldIt() {
        JobQueue jobs = queue(memory());

        String id = jobs.enqueue("reminder:send", new Reminder("ada"), EnqueueOptions.at(T0.plus(Duration.ofMinutes(5))));
        String scheduled = jobs.scheduler().schedule("reminder:send", new Reminder("bob"), T0.plus(Duration.ofMinutes(5)));

        assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactlyInAnyOrder(id, scheduled);
        clock.advance(Duration.ofMinutes(5));
        await().atMost(WAIT).until(() -> ran.size() == 2);
        assertThat(ran).containsExactlyInAnyOrder(new Reminder("ada"), new Reminder("bob"));
    }

    @Test
    @DisplayName("a job the scheduler holds counts in jobq.jobs.scheduled when stored and in jobq.jobs.enqueued "
            + "once, when handed to its queue")
    void aScheduledJobCountsOnceAsEnqueued() {
        JobQueue jobs = queue(memory());
        var registry = new SimpleMeterRegistry();
        new JobQueueMetrics(jobs).bindTo(registry);

        String now = jobs.enqueue("reminder:send", new Reminder("now"));
        // Done before the clock jumps past its lease, which would deliver it again.
        await().atMost(WAIT).until(() -> jobs.getJob(now).map(info -> info.state() == JobState.COMPLETED).orElse(false));
        jobs.enqueue("reminder:send", new Reminder("ada"), EnqueueOptions.at(T0.plus(Duration.ofMinutes(5))));
        jobs.scheduler().schedule("reminder:send", new Reminder("bob"), T0.plus(Duration.ofMinutes(5)));
        String cancelled = jobs.scheduler().schedule("reminder:send", new Reminder("cy"), T0.plus(Duration.ofMinutes(5)));
        assertThat(jobs.scheduler().cancel(cancelled)).isTrue();

        assertThat(count(registry, "jobq.jobs.enqueued")).isEqualTo(1);
        assertThat(count(registry, "jobq.jobs.scheduled")).as("stored, the cancelled one too").isEqualTo(3);
        clock.advance(Duration.ofMinutes(5));
        await().atMost(WAIT).until(() -> ran.size() == 3 && count(registry, "jobq.jobs.enqueued") == 3);
        assertThat(count(registry, "jobq.jobs.scheduled")).isEqualTo(3);
        assertThat(jobs.scheduler().listScheduled(10)).as("none left to hand on: the cancelled one never is").isEmpty();
        assertThat(count(registry, "jobq.jobs.enqueued")).as("the cancelled job is never handed on").isEqualTo(3);
    }

    private static double count(SimpleMeterRegistry registry, String name) {
        Counter counter = registry.find(name).tags("queue", "default", "type", "reminder:send").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("a deduplication key the scheduler holds makes an enqueue for now return the held job, counted "
            + "once; once that job has run, the key is free")
    void aKeyTheSchedulerHoldsDeduplicatesAJobForNow() {
        JobQueue jobs = queue(memory());
        var registry = new SimpleMeterRegistry();
        new JobQueueMetrics(jobs).bindTo(registry);
        List<JobEvent.Deduplicated> duplicates = new CopyOnWriteArrayList<>();
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Deduplicated duplicate) {
                duplicates.add(duplicate);
            }
        });
        Instant at = T0.plus(Duration.ofMinutes(5));
        String held = jobs.enqueue("reminder:send", new Reminder("ada"), keyed("ada").scheduledFor(at).build());

        String again = jobs.scheduler().schedule("reminder:send", new Reminder("ada, later"), at.plusSeconds(60),
                keyed("ada").build());
        String now = jobs.enqueue("reminder:send", new Reminder("ada, now"), keyed("ada").build());
        String nowAll = jobs.enqueueAll("reminder:send", List.of(new Reminder("ada, all")), keyed("ada").build()).get(0);

        assertThat(List.of(again, now, nowAll)).containsOnly(held);
        assertThat(duplicates).extracting(JobEvent.Deduplicated::jobId).containsExactly(held, held, held);
        assertThat(count(registry, "jobq.jobs.scheduled")).as("stored once").isEqualTo(1);
        assertThat(count(registry, "jobq.jobs.enqueued")).isZero();
        clock.advance(Duration.ofMinutes(5));
        await().atMost(WAIT).until(() -> jobs.getJob(held).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        assertThat(ran).containsExactly(new Reminder("ada"));

        String next = jobs.enqueue("reminder:send", new Reminder("ada, next"), keyed("ada").build());
        assertThat(next).isNotEqualTo(held);
        await().atMost(WAIT).until(() -> ran.size() == 2);
    }

    @Test
    @DisplayName("a deduplication key a job waiting in the provider holds makes a job for later return that job: "
            + "nothing is stored in the scheduler")
    void aKeyALiveJobHoldsDeduplicatesAJobForLater() {
        JobQueue jobs = JobQueue.builder().provider(memory()).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build();
        queues.add(jobs);
        jobs.registerJobHandler("reminder:send", Reminder.class, (job, ctx) -> ran.add(job.payload()));
        String waiting = jobs.enqueue("reminder:send", new Reminder("bob"), keyed("bob").build());

        String at = jobs.enqueue("reminder:send", new Reminder("bob, later"),
                keyed("bob").scheduledFor(T0.plus(Duration.ofHours(1))).build());
        String scheduled = jobs.scheduler().schedule("reminder:send", new Reminder("bob, later"),
                T0.plus(Duration.ofHours(1)), keyed("bob").build());
        String otherKey = jobs.enqueue("reminder:send", new Reminder("cy"),
                keyed("cy").scheduledFor(T0.plus(Duration.ofHours(1))).build());

        assertThat(List.of(at, scheduled)).containsOnly(waiting);
        assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(otherKey);
        jobs.start();
        await().atMost(WAIT).until(() -> jobs.getJob(waiting).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        assertThat(ran).containsExactly(new Reminder("bob"));
        String later = jobs.enqueue("reminder:send", new Reminder("bob, later"),
                keyed("bob").scheduledFor(T0.plus(Duration.ofHours(1))).build());
        assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id)
                .containsExactlyInAnyOrder(otherKey, later);
    }

    @Test
    @DisplayName("a trace id given with a job for later waits with it in the database and reaches its handler")
    void aTraceIdWaitsInTheSchedulerWithItsJob() {
        JobQueue jobs = queue(memory());
        var traces = new CopyOnWriteArrayList<String>();
        jobs.registerJobHandler("traced", Reminder.class, (job, ctx) -> traces.add(ctx.traceId().orElse("none")));
        Instant at = T0.plus(Duration.ofMinutes(5));

        jobs.enqueue("traced", new Reminder("ada"), EnqueueOptions.builder().traceId("trace-1").scheduledFor(at).build());
        jobs.scheduler().schedule("traced", new Reminder("bob"), at, EnqueueOptions.builder().traceId("trace-2").build());
        jobs.scheduler().schedule("traced", new Reminder("cy"), at);
        clock.advance(Duration.ofMinutes(5));

        await().atMost(WAIT).until(() -> traces.size() == 3);
        assertThat(traces).containsExactlyInAnyOrder("trace-1", "trace-2", "none");
        assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "traced")
                .schedule("every 1 day").options(EnqueueOptions.builder().traceId("trace-3").build()).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recurring job 'nightly': a traceId is not kept for recurring jobs (each occurrence is a "
                        + "new job, traced on its own); leave it unset");
        assertThat(jobs.scheduler().listRecurring()).isEmpty();
    }

    private static EnqueueOptions.Builder keyed(String key) {
        return EnqueueOptions.builder().deduplicationKey(key);
    }

    @Test
    @DisplayName("a recurring job refused for attempts its type's defaults gave says they did, as an enqueue does")
    void aRecurringJobOverALimitByItsTypesDefaultsNamesThem() {
        JobQueue jobs = JobQueue.builder().provider(limited(5, Duration.ofHours(1))).clock(clock)
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build();
        queues.add(jobs);
        jobs.registerJobHandler("report:build", Reminder.class, (job, ctx) -> ran.add(job.payload()),
                HandlerOptions.defaults().maxAttempts(10));
        jobs.start();
        String named = "; maxAttempts 10 is the default of job type 'report:build', from the HandlerOptions its "
                + "handler was registered with: lower it there, or set maxAttempts in the EnqueueOptions";

        assertThatThrownBy(() -> jobs.enqueue("report:build", new Reminder("ada"))).hasMessageEndingWith(named);
        assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:build")
                .schedule("every 1 minute").payload(new Reminder("cy")).build()))
                .isInstanceOf(dev.jobq.JobRejectedException.class)
                .hasMessageStartingWith("maxAttempts 10 is more than provider '")
                .hasMessageEndingWith(named);
        assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:build")
                .schedule("every 1 minute").payload(new Reminder("cy"))
                .options(EnqueueOptions.builder().maxAttempts(6).build()).build()))
                .as("a value the definition gave is its own: no word of the type's defaults")
                .hasMessageEndingWith("lower maxAttempts to at most 5");
        assertThat(jobs.scheduler().listRecurring()).isEmpty();
    }

    @Test
    @DisplayName("a type's own defaults reach the jobs the scheduler holds: for later, for an instant, and each "
            + "occurrence of a recurring job")
    void aTypesOwnDefaultsReachTheJobsTheSchedulerHolds() {
        JobQueue jobs = JobQueue.builder().provider(memory()).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build();
        queues.add(jobs);
        jobs.registerJobHandler("report:build", Reminder.class, (job, ctx) -> ran.add(job.payload()),
                HandlerOptions.defaults().maxAttempts(4).timeout(Duration.ofMinutes(2)));
        jobs.start();
        JobOptions own = new JobOptions(4, Duration.ofMinutes(2), 0, null, "default");

        String later = jobs.enqueue("report:build", new Reminder("ada"), EnqueueOptions.delay(Duration.ofHours(3)));
        String atInstant = jobs.scheduler().schedule("report:build", new Reminder("bob"), T0.plus(Duration.ofHours(1)));
        jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:build").schedule("every 1 minute")
                .payload(new Reminder("cy")).options(EnqueueOptions.builder().maxAttempts(9).build()).build());

        assertThat(jobs.getJob(later).orElseThrow().options()).isEqualTo(own);
        assertThat(jobs.getJob(atInstant).orElseThrow().options()).isEqualTo(own);
        clock.advance(Duration.ofMinutes(1));
        String occurrence = OccurrenceIds.of("nightly", T0.plus(Duration.ofMinutes(1)));
        await().atMost(WAIT).until(() -> jobs.getJob(occurrence).isPresent());
        assertThat(jobs.getJob(occurrence).orElseThrow().options()).as("the definition's own maxAttempts wins")
                .isEqualTo(new JobOptions(9, Duration.ofMinutes(2), 0, null, "default"));
    }

    @Test
    void aRecurringJobRunsThroughTheQueueWithItsPayload() {
        JobQueue jobs = queue(memory());
        jobs.scheduler().registerRecurring(RecurringJob.builder("nudge", "reminder:send").schedule("every 1 minute")
                .payload(new Reminder("cy")).build());

        for (int minute = 1; minute <= 2; minute++) {
            clock.advance(Duration.ofMinutes(1));
            int expected = minute;
            await().atMost(WAIT).until(() -> ran.size() == expected);
        }

        assertThat(ran).containsExactly(new Reminder("cy"), new Reminder("cy"));
        assertThat(jobs.getJob(OccurrenceIds.of("nudge", T0.plus(Duration.ofMinutes(2))))).isPresent();
        assertThat(jobs.scheduler().getRecurring("nudge").orElseThrow().lastRunAt())
                .isEqualTo(T0.plus(Duration.ofMinutes(2)));
    }

    @Test
    void aJobForAnInstantLongPastRunsAtOnceKeepingItsInstant() {
        JobQueue jobs = queue(memory());

        Instant moonLanding = Instant.parse("1969-07-20T20:17:40Z");
        Instant yearOne = Instant.parse("0001-01-01T00:00:00Z");
        String first = jobs.scheduler().schedule("reminder:send", new Reminder("neil"), moonLanding);
        String second = jobs.enqueue("reminder:send", new Reminder("buzz"), EnqueueOptions.at(yearOne));

        await().atMost(WAIT).until(() -> ran.size() == 2);
        assertThat(ran).containsExactlyInAnyOrder(new Reminder("neil"), new Reminder("buzz"));
        assertThat(jobs.getJob(first).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(jobs.getJob(second).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    @DisplayName("a job scheduled for a queue a later release no longer configures waits in the database, as it "
            + "is, until a release that has the queue hands it on at once")
    void aScheduledJobForARemovedQueueWaitsForAReleaseThatHasIt() {
        JobQueue before = started(JobQueue.builder().provider(memory()).queue("reports", memory()).clock(clock)
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build());
        String id = before.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().queue("reports").scheduledFor(T0.plus(Duration.ofHours(1))).build());
        before.close();

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            JobQueue without = queue(memory()); // the release that removed the queue "reports"
            clock.advance(Duration.ofHours(1));
            await().atMost(WAIT).until(() -> !log.warnings().isEmpty());
            assertThat(log.warnings()).singleElement().asString().contains("does not have queue 'reports'",
                    "unknown queue 'reports' (configured: default)", "jobq schedule cancel");
            ScheduledJobInfo waiting = without.scheduler().listScheduled(10).getFirst();
            assertThat(waiting.id()).isEqualTo(id);
            assertThat(waiting.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED);
            assertThat(waiting.queue()).isEqualTo("reports");
            without.close();
        }

        // Not pushed 5 minutes on by the release without the queue: the one with it hands it on without a wait.
        JobQueue again = started(JobQueue.builder().provider(memory()).queue("reports", memory()).clock(clock)
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build());
        await().atMost(WAIT).until(() -> again.getJob(id).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        assertThat(ran).containsExactly(new Reminder("ada"));
    }

    @Test
    @DisplayName("the WARNs for a recurring job its queue rejects, and for a queue this process does not have, repeat "
            + "the queue's name with its bidirectional override escaped")
    void theWarningsOfAHandOffRepeatAQueueWithABidirectionalOverrideEscaped() {
        // A queue name may not hold a control character (refused by the builder and the config file since aaf6ce92),
        // but may hold a bidirectional override, which shown raw would show the rest of the line reversed.
        String reports = "re\u202eports";
        JobQueue before = started(JobQueue.builder().provider(memory()).queue(reports, memory()).clock(clock)
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build());
        before.scheduler().registerRecurring(RecurringJob.builder("digest", "reminder:send").schedule("every 1 minute")
                .payload(new Reminder("x".repeat(2000))).options(EnqueueOptions.builder().queue(reports).build())
                .build());
        before.close();

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            JobQueue without = queue(memory()); // a process without the queue leaves the job to one with it
            clock.advance(Duration.ofMinutes(1));
            await().atMost(WAIT).until(() -> !log.warnings().isEmpty());
            assertThat(log.warnings()).singleElement().asString()
                    .contains("does not have queue 're\\u202eports' (").doesNotContain("\u202e");
            without.close();
        }
        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            started(JobQueue.builder().provider(memory()).queue(reports, MemoryProviderFactory.builder().clock(clock)
                    .maxPayloadBytes(1024).build()).clock(clock).environment(Map.of())
                    .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build());
            await().atMost(WAIT).until(() -> !log.warnings().isEmpty());
            assertThat(log.warnings()).singleElement().asString()
                    .contains("recurring job 'digest' (reminder:send) on queue 're\\u202eports' is rejected")
                    .doesNotContain("\u202e");
        }
    }

    /**
     * The queue's limit was lowered by a later release after the jobs were stored: the provider rejects
     * them at the hand-off. Nothing is lost and nothing else is held up, and the log has one WARN per
     * job with the way out, not one per try.
     */
    @Test
    @DisplayName("jobs stored before the queue's payload limit was lowered are kept, WARNed once each, and the "
            + "other due jobs run")
    void jobsOverALimitLoweredSinceTheyWereStoredAreKeptAndWarnedOnce() {
        JobQueue before = queue(memory());
        String big = "x".repeat(2000);
        String held = before.enqueue("reminder:send", new Reminder(big), EnqueueOptions.at(T0.plus(Duration.ofMinutes(1))));
        String small = before.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.at(T0.plus(Duration.ofMinutes(1))));
        before.scheduler().registerRecurring(RecurringJob.builder("digest", "reminder:send").schedule("every 1 minute")
                .payload(new Reminder(big)).build());
        before.close();

        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                HandOff.class);
        ch.qos.logback.classic.Level level = logger.getLevel();
        var log = new CapturedLog();
        log.start();
        logger.addAppender(log);
        logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            JobQueue lowered = queue(MemoryProviderFactory.builder().clock(clock).maxPayloadBytes(1024).build());
            clock.advance(Duration.ofMinutes(1));
            await().atMost(WAIT).until(() -> lowered.getJob(small).map(info -> info.state() == JobState.COMPLETED)
                    .orElse(false));
            await().atMost(WAIT).until(() -> lowered.scheduler().getRecurring("digest").orElseThrow().lastError() != null
                    && lowered.scheduler().listScheduled(10).stream().anyMatch(job -> job.error() != null));
            assertThat(lowered.scheduler().listScheduled(10)).singleElement().satisfies(job -> {
                assertThat(job.id()).isEqualTo(held);
                assertThat(job.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED);
                assertThat(job.error()).contains("over the limit of 1024 bytes of memory queue 'default'");
            });

            clock.advance(Duration.ofMinutes(5)); // the next try of both
            await().atMost(WAIT).until(() -> log.list.stream().filter(e -> e.getLevel()
                    == ch.qos.logback.classic.Level.DEBUG && e.getFormattedMessage().contains("still rejected")).count()
                    >= 2);
            List<String> warnings = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).hasSize(2);
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains(held, "jobq schedule cancel " + held));
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains("recurring job 'digest'",
                    "jobq recurring delete digest"));
            assertThat(ran).containsExactly(new Reminder("ada"));
        } finally {
            logger.detachAppender(log);
            logger.setLevel(level);
        }
    }

    @Test
    @DisplayName("the WARN for a recurring job its queue rejects gives a delete command that works for a name with a "
            + "space")
    void theDeleteCommandForARejectedRecurringJobIsQuotedForTheShell() {
        // "jobq recurring delete daily digest" was given: the shell passes two arguments, and jobq refuses the second
        assertThat(warningOfARejectedRecurringJob("daily digest", "reminder:send"))
                .contains("recurring job 'daily digest'", "jobq recurring delete 'daily digest' (Scheduler");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"',
            value = {"-weekly | -- -weekly", "~weekly | '~weekly'", "digest=~ | 'digest=~'"})
    @DisplayName("the WARN for a recurring job its queue rejects gives a delete command that works for a name the "
            + "shell would take for an option or expand")
    void theDeleteCommandForARejectedRecurringJobWorksForANameWithADashOrATilde(String name, String command) {
        // "jobq recurring delete -weekly" was given, which jobq reads as an option ("Missing required parameter:
        // 'NAME'"); and bash expands an unquoted ~weekly (user weekly's home) and digest=~ (digest=$HOME)
        assertThat(warningOfARejectedRecurringJob(name, "reminder:send"))
                .contains("jobq recurring delete " + command + " (Scheduler");
    }

    @Test
    @DisplayName("the delete command for a rejected recurring job named -weekly says that an option such as --config "
            + "goes before the --, where jobq reads it")
    void theDeleteCommandForANameWithADashSaysWhereAnOptionGoes() {
        // "jobq recurring delete -- -weekly --config jobq.yaml", the command given with the worker's config file added
        // after it, is refused (run): "Unknown options: '--config', 'jobq.yaml'"; past the --, jobq reads no option
        assertThat(warningOfARejectedRecurringJob("-weekly", "reminder:send")).contains("jobq recurring delete -- "
                + "-weekly (Scheduler.deleteRecurring; an option such as --config goes before the --, not after the name)");
    }

    @Test
    @DisplayName("the WARN for a recurring job its queue rejects repeats the job's type with its control characters "
            + "escaped")
    void theWarnForARejectedRecurringJobRepeatsItsTypeEscaped() {
        // the type was repeated raw: a newline in it started a forged line of its own in the log
        assertThat(warningOfARejectedRecurringJob("digest", "reminder:send\nforged"))
                .contains("of recurring job 'digest' (reminder:send\\nforged) on queue 'default'")
                .doesNotContain("\n");
    }

    /**
     * The one WARN of the hand-off of recurring job {@code name} of {@code type}, registered with a payload of 2,000
     * characters, by a queue whose provider takes 1,024 bytes at most. Registered on the scheduler itself, as a
     * JobScheduler used without a JobQueue (or an earlier release) stores it: a JobQueue refuses a type with a control
     * character before anything is stored, and the WARN must still escape one stored so.
     */
    private String warningOfARejectedRecurringJob(String name, String type) {
        var context = new dev.jobq.spi.SchedulerContext(dev.jobq.spi.Settings.empty("scheduler"), clock,
                envelope -> { throw new AssertionError("this scheduler only stores"); });
        try (JdbcJobScheduler before = JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context)) {
            before.registerRecurring(RecurringJob.builder(name, type).schedule("every 1 minute").build(),
                    "{\"user\":\"" + "x".repeat(2000) + "\"}");
        }

        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                HandOff.class);
        var log = new CapturedLog();
        log.start();
        logger.addAppender(log);
        try {
            queue(MemoryProviderFactory.builder().clock(clock).maxPayloadBytes(1024).build());
            clock.advance(Duration.ofMinutes(1));
            await().atMost(WAIT).until(() -> log.list.stream()
                    .anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN));
            List<String> warnings = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).as("WARN lines of the hand-off").hasSize(1);
            return warnings.getFirst();
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    @DisplayName("each hand-off its queue rejects is counted in jobq.scheduler.handoffs.rejected, shown at 0 from the "
            + "start; the jobs handed on are not")
    void handOffsItsQueueRejectsAreCounted() {
        JobQueue before = queue(memory());
        before.enqueue("reminder:send", new Reminder("x".repeat(2000)), EnqueueOptions.at(T0.plus(Duration.ofMinutes(1))));
        String small = before.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.at(T0.plus(Duration.ofMinutes(1))));
        before.close();

        JobQueue lowered = queue(MemoryProviderFactory.builder().clock(clock).maxPayloadBytes(1024).build());
        var registry = new SimpleMeterRegistry();
        new JobQueueMetrics(lowered).bindTo(registry);
        // Shown before any rejection, so that an alert on its rate has a series from the start.
        assertThat(rejectedHandOffs(registry)).isZero();
        clock.advance(Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> lowered.getJob(small).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        // Before, nothing counted them: only the WARN line, once per job, said so.
        await().atMost(WAIT).until(() -> rejectedHandOffs(registry) == 1);
        clock.advance(Duration.ofMinutes(5)); // the next try
        await().atMost(WAIT).until(() -> rejectedHandOffs(registry) == 2);
        assertThat(count(registry, "jobq.jobs.enqueued")).isEqualTo(1);
    }

    private static double rejectedHandOffs(SimpleMeterRegistry registry) {
        Counter counter = registry.find("jobq.scheduler.handoffs.rejected").tags("queue", "default").counter();
        return counter == null ? -1 : counter.count();
    }

    /** A memory provider whose limits on attempts and timeout are those given: a redrive policy lowered, say. */
    private QueueProvider limited(int maxAttempts, Duration maxTimeout) {
        return new dev.jobq.testing.ForwardingQueueProvider(memory()) {
            @Override
            public dev.jobq.spi.Capabilities capabilities() {
                dev.jobq.spi.Capabilities real = delegate().capabilities();
                return new dev.jobq.spi.Capabilities(real.maxDelay(), real.maxPayloadBytes(), real.features(),
                        real.receiveBatch(), maxAttempts, maxTimeout);
            }
        };
    }

    @Test
    @DisplayName("jobs stored before the queue's limits on attempts and timeout were lowered are rejected at hand-off: "
            + "kept with the reason, not handed on to be cut short by the provider")
    void jobsOverAnAttemptsOrTimeoutLimitLoweredSinceTheyWereStoredAreKept() {
        JobQueue before = queue(memory());
        String manyAttempts = before.enqueue("reminder:send", new Reminder("many"),
                EnqueueOptions.builder().scheduledFor(T0.plus(Duration.ofMinutes(1))).maxAttempts(10).build());
        String longTimeout = before.enqueue("reminder:send", new Reminder("long"),
                EnqueueOptions.builder().scheduledFor(T0.plus(Duration.ofMinutes(1))).timeout(Duration.ofHours(2)).build());
        String fits = before.enqueue("reminder:send", new Reminder("fits"),
                EnqueueOptions.builder().scheduledFor(T0.plus(Duration.ofMinutes(1))).maxAttempts(3).build());
        before.close();

        JobQueue lowered = queue(limited(5, Duration.ofHours(1)));
        clock.advance(Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> lowered.getJob(fits).map(info -> info.state() == JobState.COMPLETED)
                .orElse(false));
        // Before, both were handed on: on SQS the redrive policy then moves the first to the DLQ after 5 receives,
        // without its error and without a Dead event, and the second is delivered again under its running handler.
        await().atMost(WAIT).until(() -> lowered.scheduler().listScheduled(10).stream().allMatch(job -> job.error() != null));
        assertThat(lowered.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id)
                .containsExactlyInAnyOrder(manyAttempts, longTimeout);
        assertThat(lowered.scheduler().listScheduled(10)).allSatisfy(job ->
                assertThat(job.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED));
        assertThat(lowered.scheduler().listScheduled(10)).anySatisfy(job -> {
            assertThat(job.id()).isEqualTo(manyAttempts);
            assertThat(job.error()).contains("maxAttempts 10 is more than provider");
        });
        assertThat(lowered.scheduler().listScheduled(10)).anySatisfy(job -> {
            assertThat(job.id()).isEqualTo(longTimeout);
            assertThat(job.error()).contains("timeout 2h is longer than provider");
        });
        assertThat(ran).containsExactly(new Reminder("fits"));
    }

    /**
     * semantics.md, limits: a job type with a control character is refused at the call, but a job stored before that
     * (or by a JobScheduler used without a JobQueue) is handed on when due, not kept and tried again at each pass, and
     * dead-lettered as of an unknown type with the reason, as another producer's message with such a type is.
     */
    @Test
    void aStoredJobWhoseTypeHasAControlCharacterIsHandedOnAndDeadLetteredAsUnknown() {
        var context = new dev.jobq.spi.SchedulerContext(dev.jobq.spi.Settings.empty("scheduler"), clock,
                envelope -> { throw new AssertionError("this scheduler only stores"); });
        String id = "stored-before";
        try (JdbcJobScheduler direct = JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(context)) {
            direct.schedule(new dev.jobq.spi.JobEnvelope(1, id, "reminder:send\n", "{\"user\":\"ada\"}",
                    JobOptions.defaults(), 0, T0, null, null), T0.plus(Duration.ofMinutes(5)));
        }
        JobQueue jobs = queue(memory());

        clock.advance(Duration.ofMinutes(5));

        await().atMost(WAIT).until(() -> jobs.getJob(id).map(info -> info.state() == JobState.DEAD).orElse(false));
        assertThat(jobs.getJob(id).orElseThrow().lastError()).startsWith("no handler for job type 'reminder:send\\n'");
        assertThat(jobs.scheduler().listScheduled(10)).as("handed on, not kept to be tried again").isEmpty();
        assertThat(ran).isEmpty();
    }

    @Test
    void aRecurringJobWhoseHandlerIsGoneKeepsFiringAndEachOccurrenceIsDeadLetteredWithTheReason() {
        JobQueue jobs = queue(memory());
        // Registered by an earlier release that had a handler for it; this one has none.
        jobs.scheduler().registerRecurring(RecurringJob.builder("retired", "report:retired").schedule("every 1 minute")
                .build());

        for (int minute = 1; minute <= 2; minute++) {
            clock.advance(Duration.ofMinutes(1));
            String occurrence = OccurrenceIds.of("retired", T0.plus(Duration.ofMinutes(minute)));
            await().atMost(WAIT).until(() -> jobs.getJob(occurrence).map(info -> info.state() == JobState.DEAD)
                    .orElse(false));
            assertThat(jobs.getJob(occurrence).orElseThrow().lastError())
                    .startsWith("no handler for job type 'report:retired' in this worker");
        }
        assertThat(jobs.scheduler().getRecurring("retired").orElseThrow().lastError())
                .as("the scheduler hands occurrences on; only a worker knows its handlers").isNull();
        assertThat(jobs.scheduler().deleteRecurring("retired")).isTrue();
    }

    /**
     * configuration.md: a bad value of a worker key set with JobQueue.builder(), or of a section set in code, does not
     * fail the build, since none of it is used. The file's scheduler section shared the file's problem list, those
     * dropped problems included, and the JDBC factory's create() threw them all the same.
     */
    @Test
    void aBadValueThatCodeReplacesDoesNotFailTheFilesScheduler() throws IOException {
        Path config = Files.writeString(dir.resolve("jobq.yaml"), """
                worker:
                  concurrency: 0
                queues:
                  reports:
                    type: no-such-provider
                scheduler:
                  enabled: true
                  pollInterval: 1s
                  jdbcUrl: %s
                """.formatted(url));

        JobQueue jobs = started(JobQueue.builder().config(config).environment(Map.of("QUEUE_POLL_INTERVAL", "soon"))
                .provider(memory()).queue("reports", memory()).concurrency(2).pollInterval(Duration.ofMillis(50))
                .clock(clock).build());

        assertThat(jobs.hasScheduler()).isTrue();
        jobs.scheduler().schedule("reminder:send", new Reminder("eve"), T0.plus(Duration.ofHours(2)));
        clock.advance(Duration.ofHours(2));
        await().atMost(WAIT).until(() -> ran.size() == 1);
    }

    @Test
    void aProcessWithTheSchedulerDisabledStoresJobsThatAnEnabledProcessFires() throws IOException {
        Path appConfig = Files.writeString(dir.resolve("app.yaml"), """
                scheduler:
                  enabled: false
                  jdbcUrl: %s
                """.formatted(url));
        Path workerConfig = Files.writeString(dir.resolve("worker.yaml"), """
                scheduler:
                  enabled: true
                  pollInterval: 1s
                  jdbcUrl: %s
                """.formatted(url));
        QueueProvider appProvider = memory();
        JobQueue app = started(JobQueue.builder().config(appConfig).environment(Map.of()).provider(appProvider)
                .clock(clock).build());
        JobQueue worker = started(JobQueue.builder().config(workerConfig).environment(Map.of()).provider(memory())
                .clock(clock).build());

        app.scheduler().schedule("reminder:send", new Reminder("dee"), T0.plus(Duration.ofHours(2)));
        clock.advance(Duration.ofHours(2));

        await().atMost(WAIT).until(() -> ran.size() == 1);
        assertThat(worker.scheduler().listScheduled(10)).isEmpty();
        // The app's own queue never received it: its scheduler stores, but does not fire.
        assertThat(appProvider.stats()).isEqualTo(new dev.jobq.spi.ProviderStats(0, 0, 0, 0));
        assertThat(app.hasScheduler()).isTrue();
    }

    @Test
    @DisplayName("a job falling due while the worker drains stays in the database for the next start, not handed to "
            + "the closing queue (whose memory would drop it)")
    void aJobDueWhileTheWorkerDrainsStaysForTheNextStart() throws InterruptedException {
        var holding = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        JobQueue closing = JobQueue.builder().provider(memory()).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build();
        queues.add(closing);
        closing.registerJobHandler("report:hold", Object.class, (job, ctx) -> {
            holding.countDown();
            finish.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
        closing.start();
        closing.enqueue("report:hold", null);
        assertThat(holding.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        String due = closing.scheduler().schedule("reminder:send", new Reminder("ada"), T0.plus(Duration.ofHours(1)));
        // Another process's view of the store, which never fires.
        JobQueue store = JobQueue.builder().provider(memory()).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "enabled", false)).build();
        queues.add(store);

        Thread close = Thread.ofPlatform().start(closing::close);
        await().atMost(WAIT).until(() -> isClosed(closing));
        clock.advance(Duration.ofHours(1));
        // While the worker drains, the job falls due: it is still held (a scheduler that fired hands it on in ms).
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> store.scheduler().listScheduled(10).stream()
                .map(ScheduledJobInfo::id).toList().equals(List.of(due)));
        finish.countDown();
        close.join(WAIT);
        assertThat(close.isAlive()).as("close() returned").isFalse();

        started(JobQueue.builder().provider(memory()).clock(clock).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build());
        await().atMost(WAIT).until(() -> ran.equals(List.of(new Reminder("ada"))));
    }

    /** True once close() has begun: start() then says the queue is closed. */
    private static boolean isClosed(JobQueue jobs) {
        try {
            jobs.start();
            return false;
        } catch (JobQueueException closed) {
            return true;
        }
    }
}

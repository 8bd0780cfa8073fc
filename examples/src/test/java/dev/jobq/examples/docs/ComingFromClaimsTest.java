package dev.jobq.examples.docs;

import static dev.jobq.examples.docs.SemanticsSnippetsTest.awaitEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import dev.jobq.sqs.SqsProviderFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mappings of docs/coming-from.md ("X there is Y here"), run: each test names its row. */
class ComingFromClaimsTest {
    record Work(String what) {}

    @TempDir Path dir;

    private static JobQueue withScheduler(String name, LinkedBlockingQueue<JobEvent> events) {
        return JobQueue.builder().listener(events::add)
                .scheduler("jdbc", Map.of("enabled", "true", "jdbcUrl", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1"))
                .build();
    }

    @Test
    void bullmqDeduplicationReturnsTheFirstIdAndAnnouncesIt_acrossJobTypesOfOneQueue() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            String first = jobs.enqueue("email:send", new Work("a"), EnqueueOptions.builder().deduplicationKey("k").build());
            String second = jobs.enqueue("sms:send", new Work("b"), EnqueueOptions.builder().deduplicationKey("k").build());
            assertThat(second).isEqualTo(first);
            JobEvent.Deduplicated dedup = awaitEvent(events, JobEvent.Deduplicated.class);
            assertThat(dedup.jobId()).isEqualTo(first);
            assertThat(dedup.deduplicationKey()).isEqualTo("k");
        }
    }

    @Test
    void jobrunrsScheduleIsAtOrTheScheduler_andDbSchedulersInstanceIdIsTheKeyOfAWaitingJob() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = withScheduler("claims-at", events)) {
            Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
            String viaAt = jobs.enqueue("work:do", new Work("at"), EnqueueOptions.at(tomorrow));
            String viaScheduler = jobs.scheduler().schedule("work:do", new Work("sched"), tomorrow);
            assertThat(viaAt).isNotEqualTo(viaScheduler);

            EnqueueOptions keyed = EnqueueOptions.builder().deduplicationKey("work:do:42").build();
            String waiting = jobs.scheduler().schedule("work:do", new Work("1"), tomorrow, keyed);
            String again = jobs.scheduler().schedule("work:do", new Work("2"), tomorrow.plusSeconds(60), keyed);
            assertThat(again).isEqualTo(waiting);
        }
    }

    @Test
    void bullmqsUpsertJobSchedulerIsRegisterRecurringByName_withJobrunrsSecondsAsEvery30Seconds() {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = withScheduler("claims-recurring", events)) {
            jobs.scheduler().registerRecurring(RecurringJob.builder("digest", "work:do").schedule("0 9 * * MON-FRI")
                    .timezone("Europe/Paris").build());
            RecurringJobInfo updated = jobs.scheduler().registerRecurring(RecurringJob.builder("digest", "work:do")
                    .schedule("every 30 seconds").misfirePolicy(MisfirePolicy.SKIP).build());
            assertThat(jobs.scheduler().listRecurring()).hasSize(1);
            assertThat(updated.schedule()).isEqualTo("every 30 seconds");
            for (String quartzAndCron : List.of("@daily", "@hourly", "*/15 * * * *", "0 0 1 * *")) {
                jobs.scheduler().registerRecurring(RecurringJob.builder(quartzAndCron, "work:do").schedule(quartzAndCron).build());
            }
        }
    }

    @Test
    void laravelsQueueRetryIsRedriveWithFreshAttempts_andMaxAttempts1MeansNoRetry() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                attempts.add(ctx.attempt());
                throw new IllegalStateException("down");
            });
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.builder().maxAttempts(1).build());
            assertThat(awaitEvent(events, JobEvent.Dead.class).jobId()).isEqualTo(id);
            assertThat(attempts).containsExactly(1);

            assertThat(jobs.deadLetters("default").orElseThrow().redrive(id)).isTrue();
            assertThat(awaitEvent(events, JobEvent.Dead.class).attempt()).isEqualTo(1);
            assertThat(attempts).containsExactly(1, 1);
        }
    }

    @Test
    void sidekiqsRetriesExhausted_aLastAttemptWhoseWorkerCrashedIsDeadWithoutRunning_soOnlyADeadListenerHearsIt()
            throws Exception {
        // "That code does not see every death: a last attempt whose worker crashed … the delivery after it is
        // dead-lettered without running … A listener on JobEvent.Dead sees those too"
        QueueProvider provider = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of("leaseDuration", "250ms")), Clock.systemUTC()));
        var events = new LinkedBlockingQueue<JobEvent>();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try (JobQueue jobs = JobQueue.builder().provider(provider).listener(events::add).build()) {
            jobs.registerJobHandler("export:build", Work.class, (job, ctx) -> ran.add(ctx.attempt()));
            String id = jobs.enqueue("export:build", new Work("q3"), EnqueueOptions.builder().maxAttempts(2).build());
            // two workers received it and died before settling it: each delivery's lease runs out
            for (int attempt = 1; attempt <= 2; attempt++) {
                List<ReceivedJob> crashed = provider.receive(1, Duration.ofSeconds(10));
                assertThat(crashed).singleElement().satisfies(r -> assertThat(r.envelope().jobId()).isEqualTo(id));
                assertThat(crashed.get(0).attempt()).isEqualTo(attempt);
            }
            jobs.start();

            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.jobId()).isEqualTo(id);
            assertThat(dead.error()).startsWith("delivered for attempt 3 but maxAttempts is 2");
            assertThat(ran).as("the handler, and so its last-run code, never ran").isEmpty();
        }
    }

    /**
     * An application's DataSource as Spring's transaction-aware ones (db-scheduler's starter wraps its DataSource in one)
     * behave: on a thread inside the application's transaction, every connection asked for is that transaction's, and
     * closing it leaves it open; elsewhere a connection of its own.
     */
    static DataSource transactionAware(DataSource database, ThreadLocal<Connection> transaction) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Connection bound = transaction.get();
                    if (bound != null && method.getName().equals("getConnection")) {
                        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                                (connection, call, callArgs) -> call.getName().equals("close") ? null
                                        : invoke(call, bound, callArgs));
                    }
                    return invoke(method, database, args);
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void dbSchedulersScheduleInTheApplicationsTransaction_isTheSchedulersScheduleOnItsDataSource_notAnEnqueue()
            throws Exception {
        Matcher row = Pattern.compile("\\| `scheduler.schedule\\(…\\)` inside the application's transaction[^|]*\\|([^\\n]*)")
                .matcher(DocPage.of("docs/coming-from.md").text());
        assertThat(row.find()).as("docs/coming-from.md's db-scheduler row on scheduling in the application's transaction")
                .isTrue();
        assertThat(row.group(1)).contains("`jobs.scheduler().schedule(…)`", "a rollback undoes it",
                "An `enqueue` onto the queue does not", "stays after a rollback");

        var database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:claims-transaction;DB_CLOSE_DELAY=-1");
        var transaction = new ThreadLocal<Connection>();
        DataSource application = transactionAware(database, transaction);
        try (JobQueue jobs = JobQueue.builder()
                .scheduler(ctx -> JdbcSchedulerFactory.builder().dataSource(application).build(ctx)).build()) {
            Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
            String scheduled;
            String enqueued;
            String committed;
            String at;
            try (Connection connection = database.getConnection()) {
                connection.setAutoCommit(false);
                transaction.set(connection);
                scheduled = jobs.scheduler().schedule("invoice:send", new Work("rolled back"), tomorrow);
                enqueued = jobs.enqueue("invoice:send", new Work("enqueued"));
                at = jobs.enqueue("invoice:send", new Work("at"), EnqueueOptions.at(tomorrow));
                transaction.remove();
                connection.rollback();

                transaction.set(connection);
                committed = jobs.scheduler().schedule("invoice:send", new Work("committed"), tomorrow);
                transaction.remove();
                connection.commit();
            }
            assertThat(jobs.getJob(scheduled)).as("scheduled in the transaction rolled back").isEmpty();
            assertThat(jobs.getJob(at)).as("enqueued at an instant, held by the scheduler, in the transaction rolled back")
                    .isEmpty();
            assertThat(jobs.getJob(committed)).as("scheduled in the transaction committed").isPresent();
            assertThat(jobs.scheduler().listScheduled(10)).singleElement()
                    .satisfies(held -> assertThat(held.id()).isEqualTo(committed));
            assertThat(jobs.getJob(enqueued)).as("enqueued onto the queue in the transaction rolled back")
                    .hasValueSatisfying(job -> assertThat(job.state()).isEqualTo(JobState.WAITING));
        }
    }

    @Test
    void sidekiqsTestingInlineRow_saysAStartedMemoryQueueMayRunTheJobBeforeEnqueueReturns() throws Exception {
        Matcher row = Pattern.compile("\\| `Sidekiq::Testing.fake!`[^\\n]*").matcher(DocPage.of("docs/coming-from.md").text());
        assertThat(row.find()).as("docs/coming-from.md's Sidekiq row on testing").isTrue();

        // A listener of Enqueued runs inside the enqueue call, after the job is on the queue: held there until the
        // handler has started (bounded), it shows whether the job can run before enqueue has returned.
        var handlerStarted = new CountDownLatch(1);
        var enqueueReturned = new CountDownLatch(1);
        List<Boolean> startedBeforeEnqueueReturned = new CopyOnWriteArrayList<>();
        var events = new LinkedBlockingQueue<JobEvent>();
        Thread test = Thread.currentThread();
        try (JobQueue jobs = JobQueue.builder().listener(event -> {
            events.add(event);
            if (event instanceof JobEvent.Enqueued) {
                try {
                    handlerStarted.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).build()) {
            jobs.registerJobHandler("hard:job", Work.class, (job, ctx) -> {
                startedBeforeEnqueueReturned.add(Thread.currentThread() != test && enqueueReturned.getCount() == 1);
                handlerStarted.countDown();
            });
            jobs.start();
            String id = jobs.enqueue("hard:job", new Work("x"));
            enqueueReturned.countDown();
            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
        }
        assertThat(startedBeforeEnqueueReturned)
                .as("the handler started on another thread while enqueue had not yet returned").containsExactly(true);
        assertThat(row.group()).as("docs/coming-from.md's Sidekiq row on testing")
                .doesNotContain("after `enqueue` has returned")
                .contains("`Sidekiq::Testing.inline!`", "may start before `enqueue` returns", "wait for its `Completed`");
    }

    @Test
    void bullmqsPriorityRunsLowerFirst_negativesAllowed_fifoWithinAPriority() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        var done = new CountDownLatch(4);
        try (JobQueue jobs = JobQueue.builder().concurrency(1).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                ran.add(job.payload().what());
                done.countDown();
            });
            jobs.enqueue("work:do", new Work("p5"), EnqueueOptions.builder().priority(5).build());
            jobs.enqueue("work:do", new Work("p0-first"), EnqueueOptions.builder().priority(0).build());
            jobs.enqueue("work:do", new Work("p0-second"), EnqueueOptions.builder().priority(0).build());
            jobs.enqueue("work:do", new Work("p-1"), EnqueueOptions.builder().priority(-1).build());
            jobs.start();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly("p-1", "p0-first", "p0-second", "p5");
        }
    }

    @Test
    void bullmqsUpdateProgressIsCtxProgress_andATimeoutCancelsInterruptsAndFailsTheAttemptAtOnce() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var sawCancelled = new CountDownLatch(1);
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                ctx.progress(40);
                try {
                    new CountDownLatch(1).await();               // until interrupted
                } catch (InterruptedException e) {
                    if (ctx.isCancelled()) {
                        sawCancelled.countDown();
                    }
                    throw e;
                }
            });
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("slow"),
                    EnqueueOptions.builder().maxAttempts(1).timeout(Duration.ofMillis(300)).build());

            JobEvent.Progress progress = awaitEvent(events, JobEvent.Progress.class);
            assertThat(progress.jobId()).isEqualTo(id);
            assertThat(progress.percent()).isEqualTo(40);
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.jobId()).isEqualTo(id);
            assertThat(sawCancelled.await(10, TimeUnit.SECONDS)).as("isCancelled() true when interrupted").isTrue();
        }
    }

    @Test
    void theDefaultsTheTablesName() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            assertThat(awaitEvent(events, JobEvent.WorkerStarted.class).concurrency()).isEqualTo(5);
            String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.delay(Duration.ofHours(2)));
            assertThat(jobs.getJob(id).orElseThrow().state()).isEqualTo(JobState.DELAYED);
        }
    }

    @Test
    void laravelsWorkerBackoffIsWorkerBackoffInTheWorkersConfig_andATypesOwnBackoffWinsOverIt() throws Exception {
        // queue:work --backoff=5: the worker's own default wait, for job types registered without one
        Path config = Files.writeString(dir.resolve("jobq.yaml"), """
                provider:
                  type: memory
                worker:
                  backoff: { type: fixed, delay: 5s }
                """);
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().config(config).environment(Map.of()).listener(events::add).build()) {
            jobs.registerJobHandler("podcast:process", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            });
            jobs.registerJobHandler("podcast:publish", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            }, Backoff.fixed(Duration.ofSeconds(7)));
            jobs.start();
            String byWorker = jobs.enqueue("podcast:process", new Work("a"));
            assertThat(awaitEvent(events, JobEvent.Failed.class))
                    .satisfies(f -> assertThat(f.jobId()).isEqualTo(byWorker))
                    .satisfies(f -> assertThat(f.retryIn()).isEqualTo(Duration.ofSeconds(5)));
            String byType = jobs.enqueue("podcast:publish", new Work("b"));
            assertThat(awaitEvent(events, JobEvent.Failed.class))
                    .satisfies(f -> assertThat(f.jobId()).isEqualTo(byType))
                    .satisfies(f -> assertThat(f.retryIn()).isEqualTo(Duration.ofSeconds(7)));
        }
    }

    @Test
    void laravelsSleepIsPollInterval_butAJobThatArrivesDuringTheWaitStartsAtOnce() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().pollInterval(Duration.ofMinutes(1)).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            awaitEvent(events, JobEvent.WorkerStarted.class);
            long enqueued = System.nanoTime();
            String id = jobs.enqueue("work:do", new Work("x"));
            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
            // awaitEvent gives up after 10 s: far less than the minute a receive may wait on the empty queue
            assertThat(Duration.ofNanos(System.nanoTime() - enqueued)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void everyDefaultThePageNamesIsTheCodes() {
        String page = DocPage.of("docs/coming-from.md").text();
        Map<String, List<Object>> defaults = new LinkedHashMap<>();
        defaults.put("total runs, default 3", List.of(JobOptions.DEFAULT_MAX_ATTEMPTS, 3));
        defaults.put("per attempt, default 30 s", List.of(JobOptions.DEFAULT_TIMEOUT, Duration.ofSeconds(30)));
        defaults.put("lower runs first, default 0", List.of(JobOptions.DEFAULT_PRIORITY, 0));
        defaults.put("`worker.concurrency` (default 5)", List.of(WorkerSettings.DEFAULT_CONCURRENCY, 5));
        defaults.put("`worker.shutdownTimeout` (30 s)", List.of(WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT, Duration.ofSeconds(30)));
        defaults.put("`worker.pollInterval` (1 s)", List.of(WorkerSettings.DEFAULT_POLL_INTERVAL, Duration.ofSeconds(1)));
        defaults.put("memory: `leaseDuration`, 30 s", List.of(MemoryProviderFactory.DEFAULT_LEASE_DURATION, Duration.ofSeconds(30)));
        defaults.put("`waitTime` 20 s", List.of(SqsProviderFactory.DEFAULT_WAIT_TIME, Duration.ofSeconds(20)));
        defaults.put("`scheduler.misfireThreshold` (60 s)",
                List.of(JdbcSchedulerFactory.DEFAULT_MISFIRE_THRESHOLD, Duration.ofSeconds(60)));
        defaults.put("at most `fireAllLimit`, 100", List.of(JdbcSchedulerFactory.DEFAULT_FIRE_ALL_LIMIT, 100));
        defaults.put("`scheduler.pollInterval` (60 s)", List.of(JdbcSchedulerFactory.DEFAULT_POLL_INTERVAL, Duration.ofSeconds(60)));
        defaults.put("capped at 1 h, plus up to 20 % jitter", List.of(List.of(Backoff.DEFAULT_BASE, Backoff.DEFAULT_CAP,
                Backoff.DEFAULT_JITTER), List.of(Duration.ofSeconds(1), Duration.ofHours(1), 0.2)));
        defaults.forEach((phrase, codeAndPage) -> {
            assertThat(page).as("docs/coming-from.md names this default").contains(phrase);
            assertThat(codeAndPage.get(0)).as("the code's default behind '%s'", phrase).isEqualTo(codeAndPage.get(1));
        });
    }

    @Test
    void theEventsThePageListsAreJobEventsKinds() {
        String page = DocPage.of("docs/coming-from.md").text();
        Matcher row = Pattern.compile("\\| events \\| `jobs.addListener\\(event -> …\\)`: ([^|]*), in the process")
                .matcher(page);
        assertThat(row.find()).as("the page's events row").isTrue();
        List<String> listed = Arrays.stream(row.group(1).split(",\\s*")).map(e -> e.replace("`", "")).toList();
        List<String> kinds = Arrays.stream(JobEvent.class.getPermittedSubclasses()).map(Class::getSimpleName).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(kinds);
    }
}

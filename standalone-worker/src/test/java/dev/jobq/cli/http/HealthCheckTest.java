package dev.jobq.cli.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.cli.AlteredProvider;
import dev.jobq.internal.runtime.StatsRead;
import dev.jobq.internal.worker.ReceiveOutage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The health rules, on a real memory provider that can be made to fail its stats. */
class HealthCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AlteredProvider provider = new AlteredProvider(true);
    private final JobQueue jobs = JobQueue.builder().provider(provider).environment(Map.of()).build();
    private final FixedWorker worker = new FixedWorker();

    @AfterEach
    void close() {
        jobs.close();
    }

    /** A worker whose state the test sets. */
    static final class FixedWorker implements WorkerView {
        volatile WorkerState state = WorkerState.RUNNING;
        volatile List<String> queues = List.of("default");
        volatile int overdue;
        volatile int concurrency = 4;
        volatile @Nullable ReceiveOutage outage;

        @Override
        public WorkerState state() {
            return state;
        }

        @Override
        public int concurrency() {
            return concurrency;
        }

        @Override
        public int activeHandlers() {
            return 1;
        }

        @Override
        public int overdueHandlers() {
            return overdue;
        }

        @Override
        public List<String> queues() {
            return queues;
        }

        @Override
        public Optional<ReceiveOutage> receiveOutage(String queue) {
            return Optional.ofNullable(outage);
        }

        @Override
        public List<String> handlerTypes() {
            return List.of("t");
        }

        @Override
        public @Nullable Instant startedAt() {
            return Instant.parse("2030-01-01T00:00:00Z");
        }
    }

    @Test
    void runningWorkerWithReadableQueuesIsHealthy() {
        var report = new HealthCheck(jobs, worker, 10).check();

        assertThat(report.status()).isEqualTo(HealthReport.Status.HEALTHY);
        assertThat(report.httpStatus()).isEqualTo(200);
        assertThat(report.problems()).isEmpty();
        assertThat(report.worker()).isEqualTo(new HealthReport.Worker("running", 1, 4, List.of("default"), List.of("t"),
                "2030-01-01T00:00:00Z"));
        assertThat(report.queues()).singleElement().satisfies(q -> {
            assertThat(q.queue()).isEqualTo("default");
            assertThat(q.error()).isNull();
        });
    }

    @Test
    void handlersPastTheirTimeoutAreDegradedAndUnhealthyOnceTheyHoldEveryPermit() {
        var check = new HealthCheck(jobs, worker, 10);
        worker.overdue = 1;

        var some = check.check();

        assertThat(some.status()).isEqualTo(HealthReport.Status.DEGRADED);
        assertThat(some.problems()).containsExactly("1 of 4 permits is held by a handler still running past its "
                + "timeout (it ignores the interrupt); make it stop when interrupted or check ctx.isCancelled()");

        worker.overdue = 2;

        assertThat(check.check().problems()).containsExactly("2 of 4 permits are held by handlers still running past "
                + "their timeout (they ignore the interrupt); make them stop when interrupted or check "
                + "ctx.isCancelled()");

        // Before, a worker whose every permit a stuck handler held, running nothing, answered healthy.
        worker.overdue = 4;

        var all = check.check();

        assertThat(all.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
        assertThat(all.httpStatus()).isEqualTo(503);
        assertThat(all.problems()).containsExactly("all 4 permits are held by handlers still running past their "
                + "timeout (they ignore the interrupt): the worker can run no job; restart it (their jobs were failed "
                + "at the timeout and are retried, or after a lost lease left to their other delivery) and make the "
                + "handlers stop when interrupted");
    }

    @Test
    void theOnePermitOfAWorkerOfConcurrency1HeldPastItsTimeoutIsToldAsOne() {
        var check = new HealthCheck(jobs, worker, 10);
        worker.concurrency = 1;
        worker.overdue = 1;

        var report = check.check();

        assertThat(report.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
        assertThat(report.problems()).containsExactly("the one permit is held by a handler still running past its "
                + "timeout (it ignores the interrupt): the worker can run no job; restart it (its job was failed at "
                + "the timeout and is retried, or after a lost lease left to its other delivery) and make the "
                + "handler stop when interrupted");
    }

    @Test
    void workerThatIsNotRunningIsUnhealthy() {
        var check = new HealthCheck(jobs, worker, 10);
        for (WorkerState state : List.of(WorkerState.STARTING, WorkerState.STOPPING, WorkerState.STOPPED)) {
            worker.state = state;

            var report = check.check();

            assertThat(report.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
            assertThat(report.httpStatus()).isEqualTo(503);
            assertThat(report.problems()).containsExactly("worker is " + state.label());
        }
    }

    @Test
    void unreadableStatsAreUnhealthyWithTheProvidersError() {
        provider.failStats(new IllegalStateException("connection refused"));

        var report = new HealthCheck(jobs, worker, 10).check();

        assertThat(report.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
        assertThat(report.problems()).containsExactly("queue 'default': stats cannot be read: connection refused");
        assertThat(report.queues()).singleElement().satisfies(q -> {
            assertThat(q.error()).isEqualTo("connection refused");
            assertThat(q.waiting()).isEqualTo(-1);
        });
    }

    @Test
    void unreadableStatsStillShowWhatThisProcessCounted() {
        jobs.registerJobHandler("t", Integer.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("t", 1);
        await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 1);
        provider.failStats(new IllegalStateException("connection refused"));

        var report = new HealthCheck(jobs, worker, 10).check();

        // Before, every number was -1, this process's own counts too, just when someone looks at them.
        assertThat(report.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
        assertThat(report.queues()).singleElement().satisfies(q -> {
            assertThat(q.error()).isEqualTo("connection refused");
            assertThat(List.of(q.waiting(), q.delayed(), q.dead())).containsOnly(-1L);
            assertThat(List.of(q.active(), q.completed(), q.failed(), q.peakActive())).containsExactly(0L, 1L, 0L, 1L);
            assertThat(q.successRate()).isEqualTo(1.0);
        });
    }

    @Test
    void providerThatDoesNotAnswerItsStatsIsUnhealthyWithinTheWait() {
        var answer = new CountDownLatch(1);
        provider.holdStats(answer);
        var check = new HealthCheck(jobs, worker, 10);
        try {
            // Before, the check (and so /health, and the worker's start with its baseline) waited as long as the provider,
            // which here is until the test ends: a bound of ten times the wait catches that, and no loaded machine
            // reaches it (it was the wait plus 3 s).
            Duration provider = StatsRead.MAX_WAIT.multipliedBy(10);
            assertTimeoutPreemptively(provider, check::takeBaseline);
            var first = assertTimeoutPreemptively(provider, check::check);
            // with the first read still under way the second does not wait for it: under MAX_WAIT, with room for a
            // loaded machine (waiting would take all of it)
            var second = assertTimeoutPreemptively(StatsRead.MAX_WAIT.minusMillis(200), check::check);

            String problem = "queue 'default': stats cannot be read: the provider of queue 'default' did not answer a "
                    + "stats read within 2s (it may be out of reach); the read goes on, and the next one starts when it ends";
            for (HealthReport report : List.of(first, second)) {
                assertThat(report.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
                assertThat(report.problems()).containsExactly(problem);
            }
        } finally {
            answer.countDown();
        }
        await().atMost(WAIT).until(() -> check.check().status() == HealthReport.Status.HEALTHY);
    }

    @Test
    void queuesWhoseProvidersDoNotAnswerAreWaitedForTogetherNotOneAfterAnother() throws Exception {
        var answer = new CountDownLatch(1);
        List<String> names = List.of("a", "b", "c", "d");
        var builder = JobQueue.builder().provider(provider).environment(Map.of());
        List<AlteredProvider> held = new java.util.ArrayList<>(List.of(provider));
        for (String name : names) {
            var other = new AlteredProvider(true);
            held.add(other);
            builder.queue(name, other);
        }
        held.forEach(p -> p.holdStats(answer));
        try (JobQueue many = builder.build(); var checking = Executors.newVirtualThreadPerTaskExecutor()) {
            worker.queues = many.queueNames();
            // Before, each queue's read waited its 2 s in turn: 10 s for these five, and so for the worker's start
            // (the baseline) and the first /health a probe sent. With a wait no run of this test reaches, read one
            // after another only the first would be asked; read together, all five are asked at once. (A bound on
            // the check's time told the two apart by 1.5 s, which a loaded machine can take.)
            var check = new HealthCheck(many, worker, 10, Duration.ofMinutes(10));
            Future<HealthReport> report = checking.submit(check::check);
            try {
                await().atMost(WAIT).untilAsserted(() -> assertThat(held).as("stats reads under way")
                        .allSatisfy(p -> assertThat(p.statsReadsUnderWay()).isOne()));
                assertThat(report).isNotDone();
            } finally {
                answer.countDown(); // else closing the executor waits for the check, held by the providers
            }
            assertThat(report.get(WAIT.toSeconds(), TimeUnit.SECONDS).queues()).extracting(HealthReport.QueueHealth::queue)
                    .containsExactlyElementsOf(many.queueNames());

            // and each that does not answer within the wait is a problem of its own, in the one report
            var again = new CountDownLatch(1);
            held.forEach(p -> p.holdStats(again));
            try {
                var unanswered = new HealthCheck(many, worker, 10, Duration.ofMillis(200)).check();
                assertThat(unanswered.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
                assertThat(unanswered.problems()).hasSize(5).allSatisfy(problem -> assertThat(problem)
                        .contains("did not answer a stats read within 200ms"));
                assertThat(unanswered.queues()).extracting(HealthReport.QueueHealth::queue)
                        .containsExactlyElementsOf(many.queueNames());
            } finally {
                again.countDown();
            }
        } finally {
            answer.countDown();
        }
    }

    @Test
    void queuesOtherWorkersServeDoNotMakeThisOneUnhealthy() {
        provider.failStats(new IllegalStateException("connection refused"));
        try (JobQueue both = JobQueue.builder().provider(provider).queue("reports", "memory", Map.of())
                .environment(Map.of()).build()) {
            worker.queues = List.of("reports");

            var report = new HealthCheck(both, worker, 10).check();

            assertThat(report.status()).isEqualTo(HealthReport.Status.HEALTHY);
            assertThat(report.problems()).isEmpty();
            assertThat(report.queues()).extracting(HealthReport.QueueHealth::queue).containsExactly("reports");
        }
    }

    /**
     * The baseline is taken before the worker starts and announces its queues: it read every configured queue, so a
     * queue other workers serve cost a stats call (on SQS a GetQueueAttributes) that /health never reports, and one
     * whose provider hangs held the worker's start for the stats wait.
     */
    @Test
    void theBaselineReadsOnlyTheQueuesTheWorkerWillWork() {
        var answer = new CountDownLatch(1);
        provider.holdStats(answer);
        try (JobQueue both = JobQueue.builder().provider(provider).queue("reports", "memory", Map.of())
                .workerQueues("reports").environment(Map.of()).build()) {
            worker.queues = List.of(); // not announced yet: the worker starts after the baseline
            var check = new HealthCheck(both, worker, 10, Duration.ofMillis(200));

            check.takeBaseline();
            var report = check.check();

            assertThat(provider.statsReadsUnderWay()).as("stats reads of 'default', a queue this worker does not work")
                    .isZero();
            assertThat(report.queues()).extracting(HealthReport.QueueHealth::queue).containsExactly("reports");
        } finally {
            answer.countDown();
        }
    }

    @Test
    void aBacklogOfOneJobIsToldAsOneJob() {
        var check = new HealthCheck(jobs, worker, 1);
        check.takeBaseline();
        jobs.enqueue("t", 1);

        assertThat(check.check().problems()).containsExactly("queue 'default': 1 job waiting, at or over the backlog "
                + "threshold of 1");
    }

    /**
     * A queue's name is named escaped in each problem: a U+202E in it reversed the rest of the line wherever the
     * problems are shown as text (a terminal running curl, a log), as a job type's is.
     */
    @Test
    void problemsNameAQueueWithABidiControlEscaped() {
        String name = "bills\u202Efdp.exe";
        var altered = new AlteredProvider(true);
        try (JobQueue named = JobQueue.builder().queue(name, altered).environment(Map.of()).build()) {
            worker.queues = List.of(name);
            var check = new HealthCheck(named, worker, 1);
            check.takeBaseline();
            named.enqueue("t", 1, EnqueueOptions.builder().queue(name).build());

            assertThat(check.check().problems()).containsExactly("queue 'bills\\u202efdp.exe': 1 job waiting, at or "
                    + "over the backlog threshold of 1");

            worker.outage = new ReceiveOutage(name, Instant.parse("2030-01-01T00:00:00Z"), 3, "connection refused");
            altered.failStats(new IllegalStateException("connection refused"));
            assertThat(check.check().problems()).containsExactly(
                    "queue 'bills\\u202efdp.exe': receives failing since 2030-01-01T00:00:00Z (3 in a row): connection "
                            + "refused; the worker takes no job from it until a receive works",
                    "queue 'bills\\u202efdp.exe': stats cannot be read: connection refused");
        }
    }

    /**
     * A provider's error may repeat a name it was given (a queue's, with a U+202E) or hold an ESC: the problem, a line
     * of text, said it raw after the queue's escaped name, while a receive outage's error is escaped. The JSON's
     * "error" field keeps it as Jackson encodes it.
     */
    @Test
    void unreadableStatsProblemEscapesTheProvidersError() {
        String error = "queue 'bills\u202Efdp.exe' not found\u001b[2J";
        provider.failStats(new IllegalStateException(error));

        var report = new HealthCheck(jobs, worker, 10).check();

        assertThat(report.problems()).containsExactly(
                "queue 'default': stats cannot be read: queue 'bills\\u202efdp.exe' not found\\u001b[2J");
        assertThat(report.queues()).singleElement().satisfies(q -> assertThat(q.error()).isEqualTo(error));
    }

    /**
     * A provider's message of megabytes went whole into the problem and the JSON's "error", and a getMessage() that
     * throws (a message built from a session closed by now) threw out of check(): the probe got no answer at all. The
     * message is cut as a receive outage's is, and what getMessage() threw is told instead.
     */
    @Test
    void unreadableStatsProblemIsCutAndSurvivesAThrowingGetMessage() {
        provider.failStats(new IllegalStateException("e".repeat(1000) + "\n" + "x".repeat(9_000)));

        var report = new HealthCheck(jobs, worker, 10).check();

        String cut = "e".repeat(1000) + "… (9001 more characters)";
        assertThat(report.problems()).containsExactly("queue 'default': stats cannot be read: " + cut);
        assertThat(report.queues()).singleElement().satisfies(q -> assertThat(q.error()).isEqualTo(cut));

        provider.failStats(new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("session closed");
            }
        });

        var unreadable = new HealthCheck(jobs, worker, 10).check();

        String told = "(its getMessage() threw UnsupportedOperationException: session closed)";
        assertThat(unreadable.status()).isEqualTo(HealthReport.Status.UNHEALTHY);
        assertThat(unreadable.problems()).containsExactly("queue 'default': stats cannot be read: " + told);
        assertThat(unreadable.queues()).singleElement().satisfies(q -> assertThat(q.error()).isEqualTo(told));
    }

    /**
     * A stats read failing with an Error is told by {@link dev.jobq.internal.runtime.StatsRead} one line, masked,
     * escaped and cut after 1,000 characters with how many it left out. Cut again here, its escaped text lost that
     * count for one of its own, of escaped characters, and the cut went through an escape.
     */
    @Test
    void unreadableStatsOfAnErrorAreCutOnceWithTheCountOfTheCharactersLeftOut() {
        provider.failStats(new NoClassDefFoundError("\u001b".repeat(1_500)));

        var report = new HealthCheck(jobs, worker, 10).check();

        String told = "reading the stats of queue 'default' failed: java.lang.NoClassDefFoundError: "
                + "\\u001b".repeat(1_000) + "… (500 more characters)";
        assertThat(report.problems()).containsExactly("queue 'default': stats cannot be read: " + told);
        assertThat(report.queues()).singleElement().satisfies(q -> assertThat(q.error()).isEqualTo(told));
    }

    @Test
    void backlogAtTheThresholdIsDegraded() {
        var check = new HealthCheck(jobs, worker, 3);
        check.takeBaseline();
        for (int i = 0; i < 3; i++) {
            jobs.enqueue("t", i);
        }

        var report = check.check();

        assertThat(report.status()).isEqualTo(HealthReport.Status.DEGRADED);
        assertThat(report.httpStatus()).isEqualTo(200);
        assertThat(report.problems()).containsExactly("queue 'default': 3 jobs waiting, at or over the backlog "
                + "threshold of 3");
    }

    @Test
    void newDeadLettersAreDegradedUntilTheyAreHandled() {
        jobs.registerJobHandler("t", Integer.class, (job, ctx) -> {
            throw new IllegalStateException("no");
        });
        var check = new HealthCheck(jobs, worker, 100);
        check.takeBaseline();
        jobs.start();
        String id = jobs.enqueue("t", 1, EnqueueOptions.builder().maxAttempts(1).build());
        await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);

        var report = check.check();
        assertThat(report.status()).isEqualTo(HealthReport.Status.DEGRADED);
        assertThat(report.problems()).containsExactly("queue 'default': 1 new dead letter(s) since the worker started "
                + "(1 in all)");

        assertThat(jobs.deadLetters("default").orElseThrow().delete(id)).isTrue();
        assertThat(check.check().status()).isEqualTo(HealthReport.Status.HEALTHY);
    }

    @Test
    void newDeadLettersAreDegradedAfterTheOlderOnesWereCleared() {
        jobs.registerJobHandler("t", Integer.class, (job, ctx) -> {
            throw new IllegalStateException("no");
        });
        jobs.start();
        var once = EnqueueOptions.builder().maxAttempts(1).build();
        List<String> old = List.of(jobs.enqueue("t", 1, once), jobs.enqueue("t", 2, once));
        await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 2);
        var check = new HealthCheck(jobs, worker, 100);
        check.takeBaseline();
        assertThat(check.check().status()).as("dead before the worker started").isEqualTo(HealthReport.Status.HEALTHY);

        old.forEach(id -> assertThat(jobs.deadLetters("default").orElseThrow().delete(id)).isTrue());
        assertThat(check.check().status()).isEqualTo(HealthReport.Status.HEALTHY);
        jobs.enqueue("t", 3, once);
        await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);

        // Before, growth was measured from the count at start (2), so this one went unnoticed.
        var report = check.check();
        assertThat(report.status()).isEqualTo(HealthReport.Status.DEGRADED);
        assertThat(report.problems()).containsExactly("queue 'default': 1 new dead letter(s) since the worker started "
                + "(1 in all)");
    }

    @Test
    void schedulerThatCannotReadItsDatabaseIsDegradedUntilItCanAgain() throws SQLException {
        String url = "jdbc:h2:mem:jobq-health-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (JobQueue firing = JobQueue.builder().provider(new AlteredProvider(true)).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "100ms")).build();
             Connection db = DriverManager.getConnection(url)) {
            firing.start();
            var check = new HealthCheck(firing, worker, 10);
            assertThat(check.check().status()).isEqualTo(HealthReport.Status.HEALTHY);

            // Its table gone from under it: every firing pass fails, as with the database out of reach.
            db.createStatement().execute("ALTER TABLE jobq_scheduled_job RENAME TO jobq_parked");
            await().atMost(WAIT).until(() -> check.check().status() == HealthReport.Status.DEGRADED);
            assertThat(check.check().problems()).singleElement().asString()
                    .startsWith("scheduler: firing from ").contains("time(s) in a row").containsIgnoringCase("jobq_scheduled_job");
            assertThat(check.check().httpStatus()).isEqualTo(200);

            db.createStatement().execute("ALTER TABLE jobq_parked RENAME TO jobq_scheduled_job");
            await().atMost(WAIT).until(() -> check.check().status() == HealthReport.Status.HEALTHY);
        }
    }

    @Test
    void schedulersFiringProblemShowsNoSecretOfAUrlItQuotes() throws SQLException {
        String url = "jdbc:h2:mem:jobq-health-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (JobQueue firing = JobQueue.builder().provider(new AlteredProvider(true)).environment(Map.of())
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "100ms")).build();
             Connection db = DriverManager.getConnection(url)) {
            var check = new HealthCheck(firing, worker, 10);

            // A database error that quotes a URL with its password, as a driver's may: H2 quotes the value it
            // could not convert, here a due row's id. (Before start(): no pass meets the table gone between the two.)
            db.createStatement().execute("ALTER TABLE jobq_scheduled_job RENAME TO jobq_parked");
            db.createStatement().execute("CREATE VIEW jobq_scheduled_job AS SELECT CAST(x AS BIGINT) AS id, "
                    + "TIMESTAMP WITH TIME ZONE '2000-01-01 00:00:00Z' AS due_at, 'SCHEDULED' AS status "
                    + "FROM (VALUES ('postgresql://jobq:S3CRET@db:5432/jobs')) t(x)");
            firing.start();
            // the scheduler masks the driver's message itself (82070341): waited for as it shows it
            await().atMost(WAIT).until(() -> firing.scheduler().firingProblem().orElse("")
                    .contains("postgresql://jobq:****@db:5432/jobs"));
            assertThat(check.check().problems()).singleElement().asString()
                    .startsWith("scheduler: firing from ").contains("postgresql://jobq:****@db:5432/jobs")
                    .doesNotContain("S3CRET");
        }
    }

    @Test
    void thresholdBelowOneIsRejected() {
        assertThatThrownBy(() -> new HealthCheck(jobs, worker, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backlogThreshold must be ≥ 1, got 0");
    }
}

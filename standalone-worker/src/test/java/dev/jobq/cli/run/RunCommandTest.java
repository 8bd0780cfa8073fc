package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.cli.AlteredProvider;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.HttpProbe;
import dev.jobq.cli.ManualStop;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.examples.AlwaysFailingHandler;
import dev.jobq.examples.DemoHandlers;
import dev.jobq.examples.Email;
import dev.jobq.examples.EmailHandler;
import dev.jobq.examples.FailingTask;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * {@code jobq run} in this JVM: the example module found on the class path, the worker running it,
 * health and metrics over HTTP, and a drain on the stop signal. Signals of the real process are
 * tested by {@code WorkerProcessIT}.
 */
class RunCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<JobQueue> built = new AtomicReference<>();
    private final ManualStop stop = new ManualStop();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<JobEvent.WorkerStarted> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorker() {
        stop.requestStop();
        runner.close();
    }

    private Future<Integer> start(Map<String, String> env, String... args) {
        CommandContext context = CommandRun.context(env, builder -> {
            JobQueue queue = builder.listener(e -> {
                if (e instanceof JobEvent.WorkerStarted workerStarted) {
                    started.add(workerStarted);
                }
            }).build();
            built.set(queue);
            return QueueSession.owning(queue);
        }, stop);
        return runner.submit(() -> CommandRun.execute(context, new PrintWriter(out, true), new PrintWriter(err, true),
                args));
    }

    private Path config(String yaml) throws Exception {
        return Files.writeString(dir.resolve("jobq.yaml"), yaml);
    }

    private void awaitWorking() {
        await().atMost(WAIT).until(() -> out.toString().contains("jobq run: working"));
    }

    @Test
    @DisplayName("runs the class path's handler modules on the configured queues, whatever worker.mode says")
    void runsModulesFromTheClassPath() throws Exception {
        Path file = config("""
                provider: { type: memory }
                worker:
                  mode: standalone
                  concurrency: 3
                  shutdownTimeout: 2s
                """);
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString());

        awaitWorking();
        assertThat(out.toString()).contains("jobq run: working queues [default] with concurrency 3; handlers: "
                + String.join(", ", DemoHandlers.TYPES.stream().sorted().toList()));
        JobQueue jobs = built.get();
        jobs.enqueue(EmailHandler.TYPE, new Email("a@example.com", "hello"));
        await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 1);

        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        // A memory queue ends with the process: "then go back to the queue" was not what happened to them.
        assertThat(out.toString()).contains("jobq run: stopping: no new jobs; 0 running job(s) get up to 2s to finish, "
                        + "then are dropped: a memory queue ends with this process")
                .endsWith("jobq run: stopped" + System.lineSeparator());
        assertThat(stop.awaitClosed(10)).as("stop signals closed after the drain").isTrue();
    }

    @Test
    @DisplayName("a handler run by jobq run enqueues its follow-up jobs through ctx.queue(), as README.md says, whatever "
            + "worker.mode the file says")
    void aHandlerEnqueuesFollowUpJobsThroughItsContext() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { mode: standalone, shutdownTimeout: 2s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString());
        awaitWorking();
        JobQueue jobs = built.get();
        jobs.registerJobHandler("signup:done", Email.class,
                (job, ctx) -> ctx.queue().enqueue(EmailHandler.TYPE, job.payload()));

        jobs.enqueue("signup:done", new Email("a@example.com", "welcome"));

        await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 2);
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("--max-jobs N: the worker receives N jobs and no more, runs them, drains and exits 0 by itself, "
            + "for the process manager to start a fresh one; the rest still wait")
    void maxJobsRunsExactlyThatManyJobs() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 20, shutdownTimeout: 5s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--max-jobs", "30");
        awaitWorking();
        JobQueue jobs = built.get();
        int enqueued = 1_000;
        jobs.enqueueAll(EmailHandler.TYPE, IntStream.range(0, enqueued)
                .mapToObj(i -> new Email("a" + i + "@example.com", "hello")).toList());

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("no stop signal was given").isZero();
        var stats = jobs.stats("default");
        assertThat(stats.completed()).as("completed").isEqualTo(30);
        assertThat(stats.waiting()).as("still waiting").isEqualTo(enqueued - 30);
        // Every handler returned before its Completed, which is what the limit counts: none is running. (The line
        // counted the 30th job as running while its thread was still done with it, and CI once saw "1".)
        assertThat(out.toString()).contains("jobq run: 30 jobs ended (--max-jobs 30): stopping: no new jobs; "
                        + "0 running job(s)")
                .endsWith("jobq run: stopped" + System.lineSeparator());
    }

    @Test
    @DisplayName("--max-jobs 1 is Laravel's queue:work --once: one job, then exit 0; on an empty queue it waits for "
            + "that job (docs/coming-from.md)")
    void maxJobsOneRunsOneJobWaitingForIt() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 5, shutdownTimeout: 5s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--max-jobs", "1");
        awaitWorking();
        assertThat(exit).as("working on an empty queue, the worker waits for its one job").isNotDone();
        JobQueue jobs = built.get();
        jobs.enqueueAll(EmailHandler.TYPE, List.of(new Email("a@example.com", "1"), new Email("b@example.com", "2"),
                new Email("c@example.com", "3")));

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("no stop signal was given").isZero();
        assertThat(jobs.stats("default").completed()).as("completed").isEqualTo(1);
        assertThat(jobs.stats("default").waiting()).as("still waiting").isEqualTo(2);
    }

    @Test
    @DisplayName("a handler that closes its queue (ctx.queue().close()) stops jobq run, which drains and exits 0 by "
            + "itself as after --max-jobs, rather than running on with no worker")
    void aHandlerClosingItsQueueStopsTheWorker() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 2, shutdownTimeout: 5s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString());
        awaitWorking();
        JobQueue jobs = built.get();
        jobs.registerJobHandler("worker:stop", Email.class, (job, ctx) -> ctx.queue().close());
        jobs.enqueue("worker:stop", new Email("a@example.com", "stop"));

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("no stop signal was given").isZero();
        // The worker had drained by the time jobq run heard of it: the line said "no new jobs; 0 running job(s) get up
        // to 5s to finish, then …", a drain still to come, after it had ended.
        assertThat(out.toString()).contains("jobq run: the queue was closed (JobQueue.close(), by a handler or a "
                        + "listener): stopping: the worker has drained already (running jobs got up to 5s to finish)")
                .doesNotContain("running job(s) get up to")
                .endsWith("jobq run: stopped" + System.lineSeparator());
    }

    /** Written as the config file writes durations. */
    @ParameterizedTest
    @ValueSource(strings = {"300ms", "PT0.3S"})
    @DisplayName("--max-time D: after working that long the worker drains and exits 0 by itself, as after --max-jobs")
    void maxTimeStopsTheWorkerAfterThatLong(String maxTime) throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 2, shutdownTimeout: 5s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--max-time", maxTime);
        awaitWorking();
        JobQueue jobs = built.get();
        jobs.enqueue(EmailHandler.TYPE, new Email("a@example.com", "hello"));

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("no stop signal was given").isZero();
        assertThat(out.toString()).contains("jobq run: worked 300ms (--max-time 300ms): stopping: no new jobs; ")
                .endsWith("jobq run: stopped" + System.lineSeparator());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            --max-time    | soon | --max-time 'soon' is not a duration with a unit
            --max-time    | 3600 | --max-time '3600' has no unit; write 3600ms, 3600s
            --max-time    | 0s   | --max-time must be longer than 0, got '0s'; leave it out to run until stopped
            --max-time    | 0    | --max-time must be longer than 0, got '0'; leave it out to run until stopped
            --max-time    | 99999999999999999999s | --max-time 99999999999999999999s is longer than a duration can hold; leave it out to run until stopped
            --max-time    | PT99999999999999999999S | --max-time PT99999999999999999999S is longer than a duration can hold; leave it out to run until stopped
            --max-time    | -5m  | --max-time must be longer than 0, got '-5m'
            --max-time    | -soon | --max-time must be longer than 0, got '-soon'
            --max-time    | -0s  | --max-time must be longer than 0, got '-0s'
            --max-time    | -PT5S | --max-time must be longer than 0, got '-PT5S'
            --max-time    | -PT-0S | --max-time must be longer than 0, got '-PT-0S'; leave it out to run until stopped
            --max-time    | -PT-1H | --max-time '-PT-1H' has a minus before the P and another after it, which ISO-8601 reads as plus; write 1h
            --max-jobs    | 0    | --max-jobs must be ≥ 1, got 0; leave it out to run until stopped
            --concurrency | 0    | --concurrency must be ≥ 1, got 0; leave it out for worker.concurrency
            --concurrency | 1073741824 | --concurrency must be ≤ 100000, got 1073741824; for more handlers at once, run more worker processes
            """)
    void aLimitOrConcurrencyOutOfRangeIsAUsageError(String option, String value, String error) {
        var run = CommandRun.of("run", option, value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(error);
    }

    @Test
    @DisplayName("a stop that comes while jobq run reads its queues' dead letters for /health's baseline (a provider "
            + "slow to answer, up to 2 s) stops it before it receives a job, exit 0, as operations.md says")
    void aStopWhileTheHealthBaselineIsReadStopsTheWorkerBeforeItWorks() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 1, shutdownTimeout: 2s }\n");
        var provider = new AlteredProvider(true);
        var answer = new CountDownLatch(1);
        provider.holdStats(answer);
        Future<Integer> exit = runServingHttp(file, provider);
        await().atMost(WAIT).until(() -> provider.statsReadsUnderWay() > 0);

        stop.requestStop();
        answer.countDown();

        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(started).as("the worker started receiving").isEmpty();
        assertThat(out.toString()).as(out.toString()).doesNotContain("jobq run: working")
                .endsWith("jobq run: stopped before it started working: a stop signal came during start-up"
                        + System.lineSeparator());
    }

    @Test
    @DisplayName("during the drain /health answers 503 with the worker stopping, as operations.md says, so a probe stops "
            + "counting on it while its jobs finish")
    void healthIsUnavailableAndStoppingDuringTheDrain() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 1, shutdownTimeout: 30s }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--http-port", "0",
                "--http-host", "127.0.0.1");
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());
        JobQueue jobs = built.get();
        var running = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        jobs.registerJobHandler("slow:job", JsonNode.class, (payload, ctx) -> {
            running.countDown();
            if (!finish.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the job finish");
            }
        });
        jobs.enqueue("slow:job", Map.of());
        assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the job started").isTrue();

        stop.requestStop();

        await().atMost(WAIT).untilAsserted(() -> {
            var health = http.get("/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
            JsonNode body = JsonMapper.builder().build().readTree(health.body());
            assertThat(body.path("status").asText()).isEqualTo("unhealthy");
            assertThat(body.path("worker").path("state").asText()).isEqualTo("stopping");
            assertThat(body.path("problems").get(0).asText()).isEqualTo("worker is stopping");
        });
        assertThat(exit.isDone()).as("jobq run ended before its running job finished").isFalse();
        finish.countDown();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(jobs.stats("default").completed()).as("the job finished in the drain").isEqualTo(1);
    }

    @Test
    @DisplayName("/health is degraded after a new dead letter and /metrics counts outcomes by queue, type and outcome")
    void healthAndMetricsAfterJobsRan() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 2 }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--http-port", "0",
                "--http-host", "127.0.0.1");
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());

        JsonNode body = http.healthyAndRunning();
        assertThat(body.path("worker").path("concurrency").asInt()).isEqualTo(2);
        assertThat(body.path("worker").path("queues").toString()).isEqualTo("[\"default\"]");
        assertThat(body.path("queues").get(0).path("queue").asText()).isEqualTo("default");
        assertThat(body.path("problems").size()).isZero();

        JobQueue jobs = built.get();
        for (int i = 0; i < 5; i++) {
            jobs.enqueue(EmailHandler.TYPE, new Email("u" + i + "@example.com", "hi"));
        }
        jobs.enqueue(AlwaysFailingHandler.TYPE, new FailingTask("broken"), EnqueueOptions.builder().maxAttempts(1).build());
        await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 5 && jobs.stats("default").dead() == 1);

        var degraded = http.get("/health");
        assertThat(degraded.statusCode()).isEqualTo(200);
        JsonNode after = JsonMapper.builder().build().readTree(degraded.body());
        assertThat(after.path("status").asText()).isEqualTo("degraded");
        assertThat(after.path("problems").get(0).asText())
                .isEqualTo("queue 'default': 1 new dead letter(s) since the worker started (1 in all)");
        assertThat(after.path("queues").get(0).path("completed").asLong()).isEqualTo(5);

        // stats() counts an attempt before the listeners, the meters among them, hear that it ended: the last job's
        // meters can lag the stats by a moment (a loaded machine read "jobq_jobs_total{...dead...}" missing).
        await().atMost(WAIT).untilAsserted(() -> {
            var metrics = http.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(metrics.body())
                    .contains("jobq_jobs_total{outcome=\"completed\",queue=\"default\",type=\"email:send\"} 5.0")
                    .contains("jobq_jobs_total{outcome=\"dead\",queue=\"default\",type=\"always:fails\"} 1.0")
                    .contains("jobq_job_duration_seconds_count{outcome=\"completed\",queue=\"default\",type=\"email:send\"} 5")
                    .contains("jobq_jobs_enqueued_total{queue=\"default\",type=\"email:send\"} 5.0")
                    .contains("jobq_queue_waiting{queue=\"default\"} 0.0")
                    .contains("jobq_queue_dead{queue=\"default\"} 1.0")
                    .contains("jobq_handlers_active{queue=\"default\"}")
                    .contains("jvm_memory_used_bytes");
        });

        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("/metrics serves jobq_jobs_total at 0 for each outcome, handler type and queue worked before any job "
            + "ran (an alert on its rate has a series to read), and none for a queue the worker leaves out")
    void metricsServeEachOutcomeAtZeroBeforeAnyJobRan() throws Exception {
        Path file = config("provider: { type: memory }\nqueues: { reports: { type: memory } }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--queues", "default",
                "--http-port", "0", "--http-host", "127.0.0.1");
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());
        JobQueue jobs = built.get();
        assertThat(jobs.registeredTypes()).as("the test's handler modules").contains(EmailHandler.TYPE);

        String metrics = http.get("/metrics").body();
        for (String type : jobs.registeredTypes()) {
            for (String outcome : List.of("completed", "failed", "dead", "released")) {
                assertThat(metrics).as("/metrics before any job ran")
                        .contains("jobq_jobs_total{outcome=\"" + outcome + "\",queue=\"default\",type=\"" + type
                                + "\"} 0.0");
            }
        }
        assertThat(metrics).contains("jobq_jobs_total{outcome=\"dead\",queue=\"default\",type=\"unregistered\"} 0.0")
                .doesNotContain("queue=\"reports\",type=");

        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("/health is unhealthy while receives from a queue fail though its stats read (SQS: ReceiveMessage "
            + "denied, GetQueueAttributes allowed), naming the queue, since when and the error; healthy once one works")
    void healthIsUnhealthyWhileReceivesFailThoughStatsRead() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 1, shutdownTimeout: 2s }\n");
        var provider = new AlteredProvider(true);
        provider.failReceives(new IllegalStateException("User: arn:aws:iam::123456789012:user/worker is not "
                + "authorized to perform: sqs:receivemessage"));
        Instant before = Instant.now();
        Future<Integer> exit = runServingHttp(file, provider);
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());

        // Before, 200 healthy: the stats read, so nothing said that the worker took no job at all.
        await().atMost(WAIT).untilAsserted(() -> {
            var health = http.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            JsonNode body = JsonMapper.builder().build().readTree(health.body());
            assertThat(body.get("status").asText()).isEqualTo("unhealthy");
            assertThat(body.get("problems")).singleElement().satisfies(problem -> {
                Matcher m = Pattern.compile("queue 'default': receives failing since (\\S+) \\((\\d+) in a row\\): "
                        + "User: arn:aws:iam::123456789012:user/worker is not authorized to perform: "
                        + "sqs:receivemessage; the worker takes no job from it until a receive works")
                        .matcher(problem.asText());
                assertThat(m.matches()).as(problem.asText()).isTrue();
                assertThat(Instant.parse(m.group(1))).isBetween(before, Instant.now());
            });
        });

        provider.failReceives(null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(http.healthyAndRunning().get("problems")).isEmpty());
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("/health shows a provider's receive and stats errors with the secrets of the URLs they name masked "
            + "(a password before the host, a password= or X-Amz-Security-Token= parameter)")
    void healthMasksTheSecretsOfUrlsInAProvidersErrors() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 1, shutdownTimeout: 2s }\n");
        var provider = new AlteredProvider(true);
        // as a provider over a database, or an SDK, may word them: naming the URL it was given
        provider.failReceives(new IllegalStateException("cannot reach postgresql://jobs:S3CRET-pw@db.internal:5432/"
                + "queue?sslmode=require&password=S3CRET-param (Connection refused)"));
        provider.failStats(new IllegalStateException("GetQueueAttributes on https://sqs.us-east-1.amazonaws.com/"
                + "123456789012/jobs?X-Amz-Security-Token=S3CRET-token failed: Connection reset"));
        Future<Integer> exit = runServingHttp(file, provider);
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());

        await().atMost(WAIT).untilAsserted(() -> {
            var health = http.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("receives failing since").contains("stats cannot be read");
            // Before, each secret as it is: '... postgresql://jobs:S3CRET-pw@db.internal:5432/queue?...'
            assertThat(health.body()).doesNotContain("S3CRET")
                    .contains("postgresql://jobs:****@db.internal:5432/queue?sslmode=require&password=**** "
                            + "(Connection refused)")
                    .contains("/123456789012/jobs?X-Amz-Security-Token=**** failed: Connection reset");
        });

        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("when an attempt's outcome line is logged, /metrics' jobq_jobs_total and /health's counts have it")
    void anOutcomeLineIsLoggedAfterMetricsAndHealthCountItsAttempt() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 1 }\n");
        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--http-port", "0",
                "--http-host", "127.0.0.1");
        awaitWorking();
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());
        // What /metrics and /health serve at the moment each outcome line is logged, read on the logging thread.
        Map<String, List<String>> servedWhenLogged = new ConcurrentHashMap<>();
        AppenderBase<ILoggingEvent> reader = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent line) {
                servedWhenLogged.put(line.getFormattedMessage(),
                        List.of(http.get("/metrics").body(), http.get("/health").body()));
            }
        };
        Logger outcomeLogger = (Logger) LoggerFactory.getLogger("dev.jobq.outcome");
        reader.start();
        outcomeLogger.addAppender(reader);
        try {
            JobQueue jobs = built.get();
            String completed = jobs.enqueue(EmailHandler.TYPE, new Email("a@example.com", "hi"));
            String dead = jobs.enqueue(AlwaysFailingHandler.TYPE, new FailingTask("broken"),
                    EnqueueOptions.builder().maxAttempts(1).build());
            await().atMost(WAIT).until(() -> servedWhenLogged.size() == 2);

            assertThat(servedWhenLogged).hasEntrySatisfying(lineOf(servedWhenLogged, completed), served -> {
                assertThat(served.get(0)).as("/metrics when the completed line was logged")
                        .contains("jobq_jobs_total{outcome=\"completed\",queue=\"default\",type=\"email:send\"} 1.0");
                assertThat(served.get(1)).as("/health when the completed line was logged").contains("\"completed\":1,");
            });
            assertThat(servedWhenLogged).hasEntrySatisfying(lineOf(servedWhenLogged, dead), served -> {
                assertThat(served.get(0)).as("/metrics when the dead line was logged")
                        .contains("jobq_jobs_total{outcome=\"dead\",queue=\"default\",type=\"always:fails\"} 1.0");
                assertThat(served.get(1)).as("/health when the dead line was logged").contains("\"failed\":1,");
            });
        } finally {
            outcomeLogger.detachAppender(reader);
        }
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    private static String lineOf(Map<String, List<String>> lines, String jobId) {
        return lines.keySet().stream().filter(line -> line.startsWith("job=" + jobId + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no outcome line of job " + jobId + " in " + lines.keySet()));
    }

    @Test
    void environmentOverridesReachTheWorker() throws Exception {
        Path file = config("provider: { type: memory }\n");
        Future<Integer> exit = start(Map.of("QUEUE_CONCURRENCY", "6"), "run", "--config", file.toString());

        awaitWorking();
        assertThat(out.toString()).contains("with concurrency 6;");
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("--concurrency N (Sidekiq's -c, Laravel and BullMQ's concurrency) wins over the file and QUEUE_CONCURRENCY")
    void concurrencyOptionWinsOverTheFileAndTheEnvironment() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { concurrency: 3 }\n");
        Future<Integer> exit = start(Map.of("QUEUE_CONCURRENCY", "6"), "run", "--config", file.toString(),
                "--concurrency", "10");

        awaitWorking();
        assertThat(out.toString()).contains("with concurrency 10;");
        await().atMost(WAIT).until(() -> !started.isEmpty());
        assertThat(started).allSatisfy(e -> assertThat(e.concurrency()).isEqualTo(10));
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @ParameterizedTest(name = "-c {0}")
    @CsvSource(delimiter = '|', textBlock = """
            10     | for 10 handlers at once write --concurrency 10
            1      | for 1 handler at once write --concurrency 1
            0      | handlers at once are --concurrency N (jobq run) or worker.concurrency: N, from 1 to 100000
            100001 | handlers at once are --concurrency N (jobq run) or worker.concurrency: N, from 1 to 100000
            """)
    @DisplayName("Sidekiq's -c 10 names a config file here: the missing file's error says what -c is and what to write")
    void sidekiqsDashCIsTold(String number, String advice) throws Exception {
        int status = start(Map.of(), "run", "-c", number).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains(number + ": no such file;")
                .contains("-c is --config, the config file; " + advice);
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @Test
    void unknownQueueInQueuesIsAUsageError() throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), "--queues", "default,reports")
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--queues names 'reports', which the config does not have (configured: "
                + "default)");
    }

    @Test
    @DisplayName("a handler whose type's queue this worker does not work (left out of worker.queues) is warned about "
            + "at start; one whose queue it works is not")
    void warnsAboutHandlersWhoseQueueThisWorkerDoesNotWork() throws Exception {
        Path file = config("""
                provider: { type: memory }
                queues: { reports: { type: memory }, mail: { type: memory } }
                worker: { queues: [default, mail], shutdownTimeout: 2s }
                """);
        List<String> logged = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> warnings = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent line) {
                logged.add(line.getFormattedMessage());
            }
        };
        Logger jobqLogger = (Logger) LoggerFactory.getLogger("dev.jobq");
        warnings.start();
        jobqLogger.addAppender(warnings);
        Future<Integer> exit;
        try {
            exit = runWithHandlersOn(file, Map.of("report:build", "reports", "report:mail", "mail"));
            awaitWorking();
        } finally {
            jobqLogger.detachAppender(warnings);
        }
        // The in-process start's own WARN says the same: jobq run says it once, in its words.
        assertThat(logged).noneMatch(line -> line.contains("report:build"));
        // Before, nothing said it: the jobs of report:build waited on 'reports' unseen.
        assertThat(err.toString()).contains("jobq run: warning: this worker has handlers for report:build (queue "
                + "reports) but works only [default, mail]: jobs sent there (enqueued, or fired by the scheduler) wait "
                + "until a worker that works reports takes them; if no other worker does, add reports to "
                + "worker.queues (or --queues)").doesNotContain("report:mail");
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    /**
     * Starts {@code jobq run --config file} over the given provider, serving HTTP on a free port of 127.0.0.1; its
     * WorkerStarted events go to {@link #started}.
     */
    private Future<Integer> runServingHttp(Path file, AlteredProvider provider) {
        CommandContext context = CommandRun.context(Map.of(), builder -> {
            JobQueue queue = builder.provider(provider).listener(e -> {
                if (e instanceof JobEvent.WorkerStarted workerStarted) {
                    started.add(workerStarted);
                }
            }).build();
            built.set(queue);
            return QueueSession.owning(queue);
        }, stop);
        return runner.submit(() -> CommandRun.execute(context, new PrintWriter(out, true),
                new PrintWriter(err, true), "run", "--config", file.toString(), "--http-port", "0",
                "--http-host", "127.0.0.1"));
    }

    /** Starts {@code jobq run --config file} with a no-op handler for each type, on the queue given for it. */
    @Test
    @DisplayName("a queue name with a bidirectional override (U+202E) is written escaped in jobq run's queues line and "
            + "in its warning about handlers on a queue it does not work: raw, it reversed the rest of the line")
    void queueNamesWithABidiOverrideAreEscapedInTheQueuesLineAndTheWarning() throws Exception {
        Path file = config("""
                provider: { type: memory }
                queues: { "rep\\u202eorts": { type: memory }, "ma\\u202eil": { type: memory } }
                worker: { queues: [default, "ma\\u202eil"], shutdownTimeout: 2s }
                """);
        Future<Integer> exit = runWithHandlersOn(file, Map.of("report:build", "rep\u202eorts"));

        awaitWorking();
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("jobq run: working queues [default, ma\\u202eil] with concurrency ");
        assertThat(err.toString()).contains("jobq run: warning: this worker has handlers for report:build (queue "
                + "rep\\u202eorts) but works only [default, ma\\u202eil]: jobs sent there (enqueued, or fired by the "
                + "scheduler) wait until a worker that works rep\\u202eorts takes them; if no other worker does, add "
                + "rep\\u202eorts to worker.queues (or --queues)");
        assertThat(out.toString() + err).doesNotContain("\u202e");
    }

    @Test
    @DisplayName("a job type with a bidirectional override (U+202E) is written escaped in jobq run's handlers line and "
            + "in its warning about handlers on a queue it does not work: raw, it reversed the rest of the line")
    void jobTypesWithABidiOverrideAreEscapedInTheHandlersLineAndTheWarning() throws Exception {
        Path file = config("""
                provider: { type: memory }
                queues: { reports: { type: memory } }
                worker: { queues: [default], shutdownTimeout: 2s }
                """);
        Future<Integer> exit = runWithHandlersOn(file, Map.of("mail:\u202esend", "default",
                "report:\u202ebuild", "reports"));

        awaitWorking();
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).containsPattern("; handlers: .*mail:\\\\u202esend.*report:\\\\u202ebuild");
        assertThat(err.toString()).contains("jobq run: warning: this worker has handlers for report:\\u202ebuild "
                + "(queue reports) but works only [default]");
        assertThat(out.toString() + err).doesNotContain("\u202e");
    }

    private Future<Integer> runWithHandlersOn(Path file, Map<String, String> queueOfType) {
        CommandContext context = CommandRun.context(Map.of(), builder -> {
            JobQueue queue = builder.build();
            queueOfType.forEach((type, on) -> queue.registerJobHandler(type, JsonNode.class, (payload, ctx) -> { },
                    HandlerOptions.defaults().queue(on)));
            built.set(queue);
            return QueueSession.owning(queue);
        }, stop);
        return runner.submit(() -> CommandRun.execute(context, new PrintWriter(out, true),
                new PrintWriter(err, true), "run", "--config", file.toString()));
    }

    @Test
    @DisplayName("no warning when the worker works every queue its handlers name")
    void noWarningWhenEveryHandlersQueueIsWorked() throws Exception {
        Path file = config("provider: { type: memory }\nqueues: { reports: { type: memory } }\n");
        Future<Integer> exit = runWithHandlersOn(file, Map.of("report:build", "reports"));

        awaitWorking();
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).doesNotContain("warning");
    }

    @Test
    @DisplayName("--queues given once per queue, as Sidekiq's -q critical -q default, serves every queue named, in order")
    void queuesGivenOncePerQueueServeThemAll() throws Exception {
        Path file = config("provider: { type: memory }\nqueues: { reports: { type: memory } }\n");

        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--queues", "reports", "--queues", "default");

        awaitWorking();
        assertThat(out.toString()).contains("jobq run: working queues [reports, default] with");
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    @DisplayName("--queues takes names as a shell user writes them, spaces after the commas included")
    void queuesAreStrippedOfSpaces() throws Exception {
        Path file = config("provider: { type: memory }\nqueues: { reports: { type: memory } }\n");

        Future<Integer> exit = start(Map.of(), "run", "--config", file.toString(), "--queues", "reports, default");

        awaitWorking();
        assertThat(out.toString()).contains("jobq run: working queues [reports, default] with");
        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    @Test
    void emptyNameInQueuesIsAUsageError() throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), "--queues", "default,,reports")
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--queues has an empty queue name in 'default,,reports'; separate the "
                + "names with single commas, e.g. --queues critical,default");
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @Test
    @DisplayName("a --queues name or a --max-time value is repeated in its refusal escaped, as the other commands' "
            + "--queue and --delay are: one from a file or a variable (\"$(cat queues)\") split or recoloured the line")
    void repeatsQueueNamesAndMaxTimeEscaped() throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), "--queues", "default,rep\u001b[31m\norts")
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--queues names 'rep\\u001b[31m\\norts', which the config does not have");
        assertThat(CommandRun.of("run", "--queues", "\u001b[2J,default,\u001b[2J").err())
                .startsWith("--queues lists '\\u001b[2J' twice; ");
        assertThat(CommandRun.of("run", "--queues", "a,,\u001b[2J").err())
                .startsWith("--queues has an empty queue name in 'a,,\\u001b[2J'; ");
        assertThat(CommandRun.of("run", "--max-time", "5\u001b[31mq").err()).startsWith("--max-time '5\\u001b[31mq' is "
                + "not a duration");
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @Test
    @DisplayName("a --max-time too large to hold is repeated escaped and cut in its refusal, as its other refusals "
            + "repeat it")
    void aMaxTimeTooLargeToHoldIsRepeatedEscapedAndCut() {
        // read from a file, "$(cat t)": its newline split the refusal over two lines, and 300 digits went in whole
        var twoLines = CommandRun.of("run", "--max-time", "99999999999999999999s\n5s");
        var long_ = CommandRun.of("run", "--max-time", "9".repeat(300) + "s");

        assertThat(twoLines.exitCode()).isEqualTo(2);
        assertThat(twoLines.err()).startsWith("--max-time 99999999999999999999s\\n5s is longer than a duration can "
                + "hold; leave it out to run until stopped" + System.lineSeparator());
        assertThat(long_.err()).startsWith("--max-time " + "9".repeat(60) + "… is longer than a duration can hold")
                .doesNotContain("9".repeat(61));
    }

    @Test
    @DisplayName("a --max-time value that is no duration is repeated once in its refusal, cut as its other refusals "
            + "cut it")
    void aMaxTimeValueThatIsNoDurationIsRepeatedOnceCut() {
        // a value pasted in whole (a file's contents through "$(cat …)") was repeated twice, the second time whole
        String value = "soon ".repeat(100).strip();

        var run = CommandRun.of("run", "--max-time", value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--max-time '" + value.substring(0, 60) + "…' (" + value.length()
                + " characters) is not a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like "
                + "PT30S" + System.lineSeparator());
        assertThat(run.err()).doesNotContain(value.substring(0, 61));
    }

    @Test
    void queueNamedTwiceInQueuesIsAUsageError() throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), "--queues", "default,default")
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--queues lists 'default' twice; name each queue once");
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @Test
    void portOutOfRangeIsAUsageError() throws Exception {
        int status = start(Map.of(), "run", "--http-port", "70000").get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--http-port must be between 0 and 65535, got 70000");
    }

    @ParameterizedTest
    @CsvSource({"no-such-host.invalid, does not resolve to an address",
            // TEST-NET-1 (RFC 5737): never an address of this machine
            "192.0.2.1, is not an address of this machine"})
    @DisplayName("an --http-host it cannot listen on is a usage error, exit 2, found before the queues are opened: "
            + "Restart=on-failure restarted it for ever")
    void httpHostItCannotListenOnIsAUsageError(String host, String why) throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), "--http-port", "0", "--http-host", host)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains("--http-host '" + host + "' " + why, "give --http-host one of this "
                + "machine's names or addresses, 0.0.0.0 for all of them (the default), or 127.0.0.1 for this machine "
                + "only").doesNotContain("--http-port");
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @ParameterizedTest
    // a blank --http-host ("$HOST" unset) was repeated unquoted: "--http-host  is given without --http-port"
    @CsvSource({"--http-host, 0.0.0.0", "--health-backlog, 50", "--http-host, ''", "--http-host, ' '"})
    @DisplayName("an option of the /health and /metrics server without --http-port, which turns it on, is a usage "
            + "error naming both options, the value quoted, and the fix: it was ignored, and the worker served no /health")
    void httpServerOptionWithoutHttpPortIsAUsageError(String option, String value) throws Exception {
        Path file = config("provider: { type: memory }\n");

        int status = start(Map.of(), "run", "--config", file.toString(), option, value)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(option + " '" + value + "' is given without --http-port, so nothing would "
                + "use it: /health and /metrics are off unless --http-port is given; add --http-port PORT (0 for any "
                + "free port), or leave " + option + " out");
        assertThat(built.get()).as("nothing was built").isNull();
    }

    @Test
    @DisplayName("an --http-port another process holds is exit 1, as operations.md says (a restart may find it free), "
            + "naming the address and the fix")
    void httpPortAlreadyTakenIsExitOneNamingTheFix() throws Exception {
        Path file = config("provider: { type: memory }\nworker: { shutdownTimeout: 2s }\n");
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            int status = start(Map.of(), "run", "--config", file.toString(), "--http-port", Integer.toString(port),
                    "--http-host", "127.0.0.1").get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(status).as(err.toString()).isEqualTo(1);
            assertThat(err.toString()).contains("cannot listen on 127.0.0.1:" + port,
                    "choose another --http-port, or 0 for any free port");
            assertThat(started).as("the worker started receiving").isEmpty();
            assertThat(out.toString()).doesNotContain("jobq run: working");
        }
    }

    @Test
    void badConfigIsExitTwoWithTheKeyPath() throws Exception {
        Path file = config("worker: { concurrency: 0 }\n");

        int status = start(Map.of(), "run", "--config", file.toString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("worker.concurrency: must be ≥ 1, got 0");
        assertThat(built.get()).as("nothing was built").isNull();
    }
}

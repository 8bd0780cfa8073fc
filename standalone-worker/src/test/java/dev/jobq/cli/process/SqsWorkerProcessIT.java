package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.cli.HttpProbe;
import dev.jobq.cli.process.handlers.ExitModule;
import dev.jobq.cli.process.handlers.Gate;
import dev.jobq.cli.process.handlers.GatedModule;
import dev.jobq.cli.process.handlers.HoldModule;
import dev.jobq.cli.process.handlers.HostileModule;
import dev.jobq.cli.process.handlers.RunLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar jobq.jar run} on SQS: one ElasticMQ for the class ({@link LocalSqsServer}, on
 * 127.0.0.1 with a free port), a fresh queue and DLQ per test, jobs sent in the wire format by a
 * plain AWS SDK client, and workers that are killed with SIGKILL or stopped with SIGTERM while they
 * hold jobs. Which job ran where, and on which attempt, is read from the workers' run journals
 * ({@link RunJournal}) and their outcome log lines.
 */
class SqsWorkerProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);
    /** The lease in these tests: how long a killed worker's jobs stay invisible after its last heartbeat. */
    private static final String VISIBILITY = "5s";

    @RegisterExtension
    static final LocalSqsServer SQS = new LocalSqsServer();

    @TempDir
    Path dir;

    private Path handlers;
    private RunJournal journal;
    private SqsQueue queue;
    private Gates gates;

    @BeforeEach
    void queueAndHandlers() {
        queue = SqsQueue.create(SQS.get(), "process");
        handlers = TestHandlers.directoryIn(dir);
        journal = new RunJournal(dir);
        gates = new Gates(dir);
    }

    private Path config(int concurrency, String shutdownTimeout) {
        return queue.config().provider("visibilityTimeout", VISIBILITY)
                .worker("concurrency", concurrency).worker("shutdownTimeout", shutdownTimeout)
                .writeTo(dir.resolve("jobq-" + concurrency + "-" + shutdownTimeout + ".yaml"));
    }

    /** {@code jobq run} named {@code name} (its run journal's name); it finishes test:hold jobs when told to. */
    private JobqProcess worker(String name, Path config, boolean finishHeldJobs, String... more) {
        return JobqProcess.jar().directory(dir)
                .env(HoldModule.RELEASE_ENV, finishHeldJobs ? "yes" : "no")
                .env(RunLog.FILE_ENV, journal.fileFor(name).toString())
                .env(Gate.DIR_ENV, gates.dir())
                .args("run", "--config", config.toString(), "--handlers", handlers.toString()).args(more).start();
    }

    private List<String> send(int jobs, String type, String payloadJson) {
        return IntStream.range(0, jobs).mapToObj(i -> queue.send(type, payloadJson)).toList();
    }

    private static List<String> outcomes(JobqProcess worker, String outcome) {
        return worker.stderr().linesMatching(l -> l.contains("outcome=" + outcome));
    }

    private static void awaitOutcomes(JobqProcess worker, List<String> jobIds, String outcome) {
        for (String jobId : jobIds) {
            worker.stderr().await(l -> l.contains("job=" + jobId) && l.contains("outcome=" + outcome), 1, START,
                    "with job=" + jobId + " and outcome=" + outcome);
        }
    }

    private static double seconds(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }

    @Test
    @DisplayName("a job sent by a plain SDK client in the wire format is run by jobq run")
    void jobFromAnotherClientIsRun() {
        gates.open("open");
        String jobId = queue.send(GatedModule.TYPE, Gates.payload("open"));

        try (JobqProcess worker = worker("only", config(2, "30s"), false)) {
            awaitOutcomes(worker, List.of(jobId), "completed");

            assertThat(worker.stderr().find("job=" + jobId)).hasValueSatisfying(line ->
                    assertThat(line).contains("type=test:gated", "attempt=1"));
            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
        assertThat(queue.messagesLeft()).isZero();
    }

    @Test
    @DisplayName("SIGKILL of a worker holding 4 jobs: the other worker runs all 4 after the lease, as attempt 2; none lost")
    void killedWorkersJobsRunOnTheOtherWorker() {
        Path config = config(4, "30s");
        try (JobqProcess first = worker("first", config, false)) {
            first.stdout().awaitLine("jobq run: working", START);
            List<String> jobIds = send(4, HoldModule.TYPE, "\"order\"");
            // every permit taken: the first worker has no long poll open that SQS could still answer after the kill
            first.stderr().await(l -> l.contains("hold started on attempt 1"), 4, START, "holding all 4 jobs");

            try (JobqProcess second = worker("second", config, true)) {
                second.stdout().awaitLine("jobq run: working", START);
                long killed = System.nanoTime();
                first.kill();
                assertThat(first.awaitExit(EXIT)).isEqualTo(137);

                journal.awaitJobs(jobIds, START);
                System.out.printf("MEASURE kill -9: %d held jobs ran on the other worker %.1f s after the kill "
                        + "(visibility timeout %s)%n", jobIds.size(), seconds(killed), VISIBILITY);

                journal.assertRanOnceEach(jobIds, "second", 2, "the killed delivery counts");
                awaitOutcomes(second, jobIds, "completed");
                second.terminate();
                assertThat(second.awaitExit(EXIT)).isZero();
            }
        }
        assertThat(queue.messagesLeft()).isZero();
        assertThat(queue.deadLetters()).isZero();
    }

    @Test
    @DisplayName("SIGTERM with 3 jobs in flight: they finish during the drain, none is released, exit 0")
    void sigtermLetsRunningJobsFinish() {
        try (JobqProcess worker = worker("only", config(3, "30s"), false)) {
            worker.stdout().awaitLine("jobq run: working", START);
            List<String> jobIds = send(3, GatedModule.TYPE, Gates.payload("finish"));
            worker.stderr().await(l -> l.contains("gated work started"), 3, START, "saying 'gated work started'");

            long signalled = System.nanoTime();
            worker.terminate();
            worker.stderr().awaitLine("SIGTERM received: draining", START);
            // The stop line counts the running jobs after that log line, on another thread: a gate opened before it
            // let the jobs finish first, and the line said "0 running job(s)" (a CI run, once), as WorkerProcessIT's
            // twin of this test found before.
            worker.stdout().awaitLine("jobq run: stopping", START);
            gates.open("finish");

            assertThat(worker.awaitExit(EXIT)).isZero();
            System.out.printf("MEASURE SIGTERM, 3 jobs in flight finishing after the signal, shutdownTimeout 30s: exit 0 after %.1f s%n",
                    seconds(signalled));
            List<String> err = worker.stderr().lines();
            int signalLine = err.indexOf(worker.stderr().find("SIGTERM received: draining").orElseThrow());
            awaitOutcomes(worker, jobIds, "completed");
            assertThat(outcomes(worker, "completed")).hasSize(3).allSatisfy(line ->
                    assertThat(err.indexOf(line)).as("completed after the signal").isGreaterThan(signalLine));
            assertThat(outcomes(worker, "released")).isEmpty();
            assertThat(worker.stdout().text()).contains("3 running job(s) get up to 30s").endsWith("jobq run: stopped");
        }
        assertThat(queue.messagesLeft()).isZero();
    }

    @Test
    @DisplayName("SIGTERM past shutdownTimeout releases 3 jobs: exit 0, and another worker runs them at once as attempt 1")
    void sigtermPastShutdownTimeoutReleasesJobs() {
        Path config = config(3, "2s");
        List<String> jobIds;
        try (JobqProcess first = worker("first", config, false)) {
            first.stdout().awaitLine("jobq run: working", START);
            jobIds = send(3, HoldModule.TYPE, "\"order\"");
            first.stderr().await(l -> l.contains("hold started on attempt 1"), 3, START, "holding all 3 jobs");

            long signalled = System.nanoTime();
            first.terminate();

            // the jobs hold for 10 minutes: exiting within this bound means they were released, not waited for
            assertThat(first.awaitExit(Duration.ofSeconds(2).plus(EXIT))).isZero();
            System.out.printf("MEASURE SIGTERM, 3 jobs held past shutdownTimeout 2s: released, exit 0 after %.1f s%n",
                    seconds(signalled));
            awaitOutcomes(first, jobIds, "released");
            assertThat(outcomes(first, "completed")).isEmpty();
        }
        try (JobqProcess second = worker("second", config, true)) {
            journal.awaitJobs(jobIds, START);

            journal.assertRanOnceEach(jobIds, "second", 1, "a released delivery is not counted");
            awaitOutcomes(second, jobIds, "completed");
            second.terminate();
            assertThat(second.awaitExit(EXIT)).isZero();
        }
        assertThat(queue.messagesLeft()).isZero();
    }

    @Test
    @DisplayName("a handler that calls System.exit: each worker it stops counts an attempt, and after its last the "
            + "job is in the DLQ, not handed back uncounted for ever")
    void handlerCallingSystemExitEndsInTheDeadLetters() {
        Path config = config(1, "1s");
        String jobId = queue.send(ExitModule.TYPE, "null", 2);

        try (JobqProcess first = worker("first", config, false)) {
            assertThat(first.awaitExit(EXIT)).isEqualTo(ExitModule.STATUS);
            assertThat(first.stderr().find("job=" + jobId)).hasValueSatisfying(line ->
                    assertThat(line).contains("attempt=1", "outcome=failed"));
        }
        try (JobqProcess second = worker("second", config, false)) {
            assertThat(second.awaitExit(EXIT)).isEqualTo(ExitModule.STATUS);
            assertThat(second.stderr().find("job=" + jobId)).hasValueSatisfying(line ->
                    assertThat(line).contains("attempt=2", "outcome=dead"));
            assertThat(second.stderr().text()).contains("the handler called System.exit");
        }
        assertThat(queue.messagesLeft()).isZero();
        assertThat(queue.deadLetters()).isOne();
    }

    @Test
    @DisplayName("handlers throwing a Throwable neither Exception nor Error, a stack overflow, a 10 MB message, 10,000 "
            + "causes and a real OutOfMemoryError each end in the DLQ with a bounded one-line reason; a handler's "
            + "leftover thread holds nothing, and SIGTERM still exits 0")
    void unusualThrowablesEndInTheDeadLetters() {
        Path config = config(2, "2s");
        Map<String, String> jobs = new LinkedHashMap<>();
        for (String kind : List.of("odd", "overflow", "huge", "deep", "oom", "leak")) {
            jobs.put(kind, queue.send(HostileModule.TYPE, "\"" + kind + "\"", 1));
        }

        try (JobqProcess worker = worker("only", config, false)) {
            Map<String, String> lines = new LinkedHashMap<>();
            jobs.forEach((kind, jobId) -> lines.put(kind, worker.stderr().await(l -> l.contains("job=" + jobId)
                    && l.contains("outcome="), 1, START, "with the outcome of " + kind).get(0)));

            // Before, "odd" and "deep" were never settled: their leases ended, and the next delivery was dead as
            // "delivered for attempt 2 but maxAttempts is 1"; "huge" wrote its 10 MB into the outcome line.
            assertThat(lines.get("odd")).contains("outcome=dead", "error=\"NeitherExceptionNorError: odd (attempt 1 of 1)\"");
            assertThat(lines.get("overflow")).contains("outcome=dead", "error=\"StackOverflowError (attempt 1 of 1)\"");
            assertThat(lines.get("deep")).contains("outcome=dead",
                    "error=\"RuntimeException: level 9999 (caused by RuntimeException: root) (attempt 1 of 1)\"");
            // The line break is the failure text's escape, written once (docs/operations.md#logs), not doubled.
            assertThat(lines.get("huge")).contains("outcome=dead", "first line\\nINFO forged line")
                    .doesNotContain("\u001b").hasSizeLessThan(2_500);
            assertThat(lines.get("oom")).contains("outcome=dead", "error=\"OutOfMemoryError: ");
            assertThat(lines.get("leak")).contains("outcome=completed");
            assertThat(worker.stderr().linesMatching(l -> l.contains("forged line"))).allSatisfy(l ->
                    assertThat(l).doesNotStartWith("INFO forged line"));
            assertThat(worker.isAlive()).as("still working").isTrue();

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).as("a non-daemon thread left by a handler does not hold the process")
                    .isZero();
        }
        assertThat(queue.messagesLeft()).isZero();
        assertThat(queue.deadLetters()).isEqualTo(5);
    }

    @Test
    @DisplayName("a bad sqs section exits 2 before connecting, every problem on stderr with its key path")
    void badSqsConfigExitsTwo() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                provider:
                  type: sqs
                  region: us-east-1
                  endpoint: %s
                  deadLetterQueueUrl: %s
                  visibilityTimeout: soon
                worker:
                  concurrency: 0
                """.formatted(SQS.get().endpoint(), queue.queues().deadLetterUrl()));

        try (JobqProcess worker = JobqProcess.jar().directory(dir)
                .args("run", "--config", bad.toString(), "--handlers", handlers.toString()).start()) {
            assertThat(worker.awaitExit(EXIT)).isEqualTo(2);
            assertThat(worker.stderr().text()).contains("bad.yaml has 3 problems:")
                    .contains("provider.queueUrl: is required; set queueUrl to the queue's URL")
                    .contains("provider.visibilityTimeout: 'soon' is not a duration with a unit such as 500ms, 30s")
                    .contains("worker.concurrency: must be ≥ 1, got 0");
            assertThat(worker.stdout().lines()).isEmpty();
        }
    }

    @Test
    @DisplayName("/health and /metrics answer while jobs run on SQS")
    void healthAndMetricsWhileJobsRun() throws Exception {
        try (JobqProcess worker = worker("only", config(2, "30s"), false, "--http-port", "0", "--http-host",
                "127.0.0.1")) {
            HttpProbe http = HttpProbe.fromRunOutput(worker.stdout().awaitLine("health and metrics on", START) + " ");
            worker.stdout().awaitLine("jobq run: working", START);
            gates.open("first");
            send(2, GatedModule.TYPE, Gates.payload("first"));
            worker.stderr().await(l -> l.contains("outcome=completed"), 2, START, "with outcome=completed");
            send(28, GatedModule.TYPE, Gates.payload("rest"));
            worker.stderr().await(l -> l.contains("gated work started"), 4, START, "with two more jobs started");

            JsonNode body = http.healthyAndRunning();
            assertThat(body.path("worker").path("concurrency").asInt()).isEqualTo(2);
            JsonNode stats = body.path("queues").get(0);
            assertThat(stats.path("queue").asText()).isEqualTo("default");
            assertThat(stats.path("completed").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(stats.path("waiting").asLong()).as("SQS's count of visible messages").isBetween(0L, 28L);
            assertThat(stats.path("dead").asLong()).isZero();

            var metrics = http.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("jobq_jobs_total{outcome=\"completed\",queue=\"default\",type=\"test:gated\"}")
                    .contains("jobq_job_duration_seconds_sum{outcome=\"completed\",queue=\"default\",type=\"test:gated\"}")
                    .containsPattern("(?m)^jobq_queue_waiting\\{queue=\"default\"} [0-9]")
                    .containsPattern("(?m)^jobq_queue_dead\\{queue=\"default\"} 0")
                    .contains("jobq_handlers_active{queue=\"default\"}");
            assertThat(worker.isAlive()).as("still working").isTrue();

            gates.open("rest");
            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    @DisplayName("a mixed run's numbers agree: /metrics' jobq_jobs_total, /health's counts and the outcome lines")
    void metricsHealthAndOutcomeLinesAgree() throws Exception {
        gates.open("go");
        List<String> completing = send(3, GatedModule.TYPE, Gates.payload("go"));
        String unknown = queue.send("test:nobody", "1");
        String failing = queue.send(HostileModule.TYPE, "\"odd\"", 2);
        SQS.get().client().sendMessage(r -> r.queueUrl(queue.queues().url()).messageBody("not a job at all"));

        try (JobqProcess worker = worker("only", config(2, "30s"), false, "--http-port", "0", "--http-host",
                "127.0.0.1")) {
            HttpProbe http = HttpProbe.fromRunOutput(worker.stdout().awaitLine("health and metrics on", START) + " ");
            awaitOutcomes(worker, completing, "completed");
            awaitOutcomes(worker, List.of(unknown, failing), "dead");
            worker.stderr().await(l -> l.contains("outcome=dead"), 3, START, "with the unreadable message dead too");

            Map<String, Double> totals = new LinkedHashMap<>();
            Map<String, Double> byType = new LinkedHashMap<>();
            var series = java.util.regex.Pattern.compile(
                    "(?m)^jobq_jobs_total\\{outcome=\"(\\w+)\",queue=\"default\",type=\"([^\"]+)\"} (\\S+)$")
                    .matcher(http.get("/metrics").body());
            while (series.find()) {
                totals.merge(series.group(1), Double.parseDouble(series.group(3)), Double::sum);
                byType.merge(series.group(2) + "/" + series.group(1), Double.parseDouble(series.group(3)), Double::sum);
            }
            assertThat(totals).containsEntry("completed", 3.0).containsEntry("failed", 1.0).containsEntry("dead", 3.0);
            assertThat(byType).as("the unknown type and the unreadable message under one bounded type")
                    .containsEntry("unregistered/dead", 2.0).containsEntry(HostileModule.TYPE + "/dead", 1.0)
                    .doesNotContainKey("test:nobody/dead");
            for (String outcome : List.of("completed", "failed", "dead")) {
                assertThat((double) outcomes(worker, outcome).size()).as("outcome=" + outcome + " lines")
                        .isEqualTo(totals.get(outcome));
            }
            JsonNode stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http.get("/health").body())
                    .path("queues").get(0);
            assertThat(stats.path("completed").asLong()).isEqualTo(3);
            assertThat(stats.path("failed").asLong()).as("failed and dead attempts, as jobq_jobs_total counts them")
                    .isEqualTo(4);

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
        assertThat(queue.deadLetters()).isEqualTo(3);
    }
}

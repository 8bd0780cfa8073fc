package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jobq.JobHandlerModule;
import dev.jobq.cli.HttpProbe;
import dev.jobq.cli.UnreachableSqs;
import dev.jobq.cli.process.handlers.SeededMemoryProviderFactory;
import dev.jobq.cli.process.handlers.Gate;
import dev.jobq.cli.process.handlers.GatedModule;
import dev.jobq.cli.process.handlers.SlowStartModule;
import dev.jobq.examples.DemoHandlers;
import dev.jobq.spi.QueueProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar jobq.jar run} as a child process on the memory provider: real TERM and INT,
 * exit statuses, health and metrics over HTTP. Jobs come from a seeded memory provider in the
 * test's {@code --handlers} jar, since no other process can reach a memory queue.
 */
class WorkerProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path handlers;
    private Gates gates;

    @BeforeEach
    void handlerJar() {
        handlers = dir.resolve("handlers");
        gates = new Gates(dir);
        new JarBuilder()
                .addClass(GatedModule.class)
                .addClass(Gate.class)
                .addClass(SeededMemoryProviderFactory.class)
                .service(JobHandlerModule.class, GatedModule.class.getName())
                .service(QueueProviderFactory.class, SeededMemoryProviderFactory.class.getName())
                .writeTo(handlers.resolve("test-handlers.jar"));
    }

    /** A seeded memory queue of {@code jobs} test:gated jobs, each waiting for gate {@code gate}. */
    private Path config(int jobs, String gate, int concurrency, String shutdownTimeout) throws Exception {
        return Files.writeString(dir.resolve("jobq.yaml"), """
                provider:
                  type: seeded-memory
                  jobs: %d
                  jobType: test:gated
                  payload: '%s'
                  jobTimeout: 10m
                worker:
                  concurrency: %d
                  shutdownTimeout: %s
                """.formatted(jobs, Gates.payload(gate), concurrency, shutdownTimeout));
    }

    private JobqProcess run(Path config, String... more) {
        return JobqProcess.jar().directory(dir).env(Gate.DIR_ENV, gates.dir())
                .args("run", "--config", config.toString(), "--handlers", handlers.toString()).args(more).start();
    }

    private static List<String> outcomes(JobqProcess worker, String outcome) {
        return worker.stderr().linesMatching(l -> l.contains("type=test:gated") && l.contains("outcome=" + outcome));
    }

    @Test
    @DisplayName("SIGTERM with jobs in flight: they finish during the drain and the process exits 0")
    void sigtermLetsRunningJobsFinish() throws Exception {
        try (JobqProcess worker = run(config(3, "finish", 3, "30s"))) {
            worker.stderr().await(l -> l.contains("gated work started"), 3, START, "saying 'gated work started'");

            worker.terminate();
            worker.stderr().awaitLine("SIGTERM received: draining", START);
            // The stop line counts the running jobs after that log line, on another thread: a gate opened before it
            // let a job finish first, and the line said "2 running job(s)" (a full verify, once).
            worker.stdout().awaitLine("jobq run: stopping", START);
            gates.open("finish");

            assertThat(worker.awaitExit(EXIT)).isZero();
            List<String> err = worker.stderr().lines();
            int signalled = indexOf(err, "SIGTERM received: draining");
            assertThat(outcomes(worker, "completed")).hasSize(3).allSatisfy(line ->
                    assertThat(err.indexOf(line)).as("completed after the signal").isGreaterThan(signalled));
            assertThat(outcomes(worker, "released")).isEmpty();
            assertThat(worker.stdout().text()).contains("jobq run: stopping: no new jobs; 3 running job(s) get up to 30s")
                    .endsWith("jobq run: stopped");
        }
    }

    @Test
    @DisplayName("SIGTERM with jobs longer than shutdownTimeout: they are released and the process exits 0")
    void sigtermReleasesJobsPastTheShutdownTimeout() throws Exception {
        try (JobqProcess worker = run(config(2, "never", 2, "1s"))) {
            worker.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");

            worker.terminate();

            assertThat(worker.awaitExit(EXIT)).isZero();
            assertThat(outcomes(worker, "released")).hasSize(2);
            assertThat(outcomes(worker, "completed")).isEmpty();
            assertThat(worker.stdout().text()).endsWith("jobq run: stopped");
        }
    }

    @Test
    @DisplayName("SIGTERM while the worker is still starting: it never starts working and exits 0, as after a drain")
    void sigtermDuringStartUpExitsZeroWithoutWorking() throws Exception {
        new JarBuilder().addClass(SlowStartModule.class).addClass(Gate.class)
                .service(JobHandlerModule.class, SlowStartModule.class.getName())
                .writeTo(handlers.resolve("slow-start.jar"));
        try (JobqProcess worker = run(config(2, "never", 2, "30s"))) {
            worker.stderr().awaitLine("registration waits for gate " + SlowStartModule.GATE, START);

            worker.terminate();
            worker.stderr().awaitLine("SIGTERM received while starting", START);
            gates.open(SlowStartModule.GATE);

            assertThat(worker.awaitExit(EXIT)).isZero();
            assertThat(worker.stdout().text()).isEqualTo("jobq run: stopped before it started working: a stop signal "
                    + "came during start-up");
            assertThat(worker.stderr().text()).doesNotContain("gated work started").doesNotContain("worker started");
        }
    }

    /**
     * A class picocli loads while it reads the command line: after {@code main}'s first statement, long before
     * {@code jobq run} starts listening for signals (a second or more of reading the command line and starting
     * the logging).
     */
    private static final String READING_THE_COMMAND_LINE = "dev.jobq.cli.admin.StatsCommand source:";
    /**
     * Class loading on stderr; and no class-data archive written at exit, which JDK 25 can crash writing (SIGSEGV
     * in LambdaProxyClassDictionary, exit 134) when a signal ends the JVM while it is loading classes.
     */
    private static final String[] LOG_CLASS_LOADING = {"-Xlog:class+load=info:stderr", "-XX:-AutoCreateSharedArchive"};

    @Test
    @DisplayName("SIGTERM while jobq reads its command line (before run listens): run exits 0 at once without working")
    void sigtermWhileTheCommandLineIsReadExitsZero() throws Exception {
        try (JobqProcess worker = JobqProcess.jar().directory(dir).env(Gate.DIR_ENV, gates.dir())
                .jvmOptions(LOG_CLASS_LOADING)
                .args("run", "--config", config(2, "finish", 2, "30s").toString(), "--handlers", handlers.toString())
                .start()) {
            worker.stderr().awaitLine(READING_THE_COMMAND_LINE, START);

            worker.terminate();

            // Before, the JVM's default handler ended it: 143, a failed unit to systemd.
            assertThat(worker.awaitExit(EXIT)).isZero();
            assertThat(worker.stdout().text()).isEqualTo("jobq run: stopped before it started working: a stop signal "
                    + "came during start-up");
            assertThat(worker.stderr().text()).contains("SIGTERM received while starting")
                    .doesNotContain("gated work started").doesNotContain("worker started");
        }
    }

    @Test
    @DisplayName("SIGTERM while another command reads its command line still ends it the JVM's way, 143")
    void sigtermWhileAnotherCommandReadsItsCommandLineExits143() throws Exception {
        // config check registers the handler modules: SlowStartModule holds it there after the signal came.
        new JarBuilder().addClass(SlowStartModule.class).addClass(Gate.class)
                .service(JobHandlerModule.class, SlowStartModule.class.getName())
                .writeTo(handlers.resolve("slow-start.jar"));
        try (JobqProcess check = JobqProcess.jar().directory(dir).env(Gate.DIR_ENV, gates.dir())
                .jvmOptions(LOG_CLASS_LOADING)
                .args("config", "check", "--config", config(2, "finish", 2, "30s").toString(),
                        "--handlers", handlers.toString())
                .start()) {
            check.stderr().awaitLine(READING_THE_COMMAND_LINE, START);

            check.terminate();

            assertThat(check.awaitExit(EXIT)).isEqualTo(128 + 15);
        }
    }

    @Test
    @DisplayName("a second signal while draining exits at once with 128 + its number")
    void secondSignalExitsAtOnce() throws Exception {
        try (JobqProcess worker = run(config(2, "never", 2, "10m"))) {
            worker.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");
            worker.terminate();
            worker.stderr().awaitLine("SIGTERM received: draining", START);

            // Ctrl-C as the second signal, unless this build runs with INT ignored (see JobqProcess)
            boolean viaInt = JobqProcess.interruptReachesChildren();
            if (viaInt) {
                worker.interrupt();
            } else {
                worker.terminate();
            }

            // the drain alone would take 10 minutes
            assertThat(worker.awaitExit(EXIT)).isEqualTo(viaInt ? 128 + 2 : 128 + 15);
            assertThat(worker.stderr().text()).contains((viaInt ? "SIGINT" : "SIGTERM")
                    + " received again: exiting now without draining");
        }
    }

    @Test
    @DisplayName("a bad config exits 2 with every problem and its key path on stderr")
    void badConfigExitsTwo() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "worker:\n  concurency: 3\n  concurrency: 0\n");

        try (JobqProcess worker = JobqProcess.jar().directory(dir).args("run", "--config", bad.toString()).start()) {
            assertThat(worker.awaitExit(EXIT)).isEqualTo(2);
            assertThat(worker.stderr().text()).contains("bad.yaml has 2 problems:")
                    .contains("worker.concurrency: must be ≥ 1, got 0").contains("worker.concurency: unknown key");
            assertThat(worker.stdout().lines()).isEmpty();
        }
    }

    @Test
    @DisplayName("the jar alone registers no handlers (not even the examples it carries): run refuses, exit 2")
    void noHandlersExitsTwo() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.yaml"), "provider: { type: memory }\n");

        try (JobqProcess worker = JobqProcess.jar().directory(dir).args("run", "--config", plain.toString()).start()) {
            assertThat(worker.awaitExit(EXIT)).isEqualTo(2);
            assertThat(worker.stderr().text()).contains("jobq run: no job handlers found");
        }
    }

    @Test
    @DisplayName("with no handlers, run refuses (exit 2) also while SQS or the scheduler's database is out of reach: it "
            + "said their failure, exit 1, which Restart=on-failure restarts for ever")
    void noHandlersExitsTwoWhileAProviderOrTheDatabaseIsDown() throws Exception {
        Path sqsDown = Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                """.formatted(UnreachableSqs.keys(2)));
        Path databaseDown = Files.writeString(dir.resolve("db-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                  connectionTimeout: 1s
                """);

        for (Path config : List.of(sqsDown, databaseDown)) {
            try (JobqProcess worker = JobqProcess.jar().directory(dir).args("run", "--config", config.toString())
                    .start()) {
                assertThat(worker.awaitExit(EXIT)).as(config + ": " + worker.stderr().text()).isEqualTo(2);
                assertThat(worker.stderr().text()).as(config.toString()).contains("jobq run: no job handlers found")
                        .doesNotContain("127.0.0.1");
            }
        }
    }

    @Test
    @DisplayName("JOBQ_CONFIG and the QUEUE_* overrides reach the worker")
    void environmentReachesTheWorker() throws Exception {
        Path config = config(0, "none", 1, "1s");
        try (JobqProcess worker = JobqProcess.jar().directory(dir).env("JOBQ_CONFIG", config.toString())
                .env("QUEUE_CONCURRENCY", "7").args("run", "--handlers", handlers.toString()).start()) {
            worker.stdout().awaitLine("jobq run: working", START);
            assertThat(worker.stdout().text()).contains("with concurrency 7;");

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    @DisplayName("/health and /metrics answer while jobs run")
    void healthAndMetricsWhileJobsRun() throws Exception {
        try (JobqProcess worker = run(config(40, "health", 2, "30s"), "--http-port", "0", "--http-host", "127.0.0.1")) {
            HttpProbe http = HttpProbe.fromRunOutput(worker.stdout().awaitLine("health and metrics on", START) + " ");
            worker.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");
            var running = http.get("/metrics");
            assertThat(running.statusCode()).isEqualTo(200);
            assertThat(running.body()).as("both handlers busy, held by their gate")
                    .containsPattern("(?m)^jobq_handlers_active\\{queue=\"default\"} 2");

            gates.open("health");
            worker.stderr().await(l -> l.contains("outcome=completed"), 2, START, "with outcome=completed");

            JsonNode body = http.healthyAndRunning();
            assertThat(body.path("worker").path("handlerTypes").toString()).isEqualTo("[\"test:gated\"]");
            assertThat(body.path("queues").get(0).path("completed").asLong()).isGreaterThanOrEqualTo(2);

            var metrics = http.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jobq_jobs_total{outcome=\"completed\",queue=\"default\",type=\"test:gated\"}")
                    .contains("jobq_job_duration_seconds_sum{outcome=\"completed\",queue=\"default\",type=\"test:gated\"}")
                    .contains("jobq_queue_waiting{queue=\"default\"}")
                    .contains("jobq_handlers_active{queue=\"default\"}");
            assertThat(worker.isAlive()).as("still working").isTrue();

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    @DisplayName("the examples jar in --handlers runs the example job types")
    void examplesJarInHandlers() throws Exception {
        Path examples = Path.of(System.getProperty("jobq.examples.jar", "examples jar not set"));
        assertThat(examples).as("the examples jar (system property jobq.examples.jar)").isRegularFile();
        Path dirWithExamples = Files.createDirectories(dir.resolve("examples-handlers"));
        Files.copy(examples, dirWithExamples.resolve(examples.getFileName()));
        Path plain = Files.writeString(dir.resolve("plain.yaml"), "provider: { type: memory }\n");

        try (JobqProcess worker = JobqProcess.jar().directory(dir)
                .args("run", "--config", plain.toString(), "--handlers", dirWithExamples.toString()).start()) {
            String working = worker.stdout().awaitLine("jobq run: working", START);
            assertThat(working).endsWith("handlers: " + String.join(", ", DemoHandlers.TYPES.stream().sorted().toList()));

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    @DisplayName("java older than 21 runs jobq.jar with JAVA_HOME's java, says so, and passes SIGTERM on: the worker drains, "
            + "and the launcher exits with its status, 0")
    void olderJavaRunsTheJarWithJavaHomes() throws Exception {
        Path old = JobqProcess.olderJava();
        try (JobqProcess launcher = JobqProcess.jar().java(old).directory(dir).env(Gate.DIR_ENV, gates.dir())
                .env("JAVA_HOME", System.getProperty("java.home"))
                .args("run", "--config", config(2, "finish", 2, "30s").toString(), "--handlers", handlers.toString())
                .start()) {
            launcher.stderr().awaitLine("jobq needs 21 or newer: running with JAVA_HOME's, Java "
                    + Runtime.version().feature(), START);
            launcher.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");
            List<ProcessHandle> worker = launcher.descendants();
            assertThat(worker).as("the JVM the launcher started").hasSize(1);

            launcher.terminate();
            launcher.stderr().awaitLine("SIGTERM received: draining", START);
            gates.open("finish");

            // Before, the launcher's JVM ended as the JVM does on SIGTERM, with 143 (a failed unit to systemd),
            // whatever the worker's status.
            assertThat(launcher.awaitExit(EXIT)).as("the launcher's status: the drained worker's").isZero();
            assertThat(worker.get(0).isAlive()).isFalse();
            assertThat(outcomes(launcher, "completed")).hasSize(2);
            assertThat(launcher.stdout().text()).endsWith("jobq run: stopped");
        }
    }

    @Test
    @DisplayName("behind the launcher a second stop ends the worker at once, and the launcher exits with its 143")
    void olderJavaSecondTermPassesTheWorkersStatusOn() throws Exception {
        Path old = JobqProcess.olderJava();
        try (JobqProcess launcher = JobqProcess.jar().java(old).directory(dir).env(Gate.DIR_ENV, gates.dir())
                .env("JAVA_HOME", System.getProperty("java.home"))
                .args("run", "--config", config(2, "never", 2, "10m").toString(), "--handlers", handlers.toString())
                .start()) {
            launcher.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");
            launcher.terminate();
            launcher.stderr().awaitLine("SIGTERM received: draining", START);
            // Both stops reach the worker only as the launcher's copies, each counted by the launcher: the second
            // is a second stop however soon it comes.
            launcher.terminate();

            // the drain alone would take 10 minutes
            assertThat(launcher.awaitExit(EXIT)).as("the worker's status, passed on").isEqualTo(128 + 15);
            assertThat(launcher.stderr().text()).contains("SIGTERM received again: exiting now without draining")
                    .doesNotContain("SIGTERM again:");
        }
    }

    @Test
    @DisplayName("behind the launcher Ctrl-C (INT to the whole process group, as a terminal sends it) drains the worker "
            + "once, and the launcher exits with its status, 0")
    void olderJavaCtrlCDrainsOnceAndExitsZero() throws Exception {
        // The worker gets the terminal's INT and the TERM the launcher passes on, in either order: one request. The
        // first to arrive drains ("SIGINT received: draining" or, the launcher's copy first, "SIGTERM received:
        // draining"): fresh-clone CI waited for the SIGINT line in vain once, the TERM having come first.
        olderJavaStopToBothJvmsDrainsOnce(JobqProcess::interruptProcessGroup,
                " received: draining", "behind the launcher one Ctrl-C reaches this JVM as both");
    }

    @Test
    @DisplayName("behind the launcher a TERM to both JVMs (systemd stopping the unit's control group, pkill -f jobq.jar) "
            + "drains the worker once, and the launcher exits with its status, 0")
    void olderJavaTermToBothJvmsDrainsOnceAndExitsZero() throws Exception {
        // Before, the TERM the launcher passed on came as "SIGTERM received again" and the worker exited 143. The
        // two TERMs can also reach the worker as one (the kernel keeps one pending TERM per process: a starved
        // worker had not taken its own when the launcher's came), so no line says it took two: a full verify at
        // load average 13 waited for "SIGTERM again at once" in vain, once.
        olderJavaStopToBothJvmsDrainsOnce(JobqProcess::terminateProcessGroup, "SIGTERM received: draining", null);
    }

    @Test
    @DisplayName("behind the launcher a TERM to both JVMs drains the worker once however late the launcher passes it on "
            + "(a starved machine), and the launcher exits with its status, 0")
    void olderJavaTermToBothJvmsDrainsOnceWhenTheLauncherPassesItOnLate() throws Exception {
        // Before, a copy of the stop later than 2 s after the worker's own TERM ended the worker at once, undrained,
        // 143: "SIGTERM received again: exiting now without draining".
        olderJavaStopToBothJvmsDrainsOnce(launcher -> {
            launcher.signal("STOP");
            launcher.terminateProcessGroup();
            launcher.stderr().awaitLine("SIGTERM received: draining", START);
            // The launcher held stopped past the 2 s the worker used to allow its copy (the delay under test), the
            // worker draining all along.
            ProcessHandle worker = launcher.descendants().getFirst();
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(START).until(() -> worker.isAlive()
                    && !launcher.stderr().text().contains("received again"));
            launcher.signal("CONT");
        }, "SIGTERM received: draining", "SIGTERM again: behind the launcher a stop sent to both JVMs");
    }

    @Test
    @DisplayName("behind the launcher a TERM to both JVMs that reaches a starved worker as one TERM drains it once, "
            + "and the launcher exits with its status, 0")
    void olderJavaTermToBothJvmsThatReachesTheWorkerAsOneDrainsOnce() throws Exception {
        // The worker held stopped while both TERMs come: the kernel keeps one of them. The test above waited for
        // the worker to say it got two, and so failed here.
        olderJavaStopToBothJvmsDrainsOnce(launcher -> {
            ProcessHandle worker = launcher.descendants().getFirst();
            JobqProcess.signal(worker, "STOP");
            Path stopsPassedOn = stopsPassedOn(worker);
            launcher.terminateProcessGroup();
            // The launcher counts the stop it passes on, then sends it at once: the worker's own TERM is pending by
            // then, so the launcher's joins it (were it a moment later, the drain-once assertions hold all the same).
            Awaitility.await().atMost(START).until(() -> Files.size(stopsPassedOn) >= 1);
            JobqProcess.signal(worker, "CONT");
        }, "SIGTERM received: draining", null);
    }

    /**
     * Starts jobq with an older java (the launcher runs it again with JAVA_HOME's) and two gated jobs running,
     * {@code stop}s the launcher's process group, and checks the worker took the signals it got as one request,
     * saying {@code drainLine} and then {@code pairLine} (where not null): it drains, the jobs complete, and the
     * launcher exits 0.
     */
    private void olderJavaStopToBothJvmsDrainsOnce(Consumer<JobqProcess> stop, String drainLine,
            @Nullable String pairLine) throws Exception {
        Path old = JobqProcess.olderJava();
        try (JobqProcess launcher = JobqProcess.jar().java(old).inProcessGroupOfItsOwn().directory(dir)
                .env(Gate.DIR_ENV, gates.dir()).env("JAVA_HOME", System.getProperty("java.home"))
                .args("run", "--config", config(2, "finish", 2, "30s").toString(), "--handlers", handlers.toString())
                .start()) {
            launcher.stderr().await(l -> l.contains("gated work started"), 2, START, "saying 'gated work started'");
            assertThat(launcher.descendants()).as("the JVM the launcher started").hasSize(1);

            stop.accept(launcher);
            launcher.stderr().awaitLine(drainLine, START);
            if (pairLine != null) {
                launcher.stderr().awaitLine(pairLine, START);
            }
            gates.open("finish");

            assertThat(launcher.awaitExit(EXIT)).as("the launcher's status: the drained worker's").isZero();
            assertThat(launcher.stderr().text()).containsPattern("SIG(INT|TERM) received: draining")
                    .doesNotContain("received again");
            assertThat(outcomes(launcher, "completed")).hasSize(2);
            assertThat(launcher.stdout().text()).endsWith("jobq run: stopped");
        }
    }

    @Test
    @DisplayName("java older than 21 with no JAVA_HOME says which java it is and how to run with a newer one")
    void olderJavaWithoutJavaHomeSaysWhatToDo() {
        Path old = JobqProcess.olderJava();
        JobqProcess.Finished version = JobqProcess.jar().java(old).directory(dir).withoutEnv("JAVA_HOME")
                .args("--version").run(EXIT);
        assertThat(version.exitCode()).isEqualTo(2);
        assertThat(version.err()).startsWith("jobq needs Java 21 or newer; this java is ")
                .endsWith("and JAVA_HOME is not set. Set JAVA_HOME to a JDK 21+ or put its bin first on PATH, and run again.");
        assertThat(version.out()).isEmpty();
    }

    /** The file in which the launcher counts the stops it passes on to {@code worker} (a byte each, before the TERM). */
    private static Path stopsPassedOn(ProcessHandle worker) {
        String option = "-Djobq.launcher.stopsPassedOn=";
        return Path.of(Arrays.stream(worker.info().arguments().orElseThrow())
                .filter(argument -> argument.startsWith(option)).findFirst().orElseThrow()
                .substring(option.length()));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line contains '" + text + "':\n" + String.join("\n", lines));
    }
}

package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.process.handlers.RecordModule;
import dev.jobq.cli.process.handlers.RunLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler in {@code jobq run} processes: jobs scheduled and recurring jobs registered with
 * the {@code jobq schedule} and {@code jobq recurring} commands (child processes too) are kept in a
 * real PostgreSQL ({@link Postgres}, a database per test), fired by the workers' schedulers onto
 * an SQS queue ({@link LocalSqsServer}) and run there. Runs are read from the workers' journals.
 */
class SchedulerProcessIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static final String NO_WORK = "{}";

    @RegisterExtension
    static final LocalSqsServer SQS = new LocalSqsServer();

    private static Postgres postgres;

    @TempDir
    Path dir;

    private Path handlers;
    private RunJournal journal;
    private SqsQueue queue;
    private Path config;

    @BeforeAll
    static void startPostgres() {
        postgres = Postgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void queueDatabaseAndHandlers() {
        queue = SqsQueue.create(SQS.get(), "scheduled");
        handlers = TestHandlers.directoryIn(dir);
        journal = new RunJournal(dir);
        // pollInterval 1s: rows written by other processes (the commands) are seen within a second
        config = queue.config().provider("visibilityTimeout", "30s").worker("concurrency", 4)
                .scheduler("enabled", true).scheduler("pollInterval", "1s")
                .scheduler("jdbcUrl", postgres.newDatabase()).scheduler("username", Postgres.USER)
                .writeTo(dir.resolve("jobq.yaml"));
    }

    private JobqProcess worker(String name) {
        return JobqProcess.jar().directory(dir).env(RunLog.FILE_ENV, journal.fileFor(name).toString())
                .args("run", "--config", config.toString(), "--handlers", handlers.toString()).start();
    }

    /** {@code jobq ARGS --config jobq.yaml} as a process of its own; fails the test unless it exits 0. */
    private String jobq(String... args) {
        var finished = JobqProcess.jar().directory(dir)
                .args(Stream.concat(Stream.of(args), Stream.of("--config", config.toString())).toArray(String[]::new))
                .run(COMMAND);
        assertThat(finished.exitCode()).as("jobq %s exit status; stderr:%n%s", String.join(" ", args), finished.err())
                .isZero();
        return finished.out();
    }

    @Test
    @DisplayName("a job from 'jobq schedule add' runs at its instant, and a recurring job from 'jobq recurring add' "
            + "is fired by a running worker's scheduler; the list commands show them")
    void commandLineJobsRunOnTheWorkersScheduler() {
        // scheduled before any worker runs, so that nothing can fire it before it is listed
        Instant at = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
        String onceId = jobq("schedule", "add", RecordModule.TYPE, "--at", at.toString(), "--payload", NO_WORK).strip();
        assertThat(jobq("schedule", "list")).contains(onceId + "  test:record  default  " + at + "  SCHEDULED");

        try (JobqProcess worker = worker("w")) {
            assertThat(worker.stdout().awaitLine("jobq run: working", START))
                    .endsWith("; the scheduler fires due jobs here");
            // registered by another process while the worker runs: its scheduler sees the row within its pollInterval
            assertThat(jobq("recurring", "add", "tick", RecordModule.TYPE, "--schedule", "every 2 seconds",
                    "--payload", NO_WORK)).startsWith("registered tick; next run 20");

            journal.awaitJobs(List.of(onceId), START);
            assertThat(journal.of(onceId)).singleElement().satisfies(run ->
                    assertThat(run.finishedAt()).as("never before its instant").isAfterOrEqualTo(at));
            journal.awaitJobCount(3, START);
            assertThat(jobq("recurring", "list")).as("next and last run are set")
                    .containsPattern("(?m)^tick\\s+test:record\\s+\\S+\\s+every 2 seconds\\s+\\S+\\s+true\\s+20\\S+\\s+20\\S+");

            worker.terminate();
            assertThat(worker.awaitExit(EXIT)).isZero();
        }
        var byJob = journal.byJob();
        System.out.printf("MEASURE scheduler: the one-time job finished %d ms after its instant; %d occurrences of "
                + "'tick' ran; duplicates %d%n", Duration.between(at, journal.of(onceId).getFirst().finishedAt())
                .toMillis(), byJob.size() - 1, RunJournal.duplicates(byJob));
        assertThat(byJob.size()).as("the one-time job and at least two occurrences").isGreaterThanOrEqualTo(3);
        assertThat(RunJournal.duplicates(byJob)).isZero();
    }

    @Test
    @DisplayName("two workers' schedulers on one PostgreSQL enqueue each occurrence of a recurring job once")
    void twoSchedulersEnqueueEachOccurrenceOnce() {
        try (JobqProcess a = worker("a"); JobqProcess b = worker("b")) {
            a.stdout().awaitLine("jobq run: working", START);
            b.stdout().awaitLine("jobq run: working", START);

            jobq("recurring", "add", "pulse", RecordModule.TYPE, "--schedule", "every 1 second", "--payload", NO_WORK);
            journal.awaitJobCount(8, Duration.ofSeconds(90));
            assertThat(jobq("recurring", "disable", "pulse").strip()).isEqualTo("disabled pulse");
            // occurrences handed on before the disable are run too before anything is counted
            queue.awaitEmpty(START);
            assertThat(JobqProcess.terminateAll(EXIT, a, b)).containsExactly(0, 0);
        }
        var byJob = journal.byJob();
        System.out.printf("MEASURE two schedulers: %d occurrences of 'pulse' ran (a %d, b %d); run more than once: %d%n",
                byJob.size(), journal.count("a"), journal.count("b"), RunJournal.duplicates(byJob));
        // an occurrence's job id is the same whichever scheduler fires it, so a double enqueue would run twice
        assertThat(byJob).hasSizeGreaterThanOrEqualTo(8)
                .allSatisfy((occurrence, runs) -> assertThat(runs).as("runs of occurrence " + occurrence).hasSize(1));
    }

    @Test
    @DisplayName("two workers' schedulers on one PostgreSQL, one killed with SIGKILL while it fires every second: "
            + "the other fires every later occurrence, none skipped, none run twice")
    void aSchedulerKilledMidFireSkipsNoOccurrence() {
        Instant first;
        List<String> occurrences;
        try (JobqProcess a = worker("a")) {
            a.stdout().awaitLine("jobq run: working", START);
            String registered = jobq("recurring", "add", "beat", RecordModule.TYPE, "--schedule", "every 1 second",
                    "--payload", NO_WORK).strip();
            first = Instant.parse(registered.substring(registered.lastIndexOf(' ') + 1));
            // a alone fires the first occurrences, and is firing one every second when it is killed
            journal.awaitJobCount(2, Duration.ofSeconds(90));
            try (JobqProcess b = worker("b")) {
                b.stdout().awaitLine("jobq run: working", START);
                a.kill();
                assertThat(a.awaitExit(EXIT)).isEqualTo(137);
                // an occurrence is due every second: from the kill on, the survivor fires them all
                occurrences = IntStream.range(0, (int) Duration.between(first, Instant.now()).toSeconds() + 6)
                        .mapToObj(s -> occurrenceId("beat", first.plusSeconds(s))).toList();
                journal.awaitJobs(occurrences, Duration.ofSeconds(90));
                assertThat(jobq("recurring", "disable", "beat").strip()).isEqualTo("disabled beat");
                queue.awaitEmpty(START);
                b.terminate();
                assertThat(b.awaitExit(EXIT)).isZero();
            }
        }
        var byJob = journal.byJob();
        System.out.printf("MEASURE scheduler killed mid-fire: %d occurrences of 'beat' ran (a %d, b %d); run more than "
                + "once: %d%n", byJob.size(), journal.count("a"), journal.count("b"), RunJournal.duplicates(byJob));
        assertThat(occurrences).allSatisfy(id -> assertThat(byJob).as("occurrence %s ran", id).containsKey(id));
        // At most two run twice, each across the kill: one a handed on but had not committed, handed on
        // again by b under the same id, which an SQS standard queue holds twice (docs/scheduler.md), and
        // one a ran but had not acknowledged, delivered again after its visibility timeout.
        assertThat(RunJournal.duplicates(byJob)).as("occurrences run twice").isLessThanOrEqualTo(2);
    }

    /** The job id of an occurrence, as every scheduler computes it (docs/scheduler.md). */
    private static String occurrenceId(String name, Instant occurrence) {
        return UUID.nameUUIDFromBytes(("jobq:recurring:" + name + "@" + occurrence).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}

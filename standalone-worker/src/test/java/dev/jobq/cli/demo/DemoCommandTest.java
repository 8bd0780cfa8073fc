package dev.jobq.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.cli.CommandRun;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs {@code jobq demo} in process on the real memory provider and reads its summary. */
class DemoCommandTest {

    private static final int PLAIN = 50;
    private static final int FIXED_MIX = DemoPlan.FLAKY_JOBS + DemoPlan.FAILING_JOBS + DemoPlan.DELAYED_JOBS
            + DemoPlan.SCHEDULED_JOBS + DemoPlan.HIGH_PRIORITY_JOBS;
    private static final int COMPLETING = PLAIN + DemoPlan.FLAKY_JOBS + DemoPlan.DELAYED_JOBS
            + DemoPlan.SCHEDULED_JOBS + DemoPlan.HIGH_PRIORITY_JOBS;

    @Test
    void everyJobEndsAsPlannedAndTheSummarySaysSo() {
        var run = CommandRun.of("demo", "--jobs", String.valueOf(PLAIN));

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
        String out = run.out();
        assertThat(row(out, "enqueued")).isEqualTo(COMPLETING + DemoPlan.FAILING_JOBS);
        assertThat(row(out, "completed")).isEqualTo(COMPLETING);
        assertThat(row(out, "dead")).isEqualTo(DemoPlan.FAILING_JOBS);
        assertThat(row(out, "retried")).isEqualTo(DemoPlan.FLAKY_JOBS * DemoPlan.FLAKY_FAILURES
                + DemoPlan.FAILING_JOBS * (DemoPlan.MAX_ATTEMPTS - 1));
        assertThat(out).containsPattern("flaky:call\\s+failed 2×, completed on attempt 3");
        assertThat(count(out, "flaky:call\\s+failed 2×, completed on attempt 3")).isEqualTo(DemoPlan.FLAKY_JOBS);
        assertThat(out).containsPattern("always:fails\\s+after 3 attempts: .*printer-1 is on fire");
        assertThat(out).containsPattern("always:fails\\s+after 3 attempts: .*printer-2 is on fire");
        assertThat(out).contains("OK: every job ended as planned: " + COMPLETING + " completed, 2 dead");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void runsAScheduledAndARecurringJobThroughTheJdbcSchedulerOnH2() {
        var run = CommandRun.of("demo", "--jobs", "10");

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
        String out = run.out();
        assertThat(out).contains("scheduled and recurring jobs wait in the H2 database "
                + DemoCommand.DATABASE.toAbsolutePath() + ".mv.db");
        assertThat(row(out, "scheduled")).isEqualTo(DemoPlan.SCHEDULED_JOBS);
        assertThat(out).containsPattern("scheduled\\s+1  job held in the scheduler's database, due 2 s after it was "
                + "scheduled, started \\d+ ms after it was due");
        assertThat(row(out, "recurring")).isGreaterThanOrEqualTo(DemoPlan.RECURRING_RUNS);
        assertThat(out).containsPattern("recurring\\s+\\d+  runs of demo-heartbeat \\(every 1 second\\), each "
                + "occurrence once");
        assertThat(java.nio.file.Files.exists(Path.of(DemoCommand.DATABASE + ".mv.db"))).isTrue();
    }

    @Test
    void showsProgressWhileItRuns() {
        var run = CommandRun.of("demo", "--jobs", "20", "--concurrency", "2");

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.err()).isZero();
        int total = 20 + FIXED_MIX;
        // The last progress line is printed once all jobs are final, so it always shows the totals.
        assertThat(run.out()).containsPattern("completed\\s+" + (total - DemoPlan.FAILING_JOBS) + "/" + total
                + " · retried\\s+10 · dead\\s+2 · running\\s+0 · waiting\\s+0");
    }

    @Test
    void aSecondDemoBesideOneStillRunningSaysToWaitForItOrRunFromAnotherDirectory() throws IOException {
        Path database = Path.of(DemoCommand.DATABASE + ".mv.db");
        Files.createDirectories(database.getParent());
        // The lock a demo running in another JVM holds; H2 meets it as it meets a second process's.
        try (FileChannel file = FileChannel.open(database, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = file.lock()) {
            var run = CommandRun.of("demo", "--jobs", "1");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            // the scheduler's advice (point the scheduler at another file, AUTO_SERVER=TRUE in the URL) is for a
            // config file, which the demo has none of
            assertThat(run.err()).isEqualTo("jobq demo: another process has the demo's H2 database "
                    + database.toAbsolutePath() + " open, most likely a jobq demo still running: wait for it to end, "
                    + "or run jobq demo from another directory, which keeps its own ./data/jobq-demo"
                    + System.lineSeparator());
        }
    }

    @Test
    void aFileNamedDataWhereTheDemoKeepsItsDatabaseIsToldToBeMovedOrTheDemoRunFromAnotherDirectory()
            throws IOException {
        Path data = DemoCommand.DATABASE.getParent();
        Path aside = Path.of(data + "-aside-" + UUID.randomUUID());
        if (Files.exists(data)) {
            Files.move(data, aside);
        }
        try {
            Files.writeString(data, "notes");
            var run = CommandRun.of("demo", "--jobs", "1");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            // the scheduler's advice (check the path in scheduler.jdbcUrl) names a key the demo user never set
            assertThat(run.err()).startsWith("jobq demo: cannot create the demo's H2 database "
                    + DemoCommand.DATABASE.toAbsolutePath() + ".mv.db: ")
                    .endsWith(": ./data must be a directory jobq demo can write in; move or remove what is there, or "
                            + "run jobq demo from another directory" + System.lineSeparator())
                    .doesNotContain("scheduler.jdbcUrl");
        } finally {
            Files.deleteIfExists(data);
            if (Files.exists(aside)) {
                Files.move(aside, data);
            }
        }
    }

    private static long row(String out, String label) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + "\\s+(\\d+)").matcher(out);
        assertThat(m.find()).as("row '%s' in:%n%s", label, out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long count(String out, String regex) {
        return Pattern.compile(regex).matcher(out).results().count();
    }

    @Test
    void aFailureWhoseCausesLoopIsSearchedAtOnce() {
        var outer = new IllegalStateException("scheduler failed to start");
        var inner = new RuntimeException("pool failed", outer);
        outer.initCause(inner);

        // Before, the search for H2's "already in use" walked a loop of two for ever, and jobq demo never ended.
        Throwable found = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> DemoCommand.cause(outer, SQLException.class::isInstance));

        assertThat(found).isNull();
        assertThat(DemoCommand.cause(outer, t -> "pool failed".equals(t.getMessage()))).isSameAs(inner);
    }
}

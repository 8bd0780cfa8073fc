package dev.jobq.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.MisfirePolicy;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.ListScheduler;
import dev.jobq.cli.SharedQueue;
import dev.jobq.cli.context.QueueOpener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobq schedule} and {@code jobq recurring} through {@code JobQueue.scheduler()}, on a
 * scheduler that keeps lists; against scheduler-jdbc in the process-level tests of phase 2.
 */
class SchedulerCommandsTest {

    @TempDir
    Path dir;

    private final AtomicReference<ListScheduler> scheduler = new AtomicReference<>();
    private SharedQueue shared;

    @BeforeEach
    void queueWithScheduler() {
        shared = new SharedQueue(JobQueue.builder().provider("memory").environment(Map.of())
                .scheduler(context -> {
                    var listing = new ListScheduler(context.clock());
                    scheduler.set(listing);
                    return listing;
                })
                .build(), dir);
    }

    @AfterEach
    void close() {
        shared.close();
    }

    @Test
    void scheduleAddListCancel() {
        var added = shared.run("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload",
                "{\"id\":7}", "--max-attempts", "2");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        assertThat(scheduler.get().payloadOf(id)).isEqualTo("{\"id\":7}");

        var list = shared.run("schedule", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).startsWith("ID").contains(id + "  report:send  default  2031-12-25T09:00:00Z  SCHEDULED");

        var cancelled = shared.run("schedule", "cancel", id);
        assertThat(cancelled.exitCode()).isZero();
        assertThat(cancelled.out()).isEqualTo("cancelled " + id + System.lineSeparator());
        assertThat(shared.run("schedule", "list").out()).doesNotContain(id);

        var again = shared.run("schedule", "cancel", id);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("jobq schedule cancel: no scheduled job '" + id + "' is waiting");
    }

    @Test
    void scheduleAddNeedsAnInstant() {
        var run = shared.run("schedule", "add", "t", "--payload", "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--at=INSTANT'");
    }

    @Test
    void recurringAddListEnableDisableDelete() {
        var added = shared.run("recurring", "add", "daily-digest", "email:digest", "--schedule", "0 9 * * *",
                "--timezone", "America/New_York", "--payload", "{\"kind\":\"daily\"}", "--misfire", "skip");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("registered daily-digest");
        var info = scheduler.get().getRecurring("daily-digest").orElseThrow();
        assertThat(info.timezone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(info.misfirePolicy()).isEqualTo(MisfirePolicy.SKIP);
        assertThat(scheduler.get().payloadOf("daily-digest")).isEqualTo("{\"kind\":\"daily\"}");

        assertThat(shared.run("recurring", "list").out())
                .containsPattern("daily-digest\\s+email:digest\\s+0 9 \\* \\* \\*\\s+America/New_York\\s+true");

        assertThat(shared.run("recurring", "disable", "daily-digest").out()).startsWith("disabled daily-digest");
        assertThat(scheduler.get().getRecurring("daily-digest").orElseThrow().enabled()).isFalse();
        assertThat(shared.run("recurring", "enable", "daily-digest").out()).startsWith("enabled daily-digest");
        assertThat(scheduler.get().getRecurring("daily-digest").orElseThrow().enabled()).isTrue();
        assertThat(shared.run("recurring", "delete", "daily-digest").out()).startsWith("deleted daily-digest");
        assertThat(scheduler.get().listRecurring()).isEmpty();
    }

    @Test
    void unknownRecurringNameFailsWithExitOne() {
        var run = shared.run("recurring", "disable", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("jobq recurring disable: no recurring job is named 'nope'");
    }

    @Test
    void scheduleTheSchedulerRejectsIsAUsageError() {
        var run = shared.run("recurring", "add", "x", "t", "--schedule", "0 9 *");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq recurring add: recurring job 'x': schedule '0 9 *' is neither");
    }

    @Test
    void unknownTimezoneAndMisfirePolicyAreUsageErrors() {
        var zone = shared.run("recurring", "add", "x", "t", "--schedule", "@daily", "--timezone", "Mars/Olympus");
        assertThat(zone.exitCode()).isEqualTo(2);
        assertThat(zone.err()).contains("Invalid value for option '--timezone': 'Mars/Olympus' is not a time zone");

        var misfire = shared.run("recurring", "add", "x", "t", "--schedule", "@daily", "--misfire", "later");
        assertThat(misfire.exitCode()).isEqualTo(2);
        assertThat(misfire.err()).contains("Invalid value for option '--misfire'").contains("FIRE_ONCE, SKIP, FIRE_ALL");
    }

    @Test
    void withoutASchedulerTheCommandsSayHowToConfigureOne() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.yaml"), "provider: { type: memory }\n");

        for (String[] args : new String[][] {{"schedule", "list"}, {"recurring", "list"}}) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    args[0], args[1], "--config", file.toString());

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("no scheduler is configured in " + file + "; add a 'scheduler:' section")
                    .contains("dev.jobq:scheduler-jdbc");
        }
    }
}

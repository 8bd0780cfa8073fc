package dev.jobq.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.CommandRun;
import dev.jobq.cli.UnreachableSqs;
import dev.jobq.localsqs.LocalSqs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code jobq schedule} and {@code jobq recurring} on the real JDBC scheduler: an H2 file in the
 * test's directory, each command building its queue from the config file and closing it, as
 * separate {@code jobq} invocations do. What a command wrote is read back by the next command and,
 * where no command shows it (payloads), from the database itself. Firing is tested with child
 * processes on PostgreSQL ({@code SchedulerProcessIT}).
 */
class SchedulerCommandsTest {

    @TempDir
    Path dir;

    private Path config;
    private String jdbcUrl;

    @BeforeEach
    void h2Scheduler() throws Exception {
        jdbcUrl = "jdbc:h2:file:" + dir.resolve("jobq").toAbsolutePath();
        config = Files.writeString(dir.resolve("jobq.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: %s
                """.formatted(jdbcUrl));
    }

    private CommandRun jobq(String... args) {
        return CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--config", config.toString()))
                .toArray(String[]::new));
    }

    /** A config whose scheduler's database is out of reach: PostgreSQL at a port where nothing listens. */
    private Path databaseDown() throws IOException {
        return Files.writeString(dir.resolve("db-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                  connectionTimeout: 1s
                """);
    }

    /**
     * A job for an instant to come goes to the scheduler's database, which outlives the command and which a worker's
     * scheduler fires from: the note that the memory queue "lives only in this command's process" was printed all
     * the same. A job for now still goes to the command's own memory queue, and is told so.
     */
    @Test
    void aJobForAnInstantToComeIsNotToldItLivesOnlyInTheCommandsProcess() {
        var later = jobq("enqueue", "t", "--at", "2031-12-25T09:00:00Z");
        var now = jobq("enqueue", "t");

        assertThat(later.exitCode()).as(later.err()).isZero();
        assertThat(later.err()).doesNotContain("memory queue");
        assertThat(now.exitCode()).as(now.err()).isZero();
        assertThat(now.err()).contains("jobq enqueue: note: queue 'default' is a memory queue (type: memory): it lives "
                + "only in this command's process and ends with it");
    }

    /** One value from the scheduler's database (which the commands have closed again). */
    private String query(String sql, String key) throws SQLException {
        try (var connection = DriverManager.getConnection(jdbcUrl); var statement = connection.prepareStatement(sql)) {
            statement.setString(1, key);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).as("a row for " + key).isTrue();
                return rows.getString(1);
            }
        }
    }

    @Test
    @DisplayName("with SQS out of reach, schedule and recurring list, cancel, disable and delete work from the database alone")
    void storeCommandsWorkWhileTheProviderIsOutOfReach() throws Exception {
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload", "{}");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        var registered = jobq("recurring", "add", "nightly", "report:build", "--schedule", "0 3 * * *");
        assertThat(registered.exitCode()).as(registered.err()).isZero();
        // The same database, the queue on an SQS endpoint where nothing listens (the outage).
        Path sqsDown = Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                scheduler:
                  enabled: false
                  jdbcUrl: %s
                """.formatted(UnreachableSqs.keys(2), jdbcUrl));
        Function<String[], CommandRun> down = args -> CommandRun.of(Stream.concat(Arrays.stream(args),
                Stream.of("--config", sqsDown.toString())).toArray(String[]::new));

        var scheduled = down.apply(new String[] {"schedule", "list"});
        assertThat(scheduled.exitCode()).as(scheduled.err()).isZero();
        assertThat(scheduled.out()).contains(id + "  report:send  default  2031-12-25T09:00:00Z  SCHEDULED");
        var recurring = down.apply(new String[] {"recurring", "list"});
        assertThat(recurring.exitCode()).as(recurring.err()).isZero();
        assertThat(recurring.out()).contains("nightly  report:build  default  0 3 * * *");
        var disabled = down.apply(new String[] {"recurring", "disable", "nightly"});
        assertThat(disabled.exitCode()).as(disabled.err()).isZero();
        assertThat(query("SELECT enabled FROM jobq_recurring_job WHERE name = ?", "nightly")).isEqualTo("FALSE");
        var cancelled = down.apply(new String[] {"schedule", "cancel", id});
        assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
        assertThat(query("SELECT status FROM jobq_scheduled_job WHERE id = ?", id)).isEqualTo("CANCELLED");
        var deleted = down.apply(new String[] {"recurring", "delete", "nightly"});
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();

        // Adding checks the job against its queue, and so still needs the provider.
        var addWhileDown = down.apply(new String[] {"schedule", "add", "report:send", "--at", "2031-12-26T09:00:00Z",
                "--payload", "{}"});
        assertThat(addWhileDown.exitCode()).isEqualTo(1);
    }

    /**
     * A job goes to one queue: enqueue, schedule add and recurring add opened every queue of the file, so another
     * queue's SQS out of reach failed them (exit 1, naming that queue) though the job's own queue answered.
     */
    @Test
    @DisplayName("enqueue, schedule add and recurring add work while another queue's provider is out of reach, and "
            + "fail naming the queue and its endpoint when it is the job's own")
    void jobCommandsWorkWhileAnotherQueuesProviderIsOutOfReach() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0)) {
            String url = sqs.createQueue("up", Map.of());
            Path oneDown = Files.writeString(dir.resolve("one-down.yaml"), """
                    provider:
                      type: sqs
                      region: us-east-1
                      endpoint: %s
                      accessKeyId: test
                      secretAccessKey: test
                      queueUrl: %s
                      deadLetter: discard
                    queues:
                      gone:
                    %s
                    scheduler:
                      enabled: false
                      jdbcUrl: %s
                    """.formatted(sqs.endpoint(), url, UnreachableSqs.keys(4), jdbcUrl));
            Function<String[], CommandRun> jobq = args -> CommandRun.of(Stream.concat(Arrays.stream(args),
                    Stream.of("--config", oneDown.toString())).toArray(String[]::new));

            var enqueued = jobq.apply(new String[] {"enqueue", "a:b"});
            assertThat(enqueued.exitCode()).as(enqueued.err()).isZero();
            assertThat(sqs.client().getQueueAttributes(r -> r.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes())
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "1");
            var scheduled = jobq.apply(new String[] {"schedule", "add", "a:b", "--at", "2031-12-25T09:00:00Z"});
            assertThat(scheduled.exitCode()).as(scheduled.err()).isZero();
            assertThat(query("SELECT queue FROM jobq_scheduled_job WHERE id = ?", scheduled.out().strip()))
                    .isEqualTo("default");
            var registered = jobq.apply(new String[] {"recurring", "add", "nightly", "a:b", "--schedule", "0 3 * * *"});
            assertThat(registered.exitCode()).as(registered.err()).isZero();
            assertThat(registered.out()).startsWith("registered nightly; next run ");

            for (String[] args : List.of(new String[] {"enqueue", "a:b", "--queue", "gone"},
                    new String[] {"schedule", "add", "a:b", "--at", "2031-12-25T09:00:00Z", "--queue", "gone"},
                    new String[] {"recurring", "add", "other", "a:b", "--schedule", "0 3 * * *", "--queue", "gone"})) {
                var down = jobq.apply(args);
                assertThat(down.exitCode()).as(down.err()).isEqualTo(1);
                assertThat(down.err()).as(String.join(" ", args)).contains("jobq queue 'gone'")
                        .contains("http://127.0.0.1:1/");
            }
        }
    }

    @Test
    @DisplayName("schedule list says on stderr when --limit left waiting jobs out, and not when it did not")
    void scheduleListSaysWhenTheLimitLeftJobsOut() {
        for (int day = 1; day <= 3; day++) {
            var added = jobq("schedule", "add", "report:send", "--at", "2031-12-0" + day + "T09:00:00Z", "--payload", "{}");
            assertThat(added.exitCode()).as(added.err()).isZero();
        }

        var cut = jobq("schedule", "list", "--limit", "2");
        assertThat(cut.exitCode()).as(cut.err()).isZero();
        assertThat(cut.out().lines()).hasSize(3).last().asString().contains("2031-12-02T09:00:00Z");
        // Before, 2 of 3 rows looked like all of them.
        assertThat(cut.err()).isEqualTo("jobq schedule list: showing the first 2 waiting jobs; there are more "
                + "(--limit N lists up to N)" + System.lineSeparator());

        var all = jobq("schedule", "list", "--limit", "3");
        assertThat(all.out().lines()).hasSize(4);
        assertThat(all.err()).isEmpty();

        // Before: "showing the first 1 waiting jobs".
        var one = jobq("schedule", "list", "--limit", "1");
        assertThat(one.out().lines()).hasSize(2);
        assertThat(one.err()).isEqualTo("jobq schedule list: showing only the first of the waiting jobs; there are more "
                + "(--limit N lists up to N)" + System.lineSeparator());
    }

    /**
     * Columns were padded to the longest cell's count of Java chars: a CJK character takes two columns of a terminal,
     * a combining accent none, so a row with either had the rest of its cells out of line with the header's.
     */
    @Test
    @DisplayName("schedule list keeps its columns in line on a terminal when a job type has wide or combining "
            + "characters")
    void listColumnsStayInLineWithWideAndCombiningCharacters() {
        // each 4 columns wide on a terminal, as the header's TYPE: 2 CJK characters; 'cafe' with a combining accent
        for (String type : List.of("报告", "cafe\u0301", "abcd")) {
            var added = jobq("schedule", "add", type, "--at", "2031-12-25T09:00:00Z");
            assertThat(added.exitCode()).as(added.err()).isZero();
        }

        var list = jobq("schedule", "list");

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("(?m)^ID +TYPE  QUEUE  ")
                .containsPattern("(?m)^\\S+  报告  default  ")
                .containsPattern("(?m)^\\S+  cafe\u0301  default  ")
                .containsPattern("(?m)^\\S+  abcd  default  ");
    }

    /**
     * Table counted two columns only for the emoji of U+1F300–1F64F and U+1F900–1F9FF (wcwidth of 2007): a rocket
     * (U+1F680), a check mark (U+2705) or an hourglass (U+231B), each shown in two columns by a terminal since Unicode 9
     * made them wide, put the rest of their row one column left per emoji.
     */
    @Test
    @DisplayName("schedule list keeps its columns in line when a job type has emoji outside the 2007 wcwidth ranges")
    void listColumnsStayInLineWithEmoji() {
        // each 4 columns wide on a terminal, as the header's TYPE
        for (String type : List.of("\uD83D\uDE80\u2705", "\u231B\uD83E\uDEE0", "abcd")) {
            var added = jobq("schedule", "add", type, "--at", "2031-12-25T09:00:00Z");
            assertThat(added.exitCode()).as(added.err()).isZero();
        }

        var list = jobq("schedule", "list");

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("(?m)^ID +TYPE  QUEUE  ")
                .containsPattern("(?m)^\\S+  \uD83D\uDE80\u2705  default  ")
                .containsPattern("(?m)^\\S+  \u231B\uD83E\uDEE0  default  ")
                .containsPattern("(?m)^\\S+  abcd  default  ");
    }

    @Test
    @DisplayName("schedule add stores the job with its payload and options; list shows it; cancel takes it out once")
    void scheduleAddListCancel() throws Exception {
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload",
                "{\"id\":7}", "--max-attempts", "2");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        assertThat(query("SELECT payload FROM jobq_scheduled_job WHERE id = ?", id)).isEqualTo("{\"id\":7}");
        assertThat(query("SELECT options FROM jobq_scheduled_job WHERE id = ?", id)).contains("\"maxAttempts\":2");

        var list = jobq("schedule", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("ID").contains(id + "  report:send  default  2031-12-25T09:00:00Z  SCHEDULED  -");

        var cancelled = jobq("schedule", "cancel", id);
        assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
        assertThat(cancelled.out()).isEqualTo("cancelled " + id + System.lineSeparator());
        assertThat(jobq("schedule", "list").out()).doesNotContain(id);
        assertThat(query("SELECT status FROM jobq_scheduled_job WHERE id = ?", id)).isEqualTo("CANCELLED");

        var again = jobq("schedule", "cancel", id);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("jobq schedule cancel: scheduled job '" + id + "' was already cancelled");
    }

    @Test
    @DisplayName("schedule add without --payload stores a null payload, as enqueue and recurring add do")
    void scheduleAddWithoutPayloadStoresNull() throws Exception {
        var added = jobq("schedule", "add", "cache:flush", "--at", "2031-12-25T09:00:00Z");

        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(query("SELECT payload FROM jobq_scheduled_job WHERE id = ?", added.out().strip())).isEqualTo("null");
    }

    @Test
    @DisplayName("schedule list shows why a due job is still waiting: the error of its last hand-off")
    void scheduleListShowsTheHandOffError() throws Exception {
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload", "{}");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        // What a scheduler writes when its queue rejects the job (here: the provider's payload limit lowered since the
        // job was stored). A queue the process does not have writes nothing: the row is left to the processes that
        // have the queue, and the listing's QUEUE column is what shows it.
        String error = "JobRejectedException: payload of job type 'report:send' is 300000 bytes, over the 262144-byte "
                + "limit of provider 'sqs' of queue 'default'";
        try (var connection = DriverManager.getConnection(jdbcUrl);
             var statement = connection.prepareStatement("UPDATE jobq_scheduled_job SET error = ? WHERE id = ?")) {
            statement.setString(1, error);
            statement.setString(2, id);
            assertThat(statement.executeUpdate()).isOne();
        }

        var list = jobq("schedule", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow()).endsWith("STATUS     ERROR");
        assertThat(list.out()).contains(id + "  report:send  default  2031-12-25T09:00:00Z  SCHEDULED  " + error);
    }

    @Test
    @DisplayName("schedule list and recurring list show a hand-off's error with the secrets of the URLs in it masked, "
            + "as /health shows the scheduler's problems")
    void listsShowTheSecretsOfUrlsInAnErrorMasked() throws Exception {
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload", "{}");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        assertThat(jobq("recurring", "add", "nightly", "report:build", "--schedule", "0 3 * * *").exitCode()).isZero();
        // What a scheduler writes when the provider's send fails, worded as a provider, a driver or an SDK may
        // word it: with the URL it was given (the scheduler stores the exception's message as it is).
        String error = "IllegalStateException: cannot reach postgresql://jobs:S3CRET-pw@db.internal:5432/queue"
                + "?sslmode=require&password=S3CRET-param (Connection refused)";
        try (var connection = DriverManager.getConnection(jdbcUrl);
             var scheduled = connection.prepareStatement("UPDATE jobq_scheduled_job SET error = ? WHERE id = ?");
             var recurring = connection.prepareStatement("UPDATE jobq_recurring_job SET last_error = ? WHERE name = ?")) {
            scheduled.setString(1, error);
            scheduled.setString(2, id);
            assertThat(scheduled.executeUpdate()).isOne();
            recurring.setString(1, error);
            recurring.setString(2, "nightly");
            assertThat(recurring.executeUpdate()).isOne();
        }

        for (String list : new String[] {"schedule", "recurring"}) {
            var run = jobq(list, "list");
            assertThat(run.exitCode()).as(run.err()).isZero();
            // Before, each secret as it is: '… postgresql://jobs:S3CRET-pw@db.internal:5432/queue?…'
            assertThat(run.out()).as(list).doesNotContain("S3CRET").contains("IllegalStateException: cannot reach "
                    + "postgresql://jobs:****@db.internal:5432/queue?sslmode=require&password=**** (Connection refused)");
        }
    }

    @Test
    @DisplayName("schedule cancel of a job already handed on, or of an unknown id, says which")
    void cancelTooLateOrUnknownSaysWhich() throws Exception {
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload", "{}");
        assertThat(added.exitCode()).as(added.err()).isZero();
        String id = added.out().strip();
        // What the firing transaction does when it hands the job to its queue (JdbcSchedulerContract fires for real).
        try (var connection = DriverManager.getConnection(jdbcUrl)) {
            try (var delete = connection.prepareStatement("DELETE FROM jobq_scheduled_job WHERE id = ?");
                 var record = connection.prepareStatement(
                         "INSERT INTO jobq_scheduled_job_done (id, handed_on_at) VALUES (?, CURRENT_TIMESTAMP)")) {
                delete.setString(1, id);
                assertThat(delete.executeUpdate()).isOne();
                record.setString(1, id);
                assertThat(record.executeUpdate()).isOne();
            }
        }

        var late = jobq("schedule", "cancel", id);
        assertThat(late.exitCode()).isEqualTo(1);
        assertThat(late.err()).contains("jobq schedule cancel: scheduled job '" + id + "' was already handed to its "
                + "queue, where it runs; the scheduler can no longer cancel it");

        var unknown = jobq("schedule", "cancel", "no-such-id");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("jobq schedule cancel: no scheduled job 'no-such-id' is waiting: the "
                + "scheduler does not know the id, or purged its record after scheduler.retention");
    }

    @Test
    @DisplayName("an unknown id or name points to the list command with the --config given, which lists the same "
            + "database")
    void anUnknownIdOrNamePointsToTheListWithTheConfigGiven() throws Exception {
        // "(see jobq schedule list)", pasted, read ./jobq.yaml: another database than the one that did not know the id
        Path spaced = Files.copy(config, dir.resolve("prod jobs.yaml"));
        var added = CommandRun.of("recurring", "add", "other", "report:build", "--schedule", "@daily", "--config",
                spaced.toString());
        assertThat(added.exitCode()).as(added.err()).isZero();

        var cancel = CommandRun.of("schedule", "cancel", "no-such-id", "--config", spaced.toString());
        var disable = CommandRun.of("recurring", "disable", "nope", "--config", spaced.toString());

        assertThat(cancel.exitCode()).isEqualTo(1);
        assertThat(cancel.err()).contains("(see jobq schedule list --config '" + spaced + "')");
        assertThat(disable.exitCode()).isEqualTo(1);
        assertThat(disable.err()).contains("(see jobq recurring list --config '" + spaced + "')");
    }

    @Test
    @DisplayName("schedule cancel repeats an id with control characters escaped")
    void cancelRepeatsAnIdWithControlCharactersEscaped() {
        // repeated raw: an id read from a file ("$(cat id)") with a newline or an ANSI escape in it split the refusal's
        // line or went to the terminal, where recurring's commands and the scheduler's own errors escape it
        var added = jobq("schedule", "add", "report:send", "--at", "2031-12-25T09:00:00Z", "--payload", "{}");
        assertThat(added.exitCode()).as(added.err()).isZero();
        var unknown = jobq("schedule", "cancel", "no-such-id\n\u001b[31mforged");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("jobq schedule cancel: no scheduled job 'no-such-id\\n\\u001b[31mforged' is "
                + "waiting: the scheduler does not know the id").doesNotContain("\u001b");
    }

    @Test
    @DisplayName("schedule add of a value the parser reads but the scheduler refuses is a usage error (exit 2), "
            + "not a failure at run time (exit 1)")
    void scheduleAddOfAValueTheSchedulerRefusesIsAUsageError() throws Exception {
        var type = jobq("schedule", "add", "t".repeat(256), "--at", "2031-12-25T09:00:00Z");
        // Before: exit 1, 'jobq schedule add failed: job type 'ttt…' is 256 characters long, …'
        assertThat(type.exitCode()).as(type.err()).isEqualTo(2);
        assertThat(type.err()).startsWith("jobq schedule add: job type 'ttt").contains("is 256 characters long");

        var timeout = jobq("schedule", "add", "t", "--at", "2031-12-25T09:00:00Z", "--timeout", "PT0.0005S");
        assertThat(timeout.exitCode()).as(timeout.err()).isEqualTo(2);
        assertThat(timeout.err()).startsWith("--timeout must be at least 1ms, got PT0.0005S");

        var year = jobq("schedule", "add", "t", "--at", "+10000-01-01T00:00:00Z");
        assertThat(year.exitCode()).as(year.err()).isEqualTo(2);
        assertThat(year.err()).startsWith("Invalid value for option '--at': '+10000-01-01T00:00:00Z' is outside the "
                + "years 1 to 9999");
        // each refused before the scheduler's database is opened: nothing stored, no database created
        assertThat(dir.resolve("jobq.mv.db")).doesNotExist();
    }

    @Test
    void scheduleAddNeedsAnInstant() {
        var run = jobq("schedule", "add", "t", "--payload", "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--at=INSTANT'");
    }

    @Test
    @DisplayName("recurring add, list, disable, enable and delete, each a command of its own")
    void recurringAddListEnableDisableDelete() throws Exception {
        var added = jobq("recurring", "add", "daily-digest", "email:digest", "--schedule", "0 9 * * *",
                "--timezone", "America/New_York", "--payload", "{\"kind\":\"daily\"}", "--misfire", "skip");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("registered daily-digest; next run 20").doesNotContain("(disabled)");
        assertThat(query("SELECT payload FROM jobq_recurring_job WHERE name = ?", "daily-digest"))
                .isEqualTo("{\"kind\":\"daily\"}");
        assertThat(query("SELECT misfire_policy FROM jobq_recurring_job WHERE name = ?", "daily-digest"))
                .isEqualTo("SKIP");

        assertThat(jobq("recurring", "list").out())
                .containsPattern("daily-digest\\s+email:digest\\s+default\\s+0 9 \\* \\* \\*\\s+America/New_York\\s+true\\s+20");

        assertThat(jobq("recurring", "disable", "daily-digest").out()).startsWith("disabled daily-digest");
        assertThat(jobq("recurring", "list").out())
                .containsPattern("daily-digest\\s+email:digest\\s+default\\s+0 9 \\* \\* \\*\\s+America/New_York\\s+false\\s+-");
        assertThat(jobq("recurring", "enable", "daily-digest").out()).startsWith("enabled daily-digest");
        assertThat(jobq("recurring", "list").out()).containsPattern("America/New_York\\s+true\\s+20");
        assertThat(jobq("recurring", "delete", "daily-digest").out()).startsWith("deleted daily-digest");
        assertThat(jobq("recurring", "list").out()).doesNotContain("daily-digest");
    }

    @Test
    @DisplayName("recurring add --schedule @daily registers @daily also run where the working directory has a 'daily' "
            + "in it: no argument is read as a file to expand")
    void aNicknameScheduleIsNotReadAsAnArgumentFile() throws Exception {
        // picocli expanded each argument '@NAME' to the words of the file NAME where one could be read, the documented
        // nicknames @hourly..@yearly among them: run in a directory holding daily/ (backups, logs), the command failed
        // with 'Could not read argument file @daily'; with a file daily, it registered what that file said instead.
        Path daily = Path.of("daily").toAbsolutePath();
        assertThat(daily).as("the working directory of this test").doesNotExist();
        Files.createDirectory(daily);
        try {
            var run = jobq("recurring", "add", "nightly", "report:build", "--schedule", "@daily");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).startsWith("registered nightly; next run ");
        } finally {
            Files.delete(daily);
        }
        assertThat(jobq("recurring", "list").out()).containsPattern("nightly\\s+report:build\\s+default\\s+@daily\\s+UTC");
    }

    @Test
    @DisplayName("recurring list names the default timezone UTC, as --help and the docs do, not Z")
    void defaultTimezoneIsListedAsUtc() {
        assertThat(jobq("recurring", "add", "hourly-sync", "sync:run", "--schedule", "@hourly").exitCode()).isZero();

        assertThat(jobq("recurring", "list").out()).containsPattern("hourly-sync\\s+sync:run\\s+default\\s+@hourly\\s+UTC\\s+true");
    }

    @Test
    @DisplayName("recurring list shows each job's queue, as schedule list does: a scheduler leaves a recurring job of a "
            + "queue it does not have to the processes that have it, with no error in its row")
    void recurringListShowsTheQueue() throws Exception {
        assertThat(jobq("recurring", "add", "nightly", "report:build", "--schedule", "0 3 * * *").exitCode()).isZero();
        // Registered by a process that has the queue 'reports', which no process with a scheduler has now.
        try (var connection = DriverManager.getConnection(jdbcUrl);
             var statement = connection.prepareStatement("UPDATE jobq_recurring_job SET queue = ? WHERE name = ?")) {
            statement.setString(1, "reports");
            statement.setString(2, "nightly");
            assertThat(statement.executeUpdate()).isOne();
        }

        var list = jobq("recurring", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow()).startsWith("NAME     TYPE          QUEUE    SCHEDULE");
        assertThat(list.out()).contains("nightly  report:build  reports  0 3 * * *");
    }

    @Test
    @DisplayName("recurring list shows a job whose timezone this runtime cannot read with the others, its zone as "
            + "stored and why")
    void aJobInAZoneThisRuntimeDoesNotKnowIsListedWithTheOthers() throws Exception {
        assertThat(jobq("recurring", "add", "digest", "email:digest", "--schedule", "0 9 * * *").exitCode()).isZero();
        assertThat(jobq("recurring", "add", "hourly-sync", "sync:run", "--schedule", "@hourly").exitCode()).isZero();
        // What a process with newer time-zone data writes (JdbcSchedulerContract: a zone added by newer data).
        try (var connection = DriverManager.getConnection(jdbcUrl);
             var update = connection.prepareStatement("UPDATE jobq_recurring_job SET timezone = ? WHERE name = ?")) {
            update.setString(1, "America/Atlantis");
            update.setString(2, "digest");
            assertThat(update.executeUpdate()).isOne();
        }

        var list = jobq("recurring", "list");

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .containsPattern("digest\\s+email:digest\\s+default\\s+0 9 \\* \\* \\*\\s+America/Atlantis\\s+true\\s+20")
                .containsPattern("hourly-sync\\s+sync:run\\s+default\\s+@hourly\\s+UTC\\s+true");
        assertThat(list.err()).startsWith("recurring job 'digest': timezone 'America/Atlantis' is unknown to this Java "
                + "runtime (").contains("update this Java runtime or its time-zone data (tzupdater)");
        assertThat(jobq("recurring", "disable", "digest").out()).startsWith("disabled digest");
        assertThat(jobq("recurring", "delete", "digest").out()).startsWith("deleted digest");
    }

    @Test
    void unknownRecurringNameFailsWithExitOne() {
        var other = jobq("recurring", "add", "other", "report:build", "--schedule", "@daily");
        assertThat(other.exitCode()).as(other.err()).isZero();

        var run = jobq("recurring", "disable", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("jobq recurring disable: no recurring job is named 'nope'");
    }

    @Test
    @DisplayName("recurring add, enable, disable and delete repeat a name with control characters escaped, and a "
            + "refusal names the job once")
    void aNameWithControlCharactersIsRepeatedEscaped() {
        // the name was repeated raw: a refusal put it raw before the scheduler's own (escaped) naming of the job, so
        // the job was named twice and a newline started a line of its own; done and unknown-name lines raw too
        String name = "digest\n\u001b[31mforged";
        String shown = "digest\\n\\u001b[31mforged";

        var refused = jobq("recurring", "add", name, "t", "--schedule", "0 9 *");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("jobq recurring add: recurring job '" + shown + "': schedule '0 9 *' is not "
                + "a valid cron expression").containsOnlyOnce("recurring job ").doesNotContain("\u001b");

        var added = jobq("recurring", "add", name, "t", "--schedule", "@daily");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("registered " + shown + "; next run ");
        var disabled = jobq("recurring", "disable", name);
        assertThat(disabled.out().strip()).as(disabled.err()).isEqualTo("disabled " + shown);
        var deleted = jobq("recurring", "delete", name);
        assertThat(deleted.out().strip()).as(deleted.err()).isEqualTo("deleted " + shown);

        var unknown = jobq("recurring", "enable", name);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no recurring job is named '" + shown + "'").doesNotContain("\u001b");
    }

    @Test
    @DisplayName("a --timezone refused is repeated with its control characters escaped")
    void aRefusedTimezoneIsRepeatedEscaped() {
        // repeated raw: a zone read from a file ("$(cat zone)") with a newline or an ANSI escape in it went to the terminal
        var run = jobq("recurring", "add", "x", "t", "--schedule", "@daily", "--timezone", "Mars/Olympus\n\u001b[31m");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--timezone': 'Mars/Olympus\\n\\u001b[31m' is not a "
                + "time zone; use an IANA name").doesNotContain("\u001b");
    }

    @Test
    @DisplayName("a name longer than the scheduler holds is refused naming the job once")
    void aNameTooLongIsRefusedNamingTheJobOnce() {
        // the scheduler names such a job by its first 60 characters, which jobq's own prefix did not match: the job
        // was named twice, once with 255 characters
        var run = jobq("recurring", "add", "n".repeat(300), "t", "--schedule", "@daily");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq recurring add: recurring job '" + "n".repeat(60) + "…': the name is 300 "
                + "characters long, longer than the 255 the scheduler holds").containsOnlyOnce("recurring job ");
    }

    @Test
    @DisplayName("a schedule the scheduler rejects is a usage error naming the job and the value")
    void scheduleTheSchedulerRejectsIsAUsageError() {
        var run = jobq("recurring", "add", "x", "t", "--schedule", "0 9 *");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq recurring add: recurring job 'x': schedule '0 9 *' is not a valid cron "
                + "expression").containsOnlyOnce("recurring job 'x'");
    }

    @Test
    @DisplayName("recurring add checks its schedule before it opens the scheduler: with the database down a bad cron "
            + "is still a usage error (exit 2) naming the schedule, not a failure to reach the database (exit 1)")
    void aBadScheduleIsAUsageErrorWhileTheDatabaseIsDown() throws Exception {
        Path databaseDown = databaseDown();

        var run = CommandRun.of("recurring", "add", "x", "t", "--schedule", "0 9 *", "--config", databaseDown.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("jobq recurring add: recurring job 'x': schedule '0 9 *' is not a valid cron "
                + "expression").doesNotContain("127.0.0.1");
    }

    @Test
    @DisplayName("recurring add checks its job type before it opens the scheduler: with the database down a type with "
            + "a control character (a shell's trailing newline) is a usage error (exit 2), not a failure to reach it")
    void aTypeWithAControlCharacterIsAUsageErrorWhileTheDatabaseIsDown() throws Exception {
        Path databaseDown = databaseDown();

        var run = CommandRun.of("recurring", "add", "x", "report:send\n", "--schedule", "@daily", "--config",
                databaseDown.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("jobq recurring add: recurring job 'x': job type \"report:send\\n\" has a "
                + "control character").doesNotContain("127.0.0.1");
    }

    /**
     * 36314eb0 made recurring add check its type before it connects; schedule add checked only that a scheduler is
     * configured, so a type enqueue refuses (a control character, 256 characters) was told as the database out of reach
     * (exit 1) while it was down, and as the type (exit 2) while it was up. So was enqueue's, for a job the scheduler
     * holds (--at an instant to come) or is asked about (--dedup-key), and the database was created for it.
     */
    @Test
    @DisplayName("recurring add, schedule add and an enqueue that opens the scheduler refuse a type enqueue refuses "
            + "in the same words, exit 2, with the database up or down")
    void aTypeEnqueueRefusesIsTheSameUsageErrorWithTheDatabaseUpOrDown() throws Exception {
        Path databaseDown = databaseDown();
        for (String type : List.of("report:send\n", "t".repeat(256), " ")) {
            for (String[] command : new String[][] {{"recurring", "add", "x", type, "--schedule", "@daily"},
                    {"schedule", "add", type, "--at", "2031-12-25T09:00:00Z"},
                    {"enqueue", type, "--at", "2031-12-25T09:00:00Z"}, {"enqueue", type, "--dedup-key", "k"}}) {
                var up = jobq(command);
                var down = CommandRun.of(Stream.concat(Arrays.stream(command),
                        Stream.of("--config", databaseDown.toString())).toArray(String[]::new));

                assertThat(up.exitCode()).as(up.err()).isEqualTo(2);
                assertThat(down.exitCode()).as(down.err()).isEqualTo(2);
                assertThat(down.err()).as(command[0] + " " + type.length()).isEqualTo(up.err())
                        .doesNotContain("127.0.0.1");
            }
        }
        // each refused before the scheduler's database is opened: nothing stored, no database created
        assertThat(dir.resolve("jobq.mv.db")).doesNotExist();
    }

    /**
     * The default jdbcUrl, jdbc:h2:file:./data/jobq, is read from the working directory: run from another one, list
     * created an empty database there and showed an empty table (exit 0), and the user believed nothing was scheduled.
     */
    @Test
    @DisplayName("schedule and recurring list, cancel, enable, disable and delete on an H2 file that does not exist "
            + "create none and say where they looked, with the fix")
    void storeCommandsCreateNoH2FileAndSayWhereTheyLooked() throws Exception {
        Path missing = dir.resolve("elsewhere").resolve("data").resolve("jobq");
        Path file = Files.writeString(dir.resolve("missing.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:h2:file:%s
                """.formatted(missing));

        for (String[] args : new String[][] {{"schedule", "list"}, {"recurring", "list"},
                {"schedule", "cancel", "01a24358-6808-7909-a68a-18dff8e45dbd"}, {"recurring", "enable", "nightly"},
                {"recurring", "disable", "nightly"}, {"recurring", "delete", "nightly"}}) {
            var run = CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--config", file.toString()))
                    .toArray(String[]::new));

            String command = "jobq " + args[0] + " " + args[1];
            assertThat(run.err()).as(command).startsWith(command + ": no scheduler database exists at "
                    + missing + ".mv.db (scheduler.jdbcUrl: jdbc:h2:file:" + missing + ")")
                    .contains("run the command from the directory the workers run in, or set scheduler.jdbcUrl");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).as(command).isEmpty();
            assertThat(missing.getParent().getParent()).as(command + " created the database").doesNotExist();
        }
    }

    /** The path came from the file raw: an ESC in it repainted the terminal, a line break forged a line. */
    @Test
    void aMissingH2FileWithAControlCharacterInItsPathIsSaidEscaped() throws Exception {
        Path file = Files.writeString(dir.resolve("escaped.yaml"), """
                provider:
                  type: memory
                scheduler:
                  jdbcUrl: "jdbc:h2:file:%s/gone\\e[31m\\nred/jobq"
                """.formatted(dir));

        var run = CommandRun.of("schedule", "list", "--config", file.toString());

        assertThat(run.err()).startsWith("jobq schedule list: no scheduler database exists at " + dir
                + "/gone\\u001b[31m\\nred/jobq.mv.db (scheduler.jdbcUrl: jdbc:h2:file:" + dir
                + "/gone\\u001b[31m\\nred/jobq), and this command creates none; ");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    }

    /** A relative path is the working directory's, as H2 reads it: the message names the absolute one. */
    @Test
    void aRelativeH2PathIsNamedAbsolute() throws Exception {
        String relative = "./target/no-such-dir-" + dir.getFileName() + "/jobq";
        Path file = Files.writeString(dir.resolve("relative.yaml"), """
                provider:
                  type: memory
                scheduler:
                  jdbcUrl: jdbc:h2:file:%s
                """.formatted(relative));

        var run = CommandRun.of("schedule", "list", "--config", file.toString());

        Path absolute = Path.of(relative + ".mv.db").toAbsolutePath().normalize();
        assertThat(run.err()).contains("no scheduler database exists at " + absolute + " (scheduler.jdbcUrl: "
                + "jdbc:h2:file:" + relative + "; a relative path is read from the working directory, "
                + Path.of("").toAbsolutePath() + ")");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(absolute.getParent()).doesNotExist();
    }

    /**
     * schedule add, recurring add and enqueue --at an instant to come, run from another directory than the workers'
     * (the default jdbcUrl, jdbc:h2:file:./data/jobq, is read from the working directory), created a new database
     * there and scheduled into it without a word: no worker reads that file, and the job never ran. They still create
     * it (a first schedule add on a new machine is legitimate), and now say so once, on stderr, with exit 0.
     */
    @Test
    @DisplayName("schedule add, recurring add and enqueue --at on an H2 file that does not exist create it and say "
            + "where, and that workers read the file their own working directory gives")
    void addCommandsSayTheyCreatedANewH2File() throws Exception {
        String relative = "./target/new-h2-" + dir.getFileName();
        Path cwd = Path.of("").toAbsolutePath();
        try {
            String[][] commands = {{"schedule", "add", "t", "--at", "2031-01-01T00:00:00Z"},
                    {"recurring", "add", "nightly", "t", "--schedule", "0 9 * * *"},
                    {"enqueue", "t", "--at", "2031-01-01T00:00:00Z"}};
            for (int i = 0; i < commands.length; i++) {
                String[] args = commands[i];
                String url = "jdbc:h2:file:" + relative + "/" + i + "/jobq";
                Path file = Files.writeString(dir.resolve("new-" + i + ".yaml"), """
                        provider:
                          type: memory
                        scheduler:
                          enabled: false
                          jdbcUrl: %s
                        """.formatted(url));
                String[] withConfig = Stream.concat(Arrays.stream(args), Stream.of("--config", file.toString()))
                        .toArray(String[]::new);
                Path absolute = cwd.resolve(relative + "/" + i + "/jobq.mv.db").normalize();
                String command = "jobq " + args[0] + (args[0].equals("enqueue") ? "" : " " + args[1]);

                var first = CommandRun.of(withConfig);

                assertThat(first.exitCode()).as(first.err()).isZero();
                assertThat(absolute).as(command).exists();
                assertThat(first.err()).as(command).contains(command + ": note: no scheduler database existed at "
                        + absolute + " (scheduler.jdbcUrl: " + url + "; a relative path is read from the working "
                        + "directory, " + cwd + "), so this command created one and stored the job there; a worker "
                        + "reads the file at the path its own working directory gives, and one that reads another "
                        + "file never runs this job: run the command from the directory the workers run in, or set "
                        + "scheduler.jdbcUrl to the database's absolute path, e.g. jdbc:h2:file:/srv/jobq/data/jobq"
                        + System.lineSeparator());

                var second = CommandRun.of(args[0].equals("recurring")
                        ? Stream.concat(Stream.of("recurring", "add", "other"), Arrays.stream(withConfig).skip(3))
                                .toArray(String[]::new)
                        : withConfig);

                assertThat(second.exitCode()).as(second.err()).isZero();
                assertThat(second.err()).as(command + " on the file it made").doesNotContain("no scheduler database");
            }
        } finally {
            try (Stream<Path> made = Files.walk(cwd.resolve(relative)).sorted(Comparator.reverseOrder())) {
                made.forEach(path -> path.toFile().delete());
            }
        }
    }

    /**
     * jdbc:h2:PATH;AUTO_SERVER=TRUE was quoted back as jdbc:h2:file:PATH, a URL the file does not hold: the user
     * searching the file for it found nothing.
     */
    @Test
    @DisplayName("an H2 file that does not exist is said with the jdbcUrl as the file writes it, its secrets masked")
    void aMissingH2FileIsSaidWithTheJdbcUrlAsWritten() throws Exception {
        Path missing = dir.resolve("gone").resolve("jobq");
        Path file = Files.writeString(dir.resolve("written.yaml"), """
                provider:
                  type: memory
                scheduler:
                  jdbcUrl: jdbc:h2:%s;AUTO_SERVER=TRUE;PASSWORD=hunter2
                """.formatted(missing));

        var run = CommandRun.of("recurring", "list", "--config", file.toString());

        assertThat(run.err()).contains("no scheduler database exists at " + missing + ".mv.db (scheduler.jdbcUrl: "
                + "jdbc:h2:" + missing + ";AUTO_SERVER=TRUE;PASSWORD=****)").doesNotContain("hunter2");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    }

    @Test
    @DisplayName("a PostgreSQL jdbcUrl with a password written raw with a '/' in it is refused without showing it")
    void aRawPasswordWithASlashInTheJdbcUrlIsNotShown() throws Exception {
        Path file = Files.writeString(dir.resolve("slash.yaml"), """
                provider:
                  type: memory
                scheduler:
                  jdbcUrl: jdbc:postgresql://jobq:pa/S3CRET@127.0.0.1:1/jobq
                  connectionTimeout: 1s
                """);

        for (String[] args : new String[][] {{"recurring", "list"}, {"schedule", "add", "t", "--at", "2031-01-01T00:00:00Z"}}) {
            var run = CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--config", file.toString()))
                    .toArray(String[]::new));

            assertThat(run.err()).as(String.join(" ", args)).doesNotContain("S3CRET")
                    .contains("scheduler.jdbcUrl: must not hold a user or password before the host");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("schedule add without a scheduler: section says how to configure one before it opens the queue, "
            + "also while the queue's provider is out of reach (it said SQS's failure, exit 1)")
    void scheduleAddWithoutASchedulerSaysSoBeforeItOpensTheQueue() throws Exception {
        Path file = Files.writeString(dir.resolve("sqs-down-no-scheduler.yaml"), """
                provider:
                %s
                """.formatted(UnreachableSqs.keys(2)));

        var run = CommandRun.of("schedule", "add", "t", "--at", "2031-01-01T00:00:00Z", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("no scheduler is configured in " + file + "; add a 'scheduler:' section")
                .doesNotContain("127.0.0.1");
    }

    @Test
    void unknownTimezoneAndMisfirePolicyAreUsageErrors() {
        var zone = jobq("recurring", "add", "x", "t", "--schedule", "@daily", "--timezone", "Mars/Olympus");
        assertThat(zone.exitCode()).isEqualTo(2);
        assertThat(zone.err()).contains("Invalid value for option '--timezone': 'Mars/Olympus' is not a time zone");

        var misfire = jobq("recurring", "add", "x", "t", "--schedule", "@daily", "--misfire", "later");
        assertThat(misfire.exitCode()).isEqualTo(2);
        assertThat(misfire.err()).contains("Invalid value for option '--misfire'").contains("FIRE_ONCE, SKIP, FIRE_ALL");
    }

    @Test
    void aMisfirePolicyWithControlCharactersIsRepeatedEscaped() {
        // picocli's own refusal repeated the value raw: a newline in it started a line of its own, an ANSI escape
        // repainted the terminal
        var misfire = jobq("recurring", "add", "x", "t", "--schedule", "@daily", "--misfire", "SKIP\u001b[31m\nx");
        assertThat(misfire.exitCode()).isEqualTo(2);
        assertThat(misfire.err()).contains("Invalid value for option '--misfire': expected one of [FIRE_ONCE, SKIP, "
                + "FIRE_ALL] (case-insensitive) but was 'SKIP\\u001b[31m\\nx'").doesNotContain("\u001b", "\nx");
    }

    @Test
    void withoutASchedulerTheCommandsSayHowToConfigureOne() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.yaml"), "provider: { type: memory }\n");

        for (String[] args : new String[][] {{"schedule", "list"}, {"recurring", "list"}}) {
            var run = CommandRun.of(args[0], args[1], "--config", file.toString());

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("no scheduler is configured in " + file + "; add a 'scheduler:' section")
                    .contains("dev.jobq:scheduler-jdbc");
        }
    }

    @Test
    @DisplayName("enqueue, schedule add and recurring add to a queue the file does not configure are a usage error "
            + "naming it, the configured ones and the file, also while the provider is out of reach (it said SQS's failure, "
            + "exit 1)")
    void anUnknownQueueIsAUsageErrorWhileTheProviderIsDown() throws Exception {
        Path file = Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                scheduler:
                  enabled: false
                  jdbcUrl: %s
                """.formatted(UnreachableSqs.keys(2), jdbcUrl));

        for (String[] args : new String[][] {{"enqueue", "t"}, {"schedule", "add", "t", "--at", "2031-01-01T00:00:00Z"},
                {"recurring", "add", "x", "t", "--schedule", "@daily"}}) {
            var run = CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--queue", "nope", "--config",
                    file.toString())).toArray(String[]::new));

            assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(2);
            // the file to add it to is the one read, not jobq.yaml, which the fix named whatever --config said
            assertThat(run.err()).as(String.join(" ", args)).contains("unknown queue 'nope' (configured: default); "
                            + "add it under 'queues:' in " + file)
                    .doesNotContain("127.0.0.1");
        }
    }

    /**
     * A provider's or the scheduler's error quotes the message of what it caught, and that the message of its own
     * cause: each cause appended after it said the same failure again, the one refused connection three times.
     */
    @Test
    @DisplayName("enqueue, schedule add and recurring add with SQS out of reach, and schedule list "
            + "with the database down, say the failure once, with the queue or database, the endpoint and the fix")
    void aFailureToConnectIsSaidOnce() throws Exception {
        Path sqsDown = Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                scheduler:
                  enabled: false
                  jdbcUrl: %s
                """.formatted(UnreachableSqs.keys(2).replace("deadLetter: discard",
                        "deadLetterQueueUrl: http://127.0.0.1:1/000000000000/jobs-dlq"), jdbcUrl));
        // dead-letters, on an SQS queue, answers from the file (exit 2) without connecting (DeadLettersCommandTest)
        for (String[] args : new String[][] {{"enqueue", "t"}, {"schedule", "add", "t", "--at", "2031-01-01T00:00:00Z"},
                {"recurring", "add", "x", "t", "--schedule", "@daily"}}) {
            var run = CommandRun.of(Stream.concat(Arrays.stream(args), Stream.of("--config", sqsDown.toString()))
                    .toArray(String[]::new));

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).as(String.join(" ", args)).startsWith("jobq " + args[0] + " ")
                    .contains("jobq queue 'default': reading the attributes of queue "
                            + "http://127.0.0.1:1/000000000000/jobs failed: ")
                    .contains("(check region us-east-1, endpoint http://127.0.0.1:1, the accessKeyId and "
                            + "secretAccessKey of this section and the IAM actions in docs/sqs.md)")
                    .doesNotContain("\tat ");
            assertThat(run.err().split("Connection refused", -1)).as(run.err()).hasSize(2);
        }
        Path databaseDown = Files.writeString(dir.resolve("db-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq?password=S3CRET
                  connectionTimeout: 1s
                """);

        var run = CommandRun.of("schedule", "list", "--config", databaseDown.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).startsWith("jobq schedule list failed: scheduler: cannot connect to PostgreSQL at "
                + "127.0.0.1:1/jobq: Connection refused; check scheduler.jdbcUrl, username and password, and that the "
                + "database is running").doesNotContain("S3CRET");
        assertThat(run.err().split("Connection refused", -1)).as(run.err()).hasSize(2);
        // The pool's wording of the same refusal (Hikari's, quoting the driver's) is not appended beside it.
        assertThat(run.err()).doesNotContain("Connection to 127.0.0.1:1 refused").doesNotContain("caused by");
    }

    /**
     * The scheduler's error quotes H2's reason, and the pool's exception beneath it quotes the same reason after its
     * own words: appended as a cause ("caused by …PoolInitializationException: Failed to initialize pool: Database may
     * be already in use: …"), it said the reason a second time, in the line an operator sees most, a command run
     * beside a worker that holds the default H2 file.
     */
    @Test
    @DisplayName("schedule list beside a process that holds the H2 file says H2's reason once, with the ways out")
    void anH2FileAnotherProcessHoldsIsSaidOnce() throws Exception {
        // The lock another JVM would hold; H2 meets it as it meets a second process's.
        try (FileChannel file = FileChannel.open(dir.resolve("jobq.mv.db"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = file.lock()) {
            var run = jobq("schedule", "list");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("jobq schedule list failed: scheduler: cannot open H2 at file:"
                            + dir.resolve("jobq").toAbsolutePath() + ": another process has the file open (")
                    .contains("an H2 file serves one process at a time: stop the other process")
                    .doesNotContain("Failed to initialize pool");
            assertThat(run.err().split("Database may be already in use", -1)).as(run.err()).hasSize(2);
        }
    }
}

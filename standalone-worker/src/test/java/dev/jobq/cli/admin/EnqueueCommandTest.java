package dev.jobq.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.cli.AlteredProvider;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.CountingEndpoint;
import dev.jobq.cli.ReachableSqs;
import dev.jobq.cli.SharedQueue;
import dev.jobq.cli.UnreachableSqs;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.localsqs.LocalSqs;
import dev.jobq.spi.DurationFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code jobq enqueue} and {@code jobq stats}: parsing, usage errors, and what lands in the queue. */
class EnqueueCommandTest {

    @TempDir
    Path dir;

    private SharedQueue shared;

    @BeforeEach
    void sharedMemoryQueue() {
        shared = new SharedQueue(JobQueue.builder().provider("memory").queue("reports", "memory", Map.of())
                .environment(Map.of()).build(), dir);
    }

    @AfterEach
    void close() {
        shared.close();
    }

    @Test
    @DisplayName("enqueue prints the job id; stats then counts it waiting, and --json says the same")
    void enqueueThenStats() {
        var enqueued = shared.run("enqueue", "email:send", "--payload", "{\"to\":\"a@example.com\",\"subject\":\"hi\"}");

        assertThat(enqueued.exitCode()).isZero();
        String id = enqueued.out().strip();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(shared.queue().getJob(id)).hasValueSatisfying(job -> {
            assertThat(job.type()).isEqualTo("email:send");
            assertThat(job.payloadJson()).isEqualTo("{\"to\":\"a@example.com\",\"subject\":\"hi\"}");
        });

        var stats = shared.run("stats");
        assertThat(stats.exitCode()).isZero();
        // Only what the provider knows: what workers ran is counted in their processes, not in this one,
        // so the active, completed, failed and duration columns were zeros beside a busy worker.
        assertThat(stats.out().lines().toList()).first().asString().matches("QUEUE\\s+WAITING\\s+DELAYED\\s+IN-FLIGHT\\s+DEAD");
        assertThat(stats.out()).containsPattern("(?m)^default\\s+1\\s+0\\s+0\\s+0$")
                .containsPattern("(?m)^reports\\s+0\\s+0\\s+0\\s+0$");

        var json = shared.run("stats", "--queue", "default", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out().strip()).isEqualTo("[{\"queue\":\"default\",\"waiting\":1,\"delayed\":0,\"inFlight\":0,\"dead\":0}]");
    }

    @Test
    @DisplayName("stats counts a job a worker has received and not yet settled as in flight, as /health does")
    void statsCountsJobsInFlight() throws Exception {
        var running = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        shared.queue().registerJobHandler("hold", String.class, (job, ctx) -> {
            running.countDown();
            finish.await(30, TimeUnit.SECONDS);
        });
        shared.queue().start();
        try {
            shared.queue().enqueue("hold", "x");
            assertThat(running.await(30, TimeUnit.SECONDS)).as("the handler started").isTrue();

            var stats = shared.run("stats", "--queue", "default");
            assertThat(stats.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+1\\s+0$");
            var json = shared.run("stats", "--queue", "default", "--json");
            assertThat(json.out().strip()).isEqualTo(
                    "[{\"queue\":\"default\",\"waiting\":0,\"delayed\":0,\"inFlight\":1,\"dead\":0}]");
        } finally {
            finish.countDown();
        }
    }

    @Test
    @DisplayName("--delay, --queue and the job options reach the queue")
    void delayQueueAndOptions() {
        var run = shared.run("enqueue", "report:generate", "--payload", "[1,2]", "--delay", "10m", "--queue", "reports",
                "--max-attempts", "5", "--timeout", "2m", "--priority", "-1", "--dedup-key", "r-1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        var job = shared.queue().getJob(run.out().strip()).orElseThrow();
        assertThat(job.queue()).isEqualTo("reports");
        assertThat(job.payloadJson()).isEqualTo("[1,2]");
        assertThat(job.options().maxAttempts()).isEqualTo(5);
        assertThat(job.options().timeout()).hasMinutes(2);
        assertThat(job.options().priority()).isEqualTo(-1);
        assertThat(job.options().deduplicationKey()).isEqualTo("r-1");
        assertThat(shared.queue().stats("reports").delayed()).isEqualTo(1);

        var again = shared.run("enqueue", "report:generate", "--payload", "[3]", "--queue", "reports", "--dedup-key", "r-1");
        assertThat(again.out().strip()).as("deduplicated to the pending job").isEqualTo(run.out().strip());
    }

    @Test
    @DisplayName("--payload numbers keep their value and digits: no double rounds them or makes them \"Infinity\"")
    void payloadNumbersArePassedOnAsWritten() {
        var run = shared.run("enqueue", "invoice:send", "--payload",
                "{\"amount\":0.1000000000000000000001,\"rate\":1.50,\"huge\":1e400,\"id\":12345678901234567890123}");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(shared.queue().getJob(run.out().strip()).orElseThrow().payloadJson()).isEqualTo(
                "{\"amount\":0.1000000000000000000001,\"rate\":1.50,\"huge\":1E+400,\"id\":12345678901234567890123}");
    }

    @Test
    void invalidJsonIsAUsageErrorSayingWhere() {
        var run = shared.run("enqueue", "email:send", "--payload", "{to: 1}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': not valid JSON: Unexpected character ('t'")
                .contains("quote it for the shell");
    }

    @Test
    @DisplayName("--payload @FILE, as curl reads a file, is a usage error naming the value and how to pass the file's "
            + "JSON, and enqueues nothing")
    void aPayloadGivenAsAFileSaysHowToPassItsContent() throws Exception {
        // The value went to the JSON parser: 'not valid JSON: Unexpected character ('@' (code 64)) … (quote it for the
        // shell: …)', a fix that does not help; a file of arguments (picocli's @-files) it is not either.
        Path payload = Files.writeString(dir.resolve("payload.json"), "{\"to\":\"ada@example.com\"}");

        var run = shared.run("enqueue", "email:send", "--payload", "@" + payload);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': '@" + payload + "' is not JSON; jobq reads "
                + "no file for a payload: give the file's JSON, --payload \"$(cat " + payload + ")\"");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --payload @FILE whose path has a space says how to pass its content with the path quoted for the shell")
    void aPayloadGivenAsAFileWithASpaceInItsPathSaysACommandThatWorks() throws Exception {
        // The fix printed was --payload "$(cat /…/my payload.json)": cat got two files, neither of them there.
        Path payload = Files.writeString(dir.resolve("my payload.json"), "{\"to\":\"ada@example.com\"}");

        var run = shared.run("enqueue", "email:send", "--payload", "@" + payload);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("give the file's JSON, --payload \"$(cat '" + payload + "')\"");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("--payload @-, curl's way to read standard input, is a usage error saying how to pass what comes in on it")
    void aPayloadGivenAsStandardInputSaysHowToPassIt() {
        // The hint was "give the file's JSON, --payload \"$(cat -- -)\"": no file, and a cat that reads standard input
        // only because cat takes - for it even after --.
        var run = shared.run("enqueue", "email:send", "--payload", "@-");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': '@-' is not JSON; jobq reads no standard "
                + "input for a payload: give the JSON it carries, --payload \"$(cat)\"");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --payload @~/FILE, a path in the home directory that the shell left as it is after the @, is given "
            + "a cat command whose ~ the shell expands")
    void aPayloadGivenAsAFileInTheHomeDirectorySaysACommandThatReadsIt() {
        // The fix printed was --payload "$(cat '~/my payload.json')": quoted, the ~ is passed as it is, and cat looked
        // for a directory named ~ in the current one; bash expands a ~ only at the start of a word, not after the @.
        var run = shared.run("enqueue", "email:send", "--payload", "@~/my payload.json");
        var plain = shared.run("enqueue", "email:send", "--payload", "@~/payload.json");
        var dash = shared.run("enqueue", "email:send", "--payload", "@~/-p.json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': '@~/my payload.json' is not JSON; jobq "
                + "reads no file for a payload: give the file's JSON, --payload \"$(cat ~/'my payload.json')\"");
        assertThat(plain.err()).contains("--payload \"$(cat ~/payload.json)\"");
        assertThat(dash.err()).as("no -- where the name does not start the word").contains("--payload \"$(cat ~/-p.json)\"");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --payload @~user/FILE, a path in another user's home directory, is given a cat command whose "
            + "~user the shell expands")
    void aPayloadGivenAsAFileInAnotherUsersHomeSaysACommandThatReadsIt() {
        // The fix printed was --payload "$(cat '~bob/my payload.json')": quoted, ~bob is passed as it is, and cat
        // looked for a directory named ~bob in the current one, where bash expands ~bob/ unquoted to bob's home.
        var run = shared.run("enqueue", "email:send", "--payload", "@~bob/my payload.json");
        var plain = shared.run("enqueue", "email:send", "--payload", "@~build-bot.2/p.json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--payload \"$(cat ~bob/'my payload.json')\"");
        assertThat(plain.err()).contains("--payload \"$(cat ~build-bot.2/p.json)\"");
        assertThat(shared.run("enqueue", "email:send", "--payload", "@~b$(x)/p.json").err())
                .as("no login name: quoted whole, nothing for the shell to run").contains("$(cat '~b$(x)/p.json')");
    }

    @Test
    @DisplayName("a --payload @FILE whose path has a newline or an ANSI escape repeats it escaped, and the command it "
            + "gives on one line")
    void aPayloadGivenAsAFileWithAControlCharacterInItsPathIsRepeatedEscaped() {
        // the path was repeated raw, in the refusal and in the cat command: the newline split both over two lines
        var run = shared.run("enqueue", "email:send", "--payload", "@my\npayload\u001b[31m.json");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': '@my\\npayload\\u001b[31m.json' is not "
                + "JSON; jobq reads no file for a payload: give the file's JSON, --payload \"$(cat "
                + "$'my\\npayload\\u001b[31m.json')\"" + System.lineSeparator()).doesNotContain("\u001b");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --delay that ends past the year 9999 is a usage error naming the delay and the range, as --at of such "
            + "an instant is, and enqueues nothing")
    void aDelayEndingPastTheLastInstantAJobCarriesIsAUsageError() {
        // --delay 3000000d (about 8,200 years) was enqueued with a due time in the year 10240, which the envelope carries
        // as an ISO-8601 timestamp with a five-digit year: --at +10240-01-01T00:00:00Z, and EnqueueOptions.at of it, are
        // refused ('the years 1 to 9999'); only a delay past Java's own last instant was.
        var run = shared.run("enqueue", "report:generate", "--delay", "3000000d");

        assertThat(run.exitCode()).as("exit status; out: %s; err: %s", run.out(), run.err()).isEqualTo(2);
        assertThat(run.err()).contains("a delay of 3000000d from ", "9999-12-31T23:59:59.999999999Z");
        assertThat(shared.queue().stats("default").delayed()).isZero();
    }

    /**
     * A --delay that ends past the year 9999 was refused only by the open queue: with SQS out of reach it was told as
     * SQS's failure (exit 1, which Restart=on-failure retries), and so with the scheduler's database down was one with
     * a --dedup-key; with them in reach, as the delay (exit 2).
     */
    @Test
    @DisplayName("a --delay that ends past the year 9999 is a usage error before anything connects: with SQS out of "
            + "reach it was told as SQS's failure, exit 1")
    void aDelayEndingPastTheLastInstantIsAUsageErrorWhileTheProviderIsDown() throws Exception {
        Path file = sqsDown();

        var down = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "enqueue", "report:generate", "--delay", "3000000d", "--config", file.toString());
        var inReach = shared.run("enqueue", "report:generate", "--delay", "3000000d");

        // in enqueue's words either way; each says its own now and the instant the delay ends at
        String refusal = "past 9999-12-31T23:59:59.999999999Z, the last instant a job can be due (jobs carry it as an "
                + "ISO-8601 timestamp, which has four-digit years); give a shorter delay";
        assertThat(down.exitCode()).as(down.err()).isEqualTo(2);
        assertThat(down.err()).startsWith("jobq enqueue: a delay of 3000000d from ").contains(refusal)
                .doesNotContain("127.0.0.1");
        assertThat(inReach.exitCode()).as(inReach.err()).isEqualTo(2);
        assertThat(inReach.err()).startsWith("jobq enqueue: a delay of 3000000d from ").contains(refusal);
        assertThat(shared.queue().stats("default").delayed()).isZero();
    }

    @Test
    void trailingTextAfterTheJsonIsAUsageError() {
        var run = shared.run("enqueue", "email:send", "--payload", "{} {}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--payload': not valid JSON: Trailing token");
    }

    @Test
    void blankJobTypeIsAUsageErrorWithTheFix() {
        var run = shared.run("enqueue", "", "--payload", "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for positional parameter at index 0 (TYPE): the job type is "
                + "empty; give the type a handler registers, e.g. email:send");
        // one of blanks was called empty too, nothing shown: a variable that came out as " \t" looked like an unset one
        var blank = shared.run("enqueue", " \t", "--payload", "{}");

        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).contains("Invalid value for positional parameter at index 0 (TYPE): the job type is "
                + "blank, got \" \\t\"; give the type a handler registers, e.g. email:send");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("without --payload the job's payload is null, as the API's enqueue(type, null) and recurring add give")
    void withoutPayloadTheJobCarriesNull() {
        var run = shared.run("enqueue", "cache:flush");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(shared.queue().getJob(run.out().strip()).orElseThrow().payloadJson()).isEqualTo("null");
    }

    @Test
    void delayAndAtAreExclusive() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", "5s", "--at", "2030-01-01T00:00:00Z");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("are mutually exclusive");
    }

    @Test
    void durationWithoutUnitIsAUsageErrorWithTheFix() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", "30");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--delay': '30' has no unit; write 30ms, 30s, 30m or 30h");
    }

    @Test
    @DisplayName("a --delay of a large number without a unit is offered only the forms that end by the year 9999, or "
            + "the range when none does")
    void aLargeDelayWithoutAUnitIsOfferedOnlyFormsItTakes() {
        // 300000000000 was offered 300000000000s too (some 9,500 years), refused once written as ending past 9999
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", "300000000000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--delay': '300000000000' has no unit; write "
                + "300000000000ms" + System.lineSeparator());

        var none = shared.run("enqueue", "t", "--payload", "{}", "--delay", "9223372036854775807");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Invalid value for option '--delay': '9223372036854775807' has no unit, and is "
                + "out of range in any of ms, s, m and h; write a duration from 0s to ");
        assertThat(shared.queue().stats("default").waiting() + shared.queue().stats("default").delayed()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"--delay, -5s", "--delay, PT-5S", "--delay, -PT5S", "--timeout, -1m", "--timeout, PT-0.0005S",
            "--delay, -P1DT-1H", "--timeout, -PT1H-5M"})
    @DisplayName("a negative duration is a usage error that says so, not that it lacks a unit it has")
    void negativeDurationIsAUsageErrorSayingSo(String option, String value) {
        var run = shared.run("enqueue", "t", "--payload", "{}", option, value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '" + option + "': '" + value
                + "' is negative; write a duration such as 30s or 5m" + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"-0s", "-PT0S", "- 0ms"})
    @DisplayName("a --delay of -0s is 0, as the config file and PT-0S read it: it was refused as negative")
    void minusZeroDelayIsNoDelay(String value) {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", value);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(shared.queue().getJob(run.out().strip()).orElseThrow().state()).isEqualTo(dev.jobq.JobState.WAITING);
    }

    @Test
    @DisplayName("the defaults enqueue --help states are what a job enqueued without those options gets")
    void theDefaultsTheHelpStatesAreTheJobsOwn() {
        // written as text in the options' descriptions: a changed default left the help saying the old one
        var help = shared.run("enqueue", "--help");
        var run = shared.run("enqueue", "t");

        assertThat(run.exitCode()).as(run.err()).isZero();
        var job = shared.queue().getJob(run.out().strip()).orElseThrow();
        String text = help.out().replaceAll("\\s+", " ");
        assertThat(text)
                .contains("--max-attempts=N Runs in all, the first included (default " + job.options().maxAttempts()
                        + ").")
                .contains("--timeout=DURATION Time limit of one attempt, e.g. 30s or 5m (default "
                        + DurationFormat.format(job.options().timeout()) + ").")
                .contains("--priority=N Lower runs first (default " + job.options().priority() + ")")
                .contains("--queue=QUEUE The named queue (default: " + job.queue() + ").")
                .contains("--payload=JSON The payload as JSON (default: " + job.payloadJson() + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-", "--5", "-soon", "-pending", "-PT", "-P-x", "-pt+", "-5x", "-5 x", "-5s5", "-5.5s", "-P5",
            "-PT5", "-P1X"})
    @DisplayName("a --delay that starts with a minus but is no number or duration after it is told it is not a "
            + "duration, as the config file and QUEUE_SHUTDOWN_TIMEOUT tell it: it was told it is negative")
    void aMinusBeforeNoDurationIsToldItIsNotADuration(String value) {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay=" + value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--delay': '" + value + "' is not a duration with a "
                + "unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S" + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"--delay, -P-1D, 1d", "--delay, -pt-90s, 1m30s", "--timeout, -PT-5S, 5s"})
    @DisplayName("a duration with a minus before its P and another after it is refused with the duration to write: "
            + "java.time read -P-1D as a day's delay and -PT-5S as a timeout of 5s")
    void aMinusBeforeAndInsideIso8601IsRefusedWithTheDurationToWrite(String option, String value, String example) {
        var run = shared.run("enqueue", "t", "--payload", "{}", option, value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '" + option + "': '" + value + "' has a minus "
                + "before the P and another after it, which ISO-8601 reads as plus; write " + example
                + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"-0, 0", "-00, 00", "- 0, 0"})
    @DisplayName("a --delay of a bare -0 is told what 0 is told, that it has no unit: it is 0, as -0s is, and was told "
            + "it is negative")
    void minusZeroDelayWithoutAUnitIsToldWhatZeroIsTold(String value, String zero) {
        var unsigned = shared.run("enqueue", "t", "--payload", "{}", "--delay", zero);
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(unsigned.err()).startsWith("Invalid value for option '--delay': '" + zero + "' has no unit; write ");
        assertThat(run.err()).doesNotContain("negative")
                .isEqualTo(unsigned.err().replace("'" + zero + "' has no unit", "'" + value + "' has no unit"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0", "- 00"})
    @DisplayName("a --timeout of a bare -0 is told it must be positive, as 0 is, not that it is negative")
    void minusZeroTimeoutWithoutAUnitIsToldItMustBePositive(String value) {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--timeout must be positive, got 0; leave it out for the default, 30s"
                + System.lineSeparator());
    }

    @Test
    @DisplayName("a --timeout of -0s is told it must be positive, as 0s is, not that it is negative")
    void minusZeroTimeoutIsToldItMustBePositive() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "-0s");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be positive, got 0s").doesNotContain("negative");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "--delay | -5s<ESC>[31m | '-5s\\u001b[31m' is not a duration",
            "--delay | -5s<LF> | '-5s\\n' is negative; write a duration such as 30s or 5m",
            "--timeout | -1m<LF> | '-1m\\n' is negative",
            // DurationFormat's refusal, passed on
            "--delay | 5x<ESC>[31m | '5x\\u001b[31m' is not a duration",
            "--timeout | so<LF>on | 'so\\non' is not a duration",
            "--at | 2027-01-01T10:00:00Z<ESC>[31m | '2027-01-01T10:00:00Z\\u001b[31m' is not an instant; write ISO-8601",
            "--at | 2027-02-30T00:00:00Z<LF> | '2027-02-30T00:00:00Z\\n' is not an instant: Invalid date 'FEBRUARY 30'",
            "--at | 2027-01-01T10:00:00+25:00<LF> | '2027-01-01T10:00:00+25:00\\n' is not an instant: its offset +25:00 is "
                    + "outside -18:00 to +18:00",
            "--at | +10000-01-01T00:00:00Z<LF> | '+10000-01-01T00:00:00Z\\n' is outside the years 1 to 9999",
            "--at | 10000-01-01T00:00:00Z<ESC> | '10000-01-01T00:00:00Z\\u001b' is outside the years 1 to 9999",
            "--at | 00001-01-01T00:00:00Z<ESC> | '00001-01-01T00:00:00Z\\u001b' is not an instant: its year 00001 has 5 "
                    + "digits, where ISO-8601 writes a year up to 9999 with 4; write 0001-01-01T00:00:00Z\\u001b"})
    @DisplayName("a --delay, --timeout or --at refused repeats the value with its control characters escaped")
    void aRefusedDurationOrInstantIsRepeatedEscaped(String option, String written, String refusal) {
        // each repeated the value raw: a value read from a file ("$(cat when)") split the refusal with its newline, and
        // an ANSI escape in it repainted the terminal
        String value = written.replace("<LF>", "\n").replace("<ESC>", "\u001b");

        var run = shared.run("enqueue", "t", "--payload", "{}", option, value);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '" + option + "': " + refusal)
                .doesNotContain("\u001b");
    }

    @Test
    @DisplayName("a long --at or --delay refused is repeated cut, with its length")
    void aLongRefusedInstantOrDelayIsRepeatedCut() {
        // repeated whole: 10,000 characters (a file given where a value was meant) went into one line
        var at = shared.run("enqueue", "t", "--payload", "{}", "--at", "x".repeat(10_000));
        assertThat(at.err()).startsWith("Invalid value for option '--at': '" + "x".repeat(60) + "…' (10000 characters) "
                + "is not an instant; write ISO-8601");

        var delay = shared.run("enqueue", "t", "--payload", "{}", "--delay", "9".repeat(10_000) + "s");
        assertThat(delay.err()).startsWith("Invalid value for option '--delay': a delay of " + "9".repeat(60) + "… ends "
                + "past 9999-12-31T23:59:59.999999999Z");
    }

    @Test
    void instantWithoutZoneIsAUsageErrorWithAnExample() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--at", "2030-01-01 09:00");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--at': '2030-01-01 09:00' is not an instant; write "
                + "ISO-8601 with a zone, e.g. 2026-12-25T09:00:00Z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10000-01-01T00:00:00Z | is outside the years 1 to 9999",
            "2027-02-30T00:00:00Z | is not an instant: Invalid date 'FEBRUARY 30'; write a date and time that exist",
            "2027-01-01T25:00:00+01:00 | is not an instant: Invalid value for HourOfDay (valid values 0 - 23): 25; "
                    + "write a date and time that exist",
            // the offset out of range was told "Value out of range: Hour[0-23]", as if the hour 10 were wrong
            "2027-01-01T10:00:00+25:00 | is not an instant: its offset +25:00 is outside -18:00 to +18:00; write an "
                    + "offset in them, or Z for UTC",
            // java.time reads a lowercase t as T, and so was told of the hour again
            "2027-01-01t10:00:00+25:00 | is not an instant: its offset +25:00 is outside -18:00 to +18:00; write an "
                    + "offset in them, or Z for UTC",
            // year 1 written with five digits was told it is outside the years 1 to 9999, which it is not
            "00001-01-01T00:00:00Z | is not an instant: its year 00001 has 5 digits, where ISO-8601 writes a year "
                    + "up to 9999 with 4; write 0001-01-01T00:00:00Z",
            "02027-06-01T10:00:00+01:00 | is not an instant: its year 02027 has 5 digits, where ISO-8601 writes a "
                    + "year up to 9999 with 4; write 2027-06-01T10:00:00+01:00",
            "00000-01-01T00:00:00Z | is outside the years 1 to 9999"})
    @DisplayName("an instant with its zone whose year, date or time is wrong says which, not to add the zone it has")
    void anInstantWithItsZoneButAWrongDateSaysWhatIsWrong(String value, String problem) {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--at", value);

        // Before: '… is not an instant; write ISO-8601 with a zone, e.g. 2026-12-25T09:00:00Z …' for all three
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--at': '" + value + "' " + problem);
    }

    @Test
    void atWithAnOffsetIsAccepted() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--at", "2999-01-01T10:00:00+01:00");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(shared.queue().stats("default").delayed()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--at | 0000-06-01T00:00:00Z | Invalid value for option '--at': '0000-06-01T00:00:00Z' is outside the years 1 to 9999",
            "--at | +10000-01-01T00:00:00Z | Invalid value for option '--at': '+10000-01-01T00:00:00Z' is outside the years 1 to 9999",
            "--timeout | PT0.0005S | --timeout must be at least 1ms, got PT0.0005S",
            "--delay | 1000000000000d | jobq enqueue: a delay of 1000000000000d from "})
    @DisplayName("a value the parser reads but the queue refuses is a usage error (exit 2) naming it, not a failure "
            + "at run time (exit 1)")
    void aValueTheQueueRefusesIsAUsageError(String option, String value, String message) {
        var run = shared.run("enqueue", "t", "--payload", "{}", option, value);

        // Before: exit 1, 'jobq enqueue failed: scheduledFor must be in the years 1 to 9999, …' (or the timeout's, the delay's)
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(message);
        assertThat(shared.queue().stats("default").waiting() + shared.queue().stats("default").delayed()).isZero();
    }

    @Test
    void aJobTypeLongerThanAQueueTakesIsAUsageError() {
        var run = shared.run("enqueue", "t".repeat(256), "--payload", "{}");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("jobq enqueue: job type 'ttt").contains("is 256 characters long, longer than "
                + "the 255 a job type may have");
    }

    /** A trailing newline from a shell ($'email:send\n', $(cat type.txt)) was taken, and the job dead-lettered as unknown. */
    @Test
    void aJobTypeWithAControlCharacterIsAUsageError() {
        var run = shared.run("enqueue", "email:send\n", "--payload", "{}");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("jobq enqueue: job type \"email:send\\n\" has a control character");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    /**
     * The type was checked only by the open queue: with SQS out of reach one with a control character or 256
     * characters was told as SQS's failure (exit 1, which Restart=on-failure retries), with it in reach as the type.
     */
    @Test
    @DisplayName("a job type enqueue refuses is a usage error in the same words before anything connects: with SQS "
            + "out of reach it was told as SQS's failure, exit 1")
    void aJobTypeEnqueueRefusesIsAUsageErrorWhileTheProviderIsDown() throws Exception {
        Path file = sqsDown();

        for (String type : List.of("email:send\n", "t".repeat(256))) {
            var down = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "enqueue", type, "--config", file.toString());
            var inReach = shared.run("enqueue", type);

            assertThat(down.exitCode()).as(down.err()).isEqualTo(2);
            assertThat(inReach.exitCode()).as(inReach.err()).isEqualTo(2);
            assertThat(down.err()).as(type).contains(inReach.err().lines().filter(l -> l.contains("job type"))
                    .findFirst().orElseThrow()).doesNotContain("127.0.0.1");
        }
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    void zeroTimeoutIsAUsageErrorInTheFormItWasGiven() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "0s");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be positive, got 0s").doesNotContain("PT0S");
    }

    @Test
    @DisplayName("a bare 0 for --timeout is told that it must be positive, not offered 0ms, 0s, 0m or 0h, each "
            + "refused as not positive")
    void aBareZeroTimeoutIsToldItMustBePositive() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be positive, got 0; leave it out for the default, 30s"
                + System.lineSeparator())
                .doesNotContain("0ms");
    }

    @Test
    @DisplayName("a bare number for --timeout is offered only the forms a job carries: the largest long was offered "
            + "it in seconds too, refused once written as past the most a job carries")
    void aBareNumberTimeoutIsOfferedOnlyTheFormsAJobCarries() {
        String max = String.valueOf(Long.MAX_VALUE);
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", max);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--timeout': '" + max + "' has no unit; write " + max
                + "ms" + System.lineSeparator());
        var written = shared.run("enqueue", "t", "--payload", "{}", "--timeout", max + "ms");
        assertThat(written.exitCode()).as("the form offered, written back: %s", written.err()).isZero();
        assertThat(shared.run("enqueue", "t", "--payload", "{}", "--timeout", max + "s").err())
                .as("the form no longer offered").contains("--timeout must be at most");
    }

    @Test
    @DisplayName("a --timeout under 1ms is a usage error naming the option before anything connects: with SQS out "
            + "of reach it was told as SQS's failure, exit 1")
    void aTimeoutUnderOneMillisecondIsAUsageErrorWhileTheProviderIsDown() throws Exception {
        Path file = sqsDown();

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "enqueue", "t", "--timeout", "PT0.0005S", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be at least 1ms, got PT0.0005S").doesNotContain("127.0.0.1");
    }

    /**
     * A job's timeout travels in whole milliseconds as a long: a longer --timeout (999999999999d, meant as "no limit")
     * was refused only once the queue was open, so with SQS out of reach the command failed as SQS's failure (exit 1,
     * which Restart=on-failure retries), and with it in reach in the builder's words, "got PT23999999976H", with
     * "Duration.ofDays(365)" as the fix to type on a command line.
     */
    @Test
    @DisplayName("a --timeout longer than a job carries is a usage error naming the option and the longest, in the "
            + "form given, before anything connects")
    void aTimeoutLongerThanAJobCarriesIsAUsageErrorWhileTheProviderIsDown() throws Exception {
        Path file = sqsDown();
        String refusal = "--timeout must be at most 106751991167d7h12m55s807ms (9223372036854775807 ms), got 999999999999d: "
                + "a job's timeout travels in whole milliseconds; for no practical limit give a long one, such as 365d";

        var down = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "enqueue", "t", "--timeout", "999999999999d", "--config", file.toString());
        var inReach = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "999999999999d");

        assertThat(down.exitCode()).as(down.err()).isEqualTo(2);
        assertThat(down.err()).contains(refusal).doesNotContain("127.0.0.1");
        assertThat(inReach.exitCode()).as(inReach.err()).isEqualTo(2);
        assertThat(inReach.err()).contains(refusal).doesNotContain("Duration.of");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --timeout too large to hold is repeated escaped and cut in its refusal, as --delay's is")
    void aTimeoutTooLargeToHoldIsRepeatedEscapedAndCut() {
        // read from a file, "$(cat t)": its newline split the refusal over two lines, and 300 digits went in whole
        var twoLines = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "99999999999999999999s\n5s");
        String digits = "9".repeat(300) + "s";
        var long_ = shared.run("enqueue", "t", "--payload", "{}", "--timeout", digits);

        assertThat(twoLines.exitCode()).isEqualTo(2);
        assertThat(twoLines.err()).contains("), got 99999999999999999999s\\n5s: a job's timeout travels");
        assertThat(long_.err()).contains("), got " + "9".repeat(60) + "…: a job's timeout travels")
                .doesNotContain("9".repeat(61));
    }

    @Test
    @DisplayName("a --timeout or --delay that is no duration is repeated cut in its refusal, its fix whole, as "
            + "--max-time's is")
    void aDurationThatIsNoneIsRepeatedCutWithItsFixWhole() {
        // 300 digits without a unit, or a payload's JSON given to --delay by mistake, went into the refusal whole
        String digits = "9".repeat(300);
        var timeout = shared.run("enqueue", "t", "--payload", "{}", "--timeout", digits);
        String json = "{\"to\":\"" + "a".repeat(300) + "@example.com\"}";
        var delay = shared.run("enqueue", "t", "--payload", "{}", "--delay", json);

        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("Invalid value for option '--timeout': '" + "9".repeat(60) + "…' (300 "
                + "characters) has no unit, and is too large for a duration in any of ms, s, m and h; write a smaller "
                + "number with its unit, such as 30s").doesNotContain("9".repeat(61));
        assertThat(delay.exitCode()).isEqualTo(2);
        assertThat(delay.err()).contains("Invalid value for option '--delay': '" + json.substring(0, 60) + "…' ("
                + json.length() + " characters) is not " + DurationFormat.EXPECTED).doesNotContain("a".repeat(61));
    }

    @Test
    @DisplayName("a --timeout too large to hold is refused as longer than a job carries, with the longest, as one "
            + "that a duration holds is, not as 'too large for a duration'")
    void aTimeoutTooLargeToHoldIsRefusedWithTheLongest() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "99999999999999999999s");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be at most 106751991167d7h12m55s807ms (9223372036854775807 ms), "
                + "got 99999999999999999999s: a job's timeout travels in whole milliseconds; for no practical limit "
                + "give a long one, such as 365d");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --timeout past the longest a job carries by less than a millisecond is shown as given, in ISO-8601, "
            + "not cut to the longest it is refused as beyond")
    void aTimeoutPastTheLongestByLessThanAMillisecondIsNotShownAsTheLongest() {
        // it was refused as "must be at most 106751991167d7h12m55s807ms …, got 106751991167d7h12m55s807ms"
        var run = shared.run("enqueue", "t", "--payload", "{}", "--timeout", "PT9223372036854775.8075S");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be at most 106751991167d7h12m55s807ms (9223372036854775807 ms), "
                + "got PT2562047788015H12M55.8075S: ");
        assertThat(shared.queue().stats("default").waiting()).isZero();
    }

    @Test
    @DisplayName("a --delay too large to hold is refused as ending past the last instant a job can be due, as one that "
            + "a duration holds is, not as 'too large for a duration'")
    void aDelayTooLargeToHoldIsRefusedWithTheLastInstantAJobCanBeDue() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--delay", "99999999999999999999s");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Invalid value for option '--delay': a delay of 99999999999999999999s ends past "
                + "9999-12-31T23:59:59.999999999Z, the last instant a job can be due; give a shorter delay");
        assertThat(shared.queue().stats("default").waiting() + shared.queue().stats("default").delayed()).isZero();
    }

    @Test
    void zeroMaxAttemptsIsAUsageError() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--max-attempts", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--max-attempts must be ≥ 1, got 0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "enqueue t --payload {} | --queue | --queue is empty; give a configured queue's name, or leave the option out for the default queue",
            "schedule add t --at 2030-01-01T00:00:00Z --payload {} | --queue | --queue is empty; give a configured queue's name, or leave the option out for the default queue",
            "recurring add n t --schedule @daily | --queue | --queue is empty; give a configured queue's name, or leave the option out for the default queue",
            "enqueue t --payload {} | --dedup-key | --dedup-key is empty; give a key such as email:send:42, or leave the option out"})
    @DisplayName("a blank --queue or --dedup-key (an empty shell variable) is a usage error naming the option, "
            + "before anything is read or connected")
    void blankJobOptionIsAUsageErrorNamingIt(String command, String option, String message) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of(option, " "));

        var run = CommandRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(message + System.lineSeparator());
    }

    @Test
    void unknownQueueIsRejectedWithTheConfiguredOnes() {
        var run = shared.run("enqueue", "t", "--payload", "{}", "--queue", "nope");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq enqueue: unknown queue 'nope' (configured: default, reports)");
    }

    @Test
    @DisplayName("an unknown --queue is repeated with its control characters escaped")
    void anUnknownQueueIsRepeatedEscaped() {
        // repeated raw: a name read from a file ("$(cat queue)") with a newline or an ANSI escape went to the terminal
        var run = shared.run("enqueue", "t", "--payload", "{}", "--queue", "x\u001b[31my\nz");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq enqueue: unknown queue 'x\\u001b[31my\\nz' (configured: default, reports)")
                .doesNotContain("\u001b");
    }

    @Test
    @DisplayName("without --config, JOBQ_CONFIG names the file; a queue built by the command warns it is process-local")
    void configFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("from-env.yaml"), "provider:\n  type: memory\n");

        var run = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", file.toString()), QueueOpener.building()),
                "enqueue", "t", "--payload", "{}");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("jobq enqueue: note: queue 'default' is a memory queue (type: memory)");
    }

    /**
     * A queue name may hold a U+202E (taken, as a job type is): the note that a memory queue is process-local is
     * printed straight to stderr, not through the failure reporter that escapes, and named it raw.
     */
    @Test
    @DisplayName("the memory-queue note names a queue with a U+202E escaped")
    void theMemoryQueueNoteNamesTheQueueEscaped() throws Exception {
        Path file = Files.writeString(dir.resolve("rlo.yaml"), """
                provider:
                  type: memory
                queues:
                  "bills\u202Efdp.exe":
                    type: memory
                """);

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "enqueue", "t", "--payload", "{}", "--queue", "bills\u202Efdp.exe", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("jobq enqueue: note: queue 'bills\\u202efdp.exe' is a memory queue (type: memory)")
                .doesNotContain("\u202E");
    }

    /**
     * A job for now, without a deduplication key, goes to the provider and never to the scheduler: enqueue opened the
     * scheduler's store all the same, so with that database down (or an H2 file a running worker holds) it failed,
     * exit 1, and enqueued nothing to a queue that answered.
     */
    @Test
    @DisplayName("enqueue of a job for now works while the scheduler's store is out of reach; one that the scheduler "
            + "may hold or that has a --dedup-key still needs it")
    void aJobForNowIsEnqueuedWithoutTheSchedulersStore() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                """);
        var building = CommandRun.context(Map.of(), QueueOpener.building());

        var now = CommandRun.in(building, "enqueue", "t", "--payload", "{}", "--config", file.toString());
        assertThat(now.exitCode()).as(now.err()).isZero();
        assertThat(now.out().strip()).isNotEmpty();

        for (String[] needsIt : List.of(new String[] {"--dedup-key", "k"},
                new String[] {"--at", "2031-12-25T09:00:00Z"})) {
            var run = CommandRun.in(building, Stream.concat(Stream.of("enqueue", "t", "--config", file.toString()),
                    Stream.of(needsIt)).toArray(String[]::new));
            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).as(needsIt[0]).contains("scheduler: cannot connect to PostgreSQL at 127.0.0.1:1/jobq");
        }
    }

    /**
     * A job --at an instant that has passed runs at once: the queue sends it to the provider, never to the scheduler
     * (the scheduler holds jobs for an instant still to come). enqueue opened the scheduler's store for any --at all
     * the same, so with that database down a job for a passed instant (a script's timestamp, computed before) failed,
     * exit 1, and enqueued nothing to a queue that answered, while the same job without --at went through.
     */
    @Test
    @DisplayName("enqueue --at an instant that has passed works while the scheduler's store is out of reach")
    void aJobAtAPassedInstantIsEnqueuedWithoutTheSchedulersStore() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler-down-passed.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                """);

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "enqueue", "t",
                "--at", "2020-01-01T00:00:00Z", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isNotEmpty();
    }

    /**
     * The scheduler's error names the database and quotes the driver's root reason; the pool's exception between them
     * (Hikari's "Failed to initialize pool: Connection to … refused. Check that the hostname …") was appended as well,
     * as its words are not the root's: the one refused connection said twice, with a class name of the pool's.
     */
    @Test
    @DisplayName("a scheduler's database that is down is said once: jobq's sentence, without the pool's beside it")
    void aSchedulersDatabaseDownIsSaidOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler-down-once.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: false
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                """);

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "enqueue", "t",
                "--at", "2031-12-25T09:00:00Z", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("jobq enqueue failed: scheduler: cannot connect to PostgreSQL at "
                + "127.0.0.1:1/jobq: Connection refused; check scheduler.jdbcUrl, username and password, and that the "
                + "database is running" + System.lineSeparator());
    }

    /**
     * A delay the queue's provider holds goes to it, never to the scheduler: enqueue opened the scheduler's store for
     * any --delay all the same, so with that database down a 30-second delay on SQS (which holds up to 15 minutes)
     * failed, exit 1, and enqueued nothing to a queue that answered.
     */
    @Test
    @DisplayName("enqueue --delay works while the scheduler's store is out of reach when the provider holds the "
            + "delay; a delay past the provider's limit still needs it and says so")
    void aDelayTheProviderHoldsIsEnqueuedWithoutTheSchedulersStore() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0)) {
            String url = sqs.createQueue("delayed", Map.of());
            var keys = new StringBuilder();
            sqs.connectionSettings().forEach((key, value) -> keys.append("  ").append(key).append(": ").append(value)
                    .append('\n'));
            Path file = Files.writeString(dir.resolve("scheduler-down-sqs.yaml"), """
                    provider:
                    %s  queueUrl: %s
                      deadLetter: discard
                    scheduler:
                      enabled: false
                      jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                    """.formatted(keys, url));
            var building = CommandRun.context(Map.of(), QueueOpener.building());

            var held = CommandRun.in(building, "enqueue", "t", "--delay", "30s", "--config", file.toString());
            assertThat(held.exitCode()).as(held.err()).isZero();
            assertThat(sqs.client().getQueueAttributes(r -> r.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes())
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "1");

            var beyond = CommandRun.in(building, "enqueue", "t", "--delay", "1h", "--config", file.toString());
            assertThat(beyond.exitCode()).as(beyond.err()).isEqualTo(1);
            assertThat(beyond.err()).contains("scheduler: cannot connect to PostgreSQL at 127.0.0.1:1/jobq");
        }
    }

    @Test
    @DisplayName("stats does not open the scheduler's store, which it never reads: it works while that store is "
            + "out of reach (an H2 file a running worker holds, a database that is down)")
    void statsWithoutTheSchedulersStore() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: true
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                """);

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "stats", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+0\\s+0$");
    }

    @Test
    @DisplayName("a command that fails at run time shows the provider's error with the secrets of the URLs in it "
            + "masked, as /health and the logs show it")
    void aFailureOnStderrShowsTheSecretsOfUrlsMasked() {
        var provider = new AlteredProvider(true);
        // as an SDK or a driver may word it: naming the URL it was given, and a cause naming another
        provider.failStats(new IllegalStateException("GetQueueAttributes on https://sqs.us-east-1.amazonaws.com/"
                + "123456789012/jobs?X-Amz-Security-Token=S3CRET-token failed",
                new IllegalStateException("cannot reach postgresql://jobs:S3CRET-pw@db.internal:5432/queue")));
        try (var down = new SharedQueue(JobQueue.builder().provider(provider).environment(Map.of()).build(), dir)) {
            var run = down.run("stats");

            assertThat(run.exitCode()).isEqualTo(1);
            // Before, each secret as it is: 'jobq stats failed: GetQueueAttributes on https://…?X-Amz-Security-Token=S3CRET-token …'
            assertThat(run.err()).startsWith("jobq stats: queue 'default': its stats cannot be read: GetQueueAttributes "
                            + "on https://sqs.us-east-1.amazonaws.com/"
                            + "123456789012/jobs?X-Amz-Security-Token=**** failed")
                    .contains("postgresql://jobs:****@db.internal:5432/queue").doesNotContain("S3CRET");
        }
    }

    /** Each cause was appended until one was its own cause: a chain of two that point at each other never ended. */
    @Test
    @DisplayName("a failure whose causes form a loop is told once each, and the command ends")
    void aFailureWhoseCausesLoopIsToldAndTheCommandEnds() {
        var provider = new AlteredProvider(true);
        var outer = new IllegalStateException("GetQueueAttributes failed");
        var inner = new IllegalStateException("socket closed");
        outer.initCause(inner);
        inner.initCause(outer);
        provider.failStats(outer);
        try (var down = new SharedQueue(JobQueue.builder().provider(provider).environment(Map.of()).build(), dir)) {
            var run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> down.run("stats"));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("jobq stats: queue 'default': its stats cannot be read: GetQueueAttributes "
                    + "failed; caused by java.lang.IllegalStateException: socket closed" + System.lineSeparator());
        }
    }

    /** A queue named with a U+202E whose stats cannot be read: its stderr line named it, and the error, raw. */
    @Test
    @DisplayName("stats names an unreadable queue with a U+202E escaped, in its error too")
    void anUnreadableQueuesLineIsEscaped() {
        var provider = new AlteredProvider(true);
        provider.failStats(new IllegalStateException("queue 'bills\u202Efdp.exe' is gone"));
        try (var partly = new SharedQueue(JobQueue.builder().provider("memory").queue("bills\u202Efdp.exe", provider)
                .environment(Map.of()).build(), dir)) {
            var run = partly.run("stats");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("jobq stats: queue 'bills\\u202efdp.exe': its stats cannot be read: queue "
                    + "'bills\\u202efdp.exe' is gone").doesNotContain("\u202E");
            assertThat(run.out()).doesNotContain("\u202E");
        }
    }

    @Test
    @DisplayName("stats shows the queues it can read when one queue's stats cannot be read: that one with '?' and "
            + "its error (secrets masked) on stderr, exit 1")
    void oneUnreadableQueueDoesNotHideTheOthers() {
        var provider = new AlteredProvider(true);
        provider.failStats(new IllegalStateException("GetQueueAttributes on http://AKIA:S3CRET@127.0.0.1:1/q failed"));
        try (var partly = new SharedQueue(JobQueue.builder().provider("memory").queue("broken", provider)
                .queue("reports", "memory", Map.of()).environment(Map.of()).build(), dir)) {
            partly.queue().enqueue("t", null);

            var run = partly.run("stats");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).containsPattern("(?m)^default\\s+1\\s+0\\s+0\\s+0$")
                    .containsPattern("(?m)^broken\\s+\\?\\s+\\?\\s+\\?\\s+\\?$")
                    .containsPattern("(?m)^reports\\s+0\\s+0\\s+0\\s+0$");
            assertThat(run.err()).contains("jobq stats: queue 'broken': its stats cannot be read: GetQueueAttributes on "
                    + "http://AKIA:****@127.0.0.1:1/q failed").doesNotContain("S3CRET");

            var json = partly.run("stats", "--json");
            assertThat(json.exitCode()).isEqualTo(1);
            assertThat(json.out().strip()).isEqualTo("[{\"queue\":\"default\",\"waiting\":1,\"delayed\":0,"
                    + "\"inFlight\":0,\"dead\":0},{\"queue\":\"reports\",\"waiting\":0,\"delayed\":0,\"inFlight\":0,"
                    + "\"dead\":0},{\"queue\":\"broken\",\"waiting\":null,\"delayed\":null,\"inFlight\":null,"
                    + "\"dead\":null,\"error\":\"GetQueueAttributes on http://AKIA:****@127.0.0.1:1/q failed\"}]");

            var other = partly.run("stats", "--queue", "reports");
            assertThat(other.exitCode()).as(other.err()).isZero();
        }
    }

    /**
     * The provider's text is written as jobq writes all outside text, as on the "jobq … failed:" line and in /health:
     * its line break as the escape {@code \n}. Joined as a space (before FailureText escaped it) the table's reader and
     * a JSON consumer could not tell the provider's two lines from one.
     */
    @Test
    @DisplayName("stats writes a line break in a queue's error as the escape \\n, on stderr and in the JSON error")
    void aLineBreakInAQueuesErrorIsWrittenAsAnEscape() {
        var provider = new AlteredProvider(true);
        provider.failStats(new IllegalStateException("GetQueueAttributes failed\nHTTP 503"));
        try (var partly = new SharedQueue(JobQueue.builder().provider("memory").queue("broken", provider)
                .environment(Map.of()).build(), dir)) {
            var run = partly.run("stats", "--queue", "broken");
            var json = partly.run("stats", "--queue", "broken", "--json");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("jobq stats: queue 'broken': its stats cannot be read: GetQueueAttributes "
                    + "failed\\nHTTP 503\n");
            assertThat(json.out().strip()).isEqualTo("[{\"queue\":\"broken\",\"waiting\":null,\"delayed\":null,"
                    + "\"inFlight\":null,\"dead\":null,\"error\":\"GetQueueAttributes failed\\\\nHTTP 503\"}]");
        }
    }

    @Test
    @DisplayName("stats shows the queues it can open when one queue's provider cannot be opened (SQS out of reach)")
    void oneQueueThatCannotBeOpenedDoesNotHideTheOthers() throws Exception {
        Path file = Files.writeString(dir.resolve("one-down.yaml"), """
                provider:
                  type: memory
                queues:
                  remote:
                %s
                  reports:
                    type: memory
                """.formatted(UnreachableSqs.keys(4)));

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "stats", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+0\\s+0$")
                .containsPattern("(?m)^remote\\s+\\?\\s+\\?\\s+\\?\\s+\\?$")
                .containsPattern("(?m)^reports\\s+0\\s+0\\s+0\\s+0$");
        assertThat(run.err()).contains("jobq stats: queue 'remote': its stats cannot be read: ")
                .doesNotContain("\tat ");

        var one = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "stats", "--queue", "reports", "--config", file.toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(one.out()).containsPattern("(?m)^reports\\s+0\\s+0\\s+0\\s+0$").doesNotContain("remote");
    }

    /**
     * The provider's error already quotes the SDK's message, and the SDK's exception quotes its cause's: each cause
     * appended after it ("; caused by …") said the same again, three times the one refused connection in one line.
     */
    @Test
    @DisplayName("stats of a queue whose SQS is out of reach says the SDK's failure once, with the queue, its "
            + "endpoint and what to check, on stderr and in the JSON error")
    void anUnreadableQueuesErrorSaysItsCauseOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("one-down.yaml"), UnreachableSqs.remoteBesideMemory());
        var building = CommandRun.context(Map.of(), QueueOpener.building());

        var run = CommandRun.in(building, "stats", "--config", file.toString());
        var json = CommandRun.in(building, "stats", "--json", "--config", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        String line = run.err().lines().filter(l -> l.startsWith("jobq stats: queue 'remote'")).findFirst().orElseThrow();
        assertThat(json.exitCode()).as(json.err()).isEqualTo(1);
        String error = JsonMapper.builder().build().readTree(json.out()).get(1).get("error").asText();
        for (String text : List.of(line, error)) {
            assertThat(text).contains("jobq queue 'remote': reading the attributes of queue "
                            + "http://127.0.0.1:1/000000000000/jobs failed: ")
                    .contains("(check region us-east-1, endpoint http://127.0.0.1:1, the accessKeyId and "
                            + "secretAccessKey of this section and the IAM actions in docs/sqs.md)");
            assertThat(text.split("Connection refused", -1)).as(text).hasSize(2);
            assertThat(text.split("SDK Attempt Count", -1)).as(text).hasSize(2);
        }
    }

    /**
     * Before, stats --queue Q first opened the whole file, which failed on Q after the SDK's retries, and then opened
     * Q's provider alone, which failed the same way after as many: twice the wait, for one answer.
     */
    @Test
    @DisplayName("stats --queue Q whose SQS endpoint does not answer waits out the SDK's retries once, not twice")
    void statsOfAQueueOutOfReachTriesItOnce() throws Exception {
        try (var endpoint = new CountingEndpoint()) {
            Path file = endpoint.remoteQueueFile(dir);
            int once = endpoint.connectionsOfOneOpening(file);

            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "stats", "--queue", "remote", "--config", file.toString());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).containsPattern("(?m)^remote\\s+\\?\\s+\\?\\s+\\?\\s+\\?$");
            assertThat(run.err()).contains("jobq stats: queue 'remote': its stats cannot be read: ");
            assertThat(endpoint.connections() - once).as("connections of stats --queue remote").isEqualTo(once);
        }
    }

    /**
     * Before, stats without --queue first opened the whole file, which failed on the queue out of reach after the
     * SDK's retries, and then opened each queue's provider alone, that one failing the same way after as many: twice
     * the wait for one answer, in the common case of a file with one SQS queue too (84 s, not 42 s).
     */
    @Test
    @DisplayName("stats of every queue, one of them on an SQS endpoint that does not answer, waits out the SDK's "
            + "retries once, not twice, and still counts the others")
    void statsOfEveryQueueTriesTheOneOutOfReachOnce() throws Exception {
        try (var endpoint = new CountingEndpoint()) {
            Path file = endpoint.remoteQueueFile(dir);
            int once = endpoint.connectionsOfOneOpening(file);

            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "stats", "--config", file.toString());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+0\\s+0$")
                    .containsPattern("(?m)^remote\\s+\\?\\s+\\?\\s+\\?\\s+\\?$");
            assertThat(run.err()).contains("jobq stats: queue 'remote': its stats cannot be read: ");
            assertThat(endpoint.connections() - once).as("connections of stats").isEqualTo(once);
        }
    }

    /** As for stats --queue: each provider opened alone first must not be opened again in the whole file's queue. */
    @Test
    @DisplayName("stats of every queue, one of them on a reachable SQS queue, opens that queue once and counts all")
    void statsOfEveryQueueOpensAReachableOneOnce() throws Exception {
        try (var sqs = ReachableSqs.start(dir)) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "stats", "--config", sqs.file().toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+0\\s+0$")
                    .containsPattern("(?m)^remote\\s+0\\s+\\?\\s+\\?\\s+0$");
            assertThat(sqs.discardLines()).as("start-up lines of the queue").hasSize(1);
        }
    }

    /**
     * stats --queue Q opened the whole file around Q's provider: every other queue's provider too, so one whose SQS
     * endpoint does not answer held the command for the SDK's retries (42 s by default) before Q, which answered, was
     * opened again alone and counted.
     */
    @Test
    @DisplayName("stats --queue Q does not wait for another queue whose SQS endpoint does not answer, and opens Q once")
    void statsOfAQueueDoesNotWaitForAnotherOutOfReach() throws Exception {
        try (var sqs = ReachableSqs.start(dir); var endpoint = new CountingEndpoint()) {
            Path file = Files.writeString(dir.resolve("other-down.yaml"), Files.readString(sqs.file())
                    + "  other:\n" + endpoint.sqsKeys(4) + "\n");

            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "stats", "--queue", "remote", "--config", file.toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).containsPattern("(?m)^remote\\s+0\\s+\\?\\s+\\?\\s+0$");
            assertThat(endpoint.connections()).as("connections to the other queue's endpoint").isZero();
            assertThat(sqs.discardLines()).as("start-up lines of the queue").hasSize(1);
        }
    }

    /** A memory queue was not opened alone first: the whole file was, every other queue's provider with it. */
    @Test
    @DisplayName("stats --queue and dead-letters list --queue of a memory queue do not wait for another queue whose SQS "
            + "endpoint does not answer")
    void aMemoryQueueOfItsOwnDoesNotWaitForAnotherOutOfReach() throws Exception {
        try (var endpoint = new CountingEndpoint()) {
            Path file = endpoint.remoteQueueFile(dir);
            var building = CommandRun.context(Map.of(), QueueOpener.building());

            var stats = CommandRun.in(building, "stats", "--queue", "default", "--config", file.toString());
            var dead = CommandRun.in(building, "dead-letters", "list", "--queue", "default", "--config",
                    file.toString());

            assertThat(stats.exitCode()).as(stats.err()).isZero();
            assertThat(stats.out()).containsPattern("(?m)^default\\s+0\\s+0\\s+0\\s+0$");
            assertThat(dead.exitCode()).as(dead.err()).isZero();
            assertThat(dead.out()).startsWith("ID");
            for (String err : List.of(stats.err(), dead.err())) {
                assertThat(err.split("queue 'default' is a memory queue", -1)).as(err).hasSize(2);
            }
            assertThat(endpoint.connections()).as("connections to the other queue's endpoint").isZero();
        }
    }

    /** Opened alone first, the queue must not then be opened again in the whole file's queue, its start-up twice. */
    @Test
    @DisplayName("stats --queue Q on a reachable SQS queue opens it once")
    void statsOfAReachableQueueOpensItOnce() throws Exception {
        try (var sqs = ReachableSqs.start(dir)) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "stats", "--queue", "remote", "--config", sqs.file().toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).containsPattern("(?m)^remote\\s+0\\s+\\?\\s+\\?\\s+0$");
            assertThat(sqs.discardLines()).as("start-up lines of the queue").hasSize(1);
        }
    }

    @Test
    void statsOfAnUnknownQueueIsAUsageErrorWithTheConfiguredOnes() {
        var run = shared.run("stats", "--queue", "nope");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq stats: unknown queue 'nope' (configured: default, reports)");
    }

    @Test
    void missingConfigFileIsAConfigErrorNamingItAndTheWaysToChoose() {
        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                "enqueue", "t", "--payload", "{}", "--config", dir.resolve("absent.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo(dir.resolve("absent.yaml").toAbsolutePath() + ": no such file; "
                + "choose another with --config FILE or the JOBQ_CONFIG environment variable");
    }

    /** A config file whose SQS provider is out of reach, for the refusals that must come before anything connects. */
    private Path sqsDown() throws IOException {
        return Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                """.formatted(UnreachableSqs.keys(2)));
    }
}

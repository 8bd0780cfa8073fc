package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OptionsJson: the options column")
class OptionsJsonTest {

    private final OptionsJson json = new OptionsJson();

    @Test
    @DisplayName("reads back what it wrote, whichever text it read last")
    void readsBackWhatItWrote() {
        var reports = new JobOptions(5, Duration.ofSeconds(10), 3, "key-1", "reports");
        var mail = new JobOptions(2, Duration.ofMinutes(1), 0, null, "default");
        String reportsText = json.write(reports);
        String mailText = json.write(mail);

        assertThat(json.read(reportsText, () -> "row 1")).isEqualTo(reports);
        assertThat(json.read(reportsText, () -> "row 2")).isEqualTo(reports);
        assertThat(json.read(mailText, () -> "row 3")).isEqualTo(mail);
        assertThat(json.read(reportsText, () -> "row 4")).isEqualTo(reports);
    }

    @Test
    @DisplayName("a column refused is repeated with its control characters escaped and a long one cut")
    void aRefusedColumnIsRepeatedEscapedAndCut() {
        // the column, changed by hand, was repeated raw and whole: a newline in it forged a line of the WARN, and a
        // megabyte of it went into every line that named the row
        assertThatThrownBy(() -> json.read("{\"priority\":1.5,\n\"note\":\"\u001b[31m\"}", () -> "scheduled job 7"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(": '{\"priority\":1.5,\\n\"note\":\"\\u001b[31m\"}'")
                .hasMessageNotContaining("\n").hasMessageNotContaining("\u001b");
        String big = "{\"priority\":1.5,\"note\":\"" + "x".repeat(10_000) + "\"}";
        assertThatThrownBy(() -> json.read(big, () -> "scheduled job 8"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(": '" + big.substring(0, 1000) + "…' (" + big.length() + " characters)");
    }

    @Test
    @DisplayName("a column refused is not repeated raw by the cause of its refusal, in a log line with its stack trace")
    void aRefusedColumnIsNotRepeatedRawByTheCauseOfItsRefusal() {
        // the refusal escaped the column and Jackson's reason, but carried Jackson's exception, whose message repeats
        // the token raw: a log line with the refusal's stack trace had the ANSI escape after "Caused by:"
        assertThatThrownBy(() -> json.read("{\"priority\": x\u001b[31m}", () -> "scheduled job 7"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("x\\u001b")
                .satisfies(refusal -> {
                    var trace = new StringWriter();
                    refusal.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).as("the refusal's stack trace, as a log line shows it")
                            .doesNotContain("\u001b");
                });
    }

    @Test
    @DisplayName("the row's name is asked for only when its text is refused, not on every read")
    void theRowIsNamedOnlyInARefusal() {
        // RecurringJobs.options escaped a recurring job's name for every occurrence handed on, to throw it away
        String text = json.write(new JobOptions(5, Duration.ofSeconds(10), 3, null, "reports"));

        assertThat(json.read(text, () -> {
            throw new AssertionError("the row was named for a text that reads");
        })).isEqualTo(new JobOptions(5, Duration.ofSeconds(10), 3, null, "reports"));
        assertThat(json.read("{\"priority\":4}", () -> {
            throw new AssertionError("the row was named for a text that reads");
        }).priority()).isEqualTo(4);
    }

    @Test
    @DisplayName("a missing field takes its default; text that is not an options object names the row")
    void defaultsAndErrors() {
        assertThat(json.read("{\"queue\":\"reports\"}", () -> "row 1"))
                .isEqualTo(new JobOptions(JobOptions.DEFAULT_MAX_ATTEMPTS, JobOptions.DEFAULT_TIMEOUT,
                        JobOptions.DEFAULT_PRIORITY, null, "reports"));
        assertThatThrownBy(() -> json.read("{not json", () -> "scheduled job 7"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scheduled job 7");
    }

    @Test
    @DisplayName("a field of the wrong JSON type, or text that is not an object, is not read as a default: the row is "
            + "one this process cannot read, named with the field and its value")
    void wrongTypesAreNotReadAsDefaults() {
        assertThatThrownBy(() -> json.read("{\"maxAttempts\":\"five\",\"queue\":\"reports\"}", () -> "scheduled job 8"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scheduled job 8").hasMessageContaining("'maxAttempts' must be a whole number, got \"five\"");
        assertThatThrownBy(() -> json.read("{\"maxAttempts\":true}", () -> "scheduled job 9"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'maxAttempts'");
        assertThatThrownBy(() -> json.read("{\"timeoutMs\":\"PT30S\"}", () -> "scheduled job 10"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'timeoutMs'");
        assertThatThrownBy(() -> json.read("{\"priority\":1.5}", () -> "scheduled job 11"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'priority'");
        assertThatThrownBy(() -> json.read("{\"queue\":42}", () -> "scheduled job 12"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'queue' must be a string, got 42");
        assertThatThrownBy(() -> json.read("{\"deduplicationKey\":7}", () -> "scheduled job 13"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'deduplicationKey'");
        assertThatThrownBy(() -> json.read("[]", () -> "scheduled job 14"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("scheduled job 14");
    }

    @Test
    @DisplayName("a whole number beyond what the field holds is refused saying how far it goes, not that it must be a "
            + "whole number")
    void aWholeNumberBeyondTheFieldsRangeSaysTheRange() {
        assertThatThrownBy(() -> json.read("{\"maxAttempts\":4294967296}", () -> "recurring job 'digest'"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'maxAttempts' must be a whole number from -2147483648 to 2147483647, got "
                        + "4294967296");
        assertThatThrownBy(() -> json.read("{\"timeoutMs\":99999999999999999999}", () -> "scheduled job 16"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'timeoutMs' must be a whole number of milliseconds up to 9223372036854775807, "
                        + "got 99999999999999999999");
    }

    @Test
    @DisplayName("an empty options column is not read as all defaults, whether it is the first text read or not")
    void emptyTextIsNotReadAsDefaults() {
        assertThatThrownBy(() -> new OptionsJson().read("", () -> "recurring job 'digest'"))
                .as("the first text this reader reads")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("recurring job 'digest'");
        json.read("{\"queue\":\"reports\"}", () -> "row 1");
        assertThatThrownBy(() -> json.read("", () -> "scheduled job 15")).as("after another text")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("scheduled job 15");
    }
}

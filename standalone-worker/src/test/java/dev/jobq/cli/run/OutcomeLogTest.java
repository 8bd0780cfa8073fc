package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.metrics.AttemptOutcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutcomeLogTest {

    @Test
    void completedLineHasJobTypeQueueAttemptOutcomeAndDuration() {
        var line = OutcomeLog.line(new AttemptOutcome("default", "j-1", "email:send", 1,
                AttemptOutcome.Kind.COMPLETED, Duration.ofMillis(12), null));

        assertThat(line).isEqualTo("job=j-1 type=email:send queue=default attempt=1 outcome=completed duration=12ms");
    }

    @Test
    void errorIsQuotedWithQuotesAndNewlinesEscaped() {
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-2", "t", 3, AttemptOutcome.Kind.FAILED,
                Duration.ofSeconds(2), "IOException: \"x\"\nnext"));

        assertThat(line).isEqualTo("job=j-2 type=t queue=q attempt=3 outcome=failed duration=2s "
                + "error=\"IOException: \\\"x\\\"\\nnext\"");
    }

    @Test
    void anEscapeTheFailuresTextAlreadyHasIsWrittenOnceNotDoubled() {
        // The failure's text as the worker makes it: a line break in the message is already the escape \n.
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-4", "t", 1, AttemptOutcome.Kind.DEAD, null,
                "IllegalStateException: line one\\nline two\\t\\u001b[31m (attempt 1 of 1)"));

        // Before, error="IllegalStateException: line one\\nline two…": the backslash of each escape doubled.
        assertThat(line).endsWith(" error=\"IllegalStateException: line one\\nline two\\t\\u001b[31m (attempt 1 of 1)\"");
    }

    @Test
    void otherBackslashesAndQuotesAreEscapedSoTheValueCannotEndEarly() {
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-5", "t", 1, AttemptOutcome.Kind.DEAD, null,
                "IOException: C:\\jobs\\ \\\" outcome=completed x=\"\\u12 \\"));

        assertThat(line).endsWith(" error=\"IOException: C:\\\\jobs\\\\ \\\\\\\" outcome=completed x=\\\"\\\\u12 \\\\\"");
        // Read back as logfmt: one quoted value, ending where the line ends, equal to the failure's text.
        String quoted = line.substring(line.indexOf(" error=\"") + 7);
        assertThat(unquote(quoted)).isEqualTo("IOException: C:\\jobs\\ \\\" outcome=completed x=\"\\u12 \\");
    }

    /** A logfmt quoted value ({@code "…"} with \" and \\ escapes; \n, \t and \\u kept as written), which must end the line. */
    private static String unquote(String quoted) {
        assertThat(quoted).startsWith("\"");
        var out = new StringBuilder();
        for (int i = 1; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '"') {
                assertThat(i).as("the value ends where the line does").isEqualTo(quoted.length() - 1);
                return out.toString();
            }
            if (c == '\\' && (quoted.charAt(i + 1) == '"' || quoted.charAt(i + 1) == '\\')) {
                c = quoted.charAt(++i);
            }
            out.append(c);
        }
        throw new AssertionError("unterminated: " + quoted);
    }

    @Test
    void aHandlerFasterThanAMillisecondHasItsDurationInMilliseconds() {
        // The worker's own measure of a quick handler: 0.367352 ms.
        var line = OutcomeLog.line(new AttemptOutcome("default", "j-6", "email:send", 1,
                AttemptOutcome.Kind.COMPLETED, Duration.ofNanos(367_352), null));

        // Before, duration=PT0.000367352S: ISO-8601 among lines that say 12ms and 2s, which a log search
        // comparing durations (`| logfmt | duration > 100ms`) cannot read.
        assertThat(line).endsWith(" outcome=completed duration=0ms");
    }

    @Test
    void aDurationIsWrittenToTheMillisecondAsTheOtherLinesAre() {
        var line = OutcomeLog.line(new AttemptOutcome("default", "j-7", "email:send", 1,
                AttemptOutcome.Kind.COMPLETED, Duration.ofNanos(1_500_999_999L), null));

        assertThat(line).endsWith(" duration=1s500ms");
    }

    @Test
    void jobThatNeverReachedAHandlerHasNoDuration() {
        var line = OutcomeLog.line(new AttemptOutcome("q", "j-3", "unknown", 1, AttemptOutcome.Kind.DEAD, null,
                "no handler"));

        assertThat(line).contains("outcome=dead duration=- error=\"no handler\"");
    }

    /**
     * A job's id and type come from a message anyone with send rights on the queue wrote (a type no handler knows is
     * dead-lettered with its outcome line): one with a space wrote fields of its own into the line, which a log search
     * reading it as key=value pairs took for jobq's.
     */
    @Test
    void anIdOrTypeWithASpaceQuoteOrEqualsIsOneQuotedValueAndWritesNoFieldOfItsOwn() {
        var line = OutcomeLog.line(new AttemptOutcome("default", "j-8 queue=other", "x outcome=completed \"a\"", 1,
                AttemptOutcome.Kind.DEAD, null, "no handler"));

        assertThat(line).isEqualTo("job=\"j-8 queue=other\" type=\"x outcome=completed \\\"a\\\"\" queue=default "
                + "attempt=1 outcome=dead duration=- error=\"no handler\"");
        String type = line.substring(line.indexOf(" type=\"") + 6, line.indexOf(" queue=default"));
        assertThat(unquote(type)).isEqualTo("x outcome=completed \"a\"");
    }

    /**
     * docs/semantics.md (Limits): another producer's job type is read whatever its length, and the worker's lines about
     * the job show it cut after 255 characters; so is the id of a message the SQS provider could not read (refused
     * above 255 characters, dead-lettered under it). The outcome line repeated both whole: a megabyte in one line.
     */
    @Test
    void aLongIdOrTypeIsCutAfter255CharactersAsTheWorkersOtherLinesCutThem() {
        var line = OutcomeLog.line(new AttemptOutcome("default", "j".repeat(1 << 20), "t\n" + "t".repeat(1 << 20), 1,
                AttemptOutcome.Kind.DEAD, null, "no handler"));

        assertThat(line).isEqualTo("job=" + "j".repeat(255) + "… type=\"t\\n" + "t".repeat(253) + "…\" queue=default "
                + "attempt=1 outcome=dead duration=- error=\"no handler\"");
    }
}

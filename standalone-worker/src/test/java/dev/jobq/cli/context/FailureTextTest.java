package dev.jobq.cli.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FailureTextTest {

    @Test
    void aChainThousandsOfCausesDeepIsToldAtOnceWithItsFirst32Causes() {
        Throwable error = new IOException("Connection refused");
        for (int i = 0; i < 10_000; i++) {
            error = new RuntimeException("level " + i + " failed", error);
        }
        Throwable deep = error;

        // Before, each cause was compared with each deeper one: 65 s for this chain, then a line of 569,000 characters.
        String text = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> FailureText.of(deep));

        assertThat(text).startsWith("level 9999 failed; caused by java.lang.RuntimeException: level 9998 failed; "
                        + "caused by java.lang.RuntimeException: level 9997 failed; ")
                .endsWith("; caused by java.lang.RuntimeException: level 9967 failed; "
                        + "(causes after the first 32 left out)")
                .doesNotContain("level 9966");
    }

    @Test
    void aChainWithinTheBoundIsToldWhole() {
        Throwable error = new IOException("Connection refused");
        for (int i = 0; i < 32; i++) {
            error = new RuntimeException("level " + i + " failed", error);
        }

        assertThat(FailureText.of(error)).startsWith("level 31 failed; caused by java.lang.RuntimeException: level 30 ")
                .endsWith("; caused by java.lang.RuntimeException: level 0 failed; caused by java.io.IOException: "
                        + "Connection refused");
    }

    @Test
    void aDriversLineBreakAndEscapeInACauseAreWrittenAsEscapes() {
        var error = new IllegalStateException("cannot open queue 'jobs'",
                new java.sql.SQLException("refused\njobq config check: OK\u001b[2J"));

        assertThat(FailureText.of(error)).isEqualTo("cannot open queue 'jobs'; caused by java.sql.SQLException: "
                + "refused\\njobq config check: OK\\u001b[2J");
    }

    /**
     * A cause whose getMessage() throws an Error (a class its message needs whose jar is gone): its toString(), which
     * reads getMessage(), threw it too, out of the command's error report, in place of the line that says the failure.
     */
    @Test
    void aCauseWhoseGetMessageThrowsAnErrorIsToldAsWhatItThrew() {
        assertThat(FailureText.of(new RuntimeException("listing failed", new MessageOfAGoneClass())))
                .isEqualTo("listing failed; caused by dev.jobq.cli.context.FailureTextTest$MessageOfAGoneClass: "
                        + "(its getMessage() threw NoClassDefFoundError: com/example/Rows)");
    }

    @Test
    void aLineBreakInTheErrorsOwnMessageIsWrittenAsAnEscape() {
        assertThat(FailureText.of(new IllegalStateException("refused\njobq: OK")))
                .isEqualTo("refused\\njobq: OK");
    }

    @Test
    void aGetMessageThatThrowsIsToldAsWhatItThrew() {
        var closed = new SessionClosedError();

        assertThat(FailureText.of(new RuntimeException("listing failed", closed)))
                .isEqualTo("listing failed; caused by dev.jobq.cli.context.FailureTextTest$SessionClosedError: (its getMessage() threw "
                        + "UnsupportedOperationException: session closed)");
        assertThat(FailureText.of(closed))
                .isEqualTo("(its getMessage() threw UnsupportedOperationException: session closed)");
    }

    @Test
    void anEmptyMessageIsToldByItsClass() {
        assertThat(FailureText.of(new IllegalStateException(""))).isEqualTo("java.lang.IllegalStateException");
        assertThat(FailureText.of(new IllegalStateException("  "))).isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void aCauseWithAnEmptyMessageIsToldByItsClass() {
        assertThat(FailureText.of(new IllegalStateException("pool closed", new IOException(""))))
                .isEqualTo("pool closed; caused by java.io.IOException");
        assertThat(FailureText.of(new IllegalStateException("pool closed", new IOException(" "))))
                .isEqualTo("pool closed; caused by java.io.IOException");
        assertThat(FailureText.of(new IllegalStateException("pool closed", new IOException("\n"))))
                .isEqualTo("pool closed; caused by java.io.IOException");
        assertThat(FailureText.of(new IllegalStateException((String) null, new IOException("refused"))))
                .isEqualTo("java.lang.IllegalStateException; caused by java.io.IOException: refused");
    }

    @Test
    void aCauseOfOneCharacterIsNotTakenAsQuoted() {
        assertThat(FailureText.of(new IllegalStateException("pool closed", new IOException("s"))))
                .isEqualTo("pool closed; caused by java.io.IOException: s");
        // a message the text quotes whole is still not said twice
        assertThat(FailureText.of(new IllegalStateException("cannot open queue 'jobs': Connection refused; check the URL",
                        new IOException("Connection refused"))))
                .isEqualTo("cannot open queue 'jobs': Connection refused; check the URL");
        assertThat(FailureText.of(new IllegalStateException("cannot connect to jobq: Connection refused; check the URL",
                        new IllegalStateException("Failed to initialize pool: Connection to jobq refused.",
                                new IOException("Connection refused")))))
                .isEqualTo("cannot connect to jobq: Connection refused; check the URL");
    }

    @Test
    void aCauseQuotedAfterALineBreakOrAnEscapeIsStillTakenAsQuoted() {
        assertThat(FailureText.of(new IllegalStateException("cannot connect to jobq:\nConnection refused",
                        new IOException("Connection refused"))))
                .isEqualTo("cannot connect to jobq:\\nConnection refused");
        assertThat(FailureText.of(new IllegalStateException("cannot connect to jobq:\tConnection refused",
                        new IOException("Connection refused"))))
                .isEqualTo("cannot connect to jobq:\\tConnection refused");
        assertThat(FailureText.of(new IllegalStateException("cannot connect to jobq: \u0000refused",
                        new IOException("refused"))))
                .isEqualTo("cannot connect to jobq: \\u0000refused");
        assertThat(FailureText.of(new IllegalStateException("batch failed: row 1 refused\nrow 2 done",
                        new IOException("row 1 refused\n"))))
                .isEqualTo("batch failed: row 1 refused\\nrow 2 done");
        // an escape's letters are no word of the message's: "n" is not quoted by "\n"
        assertThat(FailureText.of(new IllegalStateException("pool closed\n", new IOException("n"))))
                .isEqualTo("pool closed\\n; caused by java.io.IOException: n");
    }

    /**
     * A Windows path's backslash before a 'u' is no escape UntrustedText writes (that is a backslash, a 'u' and four
     * hexadecimal digits): a cause quoted after it, as after any other folder, was taken as not quoted and said again.
     */
    @Test
    void aCauseQuotedAfterABackslashAndAUThatIsNoEscapeIsTakenAsQuoted() {
        assertThat(FailureText.of(new IllegalStateException("cannot read C:\\jobq\\updates.yaml (Access is denied)",
                        new FileNotFoundException("updates.yaml (Access is denied)"))))
                .isEqualTo("cannot read C:\\jobq\\updates.yaml (Access is denied)");
        assertThat(FailureText.of(new IllegalStateException("cannot read C:\\jobq\\daily.yaml (Access is denied)",
                        new FileNotFoundException("daily.yaml (Access is denied)"))))
                .isEqualTo("cannot read C:\\jobq\\daily.yaml (Access is denied)");
        // an escape UntrustedText writes still bounds no word: "0000refused" is no cause's "refused" after it
        assertThat(FailureText.of(new IllegalStateException("cannot connect: \\u0000refused",
                        new IOException("0000refused"))))
                .isEqualTo("cannot connect: \\u0000refused; caused by java.io.IOException: 0000refused");
    }

    /**
     * An escape UntrustedText writes has four ASCII hexadecimal digits after its backslash and 'u': Arabic-Indic digits
     * or fullwidth letters there made one too (Character.digit takes them), so the word after them was taken as bounded
     * by an escape, and a cause that is only a piece of that word as quoted, and left out.
     */
    @Test
    void aBackslashAndAUBeforeDigitsThatAreNotAsciiIsNoEscape() {
        assertThat(FailureText.of(new IllegalStateException("cannot connect: \\u\u0660\u0660\u0660\u0660refused",
                        new IOException("refused"))))
                .isEqualTo("cannot connect: \\u\u0660\u0660\u0660\u0660refused; caused by java.io.IOException: "
                        + "refused");
        assertThat(FailureText.of(new IllegalStateException("cannot connect: \\u\uff21\uff21\uff21\uff21refused",
                        new IOException("refused"))))
                .isEqualTo("cannot connect: \\u\uff21\uff21\uff21\uff21refused; caused by java.io.IOException: "
                        + "refused");
    }

    @Test
    void aCauseEndingInAPieceOfAWordIsNotTakenAsWrappingItsOwnCause() {
        assertThat(FailureText.of(new IllegalStateException("connection lost (reset)",
                        new IllegalStateException("pool shut down after a preset", new IOException("reset")))))
                .isEqualTo("connection lost (reset); caused by java.lang.IllegalStateException: pool shut down after "
                        + "a preset");
        // one that ends with it whole is still left out
        assertThat(FailureText.of(new IllegalStateException("connection lost (reset)",
                        new IllegalStateException("pool shut down: reset", new IOException("reset")))))
                .isEqualTo("connection lost (reset)");
    }

    @Test
    void aCausesMessageOfAMegabyteIsCutAsOtherLinesAreCut() {
        String huge = "z".repeat(1_000_000);

        assertThat(runsCounted(FailureText.of(new IllegalStateException("listing failed", new SQLException(huge)))))
                .isEqualTo("listing failed; caused by java.sql.SQLException: <977 z>… (999023 more characters)");
        assertThat(runsCounted(FailureText.of(new IllegalStateException(huge))))
                .isEqualTo("<1000 z>… (999000 more characters)");
    }

    /** {@code text} with each run of z written as its length, so that a failure does not print a megabyte. */
    private static String runsCounted(String text) {
        return Pattern.compile("z+").matcher(text).replaceAll(run -> "<" + run.group().length() + " z>");
    }

    /** A driver's error whose message is read from a session closed by now. */
    private static final class MessageOfAGoneClass extends IllegalStateException {
        @Override
        public String getMessage() {
            throw new NoClassDefFoundError("com/example/Rows");
        }
    }

    private static final class SessionClosedError extends IllegalStateException {
        @Override
        public String getMessage() {
            throw new UnsupportedOperationException("session closed");
        }
    }
}
